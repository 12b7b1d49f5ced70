"""ML-LINREG / O-LMS options of LinearRegression against scikit-learn 1.9 and statsmodels
WLS: every solver, fit_intercept, sample_weight, multi-target y, sparse X, rank
deficiency, lr / max_iter / tol (n_iter_) and random_state of the iterative solvers."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml.linear_model import LinearRegression

sk_lm = pytest.importorskip("sklearn.linear_model")
sm = pytest.importorskip("statsmodels.api")
sp = pytest.importorskip("scipy.sparse")

_rng = np.random.default_rng(7)
X = _rng.normal(size=(25, 3)) + np.array([2.0, -1.0, 0.5])
Y = np.column_stack([X @ [1.5, -2.0, 0.5] + 3.0, X @ [0.0, 1.0, -1.0] - 2.0])
Y += 0.2 * _rng.normal(size=Y.shape)
SW = np.linspace(0.2, 2.0, 25)


@pytest.mark.parametrize("solver", ["lstsq", "normal"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("target", ["1d", "2d"])
def test_ml_linreg_direct_solvers_match_sklearn_and_wls(solver, fit_intercept, target):
    """ML-LINREG: weighted least squares equals sklearn's and statsmodels' WLS."""
    y = Y[:, 0] if target == "1d" else Y
    ours = LinearRegression(solver=solver, fit_intercept=fit_intercept).fit(X, y, SW)
    ref = sk_lm.LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=SW)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-10)
    assert np.shape(ours.coef_) == np.shape(ref.coef_)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-10)
    exog = sm.add_constant(X) if fit_intercept else X
    wls = sm.WLS(Y[:, 0], exog, weights=SW).fit().params
    coef0 = ours.coef_ if target == "1d" else ours.coef_[0]
    np.testing.assert_allclose(coef0, wls[1:] if fit_intercept else wls, atol=1e-10)
    assert ours.n_iter_ == 1


@pytest.mark.parametrize("solver", ["lstsq", "normal"])
def test_ml_linreg_rank_deficient_gives_minimum_norm(solver):
    """ML-LINREG: collinear columns: the minimum-norm solution (sklearn's lstsq one)."""
    Xc = np.column_stack([X[:, 0], 2.0 * X[:, 0], X[:, 1]])
    ours = LinearRegression(solver=solver).fit(Xc, Y[:, 0])
    ref = sk_lm.LinearRegression().fit(Xc, Y[:, 0])
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-8)
    np.testing.assert_allclose(ours.coef_[1], 2.0 * ours.coef_[0], rtol=1e-8)


def test_ml_linreg_sparse_input_is_densified():
    """ML-LINREG: scipy.sparse X gives the dense fit; too large a copy is refused."""
    Xs = sp.csr_matrix(np.where(np.abs(X) < 0.5, 0.0, X))
    ours = LinearRegression().fit(Xs, Y, SW)
    ref = sk_lm.LinearRegression().fit(Xs.toarray(), Y, sample_weight=SW)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-10)
    np.testing.assert_allclose(ours.predict(Xs), ref.predict(Xs.toarray()), atol=1e-10)
    small = LinearRegression()
    small.max_densify = 75  # exactly 25 × 3 is still allowed
    small.fit(Xs, Y[:, 0])
    small.max_densify = 74
    with pytest.raises(ValueError, match=r"^LinearRegression solves densely.*shape \(25, 3\)"):
        small.fit(Xs, Y[:, 0])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("target", ["1d", "2d"])
def test_ml_linreg_gd_and_lms_reach_least_squares(fit_intercept, target):
    """ML-LINREG / O-LMS: gradient descent (step 1/L) converges to sklearn's weighted
    least squares; the LMS rule (step 1/max‖x‖², constant, so exact only without noise)
    recovers noiseless weights; both stop before max_iter."""
    y = Y[:, 0] if target == "1d" else Y
    Xs = X - X.mean(0) if not fit_intercept else X
    ys = y - y.mean(0) if not fit_intercept else y
    ref = sk_lm.LinearRegression(fit_intercept=fit_intercept).fit(Xs, ys, sample_weight=SW)
    gd = LinearRegression(solver="gd", fit_intercept=fit_intercept, max_iter=50_000, tol=1e-13)
    gd.fit(Xs, ys, SW)
    np.testing.assert_allclose(gd.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(gd.intercept_, ref.intercept_, atol=1e-6)
    assert 1 < gd.n_iter_ < 50_000
    W = np.array([[1.5, -2.0, 0.5], [0.0, 1.0, -1.0]])
    b = np.array([3.0, -2.0]) if fit_intercept else np.zeros(2)
    clean = Xs @ W.T + b
    clean = clean[:, 0] if target == "1d" else clean
    lms = LinearRegression(
        solver="lms", fit_intercept=fit_intercept, max_iter=5_000, tol=1e-13, random_state=0
    ).fit(Xs, clean, SW)
    np.testing.assert_allclose(lms.coef_, W[0] if target == "1d" else W, atol=1e-6)
    np.testing.assert_allclose(lms.intercept_, b[0] if target == "1d" else b, atol=1e-6)
    assert 1 < lms.n_iter_ < 5_000


def test_ml_linreg_gd_options_lr_tol_max_iter():
    """ML-LINREG: gd's lr, tol and max_iter act: n_iter_ = max_iter when stopped early;
    one step with lr = 1/L from w = 0 is w = Xᵀy / (n L)."""
    Xc, yc = X - X.mean(0), Y[:, 0] - Y[:, 0].mean()
    n = len(Xc)
    L = np.linalg.norm(Xc, 2) ** 2 / n
    one = LinearRegression(solver="gd", max_iter=1, fit_intercept=False).fit(Xc, yc)
    np.testing.assert_allclose(one.coef_, Xc.T @ yc / (n * L), rtol=1e-10)
    assert one.n_iter_ == 1
    half = LinearRegression(solver="gd", lr=0.5 / L, max_iter=1, fit_intercept=False)
    np.testing.assert_allclose(half.fit(Xc, yc).coef_, 0.5 * one.coef_, rtol=1e-10)
    assert LinearRegression(solver="gd", max_iter=7).fit(X, Y[:, 0]).n_iter_ == 7
    loose = LinearRegression(solver="gd", tol=1e-2, max_iter=50_000).fit(X, Y[:, 0])
    tight = LinearRegression(solver="gd", tol=1e-10, max_iter=50_000).fit(X, Y[:, 0])
    assert 1 < loose.n_iter_ < tight.n_iter_ < 50_000
    # zero data: the gradient is 0 at w = 0, so the first step already meets tol
    zero = LinearRegression(solver="gd", fit_intercept=False).fit(np.zeros((4, 2)), np.zeros(4))
    assert zero.n_iter_ == 1
    np.testing.assert_array_equal(zero.coef_, 0.0)
    # the stop is strict, ‖Δw‖∞ < tol: with tol = 0 a zero step never stops it
    for solver in ("gd", "lms"):
        never = LinearRegression(solver=solver, tol=0.0, max_iter=5, fit_intercept=False)
        assert never.fit(np.zeros((4, 2)), np.zeros(4)).n_iter_ == 5


def test_o_lms_one_epoch_is_the_widrow_hoff_rule():
    """O-LMS: one epoch visits the rows in rng.permutation order with
    θ ← θ + α (y_i − θᵀx_i) x_i, α = lr or 1/max‖x_i‖²; random_state fixes the order."""
    Xc, yc = X[:6], Y[:6]
    for lr, seed, scale in ((None, 0, 1.0), (0.01, 3, 1.0), (None, 1, 0.1)):
        Xc = X[:6] * scale  # 0.1: every ‖x_i‖² < 1, so α = 1/max‖x_i‖² > 1
        ours = LinearRegression(
            solver="lms", lr=lr, max_iter=1, fit_intercept=False, random_state=seed
        ).fit(Xc, yc)
        alpha = lr if lr is not None else 1.0 / (Xc * Xc).sum(1).max()
        w = np.zeros((3, 2))
        for i in np.random.default_rng(seed).permutation(6):
            w += alpha * np.outer(Xc[i], yc[i] - Xc[i] @ w)
        np.testing.assert_allclose(ours.coef_, w.T, rtol=1e-12)
        assert ours.n_iter_ == 1
    a = LinearRegression(solver="lms", max_iter=2, random_state=1).fit(X, Y[:, 0])
    b = LinearRegression(solver="lms", max_iter=2, random_state=1).fit(X, Y[:, 0])
    c = LinearRegression(solver="lms", max_iter=2, random_state=2).fit(X, Y[:, 0])
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert np.abs(a.coef_ - c.coef_).max() > 1e-6
    loose = LinearRegression(solver="lms", tol=1e-2, max_iter=5000, random_state=0)
    tight = LinearRegression(solver="lms", tol=1e-9, max_iter=5000, random_state=0)
    clean = X @ [1.5, -2.0, 0.5] + 3.0  # noiseless: constant-step LMS converges
    assert 1 < loose.fit(X, clean).n_iter_ < tight.fit(X, clean).n_iter_ < 5000
    zero = LinearRegression(solver="lms", fit_intercept=False).fit(np.zeros((4, 2)), np.zeros(4))
    assert zero.n_iter_ == 1


def test_ml_linreg_bad_solver():
    with pytest.raises(ValueError, match="Unknown solver='qr'"):
        LinearRegression(solver="qr").fit(X, Y[:, 0])
    y = Y[:, 0].astype(object)
    y[2] = np.nan
    with pytest.raises(ValueError, match="NaN|infinity"):
        LinearRegression().fit(X, y)
    est = LinearRegression().fit(X, Y)
    est.fit(X[:, :2], Y[:, 0])
    assert est.n_features_in_ == 2
    with pytest.raises(ValueError, match="features"):
        est.predict(X)


def test_ml_linreg_center_data_weighted_means():
    """ML-LINREG: centring subtracts the weighted means x̄ = Σ s_i x_i / Σ s_i (and ȳ);
    without an intercept nothing is subtracted and the means are zeros of y's shape."""
    from gradkit.ml.linear_model._base import center_data

    Xc, yc, xm, ym = center_data(X, Y, True, SW)
    np.testing.assert_allclose(xm, np.average(X, axis=0, weights=SW), rtol=1e-12)
    np.testing.assert_allclose(ym, np.average(Y, axis=0, weights=SW), rtol=1e-12)
    np.testing.assert_allclose(Xc, X - xm, rtol=1e-12)
    np.testing.assert_allclose(yc, Y - ym, rtol=1e-12)
    Xn, yn, xm0, ym0 = center_data(X, Y, False, SW)
    assert Xn is X and yn is Y and np.array_equal(xm0, np.zeros(3))
    assert np.shape(ym0) == (2,) and np.all(ym0 == 0)
    _, _, _, ym1 = center_data(X, Y[:, 0], False, SW)
    assert ym1 == 0.0 and np.ndim(ym1) == 0


def test_ml_linear_classifier_zero_score_predicts_first_class():
    """A score of exactly 0 predicts classes_[0] (scikit-learn's rule: class 1 iff > 0)."""
    from gradkit.ml.linear_model import LogisticRegression, RidgeClassifier

    y = np.where(Y[:, 0] > np.median(Y[:, 0]), "b", "a")
    for ours, ref in (
        (LogisticRegression(), sk_lm.LogisticRegression()),
        (RidgeClassifier(), sk_lm.RidgeClassifier()),
    ):
        ours.fit(X, y)
        ref.fit(X, y)
        Xt = np.vstack([X[:3], np.zeros((1, 3))])
        for m in (ours, ref):
            m.coef_ = np.zeros_like(m.coef_)
            m.intercept_ = np.zeros_like(m.intercept_)
            m.coef_[..., 0] = 1.0
        np.testing.assert_array_equal(ours.decision_function(Xt), ref.decision_function(Xt))
        assert ours.decision_function(Xt).shape == (4,)
        np.testing.assert_array_equal(ours.predict(Xt), ref.predict(Xt))
        assert ours.predict(Xt)[-1] == "a"


def test_ml_linreg_lstsq_cutoff_is_sklearns():
    """ML-LINREG: lstsq drops singular values below eps·max(n, d)·σ_max, as scikit-learn's
    LinearRegression: a direction with σ = 1e-15 (between eps and eps·25) is dropped."""
    rng = np.random.default_rng(11)
    U, _ = np.linalg.qr(rng.normal(size=(25, 3)))
    V, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    Xs = U @ np.diag([1.0, 0.5, 1e-15]) @ V.T
    y = rng.normal(size=25)
    ours = LinearRegression(fit_intercept=False).fit(Xs, y)
    ref = sk_lm.LinearRegression(fit_intercept=False).fit(Xs, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)
    assert np.abs(ours.coef_).max() < 10.0  # the 1e-15 direction would blow w up to ~1e15


def test_ml_linear_add_intercept_column_and_not_fitted():
    """[X, c·1] for dense and sparse X (CSR out, as documented); predicting after a fit
    that failed on a bad option raises NotFittedError, as scikit-learn's."""
    from gradkit.ml.exceptions import NotFittedError
    from gradkit.ml.linear_model import LogisticRegression
    from gradkit.ml.linear_model._base import add_intercept_column

    dense = add_intercept_column(X, 2.5)
    np.testing.assert_array_equal(dense, np.hstack([X, np.full((25, 1), 2.5)]))
    sparse = add_intercept_column(sp.csc_matrix(X), 2.5)
    assert sparse.format == "csr"
    np.testing.assert_array_equal(sparse.toarray(), dense)
    y = (Y[:, 0] > np.median(Y[:, 0])).astype(int)
    for ours, ref in (
        (LogisticRegression(C=-1.0), sk_lm.LogisticRegression(C=-1.0)),
        (LinearRegression(solver="qr"), None),
    ):
        with pytest.raises(ValueError):
            ours.fit(X, y)
        with pytest.raises(NotFittedError, match="is not fitted yet"):
            ours.predict(X)
        if ref is not None:
            with pytest.raises(ValueError):
                ref.fit(X, y)
            with pytest.raises(Exception, match="is not fitted yet"):
                ref.predict(X)
