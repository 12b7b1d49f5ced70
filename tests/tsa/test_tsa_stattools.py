"""ADF test, ACF/PACF and order selection against statsmodels (TS-ORDER)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, acf, adfuller, auto_arima, pacf, select_d

sm = pytest.importorskip("statsmodels.api")
from statsmodels.tsa.stattools import acf as sm_acf  # noqa: E402
from statsmodels.tsa.stattools import adfuller as sm_adfuller  # noqa: E402
from statsmodels.tsa.stattools import pacf as sm_pacf  # noqa: E402

SUN = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()
NILE = sm.datasets.nile.load_pandas().data["volume"].to_numpy()
WALK = np.cumsum(np.random.default_rng(0).standard_normal(200))


@pytest.mark.parametrize("y", [SUN, NILE, np.diff(NILE), WALK], ids=["sun", "nile", "dnile", "rw"])
@pytest.mark.parametrize("regression", ["c", "ct", "ctt", "n"])
@pytest.mark.parametrize("autolag", ["aic", "bic", None])
def test_ts_order_adfuller_matches_statsmodels(y, regression, autolag):
    """TS-ORDER: ADF statistic within 1e-6 (and same lag, p-value, critical values)."""
    ref = sm_adfuller(
        y, regression=regression, autolag=autolag.upper() if autolag else None,
        result_object=True,
    )  # fmt: skip
    ours = adfuller(y, regression=regression, autolag=autolag)
    assert abs(ours.stat - ref.statistic) < 1e-6
    assert ours.usedlag == ref.lags and ours.nobs == ref.nobs
    assert ours.pvalue == pytest.approx(ref.pvalue, abs=1e-10)
    for level, value in ref.critical_values.items():
        assert ours.critical_values[level] == pytest.approx(value, abs=1e-10)
    if autolag:
        assert ours.icbest == pytest.approx(ref.icbest, rel=1e-10)


@pytest.mark.parametrize("y", [SUN, NILE, WALK], ids=["sun", "nile", "rw"])
def test_ts_order_acf_pacf_match_statsmodels(y):
    """TS-ORDER: ACF and PACF (Yule-Walker adjusted / MLE, OLS) equal statsmodels'."""
    np.testing.assert_allclose(acf(y), sm_acf(y), atol=1e-12)
    np.testing.assert_allclose(acf(y, 20, adjusted=True), sm_acf(y, nlags=20, adjusted=True),
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(pacf(y), sm_pacf(y), atol=1e-10)
    for method in ("ywm", "ols"):
        np.testing.assert_allclose(pacf(y, method=method), sm_pacf(y, method=method), atol=1e-10)


def test_ts_order_pacf_of_ar1_closed_form():
    """TS-ORDER: an AR(1) with phi = 0.6 has PACF (1, 0.6, 0, 0, ...) up to sampling noise."""
    rng = np.random.default_rng(1)
    e = rng.standard_normal(20_000)
    y = np.empty_like(e)
    y[0] = e[0]
    for t in range(1, e.size):
        y[t] = 0.6 * y[t - 1] + e[t]
    p = pacf(y, nlags=5)
    assert p[1] == pytest.approx(0.6, abs=0.02)
    assert np.all(np.abs(p[2:]) < 0.03)


def test_ts_order_select_d_and_auto_arima():
    """TS-ORDER: d is the first difference order whose ADF p-value (statsmodels) is below
    5%; the AIC grid winner matches a brute-force statsmodels grid on the same candidates."""
    assert select_d(WALK)[0] == 1
    d, tests = select_d(SUN)
    pvals = [sm_adfuller(np.diff(SUN, n=k), result_object=True).pvalue for k in range(3)]
    assert d == next(k for k, p in enumerate(pvals) if p < 0.05)
    assert [t.pvalue for t in tests] == pytest.approx(pvals[: d + 1], abs=1e-10)
    assert select_d(np.diff(WALK))[0] == 0
    sel = auto_arima(SUN, max_p=2, max_q=1)
    assert sel.order[1] == d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsmodels.tsa.arima.model import ARIMA as SMARIMA

        ref = {(p, q): SMARIMA(SUN, order=(p, d, q)).fit().aic
               for p in range(3) for q in range(2)}  # fmt: skip
    p_best, q_best = min(ref, key=ref.get)
    assert sel.order == (p_best, d, q_best)
    for key, aic in ref.items():
        assert sel.table[key] <= aic + 1e-6  # our optimum is at least as good
        assert sel.table[key] == pytest.approx(aic, rel=1e-4)
    assert isinstance(sel.result.model, ARIMA)


def test_ts_order_bad_input_errors():
    with pytest.raises(ValueError, match="valid choices"):
        adfuller(SUN, regression="quadratic")
    with pytest.raises(ValueError, match="constant"):
        adfuller(np.ones(50))
    with pytest.raises(ValueError, match="NaN"):
        acf(np.r_[1.0, np.nan, 2.0, 3.0])
    with pytest.raises(ValueError, match="nlags"):
        pacf(SUN, nlags=300)
    with pytest.raises(ValueError, match="valid choices"):
        auto_arima(SUN, ic="r2")
