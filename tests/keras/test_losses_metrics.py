"""Keras losses and metrics against real Keras 3 (torch backend): values, reductions,
sample weights, string names, stateful accumulation (concepts L-XENT, L-CCE, L-HINGE,
EVAL-METRICS)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("Keras is not on its torch backend", allow_module_level=True)

import gradkit as gk  # noqa: E402
from gradkit import keras as gk_keras  # noqa: E402

RNG = np.random.default_rng(0)
N, C = 8, 4
REG_TRUE = RNG.standard_normal((N, C)).astype(np.float32)
REG_PRED = RNG.standard_normal((N, C)).astype(np.float32)
PROBS = RNG.uniform(0.01, 0.99, (N, C)).astype(np.float32)
BIN_TRUE = RNG.integers(0, 2, (N, C)).astype(np.float32)
LOGITS = RNG.standard_normal((N, C)).astype(np.float32)
SOFTMAX = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype(np.float32)
LABELS = RNG.integers(0, C, (N,))
ONE_HOT = np.eye(C, dtype=np.float32)[LABELS]
POS = RNG.uniform(0.1, 2.0, (N, C)).astype(np.float32)
WEIGHTS = RNG.uniform(0.0, 2.0, (N,)).astype(np.float32)

LOSS_CASES = [
    ("MeanSquaredError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsoluteError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsolutePercentageError", {}, REG_TRUE, REG_PRED),
    ("MeanSquaredLogarithmicError", {}, POS, PROBS),
    ("BinaryCrossentropy", {}, BIN_TRUE, PROBS),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, BIN_TRUE, LOGITS),
    ("CategoricalCrossentropy", {}, ONE_HOT, SOFTMAX),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, ONE_HOT, LOGITS),
    ("SparseCategoricalCrossentropy", {}, LABELS, SOFTMAX),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS.astype(np.float32), LOGITS),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1}, LABELS, LOGITS),
    ("Hinge", {}, BIN_TRUE, REG_PRED),
    ("SquaredHinge", {}, BIN_TRUE, REG_PRED),
    ("CategoricalHinge", {}, ONE_HOT, REG_PRED),
    ("Huber", {"delta": 0.7}, REG_TRUE, REG_PRED),
    ("KLDivergence", {}, SOFTMAX, PROBS),
    ("Poisson", {}, POS, PROBS),
    ("CosineSimilarity", {}, REG_TRUE, REG_PRED),
    ("LogCosh", {}, REG_TRUE, REG_PRED),
]


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
@pytest.mark.parametrize(
    ("name", "kwargs", "y_true", "y_pred"),
    LOSS_CASES,
    ids=[f"{c[0]}-{sorted(c[1])}" for c in LOSS_CASES],
)
def test_loss_matches_keras(name, kwargs, y_true, y_pred, reduction):
    """L-XENT / L-CCE: the same value as Keras, unweighted and with sample weights."""
    k_loss = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    g_loss = getattr(gk_keras.losses, name)(reduction=reduction, **kwargs)
    for sw in (None, WEIGHTS):
        expected = _np(k_loss(y_true, y_pred, sample_weight=sw))
        got = g_loss(y_true, y_pred, sample_weight=sw)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "kwargs", "y_true", "y_pred"), LOSS_CASES[:12], ids=[c[0] for c in LOSS_CASES[:12]]
)
def test_loss_gradient_matches_torch_autograd(name, kwargs, y_true, y_pred):
    """L-XENT / L-CCE: d loss / d y_pred equals Keras's (torch autograd) gradient."""
    k_pred = torch.tensor(y_pred, requires_grad=True)
    getattr(keras.losses, name)(**kwargs)(y_true, k_pred).backward()
    g_pred = gk.tensor(y_pred, requires_grad=True)
    getattr(gk_keras.losses, name)(**kwargs)(y_true, g_pred).backward()
    np.testing.assert_allclose(g_pred.grad.numpy(), k_pred.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_loss_strings_and_functions():
    for name in (
        "mse",
        "mae",
        "binary_crossentropy",
        "sparse_categorical_crossentropy",
        "MeanSquaredError",
        "kld",
        "huber",
        "log_cosh",
    ):
        assert gk_keras.losses.get(name) is not None
    np.testing.assert_allclose(
        gk_keras.losses.mean_squared_error(REG_TRUE, REG_PRED).numpy(),
        _np(keras.losses.mean_squared_error(REG_TRUE, REG_PRED)),
        rtol=1e-6,
    )


def test_sparse_loss_accepts_float_and_column_labels():
    """The issue's silent defect: float class labels are accepted, as in Keras."""
    loss = gk_keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    as_int = loss(LABELS, LOGITS).numpy()
    np.testing.assert_allclose(loss(LABELS.astype(np.float32), LOGITS).numpy(), as_int)
    np.testing.assert_allclose(loss(LABELS[:, None].astype(np.float64), LOGITS).numpy(), as_int)
    with pytest.raises(ValueError, match="out of range"):
        loss(np.full(N, C), LOGITS)


METRIC_CASES = [
    ("Accuracy", {}, LABELS, np.argmax(LOGITS, -1)),
    ("BinaryAccuracy", {}, BIN_TRUE, PROBS),
    ("BinaryAccuracy", {"threshold": 0.3}, BIN_TRUE, PROBS),
    ("CategoricalAccuracy", {}, ONE_HOT, SOFTMAX),
    ("SparseCategoricalAccuracy", {}, LABELS.astype(np.float32), SOFTMAX),
    ("TopKCategoricalAccuracy", {"k": 2}, ONE_HOT, SOFTMAX),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, LABELS, SOFTMAX),
    ("AUC", {}, BIN_TRUE, PROBS),
    ("AUC", {"curve": "PR"}, BIN_TRUE, PROBS),
    ("AUC", {"num_thresholds": 50, "summation_method": "minoring"}, BIN_TRUE, PROBS),
    ("Precision", {}, BIN_TRUE, PROBS),
    ("Precision", {"thresholds": [0.3, 0.6]}, BIN_TRUE, PROBS),
    ("Recall", {}, BIN_TRUE, PROBS),
    ("Recall", {"top_k": 2}, BIN_TRUE, PROBS),
    ("Precision", {"class_id": 1}, BIN_TRUE, PROBS),
    ("MeanSquaredError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsoluteError", {}, REG_TRUE, REG_PRED),
    ("RootMeanSquaredError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsolutePercentageError", {}, REG_TRUE, REG_PRED),
    ("BinaryCrossentropy", {}, BIN_TRUE, PROBS),
    ("CategoricalCrossentropy", {}, ONE_HOT, SOFTMAX),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
    ("KLDivergence", {}, SOFTMAX, PROBS),
    ("CosineSimilarity", {}, REG_TRUE, REG_PRED),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "y_true", "y_pred"),
    METRIC_CASES,
    ids=[f"{c[0]}-{sorted(c[1])}" for c in METRIC_CASES],
)
def test_metric_matches_keras(name, kwargs, y_true, y_pred):
    """EVAL-METRICS: the stateful result after two updates (the second weighted) equals
    Keras's, and reset_state starts over."""
    k_metric = getattr(keras.metrics, name)(**kwargs)
    g_metric = getattr(gk_keras.metrics, name)(**kwargs)
    half = N // 2
    for metric in (k_metric, g_metric):
        metric.update_state(y_true[:half], y_pred[:half])
        metric.update_state(y_true[half:], y_pred[half:], sample_weight=WEIGHTS[half:])
    np.testing.assert_allclose(
        np.asarray(g_metric.result().numpy()), _np(k_metric.result()), rtol=1e-5, atol=1e-6
    )
    g_metric.reset_state()
    k_metric.reset_state()
    g_metric.update_state(y_true, y_pred)
    k_metric.update_state(y_true, y_pred)
    np.testing.assert_allclose(
        np.asarray(g_metric.result().numpy()), _np(k_metric.result()), rtol=1e-5, atol=1e-6
    )


def test_mean_and_sum_metrics():
    for name in ("Mean", "Sum"):
        k, g = getattr(keras.metrics, name)(), getattr(gk_keras.metrics, name)()
        for metric in (k, g):
            metric.update_state([1.0, 2.0, 4.0])
            metric.update_state([[3.0, 5.0]], sample_weight=[0.5])
        np.testing.assert_allclose(g.result().numpy(), _np(k.result()), rtol=1e-6)


def test_custom_metric_subclass():
    class Count(gk_keras.metrics.Metric):
        def __init__(self, name="count", **kwargs):
            super().__init__(name=name, **kwargs)
            self.total = self.add_variable(shape=(), initializer="zeros", name="total")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.total.assign_add(np.float32(len(y_true)))

        def result(self):
            return self.total.value

    m = Count()
    m.update_state(np.zeros(3), np.zeros(3))
    assert float(m.result().numpy()) == 3.0
    m.reset_state()
    assert float(m.result().numpy()) == 0.0
