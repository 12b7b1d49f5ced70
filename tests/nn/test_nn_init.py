"""Initializers draw from the same distributions as PyTorch's (concept NN-INIT): bounds,
standard deviations within a few percent on large tensors, a two-sample KS test against
torch's own samples, orthogonality, and each layer's default initialization."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import gradkit as gk
from gradkit import nn
from gradkit.nn import init
from parity import requires_torch, torch

SHAPE = (400, 250)  # fan_in 250, fan_out 400; 100,000 samples

# (id, gradkit initializer, torch initializer, expected std, uniform bound or None)
CASES = [
    (
        "uniform_",
        lambda t: init.uniform_(t, -0.3, 0.7),
        lambda t: torch.nn.init.uniform_(t, -0.3, 0.7),
        1 / math.sqrt(12),
        None,
    ),
    (
        "normal_",
        lambda t: init.normal_(t, 0.5, 2.0),
        lambda t: torch.nn.init.normal_(t, 0.5, 2.0),
        2.0,
        None,
    ),
    (
        "xavier_uniform_",
        lambda t: init.xavier_uniform_(t, gain=2.0),
        lambda t: torch.nn.init.xavier_uniform_(t, gain=2.0),
        2.0 * math.sqrt(2 / 650),
        2.0 * math.sqrt(6 / 650),
    ),
    (
        "xavier_normal_",
        init.xavier_normal_,
        lambda t: torch.nn.init.xavier_normal_(t),
        math.sqrt(2 / 650),
        None,
    ),
    (
        "kaiming_uniform_-relu",
        lambda t: init.kaiming_uniform_(t, nonlinearity="relu"),
        lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu"),
        math.sqrt(2 / 250),
        math.sqrt(6 / 250),
    ),
    (
        "kaiming_uniform_-a-sqrt5",
        lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)),
        lambda t: torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5)),
        1 / math.sqrt(3 * 250),
        1 / math.sqrt(250),
    ),
    (
        "kaiming_normal_-fan_out",
        lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
        lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
        math.sqrt(2 / 400),
        None,
    ),
    (
        "kaiming_normal_-leaky",
        lambda t: init.kaiming_normal_(t, a=0.2),
        lambda t: torch.nn.init.kaiming_normal_(t, a=0.2),
        math.sqrt(2 / (1 + 0.04)) / math.sqrt(250),
        None,
    ),
    (
        "trunc_normal_",
        lambda t: init.trunc_normal_(t, std=1.0, a=-1.0, b=1.5),
        lambda t: torch.nn.init.trunc_normal_(t, std=1.0, a=-1.0, b=1.5),
        None,
        None,
    ),
]


@requires_torch
@pytest.mark.parametrize(
    "gk_init, torch_init, std, bound", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_initializer_matches_torch_distribution_NN_INIT(gk_init, torch_init, std, bound):
    gk.manual_seed(0)
    torch.manual_seed(0)
    ours = gk_init(gk.empty(*SHAPE)).detach().numpy()
    theirs = torch_init(torch.empty(SHAPE)).numpy()
    assert ours.dtype == np.float32
    if std is not None:
        assert ours.std() == pytest.approx(std, rel=0.02)
    if bound is not None:
        assert np.abs(ours).max() <= bound and np.abs(ours).max() > 0.99 * bound
    assert stats.ks_2samp(ours.ravel(), theirs.ravel()).pvalue > 1e-3


@requires_torch
def test_ks_test_detects_a_wrong_distribution_NN_INIT():
    """The KS comparison above can fail: a 10 % wider uniform is rejected."""
    gk.manual_seed(0)
    torch.manual_seed(0)
    ours = init.uniform_(gk.empty(*SHAPE), -1.1, 1.1).detach().numpy()
    theirs = torch.nn.init.uniform_(torch.empty(SHAPE), -1.0, 1.0).numpy()
    assert stats.ks_2samp(ours.ravel(), theirs.ravel()).pvalue < 1e-6


@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (4, 3, 2, 2)], ids=["wide", "tall", "conv"])
def test_orthogonal_NN_INIT(shape):
    w = (
        init.orthogonal_(gk.empty(*shape, dtype=np.float64), gain=2.0)
        .detach()
        .numpy()
        .reshape(shape[0], -1)
    )
    small = min(w.shape)
    gram = w @ w.T if w.shape[0] == small else w.T @ w
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_constants_and_gain_NN_INIT():
    t = gk.empty(3, 4)
    assert np.all(init.zeros_(t).detach().numpy() == 0) and np.all(
        init.ones_(t).detach().numpy() == 1
    )
    assert np.all(init.constant_(t, 0.25).detach().numpy() == 0.25)
    np.testing.assert_array_equal(init.eye_(t).detach().numpy(), np.eye(3, 4))
    with pytest.raises(ValueError, match="Unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(gk.empty(5))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        init.kaiming_uniform_(t, mode="fan_avg")


@requires_torch
def test_calculate_gain_matches_torch_NN_INIT():
    gains = [("linear", None), ("tanh", None), ("relu", None), ("leaky_relu", None)]
    gains += [("leaky_relu", 0.3), ("selu", None), ("conv2d", None), ("sigmoid", None)]
    for name, param in gains:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param)
        )


def test_init_is_reproducible_with_manual_seed_NN_INIT():
    gk.manual_seed(42)
    a = nn.Linear(5, 3).weight.detach().numpy().copy()
    gk.manual_seed(42)
    b = nn.Linear(5, 3).weight.detach().numpy()
    assert np.array_equal(a, b)


@requires_torch
def test_layer_defaults_follow_torch_NN_INIT():
    gk.manual_seed(1)
    torch.manual_seed(1)
    ours, theirs = nn.Linear(300, 200), torch.nn.Linear(300, 200)
    bound = 1 / math.sqrt(300)
    for name in ("weight", "bias"):
        a, b = getattr(ours, name).detach().numpy(), getattr(theirs, name).detach().numpy()
        assert np.abs(a).max() <= bound and a.dtype == np.float32
        assert stats.ks_2samp(a.ravel(), b.ravel()).pvalue > 1e-3, name
    emb = nn.Embedding(400, 100).weight.detach().numpy()
    assert emb.std() == pytest.approx(1.0, rel=0.02) and abs(emb.mean()) < 0.02
    bn, ln = nn.BatchNorm2d(4), nn.LayerNorm(4)
    for layer in (bn, ln):
        assert np.all(layer.weight.detach().numpy() == 1) and np.all(
            layer.bias.detach().numpy() == 0
        )
    assert np.all(bn.running_var.detach().numpy() == 1) and bn.num_batches_tracked.item() == 0
    dense = nn.Dense(200, input_shape=[300]).weight.detach().numpy()
    assert np.abs(dense).max() <= bound and np.abs(dense).max() > 0.99 * bound
