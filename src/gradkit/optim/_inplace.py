"""In-place vector updates for the optimizers, through BLAS where it applies.

``y ← y + α x`` and ``x ← α x`` are one pass over memory each as BLAS ``?axpy`` and
``?scal`` (multithreaded for long vectors), where the NumPy spelling ``y += α * x``
takes two passes and a temporary. Other dtypes and non-contiguous arrays take the
NumPy path.
"""

from __future__ import annotations

import numpy as np

_BLAS: dict = {}


def _routine(kind: str, dtype: np.dtype):
    """SciPy's BLAS routine ``kind`` ('axpy' or 'scal') for float32/float64, or None.
    SciPy is imported on first use so that ``import gradkit`` stays NumPy-only."""
    key = (kind, dtype)
    if key not in _BLAS:
        prefix = {np.dtype(np.float32): "s", np.dtype(np.float64): "d"}.get(np.dtype(dtype))
        if prefix is None:
            _BLAS[key] = None
        else:
            from scipy.linalg import blas

            _BLAS[key] = getattr(blas, prefix + kind)
    return _BLAS[key]


def _flat(a: np.ndarray) -> np.ndarray | None:
    """A 1-D view of ``a`` sharing its memory, or None when there is none."""
    if not isinstance(a, np.ndarray) or not a.flags.c_contiguous:
        return None
    return a.reshape(-1)


def axpy_(y: np.ndarray, x: np.ndarray, alpha: float) -> np.ndarray:
    """y ← y + α x in place (same shape and dtype)."""
    fn = _routine("axpy", y.dtype) if x.dtype == y.dtype else None
    yf, xf = _flat(y), _flat(x)
    if fn is None or yf is None or xf is None or y.shape != x.shape:
        y += alpha * x
    elif y.size:
        fn(xf, yf, a=alpha)
    return y


def scale_(x: np.ndarray, alpha: float) -> np.ndarray:
    """x ← α x in place."""
    fn = _routine("scal", x.dtype)
    xf = _flat(x)
    if fn is None or xf is None:
        x *= alpha
    elif x.size:
        fn(alpha, xf)
    return x
