"""k-nearest-neighbour classification and regression (ML-KNN)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._pairwise import squared_euclidean
from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_option,
    check_X_y,
    encode_labels,
)

_TREE_MAX_DIM = 15  # a k-d tree beats brute force only in low dimension
_BATCH = 1024  # query rows per brute-force block (bounds the distance matrix)


class _BaseKNN(BaseEstimator):
    def __init__(self, n_neighbors: int = 5, *, weights: str = "uniform", algorithm: str = "auto"):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm

    def _fit(self, X, y) -> None:
        check_option("weights", self.weights, ("uniform", "distance"))
        check_option("algorithm", self.algorithm, ("auto", "brute", "kd_tree"))
        if not isinstance(self.n_neighbors, numbers.Integral) or self.n_neighbors < 1:
            raise ValueError(f"n_neighbors must be an int >= 1, got {self.n_neighbors!r}.")
        self._fit_X = X
        self.n_samples_fit_ = X.shape[0]
        sparse = hasattr(X, "tocsr")
        if sparse and self.algorithm == "kd_tree":
            warnings.warn(
                "cannot use tree with sparse input: using brute force", UserWarning, stacklevel=3
            )
        use_tree = not sparse and (
            self.algorithm == "kd_tree"
            or (self.algorithm == "auto" and X.shape[1] <= _TREE_MAX_DIM)
        )
        self._tree = None
        if use_tree:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(X)
        self.effective_algorithm_ = "kd_tree" if use_tree else "brute"

    def kneighbors(self, X=None, n_neighbors: int | None = None):
        """Distances and indices of the k nearest training points, each (n_queries, k).

        Brute force: ‖x − z‖² for all pairs by one matmul per block of queries, then
        ``argpartition``; low dimension: a k-d tree (``scipy.spatial.cKDTree``).
        """
        check_is_fitted(self, "_fit_X")
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=False)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        n_queries = X.shape[0]
        if k > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
                f"n_samples_fit = {self.n_samples_fit_}, n_samples = {n_queries}."
            )
        if self._tree is not None:
            dist, idx = self._tree.query(X, k=k)
            return dist.reshape(len(X), k), idx.reshape(len(X), k)
        dists, idxs = [], []
        for start in range(0, n_queries, _BATCH):
            d2 = squared_euclidean(X[start : start + _BATCH], self._fit_X)
            part = (
                np.argpartition(d2, k - 1, axis=1)[:, :k]
                if k < d2.shape[1]
                else (np.broadcast_to(np.arange(d2.shape[1]), d2.shape).copy())
            )
            dpart = np.take_along_axis(d2, part, axis=1)
            order = np.argsort(dpart, axis=1, kind="stable")
            idxs.append(np.take_along_axis(part, order, axis=1))
            dists.append(np.sqrt(np.take_along_axis(dpart, order, axis=1)))
        return np.vstack(dists), np.vstack(idxs)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags

    def _neighbour_weights(self, dist: np.ndarray) -> np.ndarray:
        """Uniform: 1; distance: 1/d, and a query at distance 0 from a point takes it alone."""
        if self.weights == "uniform":
            return np.ones_like(dist)
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        exact = np.isinf(w)
        rows = exact.any(axis=1)
        w[rows] = exact[rows].astype(float)
        return w


class KNeighborsClassifier(ClassifierMixin, _BaseKNN):
    """k-NN classifier (ML-KNN): the (weighted) majority class of the k nearest points.

    P(y=c|x) = Σ_{i∈N_k(x)} w_i 1{y_i = c} / Σ_{i∈N_k(x)} w_i. Small k: low bias, high
    variance; large k: the reverse.

    Parameters
    ----------
    n_neighbors : int
    weights : {"uniform", "distance"}
    algorithm : {"auto", "brute", "kd_tree"}
        "auto": a k-d tree up to 15 features, vectorised brute force above and for
        scipy.sparse X (accepted, brute force only).
    """

    def fit(self, X, y):
        X, y = check_X_y(X, y, accept_sparse=True)
        check_n_features(self, X, reset=True)
        self.classes_, self._y = encode_labels(y)
        self._fit(X, y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        dist, idx = self.kneighbors(X)
        w = self._neighbour_weights(dist)
        n, k = idx.shape
        n_classes = len(self.classes_)
        flat = (np.arange(n)[:, None] * n_classes + self._y[idx]).ravel()
        proba = np.bincount(flat, w.ravel(), n * n_classes).reshape(n, n_classes)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        scores = self.predict_proba(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]


class KNeighborsRegressor(RegressorMixin, _BaseKNN):
    """k-NN regressor (ML-KNN): the (weighted) mean target of the k nearest points."""

    def fit(self, X, y):
        X, y = check_X_y(X, y, y_numeric=True, accept_sparse=True)
        check_n_features(self, X, reset=True)
        self._y = y.astype(np.float64)
        self._fit(X, y)
        return self

    def predict(self, X) -> np.ndarray:
        dist, idx = self.kneighbors(X)
        w = self._neighbour_weights(dist)
        return (w * self._y[idx]).sum(axis=1) / w.sum(axis=1)
