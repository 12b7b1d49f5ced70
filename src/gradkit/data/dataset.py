"""Datasets (PyTorch's ``torch.utils.data`` names): ``Dataset``, ``IterableDataset``,
``TensorDataset``, ``ConcatDataset``, ``ChainDataset``, ``Subset`` and ``random_split``."""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from gradkit.backend import xp
from gradkit.random import numpy_rng
from gradkit.tensor import Tensor


class Dataset:
    """A map-style dataset: ``len(ds)`` samples, ``ds[i]`` is sample ``i``.

    Subclasses define ``__getitem__`` and ``__len__`` (samplers and the ``DataLoader``
    defaults need it). They may also define ``__getitems__(indices)``,
    returning the list of samples of a whole batch, which ``DataLoader`` then calls
    once per batch. ``a + b`` is ``ConcatDataset([a, b])``.
    """

    def __getitem__(self, index) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    # No default __len__ (as in PyTorch): ``len()`` of a dataset without one raises
    # TypeError, which is also what ``list()`` and ``len(loader)`` expect of a stream.

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__``.

    With ``DataLoader(num_workers=n)`` every worker process iterates its own copy of
    the dataset, so without sharding each sample comes ``n`` times; shard inside
    ``__iter__`` with :func:`gradkit.data.get_worker_info` (``id``, ``num_workers``),
    as in PyTorch. ``a + b`` is ``ChainDataset([a, b])``.

    Examples
    --------
    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(3))
    >>> list(Count() + Count())
    [0, 1, 2, 0, 1, 2]
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate it, don't index it")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of equally long arrays: ``ds[i] = (a[i], b[i], ...)``.

    Parameters
    ----------
    *tensors : Tensor or array_like
        Arrays sharing their first dimension (the sample axis). They are held as NumPy
        arrays (no copy for arrays and tensors).

    Examples
    --------
    >>> import numpy as np
    >>> ds = TensorDataset(np.arange(6).reshape(3, 2), np.array([0, 1, 0]))
    >>> len(ds), ds[1]
    (3, (tensor([2, 3]), tensor(1)))
    >>> ds.get_batch(np.array([2, 0]))[1]
    tensor([0, 0])
    """

    def __init__(self, *tensors: Tensor | Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array")
        arrays = [t._data if isinstance(t, Tensor) else xp.asarray(t) for t in tensors]
        if any(a.ndim == 0 for a in arrays):
            raise ValueError("TensorDataset arrays need a sample axis; got a 0-d array")
        lengths = [a.shape[0] for a in arrays]
        if len(set(lengths)) != 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(
                f"TensorDataset arrays must have the same first dimension; got shapes {shapes}"
            )
        self.arrays = arrays

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The arrays as tensors (sharing memory)."""
        return tuple(Tensor(a) for a in self.arrays)

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(Tensor(a[index]) for a in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def get_batch(self, indices) -> tuple[Tensor, ...]:
        """The batch of ``indices`` with one fancy index per array: the fields of what
        ``default_collate`` of the single samples gives, without a Python loop."""
        return tuple(Tensor(a[indices]) for a in self.arrays)


class ConcatDataset(Dataset):
    """The samples of several map-style datasets one after the other.

    ``cumulative_sizes[k]`` is the number of samples in ``datasets[:k + 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> ds = ConcatDataset([TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 12))])
    >>> len(ds), ds[3], ds[-1]
    (5, (tensor(10),), (tensor(11),))
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset; use ChainDataset")
        self.cumulative_sizes = [int(s) for s in xp.cumsum([len(d) for d in self.datasets])]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if index < 0:
            if -index > n:
                raise ValueError("absolute value of index should not exceed dataset length")
            index += n
        if index >= n:
            raise IndexError(f"index {index} is out of range for a ConcatDataset of {n} samples")
        k = bisect.bisect_right(self.cumulative_sizes, index)
        return self.datasets[k][index - (self.cumulative_sizes[k - 1] if k else 0)]


class ChainDataset(IterableDataset):
    """Iterable datasets chained one after the other (lazily)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def _check(self, d) -> None:
        if not isinstance(d, IterableDataset):
            raise TypeError(f"ChainDataset only chains IterableDatasets, got {type(d).__name__}")

    def __iter__(self) -> Iterator:
        for d in self.datasets:
            self._check(d)
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            self._check(d)
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = xp.asarray(indices, dtype=xp.int64).reshape(-1)

    def __getitem__(self, index) -> Any:
        if isinstance(index, list | tuple):
            return [self.dataset[int(self.indices[i])] for i in index]
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: list[int]) -> list:
        inner = [int(i) for i in self.indices[xp.asarray(indices, dtype=xp.int64)]]
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self) -> int:
        return len(self.indices)


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """Absolute lengths, or fractions summing to 1 turned into counts as PyTorch does:
    floor each, then hand the remainder out one by one from the first split."""
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, f in enumerate(lengths):
            if not 0 <= f <= 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=3,
                )
        return counts
    if any(int(k) != k or k < 0 for k in lengths):
        raise ValueError(
            f"random_split: lengths must be non-negative integers or fractions "
            f"summing to 1, got {lengths}"
        )
    if sum(lengths) != n:
        raise ValueError(
            f"random_split: lengths {lengths} sum to {sum(lengths)} but the dataset has {n} samples"
        )
    return [int(k) for k in lengths]


def random_split(dataset: Dataset, lengths: Sequence[float], generator=None) -> list[Subset]:
    """Split ``dataset`` into disjoint random subsets of the given lengths.

    Parameters
    ----------
    dataset : Dataset
    lengths : sequence of int or float
        Sizes of the splits, or fractions that sum to 1 (``[0.8, 0.2]``): each split
        gets ``floor(n * fraction)`` samples and the remainder is handed out one by one
        from the first split, as in PyTorch.
    generator : gradkit.Generator, numpy.random.Generator or int, optional
        Source of the permutation; defaults to gradkit's global generator.

    Examples
    --------
    >>> import numpy as np
    >>> train, val = random_split(TensorDataset(np.arange(10)), [0.7, 0.3], generator=0)
    >>> len(train), len(val)
    (7, 3)
    """
    counts = _split_lengths(len(dataset), lengths)
    perm = numpy_rng(generator).permutation(len(dataset))
    bounds = xp.cumsum([0, *counts])
    return [Subset(dataset, perm[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
