"""TS-ARIMA: the SARIMAX state-space layout and the parameter transforms against
statsmodels: design, transition, R Q R' and the initial state / covariance (stationary
ARMA block, approximately diffuse differencing states) for simple and seasonal
differencing of every order, and statsmodels' stationarity transforms and test."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA
from gradkit.tsa._statespace import arima_statespace
from gradkit.tsa._transforms import (
    ar_to_pacf,
    constrain_ar,
    is_stationary,
    pacf_to_ar,
    unconstrain_ar,
)

sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")
sm_tools = pytest.importorskip("statsmodels.tsa.statespace.tools")

Y = np.cumsum(np.random.default_rng(0).standard_normal(50))

LAYOUTS = [
    ((2, 2, 1), (1, 2, 1, 3), [0.3, -0.2, 0.4, 0.2, 0.3, 1.5]),
    ((1, 0, 2), (0, 1, 0, 4), [0.5, 0.2, -0.3, 0.8]),
    ((0, 1, 0), (0, 0, 0, 0), [2.0]),
    ((0, 3, 1), (2, 0, 0, 2), [0.4, 0.3, 0.1, 1.1]),
    ((1, 1, 1), (0, 2, 1, 2), [0.5, 0.2, 0.6, 0.9]),
    ((3, 0, 0), (0, 0, 2, 5), [0.2, 0.1, -0.1, 0.3, 0.2, 1.0]),
]


@pytest.mark.parametrize("order,seasonal,params", LAYOUTS, ids=range(len(LAYOUTS)))
@pytest.mark.parametrize("diffuse", [1e6, 1e4])
def test_ts_arima_statespace_equals_statsmodels_sarimax(order, seasonal, params, diffuse):
    """TS-ARIMA: every system matrix and the initialization equal statsmodels' (SARIMAX
    layout), the differencing states at the approximately diffuse variance."""
    kw = dict(order=order, seasonal_order=seasonal, trend="n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_arima.ARIMA(Y, **kw)
    p = np.array(params, dtype=float)
    ref.update(p)
    ssm = ref.ssm
    ss = ARIMA(Y, **kw, diffuse_variance=diffuse).statespace(p)
    np.testing.assert_array_equal(ss.design, ssm["design"][0])
    np.testing.assert_allclose(ss.transition, ssm["transition"], rtol=0, atol=1e-15)
    R, Q = ssm["selection"], ssm["state_cov"]
    np.testing.assert_allclose(ss.state_cov, R @ Q @ R.T, rtol=1e-14, atol=1e-15)
    a, P_diffuse, P_stat = ssm.initialization(model=ssm)  # statsmodels: variance 1e6
    np.testing.assert_array_equal(ss.initial_state, a)
    k = ARIMA(Y, **kw).loglikelihood_burn  # d + sD differencing states, first
    want = P_stat + 1e6 * P_diffuse
    want[:k, :k] *= diffuse / 1e6
    np.testing.assert_allclose(ss.initial_cov, want, rtol=1e-10, atol=1e-14)
    assert ss.obs_cov == 0.0
    if diffuse == 1e6:
        # up to eight approximately diffuse states: P must stay symmetric for these digits
        assert ARIMA(Y, **kw).loglike(p) == pytest.approx(ref.loglike(p), rel=1e-8)


def test_ts_arima_statespace_single_system_helper():
    """TS-ARIMA: arima_statespace (one system) is the batch of one, with sigma2 scaling
    R Q R' and the stationary covariance."""
    ss1 = arima_statespace(np.array([0.5]), np.array([0.3]), 1.0, 1, 1e6)
    ss2 = arima_statespace(np.array([0.5]), np.array([0.3]), 2.0, 1, 1e6)
    np.testing.assert_allclose(ss2.state_cov, 2.0 * ss1.state_cov)
    np.testing.assert_allclose(ss2.initial_cov[1:, 1:], 2.0 * ss1.initial_cov[1:, 1:])
    assert ss1.initial_cov[0, 0] == 1e6 and ss1.transition.shape == (3, 3)


@pytest.mark.parametrize("p", [1, 2, 4])
def test_ts_arima_transforms_equal_statsmodels(p):
    """TS-ARIMA: constrain / unconstrain equal statsmodels' univariate stationarity
    transforms (Monahan); pacf_to_ar and ar_to_pacf are inverses; complex input works
    (complex step)."""
    rng = np.random.default_rng(p)
    u = rng.standard_normal(p) * 1.5
    phi = constrain_ar(u)
    np.testing.assert_allclose(phi, sm_tools.constrain_stationary_univariate(u), rtol=1e-12)
    np.testing.assert_allclose(unconstrain_ar(phi), u, rtol=1e-9)
    np.testing.assert_allclose(
        unconstrain_ar(phi), sm_tools.unconstrain_stationary_univariate(phi), rtol=1e-9
    )
    r = rng.uniform(-0.9, 0.9, p)
    np.testing.assert_allclose(ar_to_pacf(pacf_to_ar(r)), r, rtol=1e-10)
    assert is_stationary(phi)
    h = 1e-20
    z = constrain_ar(u + 1j * h * np.eye(p)[0])
    e = 1e-6
    fd = (constrain_ar(u + e * np.eye(p)[0]) - constrain_ar(u - e * np.eye(p)[0])) / (2 * e)
    np.testing.assert_allclose(z.imag / h, fd, rtol=1e-6, atol=1e-9)


def test_ts_arima_is_stationary_threshold_equals_statsmodels():
    """TS-ARIMA: the stationarity test and its threshold 1 - 1e-10 are statsmodels'."""
    assert is_stationary(np.array([]))
    cases = [[0.0, 0.0], [0.5], [1.0], [-1.0], [1 - 1e-11], [1 - 1e-9], [1.2, -0.3], [0.5, 0.49],
             [0.5, 0.51], [0.0, 0.999], [0.0, 1.0], [0.0, 0.0, 1.0 + 1e-12]]  # fmt: skip
    for phi in cases:
        want = sm_tools.is_invertible(np.r_[1.0, -np.asarray(phi, dtype=float)])
        assert is_stationary(np.asarray(phi, dtype=float)) == want, phi
    assert is_stationary(np.array([0.5]), threshold=0.4) is False
    assert is_stationary(np.array([0.5]), threshold=0.6) is True
