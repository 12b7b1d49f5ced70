"""ML-RIDGE options against scikit-learn 1.9 and the closed form: every solver, alpha,
fit_intercept, sample_weight, multi-target y, sparse X (implicit centring), the dual form
(d > n), tol / max_iter of sparse_cg, and RidgeClassifier's class_weight and labels."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradkit.ml.linear_model import Ridge, RidgeClassifier

sk_lm = pytest.importorskip("sklearn.linear_model")
sp = pytest.importorskip("scipy.sparse")

_rng = np.random.default_rng(3)
X = _rng.normal(size=(30, 4)) + np.array([1.0, -2.0, 0.5, 3.0])
X[_rng.random(X.shape) < 0.3] = 0.0  # some zeros, so the sparse copies are sparse
Y = np.column_stack([X @ [1.0, -2.0, 0.5, 0.0] + 2.0, X @ [0.0, 1.0, 1.0, -1.0] - 1.0])
Y += 0.3 * _rng.normal(size=Y.shape)
SW = np.linspace(0.3, 2.0, 30)
XW = _rng.normal(size=(6, 10))  # d > n: the dual system
YW = _rng.normal(size=6)


def closed_form(Xm, y, alpha, sw, fit_intercept):
    """w = (X̃ᵀSX̃ + αI)⁻¹ X̃ᵀS ỹ on weighted-centred data, b = ȳ − x̄ᵀw."""
    sw = np.ones(len(Xm)) if sw is None else sw
    if fit_intercept:
        xm, ym = sw @ Xm / sw.sum(), sw @ y / sw.sum()
    else:
        xm, ym = np.zeros(Xm.shape[1]), np.zeros(y.shape[1:])
    Xc, yc = Xm - xm, y - ym
    A = Xc.T @ (sw[:, None] * Xc) + alpha * np.eye(Xm.shape[1])
    w = np.linalg.solve(A, Xc.T @ (sw[:, None] * yc) if y.ndim > 1 else Xc.T @ (sw * yc))
    return w.T, ym - xm @ w


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "sparse_cg"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("target", ["1d", "2d"])
def test_ml_ridge_solvers_match_closed_form_and_sklearn(solver, fit_intercept, target):
    """ML-RIDGE: every solver, weighted, one or two targets: the closed form and sklearn."""
    y = Y[:, 0] if target == "1d" else Y
    ours = Ridge(alpha=0.7, fit_intercept=fit_intercept, solver=solver, tol=1e-12)
    ours.fit(X, y, sample_weight=SW)
    ref = sk_lm.Ridge(alpha=0.7, fit_intercept=fit_intercept, solver=solver, tol=1e-12)
    ref.fit(X, y, sample_weight=SW)
    w, b = closed_form(X, y, 0.7, SW, fit_intercept)
    np.testing.assert_allclose(ours.coef_, w, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, b, atol=1e-8)
    assert np.shape(ours.coef_) == np.shape(ref.coef_)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-8)
    assert ours.solver_ == (solver if solver != "auto" else "cholesky")


@pytest.mark.parametrize("solver", ["auto", "cholesky", "sparse_cg"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ml_ridge_sparse_input_equals_dense(solver, fit_intercept):
    """ML-RIDGE: scipy.sparse X (centring kept implicit) gives the dense closed form."""
    Xs = sp.csr_matrix(X)
    ours = Ridge(alpha=0.5, fit_intercept=fit_intercept, solver=solver, tol=1e-12)
    ours.fit(Xs, Y, sample_weight=SW)
    w, b = closed_form(X, Y, 0.5, SW, fit_intercept)
    np.testing.assert_allclose(ours.coef_, w, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, b, atol=1e-7)
    np.testing.assert_allclose(ours.predict(Xs), X @ w.T + b, atol=1e-7)
    expect = "cholesky" if solver == "cholesky" and not fit_intercept else "sparse_cg"
    assert ours.solver_ == expect


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("solver", ["cholesky", "svd", "sparse_cg"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ml_ridge_dual_form_when_more_features(solver, sparse, fit_intercept):
    """ML-RIDGE: d > n solves the n×n dual system; same w as the primal closed form."""
    if sparse and solver == "svd":
        pytest.skip("svd needs dense X")
    Xm = sp.csr_matrix(XW) if sparse else XW
    ours = Ridge(alpha=0.4, solver=solver, fit_intercept=fit_intercept, tol=1e-12)
    ours.fit(Xm, YW, sample_weight=SW[:6])
    w, b = closed_form(XW, YW, 0.4, SW[:6], fit_intercept)
    np.testing.assert_allclose(ours.coef_, w, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, b, atol=1e-7)


@pytest.mark.parametrize("sparse", [False, True])
def test_ml_ridge_sparse_cg_tol_and_max_iter_as_sklearn(sparse):
    """ML-RIDGE: sparse_cg stops where scikit-learn's does (same tol, same max_iter)."""
    Xm = sp.csr_matrix(X) if sparse else X
    for kw in ({"tol": 1e-1}, {"tol": 1e-12, "max_iter": 2}, {"tol": 1e-12, "max_iter": 3}):
        ours = Ridge(alpha=0.1, solver="sparse_cg", **kw).fit(Xm, Y[:, 0])
        ref = sk_lm.Ridge(alpha=0.1, solver="sparse_cg", **kw).fit(Xm, Y[:, 0])
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-9)
        exact = closed_form(X, Y[:, 0], 0.1, None, True)[0]
        assert np.abs(ours.coef_ - exact).max() > 1e-6  # stopped early: tol/max_iter act
    # the dual (d > n) system runs to tol (scikit-learn passes no maxiter there)
    ours = Ridge(alpha=0.1, solver="sparse_cg", tol=1e-1, max_iter=1).fit(XW, YW)
    ref = sk_lm.Ridge(alpha=0.1, solver="sparse_cg", tol=1e-1, max_iter=1).fit(XW, YW)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)


def test_ml_ridge_alpha_zero_rank_deficient_gives_minimum_norm():
    """ML-RIDGE: α = 0 with an all-zero column (XᵀX exactly singular): the Cholesky
    solve fails and falls back to the minimum-norm least-squares solution; svd drops the
    zero singular value. Both equal lstsq's, with 0 for the empty column, as sklearn's."""
    Xz = np.column_stack([X[:, 0], np.zeros(30), X[:, 1]])
    y = Y[:, 0]
    ref = np.linalg.lstsq(Xz, y, rcond=None)[0]
    for solver in ("cholesky", "svd"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = Ridge(alpha=0.0, solver=solver, fit_intercept=False).fit(Xz, y)
            sk = sk_lm.Ridge(alpha=0.0, solver=solver, fit_intercept=False).fit(Xz, y)
        np.testing.assert_allclose(ours.coef_, ref, atol=1e-8)
        np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-8)
    # svd keeps small but nonzero singular values: a tiny α still reaches the closed form
    ours = Ridge(alpha=1e-3, solver="svd", fit_intercept=False).fit(Xz * 1e-7, y)
    w, _ = closed_form(Xz[:, [0, 2]] * 1e-7, y, 1e-3, None, False)
    np.testing.assert_allclose(ours.coef_, [w[0], 0.0, w[1]], rtol=1e-8)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("class_weight", [None, "balanced", "dict"])
def test_ml_ridge_classifier_matches_sklearn(k, class_weight, sparse):
    """ML-RIDGE: RidgeClassifier (±1 targets, class_weight, sample_weight) = sklearn's."""
    labels = np.array(["x", "y", "z"])[:k]
    y = labels[np.digitize(Y[:, 0], np.quantile(Y[:, 0], [0.4, 0.7])[: k - 1])]
    cw = {"x": 2.0, "y": 0.5, "z": 1.5} if class_weight == "dict" else class_weight
    if isinstance(cw, dict):
        cw = {c: v for c, v in cw.items() if c in labels}
    Xm = sp.csr_matrix(X) if sparse else X
    ours = RidgeClassifier(alpha=0.8, class_weight=cw, tol=1e-12).fit(Xm, y, sample_weight=SW)
    ref = sk_lm.RidgeClassifier(alpha=0.8, class_weight=cw, tol=1e-12)
    ref.fit(Xm, y, sample_weight=SW)
    assert ours.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-7)
    np.testing.assert_allclose(ours.decision_function(Xm), ref.decision_function(Xm), atol=1e-7)
    np.testing.assert_array_equal(ours.predict(Xm), ref.predict(Xm))
    np.testing.assert_array_equal(ours.classes_, ref.classes_)


def test_ml_ridge_bad_options():
    y = Y[:, 0]
    with pytest.raises(ValueError, match="alpha must be a non-negative"):
        Ridge(alpha=-0.1).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be a non-negative"):
        Ridge(alpha=np.ones((2, 2))).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be a scalar"):
        Ridge(alpha=[1.0, 2.0]).fit(X, Y)
    with pytest.raises(ValueError, match="positive"):
        Ridge(positive=True).fit(X, y)
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="max_iter"):
            Ridge(max_iter=bad).fit(X, y)
    Ridge(max_iter=1, solver="sparse_cg").fit(X, y)  # the smallest valid max_iter
    with pytest.raises(TypeError, match="svd.*dense"):
        Ridge(solver="svd").fit(sp.csr_matrix(X), y)
    with pytest.raises(ValueError, match=r"Unknown solver='lsqr'"):
        Ridge(solver="lsqr").fit(X, y)
    for solver in ("auto", "cholesky", "svd"):  # the direct solvers report no iterations
        assert Ridge(solver=solver).fit(X, y).n_iter_ is None
        assert sk_lm.Ridge(solver=solver).fit(X, y).n_iter_ is None
    with pytest.raises(ValueError, match="greater than one"):
        RidgeClassifier().fit(X, np.zeros(30))
    Xcopy = X.copy()
    Ridge(copy_X=False).fit(Xcopy, y)
    np.testing.assert_array_equal(Xcopy, X)  # X is never modified


def test_ml_ridge_square_system_uses_primal_cg_like_sklearn():
    """ML-RIDGE: d = n is the primal system (scikit-learn's dual is only for d > n), so
    sparse_cg's max_iter still applies."""
    Xs, ys = XW[:, :6], YW
    ours = Ridge(alpha=0.1, solver="sparse_cg", tol=1e-12, max_iter=1).fit(Xs, ys)
    ref = sk_lm.Ridge(alpha=0.1, solver="sparse_cg", tol=1e-12, max_iter=1).fit(Xs, ys)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-9)


def test_ml_ridge_refit_defaults_params_and_intercept():
    """ML-RIDGE: refitting resets n_features_in_; the defaults and get_params are
    scikit-learn's; no intercept gives intercept_ 0.0 (RidgeClassifier too)."""
    for cls, y in ((Ridge, Y[:, 0]), (RidgeClassifier, Y[:, 0] > 0)):
        est = cls().fit(X, y)
        assert est.n_features_in_ == 4
        est.fit(X[:, :2], y)
        assert est.n_features_in_ == 2 and est.predict(X[:, :2]).shape == (30,)
        with pytest.raises(ValueError, match="features"):
            est.predict(X)
        ref = getattr(sk_lm, cls.__name__)().get_params()
        params = cls().get_params()
        for key, value in ref.items():
            if key in params:
                assert params[key] == value, (cls.__name__, key)
        given = {"copy_X": False, "max_iter": 5, "positive": False, "random_state": 3, "tol": 0.01}
        got = cls(**given).get_params()
        assert {k: got[k] for k in given} == given
        assert type(got["positive"]) is bool
    for k in (2, 3):
        y = np.arange(30) % k
        ours = RidgeClassifier(fit_intercept=False).fit(X, y)
        ref = sk_lm.RidgeClassifier(fit_intercept=False).fit(X, y)
        assert ours.intercept_ == ref.intercept_ == 0.0
        np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-9)


def test_ml_ridge_object_target_with_nan_is_refused():
    """ML-RIDGE: y is converted to numbers and checked: NaN in an object array is refused."""
    y = Y[:, 0].astype(object)
    y[3] = np.nan
    with pytest.raises(ValueError, match="NaN|infinity"):
        Ridge().fit(X, y)
    ok = Ridge().fit(X, Y[:, 0].astype(object))
    np.testing.assert_allclose(ok.coef_, Ridge().fit(X, Y[:, 0]).coef_, rtol=1e-12)


def test_ml_ridge_sparse_cholesky_without_intercept_is_exact():
    """ML-RIDGE: sparse X without an intercept keeps solver='cholesky' (a direct solve, tol
    plays no part), as scikit-learn's; only with an intercept does it switch to sparse_cg."""
    Xs = sp.csr_matrix(X)
    ours = Ridge(alpha=0.3, fit_intercept=False, solver="cholesky", tol=0.5).fit(Xs, Y)
    ref = sk_lm.Ridge(alpha=0.3, fit_intercept=False, solver="cholesky", tol=0.5).fit(Xs, Y)
    w, _ = closed_form(X, Y, 0.3, None, False)
    np.testing.assert_allclose(ours.coef_, w, atol=1e-10)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-10)
