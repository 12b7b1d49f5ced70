"""Data splitting (EVAL-SPLIT, EVAL-KFOLD): ``train_test_split``, ``KFold``, ``StratifiedKFold``."""

from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np

from ..base import check_consistent_length, check_random_state, column_or_1d


def _num_samples(X) -> int:
    if hasattr(X, "shape") and len(X.shape) > 0:
        return X.shape[0]
    return len(X)


def _index(X, idx: np.ndarray):
    """Rows ``idx`` of an array, sparse matrix or list."""
    if hasattr(X, "shape") and hasattr(X, "__getitem__") and not isinstance(X, list):
        return X[idx]
    return [X[i] for i in idx]


class KFold:
    """K consecutive folds; each fold is the test set once (EVAL-KFOLD).

    The first n % k folds get one extra sample. With ``shuffle`` the samples are
    permuted once (with ``random_state``) before cutting.

    Examples
    --------
    >>> [test.tolist() for _, test in KFold(3).split(range(5))]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state=None):
        if not isinstance(n_splits, numbers.Integral) or n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2, got {n_splits!r}.")
        if not shuffle and random_state is not None:
            raise ValueError("Setting a random_state has no effect since shuffle is False.")
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return self.n_splits

    def _test_folds(self, X, y) -> np.ndarray:
        n = _num_samples(X)
        if self.n_splits > n:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of samples: n_samples={n}."
            )
        order = np.arange(n)
        if self.shuffle:
            check_random_state(self.random_state).shuffle(order)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        folds = np.empty(n, dtype=np.int64)
        folds[order] = np.repeat(np.arange(self.n_splits), sizes)
        return folds

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (train_indices, test_indices) for each fold."""
        folds = self._test_folds(X, y)
        for k in range(self.n_splits):
            yield np.nonzero(folds != k)[0], np.nonzero(folds == k)[0]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_splits={self.n_splits}, shuffle={self.shuffle}, "
            f"random_state={self.random_state})"
        )


class StratifiedKFold(KFold):
    """K folds that keep each class's proportion (scikit-learn's allocation).

    Samples sorted by class are dealt round-robin to folds to fix how many of each class
    every fold gets; within a class the fold assignment follows the data order (or a
    random permutation with ``shuffle``).
    """

    def _test_folds(self, X, y) -> np.ndarray:
        if y is None:
            raise ValueError("StratifiedKFold needs y to stratify on.")
        y = column_or_1d(y)
        check_consistent_length(y, np.empty(_num_samples(X)))
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        rank = np.empty(len(first), dtype=np.int64)
        rank[np.argsort(first)] = np.arange(len(first))  # classes in order of appearance
        y_enc = rank[inverse]
        n_classes = len(first)
        counts = np.bincount(y_enc)
        if self.n_splits > counts.max():
            raise ValueError(
                f"n_splits={self.n_splits} cannot be greater than the number of members in "
                f"each class (largest class has {counts.max()})."
            )
        y_order = np.sort(y_enc)
        allocation = np.array(
            [
                np.bincount(y_order[i :: self.n_splits], minlength=n_classes)
                for i in range(self.n_splits)
            ]
        )
        rng = check_random_state(self.random_state) if self.shuffle else None
        folds = np.empty(len(y), dtype=np.int64)
        for k in range(n_classes):
            for_class = np.repeat(np.arange(self.n_splits), allocation[:, k])
            if rng is not None:
                rng.shuffle(for_class)
            folds[y_enc == k] = for_class
        return folds


def check_cv(cv=5, y=None, *, classifier: bool = False):
    """A splitter from an int (stratified for classifiers), a splitter, or an iterable."""
    if cv is None:
        cv = 5
    if isinstance(cv, numbers.Integral):
        if classifier and y is not None and np.asarray(y).ndim == 1:
            return StratifiedKFold(cv)
        return KFold(cv)
    if hasattr(cv, "split"):
        return cv
    splits = list(cv)

    class _Fixed:
        def get_n_splits(self, *a, **k):
            return len(splits)

        def split(self, *a, **k):
            yield from splits

    return _Fixed()


def _split_sizes(n: int, test_size, train_size) -> tuple[int, int]:
    if test_size is None and train_size is None:
        test_size = 0.25

    def count(size, name):
        if size is None:
            return None
        if isinstance(size, numbers.Integral) and not isinstance(size, bool):
            if not 0 < size < n:
                raise ValueError(f"{name}={size} should be in (0, {n}) samples.")
            return int(size)
        if isinstance(size, numbers.Real) and 0 < size < 1:
            return size
        raise ValueError(f"{name}={size!r} should be a float in (0, 1) or an int in (0, {n}).")

    test, train = count(test_size, "test_size"), count(train_size, "train_size")
    n_test = int(np.ceil(test * n)) if isinstance(test, float) else test
    n_train = int(np.floor(train * n)) if isinstance(train, float) else train
    if n_test is None:
        n_test = n - n_train
    if n_train is None:
        n_train = n - n_test
    if n_train + n_test > n or n_train == 0 or n_test == 0:
        raise ValueError(
            f"With n_samples={n}, test_size={test_size} and train_size={train_size}, the "
            "train or test set would be empty or they would overlap; adjust the sizes."
        )
    return n_train, n_test


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng) -> np.ndarray:
    """Per-class draws closest to n_draws·p_k that sum to n_draws (largest remainders)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous).astype(np.int64)
    need = n_draws - floored.sum()
    if need > 0:
        remainder = continuous - floored
        order = np.lexsort((rng.random(len(remainder)), -remainder))  # random tie-break
        floored[order[:need]] += 1
    return floored


def train_test_split(
    *arrays, test_size=None, train_size=None, random_state=None, shuffle: bool = True, stratify=None
) -> list:
    """Split arrays into random train and test subsets (EVAL-SPLIT).

    ``test_size`` / ``train_size`` are fractions in (0, 1) or counts (default 25% test).
    With ``stratify`` (class labels) each class is split in the same proportion; the
    per-class test counts are the integers nearest n_test·p_k that add up to n_test.

    Returns
    -------
    list : ``[a_train, a_test, b_train, b_test, ...]`` for each input array.

    Examples
    --------
    >>> X_tr, X_te = train_test_split(list(range(8)), test_size=0.25, random_state=0)
    >>> len(X_tr), len(X_te)
    (6, 2)
    """
    if not arrays:
        raise ValueError("At least one array required as input.")
    n = _num_samples(arrays[0])
    for a in arrays[1:]:
        if _num_samples(a) != n:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"{[_num_samples(a) for a in arrays]}"
            )
    n_train, n_test = _split_sizes(n, test_size, train_size)
    rng = check_random_state(random_state)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False.")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    elif stratify is None:
        perm = rng.permutation(n)
        test, train = perm[:n_test], perm[n_test : n_test + n_train]
    else:
        y = column_or_1d(stratify)
        if len(y) != n:
            raise ValueError(f"stratify has {len(y)} labels, expected {n}.")
        _, y_enc = np.unique(y, return_inverse=True)
        counts = np.bincount(y_enc)
        if counts.min() < 2:
            raise ValueError(
                "The least populated class in y has only 1 member, which is too few. The "
                "minimum number of groups for any class cannot be less than 2."
            )
        if n_train < len(counts) or n_test < len(counts):
            raise ValueError(
                f"The train ({n_train}) and test ({n_test}) sizes must each be at least the "
                f"number of classes ({len(counts)})."
            )
        t_k = _approximate_mode(counts, n_test, rng)
        r_k = _approximate_mode(counts - t_k, n_train, rng)
        train_parts, test_parts = [], []
        for k in range(len(counts)):
            members = rng.permutation(np.nonzero(y_enc == k)[0])
            test_parts.append(members[: t_k[k]])
            train_parts.append(members[t_k[k] : t_k[k] + r_k[k]])
        train = rng.permutation(np.concatenate(train_parts))
        test = rng.permutation(np.concatenate(test_parts))
    out = []
    for a in arrays:
        out.extend([_index(a, train), _index(a, test)])
    return out
