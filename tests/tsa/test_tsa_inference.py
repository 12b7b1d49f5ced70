"""ARIMA parameter inference (bse, cov_params, z, p-values, intervals, summary) against
statsmodels' ARIMA (cov_type='approx' and its default 'opg') and closed forms (TS-ARIMA)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, EstimationWarning

sm = pytest.importorskip("statsmodels.api")
from scipy.signal import lfilter  # noqa: E402
from statsmodels.tsa.arima.model import ARIMA as SMARIMA  # noqa: E402

_MACRO = sm.datasets.macrodata.load_pandas().data
_E = np.random.default_rng(0).standard_normal(600)
SERIES = {
    "sunspots": sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(),
    "infl": _MACRO["infl"].to_numpy(),
    "log_gdp": 100.0 * np.log(_MACRO["realgdp"].to_numpy()),
    "arma11": 5.0 + lfilter([1.0, 0.4], [1.0, -0.6], _E),  # ARMA(1, 1) around 5
}
CASES = [
    ("sunspots", (1, 0, 0), None),
    ("sunspots", (2, 1, 1), None),
    ("sunspots", (1, 1, 1), None),
    ("sunspots", (1, 1, 1), "t"),
    ("infl", (2, 0, 1), None),
    ("log_gdp", (2, 1, 1), "t"),
    ("log_gdp", (1, 1, 1), "t"),
    ("arma11", (1, 0, 1), None),
]
IDS = [f"{name}-{''.join(map(str, order))}-{trend or 'default'}" for name, order, trend in CASES]
# statsmodels' default L-BFGS may stop short of the maximum; optimize it to convergence.
TIGHT = {"maxiter": 1000, "pgtol": 1e-12, "factr": 1.0}


def _sm_fit(y, order, trend, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SMARIMA(y, order=order, trend=trend).fit(method_kwargs=dict(TIGHT), **kw)


@pytest.fixture(scope="module")
def fits():
    out = {}
    for name, order, trend in CASES:
        y = SERIES[name]
        with warnings.catch_warnings():  # statsmodels' start-value fallbacks
            warnings.simplefilter("ignore", EstimationWarning)
            ours = ARIMA(y, order=order, trend=trend).fit(method="mle", cov_type="approx")
        out[name, order, trend] = (
            ours,
            _sm_fit(y, order, trend, cov_type="approx"),
            _sm_fit(y, order, trend),  # statsmodels' default cov_type, 'opg'
        )
    return out


@pytest.mark.parametrize("name,order,trend", CASES, ids=IDS)
def test_ts_arima_cov_at_same_params_equals_statsmodels(fits, name, order, trend):
    """TS-ARIMA: at statsmodels' estimates, the Hessian (observed information, sigma2
    included, natural parameters) gives its cov_params_approx: bse within 1e-4 relative
    (seen: <= 1e-5; two numerical Hessians), correlations within 1e-4; the OPG covariance
    equals its default (analytic-accuracy scores on both sides) to 1e-7."""
    _, ref, ref_opg = fits[name, order, trend]
    model = ARIMA(SERIES[name], order=order, trend=trend)
    ours = model.filter(ref.params, cov_type="approx")
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-4)
    corr = ours.cov_params() / np.outer(ours.bse, ours.bse)
    np.testing.assert_allclose(corr, ref.cov_params() / np.outer(ref.bse, ref.bse), atol=1e-4)
    opg = model.filter(ref_opg.params, cov_type="opg")
    np.testing.assert_allclose(opg.cov_params(), ref_opg.cov_params(), rtol=1e-7)


@pytest.mark.parametrize("name,order,trend", CASES, ids=IDS)
def test_ts_arima_inference_matches_statsmodels_fit(fits, name, order, trend):
    """TS-ARIMA: fitted params, bse, z, p-values and 95% intervals agree with statsmodels'.

    The tolerance comes from how well the two optimizers agree: with
    ``dp = max |params - ref.params| / ref.bse`` (seen <= 7e-4), bse agree within
    ``tol = max(1e-4, 10 dp)`` relative (seen: 1.5e-3 where dp = 5.7e-4, an
    ill-conditioned ARMA(2, 1) with drift), z within ``tol`` relative or absolute
    (``dz = dparams / bse - z dbse / bse``); p-values within ``tol`` absolute
    (``|dp/dz| <= 2 phi(z) <= 0.8``); interval ends within ``3 tol`` bse.
    """
    ours, ref, _ = fits[name, order, trend]
    assert ours.converged
    dp = np.max(np.abs(ours.params - ref.params) / ref.bse)
    assert dp < 1e-3
    tol = max(1e-4, 10 * dp)
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=tol)
    # dz = dparams / bse - z dbse / bse: absolute near z = 0, relative for large z
    np.testing.assert_allclose(ours.tvalues, ref.zvalues, rtol=tol, atol=tol)
    np.testing.assert_allclose(ours.pvalues, ref.pvalues, rtol=0, atol=tol)
    ci, ref_ci = ours.conf_int(alpha=0.05), ref.conf_int(alpha=0.05)
    assert np.all(np.abs(ci - ref_ci) <= 3 * tol * ref.bse[:, None])
    ci90 = ours.conf_int(alpha=0.1)
    assert np.all(np.abs(ci90 - ref.conf_int(alpha=0.1)) <= 3 * tol * ref.bse[:, None])
    assert np.all((ci[:, 0] < ci90[:, 0]) & (ci90[:, 1] < ci[:, 1]))
    np.testing.assert_allclose(ours.cov_params(), ours.cov_params().T, rtol=1e-12)


def test_ts_arima_hessian_helper_exact_on_closed_form():
    """The Hessian helper (central differences of a complex-step gradient, one batched
    call) reproduces an analytic Hessian to 1e-9."""
    from gradkit.tsa._inference import hessian

    def f(X):  # f(x) = exp(x0) x1^3 + sin(x0 x2), rowwise
        return np.exp(X[:, 0]) * X[:, 1] ** 3 + np.sin(X[:, 0] * X[:, 2])

    x0, x1, x2 = x = np.array([0.3, -1.2, 2.0])
    c = np.cos(x0 * x2)
    s = np.sin(x0 * x2)
    exact = np.array(
        [
            [np.exp(x0) * x1**3 - x2**2 * s, 3 * np.exp(x0) * x1**2, c - x0 * x2 * s],
            [3 * np.exp(x0) * x1**2, 6 * np.exp(x0) * x1, 0.0],
            [c - x0 * x2 * s, 0.0, -(x0**2) * s],
        ]
    )
    H = hessian(f, x, 1e-5 * np.maximum(np.abs(x), 0.1))
    np.testing.assert_allclose(H, exact, rtol=1e-9, atol=1e-9)


def test_ts_arima_css_inference_equals_ols_autoregression():
    """TS-ARIMA: for AR(2) with a constant, CSS is OLS on lags, so the inverse Hessian of
    the conditional likelihood is AutoReg's ``sigma2 (X'X)^{-1}`` (after the delta method
    from the mean ``mu`` to the intercept ``c = mu (1 - phi1 - phi2)``), and
    ``var(sigma2) = 2 sigma2^2 / n_c``."""
    from statsmodels.tsa.ar_model import AutoReg

    y = SERIES["sunspots"]
    ours = ARIMA(y, order=(2, 0, 0)).fit(method="css", cov_type="approx")
    ref = AutoReg(y, lags=2, trend="c").fit()
    mu, phi1, phi2, s2 = ours.params
    G = np.array([[1 - phi1 - phi2, -mu, -mu, 0.0], [0, 1, 0, 0], [0, 0, 1, 0]])
    cov = G @ ours.cov_params() @ G.T
    np.testing.assert_allclose(cov, ref.cov_params(), rtol=1e-7)
    assert ours.bse[-1] == pytest.approx(s2 * np.sqrt(2.0 / (y.size - 2)), rel=1e-8)


def test_ts_arima_summary_matches_statsmodels(fits):
    """TS-ARIMA: summary() prints statsmodels' layout: the same header and statistics
    lines, the parameter table row for row, the residual diagnostics (Ljung-Box,
    Jarque-Bera, heteroskedasticity, skew, kurtosis) and the covariance note; with
    statsmodels' estimates the texts agree line for line except the time stamp."""
    for name, order, trend in (
        ("log_gdp", (2, 1, 1), "t"),
        ("sunspots", (1, 0, 0), None),
        ("infl", (2, 0, 1), None),
    ):
        _, ref_approx, ref = fits[name, order, trend]
        for cov_type, r in (("opg", ref), ("approx", ref_approx)):
            ours = ARIMA(SERIES[name], order=order, trend=trend).filter(r.params, cov_type=cov_type)
            text, ref_text = str(ours.summary()), r.summary().as_text()
            got = [line for line in text.splitlines() if not line.startswith("Time:")]
            want = [line for line in ref_text.splitlines() if not line.startswith("Time:")]
            assert got == want
    ours = fits["log_gdp", (2, 1, 1), "t"][0]
    assert ours.summary(alpha=0.1).as_text().count("[0.05") == 1
    assert ["x1", "ar.L1", "ar.L2", "ma.L1", "sigma2"] == ours.param_names


def test_ts_arima_inference_options_and_errors():
    y = SERIES["arma11"]
    model = ARIMA(y, order=(1, 0, 0))
    res = model.fit(cov_type="opg")
    assert res.cov_type == "opg" and res.bse.shape == (3,)
    with pytest.raises(ValueError, match="valid choices: opg, approx, none"):
        model.fit(cov_type="oim")
    assert np.all(np.isnan(model.fit(cov_type="none").bse))
    with pytest.raises(ValueError, match="alpha"):
        res.conf_int(alpha=1.5)
    # an AR estimate within a difference step of the unit circle: no Hessian, say so
    walk = np.cumsum(_E)
    near_unit = ARIMA(walk, order=(1, 0, 0)).filter([0.0, 1.0 - 1e-7, 1.0], cov_type="approx")
    with pytest.warns(RuntimeWarning, match="stationarity"):
        assert np.all(np.isnan(near_unit.bse))
    opg = ARIMA(walk, order=(1, 0, 0)).filter([0.0, 1.0 - 1e-7, 1.0], cov_type="opg")
    assert np.all(np.isfinite(opg.bse))
