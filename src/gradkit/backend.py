"""The array namespace: the one place that picks NumPy (CuPy can slot in here later).

Everything else does ``from gradkit.backend import xp`` and calls ``xp.<fn>``.
"""

from __future__ import annotations

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
