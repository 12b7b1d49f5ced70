"""TS-ARIMA: the covariance of ARIMA estimates on short series: both cov_types against
statsmodels for seasonal, integrated and regression models at fixed parameters (also on
a rescaled series), the Hessian helper on a closed form, the conditional (CSS)
information against OLS, and the NaN-with-warning cases (an AR estimate a difference
step from the stationarity boundary, a singular information matrix) (issue 24)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA
from gradkit.tsa._inference import cov_from_information, hessian

sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

RNG = np.random.default_rng(31)
Y = 2.0 + np.convolve(RNG.standard_normal(61), [1.0, 0.5])[:60]
X = RNG.standard_normal((60, 1))

CASES = [
    (dict(order=(1, 0, 0), seasonal_order=(1, 0, 0, 4)), [2.0, 0.4, 0.2, 1.1]),
    (dict(order=(0, 1, 1), seasonal_order=(0, 0, 1, 3)), [0.4, 0.2, 1.2]),
    (dict(order=(1, 0, 1), exog="x"), [2.0, 0.3, 0.2, 0.5, 1.0]),
    (dict(order=(2, 0, 0), trend="ct"), [1.5, 0.01, 0.3, 0.1, 1.0]),
]


@pytest.mark.parametrize("cov_type", ["opg", "approx"])
@pytest.mark.parametrize("kw,params", CASES, ids=range(len(CASES)))
@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_ts_arima_covariance_equals_statsmodels(kw, params, cov_type, scale):
    """TS-ARIMA: cov_params at fixed parameters equal statsmodels' (relative 1e-3, the
    accuracy of its numerical derivatives), on the series and on 100 times it."""
    kw = dict(kw)
    if kw.get("exog") == "x":
        kw["exog"] = X
    p = np.array(params, dtype=float)
    k_reg = ARIMA(Y, **kw).k_trend + ARIMA(Y, **kw).k_exog
    p[:k_reg] *= scale
    p[-1] *= scale**2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_arima.ARIMA(Y * scale, **kw).filter(p, cov_type=cov_type)
    ours = ARIMA(Y * scale, **kw).filter(p, cov_type=cov_type)
    np.testing.assert_allclose(ours.cov_params(), ref.cov_params(), rtol=2e-3, atol=1e-8 * scale**4)
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-3)


def test_ts_arima_hessian_helper_closed_form():
    """TS-ARIMA: the Hessian helper on f(x) = x0^2 x1 + 3 x1^3 + x0 x2, whose Hessian is
    [[2 x1, 2 x0, 1], [2 x0, 18 x1, 0], [1, 0, 0]]."""

    def f(P):
        return P[:, 0] ** 2 * P[:, 1] + 3 * P[:, 1] ** 3 + P[:, 0] * P[:, 2]

    x = np.array([0.7, -1.3, 2.0])
    H = hessian(f, x, np.full(3, 1e-5))
    want = np.array([[2 * x[1], 2 * x[0], 1.0], [2 * x[0], 18 * x[1], 0.0], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(H, want, rtol=1e-8, atol=1e-8)
    np.testing.assert_array_equal(H, H.T)


def test_ts_arima_css_information_equals_ols():
    """TS-ARIMA: for an AR(1) with a constant, the CSS approx covariance of (const, phi)
    is OLS's s2 (X'X)^-1 with s2 = SSR / n_c, and sigma2's variance 2 sigma2^2 / n_c."""
    res = ARIMA(Y, order=(1, 0, 0)).fit(method="css", cov_type="approx")
    Xr = np.column_stack([np.ones(59), Y[:-1]])
    beta, *_ = np.linalg.lstsq(Xr, Y[1:], rcond=None)
    e = Y[1:] - Xr @ beta
    s2 = e @ e / 59
    # gradkit's layout: const is the mean mu, y_t - mu = phi (y_{t-1} - mu) + e_t
    phi = beta[1]
    mu = beta[0] / (1 - phi)
    np.testing.assert_allclose(res.params, [mu, phi, s2], rtol=1e-6)
    cov = np.asarray(res.cov_params())
    J = np.array([[1 / (1 - phi), beta[0] / (1 - phi) ** 2], [0.0, 1.0]])  # d(mu, phi)/d(b)
    want = J @ (s2 * np.linalg.inv(Xr.T @ Xr)) @ J.T
    np.testing.assert_allclose(cov[:2, :2], want, rtol=1e-4)
    assert cov[2, 2] == pytest.approx(2 * s2**2 / 59, rel=1e-4)
    opg = ARIMA(Y, order=(1, 0, 0)).fit(method="css", cov_type="opg")
    assert np.all(np.isfinite(opg.bse)) and opg.cov_type == "opg"


def test_ts_arima_covariance_not_available_cases():
    """TS-ARIMA: an AR coefficient a difference step from the unit root gives NaN 'approx'
    standard errors with a RuntimeWarning naming the cause; a singular information
    matrix (a duplicated regressor) gives NaN with its warning; 'opg' is unaffected by
    the first."""
    m = ARIMA(Y, order=(1, 0, 0), seasonal_order=(1, 0, 0, 4))
    for near in ([2.0, 1 - 1e-9, 0.1, 1.0], [2.0, 0.1, 1 - 1e-9, 1.0]):
        res = m.filter(near, cov_type="approx")
        with pytest.warns(RuntimeWarning, match="stationarity boundary"):
            bse = res.bse
        assert np.all(np.isnan(bse))
    assert np.all(np.isfinite(m.filter([2.0, 1 - 1e-9, 0.1, 1.0], cov_type="opg").bse))
    assert np.all(np.isfinite(m.filter([2.0, 0.5, 0.1, 1.0], cov_type="approx").bse))
    dup = ARIMA(Y, order=(0, 0, 0), exog=np.column_stack([X, X]), trend="n")
    res = dup.filter([0.5, 0.5, 1.0], cov_type="opg")
    info = np.ones((2, 2))
    with pytest.warns(RuntimeWarning, match="information matrix is singular"):
        assert np.all(np.isnan(cov_from_information(info)))
    assert np.all(np.isnan(cov_from_information(np.full((2, 2), np.nan))))
    np.testing.assert_allclose(cov_from_information(np.diag([2.0, 4.0])), np.diag([0.5, 0.25]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert res.bse.shape == (3,)
