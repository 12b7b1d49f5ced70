"""EVAL-METRICS and U-SIL: every metric within 1e-12 of scikit-learn on random inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradkit.ml import metrics as gm

pytest.importorskip("sklearn")
import sklearn.metrics as skm  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def label_pairs(draw, n_classes=(2, 5)):
    k = draw(st.integers(*n_classes))
    n = draw(st.integers(2, 60))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    y_true[:2] = [0, 1]  # at least two classes present
    y_pred = rng.integers(0, k, n)
    w = rng.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    return y_true, y_pred, w


@given(label_pairs())
@SETTINGS
def test_eval_metrics_classification_match_sklearn(data):
    y_true, y_pred, w = data
    assert gm.accuracy_score(y_true, y_pred, sample_weight=w) == pytest.approx(
        skm.accuracy_score(y_true, y_pred, sample_weight=w), abs=1e-12
    )
    np.testing.assert_allclose(
        gm.confusion_matrix(y_true, y_pred, sample_weight=w),
        skm.confusion_matrix(y_true, y_pred, sample_weight=w),
        atol=1e-12,
    )
    for avg in ["macro", "micro", "weighted"]:
        for ours, ref in [
            (gm.precision_score, skm.precision_score),
            (gm.recall_score, skm.recall_score),
            (gm.f1_score, skm.f1_score),
        ]:
            a = ours(y_true, y_pred, average=avg, sample_weight=w)
            b = ref(y_true, y_pred, average=avg, sample_weight=w, zero_division=0)
            assert a == pytest.approx(b, abs=1e-12)
    per_label = gm.precision_recall_fscore_support(y_true, y_pred, sample_weight=w)
    ref = skm.precision_recall_fscore_support(y_true, y_pred, sample_weight=w, zero_division=0)
    for a, b in zip(per_label, ref, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)
    assert gm.adjusted_rand_score(y_true, y_pred) == pytest.approx(
        skm.adjusted_rand_score(y_true, y_pred), abs=1e-12
    )


@given(label_pairs(n_classes=(2, 2)))
@SETTINGS
def test_eval_metrics_binary_and_roc_match_sklearn(data):
    y_true, y_pred, w = data
    for ours, ref in [
        (gm.precision_score, skm.precision_score),
        (gm.recall_score, skm.recall_score),
        (gm.f1_score, skm.f1_score),
    ]:
        assert ours(y_true, y_pred, sample_weight=w) == pytest.approx(
            ref(y_true, y_pred, sample_weight=w, zero_division=0), abs=1e-12
        )
    rng = np.random.default_rng(len(y_true))
    score = np.round(rng.normal(size=len(y_true)), 1)  # rounding creates tied scores
    for drop in (True, False):
        for a, b in zip(
            gm.roc_curve(y_true, score, sample_weight=w, drop_intermediate=drop),
            skm.roc_curve(y_true, score, sample_weight=w, drop_intermediate=drop),
            strict=True,
        ):
            np.testing.assert_allclose(a, b, atol=1e-12)
    assert gm.roc_auc_score(y_true, score, sample_weight=w) == pytest.approx(
        skm.roc_auc_score(y_true, score, sample_weight=w), abs=1e-12
    )
    proba = rng.uniform(size=len(y_true))
    assert gm.log_loss(y_true, proba, sample_weight=w) == pytest.approx(
        skm.log_loss(y_true, proba, sample_weight=w), abs=1e-12
    )


@given(st.integers(2, 5), st.integers(5, 60), st.integers(0, 2**31 - 1))
@SETTINGS
def test_eval_metrics_log_loss_and_ovr_auc_match_sklearn(k, n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    p = rng.dirichlet(np.ones(k), size=n)
    assert gm.log_loss(y, p) == pytest.approx(skm.log_loss(y, p), abs=1e-12)
    if k > 2:
        for avg in ("macro", "weighted"):
            assert gm.roc_auc_score(y, p, multi_class="ovr", average=avg) == pytest.approx(
                skm.roc_auc_score(y, p, multi_class="ovr", average=avg), abs=1e-12
            )


@given(st.integers(2, 60), st.integers(1, 3), st.integers(0, 2**31 - 1), st.booleans())
@SETTINGS
def test_eval_metrics_regression_match_sklearn(n, outputs, seed, weighted):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, outputs))
    p = y + rng.normal(size=(n, outputs))
    w = rng.uniform(0.1, 2, n) if weighted else None
    for mo in ("uniform_average", "raw_values"):
        for ours, ref in [
            (gm.mean_squared_error, skm.mean_squared_error),
            (gm.mean_absolute_error, skm.mean_absolute_error),
            (gm.r2_score, skm.r2_score),
        ]:
            np.testing.assert_allclose(
                ours(y, p, sample_weight=w, multioutput=mo),
                ref(y, p, sample_weight=w, multioutput=mo),
                atol=1e-12,
            )
    assert gm.r2_score(y, p, multioutput="variance_weighted") == pytest.approx(
        skm.r2_score(y, p, multioutput="variance_weighted"), abs=1e-12
    )


def test_eval_metrics_edge_cases():
    assert gm.r2_score([1.0, 1.0], [1.0, 1.0]) == skm.r2_score([1.0, 1.0], [1.0, 1.0])
    assert gm.r2_score([1.0, 1.0], [1.0, 2.0]) == skm.r2_score([1.0, 1.0], [1.0, 2.0])
    assert gm.precision_score([0, 0], [0, 0]) == 0.0
    assert gm.f1_score(["a", "b", "a"], ["a", "a", "a"], pos_label="a") == pytest.approx(
        skm.f1_score(["a", "b", "a"], ["a", "a", "a"], pos_label="a"), abs=1e-12
    )
    with pytest.raises(ValueError, match="average='binary'"):
        gm.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="valid choices"):
        gm.f1_score([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="pos_label"):
        gm.roc_curve(["a", "b"], [0.1, 0.2])


@given(st.integers(2, 6), st.integers(0, 2**31 - 1))
@SETTINGS
def test_u_sil_matches_sklearn(k, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 3))
    X[:10] = X[0]  # duplicated points: zero distances
    labels = rng.integers(0, k, 80)
    labels[:k] = np.arange(k)
    labels[k] = k  # a singleton cluster, s = 0
    np.testing.assert_allclose(
        gm.silhouette_samples(X, labels), skm.silhouette_samples(X, labels), atol=1e-10
    )
    assert gm.silhouette_score(X, labels) == pytest.approx(
        skm.silhouette_score(X, labels), abs=1e-10
    )
    D = skm.pairwise_distances(X)
    np.testing.assert_allclose(
        gm.silhouette_samples(D, labels, metric="precomputed"),
        skm.silhouette_samples(D, labels, metric="precomputed"),
        atol=1e-10,
    )


def test_u_sil_iris_and_errors():
    X, y = load_iris(return_X_y=True)
    assert gm.silhouette_score(X, y) == pytest.approx(skm.silhouette_score(X, y), abs=1e-10)
    with pytest.raises(ValueError, match="Valid values are 2 to n_samples - 1"):
        gm.silhouette_score(X, np.zeros(150))
