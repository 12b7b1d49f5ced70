"""NumPy's own OpenBLAS, reached through ctypes: its thread count and the level-1
update ``y ← α x + β y`` that NumPy has no single call for.

NumPy's wheels bundle an OpenBLAS (``scipy_openblas64_``) for every matrix product;
:mod:`gradkit.threads` steers its threads and the optimizers use :func:`axpby` for
their in-place updates. Going through NumPy's copy rather than ``scipy.linalg.blas``
keeps one BLAS thread pool in the process: SciPy bundles a second OpenBLAS whose
worker threads would spin beside NumPy's after every call.

Where NumPy is built against another BLAS (conda's MKL, Apple's Accelerate) the
handles are ``None`` and :func:`axpby` computes the same update with ufuncs.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

# A ctypes call plus the two array addresses costs ~5 µs, a ufunc pass over 4096
# floats ~1 µs: BLAS pays off only on larger arrays.
_MIN_BLAS_SIZE = 16384

_lib = None
_searched = False
_symbols: dict[str, object] = {}


def _library():
    """NumPy's bundled OpenBLAS as a ctypes library (already loaded, so the same copy),
    or None."""
    global _lib, _searched
    if not _searched:
        _searched = True
        base = os.path.dirname(np.__file__)
        patterns = (
            os.path.join(base, "..", "numpy.libs", "*openblas*"),  # Linux and Windows wheels
            os.path.join(base, ".dylibs", "*openblas*"),  # macOS wheels
        )
        for pattern in patterns:
            for path in sorted(glob.glob(pattern)):
                try:
                    lib = ctypes.CDLL(path)
                except OSError:
                    continue
                if _lookup(lib, "openblas_get_num_threads") is not None:
                    _lib = lib
                    return _lib
    return _lib


def _lookup(lib, name: str):
    """``name`` under the prefixes and suffixes OpenBLAS builds use, and the C type of
    its BLAS integers: 64-bit in the ``64_``-suffixed (ILP64) builds NumPy ships."""
    for prefix in ("scipy_", ""):
        for suffix, blasint in (("64_", ctypes.c_int64), ("", ctypes.c_int)):
            fn = getattr(lib, f"{prefix}{name}{suffix}", None)
            if fn is not None:
                return fn, blasint
    return None


def symbol(name: str, restype, argtypes):
    """The OpenBLAS function ``name`` (e.g. ``"cblas_saxpby"``) with its signature set,
    or None without a bundled OpenBLAS. ``argtypes`` may name ``"blasint"`` for the
    build's BLAS integer type."""
    if name not in _symbols:
        lib = _library()
        found = None if lib is None else _lookup(lib, name)
        fn = None
        if found is not None:
            fn, blasint = found
            fn.restype = restype
            fn.argtypes = [blasint if a == "blasint" else a for a in argtypes]
        _symbols[name] = fn
    return _symbols[name]


def _axpby_routine(dtype):
    """cblas_{s,d}axpby(n, α, x, incx, β, y, incy) for float32/float64, else None."""
    if dtype == np.float32:
        name, scalar = "cblas_saxpby", ctypes.c_float
    elif dtype == np.float64:
        name, scalar = "cblas_daxpby", ctypes.c_double
    else:
        return None
    n, ptr = "blasint", ctypes.c_void_p
    return symbol(name, None, [n, scalar, ptr, n, scalar, ptr, n])


def axpby(alpha: float, x, beta: float, y, tmp=None):
    """y ← α x + β y in place, one pass through OpenBLAS for large contiguous arrays of
    the same float dtype (three ufunc passes otherwise). ``tmp``, shaped like ``y``, is
    scratch for the ufunc path. Returns ``y``."""
    if (
        y.size >= _MIN_BLAS_SIZE
        and x.dtype == y.dtype
        and x.shape == y.shape
        and x.flags.c_contiguous
        and y.flags.c_contiguous
    ):
        routine = _axpby_routine(y.dtype)
        if routine is not None:
            routine(y.size, alpha, x.ctypes.data, 1, beta, y.ctypes.data, 1)
            return y
    if beta != 1:
        y *= beta
    if alpha == 1:
        y += x
    else:
        y += np.multiply(x, alpha, out=tmp)
    return y
