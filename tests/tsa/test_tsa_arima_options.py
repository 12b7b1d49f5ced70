"""TS-ARIMA: the options of ``ARIMA`` on a 40-point series against statsmodels' ARIMA:
trends with trend_offset, exog (arrays, 1-D, pandas names), seasonal layouts, the
default trend, fixed-parameter likelihoods (natural and unconstrained), ``filter``,
``fit`` methods / keywords / ``return_params``, out-of-sample regression rows, and the
argument errors (issue 24: an option that were ignored makes a test fail)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA

pd = pytest.importorskip("pandas")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

RNG = np.random.default_rng(7)
Y = np.cumsum(0.5 + RNG.standard_normal(41))[:40]
X = RNG.standard_normal((44, 2))
STAT = 3.0 + np.convolve(RNG.standard_normal(41), [1.0, 0.4])[:40]


def _sm(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm_arima.ARIMA(*args, **kw)


def _close(a, b, rtol=1e-9, atol=1e-9):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


CASES = [
    (dict(order=(1, 0, 0), trend="t"), [0.3, 0.5, 1.2]),
    (dict(order=(1, 0, 0), trend="t", trend_offset=0), [0.3, 0.5, 1.2]),
    (dict(order=(1, 0, 0), trend="ct", trend_offset=5), [1.0, 0.3, 0.5, 1.2]),
    (dict(order=(1, 0, 1), trend="ctt"), [1.0, 0.3, -0.01, 0.5, 0.2, 1.2]),
    (dict(order=(0, 1, 1), trend="t", trend_offset=3), [0.4, 0.3, 0.9]),
    (dict(order=(1, 1, 0), trend="n"), [0.2, 1.1]),
    (dict(order=(1, 0, 0), seasonal_order=(1, 0, 1, 4)), [2.0, 0.5, 0.3, 0.2, 1.0]),
    (dict(order=(0, 1, 1), seasonal_order=(0, 1, 1, 3)), [0.3, -0.4, 1.0]),
    (dict(order=(2, 0, 0), seasonal_order=(0, 0, 1, 2)), [1.0, 0.3, 0.1, 0.4, 1.0]),
    (dict(order=(0, 0, 2), seasonal_order=(1, 0, 0, 3), trend="c"), [1.0, 0.3, 0.1, 0.4, 1.0]),
    (dict(order=(1, 0, 0), exog="2d", trend="ct"), [0.5, 0.1, 0.7, -0.3, 0.4, 1.0]),
    (dict(order=(0, 1, 1), exog="1d"), [0.7, 0.3, 0.9]),
    (dict(order=(0, 2, 1), seasonal_order=(0, 0, 0, 12)), [0.3, 1.5]),
]


def _kw(kw):
    kw = dict(kw)
    if kw.get("exog") == "2d":
        kw["exog"] = X[:40]
    elif kw.get("exog") == "1d":
        kw["exog"] = X[:40, 0]
    return kw


@pytest.mark.parametrize("kw,params", CASES, ids=range(len(CASES)))
def test_ts_arima_fixed_params_options_equal_statsmodels(kw, params):
    """TS-ARIMA: names, burn-in, log-likelihood (natural and unconstrained params), the
    filtered residuals and 5-step forecasts with intervals at fixed parameters."""
    kw = _kw(kw)
    ours, ref = ARIMA(Y, **kw), _sm(Y, **kw)
    assert ours.param_names == ref.param_names
    assert ours.loglikelihood_burn == ref.loglikelihood_burn
    assert ours.nobs_effective == Y.size - ref.loglikelihood_burn
    assert ours.k_params == len(params)
    assert ours.loglike(params) == pytest.approx(ref.loglike(np.array(params)), rel=1e-10)
    u = ref.untransform_params(np.array(params, dtype=float))
    assert ours.loglike(u, transformed=False) == pytest.approx(
        ref.loglike(u, transformed=False), rel=1e-10
    )
    mine, theirs = ours.filter(params), ref.filter(np.array(params))
    assert mine.llf == pytest.approx(theirs.llf, rel=1e-10)
    _close(mine.resid, theirs.resid, atol=1e-7)
    _close(mine.fittedvalues, theirs.fittedvalues, atol=1e-7)
    exog = None if ours.k_exog == 0 else X[40:44, : ours.k_exog]
    if kw.get("trend_offset", 1) != 1:
        # statsmodels restarts the time trend at n + 1 out of sample whatever trend_offset
        # is; the model says t = trend_offset + n, so the oracle is statsmodels with the
        # trend columns given as exog (the same model), continued past the sample.
        powers = {"t": [1], "ct": [0, 1], "ctt": [0, 1, 2]}[kw["trend"]]
        t = np.arange(44, dtype=float) + kw["trend_offset"]
        cols = np.column_stack([t**k for k in powers])
        alt = {k: v for k, v in kw.items() if k not in ("trend", "trend_offset")}
        theirs = _sm(Y, exog=cols[:40], trend="n", **alt).filter(np.array(params))
        assert theirs.llf == pytest.approx(mine.llf, rel=1e-10)
        exog = cols[40:]
    f = mine.get_forecast(4, exog=exog if ours.k_exog else None)
    fr = theirs.get_forecast(4, exog=exog)
    _close(f.predicted_mean, fr.predicted_mean, atol=1e-7)
    _close(f.var_pred_mean, fr.var_pred_mean, rtol=1e-7)
    _close(f.conf_int(alpha=0.2), fr.conf_int(alpha=0.2), atol=1e-6)
    _close(
        mine.predict(3, 43, exog=exog if ours.k_exog else None),
        theirs.predict(3, 43, exog=exog),
        atol=1e-6,
    )
    for name in ("aic", "bic", "hqic", "aicc"):
        assert getattr(mine, name) == pytest.approx(getattr(theirs, name), rel=1e-10)


@pytest.mark.parametrize(
    "kw",
    [
        dict(order=(1, 0, 0), trend="ct", trend_offset=5),
        dict(order=(0, 1, 1), trend="t", exog="1d"),
        dict(order=(1, 0, 0), seasonal_order=(0, 0, 1, 4)),
    ],
    ids=range(3),
)
def test_ts_arima_fit_options_equal_statsmodels(kw):
    """TS-ARIMA: the default fit (statsmodels' L-BFGS-B) gives statsmodels' estimates,
    llf and OPG standard errors for trend offsets, exog and a seasonal MA."""
    kw = _kw(kw)
    ours, ref = ARIMA(Y, **kw).fit(), _sm(Y, **kw).fit()
    _close(ours.params, ref.params, rtol=1e-5, atol=1e-6)
    assert ours.llf == pytest.approx(ref.llf, rel=1e-8)
    _close(ours.bse, ref.bse, rtol=1e-3)
    _close(ARIMA(Y, **kw).start_params, ref.model.start_params, rtol=1e-8, atol=1e-10)


def test_ts_arima_default_trend_and_seasonal_period():
    """TS-ARIMA: trend defaults to 'c' without integration and 'n' with d or D > 0; a
    seasonal order with no seasonal terms drops its period (statsmodels)."""
    for order, seasonal in (((1, 0, 0), (0, 0, 0, 0)), ((1, 1, 0), (0, 0, 0, 0)),
                            ((1, 0, 0), (0, 1, 0, 4)), ((1, 0, 0), (0, 0, 0, 12))):  # fmt: skip
        ours = ARIMA(Y, order=order, seasonal_order=seasonal)
        ref = _sm(Y, order=order, seasonal_order=seasonal)
        assert ours.param_names == ref.param_names
        assert ours.loglikelihood_burn == ref.loglikelihood_burn
    m = ARIMA(Y, order=(1, 0, 0), seasonal_order=(0, 0, 0, 12))
    assert m.seasonal_order == (0, 0, 0, 0) and m.s == 0
    assert repr(m) == "ARIMA(order=(1, 0, 0), trend='c', nobs=40)"
    s = ARIMA(Y, order=(1, 0, 0), seasonal_order=(1, 0, 0, 4))
    assert repr(s) == "ARIMA(order=(1, 0, 0), seasonal_order=(1, 0, 0, 4), trend='c', nobs=40)"
    assert (s.k_ar, s.k_ma) == (5, 0)
    assert (ARIMA(Y, order=(0, 0, 2), seasonal_order=(0, 0, 1, 3)).k_ma) == 5
    assert ARIMA(Y, order=(1, 1, 0), trend="t").param_names == ["x1", "ar.L1", "sigma2"]
    assert ARIMA(Y, order=(1, 0, 0), seasonal_order=(0, 1, 0, 4)).nobs_effective == 36


def test_ts_arima_pandas_exog_names_and_regression_rows():
    """TS-ARIMA: pandas exog keeps its column names after 'const' / 'drift' / 'trend.2'
    (a Series its name); array trend columns are 'const', 'x1', ...; out-of-sample
    regression rows continue the trend from trend_offset + n and take the given exog."""
    ys = pd.Series(Y)
    xf = pd.DataFrame(X[:40], columns=["a", "b"])
    for kw in (dict(trend="ctt", exog=xf), dict(trend="t", exog=xf["a"], order=(1, 1, 0)),
               dict(trend="c", exog=xf[["b"]])):  # fmt: skip
        kw.setdefault("order", (1, 0, 0))
        assert ARIMA(ys, **kw).param_names == _sm(ys, **kw).param_names
    m = ARIMA(Y, order=(1, 0, 0), trend="ctt", trend_offset=3, exog=X[:40, 0])
    rows = m.regression_rows(38, 43, exog=X[40:43, 0])
    t = np.arange(38, 43) + 3.0
    _close(rows, np.column_stack([np.ones(5), t, t**2, X[38:43, 0]]), rtol=0, atol=0)
    _close(m.regression_rows(2, 5), m.exog[2:5], rtol=0, atol=0)
    with pytest.raises(ValueError, match="require additional exogenous values"):
        m.regression_rows(38, 43)
    with pytest.raises(ValueError, match=r"must have shape \(3, 1\); got \(2,\)"):
        m.regression_rows(38, 43, exog=X[40:42, 0])
    n = ARIMA(Y, order=(1, 0, 0), trend="t")
    _close(n.regression_rows(39, 42), np.arange(40.0, 43.0)[:, None], rtol=0, atol=0)
    assert ARIMA(Y, order=(1, 0, 0), trend="n").regression_rows(0, 50) is None


def test_ts_arima_fit_methods_keywords_and_return_params():
    """TS-ARIMA: fit(method=...) keywords, return_params, start_params (natural or
    unconstrained), cov_type for fit and filter."""
    m = ARIMA(STAT, order=(0, 0, 1))
    ref = _sm(STAT, order=(0, 0, 1))
    p = m.fit(return_params=True)
    assert isinstance(p, np.ndarray) and p.shape == (3,)
    _close(p, ref.fit().params, rtol=1e-5, atol=1e-6)
    short = m.fit(method_kwargs={"maxiter": 1})
    _close(short.params, ref.fit(method_kwargs={"maxiter": 1}).params, rtol=1e-6, atol=1e-8)
    assert short.mle_retvals["iterations"] <= 1
    start = np.array([3.0, 0.1, 2.0])
    _close(m.fit(start_params=start).params, ref.fit(start_params=start).params, 1e-5, 1e-6)
    u = ref.untransform_params(start)
    r_u = m.fit(start_params=u, transformed=False)
    _close(r_u.params, ref.fit(start_params=u, transformed=False).params, 1e-5, 1e-6)
    mle = m.fit(method="mle", method_kwargs={"maxiter": 200})
    tight = ref.fit(method_kwargs={"maxiter": 1000, "pgtol": 1e-12, "factr": 1.0})
    # forward differences locate the maximum only to ~1e-5; the exact gradient reaches it
    assert mle.llf == pytest.approx(tight.llf, rel=1e-8)
    assert mle.llf >= ref.fit().llf - 1e-9
    _close(mle.params, tight.params, rtol=1e-3, atol=1e-4)
    assert mle.method == "mle" and mle.converged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = m.fit(method="mle", method_kwargs={"maxiter": 1})
    assert not one.converged and one.llf < mle.llf
    css = m.fit(method="css")
    assert css.method == "css" and np.isfinite(css.llf)
    for cov_type in ("approx", "none", "opg"):
        res = m.fit(cov_type=cov_type)
        assert res.cov_type == cov_type
        ref_res = ref.fit(cov_type=cov_type)
        _close(res.bse, ref_res.bse, rtol=2e-3)
        f = m.filter(tight.params, cov_type=cov_type)
        assert f.cov_type == cov_type
    assert np.all(np.isnan(m.fit(cov_type="none").bse))
    assert m.filter(tight.params).cov_type == "opg"
    with pytest.raises(ValueError, match="method='css' takes no method_kwargs"):
        m.fit(method="css", method_kwargs={"maxiter": 5})
    with pytest.raises(ValueError, match=r"unknown method_kwargs \['pgtol'\]"):
        m.fit(method="mle", method_kwargs={"pgtol": 1e-3})
    with pytest.raises(ValueError, match="maxiter must be an integer >= 1"):
        m.fit(method="mle", method_kwargs={"maxiter": 0})
    with pytest.raises(ValueError, match="unknown method 'lbfgs'"):
        m.fit(method="lbfgs")
    with pytest.raises(ValueError, match="unknown cov_type 'robust'"):
        m.fit(cov_type="robust")
    with pytest.raises(ValueError, match="unknown cov_type 'oim'"):
        m.filter(start, cov_type="oim")


def test_ts_arima_constructor_and_parameter_errors():
    """TS-ARIMA: every argument check names the argument and the value."""
    with pytest.raises(ValueError, match=r"seasonal_order must be 4 non-negative integers "
                       r"\(P, D, Q, s\); got \(1, 0, 0\)"):  # fmt: skip
        ARIMA(Y, seasonal_order=(1, 0, 0))
    with pytest.raises(ValueError, match=r"order must be 3 non-negative integers"):
        ARIMA(Y, order=(True, 0, 0))
    with pytest.raises(ValueError, match=r"order must be 3 non-negative integers"):
        ARIMA(Y, order=5)
    with pytest.raises(ValueError, match=r"order must be 3 non-negative integers"):
        ARIMA(Y, order=(1, "a", 0))
    with pytest.raises(ValueError, match="period s >= 2"):
        ARIMA(Y, seasonal_order=(0, 1, 0, 1))
    with pytest.raises(ValueError, match="period s >= 2"):
        ARIMA(Y, seasonal_order=(0, 0, 1, 0))
    for kw in (dict(enforce_stationarity=False), dict(enforce_invertibility=False)):
        with pytest.raises(ValueError, match="not supported"):
            ARIMA(Y, **kw)
    with pytest.raises(ValueError, match="concentrate_scale=True is not supported"):
        ARIMA(Y, concentrate_scale=True)
    with pytest.raises(ValueError, match="unknown missing 'drop'"):
        ARIMA(Y, missing="drop")
    ARIMA(Y, missing="raise")
    with pytest.raises(ValueError, match="trend='c' with d \\+ D = 1"):
        ARIMA(Y, order=(0, 1, 0), trend="c")
    with pytest.raises(ValueError, match="trend='ct' with d \\+ D = 2"):
        ARIMA(Y, order=(0, 1, 0), seasonal_order=(0, 1, 0, 4), trend="ct")
    ARIMA(Y, order=(0, 1, 0), trend="t")
    with pytest.raises(ValueError, match="trend_offset must be an integer"):
        ARIMA(Y, trend_offset=1.5)
    with pytest.raises(ValueError, match="endog needs at least 6 observations; got 5"):
        ARIMA(Y[:5], seasonal_order=(0, 1, 0, 4))
    ARIMA(Y[:6], seasonal_order=(0, 1, 0, 4))
    ARIMA(Y[:3], order=(0, 0, 0))
    with pytest.raises(ValueError, match="endog needs at least 3 observations"):
        ARIMA(Y[:2], order=(0, 0, 0))
    with pytest.raises(ValueError, match=r"exog must have shape \(40, k\); got \(39, 2\)"):
        ARIMA(Y, exog=X[:39])
    with pytest.raises(ValueError, match=r"exog must have shape \(40, k\)"):
        ARIMA(Y, exog=np.ones((40, 2, 1)))
    bad = X[:40].copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="exog contains NaN or inf"):
        ARIMA(Y, exog=bad)
    m = ARIMA(Y, order=(1, 0, 0))
    with pytest.raises(ValueError, match=r"expected 3 parameters \['const', 'ar.L1', 'sigma2'\]"):
        m.loglike([1.0, 0.5])
    with pytest.raises(ValueError, match="parameters must be finite"):
        m.loglike([1.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="sigma2 must be positive; got 0.0"):
        m.loglike([1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match="sigma2 must be positive"):
        m.filter([1.0, 0.5, -1.0])
    with pytest.raises(ValueError, match="sigma2 must be positive"):
        m.fit(start_params=[1.0, 0.5, -1.0])
    p = np.array([1.0, 0.5, 1.0])
    m.loglike(p)
    _close(p, [1.0, 0.5, 1.0], rtol=0, atol=0)
    ss = m.statespace(p)  # AR(1): T = [phi], R Q R' = [sigma2]
    _close(ss.transition, [[0.5]], rtol=0, atol=0)
    _close(ss.state_cov, [[1.0]], rtol=0, atol=0)


def test_ts_arima_filter_unconstrained_params():
    """TS-ARIMA: filter(params, transformed=False) takes statsmodels' unconstrained
    parameters, as statsmodels' filter does."""
    p = np.array([1.0, 0.3, -0.4, 1.2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_model = _sm(STAT, order=(1, 0, 1))
        u = ref_model.untransform_params(p)
        ref = ref_model.filter(u, transformed=False)
    ours = ARIMA(STAT, order=(1, 0, 1)).filter(u, transformed=False)
    _close(ours.params, ref.params, rtol=1e-12, atol=1e-12)
    _close(ours.params, p, rtol=1e-12, atol=1e-12)
    assert ours.llf == pytest.approx(ref.llf, rel=1e-10)


def test_ts_arima_unconstrained_start_and_large_trend_offset():
    """TS-ARIMA: unconstrained start_params move a short fit as they move statsmodels';
    trend columns are computed in floating point (t^2 past the int64 range for a large
    trend_offset); filter results say 'fixed'; future exog of the wrong shape raises
    instead of being reshaped."""
    start = np.array([3.0, 0.1, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_model = _sm(STAT, order=(0, 0, 1))
        u = ref_model.untransform_params(start)
        ref = ref_model.fit(start_params=u, transformed=False, method_kwargs={"maxiter": 2})
        ours = ARIMA(STAT, order=(0, 0, 1)).fit(
            start_params=u, transformed=False, method_kwargs={"maxiter": 2}
        )
    _close(ours.params, ref.params, rtol=1e-6, atol=1e-8)
    big = 4_000_000_000
    m = ARIMA(Y, order=(1, 0, 0), trend="ctt", trend_offset=big)
    t = np.arange(40, dtype=float) + big
    _close(m.exog, np.column_stack([np.ones(40), t, t**2]), rtol=1e-15, atol=0)
    t_out = np.arange(40, 43, dtype=float) + big
    _close(m.regression_rows(40, 43)[:, 2], t_out**2, rtol=1e-15, atol=0)
    assert ARIMA(Y, order=(1, 0, 0)).filter([1.0, 0.5, 1.0]).method == "fixed"
    mx = ARIMA(Y, order=(1, 0, 0), exog=X[:40])
    res = mx.filter([0.5, 0.1, -0.2, 0.4, 1.0])
    with pytest.raises(ValueError, match=r"must have shape \(3, 2\); got \(2, 3\)"):
        res.forecast(3, exog=X[40:43].T)
    _close(res.forecast(3, exog=X[40:43]), res.forecast(3, exog=X[40:43].ravel()))
