"""Data splitting (EVAL-SPLIT, EVAL-KFOLD): ``train_test_split`` and the splitters.

Every random choice is drawn from a ``numpy.random.RandomState`` in scikit-learn's order
(:func:`gradkit.ml.base.check_legacy_random_state`), so an int ``random_state`` gives
scikit-learn's splits, and None draws from NumPy's global generator.
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from collections.abc import Iterator

import numpy as np

from ..base import check_consistent_length, check_legacy_random_state, column_or_1d
from ..utils._indexing import _index, _num_samples  # noqa: F401 - re-exported


class _BaseSplitter:
    """Shared pieces: scikit-learn's repr (parameters sorted by name) and test-fold masks."""

    def __repr__(self) -> str:
        """``Name(param=value, ...)``, parameters sorted, wrapped before column 75 with
        scikit-learn's indent (so a printed splitter reads the same)."""
        name = type(self).__name__
        params = sorted(p for p in inspect.signature(type(self).__init__).parameters if p != "self")
        sep = ",\n" + (1 + len(name) // 2) * " "
        out, width = [], len(name)
        for i, key in enumerate(params):
            value = getattr(self, key, None)
            item = f"{key}={value}" if isinstance(value, float) else f"{key}={value!r}"
            if i:
                if width + len(item) >= 75:
                    out.append(sep)
                    width = len(sep)
                else:
                    out.append(", ")
                    width += 2
            out.append(item)
            width += len(item)
        return f"{name}({''.join(out)})"


class KFold(_BaseSplitter):
    """K consecutive folds; each fold is the test set once (EVAL-KFOLD).

    The first n % k folds get one extra sample. With ``shuffle`` the samples are
    permuted once (with ``random_state``, drawn as scikit-learn draws it, so the folds
    are scikit-learn's) before cutting.

    Examples
    --------
    >>> [test.tolist() for _, test in KFold(3).split(range(5))]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state=None):
        _check_n_splits(n_splits)
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be True or False; got {shuffle!r}")
        if not shuffle and random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False. You should "
                "leave random_state to its default (None), or set shuffle=True."
            )
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return self.n_splits

    def _test_folds(self, X, y, groups) -> np.ndarray:
        n = _num_samples(X)
        if self.n_splits > n:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of samples: n_samples={n}."
            )
        order = np.arange(n)
        if self.shuffle:
            check_legacy_random_state(self.random_state).shuffle(order)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        folds = np.empty(n, dtype=np.int64)
        folds[order] = np.repeat(np.arange(self.n_splits), sizes)
        return folds

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (train_indices, test_indices) for each fold, both sorted."""
        folds = self._test_folds(X, y, groups)
        for k in range(self.get_n_splits(X, y, groups)):
            yield np.nonzero(folds != k)[0], np.nonzero(folds == k)[0]


class StratifiedKFold(KFold):
    """K folds that keep each class's proportion (scikit-learn's allocation).

    Samples sorted by class are dealt round-robin to folds to fix how many of each class
    every fold gets; within a class the fold assignment follows the data order (or a
    random permutation with ``shuffle``). Warns when a class has fewer members than
    ``n_splits``.
    """

    def _test_folds(self, X, y, groups) -> np.ndarray:
        if y is None:
            raise ValueError("StratifiedKFold needs y to stratify on.")
        y = column_or_1d(y)
        check_consistent_length(y, np.empty(_num_samples(X)))
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        rank = np.empty(len(first), dtype=np.int64)
        rank[np.argsort(first)] = np.arange(len(first))  # classes in order of appearance
        y_enc = rank[inverse.ravel()]
        n_classes = len(first)
        counts = np.bincount(y_enc)
        if self.n_splits > counts.max():
            raise ValueError(
                f"n_splits={self.n_splits} cannot be greater than the number of members in "
                f"each class (largest class has {counts.max()})."
            )
        if self.n_splits > counts.min():
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, which is "
                f"less than n_splits={self.n_splits}.",
                UserWarning,
                stacklevel=3,
            )
        y_order = np.sort(y_enc)
        allocation = np.array(
            [
                np.bincount(y_order[i :: self.n_splits], minlength=n_classes)
                for i in range(self.n_splits)
            ]
        )
        rng = check_legacy_random_state(self.random_state) if self.shuffle else None
        folds = np.empty(len(y), dtype=np.int64)
        for k in range(n_classes):
            for_class = np.repeat(np.arange(self.n_splits), allocation[:, k])
            if rng is not None:
                rng.shuffle(for_class)
            folds[y_enc == k] = for_class
        return folds


class GroupKFold(KFold):
    """K folds with each group entirely in one fold (no group in both train and test).

    Without ``shuffle`` groups go, largest first, to the fold with the fewest samples so
    far (scikit-learn's balancing); with ``shuffle`` the groups are permuted and cut into
    ``n_splits`` near-equal runs of groups.

    Examples
    --------
    >>> groups = [0, 0, 1, 1, 1, 2]
    >>> [test.tolist() for _, test in GroupKFold(2).split(groups, groups=groups)]
    [[2, 3, 4], [0, 1, 5]]
    """

    def _test_folds(self, X, y, groups) -> np.ndarray:
        if groups is None:
            raise ValueError("The 'groups' parameter should not be None.")
        groups = column_or_1d(groups)
        check_consistent_length(groups, np.empty(_num_samples(X)))
        unique, group_idx = np.unique(groups, return_inverse=True)
        group_idx = group_idx.ravel()
        if self.n_splits > len(unique):
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of groups: {len(unique)}."
            )
        if self.shuffle:
            order = check_legacy_random_state(self.random_state).permutation(len(unique))
            group_to_fold = np.empty(len(unique), dtype=np.int64)
            for k, run in enumerate(np.array_split(order, self.n_splits)):
                group_to_fold[run] = k
            return group_to_fold[group_idx]
        sizes = np.bincount(group_idx)
        largest_first = np.argsort(sizes)[::-1]
        fold_sizes = np.zeros(self.n_splits)
        group_to_fold = np.zeros(len(unique), dtype=np.int64)
        for g in largest_first:
            lightest = int(np.argmin(fold_sizes))
            fold_sizes[lightest] += sizes[g]
            group_to_fold[g] = lightest
        return group_to_fold[group_idx]


class RepeatedKFold(_BaseSplitter):
    """K-fold repeated ``n_repeats`` times, each time with a new shuffle.

    One random stream (from ``random_state``) feeds every repetition's shuffle, as in
    scikit-learn, so the splits are scikit-learn's.
    """

    _cv = KFold

    def __init__(self, *, n_splits: int = 5, n_repeats: int = 10, random_state=None):
        _check_n_splits(n_splits)
        if not isinstance(n_repeats, numbers.Integral) or n_repeats <= 0:
            raise ValueError(f"n_repeats must be an integer > 0, got {n_repeats!r}.")
        self.n_splits = int(n_splits)
        self.n_repeats = int(n_repeats)
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return self.n_splits * self.n_repeats

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rng = check_legacy_random_state(self.random_state)
        for _ in range(self.n_repeats):
            yield from self._cv(self.n_splits, shuffle=True, random_state=rng).split(X, y, groups)


class RepeatedStratifiedKFold(RepeatedKFold):
    """Stratified k-fold repeated ``n_repeats`` times with a new shuffle each time."""

    _cv = StratifiedKFold


class ShuffleSplit(_BaseSplitter):
    """``n_splits`` independent random train/test splits (EVAL-SPLIT).

    Each split is a fresh permutation: the first ``n_test`` samples are the test set, the
    next ``n_train`` the training set. Sizes are fractions (test rounded up, train down)
    or counts; by default 10% test.
    """

    _default_test_size = 0.1

    def __init__(self, n_splits: int = 10, *, test_size=None, train_size=None, random_state=None):
        if not isinstance(n_splits, numbers.Integral) or n_splits <= 0:
            raise ValueError(f"n_splits must be an integer > 0, got {n_splits!r}.")
        self.n_splits = int(n_splits)
        self.test_size = test_size
        self.train_size = train_size
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return self.n_splits

    def _sizes(self, n: int) -> tuple[int, int]:
        test = self.test_size
        if test is None and self.train_size is None:
            test = self._default_test_size
        return _split_sizes(n, test, self.train_size)

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n = _num_samples(X)
        n_train, n_test = self._sizes(n)
        rng = check_legacy_random_state(self.random_state)
        for _ in range(self.n_splits):
            perm = rng.permutation(n)
            yield perm[n_test : n_test + n_train], perm[:n_test]


class StratifiedShuffleSplit(ShuffleSplit):
    """Random train/test splits that keep each class's proportion (EVAL-SPLIT).

    Per class, the train and test counts are the integers nearest n·p_k that add up to
    the set sizes (ties broken at random); then each class's members are permuted and
    cut, as scikit-learn does it (same draws, so the same splits for a ``random_state``).
    """

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if y is None:
            raise ValueError("StratifiedShuffleSplit needs y to stratify on.")
        n = _num_samples(X)
        y = np.asarray(y)
        if y.ndim == 2:  # multilabel rows become one label each
            y = np.array([" ".join(row.astype(str)) for row in y])
        y = column_or_1d(y)
        check_consistent_length(y, np.empty(n))
        n_train, n_test = self._sizes(n)
        classes, y_idx = np.unique(y, return_inverse=True)
        y_idx = y_idx.ravel()
        counts = np.bincount(y_idx)
        if counts.min() < 2:
            raise ValueError(
                "The least populated class in y has only 1 member, which is too few. The "
                "minimum number of groups for any class cannot be less than 2."
            )
        if n_train < len(classes):
            raise ValueError(
                f"The train_size = {n_train} should be greater or equal to the number of "
                f"classes = {len(classes)}"
            )
        if n_test < len(classes):
            raise ValueError(
                f"The test_size = {n_test} should be greater or equal to the number of "
                f"classes = {len(classes)}"
            )
        members = np.split(np.argsort(y_idx, kind="mergesort"), np.cumsum(counts)[:-1])
        rng = check_legacy_random_state(self.random_state)
        for _ in range(self.n_splits):
            n_i = _approximate_mode(counts, n_train, rng)
            t_i = _approximate_mode(counts - n_i, n_test, rng)
            train, test = [], []
            for k in range(len(classes)):
                rows = members[k].take(rng.permutation(counts[k]), mode="clip")
                train.extend(rows[: n_i[k]])
                test.extend(rows[n_i[k] : n_i[k] + t_i[k]])
            yield rng.permutation(train), rng.permutation(test)


def _check_n_splits(n_splits) -> None:
    if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool):
        raise ValueError(f"The number of folds must be of Integral type. {n_splits!r} given.")
    if n_splits <= 1:
        raise ValueError(
            "k-fold cross-validation requires at least one train/test split by setting "
            f"n_splits=2 or more, got n_splits={n_splits}."
        )


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
    """Per-class draws closest to n_draws·p_k that sum to n_draws.

    Floors of n_draws·p_k, then one more for the classes with the largest remainders,
    ties among equal remainders broken by ``rng.choice`` (scikit-learn's draws).
    """
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (tied,) = np.where(remainder == value)
            take = min(len(tied), need)
            floored[rng.choice(tied, size=take, replace=False)] += 1
            need -= take
            if need == 0:
                break
    return floored.astype(np.int64)


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
    if test_size is None and train_size is None:
        test_size = 0.25
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        cls = ShuffleSplit if stratify is None else StratifiedShuffleSplit
        splitter = cls(test_size=n_test, train_size=n_train, random_state=random_state)
        train, test = next(splitter.split(arrays[0], stratify))
    out = []
    for a in arrays:
        out.extend([_index(a, train), _index(a, test)])
    return out
