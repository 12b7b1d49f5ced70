"""Pairwise distances shared by neighbours, clustering and silhouettes (the RBF kernel
folds the same expansion into one matmul of its own, see ``svm._kernels``)."""

from __future__ import annotations

import numpy as np


def squared_euclidean(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
    """Matrix of squared distances D[i, j] = ‖x_i − y_j‖² = ‖x_i‖² − 2 x_i·y_j + ‖y_j‖².

    One matmul (BLAS) instead of an (n, m, d) difference tensor; clipped at 0 to remove
    the tiny negatives that cancellation leaves, and exact zeros on the diagonal of
    ``squared_euclidean(X)``.

    Shape: X (n, d), Y (m, d) → (n, m); X and Y may be scipy.sparse (the result is dense).
    """
    same = Y is None
    Y = X if same else Y
    xx = _row_sq_norms(X)
    yy = xx if same else _row_sq_norms(Y)
    d = X @ Y.T
    d = d.toarray() if hasattr(d, "toarray") else np.array(d, dtype=np.float64)
    d *= -2.0  # in place: each pass over the (n, m) result costs as much as the matmul
    d += xx[:, None]
    d += yy
    np.maximum(d, 0.0, out=d)
    if same:
        np.fill_diagonal(d, 0.0)
    return d


def euclidean(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
    """Matrix of distances D[i, j] = ‖x_i − y_j‖₂. Shape: (n, d), (m, d) → (n, m)."""
    return np.sqrt(squared_euclidean(X, Y))


def _row_sq_norms(X) -> np.ndarray:
    if hasattr(X, "multiply"):
        return np.asarray(X.multiply(X).sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", X, X)
