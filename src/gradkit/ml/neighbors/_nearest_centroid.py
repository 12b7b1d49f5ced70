"""Nearest centroid classifier (Rocchio): each class is its mean (ML-KNN family)."""

from __future__ import annotations

import warnings

import numpy as np

from .._pairwise import squared_euclidean
from ..base import (
    BaseEstimator,
    ClassifierMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_option,
    check_X_y,
    encode_labels,
)


class NearestCentroid(ClassifierMixin, BaseEstimator):
    """Assign x to the class whose centroid is nearest (scikit-learn's NearestCentroid).

    Centroids are class means ("euclidean") or medians ("manhattan"). With
    ``shrink_threshold`` t the centroids shrink toward the overall mean (nearest shrunken
    centroids, Tibshirani et al. 2002): d_kj = (μ_kj − μ_j)/(m_k s_j) is soft-thresholded
    by t, m_k = √(1/n_k − 1/n), s_j the pooled within-class std plus its median. With
    non-uniform ``priors`` the score is −‖(x − μ_k)/s‖² + 2 ln π_k (s the within-class
    std); with uniform priors the plain nearest centroid. Dense or scipy.sparse X
    (euclidean).

    Parameters
    ----------
    metric : {"euclidean", "manhattan"}
    shrink_threshold : float or None
    priors : "uniform", "empirical" or array-like (K,)

    Attributes
    ----------
    centroids_ : (K, d); classes_ : (K,); class_prior_ : (K,); within_class_std_dev_ : (d,)

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [9.0], [10.0]])
    >>> NearestCentroid().fit(X, [0, 0, 1, 1]).predict([[2.0], [8.0]]).tolist()
    [0, 1]
    """

    def __init__(self, metric: str = "euclidean", *, shrink_threshold=None, priors="uniform"):
        self.metric = metric
        self.shrink_threshold = shrink_threshold
        self.priors = priors

    def fit(self, X, y):
        check_option("metric", self.metric, ("euclidean", "manhattan"))
        sparse_ok = self.metric == "euclidean"
        X, y = check_X_y(X, y, accept_sparse=sparse_ok)
        check_n_features(self, X, reset=True)
        self.classes_, y_ind = encode_labels(y)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(f"The number of classes has to be greater than one; got {K} class")
        n, d = X.shape
        if isinstance(self.priors, str):
            check_option("priors", self.priors, ("uniform", "empirical"))
            if self.priors == "empirical":
                self.class_prior_ = np.bincount(y_ind) / float(n)
            else:
                self.class_prior_ = np.full(K, 1.0 / K)
        else:
            self.class_prior_ = np.asarray(self.priors, dtype=np.float64)
        if (self.class_prior_ < 0).any():
            raise ValueError("priors must be non-negative")
        if not np.isclose(self.class_prior_.sum(), 1.0):
            warnings.warn(
                "The priors do not sum to 1. Normalizing such that it sums to one.",
                UserWarning,
                stacklevel=2,
            )
            self.class_prior_ = self.class_prior_ / self.class_prior_.sum()
        nk = np.bincount(y_ind, minlength=K).astype(np.float64)
        self.centroids_ = np.empty((K, d))
        for k in range(K):
            rows = X[np.flatnonzero(y_ind == k)]
            if self.metric == "manhattan":
                self.centroids_[k] = np.median(rows, axis=0)
            else:
                self.centroids_[k] = np.asarray(rows.mean(axis=0)).ravel()
        dense = X.toarray() if hasattr(X, "toarray") else X
        sq = ((dense - self.centroids_[y_ind]) ** 2).sum(axis=0)
        self.within_class_std_dev_ = np.sqrt(sq / (n - K))
        if np.any(self.within_class_std_dev_ == 0):
            warnings.warn(
                "self.within_class_std_dev_ has at least 1 zero standard deviation.Inputs "
                "within the same classes for at least 1 feature are identical.",
                UserWarning,
                stacklevel=2,
            )
        if self.shrink_threshold:
            if np.all(np.ptp(dense, axis=0) == 0):
                raise ValueError("All features have zero variance. Division by zero.")
            overall = dense.mean(axis=0)
            m = np.sqrt(1.0 / nk - 1.0 / n)
            s = np.sqrt(sq / (n - K))
            s = s + np.median(s)
            ms = m[:, None] * s
            dev = (self.centroids_ - overall) / ms
            signs = np.sign(dev)
            dev = np.clip(np.abs(dev) - self.shrink_threshold, 0, None) * signs
            self.centroids_ = overall + ms * dev
        return self

    def _check_X(self, X):
        check_is_fitted(self, "centroids_")
        X = check_array(X, accept_sparse=self.metric == "euclidean")
        check_n_features(self, X, reset=False)
        return X

    def _distances(self, X, centroids) -> np.ndarray:
        if self.metric == "manhattan":
            return np.abs(X[:, None, :] - centroids[None]).sum(axis=2)
        if hasattr(X, "toarray"):
            xx = np.asarray(X.multiply(X).sum(axis=1)).ravel()
            d2 = -2.0 * np.asarray(X @ centroids.T) + xx[:, None] + (centroids**2).sum(axis=1)
            return np.maximum(d2, 0.0)
        return squared_euclidean(X, centroids)

    def decision_function(self, X) -> np.ndarray:
        """−‖(x − μ_k)/s‖² + 2 ln π_k for each class (binary: class 1 minus class 0)."""
        X = self._check_X(X)
        s = np.where(self.within_class_std_dev_ != 0, self.within_class_std_dev_, 1.0)
        Xs = X.multiply(1.0 / s).tocsr() if hasattr(X, "toarray") else X / s
        with np.errstate(divide="ignore"):
            scores = -self._distances(Xs, self.centroids_ / s) + 2.0 * np.log(self.class_prior_)
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X) -> np.ndarray:
        """The class of the nearest centroid (uniform priors), else of the best score."""
        check_is_fitted(self, "centroids_")
        if np.isclose(self.class_prior_, 1.0 / len(self.classes_)).all():
            X = self._check_X(X)
            return self.classes_[self._distances(X, self.centroids_).argmin(axis=1)]
        scores = self.decision_function(X)
        idx = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[idx]

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags
