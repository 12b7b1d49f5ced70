"""ML-LINREG lasso / elastic net options against scikit-learn 1.9: alpha, l1_ratio (0, 1
and between), fit_intercept, sample_weight, multi-target y, both sweep forms (n ≥ 2d
Gram form, n < 2d residual form), tol / max_iter with n_iter_ and ConvergenceWarning, the
duality gap (lasso, elastic net, ridge and least-squares forms) and bad options."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from gradkit.ml.exceptions import ConvergenceWarning
from gradkit.ml.linear_model import ElasticNet, Lasso, enet_coordinate_descent
from gradkit.ml.linear_model._coordinate_descent import _duality_gap

sk_lm = pytest.importorskip("sklearn.linear_model")

_rng = np.random.default_rng(5)
SHAPES = {"gram": (40, 4), "residual": (10, 8)}
DATA = {}
for _k, (_n, _d) in SHAPES.items():
    _X = _rng.normal(size=(_n, _d))
    _X[:, 0] += 2.0
    _Y = _X @ _rng.normal(size=(_d, 2)) + _rng.normal(size=(_n, 2)) + [1.0, -1.0]
    DATA[_k] = (_X, _Y, np.linspace(0.3, 2.0, _n))

OPTIONS = [
    {"alpha": 0.1},
    {"alpha": 0.05, "l1_ratio": 0.3},
    {"alpha": 0.2, "l1_ratio": 0.0},
    {"alpha": 0.05, "l1_ratio": 1.0, "fit_intercept": False},
    {"alpha": 100.0},
    {"alpha": 0.1, "max_iter": 3},
    {"alpha": 0.02, "l1_ratio": 0.7, "tol": 1e-9},
]


def sk_fit(X, y, sw, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sk_lm.ElasticNet(**kw).fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("form", ["gram", "residual"])
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_ml_enet_matches_sklearn_path_and_n_iter(form, opts):
    """ML-LINREG: the same sweeps as scikit-learn: coefficients, intercept and n_iter_."""
    X, Y, sw = DATA[form]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = ElasticNet(**opts).fit(X, Y[:, 0], sample_weight=sw)
    ref = sk_fit(X, Y[:, 0], sw, **opts)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-12)
    assert np.ndim(ours.intercept_) == np.ndim(ref.intercept_) == 0
    assert ours.coef_.shape == ref.coef_.shape
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-12)
    assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0)


@pytest.mark.parametrize("form", ["gram", "residual"])
def test_ml_enet_multi_target_and_column_target(form):
    """ML-LINREG: two targets fit one by one (n_iter_ per target); a (n, 1) target gives
    scikit-learn's (d,) coef_ and (1,) intercept_; no intercept gives intercept_ 0.0."""
    X, Y, sw = DATA[form]
    ours = ElasticNet(alpha=0.1, tol=1e-8).fit(X, Y, sample_weight=sw)
    ref = sk_fit(X, Y, sw, alpha=0.1, tol=1e-8)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-12)
    assert list(ours.n_iter_) == list(ref.n_iter_)
    col = ElasticNet(alpha=0.1).fit(X, Y[:, :1])
    refc = sk_fit(X, Y[:, :1], None, alpha=0.1)
    assert col.coef_.shape == refc.coef_.shape == (X.shape[1],)
    assert np.shape(col.intercept_) == np.shape(refc.intercept_)
    np.testing.assert_allclose(col.coef_, refc.coef_, atol=1e-12)
    assert col.n_iter_ == refc.n_iter_
    no_b = Lasso(alpha=0.1, fit_intercept=False).fit(X, Y)
    refn = sk_lm.Lasso(alpha=0.1, fit_intercept=False).fit(X, Y)
    assert no_b.intercept_ == refn.intercept_ == 0.0
    np.testing.assert_allclose(no_b.coef_, refn.coef_, atol=1e-12)


@pytest.mark.parametrize("form", ["gram", "residual"])
def test_ml_lasso_is_elastic_net_with_l1_ratio_one(form):
    """ML-LINREG: Lasso(α) = ElasticNet(α, l1_ratio=1) = sklearn's Lasso."""
    X, Y, sw = DATA[form]
    ours = Lasso(alpha=0.07, tol=1e-10).fit(X, Y[:, 1], sample_weight=sw)
    assert ours.l1_ratio == 1.0
    ref = sk_lm.Lasso(alpha=0.07, tol=1e-10).fit(X, Y[:, 1], sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-12)
    assert ours.n_iter_ == ref.n_iter_


def test_ml_enet_max_iter_warns_with_convergence_warning():
    """ML-LINREG: stopping at max_iter above tol warns (ConvergenceWarning, as sklearn)."""
    X, Y, _ = DATA["residual"]
    with pytest.warns(ConvergenceWarning, match="^ElasticNet did not converge in 2 sweeps") as rec:
        ElasticNet(alpha=0.01, max_iter=2, tol=1e-12).fit(X, Y[:, 0])
    if "MUTANT_UNDER_TEST" not in os.environ:  # mutmut's trampolines add frames
        assert rec[0].filename == __file__  # stacklevel: the warning points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ElasticNet(alpha=0.01, max_iter=1000, tol=1e-4).fit(X, Y[:, 0])
        ElasticNet(alpha=0.2, l1_ratio=0.0).fit(X, Y[:, 0])  # ridge: formulation B gap


def test_ml_enet_constant_column_is_skipped():
    """ML-LINREG: an all-zero column keeps a zero coefficient (both sweep forms)."""
    for form in ("gram", "residual"):
        X, Y, _ = DATA[form]
        Xz = X.copy()
        Xz[:, 1] = 0.0
        ours = ElasticNet(alpha=0.05, fit_intercept=False, tol=1e-10).fit(Xz, Y[:, 0])
        ref = sk_fit(Xz, Y[:, 0], None, alpha=0.05, fit_intercept=False, tol=1e-10)
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-12)
        assert ours.coef_[1] == 0.0


def _primal(X, y, w, l1, l2):
    r = y - X @ w
    return r @ r / (2 * len(y)) + l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w)


@pytest.mark.parametrize(("l1", "l2"), [(0.1, 0.0), (0.05, 0.2), (0.0, 0.3), (0.0, 0.0)])
def test_ml_enet_duality_gap_bounds_suboptimality(l1, l2):
    """ML-LINREG: the gap is ≥ P(w) − P(w*) ≥ 0 at any w and 0 at the optimum; at w = 0
    with l1 ≥ ‖Xᵀy/n‖∞ (the lasso's zero solution) it is exactly 0."""
    X, Y, _ = DATA["gram"]
    y = Y[:, 0] - Y[:, 0].mean()
    Xc = X - X.mean(0)
    n = len(y)
    w_star, it, gap = enet_coordinate_descent(Xc, y, l1, l2, 100_000, 1e-14)
    assert gap <= 1e-14 * (y @ y) / n and it >= 1
    for w in (np.zeros(4), w_star + 0.05, w_star - np.array([0.1, 0.0, 0.2, 0.0])):
        g = _duality_gap(Xc, y, w, y - Xc @ w, l1, l2)
        sub = _primal(Xc, y, w, l1, l2) - _primal(Xc, y, w_star, l1, l2)
        if l1 == 0 and l2 == 0:  # least squares: the first-order residual ‖Xᵀr‖²/n
            r = y - Xc @ w
            np.testing.assert_allclose(g, (Xc.T @ r) @ (Xc.T @ r) / n, rtol=1e-12)
        else:
            assert g >= sub - 1e-12 and sub >= -1e-12
            if l1 > 0:  # formulation A: primal minus the scaled dual point's value
                r = y - Xc @ w
                xtr = np.abs(Xc.T @ r / n - l2 * w).max()
                s = min(1.0, l1 / xtr)
                dual = -0.5 * s**2 * (r @ r / n + l2 * w @ w) + s * (r @ y) / n
                np.testing.assert_allclose(g, _primal(Xc, y, w, l1, l2) - dual, rtol=1e-12)
    big = np.abs(Xc.T @ y / n).max()
    assert _duality_gap(Xc, y, np.zeros(4), y, big, 0.0) == pytest.approx(0.0, abs=1e-12)
    w0, it0, _ = enet_coordinate_descent(Xc, y, big * 1.01, 0.0, 10, 1e-4)
    assert it0 == 0 and np.all(w0 == 0)


def test_ml_enet_bad_options():
    X, Y, _ = DATA["gram"]
    for bad in (-0.1, 1.1):
        with pytest.raises(ValueError, match="l1_ratio"):
            ElasticNet(l1_ratio=bad).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="alpha must be non-negative"):
        ElasticNet(alpha=-1e-3).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="^ElasticNet.*`max_iter`"):
        ElasticNet(max_iter=0).fit(X, Y[:, 0])
    with pytest.raises(TypeError, match="^Lasso.*`max_iter`"):
        Lasso(max_iter=2.5).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="^ElasticNet.*`tol`"):
        ElasticNet(tol=-1e-3).fit(X, Y[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ElasticNet(max_iter=1, tol=0.0).fit(X, Y[:, 0])  # boundaries are valid
    ElasticNet(alpha=0.0, l1_ratio=0.0).fit(X, Y[:, 0])
    ElasticNet(alpha=0.1, l1_ratio=1.0).fit(X, Y[:, 0])


@pytest.mark.parametrize("form", ["gram", "residual"])
@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-8])
def test_ml_enet_returned_gap_meets_the_tolerance(form, tol):
    """ML-LINREG: a converged run returns a duality gap ≤ tol·‖y‖²/n (the documented bound,
    scikit-learn's tol·‖y‖² divided by n), for the lasso and the elastic net."""
    X, Y, _ = DATA[form]
    y = Y[:, 0] - Y[:, 0].mean()
    n = len(y)
    for l1, l2 in ((0.05, 0.0), (0.02, 0.05)):
        w, it, gap = enet_coordinate_descent(X, y, l1, l2, 10_000, tol)
        assert 1 <= it < 10_000
        assert gap <= tol * (y @ y) / n
        np.testing.assert_allclose(
            gap, _duality_gap(X, y, w, y - X @ w, l1, l2), rtol=1e-6, atol=1e-15
        )


@pytest.mark.parametrize("n", [8, 4])  # 8 × 2: the Gram form; 4 × 3: the residual form
def test_ml_enet_exact_convergence_with_tol_zero(n):
    """ML-LINREG: orthogonal ±1 columns and y in their span are solved exactly in one
    sweep; the second sweep changes nothing and the gap is exactly 0, so even tol=0
    stops there (≤ tests), as scikit-learn's: n_iter_ = 2. A column with ‖x_j‖²/n = 1
    exactly is swept like any other."""
    H = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]], float)
    Xo = np.vstack([H[:, :2], H[:, :2]]) if n == 8 else H[:, :3]
    for coef in (np.arange(1.0, Xo.shape[1] + 1.0), 2.0 ** -np.arange(Xo.shape[1] - 1.0, -1, -1)):
        y = Xo @ coef  # the second has max|w| = 1 exactly after the first sweep
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)  # 2 sweeps suffice
            ours = Lasso(alpha=0.0, tol=0.0, fit_intercept=False, max_iter=2).fit(Xo, y)
        ref = sk_lm.Lasso(alpha=0.0, tol=0.0, fit_intercept=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref.fit(Xo, y)
        np.testing.assert_array_equal(ours.coef_, coef)
        assert ours.n_iter_ == ref.n_iter_ == 2
        free = Lasso(alpha=0.0, tol=0.0, fit_intercept=False).fit(Xo, y)  # max_iter 1000
        assert free.n_iter_ == 2
    # α ≥ ‖Xᵀy‖∞/n: w = 0 has a gap of exactly 0, so even tol=0 stops before any sweep
    big = Lasso(alpha=100.0, tol=0.0, fit_intercept=False).fit(Xo, y)
    big_ref = sk_lm.Lasso(alpha=100.0, tol=0.0, fit_intercept=False).fit(Xo, y)
    assert big.n_iter_ == big_ref.n_iter_ == 0 and np.all(big.coef_ == 0)
    en = ElasticNet(alpha=0.1, l1_ratio=0.5, fit_intercept=False, tol=1e-12).fit(Xo, y)
    en_ref = sk_fit(Xo, y, None, alpha=0.1, l1_ratio=0.5, fit_intercept=False, tol=1e-12)
    np.testing.assert_allclose(en.coef_, en_ref.coef_, atol=1e-12)
    assert np.all(en.coef_ != 0)


def test_ml_enet_defaults_and_sparse_input():
    """ML-LINREG: ElasticNet / Lasso defaults are scikit-learn's; scipy.sparse X gives the
    dense fit."""
    sp = pytest.importorskip("scipy.sparse")
    for ours, ref in ((ElasticNet(), sk_lm.ElasticNet()), (Lasso(), sk_lm.Lasso())):
        params = ours.get_params()
        for key in ("alpha", "l1_ratio", "fit_intercept", "max_iter", "tol"):
            if key in params:
                assert params[key] == ref.get_params()[key], (type(ours).__name__, key)
    X, Y, sw = DATA["gram"]
    Xs = sp.csr_matrix(np.where(np.abs(X) < 0.5, 0.0, X))
    ours = ElasticNet(alpha=0.05).fit(Xs, Y[:, 0], sample_weight=sw)
    ref = sk_fit(Xs.toarray(), Y[:, 0], sw, alpha=0.05)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-12)
    np.testing.assert_allclose(ours.predict(Xs), ref.predict(Xs.toarray()), atol=1e-12)


def test_ml_enet_gram_form_gap_tolerance_scales_with_n():
    """ML-LINREG: the Gram form stops on the same gap bound tol·‖y‖²/n as scikit-learn:
    a case (49 × 12, loose tol) where a bound n² times looser stops one sweep early."""
    rng = np.random.default_rng(0)
    for _ in range(24):  # the 24th draw of this generator is the case
        n = int(rng.integers(8, 60))
        d = int(rng.integers(1, n // 2 + 1))
        Xr = rng.normal(size=(n, d)) * rng.uniform(0.1, 3, size=d)
        yr = Xr @ rng.normal(size=d) + rng.normal(size=n) * rng.uniform(0.1, 3)
        l1 = float(rng.uniform(0, 0.5))
        l2 = float(rng.uniform(0, 0.5)) * rng.integers(0, 2)
        tol = float(10 ** rng.uniform(-4, -0.3))
    assert (n, d) == (49, 12) and n >= 2 * d
    alpha, ratio = l1 + l2, l1 / (l1 + l2)
    ours = ElasticNet(alpha=alpha, l1_ratio=ratio, tol=tol, fit_intercept=False).fit(Xr, yr)
    ref = sk_fit(Xr, yr, None, alpha=alpha, l1_ratio=ratio, tol=tol, fit_intercept=False)
    assert ours.n_iter_ == ref.n_iter_ == 7
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-12)
    # the warning reads the same bound: 7 sweeps converge silently, 6 do not
    kw = {"alpha": alpha, "l1_ratio": ratio, "tol": tol, "fit_intercept": False}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ElasticNet(max_iter=7, **kw).fit(Xr, yr)
    with pytest.warns(ConvergenceWarning):
        ElasticNet(max_iter=6, **kw).fit(Xr, yr)


@pytest.mark.parametrize("form", ["gram", "residual"])
def test_ml_enet_no_sweep_returns_the_gap_at_zero(form):
    """ML-LINREG: max_iter = 0 runs no sweep: w = 0, n_iter 0 and the duality gap at w = 0
    (the same in both sweep forms)."""
    X, Y, _ = DATA[form]
    y = Y[:, 0]
    w, it, gap = enet_coordinate_descent(X, y, 0.01, 0.02, 0, 1e-4)
    assert it == 0 and np.all(w == 0)
    assert gap == pytest.approx(_duality_gap(X, y, np.zeros(X.shape[1]), y, 0.01, 0.02))
