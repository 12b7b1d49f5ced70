"""PyTorch's type promotion for op operands: scalars lifted to tensors, operands of
different dtypes converted to ``torch.result_type`` (:func:`gradkit.backend.result_type`).

:func:`pair` runs before every binary op (``add``, ``mul``, ...): operands of one dtype,
the common case, cost one identity comparison; the rules run only when dtypes differ.
"""

from __future__ import annotations

from gradkit.autograd.function import (
    Function,
    check_broadcast,  # noqa: F401 - re-exported
)
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor as _new_tensor
from gradkit.backend import get_default_dtype, result_type, xp


def lift(value, like: Tensor) -> Tensor:
    """Turn a Python/NumPy scalar or array into a constant tensor. Python scalars take
    ``like``'s float dtype so ``float32_tensor * 2.0`` stays float32."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float)) and like._data.dtype.kind == "f":
        return _new_tensor(xp.asarray(value, dtype=like._data.dtype))
    if isinstance(value, xp.generic):  # a NumPy scalar counts as the Python number
        value = value.item()
    return Tensor(value)


_SCALARS = (bool, int, float, complex, xp.generic)


def cast(t: Tensor, dtype) -> Tensor:
    """``t`` converted to ``dtype``; differentiable (the gradient is cast back)."""
    if t._data.dtype == dtype:
        return t
    if t.requires_grad:
        return Cast.apply(t, dtype=dtype)
    return _new_tensor(t._data.astype(dtype))


def as_float(t: Tensor) -> Tensor:
    """A bool or integer tensor as the default float dtype (what PyTorch's float-valued
    ops such as ``exp`` or true division return for them)."""
    return _new_tensor(t._data.astype(get_default_dtype()))


def promote(*operands) -> list[Tensor]:
    """Tensors (and Python scalars, lifted) converted to their common dtype under
    PyTorch's rules (:func:`gradkit.backend.result_type`)."""
    dtype = result_type(*operands)
    out = []
    for x in operands:
        if isinstance(x, Tensor):
            out.append(cast(x, dtype))
        else:  # a scalar wraps around into a narrower integer dtype, as in PyTorch
            out.append(_new_tensor(xp.asarray(x).astype(dtype)))
    return out


class Cast(Function):
    """Convert between float dtypes; the gradient is cast back."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype)


def pair(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as tensors of one dtype: PyTorch's promotion (``float32 ** int64``
    stays float32, ``int64 + 0.5`` is float32, ``float32 + float64 0-d`` stays float32).
    Operands of one dtype, the common case, take no step beyond the comparison."""
    if isinstance(a, Tensor):
        t = lift(b, a)
        if a._data.dtype is not t._data.dtype:
            return promote(a, _operand(b, t))
        return a, t
    t = lift(a, b)
    if t._data.dtype is not b._data.dtype:
        return promote(_operand(a, t), b)
    return t, b


def _operand(value, lifted: Tensor):
    """What :func:`promote` should see of an operand: a Python or NumPy scalar as itself
    (PyTorch's wrapped number), anything else as the lifted tensor."""
    return value if isinstance(value, _SCALARS) else lifted
