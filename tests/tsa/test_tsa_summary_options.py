"""TS-ARIMA: summary() text against statsmodels' on short series at fixed parameters,
line for line (but the time stamp): seasonal model names, dated and undated samples,
alpha and title, long parameter names, every covariance type, numbers that switch to
significant digits, and the residual diagnostics against their closed forms (issue 24)."""

import warnings

import numpy as np
import pytest
from scipy import stats

from gradkit.tsa import ARIMA
from gradkit.tsa._summary import residual_diagnostics

pd = pytest.importorskip("pandas")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

RNG = np.random.default_rng(8)
Y = 3.0 + np.convolve(RNG.standard_normal(61), [1.0, 0.5])[:60].cumsum() * 0.2
IDX = pd.date_range("1999-03-31", periods=60, freq="QE")


def _lines(text):
    return [line for line in text.splitlines() if not line.startswith("Time:")]


CASES = [
    (Y, dict(order=(1, 0, 1)), [3.0, 0.7, 0.3, 0.9], "opg"),
    (pd.Series(Y, index=IDX, name="gdp"), dict(order=(1, 1, 0)), [0.4, 0.8], "approx"),
    (Y, dict(order=(1, 0, 0), seasonal_order=(1, 0, 0, 4)), [3.0, 0.5, 0.2, 1.1], "opg"),
    (Y, dict(order=(0, 1, 1), seasonal_order=(0, 1, 1, 4)), [0.3, -0.4, 0.9], "none"),
    (
        Y,
        dict(order=(1, 0, 0), seasonal_order=(0, 0, 1, 4), trend="ct"),
        [2e-5, 0.01, 0.5, 0.2, 1.1],
        "opg",
    ),  # fmt: skip
    (
        pd.Series(Y, name="a_very_long_series_name"),
        dict(order=(2, 0, 0)),
        [3.0, 0.5, 0.1, 1.0],
        "approx",
    ),  # fmt: skip
    (Y, dict(order=(0, 0, 0), seasonal_order=(1, 0, 2, 4)), [3.0, 0.3, 0.2, 0.1, 1.0], "opg"),
]


@pytest.mark.parametrize("data,kw,params,cov_type", CASES, ids=range(len(CASES)))
def test_ts_arima_summary_text_equals_statsmodels(data, kw, params, cov_type):
    """TS-ARIMA: the summary text equals statsmodels' line for line (time stamp aside),
    at alpha 0.05 and 0.1 and with a title."""
    p = np.array(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_arima.ARIMA(data, **kw).filter(p, cov_type=cov_type)
        ours = ARIMA(data, **kw).filter(p, cov_type=cov_type)
        for extra in (dict(), dict(alpha=0.1)):
            got = _lines(ours.summary(**extra).as_text())
            want = _lines(ref.summary(**extra).as_text())
            assert got == want, "\n".join(got) + "\n---\n" + "\n".join(want)
    s = ours.summary()
    assert str(s) == repr(s) == s.as_text()
    titled = ours.summary(title="My model").as_text().splitlines()
    assert titled[0] == "My model".center(len(titled[1]))
    assert titled[1:] == s.as_text().splitlines()[1:] or "Time:" in "".join(titled)


def test_ts_arima_residual_diagnostics_closed_forms():
    """TS-ARIMA: Ljung-Box at lag 1, the heteroskedasticity ratio and Jarque-Bera of the
    standardized residuals after the burn-in, from their formulas (scipy)."""
    res = ARIMA(Y, order=(1, 1, 1)).filter([0.3, 0.2, 0.8])
    e = res.standardized_forecasts_error[1:]
    m = e.size
    d = residual_diagnostics(res)
    ed = e - e.mean()
    r1 = (ed[1:] @ ed[:-1]) / (ed @ ed)
    q = m * (m + 2) * r1**2 / (m - 1)
    assert d["lb"] == pytest.approx(q, rel=1e-12)
    assert d["p_lb"] == pytest.approx(stats.chi2.sf(q, 1), rel=1e-12)
    h = round(m / 3)
    H = np.sum(e[-h:] ** 2) / np.sum(e[:h] ** 2)
    assert d["het"] == pytest.approx(H, rel=1e-12)
    assert d["p_het"] == pytest.approx(2 * min(stats.f.cdf(H, h, h), stats.f.sf(H, h, h)))
    S, K = stats.skew(e), stats.kurtosis(e, fisher=False)
    assert d["skew"] == pytest.approx(S) and d["kurtosis"] == pytest.approx(K)
    jb = m / 6 * (S**2 + (K - 3) ** 2 / 4)
    assert d["jb"] == pytest.approx(jb, rel=1e-12)
    assert d["p_jb"] == pytest.approx(stats.chi2.sf(jb, 2), rel=1e-12)
