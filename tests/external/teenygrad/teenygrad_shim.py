"""A stand-in for the ``teenygrad`` package, so that teenygrad's own op test suite
(``test/test_ops.py``, which compares teenygrad's ``Tensor`` with PyTorch) runs against
gradkit unchanged.

``Tensor`` here is a thin adapter: it holds a ``gradkit.Tensor`` and maps each method of
teenygrad's API (``sum(axis=)``, ``max(axis=)`` returning values only, ``pad`` with
per-axis pairs, ``conv2d`` for 1-, 2- and 3-D kernels, ``cat(*others)``,
``gather(idx, dim)``, ...) onto gradkit's PyTorch-style method, function or
``nn.functional`` entry with the same meaning. It adds no arithmetic of its own, apart
from the few teenygrad ops that are one-line compositions in teenygrad itself
(``quick_gelu``) and teenygrad's own argument checks noted where they are made.

When gradkit lacks the op a case needs, the adapter raises :class:`NotApplicable`, a
pytest skip whose reason starts with ``n/a:`` and names the missing gradkit attribute;
the suite's assertions are never touched. Lists and Python numbers become tensors with
PyTorch's dtypes (ints int64, floats float32), as the suite builds the PyTorch side
from the same lists.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

GK_TENSOR = gk.Tensor


class NotApplicable(pytest.skip.Exception):
    """gradkit lacks an op the case needs (reported as a skip, reason ``n/a: <name>``)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"n/a: gradkit lacks {name}")


def need(owner, name: str, label: str):
    """``owner.name``, or :class:`NotApplicable` naming ``label`` when gradkit lacks it."""
    value = getattr(owner, name, None)
    if value is None:
        raise NotApplicable(label)
    return value


def method(name: str):
    return need(GK_TENSOR, name, f"Tensor.{name}")


def function(name: str):
    return need(gk, name, f"gradkit.{name}")


def functional(name: str):
    return need(F, name, f"nn.functional.{name}")


# ------------------------------------------------------------------ teenygrad.helpers
@cache
def getenv(key: str, default=0):
    return type(default)(os.getenv(key, default))


DEBUG = getenv("DEBUG")
IMAGE = 0
CI = os.getenv("CI", "") != ""


@dataclass(frozen=True)
class DType:
    name: str
    np: type

    def __repr__(self) -> str:
        return f"dtypes.{self.name}"


class dtypes:  # noqa: N801 - teenygrad's name
    bool = DType("bool", np.bool_)
    float16 = half = DType("half", np.float16)
    float32 = float = DType("float", np.float32)
    float64 = double = DType("double", np.float64)
    int8 = DType("char", np.int8)
    int16 = DType("short", np.int16)
    int32 = int = DType("int", np.int32)
    int64 = DType("long", np.int64)
    uint8 = DType("unsigned char", np.uint8)

    @staticmethod
    def from_np(x) -> DType:
        for d in vars(dtypes).values():
            if isinstance(d, DType) and np.dtype(d.np) == np.dtype(x):
                return d
        raise NotApplicable(f"a teenygrad dtype for {np.dtype(x)}")

    @staticmethod
    def is_float(x: DType) -> bool:
        return np.dtype(x.np).kind == "f"

    @staticmethod
    def is_int(x: DType) -> bool:
        return np.dtype(x.np).kind in "iu"


class Device:
    DEFAULT = "CPU"
    _buffers = ["CPU"]

    @staticmethod
    def canonicalize(device) -> str:
        return "CPU"


# ------------------------------------------------------------------ conversions
def unwrap(x):
    if isinstance(x, Tensor):
        return x.t
    if isinstance(x, list | tuple):
        return type(x)(unwrap(v) for v in x)
    return x


def wrap(x):
    if isinstance(x, GK_TENSOR):
        return Tensor(x)
    if isinstance(x, list | tuple):
        return [wrap(v) for v in x]
    return x


def argfix(shape, args) -> tuple:
    """teenygrad's ``f(shape, *args)``: ``f((2, 3))`` and ``f(2, 3)`` mean the same."""
    if args:
        return (shape, *args)
    return tuple(shape) if isinstance(shape, list | tuple) else (shape,)


def shape_of(shape: tuple) -> tuple:
    """teenygrad's ``zeros(2, 3)`` / ``zeros((2, 3))`` / ``zeros([])`` as one tuple."""
    if len(shape) == 1 and isinstance(shape[0], list | tuple):
        return tuple(shape[0])
    return tuple(shape)


def call(fn, label: str, *args, **kwargs):
    """``fn(*args, **kwargs)``; a keyword ``fn`` does not take is a missing feature, so
    :class:`NotApplicable` names it instead of a TypeError failing the case."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        params = None
    if params is not None and not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        for key in kwargs:
            if key not in params:
                raise NotApplicable(f"{label}({key}=)")
    return fn(*args, **kwargs)


def dims(axis):
    return tuple(axis) if isinstance(axis, list | tuple) else axis


def values_of(result):
    """A reduction's values whether gradkit returns a Tensor or (values, indices)."""
    if hasattr(result, "values") and isinstance(result.values, GK_TENSOR):
        return result.values
    if isinstance(result, tuple):
        return result[0]
    return result


def pairs_to_torch_pad(pairs, ndim: int) -> tuple:
    """teenygrad's per-axis ``((before, after), ...)`` as ``F.pad``'s last-axis-first
    flat tuple."""
    pairs = [(0, 0) if p is None else tuple(p) for p in pairs]
    pairs += [(0, 0)] * (ndim - len(pairs))
    return tuple(v for p in reversed(pairs) for v in p)


def conv_padding(padding, spatial: int):
    """teenygrad's conv ``padding``: an int, one per spatial dim (symmetric), or
    ``2 * spatial`` values in ``F.pad`` order. Returns ``(conv padding, F.pad tuple)``."""
    if isinstance(padding, int):
        if padding >= 0:
            return padding, None
        padding = [padding] * (2 * spatial)  # negative: crop, through F.pad
    padding = list(padding)
    if len(padding) == spatial:
        return tuple(padding), None
    if len(padding) != 2 * spatial:
        raise AssertionError(f"Expected padding of length {2 * spatial} or {spatial}")
    per_dim = list(zip(padding[::2], padding[1::2]))[::-1]  # first spatial dim first
    if all(a == b and a >= 0 for a, b in per_dim):
        return tuple(a for a, _ in per_dim), None
    return 0, tuple(padding)


# ------------------------------------------------------------------ the adapter
class Tensor:
    """teenygrad's ``Tensor`` API over a ``gradkit.Tensor`` (``self.t``)."""

    __hash__ = object.__hash__

    def __init__(self, data, device=None, dtype: DType | None = None, requires_grad=None):
        if isinstance(data, Tensor):
            data = data.t
        if isinstance(data, GK_TENSOR):
            t = data if dtype is None else data.astype(dtype.np)
            if requires_grad:
                t = gk.tensor(t.detach().numpy(), requires_grad=True)
        else:
            if data is None:
                data = []
            array = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype.np)
            if array.dtype == np.float64 and not isinstance(data, np.ndarray):
                array = array.astype(np.float32)
            t = gk.tensor(array, requires_grad=bool(requires_grad))
        self.t = t

    # -------------------------------------------------------------- state
    @property
    def shape(self) -> tuple:
        return tuple(self.t.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> DType:
        return dtypes.from_np(self.t.dtype)

    @property
    def device(self) -> str:
        return "CPU"

    @property
    def requires_grad(self) -> bool:
        return self.t.requires_grad

    @property
    def grad(self):
        return None if self.t.grad is None else Tensor(self.t.grad)

    def numel(self) -> int:
        return int(np.prod(self.shape))

    def numpy(self) -> np.ndarray:
        return np.asarray(self.t.detach().numpy())

    def item(self):
        return self.numpy().item()

    def realize(self) -> Tensor:
        return self

    def contiguous(self) -> Tensor:
        return self

    def detach(self) -> Tensor:
        return Tensor(self.t.detach())

    def to(self, device) -> Tensor:
        return self

    def to_(self, device) -> None:
        return None

    def backward(self) -> Tensor:
        self.t.backward()
        return self

    def cast(self, dtype: DType) -> Tensor:
        return Tensor(self.t.astype(dtype.np))

    def float(self) -> Tensor:
        return self.cast(dtypes.float32)

    def half(self) -> Tensor:
        return self.cast(dtypes.float16)

    def __repr__(self) -> str:
        return f"<teenygrad shim Tensor over {self.t!r}>"

    # -------------------------------------------------------------- creation
    @staticmethod
    def full(shape, fill_value, **kwargs) -> Tensor:
        return Tensor(function("full")(shape_of((shape,)), fill_value), **kwargs)

    @staticmethod
    def zeros(*shape, **kwargs) -> Tensor:
        return Tensor(function("zeros")(shape_of(shape)), **kwargs)

    @staticmethod
    def ones(*shape, **kwargs) -> Tensor:
        return Tensor(function("ones")(shape_of(shape)), **kwargs)

    @staticmethod
    def empty(*shape, **kwargs) -> Tensor:
        return Tensor(function("empty")(shape_of(shape)), **kwargs)

    @staticmethod
    def rand(*shape, **kwargs) -> Tensor:
        return Tensor(function("rand")(shape_of(shape)), **kwargs)

    @staticmethod
    def randn(*shape, **kwargs) -> Tensor:
        return Tensor(function("randn")(shape_of(shape)), **kwargs)

    @staticmethod
    def eye(dim: int, **kwargs) -> Tensor:
        return Tensor(function("eye")(dim), **kwargs)

    @staticmethod
    def arange(start, stop=None, step=1, **kwargs) -> Tensor:
        args = (start,) if stop is None else (start, stop, step)
        return Tensor(function("arange")(*args), **kwargs)

    @staticmethod
    def manual_seed(seed: int = 0) -> None:
        gk.manual_seed(seed)

    def full_like(self, fill_value, **kwargs) -> Tensor:
        return Tensor(function("full_like")(self.t, fill_value), **kwargs)

    def zeros_like(self, **kwargs) -> Tensor:
        return Tensor(function("zeros_like")(self.t), **kwargs)

    def ones_like(self, **kwargs) -> Tensor:
        return Tensor(function("ones_like")(self.t), **kwargs)

    @staticmethod
    def stack(tensors, dim: int = 0) -> Tensor:
        return Tensor(call(function("stack"), "gradkit.stack", [t.t for t in tensors], dim=dim))

    def cat(self, *args, dim: int = 0) -> Tensor:
        if self.ndim == 0:  # teenygrad's own check (PyTorch raises RuntimeError here)
            raise AssertionError("zero-dimensional tensor cannot be concatenated")
        tensors = [self.t, *(a.t for a in args)]
        return Tensor(call(function("cat"), "gradkit.cat", tensors, dim=dim))

    def multinomial(self, num_samples: int = 1, replacement: bool = False) -> Tensor:
        return Tensor(function("multinomial")(self.t, num_samples, replacement))

    # -------------------------------------------------------------- arithmetic
    def add(self, x, reverse=False):
        return Tensor(unwrap(x) + self.t) if reverse else Tensor(self.t + unwrap(x))

    def sub(self, x, reverse=False):
        return Tensor(unwrap(x) - self.t) if reverse else Tensor(self.t - unwrap(x))

    def mul(self, x, reverse=False):
        return Tensor(unwrap(x) * self.t) if reverse else Tensor(self.t * unwrap(x))

    def div(self, x, reverse=False):
        a, b = (unwrap(x), self.t) if reverse else (self.t, unwrap(x))
        if all(_is_integer(v) for v in (a, b)):  # teenygrad divides integers exactly as C
            return Tensor(call(function("div"), "gradkit.div", a, b, rounding_mode="trunc"))
        return Tensor(a / b)

    def pow(self, x, reverse=False):
        return Tensor(unwrap(x) ** self.t) if reverse else Tensor(self.t ** unwrap(x))

    def dot(self, w: Tensor) -> Tensor:
        if self.ndim == 0 or w.ndim == 0:  # teenygrad's own check (PyTorch: RuntimeError)
            raise AssertionError("both arguments to matmul need to be at least 1D")
        return Tensor(self.t @ w.t)

    def matmul(self, x: Tensor, reverse: bool = False) -> Tensor:
        return x.dot(self) if reverse else self.dot(x)

    __add__ = add
    __sub__ = sub
    __mul__ = mul
    __truediv__ = div
    __pow__ = pow
    __matmul__ = matmul

    def __radd__(self, x):
        return self.add(x, True)

    def __rsub__(self, x):
        return self.sub(x, True)

    def __rmul__(self, x):
        return self.mul(x, True)

    def __rtruediv__(self, x):
        return self.div(x, True)

    def __rpow__(self, x):
        return self.pow(x, True)

    def __rmatmul__(self, x):
        return self.matmul(x, True)

    def __neg__(self):
        return Tensor(-self.t)

    def neg(self):
        return Tensor(-self.t)

    def __lt__(self, x):
        return Tensor(self.t < unwrap(x))

    def __gt__(self, x):
        return Tensor(self.t > unwrap(x))

    def __le__(self, x):
        return Tensor(self.t <= unwrap(x))

    def __ge__(self, x):
        return Tensor(self.t >= unwrap(x))

    def __eq__(self, x):  # noqa: D105 - elementwise, as in teenygrad
        return Tensor(self.t == unwrap(x))

    def __ne__(self, x):
        return Tensor(self.t != unwrap(x))

    def maximum(self, x) -> Tensor:
        return Tensor(function("maximum")(self.t, _as_tensor(unwrap(x), self.t)))

    def minimum(self, x) -> Tensor:
        return Tensor(function("minimum")(self.t, _as_tensor(unwrap(x), self.t)))

    def where(self, input_, other) -> Tensor:
        return Tensor(function("where")(self.t, unwrap(input_), unwrap(other)))

    def clip(self, min_, max_) -> Tensor:
        return Tensor(method("clip")(self.t, min_, max_))

    # -------------------------------------------------------------- unary and activations
    def reciprocal(self):
        return Tensor(1.0 / self.t)

    def leakyrelu(self, neg_slope=0.01):
        return Tensor(functional("leaky_relu")(self.t, neg_slope))

    def elu(self, alpha=1.0):
        return Tensor(functional("elu")(self.t, alpha))

    def celu(self, alpha=1.0):
        return Tensor(functional("celu")(self.t, alpha))

    def relu6(self):
        return Tensor(functional("relu6")(self.t))

    def hardswish(self):
        return Tensor(functional("hardswish")(self.t))

    def hardtanh(self, min_val=-1, max_val=1):
        return Tensor(functional("hardtanh")(self.t, min_val, max_val))

    def mish(self):
        return Tensor(functional("mish")(self.t))

    def softsign(self):
        return Tensor(functional("softsign")(self.t))

    def softplus(self, beta=1):
        return Tensor(functional("softplus")(self.t, beta))

    def gelu(self):  # teenygrad's gelu is the tanh approximation
        gelu = functional("gelu")
        return Tensor(call(gelu, "nn.functional.gelu", self.t, approximate="tanh"))

    def quick_gelu(self):  # teenygrad: x * sigmoid(1.702 x)
        return Tensor(self.t * functional("sigmoid")(self.t * 1.702))

    def swish(self):
        return Tensor(functional("silu")(self.t))

    silu = swish

    def softmax(self, axis=-1):
        return Tensor(functional("softmax")(self.t, dim=axis))

    def log_softmax(self, axis=-1):
        return Tensor(functional("log_softmax")(self.t, dim=axis))

    # -------------------------------------------------------------- reductions
    def _call(self, name: str, *args, **kwargs):
        """gradkit's ``Tensor.<name>(*args, **kwargs)`` on this tensor, wrapped."""
        return wrap(call(method(name), f"Tensor.{name}", self.t, *args, **kwargs))

    def sum(self, axis=None, keepdim=False):
        return self._call("sum", dim=dims(axis), keepdim=keepdim)

    def mean(self, axis=None, keepdim=False):
        return self._call("mean", dim=dims(axis), keepdim=keepdim)

    def std(self, axis=None, keepdim=False, correction=1):
        return self._call("std", dim=dims(axis), keepdim=keepdim, correction=correction)

    def _extreme(self, name: str, axis, keepdim):
        axis = dims(axis)
        if axis is None and not keepdim:
            return Tensor(method(name)(self.t))
        if isinstance(axis, int):
            result = call(method(name), f"Tensor.{name}", self.t, dim=axis, keepdim=keepdim)
            return Tensor(values_of(result))
        full = tuple(range(self.ndim)) if axis is None else axis
        return self._call(f"a{name}", dim=full, keepdim=keepdim)

    def max(self, axis=None, keepdim=False):
        return self._extreme("max", axis, keepdim)

    def min(self, axis=None, keepdim=False):
        return self._extreme("min", axis, keepdim)

    def argmax(self, axis=None, keepdim=False):
        return self._call("argmax", dim=axis, keepdim=keepdim)

    def argmin(self, axis=None, keepdim=False):
        return self._call("argmin", dim=axis, keepdim=keepdim)

    def cumsum(self, axis=0):
        return self._call("cumsum", dim=axis)

    # -------------------------------------------------------------- movement
    def reshape(self, shape, *args):
        return Tensor(self.t.reshape(argfix(shape, args)))

    def expand(self, shape, *args):
        return Tensor(method("expand")(self.t, *argfix(shape, args)))

    def permute(self, order, *args):
        return Tensor(self.t.permute(*argfix(order, args)))

    def flip(self, axis, *args):
        return Tensor(method("flip")(self.t, argfix(axis, args)))

    def transpose(self, ax1=1, ax2=0):
        return Tensor(self.t.transpose(ax1, ax2))

    @property
    def T(self):  # noqa: N802 - teenygrad's name
        return self.transpose()

    def squeeze(self, dim=None):
        return Tensor(self.t.squeeze() if dim is None else self.t.squeeze(dim))

    def unsqueeze(self, dim):
        return Tensor(self.t.unsqueeze(dim))

    def flatten(self, start_dim=0):
        return Tensor(self.t.flatten(start_dim))

    def repeat(self, repeats):
        if len(repeats) < self.ndim:  # teenygrad's own check (PyTorch: RuntimeError)
            raise ValueError("repeats must have at least as many entries as the tensor has dims")
        return Tensor(method("repeat")(self.t, *repeats))

    def chunk(self, num: int, dim: int = 0):
        return wrap(list(method("chunk")(self.t, num, dim)))

    def split(self, sizes, dim: int = 0):
        return wrap(list(method("split")(self.t, sizes, dim)))

    def gather(self, idx, dim: int):
        return Tensor(method("gather")(self.t, dim, unwrap(idx)))

    def pad(self, arg, value: float = 0.0):
        return Tensor(functional("pad")(self.t, pairs_to_torch_pad(arg, self.ndim), value=value))

    def pad2d(self, padding, value: float = 0.0):
        return Tensor(functional("pad")(self.t, tuple(padding), value=value))

    def shrink(self, arg):
        index = tuple(slice(None) if a is None else slice(a[0], a[1]) for a in arg)
        return Tensor(self.t[index])

    def __getitem__(self, index):
        return Tensor(self.t[unwrap(index)])

    # -------------------------------------------------------------- nn
    def conv2d(self, weight, bias=None, groups=1, stride=1, dilation=1, padding=0):
        spatial = weight.ndim - 2
        conv = functional(f"conv{spatial}d")
        pad, explicit = conv_padding(padding, spatial)
        x = self.t if explicit is None else functional("pad")(self.t, explicit)
        label = f"nn.functional.conv{spatial}d"
        return Tensor(call(conv, label, x, weight.t, unwrap(bias), stride=stride, padding=pad,
                           dilation=dilation, groups=groups))  # fmt: skip

    def conv_transpose2d(self, weight, bias=None, groups=1, stride=1, dilation=1, padding=0,
                         output_padding=0):  # fmt: skip
        label = f"nn.functional.conv_transpose{weight.ndim - 2}d"
        conv = functional(label.rsplit(".", 1)[1])
        return Tensor(call(conv, label, self.t, weight.t, unwrap(bias), stride=stride,
                           padding=padding, output_padding=output_padding, groups=groups,
                           dilation=dilation))  # fmt: skip

    def max_pool2d(self, kernel_size=(2, 2), stride=None, dilation=1):
        pool = functional("max_pool2d")
        extra = {} if dilation == 1 else {"dilation": dilation}
        return Tensor(call(pool, "nn.functional.max_pool2d", self.t, kernel_size, stride, **extra))

    def avg_pool2d(self, kernel_size=(2, 2), stride=None, dilation=1):
        if dilation != 1:
            raise NotApplicable("avg_pool2d(dilation=) (PyTorch has none either)")
        return Tensor(functional("avg_pool2d")(self.t, kernel_size, stride))

    def scaled_dot_product_attention(self, key, value, attn_mask=None, dropout_p=0.0,
                                     is_causal=False):  # fmt: skip
        sdpa = functional("scaled_dot_product_attention")
        return Tensor(call(sdpa, "nn.functional.scaled_dot_product_attention", self.t, key.t,
                           value.t, attn_mask=unwrap(attn_mask), dropout_p=dropout_p,
                           is_causal=is_causal))  # fmt: skip

    def binary_crossentropy(self, y):
        return Tensor(functional("binary_cross_entropy")(self.t, y.t))

    def binary_crossentropy_logits(self, y):
        return Tensor(functional("binary_cross_entropy_with_logits")(self.t, y.t))

    def linear(self, weight, bias=None):
        return Tensor(functional("linear")(self.t, weight.t.T, unwrap(bias)))

    def layernorm(self, axis=-1, eps: float = 1e-5):
        y = self.t - self.t.mean(dim=axis, keepdim=True)
        return Tensor(y * method("rsqrt")((y * y).mean(dim=axis, keepdim=True) + eps))

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotApplicable(f"a mapping of teenygrad's Tensor.{name}")


def _method(name: str):
    def call(self, *args, **kwargs):
        return wrap(method(name)(self.t, *unwrap(args), **kwargs))

    call.__name__ = name
    return call


# teenygrad methods with the same name and meaning as gradkit's Tensor methods
for _name in ("relu", "sigmoid", "tanh", "exp", "log", "sqrt", "sin", "cos", "tan", "abs",
              "sign", "trunc", "floor", "ceil", "round", "square", "log2", "exp2", "rsqrt",
              "logical_not", "tril", "triu"):  # fmt: skip
    setattr(Tensor, _name, _method(_name))
del _name


def _is_integer(x) -> bool:
    if isinstance(x, GK_TENSOR):
        return x.dtype.kind in "iub"
    return isinstance(x, int)


def _as_tensor(x, like):
    return x if isinstance(x, GK_TENSOR) else gk.tensor(np.asarray(x, dtype=like.dtype))
