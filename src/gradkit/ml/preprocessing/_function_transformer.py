"""``FunctionTransformer``: a stateless transformer from a function (scikit-learn's)."""

from __future__ import annotations

import warnings

import numpy as np

from ..base import BaseEstimator, TransformerMixin, check_array, check_n_features
from ..utils.metaestimators import available_if


def _identity(X):
    return X


class FunctionTransformer(TransformerMixin, BaseEstimator):
    """Apply ``func`` (identity if None) in ``transform`` and ``inverse_func`` in
    ``inverse_transform``, each with its keyword arguments; nothing is learnt.

    Parameters
    ----------
    func, inverse_func : callable or None
    validate : bool
        Check X with ``check_array`` (numeric, finite, 2-D) and record
        ``n_features_in_``; otherwise X is passed through as given.
    accept_sparse : bool
        With ``validate``, let scipy.sparse input through.
    check_inverse : bool
        At ``fit``, warn when ``inverse_func(func(X))`` does not return a subsample of X.
    feature_names_out : None, "one-to-one" or callable (self, input_features) → names
    kw_args, inv_kw_args : dict or None

    Examples
    --------
    >>> FunctionTransformer(np.log1p).fit_transform(np.array([[0.0, np.e - 1]])).tolist()
    [[0.0, 1.0]]
    """

    def __init__(
        self,
        func=None,
        inverse_func=None,
        *,
        validate: bool = False,
        accept_sparse: bool = False,
        check_inverse: bool = True,
        feature_names_out=None,
        kw_args=None,
        inv_kw_args=None,
    ):
        self.func = func
        self.inverse_func = inverse_func
        self.validate = validate
        self.accept_sparse = accept_sparse
        self.check_inverse = check_inverse
        self.feature_names_out = feature_names_out
        self.kw_args = kw_args
        self.inv_kw_args = inv_kw_args

    def _check_input(self, X, reset: bool):
        if self.validate:
            X = check_array(X, accept_sparse=self.accept_sparse)
            check_n_features(self, X, reset=reset)
        elif hasattr(X, "shape") and len(X.shape) == 2:  # record / check the width only
            check_n_features(self, X, reset=reset)
        return X

    def fit(self, X, y=None) -> FunctionTransformer:
        X = self._check_input(X, reset=True)
        if self.check_inverse and not (self.func is None or self.inverse_func is None):
            self._check_inverse_transform(X)
        return self

    def _check_inverse_transform(self, X) -> None:
        idx = np.arange(0, X.shape[0], max(1, X.shape[0] // 100))
        sample = X[idx]
        back = self.inverse_transform(self.transform(sample))
        dense = sample.toarray() if hasattr(sample, "toarray") else np.asarray(sample)
        back = back.toarray() if hasattr(back, "toarray") else np.asarray(back)
        if not np.issubdtype(np.asarray(dense).dtype, np.number) or not np.allclose(dense, back):
            warnings.warn(
                "The provided functions are not strictly inverse of each other. If you are "
                "sure you want to proceed regardless, set 'check_inverse=False'.",
                UserWarning,
                stacklevel=3,
            )

    def transform(self, X):
        """func(X, **kw_args). Shape: as ``func`` returns."""
        X = self._check_input(X, reset=False)
        return (self.func or _identity)(X, **(self.kw_args or {}))

    def inverse_transform(self, X):
        """inverse_func(X, **inv_kw_args)."""
        if self.validate:
            X = check_array(X, accept_sparse=self.accept_sparse)
        return (self.inverse_func or _identity)(X, **(self.inv_kw_args or {}))

    @available_if(lambda self: self.feature_names_out is not None)
    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Input names ("one-to-one") or ``feature_names_out(self, input_features)``."""
        if input_features is None:
            names = getattr(self, "feature_names_in_", None)
            if names is None:
                n = getattr(self, "n_features_in_", None)
                if n is None:
                    raise ValueError("Unknown number of input features; fit first.")
                names = [f"x{i}" for i in range(n)]
            input_features = names
        if self.feature_names_out == "one-to-one":
            return np.asarray(input_features, dtype=object)
        return np.asarray(self.feature_names_out(self, input_features), dtype=object)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.requires_fit = False
        tags.no_validation = not self.validate  # input goes to func as given
        tags.input_tags.sparse = not self.validate or self.accept_sparse
        return tags
