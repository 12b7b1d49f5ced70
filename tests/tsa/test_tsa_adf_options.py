"""TS-ORDER: adfuller's options and outputs on short series against statsmodels: every
regression with every autolag and fixed maxlag, the store / regresults contents, the
OLS results, the MacKinnon p-value branches and the short-sample limits (issue 24)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import adfuller
from gradkit.tsa.adf import ADFullerResult, ResultsStore, mackinnonp

sm_st = pytest.importorskip("statsmodels.tsa.stattools")
from statsmodels.tsa.adfvalues import mackinnonp as sm_mackinnonp  # noqa: E402

RNG = np.random.default_rng(5)
WALK = RNG.standard_normal(30).cumsum()
AR = np.zeros(36)
for _t in range(1, 36):
    AR[_t] = 0.3 * AR[_t - 1] + RNG.standard_normal()
REGRESSIONS = ["c", "ct", "ctt", "n"]


def _sm(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm_st.adfuller(*args, **kw)


def _same_tuple(ours, ref, atol=1e-10):
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        if isinstance(b, dict):
            assert list(a) == list(b)
            np.testing.assert_allclose(list(a.values()), list(b.values()), rtol=0, atol=atol)
        elif isinstance(b, (int, np.integer)):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=0, atol=atol)


@pytest.mark.parametrize("regression", REGRESSIONS)
@pytest.mark.parametrize("autolag", ["AIC", "BIC", "t-stat", None, "aic", "bic", "T-STAT"])
@pytest.mark.parametrize("maxlag", [None, 0, 1, 5])
def test_ts_order_adfuller_short_series_options(regression, autolag, maxlag):
    """TS-ORDER: (stat, p, usedlag, nobs, crit[, icbest]) within 1e-10 of statsmodels for
    two 30-36 point series, every regression / autolag (any case) / maxlag."""
    for y in (WALK, AR):
        ours = adfuller(y, maxlag=maxlag, regression=regression, autolag=autolag)
        ref = _sm(y, maxlag=maxlag, regression=regression, autolag=autolag, result_object=False)
        _same_tuple(ours, ref)


@pytest.mark.parametrize("regression", REGRESSIONS)
@pytest.mark.parametrize("autolag", ["AIC", "t-stat", None])
def test_ts_order_adfuller_store_and_regresults(regression, autolag):
    """TS-ORDER: store=True returns (stat, p, crit, store) whose fields equal
    statsmodels'; regresults=True implies store and keeps every autolag regression with
    statsmodels' params, bse, t, p-values, ssr, llf, aic, bic, nobs and df_resid."""
    kw = dict(regression=regression, autolag=autolag, maxlag=4)
    ours, ref = adfuller(WALK, store=True, **kw), _sm(WALK, store=True, result_object=False, **kw)
    assert len(ours) == 4
    _same_tuple(ours[:3], ref[:3])
    s, r = ours[3], ref[3]
    assert isinstance(s, ResultsStore)
    assert str(s) == str(r) == "Augmented Dickey-Fuller Test Results"
    assert (s.maxlag, s.usedlag, s.nobs) == (r.maxlag, r.usedlag, r.nobs)
    assert s.H0 == r.H0 and s.HA == r.HA
    assert s.adfstat == pytest.approx(r.adfstat, abs=1e-10)
    assert s.critvalues == pytest.approx(r.critvalues, abs=1e-12)
    if autolag is None:
        assert s.icbest is None and r.icbest is None
    else:
        assert s.icbest == pytest.approx(r.icbest, abs=1e-10)
    np.testing.assert_allclose(s.resols.resid, r.resols.resid, atol=1e-10)
    assert not hasattr(s, "autolag_results")
    full = adfuller(WALK, regresults=True, **kw)
    assert len(full) == 4
    if autolag is None:
        return
    ref_full = _sm(WALK, regresults=True, result_object=False, **kw)[3]
    assert sorted(full[3].autolag_results) == sorted(ref_full.autolag_results)
    for k, res in full[3].autolag_results.items():
        rr = ref_full.autolag_results[k]
        np.testing.assert_allclose(res.params, rr.params, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res.bse, rr.bse, rtol=1e-9)
        np.testing.assert_allclose(res.tvalues, rr.tvalues, rtol=1e-8)
        np.testing.assert_allclose(res.pvalues, rr.pvalues, rtol=1e-8, atol=1e-14)
        assert (res.nobs, res.df_resid) == (rr.nobs, rr.df_resid)
        for name in ("ssr", "llf", "aic", "bic"):
            assert getattr(res, name) == pytest.approx(getattr(rr, name), rel=1e-10)


def test_ts_order_adfuller_result_object_fields():
    """TS-ORDER: result_object=True carries lags, nobs, critical values, icbest and the
    store, as statsmodels' ADFullerResult."""
    for kw in (dict(), dict(autolag=None, maxlag=2), dict(store=True, regression="ct")):
        obj = adfuller(WALK, result_object=True, **kw)
        ref = _sm(WALK, result_object=True, **kw)
        assert isinstance(obj, ADFullerResult) and len(obj) == 2
        stat, pvalue = obj
        assert stat == obj.statistic == obj[0] and pvalue == obj.pvalue == obj[1]
        assert obj.statistic == pytest.approx(ref.statistic, abs=1e-10)
        assert (obj.lags, obj.nobs) == (ref.lags, ref.nobs)
        assert obj.pvalue == pytest.approx(ref.pvalue, abs=1e-10)
        assert obj.critical_values == pytest.approx(ref.critical_values, abs=1e-12)
        if ref.icbest is None:
            assert obj.icbest is None
        else:
            assert obj.icbest == pytest.approx(ref.icbest, abs=1e-10)
        assert (obj.resstore is None) == (ref.resstore is None)


def test_ts_order_adfuller_maxlag_and_length_limits():
    """TS-ORDER: the default maxlag ceil(12 (n/100)^(1/4)) capped at n // 2 - ntrend - 1,
    the largest allowed maxlag, and statsmodels' errors past it."""
    for regression in REGRESSIONS[:3]:
        ntrend = len(regression)
        top = 30 // 2 - ntrend - 1
        ours = adfuller(WALK, maxlag=top, regression=regression, store=True)[3]
        ref = _sm(WALK, maxlag=top, regression=regression, store=True, result_object=False)[3]
        assert ours.maxlag == ref.maxlag == top and ours.usedlag == ref.usedlag
        with pytest.raises(ValueError, match=f"= {top} where ntrend"):
            adfuller(WALK, maxlag=top + 1, regression=regression)
    # regression 'n' at the largest maxlag of an even-length series: an exact fit with no
    # residual degrees of freedom; statsmodels reports t = 0 from infinite standard errors
    # (a meaningless statistic), gradkit raises unless autolag moves off that fit.
    with pytest.raises(ValueError, match="15 regressors and only 15 observations"):
        adfuller(WALK, maxlag=14, regression="n", autolag=None)
    with pytest.raises(ValueError, match="no residual degrees of freedom"):
        adfuller(WALK, maxlag=14, regression="n", autolag="AIC")
    kw = dict(maxlag=14, regression="n", autolag="t-stat")
    _same_tuple(adfuller(WALK, **kw), _sm(WALK, **kw, result_object=False))
    _same_tuple(adfuller(WALK[:29], maxlag=13, regression="n"),
                _sm(WALK[:29], maxlag=13, regression="n", result_object=False))  # fmt: skip
    long = RNG.standard_normal(120).cumsum()
    assert adfuller(long, store=True)[3].maxlag == int(np.ceil(12 * 1.2**0.25))
    ref_long = _sm(long, store=True, result_object=False)[3]
    assert adfuller(long, store=True)[3].maxlag == ref_long.maxlag
    six = WALK[:6]
    _same_tuple(adfuller(six, regression="ct"), _sm(six, regression="ct", result_object=False))
    with pytest.raises(ValueError, match="sample size is too short"):
        adfuller(WALK[:5], regression="ctt")
    with pytest.raises(ValueError, match="maxlag must be an integer >= 0"):
        adfuller(WALK, maxlag=-1)
    with pytest.raises(ValueError, match="^x needs at least 4 observations; got 3$"):
        adfuller(WALK[:3])
    with pytest.raises(ValueError, match="^unknown regression 'quadratic'; valid choices"):
        adfuller(WALK, regression="quadratic")
    with pytest.raises(ValueError, match="^unknown autolag 'hqic'; valid choices"):
        adfuller(WALK, autolag="HQIC")
    # the default maxlag ceil(12 (n / 100)^(1/4)) at n = 71, where a nearby formula differs
    w71 = RNG.standard_normal(71).cumsum()
    ref71 = _sm(w71, store=True, result_object=False)[3]
    assert adfuller(w71, store=True)[3].maxlag == ref71.maxlag == 12
    assert str(ResultsStore()) == "ResultsStore"
    for name in ("store", "regresults"):
        with pytest.raises(ValueError, match=f"{name} must be True or False"):
            adfuller(WALK, **{name: "yes"})
    assert len(adfuller(WALK, store=np.bool_(True))) == 4
    with pytest.raises(ValueError, match="constant"):
        adfuller(np.full(20, 1.5))


@pytest.mark.parametrize("regression", REGRESSIONS)
def test_ts_order_mackinnonp_branches(regression):
    """TS-ORDER: MacKinnon p-values on both sides of tau_star and the clamps at tau_min
    / tau_max equal statsmodels'."""
    taus = [-25.0, -19.05, -18.0, -16.0, -5.0, -3.3, -3.0, -2.9, -1.7, -1.5, -1.0, 0.0,
            0.55, 0.75, 2.7, 2.8, 50.0]  # fmt: skip
    # the branch points themselves: tau_min, tau_star, tau_max of each regression
    taus += [-19.04, -18.83, -16.18, -17.17, -1.04, -1.61, -2.89, -3.21, 2.74, 0.7, 0.54]
    for tau in taus:
        assert mackinnonp(tau, regression) == pytest.approx(
            sm_mackinnonp(tau, regression), rel=1e-12, abs=1e-300
        ), tau
    assert mackinnonp(-3.0) == pytest.approx(sm_mackinnonp(-3.0, "c"), abs=1e-14)
    with pytest.raises(ValueError, match="only N = 1"):
        mackinnonp(-2.0, "c", N=2)
    with pytest.raises(ValueError, match="^unknown regression 'x'; valid choices"):
        mackinnonp(-2.0, "x")
