"""TS-ARIMA / TS-ORDER: the shared argument checks of gradkit.tsa (the messages name
the argument, the value and the remedy) and datetools against statsmodels' period-end
dates (monthly, quarterly, annual; lengths; the year boundary) (issue 24)."""

import datetime as dt

import numpy as np
import pytest

from gradkit.tsa import datetools
from gradkit.tsa._checks import check_alpha, check_int, check_option, check_series, values_of

sm_dt = pytest.importorskip("statsmodels.tsa.base.datetools")
pd = pytest.importorskip("pandas")


def test_ts_checks_series_shapes_and_messages():
    """check_series: a float64 copy of 1-D or one-column data; errors name the problem."""
    x = np.arange(5)
    out = check_series(x)
    assert out.dtype == np.float64 and out.tolist() == [0, 1, 2, 3, 4]
    col = np.arange(4.0)[:, None]
    assert check_series(col).shape == (4,) and check_series(col.T).shape == (4,)
    base = np.arange(3.0)
    copy = check_series(base)
    copy[0] = 9.0
    assert base[0] == 0.0
    assert check_series(pd.Series([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert check_series(pd.DataFrame({"a": [1.0, 2.0]})).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"^data must be a 1-D series; got shape \(2, 2\)$"):
        check_series(np.ones((2, 2)), "data")
    with pytest.raises(ValueError, match=r"^y must be a numeric 1-D series; "):
        check_series(["a", "b"])
    with pytest.raises(ValueError, match=r"^y needs at least 2 observations; got 1$"):
        check_series([1.0])
    check_series([1.0], min_length=1)
    with pytest.raises(ValueError, match=r"^z needs at least 4 observations; got 3$"):
        check_series([1.0, 2, 3], "z", min_length=4)
    with pytest.raises(ValueError, match=r"^y contains inf values$"):
        check_series([1.0, -np.inf, 2.0])
    with pytest.raises(ValueError, match=r"^y contains inf values$"):
        check_series([1.0, np.inf, np.nan], allow_nan=True)
    with pytest.raises(
        ValueError,
        match=r"^y contains 2 NaN value\(s\) \(first at index 1\); drop or impute them first$",
    ):
        check_series([1.0, np.nan, 2.0, np.nan])
    with pytest.raises(ValueError, match=r"\(first at index 0\); fix it$"):
        check_series([np.nan, 1.0], nan_fix="fix it")
    assert np.isnan(check_series([np.nan, 1.0], allow_nan=True)[0])


def test_ts_checks_int_option_alpha_values():
    """check_int / check_option / check_alpha / values_of: accepted values pass through,
    rejected ones get a message with the name, the bound and the value."""
    assert check_int(3, "k") == 3 and type(check_int(np.int64(3), "k")) is int
    assert check_int(0, "k") == 0 and check_int(5, "k", 5) == 5
    for bad in (True, 2.5, "3", -1, None):
        with pytest.raises(ValueError, match=f"^k must be an integer >= 0; got {bad!r}$"):
            check_int(bad, "k")
    with pytest.raises(ValueError, match="^k must be an integer >= 2; got 1$"):
        check_int(1, "k", 2)
    assert check_option("b", "mode", ("a", "b")) == "b"
    with pytest.raises(ValueError, match="^unknown mode 'c'; valid choices: a, b$"):
        check_option("c", "mode", ("a", "b"))
    with pytest.raises(ValueError, match="^unknown mode 1; valid choices: a, b$"):
        check_option(1, "mode", ("a", "b"))
    assert check_alpha(0.05) == 0.05 and type(check_alpha(np.float32(0.5))) is float
    assert check_alpha(np.float64(0.999)) == 0.999
    for bad in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=f"^alpha must lie in \\(0, 1\\); got {bad}$"):
            check_alpha(bad)
    for bad in (True, "0.05", None, [0.05]):
        with pytest.raises(ValueError, match=r"^alpha must be a number in \(0, 1\); got "):
            check_alpha(bad)
    v = np.arange(3.0)
    assert values_of(v) is v
    assert values_of(pd.Series([1, 2])).dtype == np.float64
    assert values_of([1, 2]).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "args",
    [
        ("1959Q3", "1961Q2"),
        ("1999m11", "2001m2"),
        ("1998", "2003"),
        ("1959q4", None, 5),
        ("2000m3", None, 12),
        ("1960", None, 1),
        ("1959Q1", "1960Q4"),
        ("1999M11", "2001M2"),
    ],  # fmt: skip
)
def test_ts_dates_from_range_equals_statsmodels(args):
    """datetools: period-end dates equal statsmodels' (lower- and upper-case labels,
    across year ends, lengths)."""
    assert datetools.dates_from_range(*args) == sm_dt.dates_from_range(*args)


def test_ts_date_parser_and_range_errors():
    """datetools: date_parser gives the period end (statsmodels' for quarters and
    years); bad labels and empty or over-specified ranges raise."""
    assert datetools.date_parser("1959Q2") == dt.datetime(1959, 6, 30)
    assert datetools.date_parser("1960m2") == dt.datetime(1960, 2, 29)
    assert datetools.date_parser(" 1961 ") == dt.datetime(1961, 12, 31)
    # where statsmodels' own range code fails: one period, a monthly range over a year end
    assert datetools.dates_from_range("1959Q1", "1959Q1") == [dt.datetime(1959, 3, 31)]
    assert datetools.dates_from_range("2000M12", length=3) == [
        dt.datetime(2000, 12, 31), dt.datetime(2001, 1, 31), dt.datetime(2001, 2, 28)
    ]  # fmt: skip
    for label in ("1959Q2", "1961"):
        assert datetools.date_parser(label) == sm_dt.date_parser(label)
    with pytest.raises(ValueError, match=r"'1959Q5': period 5 is out of range 1..4"):
        datetools.date_parser("1959Q5")
    with pytest.raises(ValueError, match=r"'1959m0': period 0 is out of range 1..12"):
        datetools.date_parser("1959m0")
    with pytest.raises(ValueError, match="cannot parse '59Q1'"):
        datetools.date_parser("59Q1")
    with pytest.raises(ValueError, match="the range is empty"):
        datetools.dates_from_range("1960Q2", "1960Q1")
    with pytest.raises(ValueError, match="the range is empty"):
        datetools.dates_from_range("1960Q2", length=0)
    with pytest.raises(ValueError, match="give exactly one of end and length"):
        datetools.dates_from_range("1960", "1961", 2)
    with pytest.raises(ValueError, match="different frequencies"):
        datetools.dates_from_range("1960m1", "1961Q1")


def test_ts_api_missing_attribute_message():
    """``gradkit.tsa.api`` names what it lacks and what it provides."""
    import gradkit.tsa.api as gsm

    with pytest.raises(
        AttributeError,
        match=r"^gradkit.tsa.api has no 'graphics'; it provides \['stats', 'tsa'\] "
        r"\(statsmodels' datasets, graphics and other modules have no gradkit counterpart\)$",
    ):
        gsm.graphics  # noqa: B018
    assert gsm.stats.durbin_watson is __import__("gradkit.tsa").tsa.durbin_watson
