"""The float32 GELU used by the transformer's feed-forward block (concept NN-ACT): its
normal CDF is a fast erfc fit, checked here against SciPy's float64 erf."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

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
