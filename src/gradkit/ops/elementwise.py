"""Element-wise ops: arithmetic, the unary math table, activations, maximum/minimum,
clip and where. Gradients may keep the output's broadcast shape; the engine reduces them.

Operands are promoted with PyTorch's rules (:mod:`gradkit.ops.promotion`). Rounding and
integer division live in :mod:`gradkit.ops.rounding` (re-exported here, where the Tensor
methods find them); further math in :mod:`gradkit.ops.math`.
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor as _new_tensor
from gradkit.backend import result_type, xp
from gradkit.ops.promotion import (  # noqa: F401 - Cast is used via this module
    Cast,
    _operand,
    as_float,
    cast,
    check_broadcast,
    lift,
    promote,
)
from gradkit.ops.promotion import pair as _pair
from gradkit.ops.rounding import (  # noqa: F401 - the Tensor methods find them here
    Remainder,
    Rounding,
    ceil,
    floor,
    floor_divide,
    remainder,
    rfloor_divide,
    round,
    rounded_div,
    rremainder,
    sign,
    trunc,
)


# ---------------------------------------------------------------- binary arithmetic
class Add(Function):
    differentiable_backward = True
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    differentiable_backward = True
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    differentiable_backward = True
    broadcasts = True
    """z = a ⊙ b; ∂z/∂a = b, ∂z/∂b = a."""

    @staticmethod
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad
        if na:
            ctx.b = b
        if nb:
            ctx.a = a
        return a * b

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        return (g * ctx.b if na else None), (g * ctx.a if nb else None)


class Div(Function):
    broadcasts = True
    differentiable_backward = True
    """z = a / b; ∂z/∂a = 1/b, ∂z/∂b = −a/b²."""

    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad[1]:
            ctx.a = a
        ctx.b = b
        return a / b

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        ga = g / ctx.b if na else None
        gb = -g * ctx.a / (ctx.b * ctx.b) if nb else None
        return ga, gb


class Pow(Function):
    broadcasts = True
    differentiable_backward = True
    """z = aᵇ; ∂z/∂a = b·aᵇ⁻¹, ∂z/∂b = aᵇ·ln a."""

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.a, ctx.b, ctx.out = a, b, out
        return out

    @staticmethod
    def backward(ctx, g):
        # PyTorch's formulas: ∂a is 0 where b = 0 (also at a = 0); ∂b is 0 where a = 0
        # and b ≥ 0, and a NaN for a negative base (ln a is undefined there).
        na, nb = ctx.needs_input_grad
        a, b = ctx.a, ctx.b
        with xp.errstate(divide="ignore", invalid="ignore"):
            ga = xp.where(b == 0, 0, g * b * a ** (b - 1)) if na else None
            if nb:
                gb = xp.where(xp.logical_and(a == 0, b >= 0), 0, g * ctx.out * xp.log(a))
            else:
                gb = None
        return ga, gb


class PowScalar(Function):
    differentiable_backward = True
    """z = aᵖ for a constant p; ∂z/∂a = p·aᵖ⁻¹."""

    @staticmethod
    def forward(ctx, a, p):
        ctx.a, ctx.p = a, p
        return a**p

    @staticmethod
    def backward(ctx, g):
        p = ctx.p
        if p == 2:
            return g * (2 * ctx.a)
        if p == 0:  # x⁰ = 1 everywhere: gradient 0, also at x = 0 (not 0·0⁻¹ = NaN)
            return xp.zeros_like(g)
        return g * (p * ctx.a ** (p - 1))


class Maximum(Function):
    broadcasts = True
    differentiable_backward = True
    """Element-wise max; at ties each input gets half the gradient (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        return _split_by_winner(g, ctx.a > ctx.b, ctx.a == ctx.b)


class Minimum(Function):
    broadcasts = True
    differentiable_backward = True
    """Element-wise min; at ties each input gets half the gradient (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        return _split_by_winner(g, ctx.a < ctx.b, ctx.a == ctx.b)


def _split_by_winner(g, a_wins, tie):
    share_a = a_wins + 0.5 * tie
    share_a = share_a.astype(g.dtype, copy=False)
    return g * share_a, g * (1 - share_a)


class Clip(Function):
    differentiable_backward = True
    """z = min(max(x, lo), hi); gradient passes where lo ≤ x ≤ hi."""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        inside = xp.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        ctx.inside = inside
        return xp.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inside


class Where(Function):
    differentiable_backward = True
    """z = cond ? a : b (``cond`` is a constant boolean array)."""

    @staticmethod
    def forward(ctx, a, b, cond=None):
        ctx.cond = cond
        return xp.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        zero = xp.zeros((), dtype=g.dtype)
        ga = xp.where(ctx.cond, g, zero) if na else None
        gb = xp.where(ctx.cond, zero, g) if nb else None
        return ga, gb


# ---------------------------------------------------------------- unary table
class Neg(Function):
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


def _unary(name: str, formula: str, forward, backward, save: str):
    """Build a one-input Function. ``save`` is "x" (backward needs the input) or "y"
    (it needs the output); ``backward(saved, g)`` returns the input gradient."""

    if save == "x":

        def fwd(ctx, x):
            ctx.saved = x
            return forward(x)
    else:

        def fwd(ctx, x):
            y = forward(x)
            ctx.saved = y
            return y

    def bwd(ctx, g):
        return backward(ctx.saved, g)

    doc = f"{name}: {formula}"
    return type(
        name,
        (Function,),
        {
            "forward": staticmethod(fwd),
            "backward": staticmethod(bwd),
            "__doc__": doc,
            "differentiable_backward": True,
        },
    )


def _sigmoid(x):
    """σ(x) = 1/(1+e^−x), evaluated without overflow for large |x|."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sign(x):
    return xp.sign(x)


Exp = _unary("Exp", "y = eˣ, dy/dx = y", xp.exp, lambda y, g: g * y, "y")
Log = _unary("Log", "y = ln x, dy/dx = 1/x", xp.log, lambda x, g: g / x, "x")
Log1p = _unary("Log1p", "y = ln(1+x), dy/dx = 1/(1+x)", xp.log1p, lambda x, g: g / (1 + x), "x")
Sqrt = _unary("Sqrt", "y = √x, dy/dx = 1/(2y)", xp.sqrt, lambda y, g: g / (2 * y), "y")
Abs = _unary("Abs", "y = |x|, dy/dx = sign(x)", xp.abs, lambda x, g: g * _sign(x), "x")
Sin = _unary("Sin", "y = sin x, dy/dx = cos x", xp.sin, lambda x, g: g * xp.cos(x), "x")
Cos = _unary("Cos", "y = cos x, dy/dx = −sin x", xp.cos, lambda x, g: -g * xp.sin(x), "x")
Sigmoid = _unary(
    "Sigmoid", "y = 1/(1+e^−x), dy/dx = y(1−y)", _sigmoid, lambda y, g: g * y * (1 - y), "y"
)
Tanh = _unary("Tanh", "y = tanh x, dy/dx = 1 − y²", xp.tanh, lambda y, g: g * (1 - y * y), "y")
Relu = _unary(
    "Relu",
    "y = max(0, x), dy/dx = [x > 0]",
    lambda x: xp.maximum(x, 0),
    lambda y, g: g * (y > 0),
    "y",
)


# ---------------------------------------------------------------- functional forms
def _operands(a, b) -> tuple[Tensor, Tensor]:
    """:func:`~gradkit.ops.promotion.pair` with the two common cases first: a float
    tensor and a Python number (which takes the tensor's dtype), or two tensors of one
    dtype (nothing to do)."""
    if isinstance(a, Tensor):
        kind = b.__class__
        if kind is float or kind is int:
            dtype = a._data.dtype
            if dtype.kind == "f":
                return a, _new_tensor(xp.asarray(b, dtype=dtype))
        elif isinstance(b, Tensor) and a._data.dtype is b._data.dtype:
            return a, b
    return _pair(a, b)


# add, sub and mul run on every training step: their operands take _operands' fast
# path, and a shape clash is explained by Function.apply only once it happened.
def add(a, b) -> Tensor:
    return Add.apply(*_operands(a, b))


def _is_bool(x) -> bool:
    if isinstance(x, Tensor):
        return x._data.dtype.kind == "b"
    return isinstance(x, (bool, xp.bool_))


def sub(a, b) -> Tensor:
    if _is_bool(a) or _is_bool(b):  # PyTorch refuses, whatever the other operand is
        both = _is_bool(a) and _is_bool(b)
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
            if both
            else "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
            "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Sub.apply(*_operands(a, b))


def mul(a, b) -> Tensor:
    """Element-wise (Hadamard) product; shapes must be equal or broadcastable."""
    return Mul.apply(*_operands(a, b))


def div(a, b, *, rounding_mode: str | None = None) -> Tensor:
    """a / b. True division by default (bool and integer tensors give the default float
    dtype, as in PyTorch); ``rounding_mode="trunc"`` rounds toward zero, ``"floor"``
    toward −∞ (integer tensors then stay integer; the gradient is 0)."""
    if rounding_mode is not None:
        return rounded_div(*_operands(a, b), rounding_mode)
    # true division on integers or bools is done in the default float dtype, each tensor
    # converted before a Python int meets it (int8 / 300 is 0.01, not 3 / 44)
    float_tensor = (isinstance(a, Tensor) and a._data.dtype.kind in "fc") or (
        isinstance(b, Tensor) and b._data.dtype.kind in "fc"
    )
    if not float_tensor and result_type(a, b).kind in "biu":
        a, b = (as_float(t) if isinstance(t, Tensor) else t for t in (a, b))
    a, b = _operands(a, b)
    return Div.apply(a, b)


def pow(a, b) -> Tensor:  # noqa: A001 - mirrors torch.pow
    """aᵇ. A bool or integer tensor to a Python int stays integer (bool becomes int64),
    to a Python float becomes the default float dtype, as in PyTorch."""
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        kind = a._data.dtype.kind
        if kind == "f":
            b = a._data.dtype.type(b)
        elif kind in "biu":
            if isinstance(b, float):
                a = as_float(a)
                b = a._data.dtype.type(b)
            elif kind == "b":
                a = _new_tensor(a._data.astype(xp.int64))
        return PowScalar.apply(a, p=b)
    a, b = _pair(a, b)
    if a._data.dtype.kind == "b":
        a, b = (_new_tensor(t._data.astype(xp.int64)) for t in (a, b))
    if a._data.dtype.kind in "iu" and (b._data < 0).any():
        return _int_pow_negative(a, b)
    return Pow.apply(a, b)


def _int_pow_negative(a: Tensor, b: Tensor) -> Tensor:
    """Integer aᵇ with some b < 0, as PyTorch computes it (NumPy refuses): where b < 0
    the result is 1 for a = 1, ±1 for a = −1 (by the parity of b), else 0."""
    base, exp = xp.broadcast_arrays(a._data, b._data)
    out = base ** xp.maximum(exp, 0)
    neg = exp < 0
    one = xp.where(exp % 2 == 0, 1, -1).astype(out.dtype)
    out[neg] = xp.where(base == 1, 1, xp.where(base == -1, one, 0))[neg]
    return _new_tensor(out)


def maximum(a, b) -> Tensor:
    a, b = _operands(a, b)
    return Maximum.apply(a, b)


def minimum(a, b) -> Tensor:
    a, b = _operands(a, b)
    return Minimum.apply(a, b)


def clip(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
    """min(max(x, min), max) (``torch.clamp``/``clip``). The bounds are numbers or
    tensors (broadcast against x); with tensor bounds the gradient reaches them too
    (:func:`gradkit.ops.math.clamp`)."""
    if min is None and max is None:
        raise ValueError("clamp needs at least one of min and max")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from gradkit.ops.math import clamp  # tensor bounds: a rarer, separate op

        return clamp(x, min, max)
    if x._data.dtype.kind in "biu" and (isinstance(min, float) or isinstance(max, float)):
        x = cast(x, result_type(x, *(v for v in (min, max) if v is not None)))
    return Clip.apply(x, lo=min, hi=max)


def where(cond, a, b) -> Tensor:
    """Choose ``a`` where ``cond`` is true, else ``b`` (differentiable in a and b); the
    result has the promoted dtype of a and b, as in PyTorch."""
    cond = cond._data if isinstance(cond, Tensor) else xp.asarray(cond)
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    ta, tb = lift(a, like), lift(b, like)
    if ta._data.dtype is not tb._data.dtype:
        ta, tb = promote(_operand(a, ta), _operand(b, tb))
    return Where.apply(ta, tb, cond=cond.astype(bool, copy=False))


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)


def exp(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Exp.apply(x)


def log(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Log.apply(x)


def log1p(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Log1p.apply(x)


def sqrt(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Sqrt.apply(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001
    return Abs.apply(x)


def sin(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Sin.apply(x)


def cos(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Cos.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Sigmoid.apply(x)


def tanh(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "biu":
        x = as_float(x)
    return Tanh.apply(x)


def relu(x: Tensor) -> Tensor:
    return Relu.apply(x)


class Clone(Function):
    """y = x in new storage; the gradient passes unchanged."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class MaskedFill(Function):
    """y = where(mask, value, x); the gradient reaches x where the mask is false."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, mask=None, value=0.0):
        ctx.mask = mask
        return xp.where(mask, xp.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        return xp.where(ctx.mask, 0, g)


# ---------------------------------------------------------------- reflected operators
def radd(self, other) -> Tensor:
    return add(other, self)


def rsub(self, other) -> Tensor:
    return sub(other, self)


def rmul(self, other) -> Tensor:
    return mul(other, self)


def rdiv(self, other) -> Tensor:
    return div(other, self)


def rpow(self, other) -> Tensor:
    return pow(other, self)


# ---------------------------------------------------------------- comparisons (no graph)
def _comparison(ufunc):
    def compare(a, b) -> Tensor:
        if not isinstance(b, _COMPARABLE):
            return NotImplemented
        a = a._data if isinstance(a, Tensor) else a
        b = b._data if isinstance(b, Tensor) else b
        return _new_tensor(xp.asarray(ufunc(a, b)))

    compare.__name__ = ufunc.__name__
    compare.__doc__ = f"Element-wise ``numpy.{ufunc.__name__}`` as a bool tensor (no graph)."
    return compare


_COMPARABLE = (Tensor, xp.ndarray, xp.generic, int, float, bool, complex, list, tuple)
eq = _comparison(xp.equal)
ne = _comparison(xp.not_equal)
lt = _comparison(xp.less)
le = _comparison(xp.less_equal)
gt = _comparison(xp.greater)
ge = _comparison(xp.greater_equal)


def masked_fill(x: Tensor, mask, value) -> Tensor:
    """``value`` where ``mask`` is true, else ``x`` (``mask`` broadcasts against ``x``)."""
    mask = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
    if mask.dtype != xp.bool_:
        raise TypeError(f"masked_fill: the mask must be a bool tensor, got {mask.dtype}")
    try:
        shape = xp.broadcast_shapes(mask.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(
            f"masked_fill: mask of shape {tuple(mask.shape)} does not broadcast to the "
            f"tensor's shape {tuple(x.shape)}"
        )
    if isinstance(value, Tensor):
        if value.requires_grad:
            return where(mask, value, x)
        value = value._data
    return MaskedFill.apply(x, mask=mask, value=value)
