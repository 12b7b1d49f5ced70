"""TS-ARIMA: estimation edges against statsmodels and closed forms (issue 24): a
single-parameter model (white noise: sigma2 = mean y^2), an exact linear trend (constant
differences), fit options that must reach scipy as statsmodels passes them (maxfun,
disp) or not reach it at all, starting values on tiny series, scores and Hessians of
differenced and seasonally differenced models, the reduced polynomials of overlapping
seasonal and non-seasonal lags, and CSS of an AR model as ordinary least squares."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA
from gradkit.tsa._estimation import reduced_polynomials

sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

RNG = np.random.default_rng(3)
Y = np.cumsum(RNG.standard_normal(60)) * 0.3 + RNG.standard_normal(60)
WN = RNG.standard_normal(30)


pytestmark = pytest.mark.filterwarnings("ignore")  # statsmodels' and gradkit's fit notes


def test_ts_arima_single_parameter_fits_closed_form():
    """TS-ARIMA: white noise without trend has one parameter; its exact MLE is
    sigma2 = mean(y^2), and the default fit is statsmodels'."""
    model = ARIMA(WN, order=(0, 0, 0), trend="n")
    assert model.fit(method="mle").params == pytest.approx([np.mean(WN**2)], rel=1e-8)
    ref = sm_arima.ARIMA(WN, order=(0, 0, 0), trend="n").fit()
    np.testing.assert_allclose(model.fit().params, ref.params, rtol=1e-6)


def test_ts_arima_exact_linear_trend_closed_form():
    """TS-ARIMA: y = 3 + 2 t has constant first differences (scale 0): every method
    recovers the drift 2 with sigma2 near 0, finite."""
    z = 3.0 + 2.0 * np.arange(20.0)
    for method in ("mle", "css", "statespace"):
        params = ARIMA(z, order=(0, 1, 0), trend="t").fit(method=method).params
        assert np.all(np.isfinite(params)), method
        assert params[0] == pytest.approx(2.0, abs=1e-4), method
        assert abs(params[1]) < 1e-8, method


def test_ts_arima_fit_options_reach_scipy_as_statsmodels():
    """TS-ARIMA: method_kwargs maxfun stops L-BFGS-B where statsmodels' does (its
    function-call count scaled by k + 1), seasonal AR starts are transformed as
    statsmodels' (maxiter 2 ends on the same point), 'disp' is accepted and not passed
    on (scipy deprecates it), and the exact-gradient fit gives no warning."""
    for mf in (23,):  # 23 // 5 = 4 calls of k + 1 = 5 likelihoods
        ours = ARIMA(Y, order=(1, 0, 1)).fit(method_kwargs={"maxfun": mf})
        ref = sm_arima.ARIMA(Y, order=(1, 0, 1)).fit(method_kwargs={"maxfun": mf})
        np.testing.assert_allclose(ours.params, ref.params, rtol=1e-6)
    kw = dict(order=(0, 0, 0), seasonal_order=(1, 0, 0, 4))
    ours = ARIMA(Y, **kw).fit(method_kwargs={"maxiter": 2})
    ref = sm_arima.ARIMA(Y, **kw).fit(method_kwargs={"maxiter": 2})
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ARIMA(Y[:30], order=(1, 0, 0)).fit(method_kwargs={"disp": 0, "maxiter": 5})
        res = ARIMA(Y, order=(1, 0, 1)).fit(method="mle")
    ref = sm_arima.ARIMA(Y, order=(1, 0, 1)).fit()
    assert res.llf >= ref.llf - 1e-9  # the exact maximum is at least statsmodels'


@pytest.mark.parametrize(
    "n,order,trend",
    [
        (5, (3, 0, 2), "c"),
        (3, (1, 0, 0), "c"),
        (4, (1, 0, 0), "c"),
        (6, (0, 0, 2), "c"),
        (7, (1, 0, 1), "c"),
        (5, (3, 0, 2), "n"),  # the fallback variance of data with a mean
        (4, (2, 0, 1), "n"),
    ],
)
def test_ts_arima_start_params_on_tiny_series(n, order, trend):
    """TS-ARIMA: statsmodels' starting values where the regressions have too few
    observations (zeros and the variance of the demeaned data) or two residuals."""
    y = Y[:n] + 3.0
    ours = ARIMA(y, order=order, trend=trend).start_params
    ref = sm_arima.ARIMA(y, order=order, trend=trend).start_params
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "kw,params",
    [
        (dict(order=(1, 1, 0)), [0.4, 1.1]),
        (dict(order=(0, 0, 0), seasonal_order=(0, 1, 1, 4)), [0.3, 1.2]),
    ],
    ids=["d1", "D1"],
)
def test_ts_arima_bse_of_differenced_models(kw, params):
    """TS-ARIMA: OPG and Hessian standard errors of a differenced and a seasonally
    differenced model (the diffuse periods left out of the scores) are statsmodels'."""
    for cov_type, rtol in (("opg", 1e-6), ("approx", 1e-4)):
        ours = ARIMA(Y, **kw).filter(params, cov_type=cov_type).bse
        ref = sm_arima.ARIMA(Y, **kw).filter(params, cov_type=cov_type).bse
        np.testing.assert_allclose(ours, ref, rtol=rtol)


def _lagpoly(coefs, step, sign):
    """1 + sign * sum_j coefs[j] L^{step (j + 1)} as ascending coefficients."""
    c = np.zeros(step * len(coefs) + 1)
    c[0] = 1.0
    c[step::step] = sign * np.asarray(coefs)
    return c


@pytest.mark.parametrize(
    "order,seasonal",
    [((4, 0, 0), (2, 0, 0, 2)), ((0, 0, 5), (0, 0, 2, 3)), ((3, 0, 3), (1, 0, 2, 2))],
    ids=["ar-overlap", "ma-overlap", "both"],
)
def test_ts_arima_reduced_polynomials_overlapping_lags(order, seasonal):
    """TS-ARIMA: where seasonal and non-seasonal lags meet (s <= p or s <= q) the reduced
    polynomials are still the products phi(L) Phi(L^s) and theta(L) Theta(L^s)."""
    model = ARIMA(Y, order=order, seasonal_order=seasonal, trend="n")
    p, q, P, Q, s = order[0], order[2], seasonal[0], seasonal[2], seasonal[3]
    k = p + q + P + Q
    theta = np.linspace(-0.4, 0.45, k)
    ar, ma, sar, sma = np.split(theta, np.cumsum([p, q, P]))
    a, b = reduced_polynomials(model, np.r_[theta, 1.0][None])
    want_ar = np.polynomial.polynomial.polymul(_lagpoly(ar, 1, -1), _lagpoly(sar, s, -1))
    want_ma = np.polynomial.polynomial.polymul(_lagpoly(ma, 1, 1), _lagpoly(sma, s, 1))
    np.testing.assert_allclose(a[0], -want_ar[1:], atol=1e-15)
    np.testing.assert_allclose(b[0], want_ma[1:], atol=1e-15)


def test_ts_arima_css_of_an_ar_model_is_least_squares():
    """TS-ARIMA: CSS of AR(2) with a constant is the OLS regression of y_t on 1, y_{t-1},
    y_{t-2} (mean = c / (1 - a_1 - a_2), sigma2 = SSR / (n - 2)), for data of any scale."""
    for scale in (1.0, 1e3):
        y = Y * scale + 5.0 * scale
        X = np.column_stack([np.ones(58), y[1:-1], y[:-2]])
        coef, *_ = np.linalg.lstsq(X, y[2:], rcond=None)
        ssr = np.sum((y[2:] - X @ coef) ** 2)
        res = ARIMA(y, order=(2, 0, 0)).fit(method="css")
        mean = coef[0] / (1.0 - coef[1] - coef[2])
        # the sum of squares is flat along the mean of a persistent series: the
        # minimum value agrees to rounding, the minimizer to the optimizer's tolerance
        np.testing.assert_allclose(res.params[:3], [mean, coef[1], coef[2]], rtol=1e-6)
        assert res.params[3] == pytest.approx(ssr / 58, rel=1e-12)
