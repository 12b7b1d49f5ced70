"""Element-wise ops: arithmetic, the unary math table, activations, maximum/minimum,
clip and where. Gradients may keep the output's broadcast shape; the engine reduces them.
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor as _new_tensor
from gradkit.backend import xp


def lift(value, like: Tensor) -> Tensor:
    """Turn a Python/NumPy scalar or array into a constant tensor. Python scalars take
    ``like``'s float dtype so ``float32_tensor * 2.0`` stays float32."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float)) and like._data.dtype.kind == "f":
        return _new_tensor(xp.asarray(value, dtype=like._data.dtype))
    return Tensor(value)


def check_broadcast(op: str, a, b) -> None:
    """Raise a clear error when two shapes cannot broadcast (concept T-HADAMARD)."""
    try:
        xp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} are not broadcastable "
            "(each trailing dimension must be equal or 1)."
        ) from None


# ---------------------------------------------------------------- binary arithmetic
class Add(Function):
    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    differentiable_backward = True
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
    differentiable_backward = True
    """z = aᵇ; ∂z/∂a = b·aᵇ⁻¹, ∂z/∂b = aᵇ·ln a."""

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.a, ctx.b, ctx.out = a, b, out
        return out

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        a, b = ctx.a, ctx.b
        ga = g * b * a ** (b - 1) if na else None
        if nb:
            with xp.errstate(divide="ignore", invalid="ignore"):
                gb = g * ctx.out * xp.where(a > 0, xp.log(xp.where(a > 0, a, 1)), 0)
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
        return g * (p * ctx.a ** (p - 1))


class Maximum(Function):
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
def add(a, b) -> Tensor:
    a, b = _pair(a, b)
    return _checked(Add, "add", a, b)


def sub(a, b) -> Tensor:
    a, b = _pair(a, b)
    return _checked(Sub, "sub", a, b)


def mul(a, b) -> Tensor:
    """Element-wise (Hadamard) product; shapes must be equal or broadcastable."""
    a, b = _pair(a, b)
    return _checked(Mul, "mul", a, b)


def div(a, b) -> Tensor:
    a, b = _pair(a, b)
    return _checked(Div, "div", a, b)


def pow(a, b) -> Tensor:  # noqa: A001 - mirrors torch.pow
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        if a._data.dtype.kind == "f":
            b = a._data.dtype.type(b)
        return PowScalar.apply(a, p=b)
    a, b = _pair(a, b)
    return _checked(Pow, "pow", a, b)


def maximum(a, b) -> Tensor:
    a, b = _pair(a, b)
    return _checked(Maximum, "maximum", a, b)


def minimum(a, b) -> Tensor:
    a, b = _pair(a, b)
    return _checked(Minimum, "minimum", a, b)


def clip(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
    if min is None and max is None:
        raise ValueError("clip needs at least one of min and max")
    return Clip.apply(x, lo=min, hi=max)


def where(cond, a, b) -> Tensor:
    """Choose ``a`` where ``cond`` is true, else ``b`` (differentiable in a and b)."""
    cond = cond._data if isinstance(cond, Tensor) else xp.asarray(cond)
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    a, b = lift(a, like), lift(b, like)
    return Where.apply(a, b, cond=cond.astype(bool, copy=False))


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)


def exp(x: Tensor) -> Tensor:
    return Exp.apply(x)


def log(x: Tensor) -> Tensor:
    return Log.apply(x)


def log1p(x: Tensor) -> Tensor:
    return Log1p.apply(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001
    return Abs.apply(x)


def sin(x: Tensor) -> Tensor:
    return Sin.apply(x)


def cos(x: Tensor) -> Tensor:
    return Cos.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(x)


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(x)


def relu(x: Tensor) -> Tensor:
    return Relu.apply(x)


def _pair(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as tensors; an integer or bool tensor meeting a float one takes the
    float's dtype (PyTorch's promotion: ``float32 ** int64`` stays float32)."""
    if isinstance(a, Tensor):
        b = lift(b, a)
    else:
        a = lift(a, b)
    da, db = a._data.dtype, b._data.dtype
    if da is not db:
        if da.kind == "f" and db.kind in "biu":
            b = _new_tensor(b._data.astype(da))
        elif db.kind == "f" and da.kind in "biu":
            a = _new_tensor(a._data.astype(db))
    return a, b


def _checked(fn, name: str, a: Tensor, b: Tensor) -> Tensor:
    try:
        return fn.apply(a, b)
    except ValueError:
        check_broadcast(name, a._data, b._data)  # raises the clear message if shapes clash
        raise


class Remainder(Function):
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


class Clone(Function):
    """y = x in new storage; the gradient passes unchanged."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


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


class Cast(Function):
    differentiable_backward = True
    """Convert between float dtypes; the gradient is cast back."""

    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype)


# ---------------------------------------------------------------- reflected operators
def radd(self, other) -> Tensor:
    return add(lift(other, self), self)


def rsub(self, other) -> Tensor:
    return sub(lift(other, self), self)


def rmul(self, other) -> Tensor:
    return mul(lift(other, self), self)


def rdiv(self, other) -> Tensor:
    return div(lift(other, self), self)


def rpow(self, other) -> Tensor:
    return pow(lift(other, self), self)


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


def _rounding(fn):
    def rounded(x: Tensor) -> Tensor:
        if x._data.dtype.kind != "f":
            return _new_tensor(fn(x._data))
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


def remainder(a, b) -> Tensor:
    """``a % b`` with the sign of the divisor (``torch.remainder``)."""
    a, b = _pair(a, b)
    if a._data.dtype.kind != "f":
        return _new_tensor(xp.asarray(xp.mod(a._data, b._data)))
    return _checked(Remainder, "remainder", a, b)


def floor_divide(a, b) -> Tensor:
    """``a // b`` rounded toward −∞ (``torch.floor_divide``); its gradient is 0."""
    a, b = _pair(a, b)
    if a._data.dtype.kind != "f":
        return _new_tensor(xp.asarray(xp.floor_divide(a._data, b._data)))
    return floor(div(a, b))


def rremainder(self, other) -> Tensor:
    return remainder(lift(other, self), self)


def rfloor_divide(self, other) -> Tensor:
    return floor_divide(lift(other, self), self)
