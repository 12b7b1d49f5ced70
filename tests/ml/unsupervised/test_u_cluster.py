"""KMeans (U-KMEANS) and agglomerative clustering (U-HIER) against scikit-learn / SciPy."""

import numpy as np
import pytest
from scipy.cluster.hierarchy import cut_tree, fcluster
from scipy.cluster.hierarchy import linkage as scipy_linkage

from gradkit.ml.cluster import AgglomerativeClustering, KMeans, cut_tree_labels, linkage
from gradkit.ml.metrics import adjusted_rand_score

pytest.importorskip("sklearn")
from sklearn.cluster import AgglomerativeClustering as SkAgglo  # noqa: E402
from sklearn.cluster import KMeans as SkKMeans  # noqa: E402
from sklearn.datasets import load_digits, load_iris, make_blobs  # noqa: E402

IRIS = load_iris().data
BLOBS = make_blobs(n_samples=300, centers=5, cluster_std=1.5, random_state=0)[0]
DIGITS = load_digits().data


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("data,k", [(IRIS, 3), (BLOBS, 5), (DIGITS, 10)])
def test_u_kmeans_inertia_within_1pct_of_sklearn(data, k, init):
    ours = KMeans(k, init=init, n_init=5, random_state=0).fit(data)
    ref = SkKMeans(k, init=init, n_init=5, random_state=0).fit(data)
    assert ours.inertia_ <= 1.01 * ref.inertia_


def test_u_kmeans_distortion_is_sum_of_squared_distances(rng):
    X = rng.normal(size=(200, 3))
    km = KMeans(4, random_state=1).fit(X)
    J = ((X - km.cluster_centers_[km.labels_]) ** 2).sum()
    assert km.inertia_ == pytest.approx(J, rel=1e-12)
    assert np.array_equal(km.predict(X), km.labels_)
    D = km.transform(X)
    assert np.array_equal(D.argmin(axis=1), km.labels_)
    assert km.score(X) == pytest.approx(-J, rel=1e-12)


def test_u_kmeans_same_init_same_result_as_sklearn():
    init = BLOBS[:5]
    ours = KMeans(5, init=init, tol=0).fit(BLOBS)
    ref = SkKMeans(5, init=init, n_init=1, tol=0).fit(BLOBS)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-10)
    assert np.array_equal(ours.labels_, ref.labels_)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)


def test_u_kmeans_sample_weight_equals_repetition(rng):
    X = rng.normal(size=(60, 2))
    w = rng.integers(1, 4, size=60)
    init = X[:3]
    a = KMeans(3, init=init, tol=0).fit(X, sample_weight=w)
    b = KMeans(3, init=init, tol=0).fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, atol=1e-10)


def test_u_kmeans_bad_input():
    with pytest.raises(ValueError, match="valid choices"):
        KMeans(2, init="furthest").fit(IRIS)
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=4"):
        KMeans(4).fit(IRIS[:3])
    with pytest.raises(ValueError, match="NaN"):
        KMeans(2).fit(np.array([[np.nan, 1.0], [1.0, 2.0]]))


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single"])
@pytest.mark.parametrize("data", [IRIS, BLOBS], ids=["iris", "blobs"])
def test_u_hier_linkage_matrix_and_labels_match_scipy(data, method):
    """U-HIER: the linkage matrix equals SciPy's and every cut gives SciPy's partition."""
    Z = linkage(data, method)
    Zs = scipy_linkage(data, method)
    np.testing.assert_array_equal(Z[:, [0, 1, 3]], Zs[:, [0, 1, 3]])
    np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-12, atol=1e-12)
    for k in range(2, 12):
        ours = AgglomerativeClustering(n_clusters=k, linkage=method).fit(data).labels_
        assert adjusted_rand_score(ours, cut_tree_labels(Zs, k)) == 1.0  # numbering: sklearn
        assert adjusted_rand_score(ours, cut_tree(Zs, n_clusters=k).ravel()) == 1.0
        assert (
            adjusted_rand_score(ours, fcluster(Zs, k, "maxclust")) == 1.0
            or len(np.unique(fcluster(Zs, k, "maxclust"))) != k
        )  # fcluster may merge tied heights into fewer clusters


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single"])
def test_u_hier_matches_sklearn_distances_and_threshold(method):
    ours = AgglomerativeClustering(n_clusters=None, distance_threshold=3.0, linkage=method)
    ref = SkAgglo(n_clusters=None, distance_threshold=3.0, linkage=method)
    ours.fit(BLOBS)
    ref.fit(BLOBS)
    np.testing.assert_allclose(np.sort(ours.distances_), np.sort(ref.distances_), rtol=1e-10)
    assert ours.n_clusters_ == ref.n_clusters_
    assert adjusted_rand_score(ours.labels_, ref.labels_) == 1.0


def test_u_hier_bad_input():
    with pytest.raises(ValueError, match="valid choices"):
        AgglomerativeClustering(linkage="centroid").fit(IRIS)
    with pytest.raises(ValueError, match="Exactly one of n_clusters and distance_threshold"):
        AgglomerativeClustering(n_clusters=None).fit(IRIS)


def test_u_kmeans_predict_ties_go_to_the_lower_center():
    """U-KMEANS: a point equidistant from two centers takes the lower index (as
    scikit-learn and ``labels_`` do), on both sides of a 4096-row block boundary."""
    km = KMeans(2, n_init=1, random_state=0).fit(np.array([[0.0, 0.0], [2.0, 0.0]] * 5))
    km.cluster_centers_ = np.array([[2.0, 0.0], [0.0, 0.0]])
    X = np.tile([[1.0, 0.0], [1.9, 0.0], [0.1, 0.0]], (3000, 1))  # 9000 rows
    expected = np.tile([0, 0, 1], 3000)
    np.testing.assert_array_equal(km.predict(X), expected)
    ref = SkKMeans(2, n_init=1).fit(X[:10])
    ref.cluster_centers_ = km.cluster_centers_.copy()
    np.testing.assert_array_equal(ref.predict(X), expected)


def test_u_kmeans_sample_weight_reaches_fit_predict_fit_transform_and_score():
    """U-KMEANS: the weighted shortcuts equal fit(sample_weight) and scikit-learn's score;
    predict returns integer labels."""
    X = BLOBS
    w = np.random.default_rng(3).uniform(0.1, 5.0, len(X))
    w[:40] = 40.0  # heavy points pull their center
    init = X[[0, 100, 200]]
    ours = KMeans(3, init=init, n_init=1).fit(X, sample_weight=w)
    plain = KMeans(3, init=init, n_init=1).fit(X)
    assert not np.allclose(ours.cluster_centers_, plain.cluster_centers_)
    np.testing.assert_array_equal(
        KMeans(3, init=init, n_init=1).fit_predict(X, sample_weight=w), ours.labels_
    )
    np.testing.assert_allclose(
        KMeans(3, init=init, n_init=1).fit_transform(X, sample_weight=w), ours.transform(X)
    )
    ref = SkKMeans(3, init=init, n_init=1).fit(X, sample_weight=w)
    ref.cluster_centers_ = ours.cluster_centers_.copy()
    assert ours.score(X, sample_weight=w) == pytest.approx(ref.score(X, sample_weight=w), rel=1e-12)
    assert ours.score(X, sample_weight=w) != pytest.approx(ours.score(X), rel=1e-6)
    assert ours.predict(X).dtype.kind == "i"
