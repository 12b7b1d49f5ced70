"""TS-FORECAST: ARIMAResults / PredictionResults options on a 40-point series at fixed
parameters against statsmodels: dynamic prediction from an offset, True, or a date,
prediction ranges across the sample end, interval levels, summary frames, inference
arrays (z, p, conf_int levels, cov_params), standardized errors, the forecast-step
checks and the dynamic-start warnings (issue 24)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, ValueWarning

pd = pytest.importorskip("pandas")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

RNG = np.random.default_rng(21)
Y = 5.0 + np.convolve(RNG.standard_normal(41), [1.0, 0.5])[:40].cumsum() * 0.3
IDX = pd.date_range("2000-01", periods=40, freq="MS")
PARAMS = {(1, 0, 1): [5.0, 0.7, 0.3, 0.9], (1, 1, 0): [0.4, 0.8], (0, 1, 1): [0.5, 0.6]}


def _pair(order, pandas=False, cov_type=None):
    y = pd.Series(Y, index=IDX, name="y") if pandas else Y
    p = np.array(PARAMS[order])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_arima.ARIMA(y, order=order).filter(p, cov_type=cov_type)
    return ARIMA(y, order=order).filter(p, cov_type=cov_type), ref


def _close(a, b, tol=1e-8):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("order", list(PARAMS))
@pytest.mark.parametrize(
    "start,end,dynamic",
    [
        (None, None, False),
        (5, 45, True),
        (10, 39, 5),
        (0, 50, 20),
        (30, 43, 0),
        (38, 41, 1),
        (39, 39, False),
        (40, 44, False),
        (2, 12, np.int64(3)),
    ],  # fmt: skip
    ids=range(9),
)
def test_ts_arima_get_prediction_ranges_and_dynamic(order, start, end, dynamic):
    """TS-FORECAST: means, variances, standard errors and intervals of get_prediction
    for ranges inside, across and past the sample end, static and dynamic."""
    ours, ref = _pair(order)
    a = ours.get_prediction(start, end, dynamic=dynamic)
    b = ref.get_prediction(start, end, dynamic=dynamic)
    _close(a.predicted_mean, b.predicted_mean)
    _close(a.var_pred_mean, b.var_pred_mean)
    _close(a.se_mean, b.se_mean)
    _close(a.conf_int(), b.conf_int())
    _close(a.conf_int(alpha=0.3), b.conf_int(alpha=0.3))
    _close(ours.predict(start, end, dynamic=dynamic), ref.predict(start, end, dynamic=dynamic))


def test_ts_arima_pandas_dynamic_dates_and_frames():
    """TS-FORECAST: dynamic= a date, summary_frame(alpha) and conf_int labels on pandas
    data, forecasts to a date."""
    ours, ref = _pair((1, 0, 1), pandas=True)
    for kw in (dict(start="2001-06-01", end="2003-12-01", dynamic="2002-03-01"),
               dict(start=IDX[4], end=IDX[-1], dynamic=IDX[10])):  # fmt: skip
        a, b = ours.get_prediction(**kw), ref.get_prediction(**kw)
        pd.testing.assert_series_equal(a.predicted_mean, b.predicted_mean, rtol=1e-8)
        pd.testing.assert_series_equal(a.se_mean, b.se_mean, rtol=1e-8, check_names=False)
        pd.testing.assert_frame_equal(a.conf_int(alpha=0.1), b.conf_int(alpha=0.1), rtol=1e-8)
        pd.testing.assert_frame_equal(
            a.summary_frame(alpha=0.2), b.summary_frame(alpha=0.2), rtol=1e-8
        )
    fa, fb = ours.get_forecast("2003-09-01"), ref.get_forecast("2003-09-01")
    pd.testing.assert_series_equal(fa.predicted_mean, fb.predicted_mean, rtol=1e-8)
    pd.testing.assert_series_equal(ours.forecast(3), ref.forecast(3), rtol=1e-8)
    assert list(ours.conf_int(alpha=0.1).columns) == [0, 1]
    pd.testing.assert_frame_equal(ours.conf_int(alpha=0.1), ref.conf_int(alpha=0.1), rtol=1e-4)
    pd.testing.assert_frame_equal(ours.cov_params(), ref.cov_params(), rtol=1e-4)


@pytest.mark.parametrize("cov_type", ["opg", "approx"])
def test_ts_arima_inference_arrays_equal_statsmodels(cov_type):
    """TS-ARIMA: bse, z (tvalues the same), two-sided normal p-values and conf_int at
    0.05 and 0.2 from the same covariance; sigma2, information criteria, residual
    diagnostics inputs."""
    ours, ref = _pair((1, 0, 1), cov_type=cov_type)
    tol = 1e-4
    _close(ours.cov_params(), ref.cov_params(), tol)
    _close(ours.bse, ref.bse, tol)
    _close(ours.zvalues, ref.zvalues, tol)
    _close(ours.tvalues, ref.tvalues, tol)
    _close(ours.pvalues, ref.pvalues, tol)
    _close(ours.conf_int(), ref.conf_int(), tol)
    _close(ours.conf_int(alpha=0.2), ref.conf_int(alpha=0.2), tol)
    assert ours.sigma2 == ref.params[-1] == 0.9
    assert ours.df_model == ref.df_model == 4
    assert ours.nobs_effective == ref.nobs_effective
    for name in ("aic", "bic", "hqic", "aicc", "llf"):
        assert getattr(ours, name) == pytest.approx(getattr(ref, name), rel=1e-10)
    _close(ours.standardized_forecasts_error, ref.standardized_forecasts_error[0])
    _close(ours.fittedvalues, ref.fittedvalues)
    _close(ours.params, ref.params, 0)
    assert ours.cov_type == cov_type


def test_ts_arima_integrated_criteria_and_no_covariance():
    """TS-ARIMA: with d = 1 the criteria count n - d observations (statsmodels);
    cov_type='none' gives NaN inference."""
    ours, ref = _pair((1, 1, 0), cov_type="none")
    assert ours.nobs_effective == ref.nobs_effective == 39
    for name in ("aic", "bic", "hqic", "aicc"):
        assert getattr(ours, name) == pytest.approx(getattr(ref, name), rel=1e-10)
    assert np.all(np.isnan(ours.bse)) and np.all(np.isnan(ours.pvalues))
    assert np.all(np.isnan(ours.conf_int()))
    assert np.all(np.isnan(ours.cov_params()))


def test_ts_arima_dynamic_and_steps_checks():
    """TS-FORECAST: statsmodels' dynamic-start rules and the checks on forecast steps."""
    ours, ref = _pair((1, 0, 1))
    with pytest.warns(ValueWarning, match="during out-of-sample forecasting"):
        a = ours.predict(35, 45, dynamic=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = ref.predict(35, 45, dynamic=7)
    _close(a, b)
    _close(a, ours.predict(35, 45))
    with pytest.warns(ValueWarning, match="after the end of prediction"):
        a = ours.predict(10, 20, dynamic=12)
    _close(a, ours.predict(10, 20))
    a = ours.predict(10, 45, dynamic=30)  # dynamic from t = 40: the forecasts, no warning
    _close(a, ref.predict(10, 45, dynamic=30))
    with pytest.raises(ValueError, match="prior to the first observation"):
        ours.predict(3, 20, dynamic=-4)
    _close(ours.predict(3, 20, dynamic=-3), ref.predict(3, 20, dynamic=-3))
    _close(ours.predict(3, 20, dynamic=None), ref.predict(3, 20))
    for bad in (True, 2.0, -1, 0):
        with pytest.raises(ValueError, match="steps must be a positive integer"):
            ours.forecast(bad)
    _close(ours.forecast(np.int64(2)), ref.forecast(2))
    _close(ours.forecast(), ref.forecast())
    assert ours.get_forecast().predicted_mean.shape == (1,)
    text = repr(ours)
    assert text.startswith("ARIMAResults(order=(1, 0, 1), const=5, ar.L1=0.7, ma.L1=0.3")
    assert text.endswith(f"llf={ours.llf:.4f})")


AFTER = (
    r"^Dynamic prediction specified to begin after the end of prediction, and so has no "
    r"effect\.$"
)
DURING = (
    r"^Dynamic prediction specified to begin during out-of-sample forecasting period, and "
    r"so has no effect\.$"
)


@pytest.mark.parametrize(
    "start,end,dynamic",
    [
        (10, 20, 10),
        (10, 20, 11),
        (10, 20, 12),
        (0, 39, 39),
        (0, 39, 40),
        (0, 39, 41),
        (30, 39, 10),
        (30, 39, 11),
        (35, 45, 5),
        (35, 45, 6),
        (20, 45, 20),
        (20, 45, 21),
    ],  # fmt: skip
)
def test_ts_arima_dynamic_start_warnings_equal_statsmodels(start, end, dynamic):
    """TS-FORECAST: the dynamic start warns exactly where statsmodels warns (a start
    more than one step past the last prediction; a start inside the forecasts), with
    its message, and the predictions are statsmodels'."""
    ours, ref = _pair((1, 0, 1))
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        a = ours.predict(start, end, dynamic=dynamic)
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        b = ref.predict(start, end, dynamic=dynamic)
    _close(a, b)
    assert [str(w.message) for w in got] == [str(w.message) for w in want]
    for w in got:
        assert issubclass(w.category, ValueWarning)
    if got:
        import re

        assert re.match(AFTER, str(got[0].message)) or re.match(DURING, str(got[0].message))


def test_ts_arima_css_results_use_the_conditional_likelihood():
    """TS-ARIMA: a CSS fit reports the conditional log-likelihood
    -n_c/2 (log 2 pi sigma2 + 1) on n_c = n - d - p observations, and the criteria
    count those; a filtered result reports converged and statsmodels' burn-in."""
    res = ARIMA(Y, order=(2, 1, 0)).fit(method="css")
    n_c = 40 - 1 - 2
    assert res.nobs_effective == n_c
    s2 = res.params[-1]
    assert res.llf == pytest.approx(-0.5 * n_c * (np.log(2 * np.pi * s2) + 1), rel=1e-12)
    assert res.bic == pytest.approx(-2 * res.llf + 3 * np.log(n_c), rel=1e-12)
    ours, ref = _pair((1, 1, 0))
    assert ours.converged is True and ours.mle_retvals == {}
    assert ours.loglikelihood_burn == ref.loglikelihood_burn == 1


def test_ts_arima_forecast_and_prediction_with_exog_and_defaults():
    """TS-FORECAST: forecast(steps, exog) uses the given regressors; get_prediction
    without dynamic is static, as statsmodels'; conf_int columns are 0 and 1."""
    X = np.random.default_rng(3).standard_normal((43, 1))
    p = np.array([1.0, 0.5, 0.4, 0.8])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_arima.ARIMA(Y, exog=X[:40], order=(1, 0, 0)).filter(p)
    ours = ARIMA(Y, exog=X[:40], order=(1, 0, 0)).filter(p)
    _close(ours.forecast(3, exog=X[40:]), ref.forecast(3, exog=X[40:]))
    _close(ours.forecast(3, X[40:]), ref.forecast(3, exog=X[40:]))
    a, b = ours.get_prediction(5, 30), ref.get_prediction(5, 30)
    _close(a.predicted_mean, b.predicted_mean)
    _close(a.var_pred_mean, b.var_pred_mean)
    mine, theirs = _pair((1, 0, 1), pandas=True)
    pd.testing.assert_frame_equal(
        mine.conf_int(), theirs.conf_int(), rtol=1e-3, check_column_type=True
    )
