"""The distances of the k-NN search, computed as scikit-learn computes them (ML-KNN).

A Minkowski-family metric ranks points by a reduced distance r (same order, cheaper) and
reports the distance d = f(r); with t = x − y:

=========== ======================= ===========
metric      r                       d
=========== ======================= ===========
euclidean   Σ_j t_j²                √r
manhattan   Σ_j |t_j|               r
chebyshev   max_j |t_j|             r
minkowski   Σ_j |t_j|^p             r^(1/p)
=========== ======================= ===========

Sums run feature by feature from the first, as scikit-learn's ``DistanceMetric`` and
k-d tree do, and the terms' powers go through the C library's ``pow`` as there (NumPy's
vectorised ``**`` differs in the last bit for some inputs); r^(1/p) is taken as each
scikit-learn search takes it. So distances equal there are equal here. A k-d
tree node's lower bound is the same reduction of the gap between the query and the
node's box,
g_j = ½((lo_j − q_j) + |lo_j − q_j|) + ½((q_j − hi_j) + |q_j − hi_j|).
"""

from __future__ import annotations

import math

import numpy as np

# scikit-learn's metric names with a fixed p, as its k-d tree accepts them
FIXED_P = {
    "euclidean": 2.0, "l2": 2.0, "manhattan": 1.0, "cityblock": 1.0, "l1": 1.0,
    "chebyshev": math.inf, "infinity": math.inf,
}  # fmt: skip


_libm_pow = np.frompyfunc(math.pow, 2, 1)


def libm_pow(a: np.ndarray, p: float) -> np.ndarray:
    """a**p element by element through the C library's pow (scikit-learn's rounding)."""
    return _libm_pow(a, p).astype(np.float64)


class Reduced:
    """The reduced distance of the Minkowski metric of order ``p`` (0 < p ≤ ∞)."""

    def __init__(self, p: float):
        self.p = float(p)

    def add(self, out: np.ndarray, t: np.ndarray, exact: bool = True) -> None:
        """Fold one feature's differences ``t`` into the running reduced distances
        (``exact=False``: NumPy's own power, faster, maybe a last bit off)."""
        p = self.p
        if p == 2.0:
            out += t * t
        elif p == 1.0:
            out += np.abs(t)
        elif p == math.inf:
            np.maximum(out, np.abs(t), out=out)
        else:
            out += libm_pow(np.abs(t), p) if exact else np.abs(t) ** p

    def rows(self, X: np.ndarray, Q: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """(n_q, m): r(X[idx[i, c]], Q[i])."""
        out = np.zeros(idx.shape)
        for j in range(X.shape[1]):
            self.add(out, X[idx, j] - Q[:, j : j + 1])
        return out

    def block(self, Q: np.ndarray, Y: np.ndarray, out: np.ndarray, exact=True) -> np.ndarray:
        """(n_q, n_y): r(Y[c], Q[i]) for every pair, into ``out``."""
        out.fill(0.0)
        for j in range(Q.shape[1]):
            self.add(out, Y[:, j] - Q[:, j : j + 1], exact)
        return out

    def box_bound(self, lower: np.ndarray, upper: np.ndarray, Q: np.ndarray) -> np.ndarray:
        """(n_q, n_nodes): the reduced distance from each query to each node's box."""
        out = np.zeros((len(Q), len(lower)))
        for j in range(Q.shape[1]):
            d_lo = lower[:, j] - Q[:, j : j + 1]
            d_hi = Q[:, j : j + 1] - upper[:, j]
            self.add(out, 0.5 * ((d_lo + np.abs(d_lo)) + (d_hi + np.abs(d_hi))))
        return out

    def to_dist(self, r: np.ndarray, libm: bool = False) -> np.ndarray:
        """d from r. scikit-learn's k-d tree takes r^(1/p) with NumPy's ``**`` on its
        (n_queries, k) array, its brute force with the C library's pow: ``libm`` picks."""
        p = self.p
        if p == 2.0:
            return np.sqrt(r)
        if p in (1.0, math.inf):
            return r
        if libm:
            return libm_pow(r, 1.0 / p)
        return np.ascontiguousarray(r) ** (1.0 / p)

    def scale(self, A: np.ndarray) -> np.ndarray:
        """r(a, 0) of each row of A, (n,) or (n_q, m) for A (..., d): the size against
        which rounding is judged."""
        out = np.zeros(A.shape[:-1])
        for j in range(A.shape[-1]):
            self.add(out, A[..., j], exact=False)
        return out
