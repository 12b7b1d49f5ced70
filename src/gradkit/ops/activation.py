"""Activation functions beyond the basic table in ``elementwise`` (concept NN-ACT), each
a single op with its derivative written next to it. Constants are Python floats so
float32 inputs stay float32."""

from __future__ import annotations

import math

from gradkit.backend import xp
from gradkit.ops.elementwise import _sigmoid
from gradkit.tensor import Function

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def erf(x):
    """Vectorized error function (``scipy.special.erf``, imported lazily)."""
    from scipy.special import erf as _erf

    return _erf(x)


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
        cdf = 0.5 * (1 + erf(x * _INV_SQRT_2))
        ctx.cdf = cdf
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if ctx.approximate == "tanh":
            t = ctx.t
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        pdf = _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
        return g * (ctx.cdf + x * pdf)


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
