"""ADF test, ACF/PACF, Ljung-Box, Durbin-Watson and order selection against statsmodels
(TS-ORDER): the same numbers (1e-10) and the same return shapes."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import (
    ARIMA,
    AcfResult,
    ADFullerResult,
    PacfResult,
    acf,
    acovf,
    adfuller,
    auto_arima,
    durbin_watson,
    pacf,
    q_stat,
    select_d,
)

sm = pytest.importorskip("statsmodels.api")
from statsmodels.tsa import stattools as st  # noqa: E402

SUN = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()
NILE = sm.datasets.nile.load_pandas().data["volume"].to_numpy()
WALK = np.cumsum(np.random.default_rng(0).standard_normal(200))
SERIES = {"sun": SUN, "nile": NILE, "dnile": np.diff(NILE), "rw": WALK}
PACF_METHODS = [
    "yw",
    "ywadjusted",
    "ywa",
    "ywm",
    "ywmle",
    "ols",
    "ols-inefficient",
    "ols-adjusted",
    "ld",
    "ldb",
    "ldbiased",
    "burg",
]


def _tuple_close(ours, ref, atol):
    assert type(ours) is type(ref) or (isinstance(ours, tuple) and isinstance(ref, tuple))
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        if b is None:
            assert a is None
        elif isinstance(b, dict):
            assert a.keys() == b.keys()
            np.testing.assert_allclose(list(a.values()), list(b.values()), rtol=0, atol=atol)
        else:
            np.testing.assert_allclose(a, b, rtol=0, atol=atol)


@pytest.mark.parametrize("name", list(SERIES))
@pytest.mark.parametrize("regression", ["c", "ct", "ctt", "n"])
@pytest.mark.parametrize("autolag", ["AIC", "BIC", "t-stat", None])
def test_ts_order_adfuller_matches_statsmodels(name, regression, autolag):
    """TS-ORDER: statsmodels' tuple (stat, p, lags, nobs, critical values[, icbest]):
    the statistic within 1e-10, MacKinnon p-values within 1e-10 (asked: 1e-6), the same
    lag and nobs; the result object and the store too."""
    y = SERIES[name]
    kw = dict(regression=regression, autolag=autolag)
    ours = adfuller(y, **kw)
    ref = st.adfuller(y, **kw, result_object=False)
    assert len(ours) == len(ref) == (5 if autolag is None else 6)
    assert ours[2] == ref[2] and ours[3] == ref[3]
    _tuple_close(ours, ref, 1e-10)
    obj, ref_obj = adfuller(y, **kw, result_object=True), st.adfuller(y, **kw, result_object=True)
    assert isinstance(obj, ADFullerResult)
    stat, pvalue = obj
    assert (stat, pvalue) == (obj.statistic, obj.pvalue) == (obj[0], obj[1])
    assert obj.lags == ref_obj.lags and obj.nobs == ref_obj.nobs
    assert obj.statistic == pytest.approx(ref_obj.statistic, abs=1e-10)
    stored, ref_stored = (
        adfuller(y, **kw, store=True),
        st.adfuller(y, **kw, store=True, result_object=False),
    )
    assert len(stored) == len(ref_stored) == 4
    store, ref_store = stored[3], ref_stored[3]
    assert store.usedlag == ref_store.usedlag and store.maxlag == ref_store.maxlag
    np.testing.assert_allclose(store.resols.params, ref_store.resols.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(store.resols.bse, ref_store.resols.bse, rtol=1e-9)


def test_ts_order_adfuller_regresults_and_maxlag():
    """TS-ORDER: regresults keeps every autolag regression (keyed as statsmodels keys
    them, by column count), each with statsmodels' AIC; a fixed maxlag without autolag."""
    ours = adfuller(SUN, regresults=True)[3]
    ref = st.adfuller(SUN, regresults=True, result_object=False)[3]
    assert sorted(ours.autolag_results) == sorted(ref.autolag_results)
    for k, res in ours.autolag_results.items():
        assert res.aic == pytest.approx(ref.autolag_results[k].aic, rel=1e-12)
        np.testing.assert_allclose(res.tvalues, ref.autolag_results[k].tvalues, rtol=1e-8)
    _tuple_close(
        adfuller(SUN, maxlag=4, autolag=None),
        st.adfuller(SUN, maxlag=4, autolag=None, result_object=False),
        1e-10,
    )


@pytest.mark.parametrize("name", ["sun", "nile", "rw"])
def test_ts_order_acf_matches_statsmodels(name):
    """TS-ORDER: acf, its Bartlett / white-noise intervals and the Ljung-Box Q with
    p-values within 1e-10, in statsmodels' return shapes (array; (acf, confint);
    (acf, qstat, pvalues); AcfResult for both or with result_object=True)."""
    y = SERIES[name]
    np.testing.assert_allclose(acf(y), st.acf(y), atol=1e-12)
    for kw in (dict(adjusted=True, nlags=20), dict(fft=False, nlags=40), dict(nlags=5)):
        np.testing.assert_allclose(acf(y, **kw), st.acf(y, **kw), atol=1e-12)
    for kw in (
        dict(alpha=0.05),
        dict(alpha=0.1, bartlett_confint=False),
        dict(qstat=True),
        dict(qstat=True, fft=False, adjusted=True),
    ):
        ours, ref = acf(y, **kw), st.acf(y, **kw, result_object=False)
        assert isinstance(ours, tuple) and len(ours) == len(ref) == (3 if "qstat" in kw else 2)
        _tuple_close(ours, ref, 1e-10)
    both, ref_both = acf(y, qstat=True, alpha=0.05), st.acf(y, qstat=True, alpha=0.05)
    assert isinstance(both, AcfResult) and len(both) == 4
    _tuple_close(both, ref_both, 1e-10)
    obj = acf(y, result_object=True)
    assert isinstance(obj, AcfResult) and obj.confint is None and obj.qstat is None
    np.testing.assert_allclose(obj.acf, st.acf(y), atol=1e-12)


@pytest.mark.parametrize("name", ["sun", "nile", "rw"])
@pytest.mark.parametrize("method", PACF_METHODS)
def test_ts_order_pacf_matches_statsmodels(name, method):
    """TS-ORDER: every pacf method (and alias) within 1e-10, with intervals as a
    PacfResult (lag 0 fixed at [1, 1])."""
    y = SERIES[name]
    np.testing.assert_allclose(pacf(y, method=method), st.pacf(y, method=method), atol=1e-10)
    ours, ref = pacf(y, 15, method, alpha=0.05), st.pacf(y, 15, method, alpha=0.05)
    assert isinstance(ours, PacfResult)
    _tuple_close(ours, ref, 1e-10)
    assert pacf(y, method=method, result_object=True).confint is None


def test_ts_order_missing_values_qstat_durbin_watson():
    """TS-ORDER: NaN handling of acovf/acf ('drop', 'conservative'), q_stat and
    durbin_watson equal statsmodels'."""
    y = NILE.copy()
    y[[3, 50, 51]] = np.nan
    for missing in ("drop", "conservative"):
        for adjusted in (False, True):
            np.testing.assert_allclose(
                acovf(y, adjusted=adjusted, missing=missing),
                st.acovf(y, adjusted=adjusted, missing=missing),
                rtol=1e-10,
            )
            ours = acf(y, adjusted=adjusted, missing=missing, qstat=True, alpha=0.05)
            ref = st.acf(y, adjusted=adjusted, missing=missing, qstat=True, alpha=0.05)
            _tuple_close(ours, ref, 1e-10)
    r = st.acf(NILE, nlags=10)[1:]
    _tuple_close(q_stat(r, NILE.size), st.q_stat(r, NILE.size), 1e-10)
    e = NILE - NILE.mean()
    assert durbin_watson(e) == pytest.approx(sm.stats.durbin_watson(e), rel=1e-14)


def test_ts_order_pacf_of_ar1_closed_form():
    """TS-ORDER: an AR(1) with phi = 0.6 has PACF (1, 0.6, 0, 0, ...) up to sampling noise."""
    rng = np.random.default_rng(1)
    e = rng.standard_normal(20_000)
    y = np.empty_like(e)
    y[0] = e[0]
    for t in range(1, e.size):
        y[t] = 0.6 * y[t - 1] + e[t]
    for method in ("yw", "burg", "ols"):
        p = pacf(y, nlags=5, method=method)
        assert p[1] == pytest.approx(0.6, abs=0.02)
        assert np.all(np.abs(p[2:]) < 0.03)


def test_ts_order_select_d_and_auto_arima():
    """TS-ORDER: d is the first difference order whose ADF p-value (statsmodels) is below
    5%; the AIC grid winner matches a brute-force statsmodels grid on the same candidates."""
    assert select_d(WALK)[0] == 1
    d, tests = select_d(SUN)
    pvals = [st.adfuller(np.diff(SUN, n=k), result_object=True).pvalue for k in range(3)]
    assert d == next(k for k, p in enumerate(pvals) if p < 0.05)
    assert [t.pvalue for t in tests] == pytest.approx(pvals[: d + 1], abs=1e-10)
    assert select_d(np.diff(WALK))[0] == 0
    sel = auto_arima(SUN, max_p=2, max_q=1)
    assert sel.order[1] == d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsmodels.tsa.arima.model import ARIMA as SMARIMA

        ref = {(p, q): SMARIMA(SUN, order=(p, d, q)).fit().aic for p in range(3) for q in range(2)}
    p_best, q_best = min(ref, key=ref.get)
    assert sel.order == (p_best, d, q_best)
    for key, aic in ref.items():
        assert sel.table[key] == pytest.approx(aic, rel=1e-6)
    assert isinstance(sel.result.model, ARIMA)


def test_ts_order_bad_input_errors():
    with pytest.raises(ValueError, match="valid choices"):
        adfuller(SUN, regression="quadratic")
    with pytest.raises(ValueError, match="valid choices"):
        adfuller(SUN, autolag="hqic")
    with pytest.raises(ValueError, match="constant"):
        adfuller(np.ones(50))
    with pytest.raises(ValueError, match="maxlag must be less"):
        adfuller(SUN, maxlag=200)
    with pytest.raises(ValueError, match="NaN"):
        acf(np.r_[1.0, np.nan, 2.0, 3.0])
    with pytest.raises(ValueError, match="NaN"):
        acf(np.r_[1.0, np.nan, 2.0, 3.0], missing="raise")
    with pytest.raises(ValueError, match="valid choices"):
        acf(SUN, missing="skip")
    with pytest.raises(ValueError, match="nlags must be at most"):
        acf(SUN[:10], nlags=10)
    with pytest.raises(ValueError, match="alpha"):
        acf(SUN, alpha=1.5)
    with pytest.raises(ValueError, match="nlags"):
        pacf(SUN, nlags=300)
    with pytest.raises(ValueError, match="valid choices"):
        pacf(SUN, method="mle")
    with pytest.raises(ValueError, match="valid choices"):
        auto_arima(SUN, ic="r2")
