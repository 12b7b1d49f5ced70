"""Linear models against scikit-learn and closed forms (ML-LINREG, ML-LOGREG, ML-SOFTMAX,
NN-PERCEPTRON, O-LMS, O-NEWTON, O-MLE)."""

from __future__ import annotations

import numpy as np
import pytest
from _supervised_data import CLASSIFICATION, split

from gradkit.ml.linear_model import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Perceptron,
    Ridge,
    SoftmaxRegression,
)
from gradkit.ml.optimize import newton

sk_lm = pytest.importorskip("sklearn.linear_model")


@pytest.mark.parametrize("solver", ["lstsq", "normal"])
def test_ml_linreg_parity_diabetes(solver):
    """ML-LINREG: normal equation / least squares equal scikit-learn's coefficients."""
    Xtr, Xte, ytr, _ = split("diabetes")
    ours = LinearRegression(solver=solver).fit(Xtr, ytr)
    ref = sk_lm.LinearRegression().fit(Xtr, ytr)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict(Xte), ref.predict(Xte), atol=1e-6)


def test_ml_linreg_gradient_descent_reaches_least_squares():
    """ML-LINREG: batch gradient descent converges to the normal-equation solution."""
    Xtr, _, ytr, _ = split("diabetes", scale=True)
    exact = LinearRegression().fit(Xtr, ytr)
    gd = LinearRegression(solver="gd", max_iter=200_000, tol=1e-12).fit(Xtr, ytr)
    assert gd.n_iter_ < 200_000
    np.testing.assert_allclose(gd.coef_, exact.coef_, atol=1e-4)
    np.testing.assert_allclose(gd.intercept_, exact.intercept_, atol=1e-4)


def test_o_lms_widrow_hoff_recovers_noiseless_weights(rng):
    """O-LMS: the Widrow–Hoff rule θ += α(y − θᵀx)x finds θ exactly on noiseless data."""
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 3.0
    lms = LinearRegression(solver="lms", max_iter=500, random_state=0).fit(X, y)
    np.testing.assert_allclose(lms.coef_, [1.5, -2.0, 0.5], atol=1e-6)
    np.testing.assert_allclose(lms.intercept_, 3.0, atol=1e-6)


def test_ml_linreg_ridge_parity_and_closed_form():
    Xtr, _, ytr, _ = split("diabetes")
    ours = Ridge(alpha=0.3).fit(Xtr, ytr)
    ref = sk_lm.Ridge(alpha=0.3).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    Xc, yc = Xtr - Xtr.mean(0), ytr - ytr.mean()
    closed = np.linalg.solve(Xc.T @ Xc + 0.3 * np.eye(Xc.shape[1]), Xc.T @ yc)
    np.testing.assert_allclose(ours.coef_, closed, atol=1e-8)


@pytest.mark.parametrize(
    ("ours", "ref"),
    [
        (Lasso(alpha=0.05, tol=1e-12, max_iter=100_000), "Lasso(alpha=0.05"),
        (
            ElasticNet(alpha=0.01, l1_ratio=0.3, tol=1e-12, max_iter=100_000),
            "ElasticNet(alpha=0.01, l1_ratio=0.3",
        ),
    ],
)
def test_ml_linreg_lasso_elasticnet_parity(ours, ref):
    """ML-LINREG: coordinate descent matches scikit-learn's lasso / elastic net."""
    Xtr, Xte, ytr, _ = split("diabetes")
    sk = eval(f"sk_lm.{ref}, tol=1e-12, max_iter=100_000)").fit(Xtr, ytr)
    ours.fit(Xtr, ytr)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, atol=1e-4)
    assert (ours.coef_ == 0).sum() == (sk.coef_ == 0).sum()


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_ml_logreg_parity_l2(name):
    """ML-LOGREG: Newton's L2-penalised fit equals scikit-learn's (binary and multinomial)."""
    Xtr, Xte, ytr, _ = split(name, scale=True)
    ours = LogisticRegression(C=1.0, solver="newton", tol=1e-10).fit(Xtr, ytr)
    ref = sk_lm.LogisticRegression(C=1.0, tol=1e-10, max_iter=20_000).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    assert np.mean(ours.predict(Xte) == ref.predict(Xte)) >= 0.99
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-5)


def test_ml_logreg_solvers_agree():
    """O-NEWTON: Newton, L-BFGS and gradient descent reach the same optimum."""
    Xtr, _, ytr, _ = split("breast_cancer", scale=True)
    newton_fit = LogisticRegression(C=0.5, solver="newton", tol=1e-10).fit(Xtr, ytr)
    lbfgs = LogisticRegression(C=0.5, solver="lbfgs", max_iter=5000, tol=1e-10).fit(Xtr, ytr)
    gd = LogisticRegression(C=0.5, solver="gd", max_iter=100_000, tol=1e-8).fit(Xtr, ytr)
    assert newton_fit.n_iter_[0] < 15  # quadratic convergence
    np.testing.assert_allclose(lbfgs.coef_, newton_fit.coef_, atol=1e-4)
    np.testing.assert_allclose(gd.coef_, newton_fit.coef_, atol=1e-4)


HOURS = np.array(
    [
        0.5,
        0.75,
        1,
        1.25,
        1.5,
        1.75,
        1.75,
        2,
        2.25,
        2.5,
        2.75,
        3,
        3.25,
        3.5,
        4,
        4.25,
        4.5,
        4.75,
        5,
        5.5,
    ]
)[:, None]
PASSED = np.array([0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1])


@pytest.mark.parametrize("solver", ["newton", "gd"])
def test_ml_logreg_worked_example_hours_studied(solver):
    """ML-LOGREG worked example: θ = (−4.0777, 1.5046), P(pass | 2 h) = 0.26."""
    clf = LogisticRegression(penalty=None, solver=solver, max_iter=200_000, tol=1e-9)
    clf.fit(HOURS, PASSED)
    np.testing.assert_allclose([clf.intercept_[0], clf.coef_[0, 0]], [-4.0777, 1.5046], atol=1e-4)
    assert round(float(clf.predict_proba([[2.0]])[0, 1]), 2) == 0.26


def test_ml_softmax_reference_class_matches_unpenalised_mle(rng):
    """ML-SOFTMAX: θ_K = 0 fit gives scikit-learn's unpenalised multinomial probabilities."""
    X = rng.normal(size=(300, 3))
    logits = X @ rng.normal(size=(3, 4))
    y = np.array([rng.choice(4, p=np.exp(z) / np.exp(z).sum()) for z in logits])
    ours = SoftmaxRegression().fit(X, y)
    ref = sk_lm.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert np.all(ours.coef_[-1] == 0) and ours.intercept_[-1] == 0
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)
    # two classes: softmax with θ_2 = 0 is logistic regression with θ = −θ_1
    binary = y < 2
    soft = SoftmaxRegression().fit(X[binary], y[binary])
    logit = LogisticRegression(penalty=None, solver="newton", tol=1e-10).fit(X[binary], y[binary])
    np.testing.assert_allclose(soft.coef_[0], -logit.coef_[0], atol=1e-6)


def test_nn_perceptron_converges_on_separable_data(rng):
    """NN-PERCEPTRON: on linearly separable data the rule stops making mistakes; the fit
    is scikit-learn's (same order, same updates, same stopping epoch)."""
    X = rng.normal(size=(200, 2))
    y = (X @ np.array([2.0, -1.0]) + 0.3 > 0).astype(int)
    margin = np.abs(X @ np.array([2.0, -1.0]) + 0.3) > 0.1
    X, y = X[margin], y[margin]
    clf = Perceptron(random_state=0).fit(X, y)
    assert clf.n_iter_ < clf.max_iter
    assert clf.score(X, y) == 1.0
    ref = sk_lm.Perceptron(random_state=0).fit(X, y)
    assert clf.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(clf.coef_, ref.coef_, atol=1e-12)
    np.testing.assert_allclose(clf.intercept_, ref.intercept_, atol=1e-12)


def test_nn_perceptron_cannot_learn_xor():
    """NN-PERCEPTRON: XOR is not linearly separable, so the rule never stops making errors."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    clf = Perceptron(max_iter=500, tol=None, random_state=0).fit(X, y)
    assert clf.n_iter_ == 500
    assert clf.score(X, y) <= 0.75  # no line gets all four XOR points right


def test_o_newton_scalar_and_vector():
    """O-NEWTON: θ ← θ − ℓ'/ℓ'' finds the minimiser of a smooth convex function."""
    theta, n_iter, ok = newton(
        lambda t: (
            float(np.exp(t[0]) - 2 * t[0]),
            np.array([np.exp(t[0]) - 2]),
            np.array([[np.exp(t[0])]]),
        ),
        np.array([3.0]),
        tol=1e-14,  # λ²/2 bounds f(θ) − f(θ*): 1e-14 puts θ within ~1e-7 of θ*
    )
    assert ok and abs(theta[0] - np.log(2)) < 1e-8 and n_iter < 20


def test_bad_input_errors():
    X, y = np.array([[0.0], [1.0], [2.0]]), np.array([0, 1, 1])
    with pytest.raises(ValueError, match="solver.*valid choices"):
        LogisticRegression(solver="sag").fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(np.array([[np.nan], [1.0]]), [1.0, 2.0])
    with pytest.raises(ValueError, match="2D array"):
        Ridge().fit(np.array([1.0, 2.0]), [1.0, 2.0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearRegression().fit(X, [1.0, 2.0])
    with pytest.raises(ValueError, match="continuous"):
        LogisticRegression().fit(X, [0.5, 1.5, 2.5])
