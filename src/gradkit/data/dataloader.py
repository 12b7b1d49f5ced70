"""``DataLoader``: batches of a dataset, in the main process or in worker processes,
with PyTorch's options and semantics.

How an epoch runs (as in PyTorch): ``iter(loader)`` draws a base seed from the
loader's generator, then the index sampler (``batch_sampler``, or ``sampler`` when
``batch_size=None``) yields the indices of each batch in the main process. With
``num_workers=0`` the main process fetches and collates each batch. With
``num_workers=n`` the batches go round-robin to ``n`` worker processes, at most
``prefetch_factor`` outstanding per worker, and come back in order; each worker
seeds ``random``, NumPy's global generator and gradkit's global generator with
``base_seed + worker_id``. The samplers run in the main process, so the batches are
the same whatever ``num_workers`` is (for datasets that draw no random numbers of their
own).

Worker processes are started with ``fork`` where the platform has it (Linux and the
BSDs: the dataset, ``collate_fn`` and ``worker_init_fn`` need not be picklable, and
start-up is fast) and with the platform's default elsewhere (``spawn`` on Windows and
macOS, whose system libraries are not fork-safe; everything passed must then pickle);
``multiprocessing_context=`` overrides the choice. Workers stop at the end of the epoch
(or, with ``persistent_workers=True``, when the loader is garbage collected), when the
iterator is deleted or collected after a ``break``, and by themselves when the main
process dies.
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from gradkit.backend import xp
from gradkit.data import _worker
from gradkit.data._iterators import (
    IterableFetcher,
    MapFetcher,
    MultiProcessIter,
    SingleProcessIter,
    make_fetcher,
    prefetched,
)
from gradkit.data.collate import default_collate, default_convert
from gradkit.data.dataset import Dataset, IterableDataset
from gradkit.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    keep_generator,
)

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

get_worker_info = _worker.get_worker_info


class _InfiniteConstantSampler(Sampler):
    """The sampler of an ``IterableDataset``: ``None`` forever (the dataset decides)."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


# ------------------------------------------------------------------------- the loader
_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class DataLoader:
    """Iterate over a dataset in batches (PyTorch's ``torch.utils.data.DataLoader``).

    Parameters
    ----------
    dataset : Dataset or IterableDataset
        A map-style dataset (``__getitem__``, ``__len__``) or a stream. A
        :class:`TensorDataset` (or a ``Subset`` of one) with the default collate takes a
        fast path: one fancy index per array per batch, no Python loop over samples.
    batch_size : int or None
        Samples per batch; ``None`` turns batching off (each item is one sample, passed
        through ``collate_fn``, by default :func:`default_convert`).
    shuffle : bool
        A new random order every epoch (a :class:`RandomSampler` over the dataset).
    sampler : Sampler or iterable, optional
        The order of the indices; excludes ``shuffle``.
    batch_sampler : Sampler or iterable of lists, optional
        Yields each batch's indices; excludes ``batch_size``, ``shuffle``, ``sampler``
        and ``drop_last``.
    num_workers : int
        Worker processes fetching batches (0: the main process does). See the module
        docstring for seeding, start method and shutdown.
    collate_fn : callable, optional
        Samples → batch (default :func:`default_collate`).
    pin_memory : bool
        Accepted for compatibility; without a GPU there is nothing to pin (no-op).
    drop_last : bool
        Drop the last batch if it is smaller than ``batch_size``.
    timeout : float
        Seconds to wait for a batch from the workers before raising (0: forever).
    worker_init_fn : callable, optional
        Called as ``worker_init_fn(worker_id)`` in each worker after seeding.
    multiprocessing_context : str or multiprocessing context, optional
        Start method for the workers (default: ``fork`` where available).
    generator : gradkit.Generator, numpy.random.Generator or int, optional
        Source of the shuffling and of the workers' base seed; an int seeds a private
        generator. Default: gradkit's global generator (``gradkit.manual_seed``).
    prefetch_factor : int, optional
        Batches requested ahead per worker (default 2 with workers; only with workers).
    persistent_workers : bool
        Keep the worker processes alive between epochs (needs ``num_workers > 0``).
    pin_memory_device : str
        Accepted for compatibility (no-op).
    in_order : bool
        Return batches in sampler order (True) or as workers finish them (False).
    prefetch : int
        gradkit's own option for ``num_workers=0``: prepare up to this many batches
        ahead in a background thread (same batches).

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit.data import TensorDataset
    >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    >>> loader = DataLoader(ds, batch_size=2, shuffle=True, generator=0)
    >>> len(loader), [tuple(y.shape) for _, y in loader]
    (3, [(2,), (2,), (1,)])
    """

    _initialized = False

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | None = None,
        batch_sampler: Sampler | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        prefetch: int = 0,
    ) -> None:
        if not isinstance(num_workers, int | xp.integer) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; "
                "use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and timeout:
            raise ValueError("timeout applies to worker processes; it needs num_workers > 0")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. "
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if int(prefetch) != prefetch or prefetch < 0:
            raise ValueError(
                f"DataLoader: prefetch must be a non-negative integer, got {prefetch!r}"
            )
        if prefetch and num_workers:
            raise ValueError(
                "prefetch (a background thread) is for num_workers=0; with worker "
                "processes use prefetch_factor"
            )
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        generator = keep_generator(generator)
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = bool(drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = int(num_workers)
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = _context(multiprocessing_context, self.num_workers)
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.in_order = bool(in_order)
        self.prefetch = int(prefetch)
        self._iterator = None
        self._initialized = True
        self._check_worker_count()

    def __setattr__(self, name: str, value) -> None:
        if self._initialized and name in _FROZEN:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # a TypeError if the stream has no length, as in PyTorch
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers == 0:
            it = SingleProcessIter(self)
            return it if self.prefetch == 0 else prefetched(it, self.prefetch)
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = MultiProcessIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return MultiProcessIter(self)

    def _fetcher_factory(self) -> Callable:
        kind = IterableFetcher if isinstance(self.dataset, IterableDataset) else MapFetcher
        return functools.partial(
            make_fetcher, kind, self._auto_collation, self.collate_fn, self.drop_last
        )

    def _check_worker_count(self) -> None:
        if not self.num_workers:
            return
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:
            cpus = os.cpu_count()
        if cpus is not None and self.num_workers > cpus:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total; "
                f"this process may use {cpus} CPUs. Excessive workers make loading slow; "
                "lower num_workers if so.",
                stacklevel=3,
            )


def _context(ctx, num_workers: int):
    """The multiprocessing context for the workers (see the module docstring)."""
    import multiprocessing as mp  # only loaders with workers need it

    if ctx is not None and num_workers == 0:
        raise ValueError(
            "multiprocessing_context can only be used with multi-process loading "
            f"(num_workers > 0), but got num_workers={num_workers}"
        )
    if ctx is None:
        if num_workers == 0:
            return None
        fork = "fork" in mp.get_all_start_methods() and sys.platform != "darwin"
        return mp.get_context("fork" if fork else None)
    if isinstance(ctx, str):
        methods = mp.get_all_start_methods()
        if ctx not in methods:
            raise ValueError(
                "multiprocessing_context option should specify a valid start method in "
                f"{methods!r}, but got multiprocessing_context={ctx!r}"
            )
        return mp.get_context(ctx)
    if not isinstance(ctx, mp.context.BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context object or a string "
            f"specifying the start method, but got multiprocessing_context={ctx!r}"
        )
    return ctx
