"""SVC (SMO) and LinearSVC against scikit-learn's LIBSVM (ML-SVM, ML-KERNEL, O-LAGRANGE)."""

from __future__ import annotations

import numpy as np
import pytest
from _supervised_data import CLASSIFICATION, split

from gradkit.ml.svm import SVC, LinearSVC, kernel_matrix, smo

sk_svm = pytest.importorskip("sklearn.svm")


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize(
    "params", [dict(kernel="rbf", C=1.0), dict(kernel="linear", C=0.5), dict(kernel="poly", C=3.0)]
)
def test_ml_svm_svc_predictions_match_libsvm(name, params):
    """ML-SVM: same C and gamma → the same label on ≥ 99% of test points."""
    Xtr, Xte, ytr, _ = split(name, scale=True)
    ours = SVC(**params).fit(Xtr, ytr)
    ref = sk_svm.SVC(**params).fit(Xtr, ytr)
    assert np.mean(ours.predict(Xte) == ref.predict(Xte)) >= 0.99
    assert ours.dual_coef_.shape[0] == ref.dual_coef_.shape[0]


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_o_lagrange_dual_coefficients_match_libsvm(name):
    """O-LAGRANGE: solved to a tight KKT gap, the multipliers α_i y_i equal LIBSVM's."""
    Xtr, Xte, ytr, _ = split(name, scale=True)
    ours = SVC(gamma=0.1, tol=1e-8).fit(Xtr, ytr)
    ref = sk_svm.SVC(gamma=0.1, tol=1e-8).fit(Xtr, ytr)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_array_equal(ours.n_support_, ref.n_support_)
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.decision_function(Xte), ref.decision_function(Xte), atol=1e-4)


def test_ml_svm_linear_svc_hinge_equals_linear_kernel_svm():
    """ML-SVM: hinge-loss LinearSVC has w = Σ α_i y_i x_i of the linear-kernel dual."""
    Xtr, Xte, ytr, _ = split("breast_cancer", scale=True)
    ours = LinearSVC(C=0.1, loss="hinge", tol=1e-8).fit(Xtr, ytr)
    ref = sk_svm.SVC(kernel="linear", C=0.1, tol=1e-8).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    margins = (2 * ytr - 1) * ours.decision_function(Xtr)
    hinge = np.maximum(0, 1 - margins)
    # KKT: points strictly outside the margin have no hinge loss
    assert np.all(hinge[margins > 1 + 1e-6] == 0)


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("C", [0.05, 1.0])
def test_ml_svm_linear_svc_squared_hinge_matches_liblinear(name, C):
    """ML-SVM: the default squared-hinge LinearSVC is LIBLINEAR's (scikit-learn's) fit,
    intercept penalised through intercept_scaling, one-vs-rest."""
    Xtr, Xte, ytr, _ = split(name, scale=True)
    ours = LinearSVC(C=C, intercept_scaling=2.0, tol=1e-10).fit(Xtr, ytr)
    ref = sk_svm.LinearSVC(C=C, intercept_scaling=2.0, tol=1e-10, max_iter=100_000).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.decision_function(Xte), ref.decision_function(Xte), atol=1e-4)


def test_ml_kernel_matrices_match_definitions(rng):
    """ML-KERNEL: Gaussian K = exp(−‖x − z‖²/(2σ²)) with γ = 1/(2σ²); polynomial (γxᵀz + r)^d."""
    X, Z = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    sigma = 0.7
    gauss = np.exp(-((X[:, None] - Z[None]) ** 2).sum(-1) / (2 * sigma**2))
    np.testing.assert_allclose(kernel_matrix(X, Z, "rbf", 1 / (2 * sigma**2), 3, 0.0), gauss)
    np.testing.assert_allclose(kernel_matrix(X, Z, "poly", 0.5, 3, 1.0), (0.5 * X @ Z.T + 1) ** 3)


def test_o_lagrange_smo_satisfies_kkt(rng):
    """O-LAGRANGE: SMO's α satisfy yᵀα = 0, 0 ≤ α ≤ C and the KKT conditions."""
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=60) > 0, 1.0, -1.0)
    K = X @ X.T
    C = np.full(60, 1.0)
    alpha, rho, _ = smo(K, y, C, tol=1e-6)
    assert abs(alpha @ y) < 1e-10 and np.all((alpha >= 0) & (alpha <= 1.0))
    f = (alpha * y) @ K - rho
    margin = y * f
    assert np.all(margin[alpha == 0] >= 1 - 1e-5)
    assert np.all(margin[alpha >= 1.0] <= 1 + 1e-5)
    free = (alpha > 0) & (alpha < 1.0)
    np.testing.assert_allclose(margin[free], 1.0, atol=1e-5)


def test_svc_bad_input():
    X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match="kernel.*valid choices"):
        SVC(kernel="cosine").fit(X, y)
    with pytest.raises(ValueError, match="gamma"):
        SVC(gamma=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SVC().fit(X, np.zeros(4))
