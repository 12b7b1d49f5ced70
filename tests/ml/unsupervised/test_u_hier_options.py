"""U-HIER (issue 24): AgglomerativeClustering's options against scikit-learn — every
linkage and metric, n_clusters and distance_threshold cuts, labels numbered as scikit-learn
numbers them — and ``linkage`` / ``cut_tree_labels`` against SciPy, ties included."""

import numpy as np
import pytest

pytest.importorskip("sklearn")
from scipy.cluster.hierarchy import cut_tree  # noqa: E402
from scipy.cluster.hierarchy import linkage as scipy_linkage  # noqa: E402
from sklearn.cluster import AgglomerativeClustering as SkAgglo  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402

from gradkit.ml.cluster import AgglomerativeClustering, cut_tree_labels, linkage  # noqa: E402

_rng = np.random.RandomState(0)
X = np.vstack([_rng.randn(9, 3) + c for c in ([0, 0, 0], [4, 4, 0], [0, 5, 3])])
COMBOS = [("ward", "euclidean")] + [
    (link, metric)
    for link in ("complete", "average", "single")
    for metric in ("euclidean", "l2", "l1", "manhattan", "cityblock", "cosine")
]


def _same(ours, ref):
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_array_equal(ours.children_, ref.children_)
    np.testing.assert_allclose(ours.distances_, ref.distances_, rtol=1e-10, atol=1e-12)
    assert ours.n_clusters_ == ref.n_clusters_
    assert ours.n_leaves_ == ref.n_leaves_ == len(ours.labels_)
    assert ours.n_connected_components_ == ref.n_connected_components_


@pytest.mark.parametrize(("link", "metric"), COMBOS)
def test_u_hier_n_clusters_cuts_equal_sklearn(link, metric):
    for k in (1, 2, 3, 5, len(X)):
        kw = dict(n_clusters=k, linkage=link, metric=metric)
        ours = AgglomerativeClustering(**kw).fit(X)
        _same(ours, SkAgglo(compute_distances=True, **kw).fit(X))


@pytest.mark.parametrize(("link", "metric"), COMBOS)
def test_u_hier_distance_threshold_equals_sklearn(link, metric):
    ref_d = SkAgglo(n_clusters=None, distance_threshold=0.0, linkage=link, metric=metric)
    heights = ref_d.fit(X).distances_
    # thresholds between heights and exactly at one (a merge at the threshold is cut)
    for t in (np.median(heights), heights[-3], heights[-1] + 1.0, heights[0]):
        kw = dict(n_clusters=None, distance_threshold=float(t), linkage=link, metric=metric)
        _same(AgglomerativeClustering(**kw).fit(X), SkAgglo(**kw).fit(X))


@pytest.mark.parametrize("link", ["complete", "average", "single"])
def test_u_hier_precomputed_distances_equal_sklearn(link):
    D = pairwise_distances(X, metric="manhattan")
    for k in (2, 4):
        kw = dict(n_clusters=k, linkage=link, metric="precomputed")
        ours = AgglomerativeClustering(**kw).fit(D)
        _same(ours, SkAgglo(compute_distances=True, **kw).fit(D))
        plain = AgglomerativeClustering(n_clusters=k, linkage=link, metric="l1").fit(X)
        np.testing.assert_array_equal(ours.labels_, plain.labels_)


def test_u_hier_defaults_equal_sklearn():
    ours = AgglomerativeClustering().get_params()
    ref = SkAgglo().get_params()
    assert ours == {k: ref[k] for k in ours}
    _same(AgglomerativeClustering().fit(X), SkAgglo(compute_distances=True).fit(X))
    m = AgglomerativeClustering().fit(X)
    assert m.n_features_in_ == 3
    np.testing.assert_array_equal(m.linkage_matrix_, linkage(X, "ward"))


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single"])
def test_u_hier_linkage_equals_scipy_with_ties_and_compaction(method):
    rng = np.random.RandomState(1)
    grid = rng.randint(0, 4, size=(40, 2)).astype(float)  # many equal distances
    big = rng.randint(0, 2**26, size=(12, 2)).astype(float)  # past the exact-Gram bound
    frac = rng.rand(90, 2) * 10  # > 64 rows: the matrix is compacted midway
    for data in (grid, big, frac):
        Z, Zs = linkage(data, method), scipy_linkage(data, method)
        np.testing.assert_array_equal(Z[:, [0, 1, 3]], Zs[:, [0, 1, 3]])
        np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-12, atol=1e-12)


def test_u_hier_single_linkage_matrix_pairs_sorted_children_in_tree_order():
    m = AgglomerativeClustering(n_clusters=2, linkage="single").fit(X)
    np.testing.assert_array_equal(m.linkage_matrix_, scipy_linkage(X, "single"))
    ref = SkAgglo(n_clusters=2, linkage="single").fit(X)
    np.testing.assert_array_equal(m.children_, ref.children_)
    assert np.any(m.children_[:, 0] > m.children_[:, 1])  # not sorted, as scikit-learn's


def test_u_hier_cut_tree_labels_number_clusters_by_first_sample():
    Zs = scipy_linkage(X, "average")
    for k in (1, 2, 4, 7, len(X)):
        labels = cut_tree_labels(Zs, k)
        np.testing.assert_array_equal(labels, cut_tree(Zs, n_clusters=k).ravel())
        first = [np.flatnonzero(labels == c)[0] for c in range(k)]
        assert first == sorted(first)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"linkage": "centroid"}, "linkage"),
        ({"metric": "euclidian", "linkage": "average"}, "metric"),
        ({"metric": "l1"}, "Ward can only work with euclidean"),
        ({"metric": "precomputed"}, "Ward can only work with euclidean"),
        ({"n_clusters": None}, "Exactly one of n_clusters and distance_threshold"),
        ({"n_clusters": 2, "distance_threshold": 1.0}, "Exactly one"),
        ({"n_clusters": 0}, "n_clusters"),
        ({"n_clusters": 2.5}, "n_clusters"),
        ({"n_clusters": 28}, "Cannot extract more clusters"),
    ],
)
def test_u_hier_bad_parameters_rejected_as_sklearn_rejects_them(kw, match):
    with pytest.raises(ValueError):
        SkAgglo(**kw).fit(X)
    with pytest.raises(ValueError, match=match):
        AgglomerativeClustering(**kw).fit(X)


def test_u_hier_precomputed_must_be_square_and_two_samples_needed():
    with pytest.raises(ValueError, match="square"):
        AgglomerativeClustering(linkage="average", metric="precomputed").fit(X)
    with pytest.raises(ValueError):
        AgglomerativeClustering(n_clusters=1).fit(X[:1])
    m = AgglomerativeClustering(n_clusters=27).fit(X)  # n_clusters == n_samples is allowed
    np.testing.assert_array_equal(np.sort(m.labels_), np.arange(27))


def test_u_hier_large_integer_coordinates_equal_scipy():
    # integers near 6.2e7 (2D): ‖x‖² + ‖y‖² − 2x·y would round by more than the true
    # squared distances (1, 2, 4 …), so these must take SciPy's difference path
    rng = np.random.RandomState(2)
    grid = rng.randint(0, 4, size=(30, 2)).astype(float) + 62_000_000.0
    for data in (grid, grid + 2.0**30):
        for method in ("ward", "complete", "average", "single"):
            Z, Zs = linkage(data, method), scipy_linkage(data, method)
            np.testing.assert_array_equal(Z[:, [0, 1, 3]], Zs[:, [0, 1, 3]])
            np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-12, atol=1e-12)


def test_u_hier_linkage_function_default_checks_and_sizes():
    np.testing.assert_array_equal(linkage(X), scipy_linkage(X, "ward"))  # default: Ward
    np.testing.assert_array_equal(linkage(X[:2], "average"), scipy_linkage(X[:2], "average"))
    with pytest.raises(ValueError):
        linkage(X[:1], "single")  # one sample has no merge
    with pytest.raises(ValueError, match="Unknown linkage='centroid'"):
        linkage(X, "centroid")
    labels = cut_tree_labels(scipy_linkage(X, "ward"), 3)
    assert labels.dtype.kind == "i"


def test_u_hier_labels_dtype_integer_distances_and_two_samples():
    m = AgglomerativeClustering(n_clusters=3).fit(X)
    assert m.labels_.dtype == SkAgglo(n_clusters=3).fit(X).labels_.dtype  # intp
    Di = np.round(pairwise_distances(X, metric="manhattan") * 10).astype(np.int64)
    kw = dict(n_clusters=3, linkage="average", metric="precomputed")
    _same(AgglomerativeClustering(**kw).fit(Di), SkAgglo(compute_distances=True, **kw).fit(Di))
    two = AgglomerativeClustering(n_clusters=1).fit(X[:2])
    np.testing.assert_array_equal(two.labels_, [0, 0])
    with pytest.raises(ValueError, match="Unknown metric='euclidian'"):
        AgglomerativeClustering(metric="euclidian", linkage="average").fit(X)
    with pytest.raises(ValueError, match="Unknown linkage='centroid'"):
        AgglomerativeClustering(linkage="centroid").fit(X)


def test_large_integer_data_takes_the_exact_difference_path():
    """U-HIER: integer data whose Gram form would round (values near 2^28, and a 0 so the
    smallest magnitude says nothing) must still give SciPy's pdist distances bit for bit
    (a fresh-round survivor: the size guard read min |x| instead of max |x|)."""
    from scipy.spatial.distance import pdist, squareform

    from gradkit.ml.cluster._agglomerative import _distances

    rng = np.random.default_rng(0)
    X = rng.integers(2**28 - 1000, 2**28, (30, 3)).astype(float)
    X[0, 0] = 0.0
    np.testing.assert_array_equal(_distances(X), squareform(pdist(X)))
