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


#: Device types PyTorch's ``torch.device`` knows (it refuses any other string).
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip


class device(str):  # noqa: N801 - PyTorch's name
    """A device, as ``torch.device``: ``device("cpu")``, ``device("cuda:0")``,
    ``device("cuda", 0)``, ``device(type="cpu")``.

    It only names a place; using a device other than the CPU (``t.to(device)``,
    ``zeros(..., device=d)``) raises a clear error, since this backend computes with
    NumPy on the CPU. ``.type`` and ``.index`` (None when not given) as in PyTorch;
    ``str(d)`` is ``"cpu"`` or ``"cuda:0"``. A device *is* its string (a ``str``
    subclass), so everything that takes ``"cpu"`` takes ``device("cpu")``, and
    ``device("cpu") == "cpu"`` is True (PyTorch says False there, comparing only
    devices with devices).

    Examples
    --------
    >>> d = device("cuda", 1)
    >>> d, d.type, d.index, str(d)
    (device(type='cuda', index=1), 'cuda', 1, 'cuda:1')
    >>> device("cpu") == device("cpu")
    True
    """

    type: str
    index: int | None

    def __new__(cls, type: str | device, index: int | None = None) -> device:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(device) takes no index")
            return type
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            raise RuntimeError(
                f"device({type}) means accelerator {type}, and there is none: this "
                "gradkit computes with NumPy on the CPU; use device('cpu')"
            )
        if not isinstance(type, str):
            raise TypeError(f"device() takes a string such as 'cpu' or 'cuda:0', got {type!r}")
        kind, sep, number = type.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was passed "
                    f"explicitly: {type}"
                )
            if not number.isdigit() or (len(number) > 1 and number[0] == "0"):
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(number)
        if kind not in DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device "
                f"string: {type}"
            )
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int | xp.integer):
                raise TypeError(f"device index must be an int, got {index!r}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            index = int(index)
        self = super().__new__(cls, kind if index is None else f"{kind}:{index}")
        self.type, self.index = kind, index
        return self

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return device, (self.type, self.index)

    def __enter__(self) -> device:
        """``with device("cpu"):`` (PyTorch's default-device context): the CPU is already
        the default, so it only checks that the device is available."""
        check_device(self)
        return self

    def __exit__(self, *exc) -> None:
        return None


DEVICE = device("cpu")


def is_device(spec) -> bool:
    """Whether ``spec`` names a device (``"cpu"``, ``"cuda"``, ``"cuda:0"``, a
    :class:`device`) rather than a dtype."""
    return isinstance(spec, str) and spec.split(":")[0] in ("gpu", *DEVICE_TYPES)


def check_device(device) -> str:
    """The backend's device for ``device`` (a string or a :class:`device`); anything but
    the CPU is refused clearly (concept T-DEVICE: the NumPy backend runs on the CPU; a
    CuPy backend would make ``"cuda"`` valid here and nowhere else)."""
    name = str(device).split(":")[0]
    if name != DEVICE:
        gpu = name in ("cuda", "gpu", "hip")
        raise RuntimeError(
            f"device {str(device)!r} is not available: this gradkit build computes with NumPy "
            f"on the CPU{' and has no CUDA GPU' if gpu else ''} (valid devices: ['{DEVICE}']). "
            "Stay on the CPU with device='cpu', or pick it as PyTorch programs do: "
            "device = 'cuda' if torch.cuda.is_available() else 'cpu'."
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
