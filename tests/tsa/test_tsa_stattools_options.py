"""TS-ORDER: every option of acovf / acf / pacf / q_stat / durbin_watson against
statsmodels on a short series (issue 24: an option that were ignored makes a test fail)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import AcfResult, PacfResult, acf, acovf, durbin_watson, pacf, q_stat

sm_st = pytest.importorskip("statsmodels.tsa.stattools")
from statsmodels.stats.stattools import durbin_watson as sm_dw  # noqa: E402

RNG = np.random.default_rng(3)
Y = RNG.standard_normal(40).cumsum() * 0.3 + RNG.standard_normal(40) + 2.0
YN = Y.copy()
YN[[0, 7, 8, 20]] = np.nan


def _close(a, b, atol=1e-12):
    np.testing.assert_allclose(a, b, rtol=0, atol=atol)


def _st(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(sm_st, fn)(*args, **kw)


@pytest.mark.parametrize("fft", [True, False])
@pytest.mark.parametrize("adjusted", [False, True])
@pytest.mark.parametrize("demean", [True, False])
def test_ts_order_acovf_options_match_statsmodels(fft, adjusted, demean):
    """TS-ORDER: acovf with adjusted / demean / fft / nlag, complete data."""
    kw = dict(fft=fft, adjusted=adjusted, demean=demean)
    _close(acovf(Y, **kw), _st("acovf", Y, **kw))
    out = acovf(Y, nlag=5, **kw)
    assert out.shape == (6,)
    _close(out, _st("acovf", Y, nlag=5, **kw))
    _close(acovf(Y, nlag=39, **kw), _st("acovf", Y, nlag=39, **kw))


@pytest.mark.parametrize("missing", ["drop", "conservative"])
@pytest.mark.parametrize("fft", [True, False])
@pytest.mark.parametrize("adjusted", [False, True])
@pytest.mark.parametrize("demean", [True, False])
def test_ts_order_acovf_missing_options_match_statsmodels(missing, fft, adjusted, demean):
    """TS-ORDER: acovf with NaN handled by 'drop' / 'conservative' under every flag."""
    kw = dict(fft=fft, adjusted=adjusted, demean=demean, missing=missing)
    _close(acovf(YN, **kw), _st("acovf", YN, **kw))
    _close(acovf(YN, nlag=4, **kw), _st("acovf", YN, nlag=4, **kw))


def test_ts_order_acovf_missing_none_raise_and_complete_data():
    """TS-ORDER: 'conservative' / 'drop' on complete data equal 'none'; NaN raises with
    'none' / 'raise'; all-NaN after dropping raises."""
    for missing in ("none", "raise", "drop", "conservative"):
        _close(acovf(Y, missing=missing), _st("acovf", Y))
    with pytest.raises(ValueError, match="NaN"):
        acovf(YN)
    with pytest.raises(ValueError, match="NaN"):
        acovf(YN, missing="raise")
    with pytest.raises(ValueError, match="All observations are missing"):
        acovf(np.full(5, np.nan), missing="drop")
    with pytest.raises(ValueError, match="nlag must be at most nobs - 1 = 39; got 40"):
        acovf(Y, nlag=40)
    with pytest.raises(ValueError, match="nlag must be an integer >= 0"):
        acovf(Y, nlag=-1)
    for name in ("adjusted", "demean", "fft"):
        with pytest.raises(ValueError, match=f"{name} must be True or False; got 1"):
            acovf(Y, **{name: 1})
    assert acovf(Y, adjusted=np.bool_(True))[3] == pytest.approx(
        _st("acovf", Y, adjusted=True)[3], abs=1e-12
    )


@pytest.mark.parametrize("missing", ["drop", "conservative"])
@pytest.mark.parametrize("fft", [True, False])
@pytest.mark.parametrize("adjusted", [False, True])
def test_ts_order_acf_missing_options_match_statsmodels(missing, fft, adjusted):
    """TS-ORDER: acf with NaN: estimates, Bartlett / white-noise intervals (n counts the
    observed values) and Ljung-Box Q in statsmodels' shapes."""
    kw = dict(fft=fft, adjusted=adjusted, missing=missing, nlags=6)
    _close(acf(YN, **kw), _st("acf", YN, **kw))
    for extra in (dict(alpha=0.1), dict(alpha=0.2, bartlett_confint=False), dict(qstat=True)):
        ours, ref = acf(YN, **kw, **extra), _st("acf", YN, **kw, **extra, result_object=False)
        assert len(ours) == len(ref)
        for a, b in zip(ours, ref):
            _close(a, b, 1e-10)


def test_ts_order_acf_nlags_alpha_and_return_shapes():
    """TS-ORDER: acf default nlags = min(10 log10 n, n - 1) (also for tiny n), the lag
    bounds, the interval widths at alpha 0.01 and the result object with every part."""
    _close(acf(Y), _st("acf", Y))
    assert acf(Y).shape == (int(10 * np.log10(40)) + 1,)
    short = Y[:6]
    _close(acf(short), _st("acf", short))
    assert acf(short).shape == (6,)
    _close(acf(Y, nlags=39), _st("acf", Y, nlags=39))
    _close(acf(Y, nlags=0), _st("acf", Y, nlags=0))
    for kw in (dict(alpha=0.01), dict(alpha=0.01, bartlett_confint=False, nlags=3)):
        r, ci = acf(Y, **kw)
        r_ref, ci_ref = _st("acf", Y, **kw, result_object=False)
        _close(r, r_ref)
        _close(ci, ci_ref, 1e-10)
    res = acf(Y, nlags=4, alpha=0.05, qstat=True, result_object=True)
    ref = _st("acf", Y, nlags=4, alpha=0.05, qstat=True)
    assert isinstance(res, AcfResult)
    for a, b in zip(res, ref):
        _close(a, b, 1e-10)
    obj = acf(Y, nlags=4, qstat=True, result_object=True)
    assert isinstance(obj, AcfResult) and obj.confint is None and obj.qstat.shape == (4,)
    obj = acf(Y, nlags=4, alpha=0.05, result_object=True)
    assert isinstance(obj, AcfResult) and obj.qstat is None and obj.confint.shape == (5, 2)
    plain = acf(Y, nlags=4, result_object=False)
    assert isinstance(plain, np.ndarray)
    with pytest.raises(ValueError, match="constant"):
        acf(np.full(10, 3.0))
    with pytest.raises(ValueError, match="All observations are missing"):
        acf(np.full(5, np.nan), missing="conservative", nlags=2)
    with pytest.raises(ValueError, match="qstat must be True or False"):
        acf(Y, qstat="yes")
    with pytest.raises(ValueError, match="bartlett_confint must be True or False"):
        acf(Y, bartlett_confint=None)
    with pytest.raises(ValueError, match="adjusted must be True or False"):
        acf(Y, adjusted=0)


@pytest.mark.parametrize(
    "method", ["yw", "ywm", "ols", "ols-inefficient", "ols-adjusted", "ld", "ldb", "burg"]
)
def test_ts_order_pacf_short_series_every_method(method):
    """TS-ORDER: pacf of a 40-point series, default nlags, nlags = n // 2 and nlags 1,
    every method, with 0.1-level intervals (width z / sqrt(n), lag 0 fixed)."""
    for nlags in (None, 20, 1, 7):
        _close(pacf(Y, nlags, method), _st("pacf", Y, nlags, method), 1e-10)
    ours = pacf(Y, 5, method, alpha=0.1)
    ref = _st("pacf", Y, 5, method, alpha=0.1)
    assert isinstance(ours, PacfResult)
    _close(ours.pacf, ref[0], 1e-10)
    _close(ours.confint, ref[1], 1e-10)


def test_ts_order_pacf_nlags_bounds_and_errors():
    """TS-ORDER: pacf default nlags min(10 log10 n, n // 2 - 1); nlags 0 acts as 1;
    above n // 2 raises; a constant series raises; result_object=False gives an array."""
    assert pacf(Y).shape == (int(min(10 * np.log10(40), 19)) + 1,)
    _close(pacf(Y[:10]), _st("pacf", Y[:10]), 1e-10)
    assert pacf(Y[:10]).shape == (5,)
    _close(pacf(Y, 0), pacf(Y, 1))
    assert pacf(Y, 0).shape == (2,)
    with pytest.raises(ValueError, match="requested nlags 21 must be < 20"):
        pacf(Y, 21)
    with pytest.raises(ValueError, match="constant"):
        pacf(np.full(20, 2.0), 3)
    assert isinstance(pacf(Y, 3, result_object=False), np.ndarray)
    assert pacf(Y, 3, result_object=True).confint is None


def test_ts_order_q_stat_and_durbin_watson_options():
    """TS-ORDER: Ljung-Box Q closed form n (n + 2) sum r_j^2 / (n - j) and its chi2
    p-values vs statsmodels; durbin_watson along axis 0 and 1 of a matrix."""
    r = _st("acf", Y, nlags=6)[1:]
    for nobs in (40, 12):
        ours, ref = q_stat(r, nobs), _st("q_stat", r, nobs)
        _close(ours.statistic, ref[0], 1e-10)
        _close(ours.pvalue, ref[1], 1e-12)
    q = 40 * 42 * np.cumsum(r**2 / (40 - np.arange(1, 7)))
    _close(q_stat(r, 40)[0], q, 1e-10)
    with pytest.raises(ValueError, match="nobs must be an integer >= 1"):
        q_stat(r, 0)
    E = RNG.standard_normal((30, 3))
    _close(durbin_watson(E), sm_dw(E), 1e-14)
    _close(durbin_watson(E.T, axis=1), sm_dw(E.T, axis=1), 1e-14)
    assert durbin_watson(E.T, axis=1).shape == (3,)
    v = durbin_watson(E[:, 0])
    assert type(v) is float and v == pytest.approx(sm_dw(E[:, 0]), rel=1e-14)
    with pytest.raises(ValueError, match="NaN or inf"):
        durbin_watson(np.r_[1.0, np.nan])


def _direct_acovf(x, adjusted=False):
    """The defining sums gamma_k = sum_t (x_t - xbar)(x_{t-k} - xbar) / (n or n - k),
    evaluated directly (what fft=False promises)."""
    xo = x - x.mean()
    n = x.size
    sums = np.array([xo[k:] @ xo[: n - k] for k in range(n)])
    return sums / (n - np.arange(n) if adjusted else np.full(n, float(n)))


def test_ts_order_fft_false_is_the_direct_sum_and_fft_padding():
    """TS-ORDER: fft=False evaluates the defining sums exactly (bit for bit; acf passes
    the option on); fft=True agrees to rounding for every length, including n = 33 and
    n = 17, where too short a zero padding would wrap lag n - 1 onto itself."""
    for adjusted in (False, True):
        direct = _direct_acovf(Y, adjusted)
        np.testing.assert_array_equal(acovf(Y, adjusted=adjusted, fft=False), direct)
        r = acf(Y, adjusted=adjusted, fft=False, nlags=39)
        np.testing.assert_array_equal(r, direct / direct[0])
    for n in (2, 3, 5, 17, 33, 40):
        x = Y[:n]
        _close(acovf(x), _direct_acovf(x), 1e-13)
        _close(acovf(x), _st("acovf", x), 1e-13)


def test_ts_order_zero_lag_one_autocovariance_is_not_constant():
    """TS-ORDER: a series whose lag-1 autocovariance is exactly 0 (1, 0, -1, 0, ...) is
    not constant: acf and pacf return statsmodels' values instead of raising."""
    x = np.array([1.0, 0, -1, 0, 1, 0, -1, 0])
    _close(acf(x, fft=False, nlags=3), _st("acf", x, fft=False, nlags=3))
    for method in ("ywm", "yw", "ld", "ldb"):
        _close(pacf(x, 2, method), _st("pacf", x, 2, method))


def test_ts_order_messages_name_the_argument():
    """TS-ORDER: errors name the argument (x, missing, nlags, method) and the remedy."""
    nan_message = (
        r"x contains 4 NaN value\(s\) \(first at index 0\); "
        r"pass missing='drop' or missing='conservative' to handle them"
    )
    with pytest.raises(ValueError, match=nan_message):
        acf(YN)
    with pytest.raises(ValueError, match=r"x contains 4 NaN value"):
        acovf(YN)
    for method in ("yw", "burg", "ols", "ols-inefficient"):
        with pytest.raises(ValueError, match=r"x contains 4 NaN value"):
            pacf(YN, method=method)
    with pytest.raises(ValueError, match=r"x contains inf"):
        pacf(np.r_[Y, np.inf])
    with pytest.raises(ValueError, match="unknown missing 'skip'; valid choices"):
        acovf(Y, missing="skip")
    with pytest.raises(ValueError, match="unknown missing 'skip'; valid choices"):
        acf(Y, missing="skip")
    with pytest.raises(ValueError, match="nlags must be an integer >= 0; got -1"):
        acf(Y, nlags=-1)
    with pytest.raises(ValueError, match="nlags must be an integer >= 0; got 2.5"):
        pacf(Y, nlags=2.5)
    with pytest.raises(ValueError, match="unknown method 'mle'; valid choices"):
        pacf(Y, method="mle")
    assert type(durbin_watson(Y)) is float
