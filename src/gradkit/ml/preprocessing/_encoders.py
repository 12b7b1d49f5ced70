"""Categorical encoders: ``LabelEncoder`` for targets, ``OneHotEncoder`` for features."""

from __future__ import annotations

import numpy as np

from ..base import BaseEstimator, TransformerMixin, check_is_fitted, check_option, column_or_1d


def _encode(values: np.ndarray, classes: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Indices of ``values`` in the sorted ``classes`` and a mask of the known ones."""
    pos = np.clip(np.searchsorted(classes, values), 0, max(len(classes) - 1, 0))
    known = classes[pos] == values if len(classes) else np.zeros(len(values), bool)
    return pos, known


def _unique(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "O":
        kinds = {type(v) for v in values}
        if len(kinds) > 1 and not all(issubclass(k, (int, float, np.number)) for k in kinds):
            raise TypeError(
                f"Encoders require uniformly strings or numbers; got types "
                f"{sorted(k.__name__ for k in kinds)}."
            )
    return np.unique(values)


class LabelEncoder(BaseEstimator):
    """Encode target labels as 0 … n_classes − 1 in sorted order.

    Examples
    --------
    >>> LabelEncoder().fit_transform(["spam", "ham", "spam"]).tolist()
    [1, 0, 1]
    """

    def fit(self, y) -> LabelEncoder:
        self.classes_ = _unique(column_or_1d(y))
        return self

    def fit_transform(self, y) -> np.ndarray:
        return self.fit(y).transform(y)

    def transform(self, y) -> np.ndarray:
        check_is_fitted(self, "classes_")
        y = column_or_1d(y)
        if y.size == 0:
            return np.array([], dtype=np.int64)
        pos, known = _encode(y, self.classes_, "y")
        if not known.all():
            raise ValueError(
                f"y contains previously unseen labels: {np.unique(y[~known]).tolist()}"
            )
        return pos.astype(np.int64)

    def inverse_transform(self, y) -> np.ndarray:
        check_is_fitted(self, "classes_")
        y = column_or_1d(y)
        if y.size == 0:
            return np.array([], dtype=self.classes_.dtype)
        bad = np.setdiff1d(y, np.arange(len(self.classes_)))
        if bad.size:
            raise ValueError(f"y contains previously unseen labels: {bad.tolist()}")
        return self.classes_[y.astype(np.int64)]


class OneHotEncoder(TransformerMixin, BaseEstimator):
    """Encode each categorical column as one indicator column per category.

    Parameters
    ----------
    categories : 'auto' or list of array-like
        Categories per feature; 'auto' takes the sorted unique values seen in ``fit``.
    drop : None, 'first' or 'if_binary'
        Drop the first category of every feature, or only of two-category features.
    sparse_output : bool
        Return a ``scipy.sparse.csr_matrix`` (default) or a dense array.
    dtype : numeric type of the output.
    handle_unknown : 'error' or 'ignore'
        An unseen category raises, or encodes as all zeros.

    Examples
    --------
    >>> enc = OneHotEncoder(sparse_output=False).fit([["a", 1], ["b", 2], ["a", 3]])
    >>> enc.transform([["b", 3]]).tolist()
    [[0.0, 1.0, 0.0, 0.0, 1.0]]
    """

    def __init__(
        self,
        *,
        categories="auto",
        drop=None,
        sparse_output: bool = True,
        dtype=np.float64,
        handle_unknown: str = "error",
    ):
        self.categories = categories
        self.drop = drop
        self.sparse_output = sparse_output
        self.dtype = dtype
        self.handle_unknown = handle_unknown

    def _check_X(self, X) -> np.ndarray:
        if hasattr(X, "tocsr") and hasattr(X, "nnz"):
            raise TypeError("OneHotEncoder does not accept a sparse matrix; pass a dense array.")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"Expected a 2D array of categories, got shape {X.shape}; use "
                "X.reshape(-1, 1) for a single feature."
            )
        if X.dtype.kind == "f" and not np.isfinite(X).all():
            raise ValueError("Input X contains NaN or infinity.")
        return X

    def fit(self, X, y=None) -> OneHotEncoder:
        check_option("handle_unknown", self.handle_unknown, ("error", "ignore"))
        check_option("drop", self.drop, (None, "first", "if_binary"))
        X = self._check_X(X)
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        self.n_features_in_ = X.shape[1]
        if isinstance(self.categories, str):
            check_option("categories", self.categories, ("auto",))
            self.categories_ = [_unique(X[:, j]) for j in range(X.shape[1])]
        else:
            if len(self.categories) != X.shape[1]:
                raise ValueError(
                    f"Shape mismatch: categories has {len(self.categories)} entries but X has "
                    f"{X.shape[1]} features."
                )
            self.categories_ = [np.asarray(c) for c in self.categories]
            for j, c in enumerate(self.categories_):
                if np.any(c[:-1] > c[1:]) if c.dtype.kind != "O" else list(c) != sorted(c):
                    raise ValueError(f"Unsorted categories are not supported (feature {j}).")
            if self.handle_unknown == "error":
                self._indices(X)
        if self.drop == "first":
            self.drop_idx_ = np.zeros(len(self.categories_), dtype=object)
        elif self.drop == "if_binary":
            self.drop_idx_ = np.array(
                [0 if len(c) == 2 else None for c in self.categories_], dtype=object
            )
        else:
            self.drop_idx_ = None
        return self

    def _n_out(self, j: int) -> int:
        dropped = self.drop_idx_ is not None and self.drop_idx_[j] is not None
        return len(self.categories_[j]) - int(dropped)

    def _indices(self, X):
        cols, masks = [], []
        for j, cats in enumerate(self.categories_):
            values = X[:, j]
            pos, known = _encode(
                values.astype(cats.dtype) if cats.dtype.kind != "O" else values, cats, "X"
            )
            if not known.all() and self.handle_unknown == "error":
                raise ValueError(
                    f"Found unknown categories {np.unique(values[~known]).tolist()} in column "
                    f"{j} during transform; use handle_unknown='ignore' to encode them as zeros."
                )
            cols.append(pos)
            masks.append(known)
        return cols, masks

    def transform(self, X):
        """One row of indicators per sample. Shape: (n, n_features) → (n, Σ_j n_out_j)."""
        import scipy.sparse as sp

        check_is_fitted(self, "categories_")
        X = self._check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but OneHotEncoder is expecting "
                f"{self.n_features_in_} features as input."
            )
        cols, masks = self._indices(X)
        n = X.shape[0]
        rows, out_cols, offset = [], [], 0
        for j, (pos, known) in enumerate(zip(cols, masks, strict=True)):
            keep = known.copy()
            col = pos.copy()
            if self.drop_idx_ is not None and self.drop_idx_[j] is not None:
                keep &= col != self.drop_idx_[j]
                col = col - (col > self.drop_idx_[j])
            rows.append(np.nonzero(keep)[0])
            out_cols.append(col[keep] + offset)
            offset += self._n_out(j)
        r, c = np.concatenate(rows), np.concatenate(out_cols)
        out = sp.csr_matrix((np.ones(len(r), dtype=self.dtype), (r, c)), shape=(n, offset))
        out.sort_indices()
        return out if self.sparse_output else out.toarray()

    def inverse_transform(self, X) -> np.ndarray:
        """Categories back from indicators (a dropped category from an all-zero block)."""
        check_is_fitted(self, "categories_")
        X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
        n, out, offset = X.shape[0], [], 0
        for j, cats in enumerate(self.categories_):
            width = self._n_out(j)
            block = X[:, offset : offset + width]
            offset += width
            dropped = self.drop_idx_ is not None and self.drop_idx_[j] is not None
            idx = block.argmax(axis=1) + int(dropped)
            empty = block.sum(axis=1) == 0
            if empty.any() and not dropped:
                raise ValueError(
                    f"Samples {np.nonzero(empty)[0].tolist()} have no category in feature {j}."
                )
            idx[empty] = 0
            out.append(cats[idx])
        return np.column_stack(out) if n else np.empty((0, len(out)))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "categories_")
        names = input_features or [f"x{j}" for j in range(self.n_features_in_)]
        out = []
        for j, cats in enumerate(self.categories_):
            start = 1 if self.drop_idx_ is not None and self.drop_idx_[j] is not None else 0
            out.extend(f"{names[j]}_{c}" for c in cats[start:])
        return np.asarray(out, dtype=object)
