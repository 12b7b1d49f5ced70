"""``ColumnTransformer``: a different transformer for each group of columns, outputs
stacked side by side (scikit-learn's ``sklearn.compose``)."""

from __future__ import annotations

import numbers

import numpy as np

from ..base import BaseEstimator, TransformerMixin, check_is_fitted, clone


def _is_frame(X) -> bool:
    return hasattr(X, "iloc") and hasattr(X, "columns")


def _n_columns(X) -> int:
    return X.shape[1]


def _column_indices(X, key) -> list[int]:
    """Positions of the columns ``key`` selects: an int, a slice, a bool mask, ints, a
    column name or names (DataFrame input), or a callable X → one of those."""
    n = _n_columns(X)
    if callable(key):
        key = key(X)
    if key is None or (hasattr(key, "__len__") and not isinstance(key, str) and len(key) == 0):
        return []
    if isinstance(key, slice):
        if isinstance(key.start, str) or isinstance(key.stop, str):
            names = list(_names(X))
            start = 0 if key.start is None else names.index(key.start)
            stop = n if key.stop is None else names.index(key.stop) + 1
            return list(range(start, stop))
        return list(range(n))[key]
    scalar = isinstance(key, (str, numbers.Integral))
    keys = [key] if scalar else list(key)
    if all(isinstance(k, (bool, np.bool_)) for k in keys):
        if len(keys) != n:
            raise ValueError(f"A boolean column mask must have {n} entries, got {len(keys)}.")
        return [i for i, k in enumerate(keys) if k]
    if all(isinstance(k, (numbers.Integral, np.integer)) for k in keys):
        out = [int(k) % n if -n <= k < n else None for k in keys]
        if None in out:
            raise ValueError(f"Column index out of range for {n} columns: {key!r}.")
        return out
    if all(isinstance(k, str) for k in keys):
        if not _is_frame(X):
            raise ValueError(
                "Specifying the columns using strings is only supported for dataframes."
            )
        names = list(_names(X))
        missing = [k for k in keys if k not in names]
        if missing:
            raise ValueError(f"A given column is not a column of the dataframe: {missing}")
        return [names.index(k) for k in keys]
    raise ValueError(
        "No valid specification of the columns. Only a scalar, list or slice of all "
        "integers or all strings, or boolean mask is allowed"
    )


def _names(X):
    return np.asarray(X.columns, dtype=object)


def _take(X, idx: list[int], scalar: bool):
    if _is_frame(X):
        part = X.iloc[:, idx[0]] if scalar else X.iloc[:, idx]
        return part
    if hasattr(X, "tocsc"):
        return X.tocsc()[:, idx].tocsr()
    X = np.asarray(X)
    return X[:, idx[0]] if scalar else X[:, idx]


def _as_2d(Z):
    if hasattr(Z, "toarray") or _is_frame(Z):
        return Z
    Z = np.asarray(Z)
    return Z.reshape(-1, 1) if Z.ndim == 1 else Z


class ColumnTransformer(TransformerMixin, BaseEstimator):
    """Apply transformers to column subsets and stack their outputs horizontally.

    ``transformers``: a list of ``(name, transformer, columns)``; ``transformer`` is an
    estimator with fit/transform, ``"drop"`` or ``"passthrough"``; ``columns`` as
    scikit-learn takes them (ints, slice, bool mask, names of a DataFrame's columns, or a
    callable). The columns no transformer names go to ``remainder`` ("drop",
    "passthrough" or an estimator). If any output is sparse and the stacked density is
    below ``sparse_threshold`` the result is CSR, otherwise dense.

    Attributes
    ----------
    transformers_ : list of (name, fitted transformer, columns), with the remainder
    named_transformers_ : dict name → fitted transformer
    output_indices_ : dict name → slice of the output columns
    sparse_output_ : bool
    n_features_in_, feature_names_in_ (DataFrame input)

    Examples
    --------
    >>> from gradkit.ml.preprocessing import MinMaxScaler
    >>> ct = ColumnTransformer([("scale", MinMaxScaler(), [0])], remainder="passthrough")
    >>> ct.fit_transform(np.array([[0.0, 5.0], [2.0, 6.0]])).tolist()
    [[0.0, 5.0], [1.0, 6.0]]
    """

    def __init__(
        self,
        transformers,
        *,
        remainder="drop",
        sparse_threshold: float = 0.3,
        n_jobs=None,
        transformer_weights=None,
        verbose: bool = False,
        verbose_feature_names_out=True,
    ):
        self.transformers = transformers
        self.remainder = remainder
        self.sparse_threshold = sparse_threshold
        self.n_jobs = n_jobs
        self.transformer_weights = transformer_weights
        self.verbose = verbose
        self.verbose_feature_names_out = verbose_feature_names_out

    # ------------------------------------------------------------------ parameters
    def get_params(self, deep: bool = True) -> dict:
        out = super().get_params(deep=False)
        if deep:
            for name, trans, _ in self.transformers:
                out[name] = trans
                if hasattr(trans, "get_params"):
                    for key, value in trans.get_params(deep=True).items():
                        out[f"{name}__{key}"] = value
        return out

    def set_params(self, **params) -> ColumnTransformer:
        names = [t[0] for t in self.transformers]
        for key in [k for k in params if k in names]:
            i = names.index(key)
            name, _, cols = self.transformers[i]
            self.transformers = [
                *self.transformers[:i],
                (name, params.pop(key), cols),
                *self.transformers[i + 1 :],
            ]
        nested: dict[str, dict] = {}
        own = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if sub and name in names:
                nested.setdefault(name, {})[sub] = value
            else:
                own[key] = value
        super().set_params(**own)
        for name, sub in nested.items():
            dict((n, t) for n, t, _ in self.transformers)[name].set_params(**sub)
        return self

    def _validate(self, X) -> None:
        names = [t[0] for t in self.transformers]
        if len(set(names)) != len(names):
            raise ValueError(f"Names provided are not unique: {names!r}")
        for name, trans, _ in self.transformers:
            if "__" in name:
                raise ValueError(f"Estimator names must not contain __: got {name!r}")
            if isinstance(trans, str):
                if trans not in ("drop", "passthrough"):
                    raise ValueError(
                        f"{trans!r}: a transformer must be an estimator, 'drop' or 'passthrough'."
                    )
            elif not (hasattr(trans, "fit") or hasattr(trans, "fit_transform")) or not hasattr(
                trans, "transform"
            ):
                raise TypeError(
                    "All estimators should implement fit and transform, or can be 'drop' or "
                    f"'passthrough' specifiers. {trans!r} (type {type(trans)}) doesn't."
                )
        rem = self.remainder
        if not (
            rem in ("drop", "passthrough") if isinstance(rem, str) else hasattr(rem, "transform")
        ):
            raise ValueError(
                "The remainder keyword needs to be one of 'drop', 'passthrough', or estimator. "
                f"'{rem}' was passed instead"
            )

    # ------------------------------------------------------------------ fit / transform
    def _plan(self, X) -> list[tuple[str, object, object, list[int]]]:
        plan = []
        used: set[int] = set()
        for name, trans, cols in self.transformers:
            idx = _column_indices(X, cols)
            used.update(idx)
            plan.append((name, trans, cols, idx))
        remaining = sorted(set(range(_n_columns(X))) - used)
        plan.append(("remainder", self.remainder, remaining, remaining))
        return plan

    def _weight(self, name: str) -> float | None:
        return (self.transformer_weights or {}).get(name)

    def fit(self, X, y=None, **params) -> ColumnTransformer:
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X, y=None, **params):
        """Fit each transformer on its columns; the stacked outputs (n, Σ widths)."""
        self._validate(X)
        if not _is_frame(X) and not hasattr(X, "tocsc"):
            X = np.asarray(X)
            if X.ndim != 2:
                raise ValueError(f"Expected a 2D input, got an array of shape {X.shape}.")
        self.n_features_in_ = _n_columns(X)
        if _is_frame(X):
            self.feature_names_in_ = _names(X)
        fitted, outputs = [], []
        self._input_indices = {}
        for name, trans, cols, idx in self._plan(X):
            self._input_indices[name] = idx
            if name == "remainder" and not idx:
                fitted.append((name, trans, cols))
                continue
            if isinstance(trans, str) and trans == "drop":
                fitted.append((name, trans, cols))
                continue
            part = _take(X, idx, isinstance(cols, (str, numbers.Integral)))
            if isinstance(trans, str):  # passthrough
                est, Z = "passthrough", part
            else:
                est = clone(trans)
                Z = (
                    est.fit_transform(part, y)
                    if hasattr(est, "fit_transform")
                    else est.fit(part, y).transform(part)
                )
            Z = _as_2d(Z)
            if self._weight(name) is not None:
                Z = Z * self._weight(name)
            fitted.append((name, est, cols))
            outputs.append((name, Z))
        self.transformers_ = fitted
        if not outputs:
            self.sparse_output_ = False
            self.output_indices_ = {name: slice(0, 0) for name, *_ in fitted}
            return np.zeros((X.shape[0], 0))
        Zs = [Z for _, Z in outputs]
        if any(hasattr(Z, "toarray") for Z in Zs):
            nnz = sum(Z.nnz if hasattr(Z, "toarray") else Z.shape[0] * Z.shape[1] for Z in Zs)
            total = sum(Z.shape[0] * Z.shape[1] for Z in Zs)
            self.sparse_output_ = nnz / total < self.sparse_threshold
        else:
            self.sparse_output_ = False
        start, self.output_indices_ = 0, {}
        widths = dict((name, Z.shape[1]) for name, Z in outputs)
        for name, *_ in fitted:
            w = widths.get(name, 0)
            self.output_indices_[name] = slice(start, start + w) if w else slice(0, 0)
            start += w
        return self._stack(Zs)

    def _stack(self, Zs):
        if self.sparse_output_:
            import scipy.sparse as sp

            return sp.hstack(
                [sp.csr_matrix(np.asarray(Z) if _is_frame(Z) else Z) for Z in Zs]
            ).tocsr()
        dense = [Z.toarray() if hasattr(Z, "toarray") else np.asarray(Z) for Z in Zs]
        return np.hstack(dense)

    def transform(self, X):
        """Transform each column group with its fitted transformer and stack."""
        check_is_fitted(self, "transformers_")
        if not _is_frame(X) and not hasattr(X, "tocsc"):
            X = np.asarray(X)
        if _is_frame(X) and hasattr(self, "feature_names_in_"):
            missing = set(self.feature_names_in_) - set(_names(X))
            if missing:
                raise ValueError(f"columns are missing: {missing}")
            X = X[list(self.feature_names_in_)]
        elif _n_columns(X) != self.n_features_in_:
            raise ValueError(
                f"X has {_n_columns(X)} features, but ColumnTransformer is expecting "
                f"{self.n_features_in_} features as input."
            )
        Zs = []
        for name, est, cols in self.transformers_:
            idx = self._input_indices[name]
            if (isinstance(est, str) and est == "drop") or not idx:
                continue
            part = _take(X, idx, isinstance(cols, (str, numbers.Integral)))
            Z = _as_2d(part if isinstance(est, str) else est.transform(part))
            if self._weight(name) is not None:
                Z = Z * self._weight(name)
            Zs.append(Z)
        if not Zs:
            return np.zeros((X.shape[0], 0))
        return self._stack(Zs)

    @property
    def named_transformers_(self) -> dict:
        check_is_fitted(self, "transformers_")
        return {name: est for name, est, _ in self.transformers_}

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output names, ``<transformer>__<feature>`` (``verbose_feature_names_out``)."""
        check_is_fitted(self, "transformers_")
        if input_features is None:
            input_features = getattr(
                self, "feature_names_in_", np.array([f"x{i}" for i in range(self.n_features_in_)])
            )
        input_features = np.asarray(input_features, dtype=object)
        groups = []
        for name, est, _ in self.transformers_:
            idx = self._input_indices[name]
            if (isinstance(est, str) and est == "drop") or not idx:
                continue
            sub = input_features[idx]
            if isinstance(est, str):
                out = sub
            elif hasattr(est, "get_feature_names_out"):
                out = est.get_feature_names_out(sub)
            else:
                raise AttributeError(
                    f"Transformer {name} (type {type(est).__name__}) does not provide "
                    "get_feature_names_out."
                )
            groups.append((name, np.asarray(out, dtype=object)))
        if self.verbose_feature_names_out:
            return np.asarray([f"{n}__{f}" for n, out in groups for f in out], dtype=object)
        names = np.concatenate([out for _, out in groups]) if groups else np.array([], object)
        if len(set(names.tolist())) != len(names):
            raise ValueError(
                "Output feature names are not unique. Please set "
                "verbose_feature_names_out=True to add prefixes to feature names"
            )
        return names


def make_column_transformer(
    *transformers,
    remainder="drop",
    sparse_threshold: float = 0.3,
    n_jobs=None,
    verbose: bool = False,
    verbose_feature_names_out=True,
) -> ColumnTransformer:
    """A ColumnTransformer from ``(transformer, columns)`` pairs, each named after its
    class in lowercase ("-1", "-2" appended to repeated names), as scikit-learn names them."""
    from ..pipeline import _name_estimators

    named = _name_estimators([t for t, _ in transformers])
    return ColumnTransformer(
        [(name, t, cols) for (name, t), (_, cols) in zip(named, transformers, strict=True)],
        remainder=remainder,
        sparse_threshold=sparse_threshold,
        n_jobs=n_jobs,
        verbose=verbose,
        verbose_feature_names_out=verbose_feature_names_out,
    )
