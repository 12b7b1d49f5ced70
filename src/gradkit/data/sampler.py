"""Samplers (PyTorch's ``torch.utils.data`` names): the order in which a ``DataLoader``
visits a map-style dataset, and how it groups indices into batches.

A sampler is an iterable of indices with a ``__len__``; a batch sampler is an iterable
of lists of indices. Random samplers draw from ``generator=`` (a
:class:`gradkit.Generator`, a ``numpy.random.Generator``, an int seed) or, when it is
None, from gradkit's global generator that ``gradkit.manual_seed`` seeds; each
``iter()`` is a new draw. The draws come from NumPy's PCG64, so the orders differ from
PyTorch's under the same seed, while their distribution is the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized

from gradkit.backend import xp
from gradkit.random import numpy_rng


class Sampler:
    """Base class: subclasses define ``__iter__`` (and ``__len__`` where it is known)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _positive_int(name: str, value) -> int:
    if not isinstance(value, int | xp.integer) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``, always in that order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices of ``data_source``.

    Parameters
    ----------
    data_source : sized
    replacement : bool
        Draw ``num_samples`` indices independently and uniformly (True), or walk
        through random permutations (False: each index once per ``len(data_source)``).
    num_samples : int, optional
        How many indices one pass yields; default ``len(data_source)``.
    generator : gradkit.Generator, numpy.random.Generator or int, optional

    Examples
    --------
    >>> sorted(RandomSampler(range(5), generator=0))
    [0, 1, 2, 3, 4]
    >>> len(list(RandomSampler(range(5), replacement=True, num_samples=12)))
    12
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator=None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = keep_generator(generator)
        _positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, k = len(self.data_source), self.num_samples
        rng = numpy_rng(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=k).tolist()
            return
        for _ in range(k // n):
            yield from rng.permutation(n).tolist()
        if k % n:
            yield from rng.permutation(n)[: k % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order (a new permutation every pass)."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = keep_generator(generator)

    def __iter__(self) -> Iterator[int]:
        for i in numpy_rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices ``0 .. len(weights) - 1`` drawn with probability ``w_i / Σ w``.

    Without replacement an index drawn once is not drawn again in the same pass (draws
    proceed one by one from the remaining weights), as ``torch.multinomial``.

    Parameters
    ----------
    weights : sequence of float
        Non-negative, finite, not all zero; need not sum to one.
    num_samples : int
        Indices per pass.
    replacement : bool
    generator : gradkit.Generator, numpy.random.Generator or int, optional

    Examples
    --------
    >>> s = WeightedRandomSampler([0.0, 1.0, 0.0], 4, generator=0)
    >>> list(s)
    [1, 1, 1, 1]
    """

    def __init__(
        self, weights: Sequence[float], num_samples: int, replacement: bool = True, generator=None
    ) -> None:
        num_samples = _positive_int("num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        w = weights._data if hasattr(weights, "_data") else weights
        w = xp.asarray(w, dtype=xp.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}"
            )
        if not xp.isfinite(w).all() or (w < 0).any():
            raise ValueError("weights must be finite and non-negative (no inf, nan or w < 0)")
        if w.sum() <= 0:
            raise ValueError("weights must not all be zero (the sum of the weights is 0)")
        if not replacement and num_samples > xp.count_nonzero(w):
            raise ValueError(
                f"cannot draw {num_samples} samples without replacement from "
                f"{xp.count_nonzero(w)} indices with non-zero weight"
            )
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = keep_generator(generator)

    def __iter__(self) -> Iterator[int]:
        rng = numpy_rng(self.generator)
        p = self.weights / self.weights.sum()
        draw = rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p)
        yield from draw.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    Examples
    --------
    >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True))
    [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        self.sampler = sampler
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def keep_generator(generator):
    """What a sampler keeps for ``generator=``: an int seed becomes its own NumPy
    generator once, so successive passes differ but the sequence of passes repeats."""
    if isinstance(generator, int | xp.integer) and not isinstance(generator, bool):
        return numpy_rng(generator)
    numpy_rng(generator)  # raises a clear TypeError for anything it can't use
    return generator
