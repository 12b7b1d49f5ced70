"""Feature scaling (NN-NORM-DATA): standardization, min-max scaling and unit-norm
samples, as estimators and as scikit-learn's functions ``scale``, ``minmax_scale``,
``normalize``."""

from __future__ import annotations

import warnings

import numpy as np

from ..base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_option,
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


class StandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardize features: z = (x − μ) / σ, with σ the population standard deviation.

    Constant features keep σ = 1 (they become 0), the ε-safe division of NN-NORM-DATA.
    scipy.sparse X is accepted with ``with_mean=False`` (scaling keeps zeros zero).

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
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=True)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X)
            if not w.sum() > 0:
                raise ValueError("Sample weights must contain at least one non-zero weight.")
        if hasattr(X, "tocsr"):
            if self.with_mean:
                raise ValueError(
                    "Cannot center sparse matrices: pass `with_mean=False` instead. See "
                    "docstring for motivation and alternatives."
                )
            if w is None:
                mean, var = _sparse_mean_variance(X)
            else:  # weighted column moments, zeros included
                total = w.sum()
                mean = np.asarray(w @ X).ravel() / total
                var = np.asarray(w @ X.multiply(X)).ravel() / total - mean**2
                var = np.maximum(var, 0.0)
        else:
            mean = np.average(X, axis=0, weights=w)
            var = np.average((X - mean) ** 2, axis=0, weights=w)
        self.n_samples_seen_ = X.shape[0]
        self.mean_ = mean if self.with_mean else None
        self.var_ = var if self.with_std else None
        self.scale_ = _handle_zeros(np.sqrt(var), var, mean, X.shape[0]) if self.with_std else None
        return self

    def transform(self, X, copy=None) -> np.ndarray:
        check_is_fitted(self, "n_samples_seen_")
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=False)
        if hasattr(X, "tocsr"):
            if self.with_mean:
                raise ValueError("Cannot center sparse matrices: pass `with_mean=False` instead.")
            return X @ _diag(1.0 / self.scale_) if self.with_std else X.copy()
        if self.with_mean:
            X = X - self.mean_
        if self.with_std:
            X = X / self.scale_
        return np.array(X, copy=True) if not (self.with_mean or self.with_std) else X

    def inverse_transform(self, X, copy=None) -> np.ndarray:
        """x = z σ + μ."""
        check_is_fitted(self, "n_samples_seen_")
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=False)
        if hasattr(X, "tocsr"):
            if self.with_mean:
                raise ValueError("Cannot uncenter sparse matrices: pass `with_mean=False` instead.")
            return X @ _diag(self.scale_) if self.with_std else X.copy()
        if self.with_std:
            X = X * self.scale_
        if self.with_mean:
            X = X + self.mean_
        return np.array(X, copy=True) if not (self.with_mean or self.with_std) else X

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = not self.with_mean
        return tags


class MinMaxScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
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
        self.scale_ = (hi - lo) / _zeros_to_one(self.data_range_)
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


def _zeros_to_one(scale: np.ndarray) -> np.ndarray:
    """Scales below 10 ε (numerically zero) replaced by 1, scikit-learn's rule."""
    scale = np.array(scale, dtype=np.float64, copy=True)
    scale[scale < 10 * np.finfo(np.float64).eps] = 1.0
    return scale


def scale(X, *, axis: int = 0, with_mean: bool = True, with_std: bool = True, copy: bool = True):
    """Standardize along ``axis``: z = (x − mean) / std (population std; NaNs ignored and
    kept), scikit-learn's function with its two re-centring passes when rounding leaves a
    mean far from zero.

    Sparse X (CSR/CSC) is only scaled (``with_mean=False``), zeros staying zero.

    Shape: (n, d) → (n, d); a 1-D X is one feature column (axis 0).

    Examples
    --------
    >>> scale([[0.0, 1.0], [2.0, 1.0]]).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 or 1, got {axis!r}.")
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):
        if with_mean:
            raise ValueError(
                "Cannot center sparse matrices: pass `with_mean=False` instead. See docstring "
                "for motivation and alternatives."
            )
        X = X.tocsr() if axis == 0 else X.tocsc()
        X = X.astype(np.float64, copy=True)
        if with_std:
            Xs = X if axis == 0 else X.T
            _, var = _sparse_mean_variance(Xs)
            factor = 1.0 / _zeros_to_one(np.sqrt(var))
            if axis == 0:
                X = X @ _diag(factor)
            else:
                X = _diag(factor) @ X
        return X
    X = check_array(X, ensure_2d=False, ensure_all_finite=False, name="X")
    if np.isinf(X).any():
        raise ValueError("Input X contains infinity; scale only ignores NaN.")
    X = np.array(X, dtype=np.float64, copy=True)
    mean = np.nanmean(X, axis) if with_mean else None
    std = np.nanstd(X, axis) if with_std else None
    Xr = np.moveaxis(X, axis, 0) if X.ndim > 1 else X  # a view: edits land in X
    if with_mean:
        Xr -= mean
        mean_1 = np.nanmean(Xr, axis=0)
        if not np.allclose(mean_1, 0):
            warnings.warn(
                "Numerical issues were encountered when centering the data and might not be "
                "solved. Dataset may contain too large values. You may need to prescale your "
                "features.",
                UserWarning,
                stacklevel=2,
            )
            Xr -= mean_1
    if with_std:
        std = np.asarray(std, dtype=np.float64)
        std = np.where(std == 0.0, 1.0, std)
        Xr /= std
        if with_mean:
            mean_2 = np.nanmean(Xr, axis=0)
            if not np.allclose(mean_2, 0):
                warnings.warn(
                    "Numerical issues were encountered when scaling the data and might not "
                    "be solved. The standard deviation of the data is probably very close to "
                    "0. ",
                    UserWarning,
                    stacklevel=2,
                )
                Xr -= mean_2
    return X


def _sparse_mean_variance(X) -> tuple[np.ndarray, np.ndarray]:
    """Column means and population variances of a CSR matrix, zeros included."""
    n = X.shape[0]
    Xc = X.tocsc()
    counts = np.diff(Xc.indptr)
    col = np.repeat(np.arange(X.shape[1]), counts)
    mean = np.bincount(col, weights=Xc.data, minlength=X.shape[1]) / n
    dev = (Xc.data - mean[col]) ** 2
    var = (np.bincount(col, weights=dev, minlength=X.shape[1]) + (n - counts) * mean**2) / n
    return mean, var


def _diag(values: np.ndarray):
    import scipy.sparse as sp

    return sp.diags(values, format="csr")


def minmax_scale(X, feature_range=(0, 1), *, axis: int = 0, copy: bool = True):
    """Scale each feature (``axis=0``) or sample (``axis=1``) to ``feature_range``, as
    :class:`MinMaxScaler`. A 1-D X is one feature.

    Examples
    --------
    >>> minmax_scale([1.0, 3.0, 2.0]).tolist()
    [0.0, 1.0, 0.5]
    """
    X = check_array(X, ensure_2d=False)
    one_d = X.ndim == 1
    if one_d:
        X = X.reshape(-1, 1)
    scaler = MinMaxScaler(feature_range=feature_range, copy=copy)
    X = scaler.fit_transform(X) if axis == 0 else scaler.fit_transform(X.T).T
    return X.ravel() if one_d else X


_NORMS = ("l1", "l2", "max")


def normalize(X, norm: str = "l2", *, axis: int = 1, copy: bool = True, return_norm: bool = False):
    """Scale each sample (``axis=1``) or feature (``axis=0``) to unit norm: x / ‖x‖ with
    ‖·‖ the l1, l2 or max norm; rows of (numerically) zero norm are left as they are.

    Dense or scipy.sparse (CSR for rows, CSC for columns) in, the same out; the input is
    not modified. ``return_norm`` also returns the norms (dense, or sparse with "max").

    Examples
    --------
    >>> normalize([[3.0, 4.0], [0.0, 0.0]]).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    check_option("norm", norm, _NORMS)
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 or 1, got {axis!r}.")
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):
        X = (X.tocsr() if axis == 1 else X.tocsc()).astype(np.float64, copy=True)
        if axis == 0:
            X = X.T.tocsr()
        X.sum_duplicates()
        if return_norm and norm in ("l1", "l2"):
            raise NotImplementedError(
                "return_norm=True is not implemented for sparse matrices with norm 'l1' or "
                "norm 'l2'"
            )
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        if norm == "l1":
            norms = np.bincount(rows, weights=np.abs(X.data), minlength=X.shape[0])
        elif norm == "l2":
            norms = np.sqrt(np.bincount(rows, weights=X.data**2, minlength=X.shape[0]))
        else:
            norms = np.zeros(X.shape[0])
            np.maximum.at(norms, rows, np.abs(X.data))
        per_entry = norms[rows]
        nonzero = per_entry != 0
        X.data[nonzero] /= per_entry[nonzero]
        if axis == 0:
            X = X.T.tocsc()
        return (X, norms) if return_norm else X
    X = np.array(check_array(X), dtype=np.float64, copy=True)
    if axis == 0:
        X = X.T
    if norm == "l1":
        norms = np.sum(np.abs(X), axis=1)
    elif norm == "l2":
        norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    else:
        norms = np.max(np.abs(X), axis=1)
    norms = _zeros_to_one(norms)
    X /= norms[:, None]
    if axis == 0:
        X = X.T
    return (X, norms) if return_norm else X


class Normalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale each sample to unit norm (``norm`` = "l2", "l1" or "max"), as
    :func:`normalize`; stateless (``fit`` only records the number of features).
    Accepts scipy.sparse input (e.g. TF-IDF rows).

    Examples
    --------
    >>> Normalizer().fit_transform([[3.0, 4.0]]).tolist()
    [[0.6, 0.8]]
    """

    def __init__(self, norm: str = "l2", *, copy: bool = True):
        self.norm = norm
        self.copy = copy

    def fit(self, X, y=None) -> Normalizer:
        check_option("norm", self.norm, _NORMS)
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=True)
        return self

    def transform(self, X, copy=None):
        """Rows of X divided by their norms (no fit needed: stateless). Shape: (n, d) → (n, d)."""
        check_option("norm", self.norm, _NORMS)
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=False)
        return normalize(X, norm=self.norm, axis=1)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        tags.requires_fit = False
        return tags
