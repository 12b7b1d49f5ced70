"""Rounding and integer-division ops: floor, ceil, round, trunc, frac, sign,
remainder (``%``), fmod, floor_divide (``//``) and ``div(rounding_mode=...)``.

The piecewise-constant ones have gradient 0 almost everywhere, as in PyTorch; integer
tensors stay integer, and an integer division by zero raises ``ZeroDivisionError``
(NumPy would return 0 in silence).
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor as _new_tensor
from gradkit.backend import xp
from gradkit.ops.promotion import check_broadcast
from gradkit.ops.promotion import pair as _pair


class Remainder(Function):
    broadcasts = True
    """z = a − ⌊a/b⌋·b (the sign of b, as ``torch.remainder`` and Python's %);
    ∂z/∂a = 1, ∂z/∂b = −⌊a/b⌋."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return xp.mod(a, b)

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        return (g if na else None), (-g * xp.floor(ctx.a / ctx.b) if nb else None)


class Rounding(Function):
    """A piecewise-constant map (floor, ceil, round, trunc, sign): its gradient is 0
    almost everywhere, as in PyTorch."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, fn=None):
        return fn(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


def _rounding(fn):
    def rounded(x: Tensor) -> Tensor:
        kind = x._data.dtype.kind
        if kind != "f":
            if kind == "b":  # sign(bool) is the bool itself; PyTorch refuses the others
                if fn is xp.sign:
                    return _new_tensor(x._data.copy())
                raise TypeError(f"{fn.__name__} is not implemented for bool tensors")
            return _new_tensor(xp.asarray(fn(x._data)))
        return Rounding.apply(x, fn=fn)

    rounded.__name__ = fn.__name__
    return rounded


floor = _rounding(xp.floor)
ceil = _rounding(xp.ceil)
_round0 = _rounding(xp.round)


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001 - torch.round
    """Round half to even, to ``decimals`` places (``torch.round``); gradient 0."""
    if decimals == 0:
        return _round0(x)
    return _rounding(lambda a: xp.round(a, decimals))(x)


trunc = _rounding(xp.trunc)
sign = _rounding(xp.sign)
sgn = sign  # torch.sgn: sign for real tensors


def remainder(a, b) -> Tensor:
    """``a % b`` with the sign of the divisor (``torch.remainder``)."""
    a, b = _pair(a, b)
    if a._data.dtype.kind != "f":
        return _new_tensor(xp.asarray(xp.mod(a._data, _nonzero_divisor(b._data))))
    return Remainder.apply(a, b)


def floor_divide(a, b) -> Tensor:
    """``a // b`` rounded toward −∞ (``torch.floor_divide``, Python's ``//``: 1 // 0.1
    is 9); its gradient is 0."""
    a, b = _pair(a, b)
    return rounded_div(a, b, "floor")


def _nonzero_divisor(b):
    """An integer divisor, refused if it holds a zero (PyTorch raises, NumPy gives 0)."""
    if not b.all():
        raise ZeroDivisionError("integer division or modulo by zero")
    return b


def rounded_div(a: Tensor, b: Tensor, mode: str) -> Tensor:
    """a / b rounded toward −∞ (``"floor"``) or toward zero (``"trunc"``)."""
    if mode not in ("floor", "trunc"):
        raise ValueError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found {mode!r}"
        )
    if a._data.dtype.kind in "biu":
        x, y = a._data, _nonzero_divisor(b._data)
        if x.dtype.kind == "b":
            x, y = x.astype(xp.int64), y.astype(xp.int64)
        q = xp.floor_divide(x, y)
        if mode == "trunc":  # floor and trunc differ where the signs differ and y ∤ x
            q = q + ((q < 0) & (q * y != x))
        return _new_tensor(xp.asarray(q))
    fn = xp.floor_divide if mode == "floor" else lambda x, y: xp.trunc(x / y)
    try:
        return RoundedDiv.apply(a, b, fn=fn)
    except ValueError:
        check_broadcast("div", a._data, b._data)
        raise


class RoundedDiv(Function):
    """⌊a / b⌋ or trunc(a / b): piecewise constant, so both gradients are 0."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b, fn=None):
        return fn(a, b)

    @staticmethod
    def backward(ctx, g):
        return g * 0, g * 0


def rremainder(self, other) -> Tensor:
    return remainder(other, self)


def rfloor_divide(self, other) -> Tensor:
    return floor_divide(other, self)


class Fmod(Function):
    broadcasts = True
    """z = a − trunc(a/b)·b (the sign of a, as C's fmod and ``torch.fmod``);
    ∂z/∂a = 1, ∂z/∂b = −trunc(a/b)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad[1]:
            ctx.a, ctx.b = a, b
        return xp.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        q = ctx.a / ctx.b if nb else None
        return (g if na else None), (
            -g * (trunc(q) if isinstance(q, Tensor) else xp.trunc(q)) if nb else None
        )


def fmod(a, b) -> Tensor:
    """The remainder of a / b with the sign of the dividend (``torch.fmod``)."""
    a, b = _pair(a, b)
    if a._data.dtype.kind != "f":
        return _new_tensor(xp.asarray(xp.fmod(a._data, _nonzero_divisor(b._data))))
    return Fmod.apply(a, b)


class Frac(Function):
    """y = x − trunc(x) (the fractional part, with the sign of x); dy/dx = 1."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        return x - xp.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g


def frac(x: Tensor) -> Tensor:
    """x − trunc(x), for floating-point tensors (``torch.frac``)."""
    if x._data.dtype.kind != "f":
        raise TypeError(f"frac: needs a floating point tensor, got {x.dtype}")
    return Frac.apply(x)
