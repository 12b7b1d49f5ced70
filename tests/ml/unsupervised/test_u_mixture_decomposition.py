"""GaussianMixture (U-EM-GMM), PCA (U-PCA) and FactorAnalysis (U-FA) against scikit-learn."""

import numpy as np
import pytest

from gradkit.ml.decomposition import PCA, FactorAnalysis
from gradkit.ml.mixture import GaussianMixture
from gradkit.ml.preprocessing import StandardScaler

pytest.importorskip("sklearn")
from sklearn.datasets import load_digits, load_iris, load_wine  # noqa: E402
from sklearn.decomposition import PCA as SkPCA  # noqa: E402
from sklearn.decomposition import FactorAnalysis as SkFA  # noqa: E402
from sklearn.mixture import GaussianMixture as SkGM  # noqa: E402

IRIS = load_iris().data
DIGITS = load_digits().data
WINE = StandardScaler().fit_transform(load_wine().data)


def _init(cov_type, K, d, rng):
    prec = {
        "full": np.array([np.eye(d) * (k + 1) for k in range(K)]),
        "tied": np.eye(d) * 2.0,
        "diag": np.ones((K, d)) * np.arange(1, K + 1)[:, None],
        "spherical": np.arange(1.0, K + 1),
    }[cov_type]
    return dict(
        weights_init=np.ones(K) / K,
        means_init=IRIS[rng.choice(150, K, replace=False)],
        precisions_init=prec,
    )


@pytest.mark.parametrize("cov_type", ["full", "tied", "diag", "spherical"])
def test_u_em_gmm_loglik_matches_sklearn_from_same_init(cov_type, rng):
    init = _init(cov_type, 3, 4, rng)
    kw = dict(covariance_type=cov_type, max_iter=300, tol=1e-6, **init)
    ours = GaussianMixture(3, **kw).fit(IRIS)
    ref = SkGM(3, **kw).fit(IRIS)
    assert abs(ours.score(IRIS) - ref.score(IRIS)) < 1e-3
    assert ours.score(IRIS) == pytest.approx(ref.score(IRIS), abs=1e-9)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.predict_proba(IRIS), ref.predict_proba(IRIS), atol=1e-8)
    np.testing.assert_allclose(ours.covariances_, ref.covariances_, atol=1e-8)
    assert ours.bic(IRIS) == pytest.approx(ref.bic(IRIS), rel=1e-9)
    assert ours.aic(IRIS) == pytest.approx(ref.aic(IRIS), rel=1e-9)


@pytest.mark.parametrize("cov_type", ["full", "diag"])
def test_u_em_gmm_lower_bound_never_decreases(cov_type):
    gm = GaussianMixture(4, covariance_type=cov_type, random_state=0, tol=1e-8, max_iter=500).fit(
        IRIS
    )
    bounds = np.array(gm.lower_bounds_)
    assert len(bounds) == gm.n_iter_
    assert np.all(np.diff(bounds) >= -1e-12)
    assert gm.lower_bound_ == bounds[-1]


def test_u_em_gmm_default_init_close_to_sklearn():
    ours = GaussianMixture(3, random_state=0, n_init=3).fit(IRIS).score(IRIS)
    ref = SkGM(3, random_state=0, n_init=3).fit(IRIS).score(IRIS)
    assert ours >= ref - 1e-3


def test_u_em_gmm_sample_recovers_parameters():
    gm = GaussianMixture(2, random_state=0).fit(IRIS[:, :2])
    X, y = gm.sample(20000)
    assert X.shape == (20000, 2) and set(np.unique(y)) <= {0, 1}
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(0), gm.means_[k], atol=0.03)
    np.testing.assert_allclose(np.bincount(y) / 20000, gm.weights_, atol=0.02)


def test_u_em_gmm_bad_input():
    with pytest.raises(ValueError, match="valid choices"):
        GaussianMixture(2, covariance_type="banded").fit(IRIS)
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        GaussianMixture(5).fit(IRIS[:3])


@pytest.mark.parametrize("solver", ["full", "covariance_eigh"])
@pytest.mark.parametrize("whiten", [False, True])
@pytest.mark.parametrize("data", [IRIS, DIGITS], ids=["iris", "digits"])
def test_u_pca_matches_sklearn(data, solver, whiten):
    k = 3
    ours = PCA(k, svd_solver=solver, whiten=whiten).fit(data)
    ref = SkPCA(k, svd_solver=solver, whiten=whiten).fit(data)
    signs = np.sign((ours.components_ * ref.components_).sum(axis=1))
    np.testing.assert_allclose(ours.components_ * signs[:, None], ref.components_, atol=1e-6)
    np.testing.assert_allclose(ours.components_, ref.components_, atol=1e-6)  # same sign rule
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-10
    )
    np.testing.assert_allclose(ours.singular_values_, ref.singular_values_, rtol=1e-10)
    np.testing.assert_allclose(ours.transform(data), ref.transform(data), atol=1e-8)
    np.testing.assert_allclose(ours.fit_transform(data), ref.fit_transform(data), atol=1e-8)
    Z = ours.transform(data)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z), atol=1e-8)
    assert ours.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-10)
    if not whiten:  # scikit-learn folds whitening into its covariance; the model does not
        assert ours.score(data) == pytest.approx(ref.score(data), rel=1e-10)


def test_u_pca_eigenvectors_and_variance_fraction():
    """U-PCA: components satisfy Σ z = λ z; a float n_components keeps enough variance."""
    pca = PCA(0.95).fit(DIGITS)
    cov = np.cov(DIGITS, rowvar=False)
    for z, lam in zip(pca.components_, pca.explained_variance_, strict=True):
        np.testing.assert_allclose(cov @ z, lam * z, atol=1e-8)
    assert pca.n_components_ == SkPCA(0.95).fit(DIGITS).n_components_
    assert pca.explained_variance_ratio_.sum() >= 0.95
    full = PCA().fit(IRIS)
    np.testing.assert_allclose(full.inverse_transform(full.transform(IRIS)), IRIS, atol=1e-10)


def test_u_pca_bad_input():
    with pytest.raises(ValueError, match="valid choices"):
        PCA(svd_solver="arpack").fit(IRIS)
    with pytest.raises(ValueError, match="between 0 and"):
        PCA(7).fit(IRIS)


@pytest.mark.parametrize("data,k", [(DIGITS, 5), (DIGITS, 10), (WINE, 2), (WINE, 3), (IRIS, 3)])
def test_u_fa_loglik_matches_sklearn(data, k):
    """U-FA: EM reaches scikit-learn's maximum likelihood from the same Ψ = 1 start."""
    ours = FactorAnalysis(k).fit(data)
    ref = SkFA(k, svd_method="lapack", tol=1e-9, max_iter=100000).fit(data)
    assert abs(ours.score(data) - ref.score(data)) < 1e-3
    ll = np.array(ours.loglike_)
    assert np.all(np.diff(ll) >= -1e-8 * abs(ll[-1]))  # EM never decreases the likelihood
    np.testing.assert_allclose(ours.get_covariance(), ref.get_covariance(), atol=0.05)
    np.testing.assert_allclose(
        ours.get_precision() @ ours.get_covariance(), np.eye(len(data.T)), atol=1e-6
    )


def test_u_fa_default_sklearn_and_transform():
    ours = FactorAnalysis(10).fit(DIGITS)
    ref = SkFA(10, random_state=0).fit(DIGITS)
    assert abs(ours.score(DIGITS) - ref.score(DIGITS)) < 1e-2
    Z = ours.transform(DIGITS)
    assert Z.shape == (len(DIGITS), 10)
    # posterior means are uncorrelated-ish latent coordinates with E[z] = 0
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-8)
