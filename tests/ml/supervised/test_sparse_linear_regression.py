"""ML-LINREG, ML-LASSO: LinearRegression, Lasso and ElasticNet take scipy.sparse X as
scikit-learn's do (issue #18): the same fit as on the dense array; Lasso and ElasticNet
equal scikit-learn's sparse coordinate descent, LinearRegression equals scikit-learn's
dense solution exactly and its sparse LSQR solution within LSQR's tolerance."""

from __future__ import annotations

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")
sklinear = pytest.importorskip("sklearn.linear_model")

from gradkit.ml import linear_model  # noqa: E402

X = sp.random(120, 10, density=0.3, random_state=0, format="csr")
Y = np.random.default_rng(0).standard_normal(120)


@pytest.mark.parametrize(
    "name, kwargs",
    [("Lasso", {"alpha": 0.01}), ("ElasticNet", {"alpha": 0.01, "l1_ratio": 0.5})],
)
def test_coordinate_descent_on_sparse_matches_scikit_learn(name, kwargs):
    ours = getattr(linear_model, name)(**kwargs).fit(X, Y)
    theirs = getattr(sklinear, name)(**kwargs).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X[:7]), theirs.predict(X[:7]), atol=1e-10)


def test_linear_regression_on_sparse_is_the_exact_least_squares_fit():
    ours = linear_model.LinearRegression().fit(X, Y)
    dense = sklinear.LinearRegression().fit(X.toarray(), Y)
    np.testing.assert_allclose(ours.coef_, dense.coef_, atol=1e-10)
    lsqr = sklinear.LinearRegression().fit(X, Y)  # scikit-learn's sparse path: LSQR, tol 1e-6
    np.testing.assert_allclose(ours.coef_, lsqr.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.predict(X), dense.predict(X.toarray()), atol=1e-10)


def test_a_sparse_matrix_too_large_to_densify_is_refused_with_the_alternatives():
    model = linear_model.LinearRegression()
    model.max_densify = 100
    with pytest.raises(
        ValueError, match=r"shape \(120, 10\) would take .* Use Ridge or SGDRegressor"
    ):
        model.fit(X, Y)
