"""Estimator base class and input validation shared by every classical estimator.

Follows scikit-learn's conventions: ``__init__`` only stores hyperparameters,
``fit`` returns ``self``, fitted attributes end in ``_``, and ``get_params`` /
``set_params`` read the constructor signature.
"""

from __future__ import annotations

import copy
import inspect
import numbers
import warnings

import numpy as np

from .exceptions import DataConversionWarning, NotFittedError


class BaseEstimator:
    """Base for estimators: parameters from the ``__init__`` signature, clone, repr."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        params = inspect.signature(init).parameters.values()
        for p in params:
            if p.kind == p.VAR_POSITIONAL:
                raise RuntimeError(f"{cls.__name__} must not take *args in __init__")
        return sorted(p.name for p in params if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict:
        """Hyperparameters as a dict; with ``deep``, nested estimators' as ``name__param``."""
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for key, sub in value.get_params(deep=True).items():
                    out[f"{name}__{key}"] = sub
            out[name] = value
        return out

    def set_params(self, **params) -> BaseEstimator:
        """Set hyperparameters (``name`` or nested ``name__param``); returns self."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._get_param_names())}."
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
        changed = []
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name, inspect.Parameter.empty)
            if not _same_value(value, default):
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):  # scikit-learn >= 1.6 asks estimators for their tags
        from sklearn.utils import Tags, TargetTags

        tags = Tags(estimator_type=None, target_tags=TargetTags(required=False))
        return self._more_sklearn_tags(tags)

    def _more_sklearn_tags(self, tags):
        return tags


class ClassifierMixin:
    """Adds ``score`` as mean accuracy and marks the estimator as a classifier."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None) -> float:
        y = np.asarray(y)
        correct = (self.predict(X) == y).astype(float)
        return float(np.average(correct, weights=sample_weight))

    def _more_sklearn_tags(self, tags):
        from sklearn.utils import ClassifierTags

        tags = super()._more_sklearn_tags(tags)
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags


class RegressorMixin:
    """Adds ``score`` as the coefficient of determination R² and marks a regressor."""

    _estimator_type = "regressor"

    def score(self, X, y, sample_weight=None) -> float:
        """R² = 1 − Σ w(y − ŷ)² / Σ w(y − ȳ)²."""
        y = np.asarray(y, dtype=float)
        pred = np.asarray(self.predict(X), dtype=float)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        if y.ndim > 1:
            w = w[:, None]
        ss_res = (w * (y - pred) ** 2).sum(axis=0)
        mean = (w * y).sum(axis=0) / w.sum(axis=0)
        ss_tot = (w * (y - mean) ** 2).sum(axis=0)
        r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), 0.0)
        return float(np.mean(r2))

    def _more_sklearn_tags(self, tags):
        from sklearn.utils import RegressorTags

        tags = super()._more_sklearn_tags(tags)
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags


class TransformerMixin:
    """Adds ``fit_transform`` = ``fit(X, y).transform(X)``."""

    def fit_transform(self, X, y=None, **fit_params):
        return self.fit(X, y, **fit_params).transform(X)

    def _more_sklearn_tags(self, tags):
        from sklearn.utils import TransformerTags

        tags = super()._more_sklearn_tags(tags)
        tags.transformer_tags = TransformerTags()
        return tags


class OneToOneFeatureMixin:
    """``get_feature_names_out`` for transformers with one output per input feature:
    the given names, else ``feature_names_in_``, else x0, x1, …"""

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", None)
        if input_features is None:
            return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        input_features = np.asarray(input_features, dtype=object)
        if len(input_features) != self.n_features_in_:
            raise ValueError(
                f"input_features should have length equal to number of features "
                f"({self.n_features_in_}), got {len(input_features)}"
            )
        return input_features


class ClusterMixin:
    """Adds ``fit_predict`` = ``fit(X).labels_``."""

    _estimator_type = "clusterer"

    def fit_predict(self, X, y=None, **fit_params):
        self.fit(X, y, **fit_params)
        return self.labels_

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.estimator_type = "clusterer"
        return tags


def clone(estimator, *, safe: bool = True):
    """A new unfitted estimator with the same hyperparameters (deep-copied)."""
    if isinstance(estimator, (list, tuple, set, frozenset)):
        return type(estimator)(clone(e, safe=safe) for e in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        if not safe:
            return copy.deepcopy(estimator)
        raise TypeError(
            f"Cannot clone {estimator!r} ({type(estimator).__name__}): it has no get_params()."
        )
    params = estimator.get_params(deep=False)
    new_params = {name: clone(value, safe=False) for name, value in params.items()}
    return type(estimator)(**new_params)


def _same_value(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


# --------------------------------------------------------------------------- validation


def check_array(
    X,
    *,
    dtype=np.float64,
    ensure_2d: bool = True,
    allow_nd: bool = False,
    ensure_all_finite: bool = True,
    ensure_min_samples: int = 1,
    ensure_min_features: int = 1,
    accept_sparse: bool | str = False,
    name: str = "X",
) -> np.ndarray:
    """Validate an array: numeric, finite, 2-D (unless told otherwise), non-empty.

    ``accept_sparse``: False (refuse scipy.sparse), True (return CSR), or "densify"
    (accept it and continue with ``X.toarray()``, for estimators such as trees that
    scikit-learn fits on sparse input and whose fit does not depend on the storage).

    Raises ``ValueError``/``TypeError`` with a message naming the problem and the fix.
    """
    if hasattr(X, "tocsr") and hasattr(X, "nnz") and accept_sparse == "densify":
        X = X.toarray()
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):  # scipy.sparse without importing scipy
        if not accept_sparse:
            raise TypeError(
                f"{name} is a sparse matrix, which this estimator does not accept; "
                "convert it with X.toarray()."
            )
        X = X.tocsr()
        if dtype is not None and X.dtype != dtype:
            X = X.astype(dtype)
        if ensure_all_finite and not np.isfinite(X.data).all():
            raise ValueError(f"Input {name} contains NaN or infinity.")
        return X
    if dtype is None:
        arr = np.asarray(X)
        if arr.dtype.kind in "OUS":
            arr = _as_numeric(arr, np.float64, name)
    else:
        arr = _as_numeric(X, dtype, name)
    if ensure_2d:
        if arr.ndim == 0:
            raise ValueError(
                f"Expected 2D array for {name}, got scalar array instead: {name}={arr!r}. "
                "Reshape your data."
            )
        if arr.ndim == 1:
            raise ValueError(
                f"Expected 2D array for {name}, got 1D array instead (shape {arr.shape}). "
                "Reshape your data either using array.reshape(-1, 1) if your data has a "
                "single feature or array.reshape(1, -1) if it contains a single sample."
            )
        if arr.ndim > 2 and not allow_nd:
            raise ValueError(f"Found array with dim {arr.ndim}. Expected <= 2 for {name}.")
    if ensure_all_finite and arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        kind = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"Input {name} contains {kind}; clean or impute it before fitting.")
    if ensure_min_samples and arr.ndim >= 1:
        n = arr.shape[0]
        if n < ensure_min_samples:
            raise ValueError(
                f"Found array with {n} sample(s) (shape={arr.shape}) while a minimum of "
                f"{ensure_min_samples} is required."
            )
    if ensure_min_features and arr.ndim == 2 and arr.shape[1] < ensure_min_features:
        raise ValueError(
            f"Found array with {arr.shape[1]} feature(s) (shape={arr.shape}) while a minimum "
            f"of {ensure_min_features} is required."
        )
    return arr


def _as_numeric(X, dtype, name):
    try:
        arr = np.asarray(X)
        if arr.dtype.kind == "c":
            raise ValueError(f"Complex data not supported in {name}.")
        return arr.astype(dtype, copy=False)
    except (TypeError, ValueError) as exc:
        if "Complex" in str(exc):
            raise
        raise type(exc)(
            f"{name} must be numeric; could not convert it to {np.dtype(dtype)}: {exc}"
        ) from exc


def check_X_y(X, y, *, multi_output: bool = False, y_numeric: bool = False, **kwargs):
    """Validate X as in :func:`check_array` and y as 1-D (or 2-D with ``multi_output``)."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None.")
    X = check_array(X, **kwargs)
    if multi_output:
        y = check_array(y, dtype=np.float64 if y_numeric else None, ensure_2d=False, name="y")
    else:
        y = column_or_1d(y, warn=True)
        if y_numeric and y.dtype.kind == "O":
            y = y.astype(np.float64)
        if y.dtype.kind in "fc" and not np.isfinite(y).all():
            raise ValueError("Input y contains NaN or infinity.")
    check_consistent_length(X, y)
    return X, y


def column_or_1d(y, *, warn: bool = False) -> np.ndarray:
    """Ravel a column vector to 1-D; anything else that is not 1-D is an error.

    With ``warn``, a column vector raises a :class:`DataConversionWarning` (as in
    scikit-learn), because it usually means the caller meant a 1-D target.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        if warn:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=3,
            )
        return y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} instead.")
    return y


def check_consistent_length(*arrays) -> None:
    """All arrays must have the same number of samples (first axis)."""
    lengths = [a.shape[0] for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")


def check_is_fitted(estimator, attributes=None) -> None:
    """Raise :class:`NotFittedError` unless ``fit`` has set the fitted attributes."""
    if attributes is None:
        fitted = [k for k in vars(estimator) if k.endswith("_") and not k.startswith("__")]
    else:
        names = [attributes] if isinstance(attributes, str) else attributes
        fitted = [a for a in names if hasattr(estimator, a)]
    if not fitted:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


def check_n_features(estimator, X: np.ndarray, reset: bool) -> None:
    """Record ``n_features_in_`` on fit; check it on predict/transform."""
    n = X.shape[1]
    if reset:
        estimator.n_features_in_ = n
        return
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and n != expected:
        raise ValueError(
            f"X has {n} features, but {type(estimator).__name__} is expecting {expected} "
            "features as input."
        )


def check_random_state(seed) -> np.random.Generator:
    """Turn None / int / Generator / RandomState into a ``numpy.random.Generator``.

    None draws the Generator's seed from NumPy's global generator (``np.random``), as
    scikit-learn's ``random_state=None`` draws from it: ``np.random.seed(s)`` makes a
    run reproducible and two unseeded runs differ. A RandomState seeds it likewise.
    For the algorithms that reproduce scikit-learn's own draws, see
    :func:`check_legacy_random_state`.
    """
    if seed is None:
        seed = np.random.mtrand._rand
    if isinstance(seed, (numbers.Integral, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(0, 2**31 - 1))
    raise ValueError(f"{seed!r} cannot be used to seed a numpy.random.Generator.")


def check_legacy_random_state(seed) -> np.random.RandomState:
    """scikit-learn's ``check_random_state``: a ``numpy.random.RandomState``.

    None → NumPy's global RandomState itself, an int → ``RandomState(seed)``, a
    RandomState → itself, a Generator → a RandomState seeded from it. The splitters,
    the parameter sampler, k-means seeding and the dataset generators draw through it
    in scikit-learn's order, so the same ``random_state`` gives scikit-learn's splits,
    candidates and seeds.
    """
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, (numbers.Integral, np.integer)) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.RandomState(int(seed.integers(0, 2**32 - 1)))
    raise ValueError(f"{seed!r} cannot be used to seed a numpy.random.RandomState instance.")


def check_classification_targets(y) -> None:
    """Refuse continuous targets for a classifier."""
    y = np.asarray(y)
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        raise ValueError(
            "Unknown label type: continuous. A classifier needs discrete class labels; "
            "use a regressor for continuous targets."
        )
    if y.dtype.kind == "O":
        kinds = {type(v) for v in y.ravel()}
        if any(issubclass(k, float) for k in kinds) and len(kinds) > 1:
            raise ValueError("Unknown label type: mixed float and other labels.")


def check_sample_weight(sample_weight, X) -> np.ndarray:
    """Validate per-sample weights (ones when None)."""
    n = X.shape[0]
    if sample_weight is None:
        return np.ones(n)
    if np.isscalar(sample_weight):
        return np.full(n, float(sample_weight))
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"sample_weight.shape == {w.shape}, expected {(n,)}!")
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinity.")
    if (w < 0).any():
        raise ValueError("Negative values in sample_weight; weights must be non-negative.")
    if not w.any():
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return w


def check_option(name: str, value, choices) -> None:
    """Raise a clear error if ``value`` is not one of ``choices``."""
    if value not in choices:
        raise ValueError(
            f"Unknown {name}={value!r}; valid choices are {sorted(map(str, choices))}."
        )


def encode_labels(y) -> tuple[np.ndarray, np.ndarray]:
    """Check classification targets and map them to 0..K−1.

    Returns ``(classes_, y_encoded)`` with ``classes_`` sorted and
    ``classes_[y_encoded] == y``.
    """
    check_classification_targets(y)
    classes, y_enc = np.unique(y, return_inverse=True)
    return classes, y_enc.reshape(-1)


def one_hot(y_enc: np.ndarray, n_classes: int, weights=None) -> np.ndarray:
    """Indicator matrix Y[i, k] = w_i [y_i = k] (w_i = 1 without weights), shape (n, K)."""
    out = np.zeros((len(y_enc), n_classes))
    out[np.arange(len(y_enc)), y_enc] = 1.0 if weights is None else weights
    return out


def require_two_classes(estimator, classes: np.ndarray) -> None:
    """Raise a clear error when a classifier that needs ≥ 2 classes sees only one."""
    if len(classes) < 2:
        raise ValueError(
            f"{type(estimator).__name__} needs samples of at least 2 classes in the data, "
            f"but the data contains only one class: {classes[0]!r}."
        )
