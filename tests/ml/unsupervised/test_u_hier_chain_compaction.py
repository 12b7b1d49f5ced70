"""U-HIER (issue 24): the nearest-neighbour chain kept across the compaction of the
distance matrix, and both edges of the exact-Gram bound of the Euclidean distances, against
SciPy's ``linkage`` and ``pdist`` bit for bit."""

import numpy as np
import pytest

from gradkit.ml.cluster import linkage
from gradkit.ml.cluster._agglomerative import _distances

hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
distance = pytest.importorskip("scipy.spatial.distance")


@pytest.mark.parametrize(("seed", "method"), [(11, "average"), (8, "average"), (10, "ward")])
def test_u_hier_chain_renumbered_when_matrix_compacted(seed, method):
    """U-HIER: 68 samples, so the matrix is compacted after 34 merges (34 > 32 live rows)
    while the chain still holds several clusters (three for seed 10, seven for seed 11);
    their renumbered rows must be the same clusters, or the chain follows wrong
    neighbours and the merges differ from SciPy's."""
    X = np.round(np.random.RandomState(seed).rand(68, 2) * 1000)
    np.testing.assert_array_equal(linkage(X, method), hierarchy.linkage(X, method))


def test_u_hier_gram_distances_only_where_exact():
    """U-HIER: the Gram form ‖x‖² + ‖y‖² − 2x·y is exact for integers with 4 d max|x|² <
    2^53; data just past that bound (in 3 dimensions near 2^26, and in 2 dimensions with
    2^53 ≤ 4 d max|x|² < 2^54) would round there, so it must give pdist's distances."""
    rng = np.random.RandomState(0)
    X3 = (2.0**26 - rng.randint(0, 7, size=(12, 3))).astype(float)
    lim = int(np.sqrt(2.0**52 / 2))
    X2 = rng.randint(-lim + 1, lim, size=(20, 2)).astype(float)
    X2[:, 0] = np.sign(X2[:, 0]) * (lim - 1 - rng.randint(0, 1000, 20))
    for X in (X3, X2):
        d, big = X.shape[1], np.abs(X).max()
        assert 4 * d * big * big >= 2.0**53  # past the bound
        np.testing.assert_array_equal(_distances(X), distance.squareform(distance.pdist(X)))
