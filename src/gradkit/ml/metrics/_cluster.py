"""Clustering metrics: silhouette (U-SIL) and the adjusted Rand index."""

from __future__ import annotations

import numpy as np

from .._pairwise import euclidean
from ..base import (
    check_array,
    check_consistent_length,
    check_legacy_random_state,
    check_option,
    column_or_1d,
)

_CHUNK = 2048


def _contingency(labels_true, labels_pred) -> np.ndarray:
    labels_true, labels_pred = column_or_1d(labels_true), column_or_1d(labels_pred)
    check_consistent_length(labels_true, labels_pred)
    _, a = np.unique(labels_true, return_inverse=True)
    _, b = np.unique(labels_pred, return_inverse=True)
    nb = b.max() + 1 if b.size else 0
    na = a.max() + 1 if a.size else 0
    return np.bincount(a * nb + b, minlength=na * nb).reshape(na, nb).astype(np.int64)


def adjusted_rand_score(labels_true, labels_pred) -> float:
    """Rand index adjusted for chance, ARI = (RI − E[RI]) / (max RI − E[RI]).

    Computed from the pair-confusion counts (same/different cluster in each labelling):
    ARI = 2 (TP·TN − FN·FP) / ((TP + FN)(FN + TN) + (TP + FP)(FP + TN)).
    1.0 for identical partitions (up to relabelling), about 0 for random ones.

    Examples
    --------
    >>> adjusted_rand_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    c = _contingency(labels_true, labels_pred)
    n = int(c.sum())
    sum_squares = int((c * c).sum())
    n_c, n_k = c.sum(axis=1), c.sum(axis=0)
    tp = sum_squares - n
    fp = int((c @ n_k).sum()) - sum_squares
    fn = int((c.T @ n_c).sum()) - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def silhouette_samples(X, labels, *, metric: str = "euclidean") -> np.ndarray:
    """Silhouette of each sample, s_i = (b_i − a_i) / max(a_i, b_i)   (U-SIL).

    a_i is the mean distance from i to the other members of its cluster, b_i the
    smallest mean distance from i to the members of another cluster; s_i = 0 for a
    sample alone in its cluster. ``metric`` is 'euclidean' or 'precomputed' (X is then
    an (n, n) distance matrix).

    Shape: X (n, d) or (n, n), labels (n,) → (n,).
    """
    check_option("metric", metric, ("euclidean", "precomputed"))
    X = check_array(X)
    labels = column_or_1d(labels)
    check_consistent_length(X, labels)
    _, lab = np.unique(labels, return_inverse=True)
    n, k = len(lab), lab.max() + 1
    if not 2 <= k <= n - 1:
        raise ValueError(
            f"Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive)."
        )
    if metric == "precomputed":
        if X.shape[0] != X.shape[1]:
            raise ValueError(f"A precomputed distance matrix must be square, got {X.shape}.")
        if np.any(np.diag(X) != 0):
            raise ValueError("The precomputed distance matrix contains non-zero diagonal.")
    counts = np.bincount(lab, minlength=k).astype(np.float64)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), lab] = 1.0
    sums = np.empty((n, k))
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        d = X[start:stop] if metric == "precomputed" else euclidean(X[start:stop], X)
        if metric == "euclidean":
            d[np.arange(stop - start), np.arange(start, stop)] = 0.0
        sums[start:stop] = d @ onehot
    own = counts[lab]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[np.arange(n), lab] / (own - 1)
        mean_other = sums / counts
    mean_other[np.arange(n), lab] = np.inf
    b = mean_other.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (b - a) / np.maximum(a, b)
    s[own == 1] = 0.0
    return np.nan_to_num(s)


def silhouette_score(
    X, labels, *, metric: str = "euclidean", sample_size: int | None = None, random_state=None
) -> float:
    """Mean silhouette over all samples (or a random subset of ``sample_size``).

    Examples
    --------
    >>> X = [[0.0], [0.1], [5.0], [5.1]]
    >>> round(silhouette_score(X, [0, 0, 1, 1]), 4)
    0.98
    """
    if sample_size is not None:
        X = check_array(X)
        labels = column_or_1d(labels)
        idx = check_legacy_random_state(random_state).permutation(X.shape[0])[:sample_size]
        X = X[idx][:, idx] if metric == "precomputed" else X[idx]
        labels = labels[idx]
    return float(np.mean(silhouette_samples(X, labels, metric=metric)))
