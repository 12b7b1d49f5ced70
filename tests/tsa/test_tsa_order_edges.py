"""TS-ORDER: auto_arima / select_d edges (issue 24): the documented defaults, alpha
reaching the ADF decision inside auto_arima (statsmodels' adfuller p-values as the
oracle), the chosen model returned fitted (statsmodels' estimates at the chosen order),
and bad input named as 'y'."""

import inspect
import warnings

import numpy as np
import pytest

from gradkit.tsa import auto_arima, select_d

sm_st = pytest.importorskip("statsmodels.tsa.stattools")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

WALK = np.cumsum(np.random.default_rng(4).standard_normal(60))


def test_ts_order_defaults():
    """TS-ORDER: max_p = max_q = 3, max_d = 2, ic 'aic', alpha 0.05 (select_d: 2, 0.05)."""
    got = {k: v.default for k, v in inspect.signature(auto_arima).parameters.items()}
    assert got == {
        "y": inspect.Parameter.empty,
        "max_p": 3,
        "max_q": 3,
        "max_d": 2,
        "d": None,
        "ic": "aic",
        "alpha": 0.05,
    }
    sd = inspect.signature(select_d).parameters
    assert (sd["max_d"].default, sd["alpha"].default) == (2, 0.05)


def test_ts_order_alpha_reaches_the_adf_decision():
    """TS-ORDER: auto_arima's d is the first difference order whose ADF p-value
    (statsmodels) is below alpha, for alphas on both sides of the levels' p-value; the
    result is the chosen order fitted (statsmodels' estimates)."""
    y = WALK[:40]
    p0 = sm_st.adfuller(y, regression="c", autolag="AIC")[1]
    p1 = sm_st.adfuller(np.diff(y), regression="c", autolag="AIC")[1]
    assert p1 < 0.05 < p0 < 0.99
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alpha, d in ((0.05, 1), (0.99, 0)):
            sel = auto_arima(y, max_p=0, max_q=1, max_d=1, alpha=alpha)
            assert sel.order[1] == d
            assert len(sel.adf) == d + 1
            ref = sm_arima.ARIMA(y, order=sel.order).fit()
            np.testing.assert_allclose(sel.result.params, ref.params, rtol=1e-4, atol=1e-6)
            assert sel.result.order == sel.order


def test_ts_order_bad_input_names_y():
    """TS-ORDER: NaN in the series is reported for 'y' by both functions."""
    bad = np.r_[WALK[:20], np.nan]
    for fn in (auto_arima, select_d):
        with pytest.raises(ValueError, match="^y contains 1 NaN"):
            fn(bad)


def test_ts_order_default_level_and_cap_decide():
    """TS-ORDER: without alpha / max_d, select_d and auto_arima test at 0.05 and stop at
    d = 2 (statsmodels' ADF p-values as the oracle)."""
    y = WALK[:40]
    assert select_d(y)[0] == 1
    cubic = np.cumsum(np.cumsum(np.cumsum(np.random.default_rng(7).standard_normal(40))))
    pv = [sm_st.adfuller(np.diff(cubic, n=k), regression="c", autolag="AIC")[1] for k in range(3)]
    assert min(pv) > 0.05
    d, tests = select_d(cubic)
    assert d == 2 and len(tests) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert auto_arima(y, max_p=0, max_q=0).order == (0, 1, 0)
        assert auto_arima(cubic, max_p=0, max_q=0).order == (0, 2, 0)
