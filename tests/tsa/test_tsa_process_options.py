"""TS-ARIMA: every option of ArmaProcess / arma_generate_sample against statsmodels
(axis with burn-in, scale, distrvs, tuple sizes, default polynomials, impulse-response
lengths), and TS-ORDER: select_d / auto_arima options (max_d, alpha, d, ic, grid bounds)
against statsmodels' adfuller and ARIMA (issue 24)."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ArmaProcess, arma_generate_sample, auto_arima, select_d

sm_proc = pytest.importorskip("statsmodels.tsa.arima_process")
sm_st = pytest.importorskip("statsmodels.tsa.stattools")
sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")

AR, MA = [1, -0.5, 0.2], [1, 0.4]


def _seeded(fn, seed=99):
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        return fn()
    finally:
        np.random.set_state(state)


@pytest.mark.parametrize(
    "kw",
    [
        dict(nsample=(3, 20), axis=1, burnin=5),
        dict(nsample=(20, 2), axis=0, burnin=7, scale=0.5),
        dict(nsample=(2, 3, 10), axis=2, burnin=1),
        dict(nsample=12, burnin=0, scale=3.0),
        dict(nsample=np.int64(8)),
    ],
    ids=range(5),
)
def test_ts_arma_generate_sample_options_match_statsmodels(kw):
    """TS-ARIMA: the same draws from the same seed for every axis / burnin / scale."""
    ours = _seeded(lambda: arma_generate_sample(AR, MA, **kw))
    ref = _seeded(lambda: sm_proc.arma_generate_sample(AR, MA, **kw))
    np.testing.assert_array_equal(ours, ref)
    p_ours = _seeded(lambda: ArmaProcess(AR, MA).generate_sample(**kw))
    np.testing.assert_array_equal(p_ours, ref)


def test_ts_arma_generate_sample_distrvs_and_errors():
    """TS-ARIMA: a custom distrvs is called with size= the full shape (burn-in
    included) and scaled; bad sizes name the argument."""
    sizes = []

    def ones(size):
        sizes.append(size)
        return np.ones(size)

    out = arma_generate_sample([1.0], [1.0, 0.5], 6, scale=2.0, distrvs=ones, burnin=3)
    assert sizes == [(9,)]  # before the reference call below adds its own
    np.testing.assert_array_equal(out, [3.0] * 6)
    ref = sm_proc.arma_generate_sample([1.0], [1.0, 0.5], 6, scale=2.0, distrvs=ones, burnin=3)
    np.testing.assert_array_equal(out, ref)
    with pytest.raises(ValueError, match="nsample must be an integer >= 1; got 0"):
        arma_generate_sample(AR, MA, 0)
    with pytest.raises(ValueError, match="burnin must be an integer >= 0; got -1"):
        arma_generate_sample(AR, MA, 5, burnin=-1)


def test_ts_arma_process_defaults_roots_and_impulse_response():
    """TS-ARIMA: ArmaProcess defaults ([1], [1], nobs 100), from_coeffs, roots,
    stationarity / invertibility on both sides of the unit circle, impulse response of
    the default length nobs and of a given one (arma2ma the same)."""
    ours, ref = ArmaProcess(), sm_proc.ArmaProcess()
    np.testing.assert_array_equal(ours.ar, ref.ar)
    np.testing.assert_array_equal(ours.ma, ref.ma)
    assert ours.nobs == ref.nobs == 100
    np.testing.assert_allclose(ours.impulse_response(), ref.impulse_response())
    p = ArmaProcess(AR, MA, nobs=7)
    r = sm_proc.ArmaProcess(AR, MA, nobs=7)
    assert p.impulse_response().shape == (7,)
    np.testing.assert_allclose(p.impulse_response(), r.impulse_response(), rtol=1e-12)
    np.testing.assert_allclose(p.arma2ma(5), r.arma2ma(5), rtol=1e-12)
    np.testing.assert_allclose(p.arcoefs, r.arcoefs)
    np.testing.assert_allclose(p.macoefs, r.macoefs)
    np.testing.assert_allclose(np.sort_complex(p.maroots), np.sort_complex(r.maroots))
    assert repr(p) == "ArmaProcess([1.0, -0.5, 0.2], [1.0, 0.4], nobs=7)"
    for ar, ma in (([1, -1.0], [1, 1.0]), ([1, -0.999], [1, 0.999]), ([1, -1.001], [1, 1.001])):
        mine, theirs = ArmaProcess(ar, ma), sm_proc.ArmaProcess(ar, ma)
        assert mine.isstationary == theirs.isstationary
        assert mine.isinvertible == theirs.isinvertible
    c = ArmaProcess.from_coeffs([0.5, -0.2], [0.4], nobs=9)
    rc = sm_proc.ArmaProcess.from_coeffs([0.5, -0.2], [0.4], nobs=9)
    np.testing.assert_array_equal(c.ar, rc.ar)
    np.testing.assert_array_equal(c.ma, rc.ma)
    assert c.nobs == 9
    empty = ArmaProcess.from_coeffs()
    np.testing.assert_array_equal(empty.ar, [1.0])
    np.testing.assert_array_equal(empty.ma, [1.0])
    only_ma = ArmaProcess.from_coeffs(macoefs=[0.3])
    np.testing.assert_array_equal(only_ma.ar, [1.0])
    np.testing.assert_array_equal(only_ma.ma, [1.0, 0.3])
    for bad in (dict(ar=[0.0, 0.5]), dict(ar=[]), dict(ma=[])):
        with pytest.raises(ValueError, match="non-zero zero-lag coefficient"):
            ArmaProcess(**bad)
    with pytest.raises(ValueError, match="leads must be an integer >= 1"):
        p.impulse_response(-2)


WALK = np.cumsum(np.random.default_rng(4).standard_normal(60))


def _sm_pvalues(y, max_d):
    return [
        sm_st.adfuller(np.diff(y, n=k), regression="c", autolag="AIC", result_object=True).pvalue
        for k in range(max_d + 1)
    ]


def test_ts_order_select_d_options():
    """TS-ORDER: select_d stops at the first p-value below alpha (statsmodels' ADF), caps
    at max_d, and alpha moves the decision."""
    pv = _sm_pvalues(WALK, 2)
    for alpha in (0.05, 0.5, 0.99, 1e-12):
        want = next((k for k, p in enumerate(pv) if p < alpha), 2)
        d, tests = select_d(WALK, alpha=alpha)
        assert d == want
        assert [t.pvalue for t in tests] == pytest.approx(pv[: len(tests)], abs=1e-10)
        assert len(tests) == min(want + 1, 3)
    assert select_d(WALK, max_d=0, alpha=1e-12)[0] == 0
    d, tests = select_d(WALK, max_d=1, alpha=1e-300)
    assert d == 1 and len(tests) == 2


def test_ts_order_auto_arima_options():
    """TS-ORDER: auto_arima with ic bic / hqic, a fixed d and grid bounds picks the
    minimum of statsmodels' criteria over the same grid."""
    y = WALK[:40]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = {(p, q): sm_arima.ARIMA(y, order=(p, 1, q)).fit() for p in range(2) for q in range(2)}
        for ic in ("bic", "hqic", "aic"):
            sel = auto_arima(y, max_p=1, max_q=1, d=1, ic=ic)
            crit = {k: getattr(r, ic) for k, r in ref.items()}
            best = min(crit, key=crit.get)
            assert sel.order == (best[0], 1, best[1])
            assert sorted(sel.table) == sorted(crit)
            for k in crit:
                assert sel.table[k] == pytest.approx(crit[k], rel=1e-6)
            assert sel.adf == []
        sel = auto_arima(y, max_p=0, max_q=1, max_d=1, alpha=0.5)
    pv = _sm_pvalues(y, 1)
    d = next((k for k, p in enumerate(pv) if p < 0.5), 1)
    assert sel.order[1] == d and len(sel.adf) == d + 1
    assert sorted(sel.table) == [(0, 0), (0, 1)]
    for name in ("max_p", "max_q", "max_d"):
        with pytest.raises(ValueError, match=f"{name} must be a non-negative integer; got -1"):
            auto_arima(y, **{name: -1})
        with pytest.raises(ValueError, match=f"{name} must be a non-negative integer; got 1.5"):
            auto_arima(y, **{name: 1.5})
    with pytest.raises(ValueError, match="unknown ic 'r2'"):
        auto_arima(y, ic="r2")
    with pytest.raises(ValueError, match="y contains"):
        select_d(np.r_[y, np.nan])
