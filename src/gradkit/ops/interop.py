"""NumPy interop: NumPy functions and operators applied to Tensors run as gradkit ops.

``ndarray * tensor``, ``np.exp(tensor)`` and ``np.where(c, tensor, 0)`` come here through
NumPy's ``__array_ufunc__`` / ``__array_function__`` protocols and become the same
recorded ops as ``tensor.exp()``, so mixing NumPy and gradkit never drops a graph in
silence. This is also what lets backward formulas written with NumPy calls run on
Tensors when ``create_graph=True`` asks for a recorded backward pass.

A NumPy function with no gradkit counterpart runs on the plain arrays when no tensor
argument requires grad, and is refused with a clear error when one does.
"""

from __future__ import annotations

from gradkit.autograd.function import TensorBase, new_tensor
from gradkit.backend import xp


def _ops():
    from gradkit.ops import elementwise as ew
    from gradkit.ops import linalg, reduce, shape

    return ew, linalg, reduce, shape


def _build_ufunc_table() -> dict:
    ew, linalg, _, _ = _ops()
    return {
        xp.add: ew.add,
        xp.subtract: ew.sub,
        xp.multiply: ew.mul,
        xp.true_divide: ew.div,
        xp.power: ew.pow,
        xp.float_power: ew.pow,
        xp.negative: ew.neg,
        xp.positive: lambda x: x,
        xp.exp: ew.exp,
        xp.log: ew.log,
        xp.log1p: ew.log1p,
        xp.sqrt: ew.sqrt,
        xp.absolute: ew.abs,
        xp.sin: ew.sin,
        xp.cos: ew.cos,
        xp.tanh: ew.tanh,
        xp.square: lambda x: ew.mul(x, x),
        xp.reciprocal: lambda x: ew.div(1.0, x),
        xp.maximum: ew.maximum,
        xp.minimum: ew.minimum,
        xp.matmul: linalg.matmul,
        xp.sign: ew.sign,
        xp.remainder: ew.remainder,
        xp.floor_divide: ew.floor_divide,
        xp.floor: ew.floor,
        xp.ceil: ew.ceil,
        xp.equal: ew.eq,
        xp.not_equal: ew.ne,
        xp.less: ew.lt,
        xp.less_equal: ew.le,
        xp.greater: ew.gt,
        xp.greater_equal: ew.ge,
    }


def _build_function_table() -> dict:
    ew, linalg, red, sh = _ops()

    def _where(cond, a=None, b=None):
        if a is None and b is None:
            return tuple(new_tensor(i) for i in xp.nonzero(_plain(cond)))
        return ew.where(cond, a, b)

    return {
        xp.where: _where,
        xp.sum: red.sum,
        xp.mean: red.mean,
        xp.max: red.amax,
        xp.amax: red.amax,
        xp.min: red.amin,
        xp.amin: red.amin,
        xp.var: lambda x, axis=None, ddof=0, keepdims=False: red.var(
            x, axis=axis, keepdims=keepdims, correction=ddof
        ),
        xp.std: lambda x, axis=None, ddof=0, keepdims=False: red.std(
            x, axis=axis, keepdims=keepdims, correction=ddof
        ),
        xp.reshape: lambda x, shape, *a, **k: sh.reshape(x, shape),
        xp.transpose: lambda x, axes=None: sh.permute(x, *(axes or ())),
        xp.swapaxes: sh.swapaxes,
        xp.moveaxis: sh.movedim,
        xp.broadcast_to: sh.broadcast_to,
        xp.expand_dims: lambda x, axis: sh.unsqueeze(x, axis),
        xp.squeeze: lambda x, axis=None: sh.squeeze(x, axis),
        xp.concatenate: lambda xs, axis=0, **k: sh.concatenate([_lift(x, xs) for x in xs], axis),
        xp.stack: lambda xs, axis=0, **k: sh.stack([_lift(x, xs) for x in xs], axis),
        xp.split: _split,
        xp.clip: lambda x, a_min=None, a_max=None, **k: ew.clip(x, a_min, a_max),
        xp.matmul: linalg.matmul,
        xp.dot: linalg.matmul,
        xp.zeros_like: lambda x, dtype=None, **k: new_tensor(
            xp.zeros(x.shape, dtype=dtype or x.dtype)
        ),
        xp.ones_like: lambda x, dtype=None, **k: new_tensor(
            xp.ones(x.shape, dtype=dtype or x.dtype)
        ),
        xp.full_like: lambda x, fill_value, dtype=None, **k: new_tensor(
            xp.full(x.shape, fill_value, dtype=dtype or x.dtype)
        ),
        xp.shape: lambda x: tuple(x.shape),
        xp.ndim: lambda x: x.ndim,
        xp.size: lambda x, axis=None: x._data.size if axis is None else x.shape[axis],
        xp.result_type: lambda *a: xp.result_type(*[_plain(v) for v in a]),
    }


def _split(x, indices_or_sections, axis=0):
    _, _, _, sh = _ops()
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        size = n // indices_or_sections
        sizes = [size] * indices_or_sections
    else:
        bounds = [0, *[int(i) for i in indices_or_sections], n]
        sizes = [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]
    return list(sh.split(x, sizes, axis))


_MANY_ARRAYS = (xp.where, xp.concatenate, xp.stack, xp.result_type)
_UFUNCS: dict | None = None
_FUNCTIONS: dict | None = None


def _plain(value):
    return value._data if isinstance(value, TensorBase) else value


def _lift(value, like):
    return value if isinstance(value, TensorBase) else new_tensor(xp.asarray(value))


def _needs_graph(values) -> bool:
    for v in values:
        if isinstance(v, TensorBase) and v.requires_grad:
            return True
        if isinstance(v, (list, tuple)) and _needs_graph(v):
            return True
    return False


def _unwrap(value):
    if isinstance(value, TensorBase):
        return value._data
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_unwrap(v) for v in value)
    return value


def _wrap(value):
    if isinstance(value, xp.ndarray):
        return new_tensor(value)
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """``Tensor.__array_ufunc__``: run NumPy ufuncs on tensors as gradkit ops."""
    global _UFUNCS
    if _UFUNCS is None:
        _UFUNCS = _build_ufunc_table()
    out = kwargs.get("out")
    fn = _UFUNCS.get(ufunc) if method == "__call__" and not kwargs else None
    if fn is not None:
        return fn(*inputs)
    if _needs_graph(inputs) or (out is not None and _needs_graph(out)):
        raise TypeError(
            f"numpy.{ufunc.__name__} (method {method!r}) on a tensor that requires grad has "
            "no gradkit counterpart that records the graph; use gradkit ops, or detach() "
            "the tensor first."
        )
    if out is not None:
        kwargs["out"] = tuple(_unwrap(o) for o in out)
    result = getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
    if out is not None:
        return out[0] if len(out) == 1 else out
    return _wrap(result)


def array_function(self, func, types, args, kwargs):
    """``Tensor.__array_function__``: NumPy functions on tensors as gradkit ops."""
    global _FUNCTIONS
    if _FUNCTIONS is None:
        _FUNCTIONS = _build_function_table()
    fn = _FUNCTIONS.get(func)
    if fn is not None:
        if func not in _MANY_ARRAYS and args and not isinstance(args[0], TensorBase):
            args = (new_tensor(xp.asarray(args[0])), *args[1:])
        return fn(*args, **kwargs)
    if _needs_graph(args) or _needs_graph(tuple(kwargs.values())):
        raise TypeError(
            f"numpy.{func.__name__} on a tensor that requires grad has no gradkit counterpart "
            "that records the graph; use gradkit ops, or detach() the tensor first."
        )
    return func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
