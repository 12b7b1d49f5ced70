"""How many threads gradkit computes with (PyTorch's ``get_num_threads`` /
``set_num_threads``).

NumPy runs every ufunc on one core; only its BLAS is multithreaded, so the thread count
of NumPy's OpenBLAS is gradkit's. These functions read and set it at run time (the
``OPENBLAS_NUM_THREADS`` environment variable only counts before NumPy is imported).

Why gradkit does not share elementwise work out between Python threads: after every
multithreaded GEMM OpenBLAS's threads keep spinning for a while (about 0.1 s), so a
Python worker competes with them for the second core. Measured on the 2-core benchmark
machine, a 2048×128 @ 128×512 GEMM split over two Python threads took 2.1 ms against
OpenBLAS's own 1.4 ms, and GELU, layer norm and attention split by rows gained nothing
inside a transformer training step, though GELU alone ran 1.3× faster. Nor does it
run its own thread pool with OpenBLAS single-threaded: splitting every Linear GEMM and
the GELU chunks between two Python threads made the transformer benchmark step slower
(90–92 ms against 67–86 ms), the GIL hand-offs costing more than the second core gives.

OpenBLAS 0.3.31's ``cblas_sgemm_batch_strided`` would run the 128 small per-head
attention products as one threaded call, but in NumPy's DYNAMIC_ARCH build its
small-matrix path (m·n·k ≤ 10⁶, every attention and LSTM product) jumps to a null
kernel and crashes, so gradkit does not call it.
"""

from __future__ import annotations

import ctypes

import numpy as np

from gradkit import openblas

_fallback_threads = 1  # reported when NumPy's BLAS cannot be steered


def _blas_handles():
    """(get_num_threads, set_num_threads) of NumPy's OpenBLAS, or None."""
    get = openblas.symbol("openblas_get_num_threads", ctypes.c_int, [])
    set_ = openblas.symbol("openblas_set_num_threads", None, [ctypes.c_int])
    return None if get is None or set_ is None else (get, set_)


def get_num_threads() -> int:
    """The number of threads NumPy's OpenBLAS uses (1 if its BLAS cannot be steered and
    :func:`set_num_threads` was never called).

    >>> import gradkit as gk
    >>> before = gk.get_num_threads()
    >>> gk.set_num_threads(1)
    >>> gk.get_num_threads()
    1
    >>> gk.set_num_threads(before)
    """
    blas = _blas_handles()
    return max(int(blas[0]()), 1) if blas is not None else _fallback_threads


def set_num_threads(n: int) -> None:
    """Let NumPy's OpenBLAS (every matrix product gradkit computes) use ``n`` threads,
    like ``torch.set_num_threads``. Without a steerable OpenBLAS (NumPy built against
    another BLAS) only the value :func:`get_num_threads` reports changes."""
    global _fallback_threads
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive integer, got {n!r}")
    blas = _blas_handles()
    if blas is not None:
        blas[1](int(n))
    _fallback_threads = int(n)
