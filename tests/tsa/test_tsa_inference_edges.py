"""TS-ARIMA: covariance edges of ARIMA results (issue 24) against closed forms and
statsmodels: the observed information of white noise (closed form) where the Hessian
step matters, the stationarity guard of the Hessian's difference steps on both sides of
the unit circle, CSS estimates outside it (no guard: the conditional likelihood needs
no stationarity), the diffuse variance of differenced models on scaled data, and the
wording of the NaN warnings."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA

sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

RNG = np.random.default_rng(11)
WN = 2.0 + RNG.standard_normal(40)
H = 1e-5  # the relative Hessian step of gradkit.tsa._inference


def _record(fn):
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in got if issubclass(w.category, RuntimeWarning)]


def test_ts_arima_white_noise_information_closed_form():
    """TS-ARIMA: for y_t = mu + e_t the observed information at (mu, sigma2) is
    [[n / s2, S1 / s2^2], [S1 / s2^2, -n / (2 s2^2) + S2 / s2^3]] (S1 = sum(y - mu),
    S2 = sum((y - mu)^2)); a small sigma2 relative to the data's scale makes the
    difference step matter."""
    s = np.std(WN)
    for mu, s2 in ((2.1, 0.02 * s * s), (1.9, 3.0 * s * s)):
        res = ARIMA(WN, order=(0, 0, 0)).filter([mu, s2], cov_type="approx")
        r = WN - mu
        n, S1, S2 = r.size, r.sum(), (r * r).sum()
        info = np.array([[n / s2, S1 / s2**2], [S1 / s2**2, -n / (2 * s2**2) + S2 / s2**3]])
        np.testing.assert_allclose(res.cov_params(), np.linalg.inv(info), rtol=3e-8)


@pytest.mark.parametrize(
    "phi,guarded",
    [
        (1 - 1.5 * H, False),  # phi + h stationary, phi + 2h not
        (1 - 0.5 * H, True),  # phi + h not stationary
        (-(1 - 1.5 * H), False),
        (-(1 - 0.5 * H), True),  # phi - h not stationary
    ],
    ids=["below+1", "within+1", "above-1", "within-1"],
)
def test_ts_arima_hessian_stationarity_guard(phi, guarded):
    """TS-ARIMA: the 'approx' covariance is NaN with a warning exactly when a central
    difference step phi -/+ h leaves the stationary region, on either side."""
    res = ARIMA(WN, order=(1, 0, 0), trend="n").filter([phi, 1.0], cov_type="approx")
    bse, msgs = _record(lambda: res.bse)
    if guarded:
        assert np.all(np.isnan(bse))
        assert len(msgs) == 1
        assert msgs[0] == (
            "the AR estimates lie within a difference step of the stationarity boundary; "
            "the Hessian, and so bse, is not available (NaN); try cov_type='opg'"
        )
    else:
        assert np.all(np.isfinite(bse)) and not msgs


def test_ts_arima_css_explosive_estimate_has_a_covariance():
    """TS-ARIMA: CSS of an explosive AR(1) (phi about 1.5) is OLS; its 'approx'
    covariance is the closed form diag(s2 / sum y_{t-1}^2, 2 s2^2 / n), with no
    stationarity guard."""
    e = RNG.standard_normal(25)
    y = np.zeros(25)
    for t in range(1, 25):
        y[t] = 1.5 * y[t - 1] + e[t]
    res = ARIMA(y, order=(1, 0, 0), trend="n").fit(method="css", cov_type="approx")
    phi, s2 = res.params
    x = y[:-1]
    assert phi == pytest.approx(x @ y[1:] / (x @ x), rel=1e-9)
    (cov, msgs) = _record(lambda: res.cov_params())
    assert not msgs
    np.testing.assert_allclose(np.diag(cov), [s2 / (x @ x), 2 * s2 * s2 / 24], rtol=1e-6)


@pytest.mark.parametrize("cov_type", ["opg", "approx"])
def test_ts_arima_differenced_bse_on_scaled_data(cov_type):
    """TS-ARIMA: the diffuse variance is rescaled with the data: bse of an ARIMA(1,1,0)
    on data of scale 100 are statsmodels'."""
    y = np.cumsum(RNG.standard_normal(50)) * 100.0
    params = [0.3, 1.1e4]
    ours = ARIMA(y, order=(1, 1, 0)).filter(params, cov_type=cov_type).bse
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_arima.ARIMA(y, order=(1, 1, 0)).filter(params, cov_type=cov_type).bse
    np.testing.assert_allclose(ours, ref, rtol=1e-6 if cov_type == "opg" else 1e-4)


def test_ts_arima_singular_information_warning_text():
    """TS-ARIMA: a regressor of zeros makes the information singular: bse are NaN, and
    the warning says why."""
    res = ARIMA(WN, exog=np.zeros(40), order=(1, 0, 0)).filter([0.0, 0.0, 0.5, 1.0], cov_type="opg")
    bse, msgs = _record(lambda: res.bse)
    assert np.all(np.isnan(bse))
    assert msgs == ["the information matrix is singular; covariance not available (NaN)"]


def test_ts_arima_css_sigma2_variance_with_a_constant():
    """TS-ARIMA: at the CSS optimum the sigma2 row of the information is decoupled, so
    var(sigma2) = 2 sigma2^2 / n_c whatever the other parameters (here an explosive
    AR(1) with a constant: three parameters)."""
    e = RNG.standard_normal(25)
    y = np.zeros(25)
    for t in range(1, 25):
        y[t] = 0.5 + 1.5 * y[t - 1] + e[t]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ARIMA(y, order=(1, 0, 0)).fit(method="css", cov_type="approx")
    s2 = res.params[-1]
    assert res.cov_params()[-1, -1] == pytest.approx(2 * s2 * s2 / 24, rel=1e-6)
