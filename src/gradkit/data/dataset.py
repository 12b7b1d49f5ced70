"""Datasets (PyTorch's ``torch.utils.data`` names): ``Dataset``, ``TensorDataset``,
``Subset`` and ``random_split``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from gradkit import random as _random
from gradkit.backend import xp
from gradkit.tensor import Tensor


class Dataset:
    """A map-style dataset: ``len(ds)`` samples, ``ds[i]`` is sample ``i``.

    Subclasses define ``__getitem__`` and ``__len__``.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


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
        """The collated batch of ``indices`` with one fancy index per array (what
        ``default_collate`` of the single samples would give, without a Python loop)."""
        return tuple(Tensor(a[indices]) for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = xp.asarray(indices, dtype=xp.int64).reshape(-1)

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, list | tuple):
            return [self.dataset[int(self.indices[i])] for i in index]
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """Absolute lengths, or fractions summing to 1 turned into counts as PyTorch does:
    floor each, then hand the remainder out one by one from the first split."""
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {lengths}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
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
        Sizes of the splits, or fractions that sum to 1 (``[0.8, 0.2]``).
    generator : numpy.random.Generator or int, optional
        Source of the permutation; defaults to gradkit's global generator.

    Examples
    --------
    >>> import numpy as np
    >>> train, val = random_split(TensorDataset(np.arange(10)), [0.7, 0.3], generator=0)
    >>> len(train), len(val)
    (7, 3)
    """
    counts = _split_lengths(len(dataset), lengths)
    perm = as_generator(generator).permutation(len(dataset))
    bounds = xp.cumsum([0, *counts])
    return [Subset(dataset, perm[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


def as_generator(generator) -> xp.random.Generator:
    """A ``numpy.random.Generator`` for ``generator=`` (see :func:`gradkit.random.numpy_rng`)."""
    return _random.numpy_rng(generator)
