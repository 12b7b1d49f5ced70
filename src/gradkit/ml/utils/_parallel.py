"""``n_jobs``: embarrassingly parallel work over joblib workers (the ``[parallel]`` extra).

Every estimator and search that takes ``n_jobs`` hands its independent tasks to
:func:`run_parallel`. The tasks are built (random seeds included) before dispatch and the
results come back in task order, so the answer does not depend on ``n_jobs``. joblib
carries the work: its default backend (loky) runs processes on this machine, and a
``with joblib.parallel_config(backend="dask"):`` (or ``"ray"``) block around the call
sends the same tasks to a cluster.

Each task running in a worker process is held to one BLAS thread (``threadpoolctl``
when installed; joblib's loky backend also starts its workers with one thread per core
they share), so two workers on two cores do not fight over them.
"""

from __future__ import annotations

import numbers
import os

import numpy as np


def effective_n_jobs(n_jobs) -> int:
    """Workers meant by ``n_jobs``: None → 1 (sequential), −1 → all cores, −2 → all
    but one, …; 0 is refused (scikit-learn's rule)."""
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise ValueError(f"n_jobs must be None or a nonzero int, got {n_jobs!r}.")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning: use None or 1 (sequential), -1 (all cores).")
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return n_jobs


def shares(n: int, n_jobs) -> list[slice]:
    """range(n) cut into one contiguous slice per worker of ``n_jobs`` (at most n)."""
    parts = max(1, min(effective_n_jobs(n_jobs), n))
    bounds = np.linspace(0, n, parts + 1).astype(int)
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def run_parallel(function, tasks, n_jobs=None, pre_dispatch="2*n_jobs") -> list:
    """``[function(*task) for task in tasks]``, over joblib workers when ``n_jobs`` means
    more than one; results in task order either way, so they do not depend on ``n_jobs``.

    ``n_jobs=None`` or 1 runs in this process without importing joblib (starting
    workers costs more than small jobs); without joblib installed every ``n_jobs`` runs
    here too (the same results, only slower; ``pip install gradkit[parallel]``).
    """
    tasks = list(tasks)
    workers = effective_n_jobs(n_jobs)
    if workers == 1 or len(tasks) < 2:
        return [function(*task) for task in tasks]
    try:
        from joblib import Parallel, delayed
    except ImportError:
        return [function(*task) for task in tasks]
    parent = os.getpid()
    return Parallel(n_jobs=workers, pre_dispatch=pre_dispatch)(
        delayed(_call_pinned)(function, parent, *task) for task in tasks
    )


def _call_pinned(function, parent_pid: int, *args):
    """``function(*args)`` with one BLAS thread when run in a worker process (in the
    calling process, e.g. joblib's threading backend, the user's setting is left alone)."""
    if os.getpid() == parent_pid:
        return function(*args)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # loky's workers already start with their share of the cores
        return function(*args)
    with threadpool_limits(limits=1):
        return function(*args)
