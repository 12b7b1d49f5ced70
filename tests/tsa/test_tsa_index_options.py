"""TS-FORECAST: the time index rules of ARIMA results on a 12-point series at fixed
parameters against statsmodels: every supported index kind (RangeIndex with an offset
and a step, 0..n-1 integers, dates with a frequency, periods, date strings, dates
without a frequency, dates= with and without freq=) with integer, negative and date
keys, the warnings for unsupported / frequency-less / non-monotonic indexes and the
argument errors (issue 24)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, ValueWarning

pd = pytest.importorskip("pandas")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

Y = np.random.default_rng(0).standard_normal(12).cumsum()
P = np.r_[0.1, 0.5, 1.0]
MONTHS = pd.date_range("2000-01-31", periods=12, freq="ME")

INDEXES = {
    "range-step": (pd.Series(Y, index=pd.RangeIndex(10, 34, 2)), {}),
    "range": (pd.Series(Y), {}),
    "ints": (pd.Series(Y, index=pd.Index(np.arange(12))), {}),
    "period-m": (pd.Series(Y, index=pd.period_range("2000-01", periods=12, freq="M")), {}),
    "month-end": (pd.Series(Y, index=MONTHS, name="sales"), {}),
    "strings": (pd.Series(Y, index=[str(d.date()) for d in MONTHS]), {}),
    "no-freq": (pd.Series(Y, index=pd.DatetimeIndex(MONTHS.to_numpy())), {}),
    "dates-arg": (Y, dict(dates=pd.date_range("2000-01-01", periods=12, freq="D"))),
    "dates-freq": (Y, dict(dates=pd.DatetimeIndex(MONTHS.to_numpy()), freq="ME")),
    "frame": (pd.DataFrame({"units": Y}, index=MONTHS), {}),
}


def _pair(name):
    data, kw = INDEXES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ARIMA(data, order=(1, 0, 0), **kw).filter(P)
        ref = sm_arima.ARIMA(data, order=(1, 0, 0), **kw).filter(P)
    return ours, ref


def _same(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-12)
    if isinstance(b, (pd.Series, pd.DataFrame)):
        assert type(a) is type(b)
        assert a.index.equals(b.index), (a.index, b.index)
        assert type(a.index) is type(b.index)
    else:
        assert isinstance(a, np.ndarray)


@pytest.mark.parametrize("name", list(INDEXES))
def test_ts_arima_index_kinds_integer_keys(name):
    """TS-FORECAST: predictions, forecasts, residuals and intervals carry statsmodels'
    labels for integer keys inside, across and past the sample, negative from the end."""
    ours, ref = _pair(name)
    for start, end in ((None, None), (-3, None), (2, 15), (5, -1), (0, 0), (11, 13), (-12, 3)):
        _same(ours.predict(start, end), ref.predict(start, end))
    _same(ours.forecast(3), ref.forecast(3))
    _same(ours.resid, ref.resid)
    _same(ours.fittedvalues, ref.fittedvalues)
    _same(ours.params, ref.params)
    a, b = ours.get_forecast(2), ref.get_forecast(2)
    _same(a.conf_int(), b.conf_int())
    if isinstance(b.conf_int(), pd.DataFrame):
        assert list(a.conf_int().columns) == list(b.conf_int().columns)
        pd.testing.assert_frame_equal(a.summary_frame(), b.summary_frame(), rtol=1e-9)


@pytest.mark.parametrize("name", ["period-m", "month-end", "frame"])
def test_ts_arima_index_date_keys(name):
    """TS-FORECAST: date keys (Timestamps / Periods of the index, and past it) give
    statsmodels' predictions; partial date strings ('2000-03', where statsmodels' own
    lookup fails) locate the period they name, past the sample too."""
    ours, ref = _pair(name)
    idx = INDEXES[name][0].index
    future = pd.period_range("2000-01", periods=16, freq="M")
    if not isinstance(idx, pd.PeriodIndex):
        future = pd.date_range(idx[0], periods=16, freq=idx.freq)
    for start, end in ((idx[2], idx[-1]), (idx[0], future[14]), (idx[11], future[12])):
        _same(ours.predict(start, end), ref.predict(start, end))
    _same(ours.predict(2, 14, dynamic=4), ref.predict(2, 14, dynamic=4))
    _same(ours.predict(2, 14, dynamic=idx[6]), ours.predict(2, 14, dynamic=4))
    _same(ours.predict("2000-03", "2001-03"), ours.predict(2, 14))
    _same(ours.predict("2000-12", None), ours.predict(11, 11))
    fc = ours.get_forecast("2001-04").predicted_mean
    _same(fc, ref.get_forecast(4).predicted_mean)


def test_ts_arima_index_quarters_and_between_dates():
    """TS-FORECAST: a quarter string on quarterly dates names its quarter; an end date
    between two dates of the frequency forecasts through the next one (statsmodels)."""
    q = pd.Series(Y, index=pd.date_range("2000-01-01", periods=12, freq="QS"))
    ours = ARIMA(q, order=(1, 0, 0)).filter(P)
    ref = sm_arima.ARIMA(q, order=(1, 0, 0)).filter(P)
    _same(ours.predict("2001Q2", "2003Q3"), ref.predict(5, 14))
    _same(ours.predict(3, "2003-02-15"), ref.predict(3, "2003-02-15"))
    m = ARIMA(pd.Series(Y, index=MONTHS), order=(1, 0, 0)).filter(P)
    assert m.model._index.location("2000-04-30") == 3
    with pytest.raises(ValueError, match="unable to parse"):  # as statsmodels
        m.predict("not a date")


def test_ts_arima_index_warnings():
    """TS-FORECAST: statsmodels' ValueWarnings: an inferred frequency, an unsupported
    index (forecasts refused, in-sample labels kept), dates without a frequency, a
    non-monotonic date index."""
    with pytest.warns(ValueWarning, match="inferred frequency ME will be used"):
        ARIMA(INDEXES["no-freq"][0], order=(1, 0, 0))
    odd = pd.Series(Y, index=pd.Index(np.arange(100, 112)))
    with pytest.warns(ValueWarning, match="unsupported index"):
        res = ARIMA(odd, order=(1, 0, 0)).filter(P)
    assert res.predict(2, 5).index.tolist() == [102, 103, 104, 105]
    with pytest.raises(ValueError, match="No supported index is available"):
        res.predict(10, 13)
    irregular = pd.DatetimeIndex(["2000-01-01", "2000-01-03", "2000-01-04", "2000-01-09"] * 3)
    with pytest.warns(ValueWarning) as rec:
        ARIMA(pd.Series(Y, index=irregular), order=(1, 0, 0))
    messages = " | ".join(str(w.message) for w in rec)
    assert "no associated frequency" in messages and "not monotonic" in messages
    shuffled = pd.DatetimeIndex(MONTHS.to_numpy()[::-1])
    with pytest.warns(ValueWarning, match="not monotonic"):
        ARIMA(pd.Series(Y, index=shuffled), order=(1, 0, 0))


def test_ts_arima_index_errors():
    """TS-FORECAST: statsmodels' errors for dates= / freq= that do not fit."""
    with pytest.raises(ValueError, match="Frequency provided without associated index"):
        ARIMA(Y, order=(1, 0, 0), freq="ME")
    with pytest.raises(ValueError, match="Non-date index provided to `dates` argument"):
        ARIMA(Y, order=(1, 0, 0), dates=np.arange(12))
    with pytest.raises(ValueError, match="Non-date index provided to `dates` argument"):
        ARIMA(Y, order=(1, 0, 0), dates=["a"] * 12)
    with pytest.raises(ValueError, match="could not be matched to the given index"):
        ARIMA(Y, order=(1, 0, 0), dates=pd.DatetimeIndex(MONTHS.to_numpy()), freq="D")
    with pytest.raises(ValueError, match="incompatible with the given index"):
        ARIMA(Y, order=(1, 0, 0), dates=MONTHS, freq="D")
    with pytest.raises(ValueError, match="could not be coerced to dates but `freq`"):
        ARIMA(pd.Series(Y, index=pd.Index(np.arange(12))), order=(1, 0, 0), freq="D")
    irregular = pd.DatetimeIndex(["2000-01-01", "2000-01-03", "2000-01-04", "2000-01-09"] * 3)
    with pytest.raises(ValueError, match="no frequency could be inferred"):
        ARIMA(Y, order=(1, 0, 0), dates=irregular)
    with pytest.raises(ValueError, match="the index has 11 entries for 12 observations"):
        ARIMA(Y, order=(1, 0, 0), dates=MONTHS[:11])
    arr = ARIMA(Y, order=(1, 0, 0)).filter(P)
    with pytest.raises(KeyError, match="start/end must be integer locations"):
        arr.predict("2000-01")
    with pytest.raises(KeyError, match="lies before the first observation"):
        arr.predict(-13)
    rng = ARIMA(pd.Series(Y), order=(1, 0, 0)).filter(P)
    with pytest.raises(KeyError, match="lies before the first observation"):
        rng.predict(-13)
    with pytest.raises(KeyError, match="The `end` argument could not be matched"):
        rng.predict(0, "x")
    dated = ARIMA(pd.Series(Y, index=MONTHS), order=(1, 0, 0)).filter(P)
    with pytest.raises(KeyError, match="lies before the first observation"):
        dated.predict(-13)
