"""TS-ARIMA: the estimation layer on short series against statsmodels: starting values
(every branch: regression only, ARMA, seasonal, too few observations, non-stationary /
non-invertible fallbacks with their warnings), every ``method_kwargs`` key of the
default fit, the exact-gradient MLE and the conditional-sum-of-squares estimator
against an independent recursion (issue 24)."""

import warnings

import numpy as np
import pytest
from scipy.optimize import least_squares

from gradkit.tsa import ARIMA
from gradkit.tsa._checks import EstimationWarning

sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

RNG = np.random.default_rng(7)
Y = np.cumsum(0.5 + RNG.standard_normal(41))[:40]
X = RNG.standard_normal((40, 2))
STAT = 3.0 + np.convolve(RNG.standard_normal(41), [1.0, 0.4])[:40]


def _sm(*args, **kw):
    return sm_arima.ARIMA(*args, **kw)


def _warned(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in caught]


START_CASES = [
    (40, dict(order=(0, 0, 0))),
    (40, dict(order=(0, 0, 0), trend="n")),
    (40, dict(order=(0, 0, 0), exog="2d")),
    (40, dict(order=(0, 1, 0), exog="1d")),
    (40, dict(order=(2, 0, 1))),
    (40, dict(order=(0, 0, 3), seasonal_order=(1, 0, 1, 4))),
    (40, dict(order=(1, 1, 1), seasonal_order=(0, 1, 1, 4))),
    (40, dict(order=(1, 0, 0), seasonal_order=(2, 0, 1, 12))),
    (40, dict(order=(0, 0, 12))),
    (40, dict(order=(3, 0, 2), trend="ct", exog="2d")),
    (12, dict(order=(0, 0, 5))),
    (30, dict(order=(1, 0, 0), seasonal_order=(0, 0, 1, 12))),
    (14, dict(order=(2, 0, 3))),
    (10, dict(order=(9, 0, 0))),
    (10, dict(order=(10, 0, 0))),
    (12, dict(order=(1, 0, 1), seasonal_order=(1, 0, 1, 4))),
    (9, dict(order=(0, 0, 3))),
]


@pytest.mark.parametrize("y", [Y, STAT], ids=["walk", "ma1"])
@pytest.mark.parametrize("n,kw", START_CASES, ids=range(len(START_CASES)))
def test_ts_arima_start_params_every_branch_equal_statsmodels(y, n, kw):
    """TS-ARIMA: start_params equal statsmodels' exactly (1e-10) and give the same
    warnings (too few observations; non-stationary / non-invertible fallback)."""
    kw = dict(kw)
    if kw.get("exog") == "2d":
        kw["exog"] = X[:n]
    elif kw.get("exog") == "1d":
        kw["exog"] = X[:n, 0]
    ref, ref_w = _warned(lambda: _sm(y[:n], **kw).start_params)
    ours, our_w = _warned(lambda: ARIMA(y[:n], **kw).start_params)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    assert len(our_w) == len(ref_w)
    for a, b in zip(our_w, ref_w):
        assert a.split()[:3] == b.split()[:3]
        assert ("seasonal" in a) == ("seasonal" in b)


def test_ts_arima_start_params_warning_category_and_caller():
    """TS-ARIMA: the start-value fallbacks warn with EstimationWarning, in statsmodels'
    words."""
    few = (
        r"^Too few observations to estimate starting parameters for {}ARMA\. All "
        r"parameters except for variances will be set to zeros\.$"
    )
    with pytest.warns(EstimationWarning, match=few.format("")):
        ARIMA(Y[:12], order=(0, 0, 5)).fit(method="css")
    with pytest.warns(EstimationWarning, match=few.format("seasonal ")):
        ARIMA(Y[:30], order=(1, 0, 0), seasonal_order=(0, 0, 1, 12)).start_params  # noqa: B018
    with pytest.warns(
        EstimationWarning,
        match=r"^Non-stationary starting autoregressive parameters found\. Using zeros as "
        r"starting parameters\.$",
    ):
        ARIMA(Y[:14], order=(2, 0, 3)).start_params  # noqa: B018
    with pytest.warns(
        EstimationWarning,
        match=r"^Non-invertible starting seasonal MA parameters found\. Using zeros as "
        r"starting parameters\.$",
    ):
        ARIMA(STAT, order=(1, 0, 0), seasonal_order=(2, 0, 1, 12)).start_params  # noqa: B018
    with pytest.warns(
        EstimationWarning,
        match=r"^Non-invertible starting MA parameters found\. Using zeros as starting "
        r"parameters\.$",
    ):
        ARIMA(Y[:14], order=(2, 0, 3)).start_params  # noqa: B018


KWARGS = [
    {"maxiter": 3},
    {"m": 2, "maxiter": 8},
    {"factr": 1e12},
    {"pgtol": 1e-2},
    {"epsilon": 1e-3},
    {"maxfun": 5},
    {"disp": 0, "maxiter": 4},
]


@pytest.mark.parametrize("method_kwargs", KWARGS, ids=[next(iter(k)) for k in KWARGS])
def test_ts_arima_statespace_method_kwargs_equal_statsmodels(method_kwargs):
    """TS-ARIMA: every L-BFGS-B setting of the default fit moves the estimate as it
    moves statsmodels' (the same stopping point)."""
    ref = _sm(STAT, order=(1, 0, 1)).fit(method_kwargs=dict(method_kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ARIMA(STAT, order=(1, 0, 1)).fit(method_kwargs=dict(method_kwargs))
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-6, atol=1e-8)
    assert ours.mle_retvals["iterations"] == ref.mle_retvals["iterations"]
    assert ours.mle_retvals["fcalls"] == ref.mle_retvals["fcalls"]
    assert ours.mle_retvals["converged"] == ref.mle_retvals["converged"]
    assert ours.mle_retvals["warnflag"] == ref.mle_retvals["warnflag"]
    assert ours.mle_retvals["fopt"] == pytest.approx(ref.mle_retvals["fopt"], rel=1e-9)


def test_ts_arima_statespace_defaults_and_errors():
    """TS-ARIMA: the defaults are statsmodels' (maxiter 50, ...): the fit stops where
    statsmodels' does, with its retvals; unknown keys are named."""
    ref = _sm(Y, order=(2, 1, 1)).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ARIMA(Y, order=(2, 1, 1)).fit()
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-6, atol=1e-8)
    for key in ("iterations", "fcalls", "warnflag", "converged"):
        assert ours.mle_retvals[key] == ref.mle_retvals[key], key
    np.testing.assert_allclose(ours.mle_retvals["gopt"], ref.mle_retvals["gopt"], atol=1e-6)
    with pytest.raises(ValueError, match=r"unknown method_kwargs \['tol'\]; valid: \['epsilon'"):
        ARIMA(Y, order=(1, 0, 0)).fit(method_kwargs={"tol": 1})


def test_ts_arima_unconverged_fit_warns():
    """TS-ARIMA: a fit stopped by maxiter warns like statsmodels (ConvergenceWarning)."""
    from gradkit.tsa._checks import ConvergenceWarning

    with pytest.warns(
        ConvergenceWarning,
        match=r"^Maximum Likelihood optimization failed to converge\. Check mle_retvals$",
    ):
        res = ARIMA(STAT, order=(1, 0, 1)).fit(method_kwargs={"maxiter": 1})
    assert not res.converged and res.mle_retvals["warnflag"] == 1


@pytest.mark.parametrize(
    "kw",
    [
        dict(order=(1, 0, 1)),
        dict(order=(0, 1, 1), seasonal_order=(0, 0, 1, 4)),
        dict(order=(1, 0, 0), trend="ct", exog="1d"),
    ],
    ids=range(3),
)
def test_ts_arima_exact_gradient_mle_reaches_the_maximum(kw):
    """TS-ARIMA: method='mle' reaches the maximum that statsmodels' tightened fit finds
    (llf 1e-8, never below its default fit), on a series scaled by 1000 too (the
    rescaling is exact: params scale by s, 1, s^2)."""
    kw = dict(kw)
    if kw.get("exog") == "1d":
        kw["exog"] = X[:, 0]
    for scale in (1.0, 1000.0):
        y = STAT * scale
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = _sm(y, **kw).fit(method_kwargs=dict(maxiter=1000, pgtol=1e-12, factr=1.0))
            default = _sm(y, **kw).fit()
        ours = ARIMA(y, **kw).fit(method="mle")
        assert ours.converged and ours.mle_retvals["iterations"] >= 1
        # forward differences stop a little short: the exact gradient is at least as high
        assert ours.llf == pytest.approx(ref.llf, rel=1e-7)
        assert ours.llf >= ref.llf - 1e-9 * abs(ref.llf)
        assert ours.llf >= default.llf - 1e-9 * abs(default.llf)
        scales = np.where(np.arange(ours.params.size) == ours.params.size - 1, scale**2, 1.0)
        scales[: ARIMA(y, **kw).k_exog + ARIMA(y, **kw).k_trend] = scale
        np.testing.assert_allclose(ours.params / scales, ref.params / scales, atol=2e-3)


def _css_reference(y, p, q, d, exog=None):
    """Conditional sum of squares by the textbook recursion: w = diff^d y (and exog),
    e_t = w_t - x_t'b - sum a_i (w_{t-i} - x_{t-i}'b) - sum m_j e_{t-j}, t >= p, zero
    pre-sample e; minimized by scipy's least squares from zero."""
    w = np.diff(y, n=d)
    Xd = None if exog is None else np.diff(exog, n=d, axis=0)
    k = 0 if Xd is None else Xd.shape[1]

    def errors(theta):
        b, a, m = theta[:k], theta[k : k + p], theta[k + p :]
        u = w - (Xd @ b if k else 0.0)
        e = np.zeros(u.size)
        for t in range(p, u.size):
            e[t] = u[t] - sum(a[i] * u[t - 1 - i] for i in range(p))
            e[t] -= sum(m[j] * e[t - 1 - j] for j in range(q) if t - 1 - j >= p)
        return e[p:]

    x0 = np.zeros(k + p + q)
    if k:
        x0[:k] = np.linalg.lstsq(Xd, w, rcond=None)[0]
    opt = least_squares(errors, x0, xtol=1e-14, ftol=1e-14, gtol=1e-14)
    e = errors(opt.x)
    return np.r_[opt.x, e @ e / e.size], e.size


@pytest.mark.parametrize(
    "p,q,d,trend,exog",
    [(1, 1, 0, "c", False), (0, 2, 1, "n", False), (2, 0, 1, "t", False), (1, 1, 0, "c", True)],
    ids=range(4),
)
def test_ts_arima_css_equals_textbook_recursion(p, q, d, trend, exog):
    """TS-ARIMA: method='css' minimizes the conditional sum of squares (estimates 1e-5
    of an independent recursion), sigma2 = SSR / n_c, llf = -n_c/2 (log 2 pi sigma2 + 1),
    nobs_effective = n - d - p."""
    n = STAT.size
    cols = []
    if trend == "c":
        cols.append(np.ones(n))
    if trend == "t":
        cols.append(np.arange(1.0, n + 1))
    if exog:
        cols.append(X[:, 0])
    Xr = np.column_stack(cols) if cols else None
    y = STAT if d == 0 else Y
    ref, n_c = _css_reference(y, p, q, d, Xr)
    res = ARIMA(y, order=(p, d, q), trend=trend, exog=X[:, 0] if exog else None).fit(method="css")
    np.testing.assert_allclose(res.params, ref, rtol=1e-5, atol=1e-6)
    assert res.nobs_effective == n_c == n - d - p
    sigma2 = res.params[-1]
    assert res.llf == pytest.approx(-0.5 * n_c * (np.log(2 * np.pi * sigma2) + 1.0), rel=1e-12)
    assert res.mle_retvals["converged"] and res.mle_retvals["iterations"] >= 1
