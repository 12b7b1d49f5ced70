"""TS-FORECAST: the time-index edges of ARIMA results against statsmodels on a 12-point
series at fixed parameters: label keys on an unsupported index (duplicated labels too),
negative locations on array data, array prediction frames, the warnings each index kind
gives (and the ones it must not give), the names kept by coerced and dated indexes, and
indexes that cannot be extended (issue 24)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, ValueWarning
from gradkit.tsa._index import is_pandas

pd = pytest.importorskip("pandas")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

Y = np.cumsum(np.random.default_rng(0).standard_normal(12))
P = np.r_[0.1, 0.5, 1.0]
DAYS = pd.date_range("2000-01-01", periods=12, freq="D")
MONTHS = pd.date_range("2000-01-31", periods=12, freq="ME")


def _pair(data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ARIMA(data, order=(1, 0, 0), **kw).filter(P)
        ref = sm_arima.ARIMA(data, order=(1, 0, 0), **kw).filter(P)
    return ours, ref


def _same(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-12)
    if isinstance(b, (pd.Series, pd.DataFrame)):
        assert type(a) is type(b)
        assert list(a.index) == list(b.index), (a.index, b.index)
        assert a.index.name == b.index.name
    else:
        assert not is_pandas(a)


@pytest.mark.parametrize(
    "labels,keys",
    [
        ("abcdefghijkl", [("c", "f"), ("a", "l"), ("k", None)]),
        ("abcadefghijk", [("d", "f")]),  # 'a' twice, keys after it
        ("abcdefgdhijk", [("d", "h"), ("b", "d")]),  # 'd' twice, not sorted
        ("aabbccddeeff", [("c", "d"), ("b", "f")]),  # sorted duplicates (slices)
    ],
    ids=["unique", "dup-early", "dup-unsorted", "dup-sorted"],
)
def test_ts_forecast_label_keys_on_unsupported_index(labels, keys):
    """TS-FORECAST: string keys on a non-date label index locate the label's first
    occurrence, as statsmodels does."""
    ours, ref = _pair(pd.Series(Y, index=list(labels)))
    for start, end in keys:
        _same(ours.predict(start, end), ref.predict(start, end))


def test_ts_forecast_unsupported_index_in_sample_and_errors():
    """TS-FORECAST: an unsupported integer index predicts in sample with its own labels
    (to the last and the next-to-last observation) and refuses to forecast, as
    statsmodels; no-frequency and non-monotonic date indexes likewise."""
    for index in (
        np.arange(12) * 2 + 1,
        pd.DatetimeIndex(np.r_[DAYS[:6].to_numpy(), DAYS[6:].to_numpy() + np.timedelta64(20, "D")]),
        DAYS[::-1],
    ):
        ours, ref = _pair(pd.Series(Y, index=index))
        for start, end in ((None, None), (0, 10), (2, 11), (3, 9)):
            _same(ours.predict(start, end), ref.predict(start, end))
        with pytest.raises(ValueError, match="No supported index is available"):
            ref.predict(2, 13)
        with pytest.raises(ValueError, match="No supported index is available"):
            ours.predict(2, 13)


def test_ts_forecast_negative_locations_on_arrays():
    """TS-FORECAST: negative integer keys count from the end on array data (-n is the
    first observation); prediction frames of array data are indexed 0..h-1."""
    ours, ref = _pair(Y)
    for start, end in ((-12, -3), (-3, None), (-12, None), (-1, 14), (0, -12)):
        _same(ours.predict(start, end), ref.predict(start, end))
    a, b = ours.get_prediction(8, 13), ref.get_prediction(8, 13)
    pd.testing.assert_frame_equal(a.summary_frame(), b.summary_frame(), rtol=1e-9)
    pd.testing.assert_frame_equal(a.summary_frame(alpha=0.2), b.summary_frame(alpha=0.2), rtol=1e-9)
    with pytest.raises(KeyError):
        ours.predict(-13)


def test_ts_arima_array_data_names_and_sample():
    """TS-ARIMA: array data is named 'y' and its summary's sample reads '0 - n', as
    statsmodels prints them."""
    ours, ref = _pair(Y)
    assert ours.model.endog_names == ref.model.endog_names == "y"
    got = [ln for ln in ours.summary().as_text().splitlines() if "Sample" in ln]
    want = [ln for ln in ref.summary().as_text().splitlines() if "Sample" in ln]
    assert got[0].split()[:2] == want[0].split()[:2] == ["Sample:", "0"]
    text = ours.summary().as_text()
    assert "- 12" in text


def test_ts_forecast_coerced_string_dates_drop_the_index_name():
    """TS-FORECAST: a named index of date strings is coerced to dates with the inferred
    frequency; predictions carry statsmodels' labels and (no) index name."""
    idx = pd.Index([str(d.date()) for d in MONTHS], name="when")
    ours, ref = _pair(pd.Series(Y, index=idx))
    for start, end in ((2, 13), (None, None), ("2000-03-31", "2001-02-28")):
        _same(ours.predict(start, end), ref.predict(start, end))
    named = pd.Series(Y, index=MONTHS.rename("when"))
    ours, ref = _pair(named)
    _same(ours.predict(2, 11), ref.predict(2, 11))


def _messages(data):
    """(category, text) of the construction warnings, each once (statsmodels' ARIMA
    repeats them for its inner models), statsmodels' two typos mended."""
    out = []
    for model in (ARIMA, sm_arima.ARIMA):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            model(data, order=(1, 0, 0))
        out.append(
            dict.fromkeys(
                (
                    w.category.__name__,
                    str(w.message)
                    .replace("use on the supported", "use one of the supported")
                    .replace("e.g., forecasting", "e.g. forecasting"),
                )
                for w in got
                if issubclass(w.category, ValueWarning) or w.category.__name__ == "ValueWarning"
            )
        )
    out = [list(o) for o in out]
    return out


@pytest.mark.parametrize(
    "index",
    [
        pd.RangeIndex(12),
        pd.RangeIndex(10, 34, 2),
        pd.Index(np.arange(12)),
        pd.Index(np.arange(12) * 2 + 1),
        pd.Index(list("abcdefghijkl")),
        MONTHS,
        pd.period_range("2000-01", periods=12, freq="M"),
        pd.DatetimeIndex(MONTHS.to_numpy()),
        pd.DatetimeIndex(np.r_[DAYS[:6].to_numpy(), DAYS[6:].to_numpy() + np.timedelta64(20, "D")]),
        DAYS[::-1],
    ],
    ids=["range", "range-step", "ints", "odd-ints", "labels", "months", "periods",
         "no-freq-inferred", "no-freq", "reversed"],
)  # fmt: skip
def test_ts_forecast_index_warnings_equal_statsmodels(index):
    """TS-FORECAST: each index kind gives statsmodels' ValueWarnings, in order, word for
    word (none for ranges, 0..n-1 and dates with a frequency)."""
    ours, ref = _messages(pd.Series(Y, index=index))
    assert ours == ref


def test_ts_arima_is_pandas_only_for_series_and_frames():
    """TS-ARIMA: pandas extension arrays are data, not labelled series: results come
    back as arrays, as statsmodels returns them (was an AttributeError on ``.index``)."""
    assert is_pandas(pd.Series(Y)) and is_pandas(pd.DataFrame({"y": Y}))
    assert not is_pandas(Y) and not is_pandas(pd.array(Y)) and not is_pandas(list(Y))
    ours, ref = _pair(pd.array(Y))
    _same(ours.predict(2, 14), ref.predict(2, 14))
    _same(ours.fittedvalues, ref.fittedvalues)


def test_ts_forecast_key_edges_equal_statsmodels():
    """TS-FORECAST: a named RangeIndex keeps its name through the last observation,
    float keys on a RangeIndex are labels, an in-sample date as end key, and a date
    between two month ends in the sample is no location (KeyError), as statsmodels."""
    ours, ref = _pair(pd.Series(Y, index=pd.RangeIndex(12, name="t")))
    for start, end in ((2, 11), (0, None), (3, 12)):
        _same(ours.predict(start, end), ref.predict(start, end))
    ours, ref = _pair(pd.Series(Y))
    _same(ours.predict(2.0, 5.0), ref.predict(2.0, 5.0))
    ours, ref = _pair(pd.Series(Y, index=MONTHS))
    for start, end in ((2, "2000-06-30"), ("2000-02-29", "2000-11-30")):
        _same(ours.predict(start, end), ref.predict(start, end))
    for model in (ours, ref):
        with pytest.raises(KeyError):
            model.predict("2000-03-15", "2000-05-31")


def test_ts_forecast_day_key_on_a_quarterly_period_index():
    """TS-FORECAST: a day inside a quarter names that quarter (pandas' Period(key,
    freq='Q')): the same predictions and labels as its integer location."""
    q = pd.Series(Y, index=pd.period_range("2000Q1", periods=12, freq="Q"))
    ours, _ = _pair(q)
    got = ours.predict("2001-05-15", "2003-08-01")
    want = ours.predict(5, 14)
    _same(got, want)
    assert got.index[0] == pd.Period("2001Q2", freq="Q")
