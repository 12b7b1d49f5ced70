"""ARIMA against statsmodels' ARIMA on its bundled sunspots and Nile series (TS-ARIMA)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, kalman_filter, kalman_loglike

sm = pytest.importorskip("statsmodels.api")
from statsmodels.tsa.arima.model import ARIMA as SMARIMA  # noqa: E402

ORDERS = [(1, 0, 0), (2, 0, 1), (1, 1, 1), (0, 1, 1)]
SERIES = {
    "sunspots": sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(),
    "nile": sm.datasets.nile.load_pandas().data["volume"].to_numpy(),
}
CASES = [(name, order) for name in SERIES for order in ORDERS]
# statsmodels' default L-BFGS stops early on some of these likelihoods (on Nile AR(1) after
# 3 iterations, 4.7e-4 below the maximum), so parameters and forecasts are compared with
# the same statsmodels model optimized to convergence; the default fit is checked too.
TIGHT = {"maxiter": 1000, "pgtol": 1e-12, "factr": 1.0}


def _sm_fit(y, order, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SMARIMA(y, order=order).fit(**kw)


@pytest.fixture(scope="module")
def fits():
    out = {}
    for name, order in CASES:
        y = SERIES[name]
        out[name, order] = (
            ARIMA(y, order=order).fit(),
            _sm_fit(y, order, method_kwargs=dict(TIGHT)),
            _sm_fit(y, order),
        )
    return out


@pytest.mark.parametrize("name,order", CASES)
def test_ts_arima_loglike_equals_statsmodels_at_same_params(name, order):
    """TS-ARIMA: same state space + initialization => same likelihood (1e-12 relative),
    through both the full filter and the steady-state fast path."""
    y = SERIES[name]
    ref = _sm_fit(y, order)
    model = ARIMA(y, order=order)
    assert model.param_names == list(ref.model.param_names)
    ll = model.loglike(ref.params)
    assert ll == pytest.approx(ref.llf, rel=1e-12)
    beta = ref.params[: model.k_trend]
    full = kalman_filter(model.statespace(ref.params), model._demeaned(beta, y), model.d)
    assert full.llf == pytest.approx(ll, rel=1e-12)
    # one-step prediction errors equal statsmodels' residuals
    ref_filtered = ref.model.filter(ref.params)
    np.testing.assert_allclose(full.innovations, ref_filtered.resid, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name,order", CASES)
def test_ts_arima_mle_matches_statsmodels(fits, name, order):
    """TS-ARIMA: llf within 1e-4 relative, params within 1e-3, 10-step forecasts within
    1e-3 (with intervals), AIC and BIC as statsmodels computes them."""
    ours, tight, default = fits[name, order]
    assert ours.converged
    assert ours.llf == pytest.approx(tight.llf, rel=1e-4)
    assert ours.llf == pytest.approx(default.llf, rel=1e-4)
    assert ours.llf >= default.llf - 1e-9  # never a worse optimum than statsmodels'
    scale = np.maximum(1.0, np.abs(tight.params))
    assert np.max(np.abs(ours.params - tight.params) / scale) < 1e-3
    fc, ref_fc = ours.get_forecast(10), tight.get_forecast(10)
    np.testing.assert_allclose(fc.predicted_mean, ref_fc.predicted_mean, rtol=0, atol=1e-3)
    np.testing.assert_allclose(fc.conf_int(0.05), ref_fc.conf_int(alpha=0.05), atol=1e-2)
    np.testing.assert_allclose(fc.se_mean, ref_fc.se_mean, rtol=1e-4)
    np.testing.assert_allclose(ours.forecast(10), fc.predicted_mean)
    for ic in ("aic", "bic", "hqic"):
        # same formula, evaluated at statsmodels' llf
        ours_at_ref = getattr(ours, ic) + 2 * (ours.llf - tight.llf)
        assert ours_at_ref == pytest.approx(getattr(tight, ic), rel=1e-12)


def test_ts_arima_forecast_at_fixed_params_matches_statsmodels():
    """TS-ARIMA: the forecast recursion itself (same params) agrees to 1e-8."""
    y = SERIES["nile"]
    ref = _sm_fit(y, (1, 1, 1))
    ours = ARIMA(y, order=(1, 1, 1)).filter(ref.params)
    assert ours.llf == pytest.approx(ref.llf, rel=1e-12)
    fc = ours.get_forecast(10)
    np.testing.assert_allclose(fc.predicted_mean, ref.forecast(10), rtol=1e-10)
    np.testing.assert_allclose(fc.se_mean, ref.get_forecast(10).se_mean, rtol=1e-8)


def test_ts_arima_steady_state_fast_path_matches_full_filter():
    """The lfilter steady-state shortcut returns the full filter's likelihood."""
    rng = np.random.default_rng(0)
    y = np.cumsum(rng.standard_normal(400))
    for order in [(0, 0, 1), (2, 0, 2), (1, 1, 2), (1, 2, 1), (3, 0, 0)]:
        model = ARIMA(y if order[1] else np.diff(y), order=order)
        params = np.r_[[0.1] * model.k_trend, [0.3, -0.2, 0.1][: order[0]],
                       [0.4, 0.2][: order[2]], 1.3]  # fmt: skip
        ss = model.statespace(params)
        u = model._demeaned(params[: model.k_trend], model.y)
        assert kalman_loglike(ss, u, model.d) == pytest.approx(
            kalman_filter(ss, u, model.d).llf, rel=1e-11
        )


def test_ts_arima_batched_loglike_and_complex_step_gradient():
    """One batched filter pass gives each system's own likelihood (systems leaving for
    the steady state at different steps), and the complex-step gradient of the MLE
    objective agrees with central differences."""
    from scipy.optimize import approx_fprime

    from gradkit.tsa._estimation import _neg_loglike_batch, _objective_and_gradient
    from gradkit.tsa._statespace import arima_statespace_batch
    from gradkit.tsa.kalman import kalman_loglike_batch

    y = SERIES["nile"]
    model = ARIMA(y, order=(1, 1, 1))
    ar, ma = np.array([[0.3], [-0.5], [0.2]]), np.array([[-0.1], [0.6], [-0.97]])
    sigma2 = np.array([1.0, 2.0, 0.5]) * 1e4
    batch = arima_statespace_batch(ar, ma, sigma2, 1, 1e6)
    llf = kalman_loglike_batch(batch, np.tile(y, (3, 1)), 1)
    for b in range(3):
        params = np.r_[ar[b], ma[b], sigma2[b]]
        assert llf[b] == pytest.approx(model.loglike(params), rel=1e-12)
        assert llf[b] == pytest.approx(model.filter(params)._filter.llf, rel=1e-11)

    ys = y / np.std(np.diff(y))
    x = np.array([0.4, 1.5, 0.1])
    f, g = _objective_and_gradient(model, ys, 1e6, x)
    assert f == pytest.approx(_neg_loglike_batch(model, ys, 1e6, x[None])[0], rel=1e-14)
    fd = approx_fprime(x, lambda z: _neg_loglike_batch(model, ys, 1e6, z[None])[0], 1e-6)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8)


def test_ts_arima_css_equals_ols_autoregression():
    """TS-ARIMA: CSS for AR(p) with a constant is OLS on lags (statsmodels AutoReg)."""
    from statsmodels.tsa.ar_model import AutoReg

    y = SERIES["sunspots"]
    ours = ARIMA(y, order=(2, 0, 0)).fit(method="css")
    ref = AutoReg(y, lags=2, trend="c").fit()
    mu, phi1, phi2, s2 = ours.params
    np.testing.assert_allclose([mu * (1 - phi1 - phi2), phi1, phi2], ref.params, rtol=1e-7)
    assert s2 == pytest.approx(ref.sigma2, rel=1e-7)
    assert ours.llf == pytest.approx(ref.llf, rel=1e-9)


def test_ts_arima_drift_trend_and_residuals():
    """TS-ARIMA: trend 't' with d=1 is a drift; residuals are the filter's innovations."""
    y = SERIES["nile"]
    ours = ARIMA(y, order=(0, 1, 1), trend="t").fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SMARIMA(y, order=(0, 1, 1), trend="t").fit(method_kwargs=dict(TIGHT))
    assert ours.param_names == ["drift", "ma.L1", "sigma2"]
    assert ours.llf == pytest.approx(ref.llf, rel=1e-8)
    np.testing.assert_allclose(ours.forecast(5), ref.forecast(5), atol=1e-2)
    np.testing.assert_allclose(ours.fittedvalues + ours.resid, y)


def test_ts_arima_bad_input_errors():
    y = SERIES["nile"]
    with pytest.raises(ValueError, match="NaN"):
        ARIMA(np.r_[y[:10], np.nan, y[11:]], order=(1, 0, 0))
    with pytest.raises(ValueError, match="order"):
        ARIMA(y, order=(1, -1, 0))
    with pytest.raises(ValueError, match="order"):
        ARIMA(y, order=(1, 0))
    with pytest.raises(ValueError, match="valid choices"):
        ARIMA(y, order=(1, 0, 0), trend="x")
    with pytest.raises(ValueError, match="power < d"):
        ARIMA(y, order=(1, 1, 0), trend="c")
    with pytest.raises(ValueError, match="valid choices: mle, css"):
        ARIMA(y, order=(1, 0, 0)).fit(method="ols")
    with pytest.raises(ValueError, match="expected 3 parameters"):
        ARIMA(y, order=(1, 0, 0)).loglike([1.0, 0.5])
    with pytest.raises(ValueError, match="1-D"):
        ARIMA(np.ones((5, 5)), order=(0, 0, 0))
