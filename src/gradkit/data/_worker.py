"""What runs inside a ``DataLoader`` worker process, and what it tells the main one.

A worker seeds its random generators from the loader's base seed, calls
``worker_init_fn(worker_id)``, then loops: take ``(task, indices)`` from its index
queue, fetch and collate the batch, put ``(task, pickled result)`` on the shared result
queue. A failure becomes an :class:`ExceptionWrapper` carrying the worker's formatted
traceback, which the main process raises. The worker pickles each result itself, so an
unpicklable batch is reported as an error instead of being lost in the queue's feeder
thread (which would leave the main process waiting).
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

#: How often (seconds) a waiting main process checks that its workers are alive.
STATUS_CHECK_INTERVAL = 0.5
#: How often (seconds) a waiting worker checks that its parent is alive and has not
#: asked the workers to stop.
WORKER_POLL_INTERVAL = 0.1


@dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` returns inside a worker process.

    Attributes
    ----------
    id : int
        This worker's number, ``0 .. num_workers - 1``.
    num_workers : int
    seed : int
        The seed of this worker's generators: the loader's base seed plus ``id``.
    dataset : Dataset
        This process's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside a ``DataLoader`` worker process: its :class:`WorkerInfo` (``id``,
    ``num_workers``, ``seed``, ``dataset``); in the main process: ``None``.

    An ``IterableDataset`` uses it to give each worker its own share of the stream::

        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        yield from samples[start::step]
    """
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, with its traceback as text."""

    def __init__(self, exc_info, where: str) -> None:
        exc_type, exc, tb = exc_info
        self.exc_type = exc_type
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        self.msg = f"Caught {exc_type.__name__} {where}.\nOriginal {text}"

    def reraise(self):
        """Raise the worker's exception type with the worker's traceback as message
        (``RuntimeError`` if that type can't be built from a message)."""
        msg = self.msg
        if self.exc_type is KeyError:  # KeyError quotes its message; keep it readable
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            exc = None
        if not isinstance(exc, BaseException):
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            exc = None  # no cycle exception -> traceback -> this frame -> exception


class _KeyErrorMessage(str):
    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class IterableEnd:
    """Sent when a worker's copy of an ``IterableDataset`` is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers at the start of each epoch after the first."""


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's ``random``, gradkit's global generator and NumPy's legacy global
    generator for worker ``worker_id``, as PyTorch's workers do; returns the seed."""
    import numpy as np

    from gradkit.random import manual_seed

    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def worker_loop(
    fetcher_factory,
    dataset,
    index_queue,
    result_queue,
    done_event,
    base_seed: int,
    init_fn,
    worker_id: int,
    num_workers: int,
) -> None:
    """The body of worker process ``worker_id`` (runs until told to stop, or until its
    parent process is gone)."""
    global _worker_info
    try:
        from gradkit.threads import set_num_threads

        set_num_threads(1)  # the workers share the cores; one BLAS thread each
    except Exception:  # noqa: S110 - a BLAS that can't be set is no reason to fail
        pass
    seed = seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    where = f"in DataLoader worker process {worker_id}"
    init_error = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = fetcher_factory(dataset)
    except Exception:
        init_error = ExceptionWrapper(sys.exc_info(), where)
    parent = os.getppid()
    ended = False
    try:
        while os.getppid() == parent:
            try:
                task = index_queue.get(timeout=WORKER_POLL_INTERVAL)
            except queue.Empty:
                if done_event.is_set():  # told to stop, even if the None got lost
                    break
                continue
            if task is None:  # shut down
                break
            if isinstance(task, ResumeIteration):
                ended = False
                try:
                    fetcher = fetcher_factory(dataset)
                except Exception:
                    init_error = ExceptionWrapper(sys.exc_info(), where)
                result_queue.put((task, None))
                continue
            if done_event.is_set() or ended:
                continue
            idx, indices = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(indices)
                except StopIteration:
                    data, ended = IterableEnd(worker_id), True
                except Exception:
                    data = ExceptionWrapper(sys.exc_info(), where)
            result_queue.put((idx, _dumps(data, where)))
            del data, task
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        result_queue.cancel_join_thread()
        result_queue.close()


def _dumps(data, where: str) -> bytes:
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        if isinstance(data, ExceptionWrapper):  # its type can't be pickled (a local class);
            data.exc_type = RuntimeError  # the message still names it
            return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            raise RuntimeError(
                "the batch can't be sent to the main process because it can't be pickled; "
                "return tensors, arrays, numbers, strings and containers of them from "
                "__getitem__ and collate_fn"
            ) from sys.exc_info()[1]
        except RuntimeError:
            return _dumps(ExceptionWrapper(sys.exc_info(), where), where)
