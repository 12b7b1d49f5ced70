"""Exact k-nearest neighbours by brute force: tiled BLAS distances and a threshold filter
for the Euclidean metric; tiles of reduced distances for the other Minkowski metrics and
of products of unit rows for the cosine distance.

For queries q and fit points y the ranking key is the surrogate s = ‖y‖² − 2 q·y, which
differs from ‖q − y‖² only by ‖q‖², a constant per query (scikit-learn's brute force
ranks the same key). The queries go in row tiles, the fit points in column tiles sized
for the cache:

1. the first column tile gives each query a threshold t = its k-th smallest s there, an
   upper bound of its true k-th smallest;
2. every tile keeps only its entries s ≤ t (a mostly-false mask, ``nonzero``), so
   nothing of size (queries × fit points) is ever kept or sorted;
3. one ``lexsort`` of the kept (query, d², index) triples, d² = max(‖q‖² + s, 0) (the
   squared distance as scikit-learn reports it), takes the k smallest per query; of
   equal distances the lower index, listed first.

Where no two distances tie this is scikit-learn's answer. Among tied distances
scikit-learn keeps whichever its heaps hold last, which depends on its scan order,
chunking and thread count; the rule here is fixed, and the same for dense and sparse
input whatever the rounding of their products.
"""

from __future__ import annotations

import numpy as np

_ROWS = 256  # query rows per tile
_COLS = 2048  # fit points per tile: a (256, 2048) float64 block is 4 MB


def _row_sq_norms(X) -> np.ndarray:
    """‖x‖² of every row, summed left to right over the columns, dense or sparse alike
    (zeros add nothing), so dense and scipy.sparse input round the same way."""
    if hasattr(X, "tocsr"):
        X = X.tocsr()
        if not X.has_sorted_indices:
            X = X.sorted_indices()
        sq = X.data.astype(np.float64) ** 2
        counts = np.diff(X.indptr)
        out = np.zeros(X.shape[0])
        rows = np.arange(X.shape[0])
        for j in range(int(counts.max(initial=0))):
            rows = rows[counts[rows] > j]
            out[rows] += sq[X.indptr[rows] + j]
        return out
    XT = np.ascontiguousarray(X.T)
    out = XT[0] ** 2
    for col in XT[1:]:
        out += col**2
    return out


class BruteIndex:
    """The fit points prepared for repeated queries: −2·Yᵀ (exact: a power of two) and ‖y‖².

    Shape: Y (m, d); scipy.sparse Y (and queries) are multiplied as CSR, tile by tile.
    """

    def __init__(self, Y):
        self.sparse = hasattr(Y, "tocsr")
        self.YT2 = (Y.T * -2.0).tocsr() if self.sparse else np.ascontiguousarray(Y.T) * -2.0
        self.yy = _row_sq_norms(Y)
        self.n = Y.shape[0]

    def kneighbors(self, Q, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Distances and indices of the k nearest fit points of every query, each (n_q, k),
        nearest first."""
        n_q = Q.shape[0]
        dist = np.empty((n_q, k))
        idx = np.empty((n_q, k), dtype=np.intp)
        qq = _row_sq_norms(Q)
        for start in range(0, n_q, _ROWS):
            stop = min(start + _ROWS, n_q)
            d2, idx[start:stop] = self._tile_kneighbors(Q[start:stop], qq[start:stop], k)
            dist[start:stop] = np.sqrt(d2)
        return dist, idx

    def _surrogate(self, q, lo: int, hi: int, out: np.ndarray) -> np.ndarray:
        """s = ‖y‖² − 2 q·y for the fit points lo … hi−1, (rows, hi − lo), into ``out``."""
        if self.sparse or hasattr(q, "tocsr"):
            e = q @ self.YT2[:, lo:hi]
            out[...] = e.toarray() if hasattr(e, "toarray") else e
        else:
            np.matmul(q, self.YT2[:, lo:hi], out=out)
        out += self.yy[lo:hi]
        return out

    def _tile_kneighbors(self, q, qq, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k smallest squared distances of the rows of q, (rows, k), and their fit
        indices."""
        rows = q.shape[0]
        first = min(max(_COLS, k), self.n)
        e = self._surrogate(q, 0, first, np.empty((rows, first)))
        t = np.partition(e, k - 1, axis=1)[:, k - 1] if first > k else e.max(axis=1)
        # admit every s whose rounded ‖q‖² + s can equal that of the k-th: ties in the
        # distance itself are then broken by index, whatever the rounding of s
        t = (t + 4 * np.finfo(np.float64).eps * (np.abs(t) + qq))[:, None]
        kept = [self._kept(e, t, 0)]
        buf = np.empty((rows, _COLS))
        mask = np.empty((rows, _COLS), dtype=bool)
        for lo in range(first, self.n, _COLS):
            hi = min(lo + _COLS, self.n)
            e = self._surrogate(q, lo, hi, buf[:, : hi - lo])
            kept.append(self._kept(e, t, lo, mask[:, : hi - lo]))
        r, c, v = (np.concatenate(part) for part in zip(*kept, strict=True))
        v += qq[r]
        np.maximum(v, 0.0, out=v)
        return _k_smallest(r, c, v, rows, k)

    @staticmethod
    def _kept(e, t, lo: int, mask=None) -> tuple:
        """(row, fit index, value) of the entries of the block e with e ≤ t of their row."""
        mask = np.less_equal(e, t, out=mask)
        flat = np.flatnonzero(mask.ravel() if mask.flags.c_contiguous else mask)
        r, c = np.divmod(flat, e.shape[1])
        return r, c + lo, e[r, c]


def _k_smallest(r, c, v, rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """From candidate triples (row, fit index, value), at least k per row, the k smallest
    values of each row, (rows, k), and their fit indices; of equal values the lower
    index, listed first."""
    order = np.lexsort((c, v, r))
    starts = np.searchsorted(r, np.arange(rows), sorter=order)
    pick = order[starts[:, None] + np.arange(k)]
    return v[pick], c[pick]


def _select(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k smallest entries of each row of ``block`` (rows, n) and their columns; ties
    by the lower column (every entry equal to the k-th is a candidate)."""
    kth = np.partition(block, k - 1, axis=1)[:, k - 1 : k] if block.shape[1] > k else None
    r, c = np.nonzero(block <= kth) if kth is not None else np.indices(block.shape).reshape(2, -1)
    return _k_smallest(r, c, block[r, c], block.shape[0], k)


class MetricBruteIndex:
    """Brute force for the Minkowski metrics other than the Euclidean one (dense input):
    reduced distances (:class:`._distance.Reduced`) of a tile of queries to every fit
    point, summed feature by feature, then the k smallest of each row.

    Shape: Y (m, d); per tile a (rows, m) block, rows chosen to keep it near 4 M entries.
    """

    def __init__(self, Y, reduced):
        self.Y = np.asarray(Y, dtype=np.float64)
        self.reduced = reduced

    def kneighbors(self, Q, k: int) -> tuple[np.ndarray, np.ndarray]:
        Q = np.asarray(Q, dtype=np.float64)
        n_q, m = len(Q), len(self.Y)
        idx = np.empty((n_q, k), dtype=np.intp)
        step = max(1, 2**22 // max(m, 1))
        block = np.empty((min(step, n_q), m))
        for lo in range(0, n_q, step):
            hi = min(lo + step, n_q)
            r = self.reduced.block(Q[lo:hi], self.Y, block[: hi - lo], exact=False)
            _, idx[lo:hi] = _select(r, k)
        # the k kept, with the C library's powers (the block used NumPy's, for speed)
        rd = self.reduced.rows(self.Y, Q, idx)
        order = np.lexsort((idx, rd), axis=1) if k > 1 else np.zeros((n_q, 1), np.intp)
        idx = np.take_along_axis(idx, order, 1)
        dist = self.reduced.to_dist(np.take_along_axis(rd, order, 1), libm=True)
        return dist, idx


def _unit_rows(A):
    """Rows scaled to unit Euclidean norm (zero rows stay zero), as scikit-learn's
    ``normalize``; dense or CSR."""
    norms = np.sqrt(_row_sq_norms(A))
    norms[norms == 0.0] = 1.0
    if hasattr(A, "tocsr"):
        from scipy.sparse import diags

        return (diags(1.0 / norms) @ A.tocsr()).tocsr()
    return A / norms[:, None]


class CosineBruteIndex:
    """Brute force for the cosine distance 1 − x·y / (‖x‖ ‖y‖), clipped to [0, 2] as
    scikit-learn's ``cosine_distances`` does; dense or scipy.sparse.

    Shape: Y (m, d); per tile a (rows, m) block of products.
    """

    def __init__(self, Y):
        self.YT = _unit_rows(Y).T
        self.sparse = hasattr(Y, "tocsr")
        self.m = Y.shape[0]

    def kneighbors(self, Q, k: int) -> tuple[np.ndarray, np.ndarray]:
        Qn = _unit_rows(Q)
        n_q = Q.shape[0]
        dist = np.empty((n_q, k))
        idx = np.empty((n_q, k), dtype=np.intp)
        step = max(1, 2**22 // max(self.m, 1))
        for lo in range(0, n_q, step):
            hi = min(lo + step, n_q)
            s = Qn[lo:hi] @ self.YT
            s = s.toarray() if hasattr(s, "toarray") else np.asarray(s)
            d = np.clip(1.0 - s, 0.0, 2.0)
            dist[lo:hi], idx[lo:hi] = _select(d, k)
        return dist, idx
