"""How one epoch of a ``DataLoader`` runs: fetchers (indices → collated batch), the
main-process iterator, the background-thread prefetcher, and the main-process side of
the worker processes (task bookkeeping, in-order delivery, failure detection, shutdown).
See :mod:`gradkit.data.dataloader` for the options and :mod:`gradkit.data._worker` for
the worker side.
"""

from __future__ import annotations

import itertools
import pickle
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from gradkit.backend import xp
from gradkit.data import _worker
from gradkit.data.collate import default_collate
from gradkit.data.dataset import IterableDataset, Subset
from gradkit.random import numpy_rng

STATUS_CHECK_INTERVAL = _worker.STATUS_CHECK_INTERVAL


# ------------------------------------------------------------------------- fetchers
def _batch_getter(dataset) -> Callable | None:
    """``indices -> tuple of field batches`` for datasets that gather a whole batch with
    one fancy index (``get_batch``), looking through ``Subset`` wrappers."""
    if isinstance(dataset, Subset):
        inner = _batch_getter(dataset.dataset)
        return None if inner is None else (lambda idx: inner(dataset.indices[idx]))
    return getattr(dataset, "get_batch", None)


class MapFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        fast = auto_collation and collate_fn is default_collate
        self.get_batch = _batch_getter(dataset) if fast else None

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.get_batch is not None:  # what default_collate would give, in one step
            return list(self.get_batch(xp.asarray(index, dtype=xp.int64)))
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(index) if callable(getitems) else [self.dataset[i] for i in index]
        return self.collate_fn(samples)


class IterableFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.iterator = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        samples = list(itertools.islice(self.iterator, len(index)))
        if len(samples) < len(index):
            self.ended = True
        if not samples or (self.drop_last and len(samples) < len(index)):
            raise StopIteration
        return self.collate_fn(samples)


def make_fetcher(kind, auto_collation, collate_fn, drop_last, dataset):
    return kind(dataset, auto_collation, collate_fn, drop_last)


# ------------------------------------------------------------------------- iterators
class BaseIter:
    def __init__(self, loader) -> None:
        self._dataset = loader.dataset
        self._index_sampler = loader._index_sampler
        self._iterable = isinstance(loader.dataset, IterableDataset)
        self._sampler_iter = iter(self._index_sampler)
        # Drawn every epoch with or without workers, so the loader consumes the same
        # random numbers either way (PyTorch's order: base seed, then the sampler).
        self._base_seed = int(numpy_rng(loader.generator).integers(0, 2**63 - 1))

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise TypeError(f"{type(self).__name__} can't be pickled")


class SingleProcessIter(BaseIter):
    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._fetcher = loader._fetcher_factory()(loader.dataset)

    def __next__(self):
        index = next(self._sampler_iter)  # StopIteration ends the epoch
        return self._fetcher.fetch(index)  # so does an exhausted IterableDataset


def prefetched(it: Iterator, depth: int) -> Iterator[Any]:
    """The items of ``it``, produced up to ``depth`` ahead by a background thread."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for value in it:
                if not put((True, value)):
                    return
            item = (True, done)
        except BaseException as exc:  # handed to the consumer, raised there
            item = (False, exc)
        put(item)

    thread = threading.Thread(target=produce, name="gradkit-prefetch", daemon=True)
    thread.start()
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
        thread.join()


class MultiProcessIter(BaseIter):
    def __init__(self, loader) -> None:
        super().__init__(loader)
        ctx = loader.multiprocessing_context
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._persistent = loader.persistent_workers
        self._in_order = loader.in_order
        self._timeout = loader.timeout
        self._shutdown = True  # until the workers exist
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues, self._workers = [], []
        factory = loader._fetcher_factory()
        try:
            for i in range(self._num_workers):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()
                w = ctx.Process(
                    target=_worker.worker_loop,
                    args=(
                        factory,
                        loader.dataset,
                        index_queue,
                        self._result_queue,
                        self._done_event,
                        self._base_seed,
                        loader.worker_init_fn,
                        i,
                        self._num_workers,
                    ),  # fmt: skip
                    daemon=True,
                )
                w.start()
                self._index_queues.append(index_queue)
                self._workers.append(w)
        except (TypeError, AttributeError, pickle.PicklingError) as exc:
            self._shutdown = False
            self._shutdown_workers()
            raise RuntimeError(
                f"DataLoader could not start its worker processes with the "
                f"{ctx.get_start_method()!r} start method because an argument can't be "
                f"pickled ({exc}); define the dataset, collate_fn and worker_init_fn at "
                "module level, or use multiprocessing_context='fork' where available"
            ) from exc
        self._shutdown = False
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter: bool = False) -> None:
        if not first_iter:
            # A new base seed is drawn and left unused (the workers keep the seeds they
            # started with, as in PyTorch), so that every epoch's shuffle is the same
            # with persistent workers as without them and without workers.
            self._sampler_iter = iter(self._index_sampler)
            numpy_rng(loader.generator).integers(0, 2**63 - 1)
        self._send_idx = 0  # the next task to send
        self._rcvd_idx = 0  # the next task to return
        self._task_info: dict[int, tuple] = {}  # task -> (worker,) or (worker, data)
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            for q in self._index_queues:
                q.put(_worker.ResumeIteration())
            remaining = self._num_workers
            while remaining:
                idx, _ = self._get_data()
                if isinstance(idx, _worker.ResumeIteration):
                    remaining -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker = next(self._worker_cycle)
            if self._active[worker]:
                break
        else:
            return
        self._index_queues[worker].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker,)
        self._outstanding += 1
        self._send_idx += 1

    def _get_data(self):
        """The next ``(task, data)`` from the result queue, watching the workers."""
        waited = 0.0
        while True:
            wait = STATUS_CHECK_INTERVAL
            if self._timeout:
                wait = min(wait, self._timeout - waited)
            try:
                idx, data = self._result_queue.get(timeout=max(wait, 0.001))
            except queue.Empty:
                waited += wait
                dead = [w for i, w in enumerate(self._workers) if not w.is_alive()]
                if dead:
                    self._shutdown_workers()
                    codes = ", ".join(f"pid {w.pid} exit code {w.exitcode}" for w in dead)
                    raise RuntimeError(
                        f"DataLoader worker ({codes}) exited unexpectedly (killed, out of "
                        "memory, or a crash in native code)"
                    ) from None
                if self._timeout and waited >= self._timeout:
                    self._shutdown_workers()
                    raise RuntimeError(
                        f"DataLoader timed out after {self._timeout} seconds"
                    ) from None
                continue
            if isinstance(data, bytes):
                data = pickle.loads(data)
            return idx, data

    def __next__(self):
        while True:
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._active[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)  # its worker's stream ended
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                _, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process(data)
            idx, data = self._get_data()
            self._outstanding -= 1
            if isinstance(data, _worker.IterableEnd):
                self._active[data.worker_id] = False
                if not self._persistent:
                    self._index_queues[data.worker_id].put(None)
                self._task_info.pop(idx, None)
                self._try_put_index()
                continue
            if idx == self._rcvd_idx:
                del self._task_info[idx]
                self._rcvd_idx += 1
                return self._process(data)
            if not self._in_order:
                del self._task_info[idx]
                return self._process(data)
            self._task_info[idx] += (data,)

    def _process(self, data):
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()  # the workers go on: a caller may skip the batch and continue
        return data

    def _shutdown_workers(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for q in self._index_queues:
                try:
                    q.put(None)
                except (OSError, ValueError):  # closed already
                    pass
            for w in self._workers:
                w.join(timeout=STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
            self._result_queue.cancel_join_thread()
            self._result_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=STATUS_CHECK_INTERVAL)

    def __del__(self) -> None:
        try:
            self._shutdown_workers()
        except Exception:  # noqa: S110 - interpreter shutdown may have removed modules
            pass


STATUS_CHECK_INTERVAL = _worker.STATUS_CHECK_INTERVAL
