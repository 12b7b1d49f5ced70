"""Clustering pictures: the dendrogram's links are SciPy's layout of the same linkage
(U-HIER), the embedding scatters the given points per label, the silhouette bars are
scikit-learn's silhouette_samples (U-SIL), the U-matrix is the SOM's (GEN-SOM)."""

import numpy as np
import pytest

from gradkit import plot
from gradkit.ml.cluster import AgglomerativeClustering
from gradkit.ml.exceptions import NotFittedError

hierarchy = pytest.importorskip("scipy.cluster.hierarchy")


def _data(seed=0, n=25):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, 0.6, (n // 3 + 1, 2)) for c in (0.0, 4.0, 8.0)])[:n]


def _links(ax):
    return [(list(line.get_xdata()), list(line.get_ydata())) for line in ax.lines]


@pytest.mark.parametrize("method", ["ward", "average", "complete", "single"])
def test_dendrogram_of_a_fitted_model_is_scipys_layout(method, ax):
    X = _data()
    model = AgglomerativeClustering(n_clusters=3, linkage=method).fit(X)
    plot.dendrogram(model, ax=ax)
    ref = hierarchy.dendrogram(hierarchy.linkage(X, method), no_plot=True)
    assert len(ax.lines) == len(X) - 1
    np.testing.assert_allclose([x for x, _ in _links(ax)], ref["icoord"], rtol=0, atol=0)
    np.testing.assert_allclose([y for _, y in _links(ax)], ref["dcoord"], rtol=0, atol=1e-12)
    assert [line.get_color() for line in ax.lines] == ref["color_list"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(i) for i in ref["leaves"]]


def test_dendrogram_from_linkage_matrix_with_labels_and_truncation():
    X = _data(1, 30)
    Z = hierarchy.linkage(X, "average")
    names = [f"s{i}" for i in range(30)]
    ax = plot.dendrogram(Z, labels=names, truncate_mode="lastp", p=5, color_threshold=2.0)
    ref = hierarchy.dendrogram(
        Z, no_plot=True, labels=names, truncate_mode="lastp", p=5, color_threshold=2.0
    )
    np.testing.assert_allclose([y for _, y in _links(ax)], ref["dcoord"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ref["ivl"]
    assert len(ax.lines) == 4  # p = 5 leaves, 4 links


def test_dendrogram_of_a_sklearn_model_rebuilds_the_linkage():
    cluster = pytest.importorskip("sklearn.cluster")
    X = _data(2)
    model = cluster.AgglomerativeClustering(n_clusters=3, compute_distances=True).fit(X)
    ax = plot.dendrogram(model)
    ref = hierarchy.dendrogram(hierarchy.linkage(X, "ward"), no_plot=True)
    tops = sorted(max(y) for _, y in _links(ax))
    np.testing.assert_allclose(tops, sorted(model.distances_), rtol=1e-12)
    # children_ + distances_ + the rebuilt leaf counts give SciPy's Ward linkage back
    np.testing.assert_allclose([x for x, _ in _links(ax)], ref["icoord"], rtol=0, atol=0)
    np.testing.assert_allclose([y for _, y in _links(ax)], ref["dcoord"], rtol=1e-12)
    no_dist = cluster.AgglomerativeClustering(n_clusters=3).fit(X)
    with pytest.raises(ValueError, match="compute_distances=True"):
        plot.dendrogram(no_dist)


def test_dendrogram_errors():
    with pytest.raises(NotFittedError):
        plot.dendrogram(AgglomerativeClustering())
    with pytest.raises(ValueError, match=r"shape \(n_samples - 1, 4\), got \(2, 3\)"):
        plot.dendrogram(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="distances .* must be >= 0"):
        plot.dendrogram([[0, 1, -1.0, 2]])
    with pytest.raises(ValueError, match="dendrogram: .*linkage matrix"):
        plot.dendrogram([[0, 1, 1.0, 2], [0, 1, 2.0, 2]])  # leaf 0 merged twice
    with pytest.raises(ValueError, match="2 labels for 3 leaves"):
        plot.dendrogram([[0, 1, 1.0, 2], [2, 3, 2.0, 3]], labels=["a", "b"])


def test_embedding_scatters_each_label_in_sorted_order(ax):
    from gradkit.ml.decomposition import PCA

    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 5))
    labels = rng.choice(["b", "a", "c"], 40)
    X2 = PCA(n_components=2).fit_transform(X)
    plot.embedding(X2, labels, ax=ax, names=["A", "B", "C"])
    for collection, c in zip(ax.collections, ["a", "b", "c"]):
        np.testing.assert_array_equal(collection.get_offsets(), X2[labels == c])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B", "C"]
    ax2 = plot.embedding(X2)
    np.testing.assert_array_equal(ax2.collections[0].get_offsets(), X2)
    with pytest.raises(ValueError, match=r"2 columns, got shape \(40, 5\).*PCA"):
        plot.embedding(X)
    with pytest.raises(ValueError, match=r"labels must have shape \(40,\)"):
        plot.embedding(X2, labels[:3])


def test_silhouette_bars_are_sklearns_silhouette_samples(ax):
    skm = pytest.importorskip("sklearn.metrics")
    X = _data(4, 30)
    labels = AgglomerativeClustering(n_clusters=3).fit(X).labels_
    plot.silhouette(X, labels, ax=ax)
    ref = skm.silhouette_samples(X, labels)
    bars = [c for c in ax.containers]
    assert len(bars) == 3 and len(ax.patches) == len(X)
    for container, c in zip(bars, np.unique(labels)):
        widths = [p.get_width() for p in container]
        np.testing.assert_allclose(widths, np.sort(ref[labels == c]), rtol=0, atol=1e-12)
    mean_line = ax.lines[-1]
    np.testing.assert_allclose(mean_line.get_xdata(), [ref.mean()] * 2, atol=1e-12)
    with pytest.raises(ValueError):
        plot.silhouette(X, np.zeros(30))  # one cluster: undefined


def test_som_umatrix_image_is_the_maps_u_matrix():
    from gradkit.models.som import SelfOrganizingMap

    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(0, 0.1, (20, 3)), rng.normal(1, 0.1, (20, 3))])
    y = np.repeat([0, 1], 20)
    som = SelfOrganizingMap(5, 6, n_iter=400, random_state=0).fit(X)
    ax = plot.som_umatrix(som, X=X, y=y)
    np.testing.assert_array_equal(ax.images[0].get_array(), som.u_matrix())
    bmu = som.predict(X)  # (row, col) per sample
    for collection, c in zip(ax.collections, (0, 1)):
        pts = collection.get_offsets()
        rows, cols = bmu[y == c].T
        assert np.all(np.abs(pts[:, 0] - cols) <= 0.25) and np.all(np.abs(pts[:, 1] - rows) <= 0.25)
    mean = plot.som_umatrix(som, scaling="mean")
    np.testing.assert_array_equal(mean.images[0].get_array(), som.u_matrix(scaling="mean"))
    with pytest.raises(NotFittedError):
        plot.som_umatrix(SelfOrganizingMap(2, 2))
    with pytest.raises(TypeError, match="expected a fitted SelfOrganizingMap"):
        plot.som_umatrix(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"y must have shape \(40,\)"):
        plot.som_umatrix(som, X=X, y=y[:5])
