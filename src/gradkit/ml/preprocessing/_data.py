"""Feature scaling (NN-NORM-DATA): standardization and min-max scaling."""

from __future__ import annotations

import numpy as np

from ..base import (
    BaseEstimator,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_sample_weight,
)


def _handle_zeros(scale: np.ndarray, var: np.ndarray, mean: np.ndarray, n: int) -> np.ndarray:
    """Scale 1 for (numerically) constant features, so they map to 0, not to inf or noise.

    A feature is constant when its variance is below the rounding error of computing it,
    var ≤ (n·ε·|mean|)², scikit-learn's criterion.
    """
    eps = np.finfo(np.float64).eps
    bound = (n * eps * np.abs(mean)) ** 2 if mean is not None else 0.0
    constant = (var <= bound) | (scale == 0)
    scale = scale.copy()
    scale[constant] = 1.0
    return scale


class StandardScaler(TransformerMixin, BaseEstimator):
    """Standardize features: z = (x − μ) / σ, with σ the population standard deviation.

    Constant features keep σ = 1 (they become 0), the ε-safe division of NN-NORM-DATA.

    Parameters
    ----------
    copy : bool
        Kept for scikit-learn compatibility; transforms always return a new array.
    with_mean, with_std : bool
        Subtract the mean / divide by the standard deviation.

    Attributes
    ----------
    mean_, var_, scale_ : ndarray of shape (n_features,) or None
    n_samples_seen_ : int

    Examples
    --------
    >>> StandardScaler().fit_transform([[0.0], [2.0]]).ravel().tolist()
    [-1.0, 1.0]
    """

    def __init__(self, *, copy: bool = True, with_mean: bool = True, with_std: bool = True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None, sample_weight=None) -> StandardScaler:
        X = check_array(X)
        check_n_features(self, X, reset=True)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X)
            if not w.sum() > 0:
                raise ValueError("Sample weights must contain at least one non-zero weight.")
        mean = np.average(X, axis=0, weights=w)
        var = np.average((X - mean) ** 2, axis=0, weights=w)
        self.n_samples_seen_ = X.shape[0]
        self.mean_ = mean if self.with_mean else None
        self.var_ = var if self.with_std else None
        self.scale_ = _handle_zeros(np.sqrt(var), var, mean, X.shape[0]) if self.with_std else None
        return self

    def transform(self, X, copy=None) -> np.ndarray:
        check_is_fitted(self, "n_samples_seen_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        if self.with_mean:
            X = X - self.mean_
        if self.with_std:
            X = X / self.scale_
        return np.array(X, copy=True) if not (self.with_mean or self.with_std) else X

    def inverse_transform(self, X, copy=None) -> np.ndarray:
        """x = z σ + μ."""
        check_is_fitted(self, "n_samples_seen_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        if self.with_std:
            X = X * self.scale_
        if self.with_mean:
            X = X + self.mean_
        return np.array(X, copy=True) if not (self.with_mean or self.with_std) else X


class MinMaxScaler(TransformerMixin, BaseEstimator):
    """Scale each feature to ``feature_range`` = (a, b): x' = a + (x − min)(b − a)/(max − min).

    A constant feature (max = min) is mapped to a.

    Attributes
    ----------
    data_min_, data_max_, data_range_ : ndarray of shape (n_features,)
    scale_, min_ : ndarray of shape (n_features,)
        x' = x · scale_ + min_.

    Examples
    --------
    >>> MinMaxScaler().fit_transform([[1.0], [3.0], [2.0]]).ravel().tolist()
    [0.0, 1.0, 0.5]
    """

    def __init__(self, feature_range=(0, 1), *, copy: bool = True, clip: bool = False):
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def fit(self, X, y=None) -> MinMaxScaler:
        lo, hi = self.feature_range
        if lo >= hi:
            raise ValueError(
                f"Minimum of desired feature range must be smaller than maximum. Got "
                f"{self.feature_range}."
            )
        X = check_array(X)
        check_n_features(self, X, reset=True)
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        self.n_samples_seen_ = X.shape[0]
        self.scale_ = (hi - lo) / _handle_zeros(self.data_range_, self.data_range_, None, 0)
        self.min_ = lo - self.data_min_ * self.scale_
        return self

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "scale_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        out = X * self.scale_ + self.min_
        if self.clip:
            np.clip(out, self.feature_range[0], self.feature_range[1], out=out)
        return out

    def inverse_transform(self, X) -> np.ndarray:
        """x = (x' − min_) / scale_."""
        check_is_fitted(self, "scale_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        return (X - self.min_) / self.scale_
