"""More element-wise math, as in PyTorch: trigonometric and hyperbolic functions, log2/
log10/exp2/expm1, erf/erfc/erfinv, rsqrt, reciprocal, square, atan2, hypot, copysign,
float_power, lerp, addcmul/addcdiv, clamp with tensor bounds, nan_to_num, heaviside.

Each differentiable op is one small Function (or one row of the unary table) with its
derivative beside it. Bool and integer inputs of float-valued ops become the default
float dtype first (``torch.tensor([1, 2]).tan()`` is float32); binary ops promote their
operands with PyTorch's rules (:mod:`gradkit.ops.promotion`).
"""

from __future__ import annotations

import math as _m

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor as _new_tensor
from gradkit.backend import xp
from gradkit.ops import elementwise as _ew
from gradkit.ops.elementwise import _unary
from gradkit.ops.promotion import as_float, cast, lift, promote
from gradkit.ops.promotion import pair as _pair

_LN2, _LN10 = _m.log(2.0), _m.log(10.0)
_TWO_OVER_SQRT_PI, _SQRT_PI_OVER_TWO = 2.0 / _m.sqrt(_m.pi), _m.sqrt(_m.pi) / 2.0


def _special(name: str):
    """``scipy.special.<name>`` (SciPy loads on first use), in the input's dtype."""

    def fn(x):
        from scipy import special

        return getattr(special, name)(x).astype(x.dtype, copy=False)

    fn.__name__ = name
    return fn


def _inv_sqrt(a):
    return 1 / xp.sqrt(a)


# Backward formulas also run on Tensors (create_graph): these call the gradkit op then.
def _sinh(x):
    return sinh(x) if isinstance(x, Tensor) else xp.sinh(x)


def _cosh(x):
    return cosh(x) if isinstance(x, Tensor) else xp.cosh(x)


# ---------------------------------------------------------------- the unary table
# (name, formula, forward, backward(saved, g), what backward needs: "x" or "y")
Tan = _unary("Tan", "y = tan x, dy/dx = 1 + y²", xp.tan, lambda y, g: g * (1 + y * y), "y")
Atan = _unary("Atan", "y = atan x, dy/dx = 1/(1+x²)", xp.arctan, lambda x, g: g / (1 + x * x), "x")
Asin = _unary(
    "Asin", "y = asin x, dy/dx = 1/√(1−x²)", xp.arcsin, lambda x, g: g / xp.sqrt(1 - x * x), "x"
)
Acos = _unary(
    "Acos", "y = acos x, dy/dx = −1/√(1−x²)", xp.arccos, lambda x, g: -g / xp.sqrt(1 - x * x), "x"
)
Sinh = _unary("Sinh", "y = sinh x, dy/dx = cosh x", xp.sinh, lambda x, g: g * _cosh(x), "x")
Cosh = _unary("Cosh", "y = cosh x, dy/dx = sinh x", xp.cosh, lambda x, g: g * _sinh(x), "x")
Asinh = _unary(
    "Asinh", "y = asinh x, dy/dx = 1/√(x²+1)", xp.arcsinh, lambda x, g: g / xp.sqrt(x * x + 1), "x"
)
Acosh = _unary(
    "Acosh", "y = acosh x, dy/dx = 1/√(x²−1)", xp.arccosh, lambda x, g: g / xp.sqrt(x * x - 1), "x"
)
Atanh = _unary(
    "Atanh", "y = atanh x, dy/dx = 1/(1−x²)", xp.arctanh, lambda x, g: g / (1 - x * x), "x"
)
Log2 = _unary("Log2", "y = log₂ x, dy/dx = 1/(x ln 2)", xp.log2, lambda x, g: g / (x * _LN2), "x")
Log10 = _unary(
    "Log10", "y = log₁₀ x, dy/dx = 1/(x ln 10)", xp.log10, lambda x, g: g / (x * _LN10), "x"
)
Exp2 = _unary("Exp2", "y = 2ˣ, dy/dx = y ln 2", xp.exp2, lambda y, g: g * (y * _LN2), "y")
Expm1 = _unary("Expm1", "y = eˣ − 1, dy/dx = y + 1", xp.expm1, lambda y, g: g * (y + 1), "y")
Rsqrt = _unary(
    "Rsqrt", "y = 1/√x, dy/dx = −y³/2", _inv_sqrt, lambda y, g: g * (-0.5 * y * y * y), "y"
)
Reciprocal = _unary(
    "Reciprocal", "y = 1/x, dy/dx = −y²", xp.reciprocal, lambda y, g: -g * y * y, "y"
)
Erf = _unary(
    "Erf",
    "y = erf x = (2/√π) ∫₀ˣ e^(−t²) dt, dy/dx = (2/√π) e^(−x²)",
    _special("erf"),
    lambda x, g: g * (_TWO_OVER_SQRT_PI * xp.exp(-x * x)),
    "x",
)
Erfc = _unary(
    "Erfc",
    "y = erfc x = 1 − erf x, dy/dx = −(2/√π) e^(−x²)",
    _special("erfc"),
    lambda x, g: g * (-_TWO_OVER_SQRT_PI * xp.exp(-x * x)),
    "x",
)
Erfinv = _unary(
    "Erfinv",
    "y = erf⁻¹ x, dy/dx = (√π/2) e^(y²)",
    _special("erfinv"),
    lambda y, g: g * (_SQRT_PI_OVER_TWO * xp.exp(y * y)),
    "y",
)


def _float_op(name: str, fn):
    """The functional form of a float-valued unary op: bool and integer tensors are
    converted to the default float dtype first, as in PyTorch."""

    def op(x: Tensor) -> Tensor:
        if x._data.dtype.kind in "biu":
            x = as_float(x)
        return fn.apply(x)

    op.__name__ = name
    op.__doc__ = f"Element-wise {fn.__doc__}."
    return op


tan = _float_op("tan", Tan)
atan = arctan = _float_op("atan", Atan)
asin = arcsin = _float_op("asin", Asin)
acos = arccos = _float_op("acos", Acos)
sinh = _float_op("sinh", Sinh)
cosh = _float_op("cosh", Cosh)
asinh = arcsinh = _float_op("asinh", Asinh)
acosh = arccosh = _float_op("acosh", Acosh)
atanh = arctanh = _float_op("atanh", Atanh)
log2 = _float_op("log2", Log2)
log10 = _float_op("log10", Log10)
exp2 = _float_op("exp2", Exp2)
expm1 = _float_op("expm1", Expm1)
rsqrt = _float_op("rsqrt", Rsqrt)
reciprocal = _float_op("reciprocal", Reciprocal)
erf = _float_op("erf", Erf)
erfc = _float_op("erfc", Erfc)
erfinv = _float_op("erfinv", Erfinv)


def square(x: Tensor) -> Tensor:
    """x² (``torch.square``): integer tensors stay integer, bool becomes int64."""
    return _ew.pow(x, 2)


def float_power(a, b) -> Tensor:
    """aᵇ computed in float64 (``torch.float_power``): the result is float64 whatever the
    inputs' dtypes; gradients are cast back to each input's dtype."""
    if isinstance(a, Tensor):
        a = cast(a, xp.dtype(xp.float64))
    if isinstance(b, Tensor):
        b = cast(b, xp.dtype(xp.float64))
    elif isinstance(b, (bool, int, float, xp.number)):
        b = float(b)
    return _ew.pow(a, b)


# ---------------------------------------------------------------- binary ops
def _float_pair(a, b) -> tuple[Tensor, Tensor]:
    """The operands promoted, then bool and integers as the default float dtype."""
    a, b = _pair(a, b)
    if a._data.dtype.kind in "biu":
        a, b = as_float(a), as_float(b)
    return a, b


class Atan2(Function):
    broadcasts = True
    """z = atan2(a, b), the angle of the point (b, a); with r² = a² + b²:
    ∂z/∂a = b/r², ∂z/∂b = −a/r²."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        a, b = ctx.a, ctx.b
        scale = g / (a * a + b * b)
        return (scale * b if na else None), (-scale * a if nb else None)


def atan2(a, b) -> Tensor:
    """The element-wise angle atan2(a, b) in (−π, π] (``torch.atan2``)."""
    return Atan2.apply(*_float_pair(a, b))


arctan2 = atan2


class Hypot(Function):
    broadcasts = True
    """z = √(a² + b²); ∂z/∂a = a/z, ∂z/∂b = b/z."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        out = xp.hypot(a, b)
        ctx.a, ctx.b, ctx.out = a, b, out
        return out

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        scale = g / ctx.out
        return (scale * ctx.a if na else None), (scale * ctx.b if nb else None)


def hypot(a, b) -> Tensor:
    """√(a² + b²) without overflow (``torch.hypot``; floating-point tensors only)."""
    a, b = _pair(a, b)
    if a._data.dtype.kind != "f":
        raise TypeError(f"hypot: needs floating point tensors, got {a.dtype}")
    return Hypot.apply(a, b)


class Copysign(Function):
    broadcasts = True
    """z = |a| with the sign of b; ∂z/∂a = z/a (±1, and 0 at a = 0 as in PyTorch),
    ∂z/∂b = 0."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        out = xp.copysign(a, b)
        ctx.a, ctx.out = a, out
        return out

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        with xp.errstate(divide="ignore", invalid="ignore"):
            ga = g * xp.where(ctx.a == 0, 0, ctx.out / ctx.a) if na else None
        return ga, (g * 0 if nb else None)


def copysign(a, b) -> Tensor:
    """|a| with the sign of b, element-wise (``torch.copysign``)."""
    return Copysign.apply(*_float_pair(a, b))


class Heaviside(Function):
    broadcasts = True
    """z = 0 for x < 0, ``values`` for x = 0, 1 for x > 0. Its derivative is not
    defined (PyTorch raises too, when the gradient is asked for)."""

    @staticmethod
    def forward(ctx, x, values):
        return xp.where(x == 0, values, x > 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative for 'heaviside' is not implemented.")


def heaviside(x: Tensor, values) -> Tensor:
    """The Heaviside step of ``x``, taking ``values`` where x = 0 (``torch.heaviside``)."""
    values = lift(values, x)
    if values.dtype != x.dtype:
        raise TypeError(
            f"heaviside: the input ({x.dtype}) and values ({values.dtype}) must have the same "
            "dtype, as in PyTorch"
        )
    return Heaviside.apply(x, values)


# ---------------------------------------------------------------- three-input ops
class Lerp(Function):
    """z = start + w·(end − start), evaluated as end − (end − start)·(1 − w) where
    w ≥ 0.5 (PyTorch's formula); ∂z/∂start = 1 − w, ∂z/∂end = w, ∂z/∂w = end − start."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, start, end, weight):
        ns, ne, nw = ctx.needs_input_grad
        if ns or ne:
            ctx.weight = weight
        if nw:  # the inputs themselves, so create_graph can differentiate end − start
            ctx.start, ctx.end = start, end
        diff = end - start
        return xp.where(weight < 0.5, start + weight * diff, end - diff * (1 - weight))

    @staticmethod
    def backward(ctx, g):
        ns, ne, nw = ctx.needs_input_grad
        gs = g * (1 - ctx.weight) if ns else None
        ge = g * ctx.weight if ne else None
        gw = g * (ctx.end - ctx.start) if nw else None
        return gs, ge, gw


def lerp(start: Tensor, end, weight) -> Tensor:
    """Linear interpolation start + weight·(end − start) (``torch.lerp``); ``weight`` is
    a number or a tensor, and all three broadcast together."""
    start, end, weight = promote(start, end, weight)
    return _apply_many(Lerp, "lerp", start, end, weight)


class Addcmul(Function):
    """z = input + v·t1⊙t2; ∂z/∂input = 1, ∂z/∂t1 = v·t2, ∂z/∂t2 = v·t1."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        _, n1, n2 = ctx.needs_input_grad
        if n1:
            ctx.t2 = t2
        if n2:
            ctx.t1 = t1
        ctx.value = value
        return x + value * t1 * t2

    @staticmethod
    def backward(ctx, g):
        nx, n1, n2 = ctx.needs_input_grad
        v = ctx.value
        return (
            (g if nx else None),
            (g * (v * ctx.t2) if n1 else None),
            (g * (v * ctx.t1) if n2 else None),
        )


class Addcdiv(Function):
    """z = input + v·t1/t2; ∂z/∂input = 1, ∂z/∂t1 = v/t2, ∂z/∂t2 = −v·t1/t2²."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        _, n1, n2 = ctx.needs_input_grad
        if n1 or n2:
            ctx.t2 = t2
        if n2:
            ctx.t1 = t1
        ctx.value = value
        return x + value * t1 / t2

    @staticmethod
    def backward(ctx, g):
        nx, n1, n2 = ctx.needs_input_grad
        v = ctx.value
        g1 = g * v / ctx.t2 if n1 else None
        g2 = -g * v * ctx.t1 / (ctx.t2 * ctx.t2) if n2 else None
        return (g if nx else None), g1, g2


def _scalar_value(value, dtype):
    """``value`` as PyTorch uses it: converted to the result's dtype (an integer result
    truncates a float value)."""
    if isinstance(value, Tensor):
        value = value.item()
    return xp.dtype(dtype).type(value) if xp.dtype(dtype).kind != "b" else bool(value)


def addcmul(input: Tensor, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """input + value·tensor1⊙tensor2 (``torch.addcmul``), all three broadcast."""
    x, t1, t2 = promote(input, tensor1, tensor2)
    return _apply_many(Addcmul, "addcmul", x, t1, t2, value=_scalar_value(value, x.dtype))


def addcdiv(input: Tensor, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """input + value·tensor1/tensor2 (``torch.addcdiv``; floating-point tensors only)."""
    x, t1, t2 = promote(input, tensor1, tensor2)
    if x._data.dtype.kind != "f":
        raise TypeError(
            "addcdiv: integer division is not supported (as in PyTorch); convert the "
            "tensors to a floating point dtype first"
        )
    return _apply_many(Addcdiv, "addcdiv", x, t1, t2, value=_scalar_value(value, x.dtype))


def _apply_many(fn, name: str, *tensors, **options) -> Tensor:
    try:
        return fn.apply(*tensors, **options)
    except ValueError:
        try:
            xp.broadcast_shapes(*(t.shape for t in tensors))
        except ValueError:
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise ValueError(f"{name}: shapes {shapes} are not broadcastable") from None
        raise


# ---------------------------------------------------------------- clamp, nan_to_num
class Clamp(Function):
    """z = min(max(x, lo), hi) with tensor bounds. The gradient goes to x where
    lo ≤ x ≤ hi, to lo where x < lo < hi, to hi where x > hi or hi < lo (PyTorch's
    rule; with lo > hi the result is hi)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, *bounds, has_min=True, has_max=True):
        if has_min and has_max:
            lo, hi = bounds
            ctx.masks = ((x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo))
            return xp.minimum(xp.maximum(x, lo), hi)
        (bound,) = bounds
        if has_min:
            ctx.masks = (x >= bound, x < bound)
            return xp.maximum(x, bound)
        ctx.masks = (x <= bound, x > bound)
        return xp.minimum(x, bound)

    @staticmethod
    def backward(ctx, g):
        return tuple(
            xp.where(mask, g, 0) if need else None
            for mask, need in zip(ctx.masks, ctx.needs_input_grad)
        )


def clamp(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
    """min(max(x, min), max), element-wise (``torch.clamp``/``clip``). ``min`` and ``max``
    are numbers or tensors broadcast against x; tensor bounds get gradients too. The
    result has the promoted dtype (an integer tensor clamped by 0.5 is float32)."""
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        return _ew.clip(x, min, max)
    bounds = [b for b in (min, max) if b is not None]
    x, *bounds = promote(x, *bounds)
    return _apply_many(Clamp, "clamp", x, *bounds, has_min=min is not None, has_max=max is not None)


clip = clamp


def clamp_min(x: Tensor, min) -> Tensor:  # noqa: A002
    """max(x, min) (``torch.clamp_min``)."""
    return clamp(x, min=min)


def clamp_max(x: Tensor, max) -> Tensor:  # noqa: A002
    """min(x, max) (``torch.clamp_max``)."""
    return clamp(x, max=max)


class NanToNum(Function):
    """NaN → ``nan``, +∞ → ``posinf``, −∞ → ``neginf``; the gradient passes where x is
    finite and is 0 elsewhere (as in PyTorch)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        ctx.finite = xp.isfinite(x)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        return xp.where(ctx.finite, g, 0)


def nan_to_num(x: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """Replace NaN by ``nan`` and ±∞ by ``posinf``/``neginf`` (default: the dtype's
    largest/smallest finite value), as ``torch.nan_to_num``."""
    if x._data.dtype.kind != "f":
        return _new_tensor(x._data.copy())
    return NanToNum.apply(x, nan=nan, posinf=posinf, neginf=neginf)
