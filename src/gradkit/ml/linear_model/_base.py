"""Shared pieces of the linear models: centring for the intercept, the linear decision."""

from __future__ import annotations

import numpy as np

from ..base import check_array, check_is_fitted, check_n_features


def center_data(
    X: np.ndarray, y: np.ndarray, fit_intercept: bool, sample_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | float]:
    """Subtract the weighted means so the intercept can be recovered afterwards.

    With centred data the least-squares (and ridge / lasso) solution for w needs no
    intercept column, and b = ȳ − x̄ᵀw.

    Returns ``(Xc, yc, x_mean, y_mean)``.
    """
    if not fit_intercept:
        y_mean = np.zeros(y.shape[1:]) if y.ndim > 1 else 0.0
        return X, y, np.zeros(X.shape[1]), y_mean
    w = sample_weight / sample_weight.sum()
    x_mean = w @ X
    y_mean = w @ y
    return X - x_mean, y - y_mean, x_mean, y_mean


def add_intercept_column(X, value: float):
    """[X, value·1]: X with a constant last column, dense or scipy.sparse (then CSR).

    Shape: (n, d) → (n, d + 1).
    """
    if hasattr(X, "tocsr"):
        import scipy.sparse as sp

        return sp.hstack([X, np.full((X.shape[0], 1), float(value))], format="csr")
    return np.hstack([X, np.full((X.shape[0], 1), float(value))])


class LinearPredictorMixin:
    """``X @ coef_.T + intercept_`` with input checks, shared by every linear model.

    A model that fits on scipy.sparse input sets ``_accepts_sparse = True`` and then
    predicts on it too.
    """

    _accepts_sparse = False

    def _linear(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        X = check_array(X, accept_sparse=self._accepts_sparse)
        check_n_features(self, X, reset=False)
        return np.asarray(X @ self.coef_.T) + self.intercept_


class LinearClassifierMixin(LinearPredictorMixin):
    """Decision function, labels and (for binary problems) the sign convention."""

    def decision_function(self, X) -> np.ndarray:
        """Scores θᵀx; shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        scores = self._linear(X)
        return scores.ravel() if scores.ndim == 1 or scores.shape[1] == 1 else scores

    def predict(self, X) -> np.ndarray:
        """Class with the largest score (positive score → ``classes_[1]`` when binary)."""
        scores = self.decision_function(X)
        idx = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[idx]
