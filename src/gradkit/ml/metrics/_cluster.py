"""Clustering metrics from the data (no reference labels): silhouette (U-SIL),
Calinski–Harabasz and Davies–Bouldin indices."""

from __future__ import annotations

import numpy as np

from .._pairwise import euclidean
from ..base import (
    check_array,
    check_consistent_length,
    check_legacy_random_state,
    check_option,
    check_X_y,
    column_or_1d,
)

_CHUNK = 2048


def silhouette_samples(X, labels, *, metric: str = "euclidean") -> np.ndarray:
    """Silhouette of each sample, s_i = (b_i − a_i) / max(a_i, b_i)   (U-SIL).

    a_i is the mean distance from i to the other members of its cluster, b_i the
    smallest mean distance from i to the members of another cluster; s_i = 0 for a
    sample alone in its cluster. ``metric`` is 'euclidean' or 'precomputed' (X is then
    an (n, n) distance matrix).

    Shape: X (n, d) or (n, n), labels (n,) → (n,).
    """
    check_option("metric", metric, ("euclidean", "precomputed"))
    given = getattr(X, "dtype", None)
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
        # scikit-learn's rule: a float diagonal within 100 ulp of 0 is rounding, not data
        kind = np.dtype(given).kind if given is not None else "f"
        atol = 100 * np.finfo(given if kind == "f" else np.float64).eps if kind == "f" else 0.0
        if np.any(np.abs(np.diag(X)) > atol):
            raise ValueError(
                "The precomputed distance matrix contains non-zero elements on the diagonal. "
                "Use np.fill_diagonal(X, 0)."
            )
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


def _encoded_clusters(X, labels) -> tuple[np.ndarray, np.ndarray, int]:
    X, labels = check_X_y(X, labels)
    _, lab = np.unique(labels, return_inverse=True)
    lab = lab.ravel()
    k = int(lab.max()) + 1
    if not 1 < k < X.shape[0]:
        raise ValueError(
            f"Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive)"
        )
    return X, lab, k


def calinski_harabasz_score(X, labels) -> float:
    """Variance ratio criterion: [B / (k − 1)] / [W / (n − k)], B = Σ_j n_j ‖μ_j − μ‖²
    between clusters, W = Σ_j Σ_{i∈j} ‖x_i − μ_j‖² within (1.0 when W = 0). Higher is
    better.

    Shape: X (n, d), labels (n,).

    Examples
    --------
    >>> calinski_harabasz_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1])
    200.0
    """
    X, lab, k = _encoded_clusters(X, labels)
    n = X.shape[0]
    mean = np.mean(X, axis=0)
    between = within = 0.0
    for j in range(k):
        members = X[lab == j]
        mean_j = np.mean(members, axis=0)
        between += members.shape[0] * np.sum((mean_j - mean) ** 2)
        within += np.sum((members - mean_j) ** 2)
    return float(1.0 if within == 0.0 else between * (n - k) / (within * (k - 1.0)))


def davies_bouldin_score(X, labels) -> float:
    """Mean over clusters of max_{j≠i} (s_i + s_j) / ‖μ_i − μ_j‖, s_i the mean distance of
    cluster i's members to its centroid μ_i (0 when all s or all centroid gaps are 0).
    Lower is better.

    Shape: X (n, d), labels (n,).

    Examples
    --------
    >>> davies_bouldin_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1])
    0.1
    """
    X, lab, k = _encoded_clusters(X, labels)
    spread = np.zeros(k)
    centroids = np.zeros((k, X.shape[1]))
    for j in range(k):
        members = X[lab == j]
        centroids[j] = members.mean(axis=0)
        spread[j] = euclidean(members, centroids[j : j + 1]).mean()
    gaps = euclidean(centroids)
    if np.allclose(spread, 0.0) or np.allclose(gaps, 0.0):
        return 0.0
    gaps[gaps == 0] = np.inf
    return float(np.mean(np.max((spread[:, None] + spread) / gaps, axis=1)))
