"""ARIMA results as statsmodels returns them (TS-ARIMA, TS-FORECAST): pandas in and out
(parameter names, the data's index, forecasts on the index extended by its frequency),
predict(start, end, dynamic) with integer and date keys, get_prediction / get_forecast
with intervals and summary frames, arrays in and out without pandas objects."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, PredictionResults, ValueWarning

sm = pytest.importorskip("statsmodels.api")
pd = pytest.importorskip("pandas")
from statsmodels.tools.sm_exceptions import ValueWarning as SMValueWarning  # noqa: E402
from statsmodels.tsa.arima.model import ARIMA as SMARIMA  # noqa: E402

NILE = sm.datasets.nile.load_pandas().data["volume"].to_numpy()
SUN = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()
CO2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().ffill()[-240:]


def _pair(endog, **kw):
    """(gradkit results, statsmodels results) at statsmodels' estimates, so that every
    difference comes from the prediction code."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SMARIMA(endog, **kw).fit()
        ours = ARIMA(endog, **kw).filter(ref.params)
    return ours, ref


def _same_series(ours, ref, atol=1e-8):
    assert isinstance(ours, pd.Series) and isinstance(ref, pd.Series)
    assert ours.name == ref.name
    assert ours.index.equals(ref.index), (ours.index, ref.index)
    assert type(ours.index) is type(ref.index)
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), rtol=1e-9, atol=atol)


INDEXES = {
    "year-end": pd.date_range("1871", periods=100, freq="YE"),
    "period-q": pd.period_range("1900Q1", periods=100, freq="Q"),
    "range": pd.RangeIndex(100),
    "range-offset": pd.RangeIndex(1000, 1100),
    "month-start": pd.date_range("1950-01", periods=100, freq="MS"),
}


@pytest.mark.parametrize("kind", list(INDEXES))
@pytest.mark.parametrize("order", [(1, 0, 1), (1, 1, 1)])
def test_ts_arima_pandas_results_match_statsmodels(kind, order):
    """TS-ARIMA: Series/DataFrame in -> Series/DataFrame out with statsmodels' names and
    indexes: params/bse/zvalues/pvalues by parameter name, conf_int and cov_params
    frames, resid/fittedvalues on the data's index, forecasts continuing it."""
    y = pd.Series(NILE, index=INDEXES[kind], name="volume")
    ours, ref = _pair(y, order=order)
    for attr in ("params", "bse", "zvalues", "tvalues", "pvalues", "resid", "fittedvalues"):
        _same_series(getattr(ours, attr), getattr(ref, attr), atol=1e-6)
    pd.testing.assert_frame_equal(ours.conf_int(0.1), ref.conf_int(alpha=0.1), rtol=1e-6)
    pd.testing.assert_frame_equal(ours.cov_params(), ref.cov_params(), rtol=1e-6)
    _same_series(ours.forecast(12), ref.forecast(12))
    fc, ref_fc = ours.get_forecast(7), ref.get_forecast(7)
    assert isinstance(fc, PredictionResults)
    _same_series(fc.predicted_mean, ref_fc.predicted_mean)
    _same_series(fc.se_mean, ref_fc.se_mean)
    _same_series(fc.var_pred_mean, ref_fc.var_pred_mean)
    pd.testing.assert_frame_equal(fc.conf_int(alpha=0.2), ref_fc.conf_int(alpha=0.2), rtol=1e-9)
    pd.testing.assert_frame_equal(fc.summary_frame(), ref_fc.summary_frame(), rtol=1e-9)
    frame = pd.DataFrame({"volume": NILE}, index=INDEXES[kind])
    ours_df, ref_df = _pair(frame, order=order)
    _same_series(ours_df.params, ref_df.params, atol=1e-6)
    pd.testing.assert_frame_equal(
        ours_df.get_forecast(3).conf_int(), ref_df.get_forecast(3).conf_int()
    )


@pytest.mark.parametrize(
    "start,end,dynamic",
    [
        (None, None, False),
        (90, 99, False),
        (95, 110, False),
        (50, 80, 10),
        (60, 120, True),
        (-10, None, False),
        (-10, -1, 3),
        (100, 104, False),
        (0, 20, True),
    ],
)
def test_ts_arima_predict_integer_keys_match_statsmodels(start, end, dynamic):
    """TS-FORECAST: in-sample one-step, dynamic from an offset, out-of-sample, negative
    locations; the predictions and their standard errors equal statsmodels'."""
    for kw in (dict(order=(2, 0, 1)), dict(order=(1, 1, 1)), dict(order=(1, 0, 0), trend="ct")):
        ours, ref = _pair(pd.Series(NILE), **kw)
        _same_series(
            ours.predict(start, end, dynamic=dynamic), ref.predict(start, end, dynamic=dynamic)
        )
        got = ours.get_prediction(start, end, dynamic=dynamic)
        want = ref.get_prediction(start, end, dynamic=dynamic)
        np.testing.assert_allclose(got.se_mean, want.se_mean, rtol=1e-7)
        arr, ref_arr = _pair(NILE, **kw)
        out = arr.predict(start, end, dynamic=dynamic)
        assert isinstance(out, np.ndarray)
        np.testing.assert_allclose(out, ref_arr.predict(start, end, dynamic=dynamic), rtol=1e-9)


def test_ts_arima_predict_date_keys_match_statsmodels():
    """TS-FORECAST: date strings, Timestamps and Periods as start/end/dynamic, past the
    sample too (the index extended by its frequency); seasonal model on monthly data."""
    y = pd.Series(CO2.to_numpy(), index=pd.date_range("1982-01", periods=240, freq="MS"))
    ours, ref = _pair(y, order=(1, 1, 1), seasonal_order=(0, 1, 1, 12))
    for start, end, dyn in [
        ("1995-01-01", "2003-06-01", False),
        ("2000-01", "2002-12", "2001-01-01"),
        (pd.Timestamp("1998-03-01"), "2001-02-01", 12),
        ("2001-12-01", "2004-12-01", True),
    ]:
        _same_series(ours.predict(start, end, dynamic=dyn), ref.predict(start, end, dynamic=dyn))
    _same_series(ours.forecast("2003-06-01"), ref.forecast("2003-06-01"))
    p = pd.Series(NILE, index=pd.period_range("1871", periods=100, freq="Y"))
    ours, ref = _pair(p, order=(1, 0, 0))
    _same_series(ours.predict("1960", "1975"), ref.predict("1960", "1975"))
    _same_series(
        ours.predict(pd.Period("1950", "Y"), "1980", dynamic="1965"),
        ref.predict(pd.Period("1950", "Y"), "1980", dynamic="1965"),
    )


def test_ts_arima_index_warnings_and_unsupported_indexes():
    """TS-ARIMA: statsmodels' rules for indexes: a date index without a frequency gets
    the inferred one (ValueWarning); an unsupported index (years as integers) keeps its
    labels in sample and refuses to forecast; dates= for array data."""
    dates = pd.DatetimeIndex(pd.date_range("1871", periods=100, freq="YS").to_numpy())
    with pytest.warns(ValueWarning, match="inferred frequency YS-JAN"):
        ours = ARIMA(pd.Series(NILE, index=dates), order=(1, 0, 0)).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SMValueWarning)
        ref = SMARIMA(pd.Series(NILE, index=dates), order=(1, 0, 0)).fit()
    _same_series(ours.forecast(3), ref.forecast(3), atol=1e-4)
    _same_series(ours.resid, ref.resid, atol=1e-4)
    years = pd.Series(NILE, index=pd.Index(np.arange(1871, 1971)))
    with pytest.warns(ValueWarning, match="unsupported index"):
        res = ARIMA(years, order=(1, 0, 0)).fit()
    assert res.predict(10, 20).index.tolist() == list(range(1881, 1892))
    assert res.resid.index.equals(years.index)
    with pytest.raises(ValueError, match="No supported index"):
        res.forecast(2)
    arr = ARIMA(NILE, order=(1, 0, 0), dates=pd.date_range("1871", periods=100, freq="YS")).fit()
    assert isinstance(arr.forecast(2), np.ndarray)
    assert arr.predict("1960-01-01", "1972-01-01").shape == (13,)
    with pytest.raises(ValueError, match="Frequency provided without associated index"):
        ARIMA(NILE, order=(1, 0, 0), freq="YS")


def test_ts_arima_arrays_in_arrays_out():
    """TS-ARIMA: array data give arrays (statsmodels: summary_frame is still a frame)."""
    ours, ref = _pair(NILE, order=(1, 0, 1))
    for attr in ("params", "bse", "pvalues", "resid", "fittedvalues"):
        assert isinstance(getattr(ours, attr), np.ndarray)
    assert isinstance(ours.conf_int(), np.ndarray) and ours.conf_int().shape == (4, 2)
    fc, ref_fc = ours.get_forecast(4), ref.get_forecast(4)
    assert isinstance(fc.predicted_mean, np.ndarray)
    np.testing.assert_allclose(fc.conf_int(), ref_fc.conf_int(), rtol=1e-9)
    pd.testing.assert_frame_equal(fc.summary_frame(), ref_fc.summary_frame(), rtol=1e-9)
    with pytest.raises(KeyError, match="integer locations"):
        ours.predict("1990", "2000")


def test_ts_arima_prediction_errors():
    ours, _ = _pair(pd.Series(NILE), order=(1, 0, 0))
    with pytest.raises(ValueError, match="after `start`"):
        ours.predict(50, 40)
    with pytest.raises(ValueError, match="prior to the first observation"):
        ours.predict(5, 20, dynamic=-10)
    with pytest.warns(ValueWarning, match="after the end of prediction"):
        ours.predict(5, 20, dynamic=30)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        ours.forecast(0)
    with pytest.raises(ValueError, match="alpha"):
        ours.get_forecast(3).conf_int(alpha=0)


def test_ts_arima_and_stattools_work_without_pandas():
    """With pandas not importable, array data still fit, predict, forecast, summarize;
    summary_frame (a DataFrame) says it needs pandas."""
    import subprocess
    import sys

    code = """
import sys
sys.modules["pandas"] = None  # import pandas now fails
import numpy as np
from gradkit.tsa import ARIMA, acf, adfuller, pacf
y = np.cumsum(np.random.default_rng(0).standard_normal(150))
res = ARIMA(y, order=(1, 1, 1)).fit()
assert isinstance(res.params, np.ndarray) and res.forecast(3).shape == (3,)
assert res.predict(140, 155, dynamic=5).shape == (16,)
assert res.get_forecast(4).conf_int().shape == (4, 2)
assert "ma.L1" in str(res.summary())
assert len(acf(y, qstat=True)) == 3 and pacf(y, alpha=0.05).confint.shape[1] == 2
assert len(adfuller(y)) == 6
try:
    res.get_forecast(2).summary_frame()
except ImportError as exc:
    assert "pandas" in str(exc)
else:
    raise AssertionError("summary_frame without pandas")
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
