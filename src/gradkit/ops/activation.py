"""Activation functions beyond the basic table in ``elementwise`` (concept NN-ACT), each
a single op with its derivative written next to it. Constants are Python floats so
float32 inputs stay float32."""

from __future__ import annotations

import math

from gradkit.backend import scratch, scratch_like, xp
from gradkit.ops.elementwise import _sigmoid
from gradkit.tensor import Function

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# Chebyshev fit of erfc (Numerical Recipes, ``erfcc``): erfc(z) = t·exp(−z² + P(t)),
# t = 1/(1 + z/2), z ≥ 0, relative error < 1.2e-7 everywhere. Coefficients of P, highest first.
_CHUNK = 65536  # elements per chunk of normal_cdf's float32 path
_ERFC_COEFFS = (
    0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
    -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223,
)  # fmt: skip


def erf(x):
    """Vectorized error function (``scipy.special.erf``, imported lazily)."""
    from scipy.special import erf as _erf

    return _erf(x)


def normal_cdf(x):
    """Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF.

    float64 uses ``scipy.special.erf``. Narrower floats use the erfc fit above, whose
    error (< 1.2e-7 relative) is below float32 rounding and which runs on NumPy's
    vectorized ``exp``: with z = |x|/√2, Φ(x) = ½ erfc(z) for x < 0 and 1 − ½ erfc(z)
    otherwise. It works through cache-sized chunks, so its temporaries stay small (a fresh
    multi-megabyte temporary costs more in page faults than the arithmetic on it).
    """
    if x.dtype == xp.float64:
        return 0.5 * (1 + erf(x * _INV_SQRT_2))
    flat = xp.ascontiguousarray(x).reshape(-1)
    out = scratch(flat.shape, flat.dtype)
    n = min(_CHUNK, flat.size)
    t_buf, p_buf, w_buf = (xp.empty(n, dtype=flat.dtype) for _ in range(3))
    for start in range(0, flat.size, _CHUNK):
        xc, oc = flat[start : start + _CHUNK], out[start : start + _CHUNK]
        m = xc.size
        t, p, w = t_buf[:m], p_buf[:m], w_buf[:m]
        xp.abs(xc, out=t)
        t *= 0.5 * _INV_SQRT_2
        t += 1
        xp.reciprocal(t, out=t)  # t = 1/(1 + z/2)
        xp.multiply(t, _ERFC_COEFFS[0], out=p)
        for c in _ERFC_COEFFS[1:-1]:
            p += c
            p *= t
        p += _ERFC_COEFFS[-1]
        xp.multiply(xc, xc, out=w)
        w *= 0.5
        p -= w
        xp.exp(p, out=p)
        p *= t
        p *= 0.5  # ½ erfc(z) = Φ(−|x|)
        # Select Φ = p where x < 0 and 1 − p elsewhere with exact arithmetic on a 0/1
        # mask (a masked copy mispredicts branches and costs ~10 element passes).
        neg = xp.less(xc, 0, out=t, casting="unsafe")
        xp.subtract(1, p, out=oc)
        xp.multiply(oc, neg, out=w)
        oc -= w
        p *= neg
        oc += p
    return out.reshape(x.shape)


class BinaryStep(Function):
    """y = 1 if x ≥ threshold else 0; dy/dx = 0 (almost everywhere)."""

    @staticmethod
    def forward(ctx, x, threshold=0.0):
        ctx.shape, ctx.dtype = x.shape, x.dtype
        return (x >= threshold).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        return xp.zeros(ctx.shape, dtype=g.dtype)


class LeakyReLU(Function):
    """y = x if x > 0 else a·x; dy/dx = 1 or a."""

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        pos = x > 0
        ctx.pos, ctx.slope = pos, negative_slope
        return xp.where(pos, x, x * negative_slope)

    @staticmethod
    def backward(ctx, g):
        return xp.where(ctx.pos, g, g * ctx.slope)


class ELU(Function):
    """y = x if x > 0 else α(eˣ − 1); dy/dx = 1 or αeˣ = y + α."""

    @staticmethod
    def forward(ctx, x, alpha=1.0):
        pos = x > 0
        y = xp.where(pos, x, alpha * xp.expm1(xp.minimum(x, 0)))
        ctx.pos, ctx.y, ctx.alpha = pos, y, alpha
        return y

    @staticmethod
    def backward(ctx, g):
        return xp.where(ctx.pos, g, g * (ctx.y + ctx.alpha))


class GELU(Function):
    """Exact: y = x Φ(x), Φ(x) = ½(1 + erf(x/√2)); dy/dx = Φ(x) + x φ(x).

    Tanh approximation: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³);
    dy/dx = ½(1 + tanh u) + ½x(1 − tanh² u)·√(2/π)(1 + 3·0.044715x²).
    """

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.x, ctx.approximate = x, approximate
        if approximate == "tanh":
            t = xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))
            ctx.t = t
            return 0.5 * x * (1 + t)
        cdf = normal_cdf(x)
        ctx.cdf = cdf
        return xp.multiply(x, cdf, out=scratch_like(x))

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if ctx.approximate == "tanh":
            t = ctx.t
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        xf, gf = (xp.ascontiguousarray(a).reshape(-1) for a in (x, g))
        cdf = ctx.cdf.reshape(-1)
        d = scratch(xf.shape, xp.result_type(x, g))
        for start in range(0, xf.size, _CHUNK):  # cache-sized chunks, as in normal_cdf
            xc, dc = xf[start : start + _CHUNK], d[start : start + _CHUNK]
            xp.multiply(xc, xc, out=dc)  # becomes ∂L/∂x = g (Φ(x) + x φ(x)) in place
            dc *= -0.5
            xp.exp(dc, out=dc)
            dc *= xc
            dc *= _INV_SQRT_2PI
            dc += cdf[start : start + _CHUNK]
            dc *= gf[start : start + _CHUNK]
        return d.reshape(x.shape)


class Swish(Function):
    """y = x σ(βx) (SiLU when β = 1); dy/dx = σ(βx) + βx σ(βx)(1 − σ(βx))."""

    @staticmethod
    def forward(ctx, x, beta=1.0):
        s = _sigmoid(x * beta if beta != 1 else x)
        ctx.x, ctx.s, ctx.beta = x, s, beta
        return x * s

    @staticmethod
    def backward(ctx, g):
        s = ctx.s
        return g * (s + ctx.beta * ctx.x * s * (1 - s))


class Softsign(Function):
    """y = x / (1 + |x|); dy/dx = 1 / (1 + |x|)²."""

    @staticmethod
    def forward(ctx, x):
        d = 1 + xp.abs(x)
        ctx.d = d
        return x / d

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.d * ctx.d)


class Softplus(Function):
    """y = (1/β) ln(1 + e^{βx}), and y = x where βx > threshold (as PyTorch);
    dy/dx = σ(βx) (1 above the threshold). Evaluated as max(βx, 0) + ln(1 + e^{−|βx|})
    so it never overflows."""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        bx = x * beta if beta != 1 else x
        linear = bx > threshold
        soft = xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))
        if beta != 1:
            soft = soft / beta
        ctx.bx, ctx.linear = bx, linear
        return xp.where(linear, x, soft)

    @staticmethod
    def backward(ctx, g):
        return xp.where(ctx.linear, g, g * _sigmoid(ctx.bx))
