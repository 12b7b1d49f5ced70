"""``keras.ops``: Keras 3's NumPy-like tensor functions on gradkit Tensors.

Each takes Tensors, NumPy arrays or Python numbers (floats become float32) with
NumPy's argument names (``axis``, ``keepdims``) and returns a gradkit Tensor,
differentiable where the math is. Called on symbolic KerasTensors (inside a functional
model definition) they record a layer in the graph instead, as Keras records an
operation. Comparisons, ``argmax``, ``one_hot`` and the logical functions return
tensors without gradient.
"""

from __future__ import annotations

import functools

import numpy as np

import gradkit as gk
from gradkit.keras.src import tree
from gradkit.keras.src.backend import standardize_dtype
from gradkit.keras.src.keras_tensor import KerasTensor
from gradkit.nn import functional as F
from gradkit.tensor import Tensor


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> Tensor:
    """``x`` as a Tensor: floats become float32 unless ``dtype`` says otherwise."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(standardize_dtype(dtype)) else x.to(
            np.dtype(standardize_dtype(dtype))
        )  # fmt: skip
    array = np.asarray(x)
    if dtype is not None:
        array = array.astype(standardize_dtype(dtype))
    elif array.dtype == np.float64 or array.dtype.kind not in "fiub":
        array = array.astype(np.float32)
    elif array.dtype.kind in "iu" and not isinstance(x, np.ndarray) and np.ndim(x) == 0:
        array = array.astype(np.int32)
    return Tensor(array)


_t = convert_to_tensor


def convert_to_numpy(x) -> np.ndarray:
    return np.array(x._data if isinstance(x, Tensor) else x)


class _SymbolicOp:
    """Records ``fn`` applied to KerasTensors as one layer of the functional graph."""

    @staticmethod
    def apply(fn, args, kwargs):
        from gradkit.keras.src.layer import Layer

        class OpLayer(Layer):
            def __init__(self):
                super().__init__(name=None)
                self._build_at_init()

            def call(self, inputs):
                leaves = iter(inputs)

                def fill(x):
                    return next(leaves) if isinstance(x, KerasTensor) else x

                return fn(*tree.map_structure(fill, list(args)),
                          **tree.map_structure(fill, kwargs))  # fmt: skip

        OpLayer.__name__ = fn.__name__.strip("_") or "op"
        symbolic = [x for x in tree.flatten([list(args), kwargs]) if isinstance(x, KerasTensor)]
        return OpLayer()(symbolic)


def _op(fn):
    """Let ``fn`` accept KerasTensors (recorded) as well as tensors (computed)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if any(isinstance(x, KerasTensor) for x in tree.flatten([list(args), kwargs])):
            return _SymbolicOp.apply(fn, args, kwargs)
        return fn(*args, **kwargs)

    return wrapper


def _no_grad(array) -> Tensor:
    return Tensor(np.asarray(array))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# ---------------------------------------------------------------------- elementwise
@_op
def cast(x, dtype) -> Tensor:
    return _t(x).to(np.dtype(standardize_dtype(dtype)))


@_op
def add(x1, x2):
    return _t(x1) + _t(x2)


@_op
def subtract(x1, x2):
    return _t(x1) - _t(x2)


@_op
def multiply(x1, x2):
    return _t(x1) * _t(x2)


@_op
def divide(x1, x2):
    return _t(x1) / _t(x2)


true_divide = divide


@_op
def divide_no_nan(x1, x2):
    x1, x2 = _t(x1), _t(x2)
    safe = gk.where(x2 == 0, gk.ones_like(x2), x2)
    return gk.where(x2 == 0, gk.zeros_like(x1 / safe), x1 / safe)


@_op
def power(x1, x2):
    return _t(x1) ** (x2 if isinstance(x2, (int, float)) else _t(x2))


@_op
def negative(x):
    return -_t(x)


@_op
def absolute(x):
    return _t(x).abs()


abs = absolute  # noqa: A001 - Keras' name


@_op
def square(x):
    x = _t(x)
    return x * x


@_op
def sqrt(x):
    return _t(x).sqrt()


@_op
def exp(x):
    return _t(x).exp()


@_op
def log(x):
    return _t(x).log()


@_op
def log1p(x):
    return gk.log1p(_t(x))


@_op
def sin(x):
    return _t(x).sin()


@_op
def cos(x):
    return _t(x).cos()


@_op
def tanh(x):
    return F.tanh(_t(x))


@_op
def sigmoid(x):
    return F.sigmoid(_t(x))


@_op
def relu(x):
    return F.relu(_t(x))


@_op
def softplus(x):
    return F.softplus(_t(x))


@_op
def softmax(x, axis=-1):
    return F.softmax(_t(x), dim=axis)


@_op
def log_softmax(x, axis=-1):
    return F.log_softmax(_t(x), dim=axis)


@_op
def maximum(x1, x2):
    x1, x2 = _t(x1), _t(x2)
    return gk.maximum(x1, x2.to(x1.dtype) if x2.dtype != x1.dtype else x2)


@_op
def minimum(x1, x2):
    x1, x2 = _t(x1), _t(x2)
    return gk.minimum(x1, x2.to(x1.dtype) if x2.dtype != x1.dtype else x2)


@_op
def clip(x, x_min, x_max):
    return _t(x).clip(x_min, x_max)


@_op
def where(condition, x1=None, x2=None):
    condition = _t(condition)
    if x1 is None and x2 is None:
        return _no_grad(np.stack(np.nonzero(condition._data)))
    return gk.where(condition, _t(x1), _t(x2))


@_op
def round(x, decimals=0):  # noqa: A001 - Keras' name
    return _no_grad(np.round(_t(x)._data, decimals))


@_op
def floor(x):
    return _no_grad(np.floor(_t(x)._data))


@_op
def ceil(x):
    return _no_grad(np.ceil(_t(x)._data))


@_op
def sign(x):
    return _no_grad(np.sign(_t(x)._data))


@_op
def stop_gradient(x):
    return _t(x).detach()


# ---------------------------------------------------------------------- comparisons / logic
def _compare(np_fn):
    @_op
    def compare(x1, x2):
        return _no_grad(np_fn(_t(x1)._data, _t(x2)._data))

    compare.__name__ = np_fn.__name__
    return compare


equal = _compare(np.equal)
not_equal = _compare(np.not_equal)
greater = _compare(np.greater)
greater_equal = _compare(np.greater_equal)
less = _compare(np.less)
less_equal = _compare(np.less_equal)
logical_and = _compare(np.logical_and)
logical_or = _compare(np.logical_or)


@_op
def logical_not(x):
    return _no_grad(np.logical_not(_t(x)._data))


@_op
def isnan(x):
    return _no_grad(np.isnan(_t(x)._data))


@_op
def isfinite(x):
    return _no_grad(np.isfinite(_t(x)._data))


# ---------------------------------------------------------------------- reductions
@_op
def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    return _t(x).sum(dim=_axis(axis), keepdim=keepdims)


@_op
def mean(x, axis=None, keepdims=False):
    return _t(x).mean(dim=_axis(axis), keepdim=keepdims)


@_op
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras' name
    return _t(x).amax(dim=_axis(axis) if axis is not None else tuple(range(_t(x).ndim)),
                      keepdim=keepdims)  # fmt: skip


@_op
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras' name
    return _t(x).amin(dim=_axis(axis) if axis is not None else tuple(range(_t(x).ndim)),
                      keepdim=keepdims)  # fmt: skip


@_op
def prod(x, axis=None, keepdims=False, dtype=None):
    return _t(x).prod(dim=axis, keepdim=keepdims) if axis is not None else _t(x).prod()


@_op
def var(x, axis=None, keepdims=False):
    return _t(x).var(dim=_axis(axis), keepdim=keepdims, correction=0)


@_op
def std(x, axis=None, keepdims=False):
    return _t(x).std(dim=_axis(axis), keepdim=keepdims, correction=0)


@_op
def argmax(x, axis=None, keepdims=False):
    return _no_grad(np.argmax(_t(x)._data, axis=axis, keepdims=keepdims))


@_op
def argmin(x, axis=None, keepdims=False):
    return _no_grad(np.argmin(_t(x)._data, axis=axis, keepdims=keepdims))


@_op
def cumsum(x, axis=None, dtype=None):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return gk.cumsum(x, dim=axis)


@_op
def sort(x, axis=-1):
    return gk.sort(_t(x), dim=axis)[0]


@_op
def argsort(x, axis=-1):
    return _no_grad(np.argsort(_t(x)._data, axis=axis, kind="stable"))


@_op
def top_k(x, k, sorted=True):  # noqa: A002 - Keras' name
    values, indices = gk.topk(_t(x), k, dim=-1, sorted=sorted)
    return values, indices


# ---------------------------------------------------------------------- shapes
def shape(x) -> tuple:
    return tuple(x.shape)


def ndim(x) -> int:
    return len(x.shape)


def size(x) -> int:
    return int(np.prod(x.shape))


@_op
def reshape(x, newshape):
    return _t(x).reshape(tuple(newshape) if not isinstance(newshape, int) else (newshape,))


@_op
def transpose(x, axes=None):
    x = _t(x)
    return x.permute(*(axes if axes is not None else range(x.ndim - 1, -1, -1)))


@_op
def expand_dims(x, axis):
    return _t(x).unsqueeze(axis)


@_op
def squeeze(x, axis=None):
    return _t(x).squeeze(axis) if axis is not None else _t(x).squeeze()


@_op
def concatenate(xs, axis=0):
    return gk.cat([_t(x) for x in xs], axis=axis)


@_op
def stack(x, axis=0):
    return gk.stack([_t(v) for v in x], axis=axis)


@_op
def split(x, indices_or_sections, axis=0):
    x = _t(x)
    if isinstance(indices_or_sections, int):
        return list(x.chunk(indices_or_sections, dim=axis))
    bounds = [0, *indices_or_sections, x.shape[axis]]
    sizes = [b - a for a, b in zip(bounds[:-1], bounds[1:])]
    return list(x.split(sizes, dim=axis))


@_op
def tile(x, repeats):
    x = _t(x)
    repeats = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    while len(repeats) < x.ndim:
        repeats = (1, *repeats)
    for axis, count in enumerate(repeats):
        if count != 1:
            x = gk.cat([x] * count, axis=axis)
    return x


@_op
def repeat(x, repeats, axis=None):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    index = Tensor(np.repeat(np.arange(x.shape[axis]), repeats))
    return gk.index_select(x, axis, index)


@_op
def take(x, indices, axis=None):
    x = _t(x)
    index = np.asarray(_t(indices)._data, dtype=np.int64)
    if axis is None:
        x, axis = x.reshape(-1), 0
    flat = gk.index_select(x, axis, Tensor(index.reshape(-1)))
    shape_ = (*x.shape[:axis], *index.shape, *x.shape[axis + 1 :])
    return flat.reshape(shape_)


@_op
def take_along_axis(x, indices, axis=None):
    return gk.take_along_dim(_t(x), Tensor(np.asarray(_t(indices)._data, np.int64)), dim=axis)


@_op
def matmul(x1, x2):
    return _t(x1) @ _t(x2)


@_op
def dot(x1, x2):
    return _t(x1) @ _t(x2)


@_op
def one_hot(x, num_classes, axis=-1, dtype=None):
    labels = np.asarray(_t(x)._data).astype(np.int64)
    out = np.eye(num_classes, dtype=standardize_dtype(dtype))[labels]
    return _no_grad(np.moveaxis(out, -1, axis) if axis != -1 else out)


# ---------------------------------------------------------------------- creation
def zeros(shape, dtype=None) -> Tensor:
    return Tensor(np.zeros(shape, standardize_dtype(dtype)))


def ones(shape, dtype=None) -> Tensor:
    return Tensor(np.ones(shape, standardize_dtype(dtype)))


def full(shape, fill_value, dtype=None) -> Tensor:
    return Tensor(np.full(shape, fill_value, standardize_dtype(dtype)))


@_op
def zeros_like(x, dtype=None):
    return Tensor(np.zeros(x.shape, standardize_dtype(dtype or x.dtype)))


@_op
def ones_like(x, dtype=None):
    return Tensor(np.ones(x.shape, standardize_dtype(dtype or x.dtype)))


def arange(start, stop=None, step=1, dtype=None) -> Tensor:
    array = np.arange(start, stop, step)
    if dtype is not None:
        array = array.astype(standardize_dtype(dtype))
    elif array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor(array)


def eye(N, M=None, k=0, dtype=None) -> Tensor:  # noqa: N803 - Keras' names
    return Tensor(np.eye(N, M, k, dtype=standardize_dtype(dtype)))


def linspace(start, stop, num=50, endpoint=True, dtype=None) -> Tensor:
    return Tensor(np.linspace(start, stop, num, endpoint=endpoint).astype(
        standardize_dtype(dtype)))  # fmt: skip


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)
