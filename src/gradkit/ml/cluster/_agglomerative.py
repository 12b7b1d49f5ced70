"""Agglomerative hierarchical clustering (U-HIER): Ward, average, complete and single linkage.

The merge tree is built by the nearest-neighbour-chain algorithm (O(n²) time, Murtagh
1983) for the reducible linkages Ward / average / complete, and by Prim's minimum
spanning tree for single linkage; distances between a merged cluster and the others
follow the Lance–Williams recurrences. The result is a linkage matrix in SciPy's format,
so ``scipy.cluster.hierarchy.dendrogram(model.linkage_matrix_)`` draws it.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..base import BaseEstimator, ClusterMixin, check_array, check_option

LINKAGES = ("ward", "complete", "average", "single")


def _lance_williams(method, d_xi, d_yi, d_xy, nx, ny, ni):
    """Distance from the merged cluster x ∪ y to every other cluster i (new array).

    complete: max(d_xi, d_yi); average: (n_x d_xi + n_y d_yi) / (n_x + n_y);
    ward: sqrt(((n_x + n_i) d_xi² + (n_y + n_i) d_yi² − n_i d_xy²) / (n_x + n_y + n_i)),
    evaluated in SciPy's order of operations so that ties break identically.
    """
    if method == "complete":
        return np.maximum(d_xi, d_yi)
    if method == "average":
        out = nx * d_xi
        out += ny * d_yi
        out /= nx + ny
        return out
    t = 1.0 / (nx + ny + ni)
    out = (nx + ni) * t
    out *= d_xi
    out *= d_xi
    b = (ny + ni) * t
    b *= d_yi
    b *= d_yi
    out += b
    t *= ni
    t *= d_xy
    t *= d_xy
    out -= t
    return np.sqrt(out, out=out)


def _nn_chain(D: np.ndarray, method: str) -> np.ndarray:
    """Unsorted merges (x, y, distance, size) by the nearest-neighbour chain.

    D is the (n, n) distance matrix, overwritten. Follows SciPy's tie-breaking: the
    previous chain element wins ties, otherwise the lowest index. The diagonal and the
    columns of merged-away clusters hold inf, so a row's argmin is the nearest live
    cluster; once half the rows are dead the matrix is compacted (order kept, so ties
    still go to the lowest original index), which shortens every later row operation.
    """
    n = D.shape[0]
    np.fill_diagonal(D, np.inf)
    size = np.ones(n)
    ids = np.arange(n)  # original index of each row of the (compacted) D
    live = np.ones(n, dtype=bool)
    n_live = n
    Z = np.empty((n - 1, 4))
    chain: list[int] = []
    for k in range(n - 1):
        if 2 * n_live <= len(ids) and n_live > 32:
            keep = np.flatnonzero(live)
            D = D[np.ix_(keep, keep)]
            size, ids = size[keep], ids[keep]
            where = np.cumsum(live) - 1
            chain = [int(where[c]) for c in chain]
            live = np.ones(n_live, dtype=bool)
        if not chain:
            chain.append(int(np.argmax(live)))
        while True:
            x = chain[-1]
            row = D[x]
            y = int(row.argmin())
            if len(chain) > 1:
                prev = chain[-2]
                if row[prev] <= row[y]:
                    y = prev
                    break
            chain.append(y)
        chain.pop()
        chain.pop()
        if x > y:
            x, y = y, x
        d_xy = float(D[x, y])
        nx, ny = float(size[x]), float(size[y])
        Z[k] = ids[x], ids[y], d_xy, nx + ny
        # the merged cluster x ∪ y lives at index y; x is dropped
        new = _lance_williams(method, D[x], D[y], d_xy, nx, ny, size)
        D[y] = new
        D[:, y] = new
        D[:, x] = np.inf
        live[x] = False
        n_live -= 1
        size[x], size[y] = 0, nx + ny
    return Z


def _mst_single(D: np.ndarray) -> np.ndarray:
    """Unsorted single-linkage merges from Prim's minimum spanning tree (SciPy's order)."""
    n = D.shape[0]
    Z = np.empty((n - 1, 4))
    nearest = np.full(n, np.inf)
    merged = np.zeros(n, dtype=bool)
    x = 0
    for k in range(n - 1):
        merged[x] = True
        np.minimum(nearest, D[x], out=nearest)
        nearest[merged] = np.inf
        y = int(np.argmin(nearest))
        Z[k] = x, y, nearest[y], 0
        x = y
    return Z


def _relabel(Z: np.ndarray, n: int, ordered: bool = True) -> np.ndarray:
    """Sort merges by height (stable) and rename clusters as SciPy does: n + merge index.

    ``ordered``: each row's pair as (smaller id, larger id), SciPy's linkage matrix;
    without it, in the order the merge found them (scikit-learn's single-linkage
    ``children_``: the tree side first, then the new sample)."""
    Z = Z[np.argsort(Z[:, 2], kind="mergesort")]
    parent = np.arange(2 * n - 1)
    size = np.ones(2 * n - 1)

    def find(i):
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    for k in range(n - 1):
        a, b = find(int(Z[k, 0])), find(int(Z[k, 1]))
        Z[k, 0], Z[k, 1] = (min(a, b), max(a, b)) if ordered else (a, b)
        parent[a] = parent[b] = n + k
        size[n + k] = size[a] + size[b]
        Z[k, 3] = size[n + k]
    return Z


def _distances(X: np.ndarray) -> np.ndarray:
    """Exact Euclidean distance matrix (n, n), bit-equal to SciPy's ``pdist``.

    Equal distances, common in gridded data such as iris, must compare equal so that ties
    break as in SciPy, so no Gram-matrix rounding is allowed: for integer data (pixels,
    counts) with 4 d max|x|² < 2^53 the Gram form ‖x‖² + ‖y‖² − 2 x·y is computed exactly
    in floating point and one GEMM does it; otherwise the differences themselves (pdist).
    """
    from scipy.spatial.distance import pdist, squareform

    big = float(np.max(np.abs(X))) if X.size else 0.0
    if 4.0 * X.shape[1] * big * big < 2.0**53 and np.array_equal(X, np.round(X)):
        xx = np.einsum("ij,ij->i", X, X)
        D = X @ (-2.0 * X.T)
        D += xx[:, None]
        D += xx
        return np.sqrt(D, out=D)
    return squareform(pdist(X))


METRICS = ("euclidean", "l1", "l2", "manhattan", "cityblock", "cosine", "precomputed")
_PDIST = {"l1": "cityblock", "manhattan": "cityblock", "cityblock": "cityblock", "cosine": "cosine"}
# single linkage under these metrics is scikit-learn's own spanning tree, whose children_
# keep the tree's order; under the others it is SciPy's linkage (pairs sorted)
_TREE_ORDER = ("euclidean", "l2", "l1", "manhattan", "cityblock")


def _pairwise(X: np.ndarray, metric: str) -> np.ndarray:
    """The (n, n) distance matrix of scikit-learn's ``metric`` (a new array)."""
    from scipy.spatial.distance import pdist, squareform

    if metric == "precomputed":
        if X.shape[0] != X.shape[1]:
            raise ValueError(f"A precomputed distance matrix must be square, got {X.shape}.")
        return np.array(X, dtype=np.float64)
    if metric in ("euclidean", "l2"):
        return _distances(X)
    return squareform(pdist(X, _PDIST[metric]))


def _tree(D: np.ndarray, method: str, n: int, ordered: bool = True) -> np.ndarray:
    """Linkage matrix of the (n, n) distances D (overwritten); see :func:`_relabel`."""
    Z = _mst_single(D) if method == "single" else _nn_chain(D, method)
    return _relabel(Z, n, ordered)


def _hc_cut(children: np.ndarray, n_clusters: int, n: int) -> np.ndarray:
    """scikit-learn's flat labels for ``n_clusters``: starting from the root, split the
    highest node n_clusters − 1 times; label i goes to the leaves under the i-th node of
    the resulting heap of (negated) node ids, so the numbering is scikit-learn's."""
    import heapq

    nodes = [-(2 * n - 2)]  # the root, the last merge
    for _ in range(n_clusters - 1):
        a, b = children[-nodes[0] - n]
        heapq.heappush(nodes, -int(a))
        heapq.heappushpop(nodes, -int(b))
    labels = np.zeros(n, dtype=np.intp)
    for i, node in enumerate(nodes):
        stack = [-node]
        while stack:
            v = stack.pop()
            if v < n:
                labels[v] = i
            else:
                stack.extend(children[v - n])
    return labels


def linkage(X, method: str = "ward") -> np.ndarray:
    """Hierarchical clustering of the rows of X, as a SciPy linkage matrix   (U-HIER).

    Row k of Z merges clusters Z[k, 0] and Z[k, 1] (ids < n are samples, id n + k is the
    cluster made at row k) at distance Z[k, 2] into a cluster of Z[k, 3] samples.
    Euclidean distances; ``method`` in {'ward', 'complete', 'average', 'single'}.
    Ward's distance is sqrt(2 n_a n_b / (n_a + n_b)) ‖μ_a − μ_b‖, the square root of
    twice the increase of the within-cluster sum of squares.

    Shape: X (n, d) → Z (n − 1, 4).

    Examples
    --------
    >>> linkage([[0.0], [1.0], [5.0]], "single").tolist()
    [[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 4.0, 3.0]]
    """
    check_option("linkage", method, LINKAGES)
    X = check_array(X, ensure_min_samples=2)
    return _tree(_distances(X), method, X.shape[0])


def cut_tree_labels(Z: np.ndarray, n_clusters: int) -> np.ndarray:
    """Flat labels 0..n_clusters−1 after the first n − n_clusters merges of Z.

    Labels are numbered in the order of each cluster's first sample.
    """
    n = Z.shape[0] + 1
    parent = np.arange(2 * n - 1)
    for k in range(n - n_clusters):
        parent[int(Z[k, 0])] = parent[int(Z[k, 1])] = n + k
    roots = np.arange(n)
    for _ in range(n):  # follow parents until fixed; depth ≤ n
        nxt = parent[roots]
        if np.array_equal(nxt, roots):
            break
        roots = nxt
    _, first, inverse = np.unique(roots, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse]


class AgglomerativeClustering(ClusterMixin, BaseEstimator):
    """Bottom-up clustering: start from singletons, repeatedly merge the closest pair.

    Parameters
    ----------
    n_clusters : int or None
        Number of clusters to cut the tree into; None requires ``distance_threshold``.
    metric : 'euclidean' (= 'l2'), 'l1' (= 'manhattan', 'cityblock'), 'cosine' or 'precomputed'
        (X is then an (n, n) distance matrix); Ward needs 'euclidean'.
    linkage : 'ward', 'complete', 'average' or 'single'
        Ward merges the pair whose union least increases the within-cluster variance;
        complete / average / single use the max / mean / min pairwise distance.
    distance_threshold : float or None
        Cut the tree where merge distances reach this value instead of at n_clusters.
    compute_distances : bool
        Kept for scikit-learn compatibility; ``distances_`` is always set.

    Attributes
    ----------
    labels_ : (n_samples,)
        Numbered as scikit-learn numbers them (see :func:`_hc_cut`).
    n_clusters_, n_leaves_ : int
    children_ : (n_samples − 1, 2) merged node ids, scikit-learn's ``children_``.
    distances_ : (n_samples − 1,) merge heights.
    linkage_matrix_ : (n_samples − 1, 4) SciPy linkage matrix for ``dendrogram``.

    Examples
    --------
    >>> X = [[0.0], [0.5], [10.0], [10.5], [11.0]]
    >>> AgglomerativeClustering(n_clusters=2).fit(X).labels_.tolist()  # sklearn's numbering
    [1, 1, 0, 0, 0]
    """

    def __init__(
        self,
        n_clusters: int | None = 2,
        *,
        metric: str = "euclidean",
        linkage: str = "ward",
        distance_threshold: float | None = None,
        compute_distances: bool = False,
    ):
        self.n_clusters = n_clusters
        self.metric = metric
        self.linkage = linkage
        self.distance_threshold = distance_threshold
        self.compute_distances = compute_distances

    def fit(self, X, y=None) -> AgglomerativeClustering:
        check_option("linkage", self.linkage, LINKAGES)
        check_option("metric", self.metric, METRICS)
        if self.linkage == "ward" and self.metric != "euclidean":
            raise ValueError(
                f"{self.metric} was provided as metric. Ward can only work with euclidean "
                "distances."
            )
        if (self.n_clusters is None) == (self.distance_threshold is None):
            raise ValueError(
                "Exactly one of n_clusters and distance_threshold has to be set, and the "
                "other needs to be None."
            )
        if self.n_clusters is not None and (
            not isinstance(self.n_clusters, numbers.Integral) or self.n_clusters < 1
        ):
            raise ValueError(f"n_clusters must be a positive integer, got {self.n_clusters!r}.")
        X = check_array(X, ensure_min_samples=2)
        self.n_features_in_ = X.shape[1]
        n = X.shape[0]
        if self.n_clusters is not None and self.n_clusters > n:
            raise ValueError(
                f"Cannot extract more clusters ({self.n_clusters}) than samples ({n})."
            )
        D = _pairwise(X, self.metric)
        if self.linkage == "single" and self.metric in _TREE_ORDER:
            Z = _tree(D, "single", n, ordered=False)
            self.linkage_matrix_ = Z.copy()
            self.linkage_matrix_[:, :2].sort(axis=1)
        else:
            Z = self.linkage_matrix_ = _tree(D, self.linkage, n)
        self.children_ = Z[:, :2].astype(np.int64)
        self.distances_ = Z[:, 2].copy()
        self.n_leaves_ = n
        self.n_connected_components_ = 1
        if self.distance_threshold is not None:
            self.n_clusters_ = int(np.count_nonzero(self.distances_ >= self.distance_threshold)) + 1
        else:
            self.n_clusters_ = int(self.n_clusters)
        self.labels_ = _hc_cut(self.children_, self.n_clusters_, n)
        return self
