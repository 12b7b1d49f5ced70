"""Activation functions beyond the basic table in ``elementwise`` (concept NN-ACT), each
a single op with its derivative written next to it. Constants are Python floats so
float32 inputs stay float32."""

from __future__ import annotations

import math

from gradkit.autograd.function import Function, TensorBase
from gradkit.autograd.grad_mode import is_grad_enabled
from gradkit.backend import scratch, scratch_like, xp
from gradkit.ops.elementwise import _sigmoid, sigmoid

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_A = 0.044715

# erfc(z) = t·exp(P(t) − z²), t = 1/(1 + 0.385 z), z ≥ 0: a near-minimax polynomial fit of
# ln(erfc(z) e^{z²} / t) over z ∈ [0, 9.6] (beyond it Φ(−z√2) is below float32's range), error
# < 4.3e-8. With z = |x|/√2 the map is t = 1/(1 + _ERFC_T |x|); the constant coefficient has
# ln ½ folded in, so t·exp(P(t) − x²/2) is Φ(−|x|) itself. Coefficients highest first.
_ERFC_T = 0.385 * _INV_SQRT_2
_ERFC_COEFFS = (
    -0.23934085423118814, 1.142831488921583, -2.043295021366426, 1.6704050605246636,
    -0.856064166651585, 0.4790195011673305, 0.3670594336291724, 1.006575238895382,
    -1.5271907228243886 + math.log(0.5),
)  # fmt: skip
_CHUNK = 65536  # elements per chunk of the float32 paths: every temporary stays in cache


def erf(x):
    """Vectorized error function (``scipy.special.erf``, imported lazily)."""
    from scipy.special import erf as _erf

    return _erf(x)


def _chunked(fn, x, n_out: int):
    """Apply ``fn(x_chunk, out_chunks, tmp)`` to cache-sized chunks of ``x`` (flattened)
    and return the ``n_out`` results shaped like x; ``tmp`` is (3, chunk) scratch.

    A fresh multi-megabyte temporary costs more in page faults than the arithmetic on it,
    and passes over a chunk that stays in cache are several times faster than passes over
    the whole array, so the long ufunc chains of the float32 paths run chunk by chunk.
    """
    flat = xp.ascontiguousarray(x).reshape(-1)
    outs = [scratch(flat.shape, flat.dtype) for _ in range(n_out)]
    tmp = xp.empty((3, min(_CHUNK, flat.size)), dtype=flat.dtype)
    for start in range(0, flat.size, _CHUNK):
        xc = flat[start : start + _CHUNK]
        fn(xc, [o[start : start + _CHUNK] for o in outs], tmp[:, : xc.size])
    return [o.reshape(x.shape) for o in outs]


def _cdf_chunk(x, tmp):
    """Φ(x) for a float32 chunk, into ``tmp[0]``; leaves x²/2 in ``tmp[1]``.

    Φ(−|x|) = t·exp(P(t) − x²/2) from the erfc fit above, then Φ(x) = |Φ(−|x|) − [x ≥ 0]|:
    three passes of exact arithmetic instead of a masked select (which mispredicts branches
    and costs several passes), and no cancellation where Φ is small.
    """
    p, w, t = tmp
    xp.abs(x, out=w)
    xp.multiply(w, _ERFC_T, out=t)
    t += 1
    xp.reciprocal(t, out=t)
    xp.multiply(t, _ERFC_COEFFS[0], out=p)
    for c in _ERFC_COEFFS[1:-1]:
        p += c
        p *= t
    p += _ERFC_COEFFS[-1]
    xp.multiply(x, x, out=w)
    w *= 0.5
    p -= w
    xp.exp(p, out=p)
    p *= t  # Φ(−|x|)
    xp.greater_equal(x, 0, out=t, casting="unsafe")
    xp.subtract(p, t, out=p)
    xp.abs(p, out=p)  # |Φ(−|x|) − [x ≥ 0]| = Φ(x), exact where Φ is small
    return p


def normal_cdf(x):
    """Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF.

    float64 uses ``scipy.special.erf``. Narrower floats use the erfc fit above (error below
    float32 rounding; relative accuracy kept in the lower tail), evaluated with NumPy's
    vectorized ``exp`` through cache-sized chunks.
    """
    if x.dtype == xp.float64:
        return 0.5 * (1 + erf(x * _INV_SQRT_2))
    (out,) = _chunked(lambda xc, outs, tmp: xp.copyto(outs[0], _cdf_chunk(xc, tmp)), x, 1)
    return out


def _gelu_derivative(x, cdf, half_sq, out):
    """GELU'(x) = Φ(x) + x φ(x) with φ(x) = exp(−x²/2)/√(2π), given ``half_sq`` = x²/2."""
    xp.subtract(-_LOG_SQRT_2PI, half_sq, out=out)
    xp.exp(out, out=out)
    out *= x
    out += cdf
    return out


def _gelu_chunk(x, outs, tmp):
    """y = x Φ(x) into ``outs[0]`` and, if asked for, GELU'(x) into ``outs[1]``."""
    cdf = _cdf_chunk(x, tmp)
    xp.multiply(x, cdf, out=outs[0])
    if len(outs) > 1:
        _gelu_derivative(x, cdf, tmp[1], outs[1])


class BinaryStep(Function):
    """y = 1 if x ≥ threshold else 0; dy/dx = 0 (almost everywhere)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, threshold=0.0):
        ctx.shape, ctx.dtype = x.shape, x.dtype
        return (x >= threshold).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, TensorBase):
            return g * 0  # a recorded zero, so create_graph keeps Tensors throughout
        return xp.zeros(ctx.shape, dtype=g.dtype)


class LeakyReLU(Function):
    """y = x if x > 0 else a·x; dy/dx = 1 or a (piecewise constant, so d²y/dx² = 0)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        pos = x > 0
        ctx.pos, ctx.slope = pos, negative_slope
        return xp.where(pos, x, x * negative_slope)

    @staticmethod
    def backward(ctx, g):
        return xp.where(ctx.pos, g, g * ctx.slope)


class ELU(Function):
    """y = s·x if x > 0 else s·α(e^{βx} − 1), s = ``scale``, β = ``input_scale``
    (ELU: s = β = 1; SELU: PyTorch's fixed s, α; CELU: β = 1/α);
    dy/dx = s or s·α·β·e^{βx}, the latter also at the kink x = 0.

    The backward reads e^{βx} saved by the forward (not y + α, which cancels where e^{βx}
    is tiny); with ``create_graph`` it recomputes e^{βx} from x as a recorded op, from
    where(x < 0, x, 0), so the second derivative is 0 at x = 0 as in PyTorch."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, alpha=1.0, scale=1.0, input_scale=1.0):
        pos = x > 0
        neg = xp.minimum(x, 0)
        if input_scale != 1:
            neg = neg * input_scale
        y = xp.where(pos, x, alpha * xp.expm1(neg))
        if scale != 1:
            y = y * scale
        ctx.x, ctx.pos, ctx.opts = x, pos, (alpha, scale, input_scale)
        ctx.e = xp.exp(neg)
        return y

    @staticmethod
    def backward(ctx, g):
        alpha, scale, input_scale = ctx.opts
        e = ctx.e
        if isinstance(g, TensorBase):
            neg = xp.where(ctx.x < 0, ctx.x, 0)
            e = xp.exp(neg * input_scale if input_scale != 1 else neg)
        return xp.where(ctx.pos, g * scale, g * (scale * alpha * input_scale) * e)


class GELU(Function):
    """Exact: y = x Φ(x), Φ(x) = ½(1 + erf(x/√2)); dy/dx = Φ(x) + x φ(x).

    Tanh approximation: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³);
    dy/dx = ½(1 + tanh u) + ½x(1 − tanh² u)·√(2/π)(1 + 3·0.044715x²).

    The exact form computes dy/dx in the forward pass while Φ(x) and x²/2 are at hand
    (when the graph is being recorded), so the backward is one product g · dy/dx. With
    ``create_graph`` the backward is g · :class:`GELUDerivative` (x), itself differentiable.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.x, ctx.approximate = x, approximate
        if approximate == "tanh":
            ctx.t = xp.tanh(_SQRT_2_OVER_PI * (x + _GELU_A * x * x * x))
            ctx.d = None
            return 0.5 * x * (1 + ctx.t)
        need_grad = is_grad_enabled()
        if x.dtype == xp.float64:
            cdf = normal_cdf(x)
            y = x * cdf
            d = _gelu_derivative(x, cdf, 0.5 * x * x, xp.empty_like(x)) if need_grad else None
        else:
            y, *d = _chunked(_gelu_chunk, x, 2 if need_grad else 1)
            d = d[0] if d else None
        ctx.d = d
        return y

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, TensorBase):
            return g * GELUDerivative.apply(ctx.x, approximate=ctx.approximate)
        if ctx.d is not None:
            return xp.multiply(g, ctx.d, out=scratch_like(ctx.d))
        x, t = ctx.x, ctx.t
        du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_A * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)


class GELUDerivative(Function):
    """d = GELU'(x), the op behind GELU's double backward.

    Exact: d = Φ(x) + x φ(x), d' = φ(x)(2 − x²) with φ(x) = e^{−x²/2}/√(2π).
    Tanh approximation, with t = tanh u, u = √(2/π)(x + a x³), u' = √(2/π)(1 + 3a x²):
    d = ½(1 + t) + ½x(1 − t²)u',  d' = (1 − t²)(u' − x t u'² + 3√(2/π) a x²).
    d' is written with NumPy calls on the saved input, so it differentiates again.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.x, ctx.approximate = x, approximate
        if approximate == "tanh":
            t = xp.tanh(_SQRT_2_OVER_PI * (x + _GELU_A * x * x * x))
            du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_A * x * x)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
        return _gelu_derivative(x, normal_cdf(x), 0.5 * x * x, xp.empty_like(x))

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if ctx.approximate == "tanh":
            t = xp.tanh(_SQRT_2_OVER_PI * (x + _GELU_A * x * x * x))
            du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_A * x * x)
            return g * (
                (1 - t * t) * (du - x * t * du * du + (3 * _SQRT_2_OVER_PI * _GELU_A) * x * x)
            )
        return g * (xp.exp(x * x * -0.5) * _INV_SQRT_2PI * (2 - x * x))


class Swish(Function):
    """y = x σ(βx) (SiLU when β = 1); dy/dx = σ(βx) + βx σ(βx)(1 − σ(βx))."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, beta=1.0):
        s = _sigmoid(x * beta if beta != 1 else x)
        ctx.x, ctx.s, ctx.beta = x, s, beta
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, beta = ctx.x, ctx.beta
        s = sigmoid(x * beta if beta != 1 else x) if isinstance(g, TensorBase) else ctx.s
        return g * (s + beta * x * s * (1 - s))


class Softsign(Function):
    """y = x / (1 + |x|); dy/dx = 1 / (1 + |x|)²."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        d = 1 + xp.abs(x)
        ctx.x, ctx.d = x, d
        return x / d

    @staticmethod
    def backward(ctx, g):
        d = 1 + xp.abs(ctx.x) if isinstance(g, TensorBase) else ctx.d
        return g / (d * d)


class Softplus(Function):
    """y = (1/β) ln(1 + e^{βx}), and y = x where βx > threshold (as PyTorch);
    dy/dx = σ(βx) (1 above the threshold). Evaluated as max(βx, 0) + ln(1 + e^{−|βx|})
    so it never overflows."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        bx = x * beta if beta != 1 else x
        linear = bx > threshold
        soft = xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))
        if beta != 1:
            soft = soft / beta
        ctx.x, ctx.bx, ctx.linear, ctx.beta = x, bx, linear, beta
        return xp.where(linear, x, soft)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, TensorBase):
            x, beta = ctx.x, ctx.beta
            return xp.where(ctx.linear, g, g * sigmoid(x * beta if beta != 1 else x))
        return xp.where(ctx.linear, g, g * _sigmoid(ctx.bx))


def _softplus(x):
    """ln(1 + eˣ) = max(x, 0) + ln(1 + e^{−|x|}), without overflow; NumPy calls only, so
    it also runs on Tensors."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


class Mish(Function):
    """y = x tanh(softplus(x)); dy/dx = t + x σ(x)(1 − t²) with t = tanh(softplus(x))."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        t = xp.tanh(_softplus(x))
        ctx.x, ctx.t = x, t
        return x * t

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if isinstance(g, TensorBase):
            t, s = xp.tanh(_softplus(x)), sigmoid(x)
        else:
            t, s = ctx.t, _sigmoid(x)
        return g * (t + x * s * (1 - t * t))


class LogSigmoid(Function):
    """y = ln σ(x) = −softplus(−x) = min(x, 0) − ln(1 + e^{−|x|}); dy/dx = σ(−x)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, TensorBase):
            return g * sigmoid(-ctx.x)
        return g * _sigmoid(-ctx.x)
