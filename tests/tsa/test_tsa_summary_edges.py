"""TS-ARIMA: summary() edges against statsmodels (issue 24): the number format at its
switch points (statsmodels' ``forg``), the time-stamp line (its layout and the BIC on
it), model names with zero orders, extreme log-likelihoods that widen the right column
and long regressor names that widen the left one."""

import re
import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA
from gradkit.tsa._summary import _forg

pd = pytest.importorskip("pandas")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")
sm_summary = pytest.importorskip("statsmodels.iolib.summary")

LONG = pd.DataFrame({"a_rather_long_regressor_name": np.arange(40.0)})
RNG = np.random.default_rng(8)
Y = 3.0 + np.cumsum(RNG.standard_normal(40)) * 0.2


@pytest.mark.parametrize(
    "x", [1e4, -1e4, 9999.9994, 10000.5, 1e-4, -1e-4, 9.9e-5, 0.5, 123.456789, 0.0]
)
@pytest.mark.parametrize("prec", [3, 4])
def test_ts_arima_summary_number_format_equals_statsmodels_forg(x, prec):
    """TS-ARIMA: fixed decimals below 1e4 and from 1e-4, significant digits outside,
    width 9 (3 decimals) or 10 (4)."""
    assert _forg(x, prec) == sm_summary.forg(x, prec)


def _texts(data, kw, params, **fit_kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ARIMA(data, **kw).filter(params, cov_type="none").summary().as_text()
        ref = sm_arima.ARIMA(data, **kw).filter(params, cov_type="none").summary().as_text()
    return ours.splitlines(), ref.splitlines()


def _mask_clock(line):
    return re.sub(r"\d\d:\d\d:\d\d", "HH:MM:SS", line)


@pytest.mark.parametrize(
    "data,kw,params",
    [
        (Y, dict(order=(0, 1, 0), seasonal_order=(1, 0, 0, 4)), [0.3, 1.0]),
        (Y, dict(order=(0, 0, 1), seasonal_order=(0, 1, 0, 4)), [0.4, 1.0]),
        (Y, dict(order=(1, 0, 0), seasonal_order=(0, 0, 0, 4)), [3.0, 0.4, 1.0]),
        (Y * 1e4, dict(order=(1, 0, 0)), [3e4, 0.4, 1e-8]),  # llf about -6e16
        (
            pd.Series(Y, name="y"),
            dict(order=(1, 0, 0), exog=LONG),
            [3.0, 0.01, 0.4, 1.0],
        ),
    ],
    ids=["d-only", "q-with-D", "p-seasonal-zero", "huge-llf", "long-name"],
)  # fmt: skip
def test_ts_arima_summary_layout_edges_equal_statsmodels(data, kw, params):
    """TS-ARIMA: the whole text equals statsmodels' with the clock masked: model names
    where some orders are zero, a right column widened by a huge log-likelihood, a long
    parameter name that widens the parameter table but not the top one (gradkit widened
    both), and the 'Time:  HH:MM:SS  BIC' row."""
    ours, ref = _texts(data, kw, params)
    assert [_mask_clock(x) for x in ours] == [_mask_clock(x) for x in ref]
    time_row = [x for x in ours if x.startswith("Time:")]
    assert len(time_row) == 1 and re.search(r"\b\d\d:\d\d:\d\d\b", time_row[0])
    assert "BIC" in time_row[0]
