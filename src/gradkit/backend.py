"""The array namespace: the one place that picks NumPy (CuPy can slot in here later).

Everything else does ``from gradkit.backend import xp`` and calls ``xp.<fn>``.
"""

from __future__ import annotations

import ctypes
import os
import sys

import numpy as xp

default_float = xp.float32


def get_default_dtype():
    """The dtype that Python floats and float lists become (float32, as in PyTorch)."""
    return default_float


def set_default_dtype(dtype) -> None:
    """Set the dtype that Python floats and float lists become (float32 or float64)."""
    global default_float
    dtype = xp.dtype(dtype).type
    if dtype not in (xp.float32, xp.float64):
        raise ValueError(f"default dtype must be float32 or float64, got {xp.dtype(dtype).name}")
    default_float = dtype


DEVICE = "cpu"


def is_device(spec) -> bool:
    """Whether ``spec`` names a device (``"cpu"``, ``"cuda"``, ``"cuda:0"``) not a dtype."""
    return isinstance(spec, str) and spec.split(":")[0] in ("cpu", "cuda", "gpu", "mps")


def check_device(device) -> str:
    """The backend's device for ``device``; anything but the CPU is refused clearly
    (concept T-DEVICE: the NumPy backend runs on the CPU; a CuPy backend would make
    ``"cuda"`` valid here and nowhere else)."""
    name = str(device).split(":")[0]
    if name != DEVICE:
        raise RuntimeError(
            f"device {device!r} is not available: this gradkit build computes with NumPy on "
            f"the CPU (valid devices: ['{DEVICE}'])."
        )
    return DEVICE


def set_default_device(device) -> None:
    """``torch.set_default_device``: only the CPU (or None, the default) is accepted."""
    if device is not None:
        check_device(device)


def as_array(value, dtype=None):
    """Convert ``value`` to an array: Python floats and lists of floats take the default
    float dtype, NumPy arrays keep theirs (like ``torch.tensor`` / ``torch.from_numpy``)."""
    if dtype is not None:
        return xp.asarray(value, dtype=dtype)
    if isinstance(value, xp.ndarray):
        return value
    arr = xp.asarray(value)
    if arr.dtype == xp.float64 and not isinstance(value, xp.generic):
        arr = arr.astype(default_float)
    return arr


# ---------------------------------------------------------------- freed memory
# Training allocates and frees the same multi-megabyte arrays every step. glibc serves
# arrays above its mmap threshold with fresh mappings and trims freed memory at the top
# of the heap, so each step pays page faults again (1,760 per transformer benchmark step,
# about 7 MB of pages to zero). Serving arrays up to 32 MB from the heap and keeping up
# to 64 MB of it free removes them; ``GRADKIT_KEEP_FREED_MEMORY=0`` leaves malloc alone.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (glibc malloc.h)
MMAP_THRESHOLD, TRIM_THRESHOLD = 32 << 20, 64 << 20


def keep_freed_memory() -> bool:
    """Tell glibc's malloc to reuse freed large blocks instead of returning them to the
    system (``mallopt``); True if it took effect (Linux with glibc), else False."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library Python itself runs on
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


if os.environ.get("GRADKIT_KEEP_FREED_MEMORY", "1") != "0":
    keep_freed_memory()


# ---------------------------------------------------------------- sums along an axis
# NumPy reduces a C-ordered matrix over many short rows (or down its columns) several
# times slower than BLAS multiplies it by a vector of ones (2048×384 float32 column sums:
# 168 µs vs 61 µs on the benchmark machine).
def row_sums(a):
    """Σ_j a[i, j] for each row of a 2-D array, as the product a · 1."""
    return a @ xp.ones(a.shape[1], dtype=a.dtype)


def column_sums(a):
    """Σ_i a[i, j] for each column of a 2-D array, as the product 1ᵀ · a."""
    return xp.ones(a.shape[0], dtype=a.dtype) @ a


# ---------------------------------------------------------------- scratch buffers
# Fused ops (convolution, pooling, LSTM) write their large temporaries into reused
# memory: on the benchmark machine a fresh multi-megabyte array costs about four times
# the time of filling memory that is already mapped (page faults).
#: Reusable buffers by (shape, dtype), at most ``_SCRATCH_PER_KEY`` each and
#: ``_SCRATCH_KEYS`` keys (least recently created dropped first).
_scratch: dict[tuple, list] = {}
_SCRATCH_PER_KEY, _SCRATCH_KEYS = 4, 32


def scratch(shape, dtype):
    """An uninitialised array of ``shape`` whose memory nothing else can still see.

    A buffer is handed out again only when no array refers to it any more (its
    reference count is back to the pool's own), so keeping a result, a view of it or a
    graph holding it is always safe. Reusing memory saves the page faults of a fresh
    large array (~4× the time of filling warm memory on the benchmark machine).
    """
    key = (tuple(shape), xp.dtype(dtype).str)
    bufs = _scratch.get(key)
    if bufs is None:
        if len(_scratch) >= _SCRATCH_KEYS:
            del _scratch[next(iter(_scratch))]
        bufs = _scratch[key] = []
    for buf in bufs:
        if sys.getrefcount(buf) <= 3:  # the list, ``buf`` and getrefcount's argument
            return buf
    buf = xp.empty(shape, dtype=dtype)
    if len(bufs) < _SCRATCH_PER_KEY:
        bufs.append(buf)
    return buf


def scratch_like(a, dtype=None):
    """:func:`scratch` with ``a``'s shape and memory order (``empty_like``, order "K")."""
    order = sorted(range(a.ndim), key=lambda k: -abs(a.strides[k]))
    buf = scratch([a.shape[k] for k in order], a.dtype if dtype is None else dtype)
    return buf.transpose([order.index(k) for k in range(a.ndim)])
