"""Small numerical helpers with scikit-learn's names (``sklearn.utils.extmath``)."""

from __future__ import annotations

import numpy as np


def density(w) -> float:
    """Fraction of non-zero entries of a dense array or a scipy.sparse matrix.

    Examples
    --------
    >>> density(np.array([[0.0, 1.0], [2.0, 0.0]]))
    0.5
    """
    if hasattr(w, "toarray"):
        return float(w.nnz / float(w.shape[0] * w.shape[1]))
    w = np.asarray(w)
    return float(np.count_nonzero(w) / float(w.size)) if w.size else 0.0
