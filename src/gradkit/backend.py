"""The array namespace: the one place that picks NumPy (CuPy can slot in here later).

Everything else does ``from gradkit.backend import xp`` and calls ``xp.<fn>``. The
dtypes, PyTorch's names for them and PyTorch's type-promotion rules live here too.
"""

from __future__ import annotations

import ctypes
import operator
import os
import sys

import numpy as xp

default_float = xp.float32


def get_default_dtype():
    """The dtype that Python floats and float lists become (float32, as in PyTorch)."""
    return default_float


def set_default_dtype(dtype) -> None:
    """Set the dtype that Python floats and float lists become (float16, float32 or
    float64), as ``torch.set_default_dtype``."""
    global default_float
    dtype = to_dtype(dtype).type
    if dtype not in (xp.float16, xp.float32, xp.float64):
        raise TypeError(
            "only floating-point types are supported as the default type (float16, float32 or "
            f"float64), got {xp.dtype(dtype).name}"
        )
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
    :class:`device`, or an object with a ``.type`` string such as ``torch.device``)
    rather than a dtype."""
    if not isinstance(spec, str):
        spec = getattr(spec, "type", None)
        if not isinstance(spec, str):
            return False
    return spec.split(":")[0] in ("gpu", *DEVICE_TYPES)


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


def parse_shape(shape: tuple, size=None) -> tuple[int, ...]:
    """A shape given PyTorch's ways: varargs ``(2, 3)``, one tuple or list ``((2, 3),)``,
    or ``size=``; negative sizes are refused."""
    if size is not None:
        if shape:
            raise TypeError("give the shape either as arguments or as size=, not both")
        shape = (size,)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        out = tuple(operator.index(s) for s in shape)  # 2.5 is refused, not truncated
    except TypeError:
        raise TypeError(f"the shape must be ints or a tuple of ints, got {shape!r}") from None
    if any(s < 0 for s in out):
        raise ValueError(f"negative dimension in shape {out}: sizes must be >= 0")
    return out


def as_array(value, dtype=None):
    """Convert ``value`` to an array: Python floats and lists of floats take the default
    float dtype, Python complex numbers the matching complex one (complex64 beside
    float32), NumPy arrays keep theirs (like ``torch.tensor`` / ``torch.from_numpy``)."""
    try:
        if dtype is not None:
            arr = xp.asarray(value, dtype=to_dtype(dtype))
        elif isinstance(value, xp.ndarray):
            arr = value
        else:
            arr = xp.asarray(value)
            if not isinstance(value, xp.generic):  # Python numbers: the default types
                if arr.dtype == xp.float64:
                    arr = arr.astype(default_float)
                elif arr.dtype == xp.complex128 and default_float is not xp.float64:
                    arr = arr.astype(xp.complex64)
    except ValueError as exc:
        if "inhomogeneous" in str(exc):
            raise ValueError(
                "can't make a tensor from a ragged nested sequence: every row at the same "
                f"depth must have the same length ({exc})"
            ) from None
        raise
    if arr.dtype.kind not in "biufc":
        raise TypeError(
            f"can't make a tensor of {arr.dtype} values ({type(value).__name__} given): "
            "tensors hold numbers or booleans"
        )
    return arr


# ---------------------------------------------------------------- dtypes and promotion
# The dtypes of the NumPy backend under PyTorch's names. NumPy has no bfloat16.
float16, float32, float64 = xp.float16, xp.float32, xp.float64
int8, int16, int32, int64, uint8, bool_ = xp.int8, xp.int16, xp.int32, xp.int64, xp.uint8, xp.bool_

#: ``torch.<name>`` → dtype, for strings such as ``"torch.float32"`` or ``"torch.long"``
TORCH_NAMES = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int64": int64, "long": int64, "int32": int32,
    "int": int32, "int16": int16, "short": int16, "int8": int8, "uint8": uint8,
    "bool": bool_, "complex64": xp.complex64, "cfloat": xp.complex64,
    "complex128": xp.complex128, "cdouble": xp.complex128,
}  # fmt: skip

#: dtype → the legacy tensor type name ``Tensor.type()`` returns, as in PyTorch
TENSOR_TYPES = {
    xp.dtype(float32): "torch.FloatTensor", xp.dtype(float64): "torch.DoubleTensor",
    xp.dtype(float16): "torch.HalfTensor", xp.dtype(int64): "torch.LongTensor",
    xp.dtype(int32): "torch.IntTensor", xp.dtype(int16): "torch.ShortTensor",
    xp.dtype(int8): "torch.CharTensor", xp.dtype(uint8): "torch.ByteTensor",
    xp.dtype(bool_): "torch.BoolTensor", xp.dtype(xp.complex64): "torch.ComplexFloatTensor",
    xp.dtype(xp.complex128): "torch.ComplexDoubleTensor",
}  # fmt: skip
_BY_TYPE_NAME = {name: dtype for dtype, name in TENSOR_TYPES.items()}


def no_bfloat16() -> TypeError:
    """The error for a request of bfloat16, which the NumPy backend cannot hold."""
    return TypeError(
        "bfloat16 is not available: NumPy has no bfloat16 type. Use float16 (gradkit.half) "
        "for half precision or float32 (the default)."
    )


def to_dtype(spec) -> xp.dtype:
    """The NumPy dtype for ``spec``: a gradkit/NumPy dtype, a Python type (``float`` is
    float64, ``int`` int64, as in PyTorch), a NumPy name (``"float32"``), a PyTorch name
    (``"torch.long"``, ``"torch.FloatTensor"``) or a ``torch.dtype`` object."""
    if isinstance(spec, xp.dtype):
        return spec
    name = spec if isinstance(spec, str) else None
    if name is None and type(spec).__module__ == "torch":  # a torch.dtype passed through
        name = str(spec)
    if name is not None:
        if "bfloat16" in name.lower() or name.endswith("BFloat16Tensor"):
            raise no_bfloat16()
        if name.startswith("torch."):
            found = TORCH_NAMES.get(name[6:], _BY_TYPE_NAME.get(name))
            if found is None:
                raise TypeError(f"unknown dtype {name!r}; the dtypes are {_DTYPE_LIST}")
            return xp.dtype(found)
    try:
        return xp.dtype(spec)
    except TypeError:
        raise TypeError(f"{spec!r} is not a dtype; the dtypes are {_DTYPE_LIST}") from None


_DTYPE_LIST = (
    "gradkit.float32 (float), float64 (double), float16 (half), int64 (long), int32 (int), "
    "int16 (short), int8, uint8, bool"
)

# bool < integers < floating point < complex: PyTorch's categories
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(type1, type2) -> xp.dtype:
    """The smallest dtype both can be converted to without leaving the higher category
    (``torch.promote_types``): int64 with float16 gives float16, unlike NumPy's float64;
    within a category it is NumPy's rule (uint8 with int8 gives int16)."""
    a, b = to_dtype(type1), to_dtype(type2)
    if a is b:
        return a
    ka, kb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ka == kb or ka + kb == 5:  # same category, or complex with floating point
        return xp.promote_types(a, b)
    return a if ka > kb else b


def _combine(higher, lower):
    """PyTorch's ``combine_categories``: ``higher`` (the dtype of the operands of higher
    priority) wins unless ``lower`` belongs to a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    kh, kl = _CATEGORY[higher.kind], _CATEGORY[lower.kind]
    if kh == 3:
        return higher
    if kl == 3:
        return xp.result_type(higher, xp.complex64) if kh == 2 else lower
    if kh == 2:
        return higher
    if kh == 0 or kl == 2:
        return promote_types(higher, lower)
    return higher


def _scalar_dtype(value) -> xp.dtype:
    """The dtype a Python or NumPy scalar takes in an op (PyTorch's wrapped numbers)."""
    if isinstance(value, (bool, xp.bool_)):
        return xp.dtype(bool_)
    if isinstance(value, (int, xp.integer)):
        return xp.dtype(int64)
    if isinstance(value, (float, xp.floating)):
        return xp.dtype(default_float)
    return xp.dtype(xp.complex64 if default_float is not xp.float64 else xp.complex128)


def result_type(*operands) -> xp.dtype:
    """The dtype of an op on ``operands`` under PyTorch's promotion rules
    (``torch.result_type``).

    Operands are tensors (or arrays) and Python or NumPy scalars, in three tiers: tensors
    with dimensions, 0-d tensors, scalars. The tensors with dimensions decide the dtype;
    a lower tier changes it only if it holds a higher category (bool < integer <
    floating point < complex), and a float scalar then counts as the default dtype. So
    ``int64 tensor + 0.5`` is float32, ``float32 tensor + float64 0-d tensor`` is
    float32, ``int32 tensor * 2`` stays int32 and ``int64 tensor / int64 tensor`` is an
    operation on int64 (true division converts to float separately).

    Examples
    --------
    >>> result_type(xp.zeros(2, xp.int64), 0.5).name
    'float32'
    >>> result_type(xp.zeros(2, xp.float32), xp.zeros((), xp.float64)).name
    'float32'
    """
    tiers = [None, None, None]  # with dimensions, 0-d, scalars
    for x in operands:
        dtype = getattr(x, "dtype", None)
        if dtype is None or isinstance(x, xp.generic):
            if isinstance(x, (list, tuple)):
                dtype, tier = as_array(x).dtype, 0
            else:
                dtype, tier = _scalar_dtype(x), 2
        else:
            dtype, tier = to_dtype(dtype), 0 if x.ndim else 1
        prev = tiers[tier]
        tiers[tier] = dtype if prev is None else promote_types(prev, dtype)
    if all(t is None for t in tiers):
        raise TypeError("result_type needs at least one tensor or scalar")
    return _combine(tiers[0], _combine(tiers[1], tiers[2]))


def is_floating_point(tensor) -> bool:
    """Whether the tensor's dtype is a floating-point type (float16, float32, float64)."""
    return xp.dtype(tensor.dtype).kind == "f"


class finfo:
    """Limits of a floating-point dtype (``torch.finfo``; the default dtype when None).

    Attributes: ``bits``, ``eps`` (1.0's distance to the next value), ``max``, ``min``,
    ``tiny`` = ``smallest_normal``, ``resolution`` (10^−digits) and ``dtype`` (its name),
    all Python numbers.
    """

    def __init__(self, dtype=None) -> None:
        dtype = to_dtype(default_float if dtype is None else dtype)
        if dtype.kind not in "fc":
            raise TypeError(f"finfo needs a floating point dtype, got {dtype.name}; use iinfo")
        info = xp.finfo(dtype)
        self.bits = int(info.bits)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = info.dtype.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
            f"tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype (``torch.iinfo``): ``bits``, ``min``, ``max``,
    ``dtype`` (its name)."""

    def __init__(self, dtype) -> None:
        dtype = to_dtype(dtype)
        if dtype.kind not in "iu":
            raise TypeError(f"iinfo needs an integer dtype, got {dtype.name}; use finfo")
        info = xp.iinfo(dtype)
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


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


def matmul2d(a, b):
    """a @ b for 2-D arrays (m, k) @ (k, n), with k = 1 sent to BLAS.

    NumPy's ``matmul`` runs its own unblocked loop when the inner size is 1 (an outer
    product: the weight gradient of a batch-1 step), measured 7× slower than ``dot``,
    which calls BLAS for every size.
    """
    return xp.dot(a, b) if a.shape[1] == 1 else a @ b


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
