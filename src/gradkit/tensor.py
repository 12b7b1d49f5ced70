"""Tensor: an array that records the ops applied to it (concept T-TENSOR).

The engine (Function, Node, the backward walk, version counters) is in
:mod:`gradkit.autograd.function`; this file gives the tensor its attributes and its
methods, gathered in one explicit table from the op modules below (PyTorch names and
keywords). The op modules import only the engine, so there is no import circle.
"""

from __future__ import annotations

import weakref

from gradkit import _printing
from gradkit import backend as _be  # issue 16 slice C
from gradkit._printing import format_array
from gradkit.autograd import function as _engine
from gradkit.autograd.function import (
    Context,
    Function,
    Node,
    TensorBase,
    new_tensor,
    unbroadcast,
    version_of,
)
from gradkit.autograd.grad import backward as _backward
from gradkit.autograd.grad_mode import (
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from gradkit.autograd.grad_mode import state as _mode
from gradkit.backend import DEVICE, as_array, check_device, is_device, xp
from gradkit.ops import elementwise as _ew
from gradkit.ops import inplace as _ip
from gradkit.ops import interop as _interop
from gradkit.ops import linalg as _linalg
from gradkit.ops import logical as _logic  # issue 16 slice C
from gradkit.ops import math as _math  # issue 16 slice C
from gradkit.ops import nn as _nnops
from gradkit.ops import reduce as _red
from gradkit.ops import rounding as _rnd  # issue 16 slice C
from gradkit.ops import sampling as _smp  # issue 16 slice C
from gradkit.ops import shape as _shape

__all__ = [
    "Context", "Function", "Node", "Tensor", "enable_grad", "is_grad_enabled", "no_grad",
    "set_grad_enabled", "unbroadcast",
]  # fmt: skip

# issue 16 slice A: reductions, sorting, scans, gathers/scatters;
# slice B: shape ops, indexing rules, linear algebra
from gradkit.ops import decomp as _decomp  # noqa: E402
from gradkit.ops import diagonals as _diagonal  # noqa: E402
from gradkit.ops import index as _index  # noqa: E402
from gradkit.ops import index_inplace as _index_ip  # noqa: E402
from gradkit.ops import layout as _layout  # noqa: E402
from gradkit.ops import norms as _norms  # noqa: E402
from gradkit.ops import order as _order  # noqa: E402
from gradkit.ops import products as _products  # noqa: E402
from gradkit.ops import scan as _scan  # noqa: E402


class _Size(int):
    """Element count that is also callable like ``torch.Tensor.size(dim=None)``."""

    def __new__(cls, count: int, shape: tuple[int, ...]):
        obj = super().__new__(cls, count)
        obj._shape = shape
        return obj

    def __call__(self, dim: int | None = None):
        return self._shape if dim is None else self._shape[dim]


class _RetainGrad:
    """The hook ``retain_grad()`` puts on a non-leaf: keep its gradient in ``.grad``."""

    def __init__(self, tensor) -> None:
        self.tensor = weakref.ref(tensor)

    def __call__(self, g):
        t = self.tensor()
        if t is not None:
            if _mode.enabled:  # create_graph: keep the graph of the gradient
                t.grad = g if t.grad is None else t.grad + g
            else:
                t.grad = new_tensor(g._data.copy()) if t.grad is None else t.grad + g
        return None


class _Handle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook) -> None:
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


class Tensor(TensorBase, concrete=True):
    """An n-dimensional array that can record the ops applied to it (concept T-TENSOR).

    Parameters
    ----------
    data : array_like
        Python floats and float lists become ``float32`` (the default dtype); NumPy
        arrays keep their dtype.
    requires_grad : bool
        Record ops on this tensor and accumulate ``d(output)/d(self)`` into ``.grad``.
    dtype : optional
        Convert the data to this dtype.

    In-place ops (``add_``, ``-=``, ``x[i] = v``, ...) follow PyTorch: under ``no_grad``
    they change storage; while recording, they are differentiable on non-leaf tensors
    and refused on leaves that require grad; every one bumps the version counter that
    backward checks. ``._data`` is a detached tensor sharing storage, whose changes are
    not tracked; ``detach()`` shares storage and version counter.

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __array_priority__ = 1000

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        if isinstance(data, TensorBase):
            data = data._data
        self._data = as_array(data, dtype)
        self._node = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def data(self) -> Tensor:
        """A detached tensor sharing this one's storage; its in-place changes are not
        seen by autograd (it has its own version counter), as in PyTorch."""
        out = new_tensor(self._data)
        out._untracked = True
        return out

    @data.setter
    def data(self, value) -> None:
        array = value._data if isinstance(value, TensorBase) else as_array(value)
        self._data = array

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        """Number of elements; ``t.size()`` also returns the shape, as in PyTorch."""
        return _Size(self._data.size, self._data.shape)

    def numel(self) -> int:
        return self._data.size

    def dim(self) -> int:
        return self._data.ndim

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        node = self._node
        return node.node if isinstance(node, _engine.OutputOf) else node

    @property
    def _version(self) -> int:
        return 0 if self._vbox is None else self._vbox.value

    def item(self):
        if self._data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, got shape {self.shape}"
            )
        return self._data.item()

    def numpy(self):
        """The underlying array (shared, not copied). Refuses tensors that require grad."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a tensor that requires grad; use detach().numpy()."
            )
        return self._data

    def tolist(self):
        return self._data.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"The truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()."
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        return int(self._data.__index__())

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    def __repr__(self) -> str:
        """PyTorch's layout: an empty tensor prints ``[]`` with its size unless it is
        (0,) and its dtype unless it is the default float type; any other tensor names
        its dtype unless it is the default float (or complex) type, int64 or bool."""
        data = self._data
        default = xp.dtype(_be.get_default_dtype())
        extras = []
        if data.size == 0:
            body = "[]"
            if data.ndim != 1:
                extras.append(f"size={tuple(data.shape)}")
            if data.dtype != default:
                extras.append(f"dtype={data.dtype.name}")
        else:
            body = format_array(data)
            default_complex = xp.complex128 if default == xp.float64 else xp.complex64
            if data.dtype not in (default, default_complex, xp.int64, xp.bool_):
                extras.append(f"dtype={data.dtype.name}")
        if self._node is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return _printing.add_suffixes("tensor(" + body, extras, len("tensor("))

    # ------------------------------------------------------------------ NumPy interop
    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:
            raise RuntimeError(
                "Can't convert a tensor that requires grad to a NumPy array (the graph would "
                "be dropped); use t.detach().numpy()."
            )
        array = xp.asarray(self._data)
        return array if dtype is None else array.astype(dtype)

    __array_ufunc__ = _interop.array_ufunc
    __array_function__ = _interop.array_function

    # ------------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_() can only change leaf tensors; use detach() for a new leaf."
            )
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Only floating point tensors can require gradients, got {self._data.dtype}."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new leaf sharing storage and version counter, cut from the graph."""
        out = new_tensor(self._data)
        out._vbox = version_of(self)
        return out

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place (it becomes a leaf)."""
        self._node = None
        self.requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._node is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
            return
        if not self._retains_grad:
            hook = _RetainGrad(self)
            self._node._hook_list().append(hook)
            self._retains_grad = hook

    @property
    def retains_grad(self) -> bool:
        return bool(self._retains_grad)

    def register_hook(self, hook) -> _Handle:
        """Call ``hook(grad)`` with the gradient w.r.t. this tensor during backward; a
        returned tensor replaces the gradient. Returns a handle with ``remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._node is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            hooks = self._node._hook_list()
        hooks.append(hook)
        return _Handle(hooks, hook)

    def backward(
        self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False,
        inputs=None,
    ) -> None:  # fmt: skip
        """Accumulate d(self)/d(leaf) · gradient into every leaf's ``.grad``.

        ``gradient`` defaults to 1 for a one-element tensor. The graph's saved values are
        freed afterwards unless ``retain_graph`` (default: ``create_graph``).
        ``create_graph=True`` records the backward pass, so ``.grad`` can be
        differentiated again. ``inputs`` limits accumulation to those tensors.
        """
        _backward([self], [gradient], retain_graph, create_graph, inputs)

    # ------------------------------------------------------------------ dtype and device
    def astype(self, dtype, copy: bool = True) -> Tensor:
        """Converted to ``dtype`` (differentiable between float dtypes)."""
        dtype = _be.to_dtype(dtype)
        if dtype == self._data.dtype:
            return self
        if dtype.kind == "f" and self._data.dtype.kind == "f":
            return _ew.Cast.apply(self, dtype=dtype)
        return Tensor(self._data.astype(dtype))

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, the PyTorch tensor type name (``"torch.FloatTensor"``);
        with a dtype or such a name, the tensor converted to it."""
        if dtype is None:
            return _be.TENSOR_TYPES.get(self._data.dtype, f"torch.{self._data.dtype.name}")
        return self.astype(dtype)

    @property
    def device(self) -> str:
        """Where the data lives: always ``"cpu"`` with the NumPy backend."""
        return DEVICE

    def to(self, *args, **kwargs) -> Tensor:
        """Convert to a dtype and/or move to a device, as ``torch.Tensor.to``:
        ``t.to(dtype)``, ``t.to(device)``, ``t.to(device, dtype)``, ``t.to(other)`` (other's
        dtype and device), keywords ``dtype=``, ``device=``, ``copy=`` (always a new
        tensor) and ``non_blocking=`` (accepted)."""
        dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        flags = []
        for arg in args:
            if isinstance(arg, TensorBase):
                dtype = arg._data.dtype
            elif isinstance(arg, bool):
                flags.append(arg)  # to(dtype, non_blocking, copy)
            elif is_device(arg):
                device = arg
            elif arg is not None:
                dtype = arg
        copy = copy or (len(flags) > 1 and flags[1])
        if device is not None:
            check_device(device)
        out = self if dtype is None else self.astype(dtype)
        return _ew.Clone.apply(out) if copy and out is self else out

    def cpu(self) -> Tensor:
        return self

    def float(self) -> Tensor:
        return self.astype(xp.float32)

    def double(self) -> Tensor:
        return self.astype(xp.float64)

    def half(self) -> Tensor:
        return self.astype(xp.float16)

    def bfloat16(self) -> Tensor:
        raise _be.no_bfloat16()

    def long(self) -> Tensor:
        return self.astype(xp.int64)

    def int(self) -> Tensor:
        return self.astype(xp.int32)

    def short(self) -> Tensor:
        return self.astype(xp.int16)

    def char(self) -> Tensor:
        return self.astype(xp.int8)

    def byte(self) -> Tensor:
        return self.astype(xp.uint8)

    def bool(self) -> Tensor:
        return self.astype(xp.bool_)

    def clone(self) -> Tensor:
        """A copy with its own storage, differentiable (gradient flows back unchanged)."""
        return _ew.Clone.apply(self)

    # ------------------------------------------------------------------ operators
    __add__ = _ew.add
    __radd__ = _ew.radd
    __sub__ = _ew.sub
    __rsub__ = _ew.rsub
    __mul__ = _ew.mul
    __rmul__ = _ew.rmul
    __truediv__ = _ew.div
    __rtruediv__ = _ew.rdiv
    __mod__ = _ew.remainder
    __rmod__ = _ew.rremainder
    __floordiv__ = _ew.floor_divide
    __rfloordiv__ = _ew.rfloor_divide
    __pow__ = _ew.pow
    __rpow__ = _ew.rpow
    __matmul__ = _linalg.matmul
    __rmatmul__ = _linalg.rmatmul
    __neg__ = _ew.neg
    __abs__ = _ew.abs
    __getitem__ = _shape.getitem
    __eq__ = _ew.eq
    __ne__ = _ew.ne
    __lt__ = _ew.lt
    __le__ = _ew.le
    __gt__ = _ew.gt
    __ge__ = _ew.ge

    def __pos__(self) -> Tensor:
        return self

    # in place (PyTorch semantics: see the class docstring)
    __iadd__ = _ip.iadd
    __isub__ = _ip.isub
    __imul__ = _ip.imul
    __itruediv__ = _ip.itruediv
    __ipow__ = _ip.ipow
    __setitem__ = _ip.setitem
    add_ = _ip.add_
    sub_ = _ip.sub_
    mul_ = _ip.mul_
    div_ = _ip.div_
    pow_ = _ip.pow_
    neg_ = _ip.neg_
    abs_ = _ip.abs_
    exp_ = _ip.exp_
    log_ = _ip.log_
    log1p_ = _ip.log1p_
    sqrt_ = _ip.sqrt_
    sin_ = _ip.sin_
    cos_ = _ip.cos_
    tanh_ = _ip.tanh_
    sigmoid_ = _ip.sigmoid_
    relu_ = _ip.relu_
    reciprocal_ = _ip.reciprocal_
    clamp_ = _ip.clamp_
    clip_ = _ip.clamp_
    addcmul_ = _ip.addcmul_
    addcdiv_ = _ip.addcdiv_
    lerp_ = _ip.lerp_
    floor_ = _ip.floor_
    ceil_ = _ip.ceil_
    round_ = _ip.round_
    trunc_ = _ip.trunc_
    sign_ = _ip.sign_
    zero_ = _ip.zero_
    fill_ = _ip.fill_
    copy_ = _ip.copy_
    masked_fill_ = _ip.masked_fill_
    uniform_ = _ip.uniform_
    normal_ = _ip.normal_
    bernoulli_ = _ip.bernoulli_
    exponential_ = _ip.exponential_

    # element-wise
    add = _ew.add
    sub = _ew.sub
    mul = _ew.mul
    div = _ew.div
    pow = _ew.pow
    neg = _ew.neg
    exp = _ew.exp
    log = _ew.log
    log1p = _ew.log1p
    sqrt = _ew.sqrt
    abs = _ew.abs
    sin = _ew.sin
    cos = _ew.cos
    sigmoid = _ew.sigmoid
    tanh = _ew.tanh
    relu = _ew.relu
    remainder = _ew.remainder
    floor_divide = _ew.floor_divide
    floor = _ew.floor
    ceil = _ew.ceil
    round = _ew.round
    trunc = _ew.trunc
    sign = _ew.sign
    maximum = _ew.maximum
    minimum = _ew.minimum
    clip = _ew.clip
    clamp = _ew.clip
    masked_fill = _ew.masked_fill
    matmul = _linalg.matmul

    # reductions
    sum = _red.sum
    mean = _red.mean
    var = _red.var
    std = _red.std
    logsumexp = _red.logsumexp
    argmax = _red.argmax
    argmin = _red.argmin
    softmax = _nnops.softmax
    log_softmax = _nnops.log_softmax

    # shape
    ravel = _shape.ravel
    reshape = _shape.reshape
    view = _shape.reshape
    flatten = _shape.flatten
    transpose = _shape.transpose
    permute = _shape.permute
    swapaxes = _shape.swapaxes
    expand = _shape.expand
    broadcast_to = _shape.broadcast_to
    squeeze = _shape.squeeze
    unsqueeze = _shape.unsqueeze
    split = _shape.split
    chunk = _shape.chunk
    unbind = _shape.unbind
    pad = _shape.pad

    @property
    def T(self) -> Tensor:
        return _shape.permute(self)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dims, got shape {self.shape}")
        return _shape.permute(self)

    # issue 16 slice A: reductions, sorting, scans, gathers/scatters
    max = _order.max
    min = _order.min
    all = _red.all
    any = _red.any
    amax = _red.amax
    amin = _red.amin
    aminmax = _red.aminmax
    count_nonzero = _red.count_nonzero
    nansum = _red.nansum
    nanmean = _red.nanmean
    prod = _scan.prod
    cumsum = _scan.cumsum
    cumprod = _scan.cumprod
    logcumsumexp = _scan.logcumsumexp
    sort = _order.sort
    argsort = _order.argsort
    msort = _order.msort
    topk = _order.topk
    kthvalue = _order.kthvalue
    median = _order.median
    nanmedian = _order.nanmedian
    mode = _order.mode
    gather = _index.gather
    scatter = _index.scatter
    scatter_add = _index.scatter_add
    scatter_reduce = _index.scatter_reduce
    index_select = _index.index_select
    index_add = _index.index_add
    index_copy = _index.index_copy
    index_fill = _index.index_fill
    masked_select = _index.masked_select
    masked_scatter = _index.masked_scatter
    take = _index.take
    take_along_dim = _index.take_along_dim
    nonzero = _index.nonzero
    argwhere = _index.argwhere
    scatter_ = _index_ip.scatter_
    scatter_add_ = _index_ip.scatter_add_
    scatter_reduce_ = _index_ip.scatter_reduce_
    index_add_ = _index_ip.index_add_
    index_copy_ = _index_ip.index_copy_
    index_fill_ = _index_ip.index_fill_
    masked_scatter_ = _index_ip.masked_scatter_

    # issue 16 slice B: shape ops, indexing rules, linear algebra
    repeat = _layout.repeat
    tile = _layout.tile
    repeat_interleave = _layout.repeat_interleave
    flip = _layout.flip
    fliplr = _layout.fliplr
    flipud = _layout.flipud
    roll = _layout.roll
    narrow = _layout.narrow
    unflatten = _layout.unflatten
    unfold = _layout.unfold
    view_as = _layout.view_as
    reshape_as = _layout.reshape_as
    expand_as = _layout.expand_as
    contiguous = _layout.contiguous
    movedim = _shape.movedim
    moveaxis = _shape.movedim
    swapdims = _shape.swapaxes
    tril = _diagonal.tril
    triu = _diagonal.triu
    diag = _diagonal.diag
    diagonal = _diagonal.diagonal
    diag_embed = _diagonal.diag_embed
    trace = _diagonal.trace
    outer = _products.outer
    ger = _products.outer
    kron = _products.kron
    inner = _products.inner
    dot = _products.dot
    vdot = _products.dot
    mm = _products.mm
    bmm = _products.bmm
    mv = _products.mv
    norm = _norms.tensor_norm
    det = _decomp.det
    logdet = _decomp.logdet
    slogdet = _decomp.slogdet
    inverse = _decomp.inv
    pinverse = _decomp.pinv
    matrix_power = _decomp.matrix_power

    def cholesky(self, upper: bool = False) -> Tensor:
        return _decomp.cholesky(self, upper=upper)

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The matrices in the last two dims transposed."""
        return _shape.swapaxes(self, -2, -1)

    # ------------------------------------------------------------------ issue 16 slice C:
    # element-wise math, dtypes and promotion, random draws
    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "ifc"

    def element_size(self) -> int:
        """Bytes per element (4 for float32)."""
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def type_as(self, other) -> Tensor:
        """This tensor converted to ``other``'s dtype."""
        return self.astype(other.dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` with this tensor's dtype (unless ``dtype`` is given)."""
        if isinstance(data, TensorBase):
            data = data._data
        return self._new(xp.array(data, dtype=self._new_dtype(dtype)), device, requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        shape = _be.parse_shape(size)
        return self._new(xp.zeros(shape, self._new_dtype(dtype)), device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        shape = _be.parse_shape(size)
        return self._new(xp.ones(shape, self._new_dtype(dtype)), device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        shape = _be.parse_shape(size)
        return self._new(xp.empty(shape, self._new_dtype(dtype)), device, requires_grad)

    def new_full(
        self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False
    ) -> Tensor:
        data = xp.full(_be.parse_shape((size,)), fill_value, self._new_dtype(dtype))
        return self._new(data, device, requires_grad)

    def _new_dtype(self, dtype):
        return self._data.dtype if dtype is None else _be.to_dtype(dtype)

    def _new(self, data, device, requires_grad: bool) -> Tensor:
        if device is not None:
            check_device(device)
        return Tensor(data, requires_grad)

    # math (gradkit.ops.math, gradkit.ops.rounding)
    tan = _math.tan
    atan = arctan = _math.atan
    asin = arcsin = _math.asin
    acos = arccos = _math.acos
    sinh = _math.sinh
    cosh = _math.cosh
    asinh = arcsinh = _math.asinh
    acosh = arccosh = _math.acosh
    atanh = arctanh = _math.atanh
    log2 = _math.log2
    log10 = _math.log10
    exp2 = _math.exp2
    expm1 = _math.expm1
    rsqrt = _math.rsqrt
    reciprocal = _math.reciprocal
    erf = _math.erf
    erfc = _math.erfc
    erfinv = _math.erfinv
    square = _math.square
    float_power = _math.float_power
    atan2 = arctan2 = _math.atan2
    hypot = _math.hypot
    copysign = _math.copysign
    heaviside = _math.heaviside
    lerp = _math.lerp
    addcmul = _math.addcmul
    addcdiv = _math.addcdiv
    clamp_min = _math.clamp_min
    clamp_max = _math.clamp_max
    nan_to_num = _math.nan_to_num
    frac = _rnd.frac
    fmod = _rnd.fmod
    sgn = _rnd.sgn
    true_divide = divide = _ew.div
    multiply = _ew.mul
    subtract = _ew.sub

    def clamp_min_(self, min) -> Tensor:  # noqa: A002 - torch's name
        return _ip.clamp_(self, min=min)

    def clamp_max_(self, max) -> Tensor:  # noqa: A002 - torch's name
        return _ip.clamp_(self, max=max)

    # comparisons, predicates, logical and bitwise ops (gradkit.ops.logical)
    eq = _ew.eq
    ne = not_equal = _ew.ne
    lt = less = _ew.lt
    le = less_equal = _ew.le
    gt = greater = _ew.gt
    ge = greater_equal = _ew.ge
    isnan = _logic.isnan
    isinf = _logic.isinf
    isposinf = _logic.isposinf
    isneginf = _logic.isneginf
    isfinite = _logic.isfinite
    isclose = _logic.isclose
    allclose = _logic.allclose
    equal = _logic.equal
    logical_and = _logic.logical_and
    logical_or = _logic.logical_or
    logical_xor = _logic.logical_xor
    logical_not = _logic.logical_not
    bitwise_and = _logic.bitwise_and
    bitwise_or = _logic.bitwise_or
    bitwise_xor = _logic.bitwise_xor
    bitwise_not = _logic.bitwise_not
    bitwise_left_shift = _logic.bitwise_left_shift
    bitwise_right_shift = _logic.bitwise_right_shift
    __and__, __rand__ = _logic.and_, _logic.rand
    __or__, __ror__ = _logic.or_, _logic.ror
    __xor__, __rxor__ = _logic.xor, _logic.rxor
    __lshift__, __rlshift__ = _logic.lshift, _logic.rlshift
    __rshift__, __rrshift__ = _logic.rshift, _logic.rrshift
    __invert__ = _logic.invert
    __iand__ = bitwise_and_ = _logic.bitwise_and_
    __ior__ = bitwise_or_ = _logic.bitwise_or_
    __ixor__ = bitwise_xor_ = _logic.bitwise_xor_
    __ilshift__ = bitwise_left_shift_ = _logic.bitwise_left_shift_
    __irshift__ = bitwise_right_shift_ = _logic.bitwise_right_shift_

    # random draws (gradkit.ops.sampling)
    multinomial = _smp.multinomial
    bernoulli = _smp.bernoulli_method
    random_ = _smp.random_
    geometric_ = _smp.geometric_


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)
