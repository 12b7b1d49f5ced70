"""The float32 GELU used by the transformer's feed-forward block (concept NN-ACT): its
normal CDF is a fast erfc fit, checked here against SciPy's float64 erf, and so are the
activation and its derivative."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

import gradkit as gk
from gradkit.nn import functional as F
from gradkit.ops.activation import normal_cdf


def test_float32_normal_cdf_matches_float64_NN_ACT():
    x = np.linspace(-12.0, 12.0, 100_001)
    got = normal_cdf(x.astype(np.float32))
    assert got.dtype == np.float32 and got.shape == x.shape
    ref = ndtr(x)
    np.testing.assert_allclose(got, ref, rtol=0, atol=3e-7)
    tail = x < -2  # relative accuracy where Φ is small
    np.testing.assert_allclose(got[tail], ref[tail], rtol=2e-5, atol=0)
    np.testing.assert_allclose(normal_cdf(x), ref, rtol=0, atol=1e-15)  # float64: SciPy


def test_float32_gelu_and_derivative_match_float64_NN_ACT():
    """The float32 GELU y = x Φ(x) and the derivative Φ(x) + x φ(x) its backward uses
    (computed in the forward pass), against float64 SciPy at the same float32 inputs."""
    x = np.linspace(-12.0, 12.0, 100_001).astype(np.float32)
    t = gk.tensor(x, requires_grad=True)
    y = F.gelu(t)
    y.backward(np.ones(x.shape, np.float32))
    x64 = x.astype(np.float64)
    cdf = ndtr(x64)
    ref_y = x64 * cdf
    ref_d = cdf + x64 * np.exp(-0.5 * x64 * x64) / np.sqrt(2 * np.pi)
    tail = x < -2  # relative accuracy where both are small
    for name, got, ref in (("gelu", y.data, ref_y), ("derivative", t.grad.data, ref_d)):
        assert got.dtype == np.float32, name
        np.testing.assert_allclose(got, ref, rtol=1e-7, atol=5e-7, err_msg=name)
        np.testing.assert_allclose(got[tail], ref[tail], rtol=2e-5, atol=0, err_msg=name)
