"""Rows of arrays, sparse matrices and lists: what splitters and ``shuffle`` share."""

from __future__ import annotations

import numpy as np


def _num_samples(X) -> int:
    if hasattr(X, "shape") and len(X.shape) > 0:
        return X.shape[0]
    return len(X)


def _index(X, idx: np.ndarray):
    """Rows ``idx`` of an array, sparse matrix or list."""
    if hasattr(X, "shape") and hasattr(X, "__getitem__") and not isinstance(X, list):
        return X[idx]
    return [X[i] for i in idx]
