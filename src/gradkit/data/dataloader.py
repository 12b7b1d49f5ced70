"""``DataLoader``: mini-batches of a dataset, shuffled by a seeded generator, with
optional background prefetching; ``default_collate`` stacks samples into tensors."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from gradkit.backend import xp
from gradkit.data.dataset import Dataset, Subset, as_generator
from gradkit.tensor import Tensor


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, as PyTorch's ``default_collate`` does.

    Tensors and arrays are stacked along a new first axis into a Tensor; Python ints
    become an int64 Tensor, floats a float64 Tensor, bools a bool Tensor and NumPy
    scalars keep their dtype; strings stay a list; tuples, lists, named tuples and
    dicts are collated field by field.

    Examples
    --------
    >>> import numpy as np
    >>> x, y = default_collate([(np.zeros(2), 1), (np.ones(2), 0)])
    >>> x.shape, x.dtype, y
    ((2, 2), dtype('float64'), tensor([1, 0]))
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor(xp.stack([b._data for b in batch]))
    if isinstance(elem, xp.ndarray | xp.generic):
        return Tensor(xp.stack([xp.asarray(b) for b in batch]))
    if isinstance(elem, bool):
        return Tensor(xp.array(batch, dtype=xp.bool_))
    if isinstance(elem, int):
        return Tensor(xp.array(batch, dtype=xp.int64))
    if isinstance(elem, float):
        return Tensor(xp.array(batch, dtype=xp.float64))
    if isinstance(elem, str | bytes):
        return list(batch)
    if isinstance(elem, Mapping):
        return {key: default_collate([b[key] for b in batch]) for key in elem}
    if isinstance(elem, tuple | list):
        if any(len(b) != len(elem) for b in batch):
            raise ValueError("default_collate: every sample must have the same number of fields")
        fields = [default_collate(list(f)) for f in zip(*batch)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
            return type(elem)(*fields)
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise TypeError(
        f"default_collate: can't batch samples of type {type(elem).__name__}; pass a collate_fn"
    )


def _batch_fetcher(dataset: Dataset) -> Callable | None:
    """A function ``indices -> collated batch`` for datasets that can gather a whole
    batch at once (``get_batch``), looking through ``Subset`` wrappers."""
    if isinstance(dataset, Subset):
        inner = _batch_fetcher(dataset.dataset)
        return None if inner is None else (lambda idx: inner(dataset.indices[idx]))
    return getattr(dataset, "get_batch", None)


class DataLoader:
    """Iterate over a dataset in mini-batches.

    Parameters
    ----------
    dataset : Dataset
        Any object with ``__len__`` and ``__getitem__``. A :class:`TensorDataset` (or a
        ``Subset`` of one) with the default collate takes a fast path: each batch is one
        fancy index per array, with no Python loop over samples.
    batch_size : int
        Samples per batch.
    shuffle : bool
        Draw a new permutation every epoch (each ``iter(loader)``).
    drop_last : bool
        Drop the last batch if it is smaller than ``batch_size``.
    generator : numpy.random.Generator or int, optional
        Source of the shuffling; an int seeds a private generator, so two loaders
        built with the same seed give the same epochs. Defaults to gradkit's global
        generator (``gradkit.manual_seed``).
    collate_fn : callable, optional
        Turns a list of samples into a batch (default :func:`default_collate`).
    prefetch : int
        Prepare up to this many batches ahead in a background thread (0: none).
        The batches are the same as without prefetching.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit.data import TensorDataset
    >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    >>> loader = DataLoader(ds, batch_size=2, shuffle=True, generator=0)
    >>> len(loader), [tuple(y.shape) for _, y in loader]
    (3, [(2,), (2,), (1,)])
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator=None,
        collate_fn: Callable[[list], Any] | None = None,
        prefetch: int = 0,
    ) -> None:
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(
                f"DataLoader: batch_size must be a positive integer, got {batch_size!r}"
            )
        if int(prefetch) != prefetch or prefetch < 0:
            raise ValueError(
                f"DataLoader: prefetch must be a non-negative integer, got {prefetch!r}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = None if generator is None else as_generator(generator)
        self.collate_fn = collate_fn
        self.prefetch = int(prefetch)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _batch_indices(self) -> list:
        n = len(self.dataset)
        if self.shuffle:
            order = as_generator(self.generator).permutation(n)
        else:
            order = xp.arange(n)
        stop = len(self) * self.batch_size
        return [order[i : min(i + self.batch_size, n)] for i in range(0, stop, self.batch_size)]

    def _fetch(self, indices) -> Any:
        if self.collate_fn is None:
            fetch = _batch_fetcher(self.dataset)
            if fetch is not None:
                return fetch(indices)
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or default_collate)(samples)

    def __iter__(self) -> Iterator[Any]:
        batches = self._batch_indices()  # drawn now, so prefetching can't change them
        if self.prefetch == 0:
            return (self._fetch(idx) for idx in batches)
        return self._prefetched(batches)

    def _prefetched(self, batches: list) -> Iterator[Any]:
        q: queue.Queue = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()
        done = object()

        def produce() -> None:
            try:
                for idx in batches:
                    item = (True, self._fetch(idx))
                    while not stop.is_set():
                        try:
                            q.put(item, timeout=0.05)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                item = (True, done)
            except BaseException as exc:  # handed to the consumer, raised there
                item = (False, exc)
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.05)
                    return
                except queue.Full:
                    continue

        worker = threading.Thread(target=produce, name="gradkit-prefetch", daemon=True)
        worker.start()
        try:
            while True:
                ok, value = q.get()
                if not ok:
                    raise value
                if value is done:
                    return
                yield value
        finally:
            stop.set()
            worker.join()
