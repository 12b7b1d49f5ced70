"""Piecewise-linear activations (concept NN-ACT) with PyTorch's values and derivatives at
the kinks: hardtanh (and relu6), hardsigmoid, hardswish, softshrink, hardshrink and
threshold. At a kink PyTorch's derivative is that of the flat piece (0), except
hardswish at x = 3, where it is 1.

Every backward is g times a slope read from constant masks (and, for hardswish, x), so
it is written with NumPy calls that also run on Tensors: gradients of any order follow.
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.backend import xp


class Hardtanh(Function):
    """y = clip(x, lo, hi); dy/dx = 1 for lo < x < hi, else 0 (0 at the kinks)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, lo=-1.0, hi=1.0):
        ctx.inside = (x > lo) & (x < hi)
        return xp.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inside


class Hardsigmoid(Function):
    """y = clip(x/6 + 1/2, 0, 1); dy/dx = 1/6 for −3 < x < 3, else 0."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.inside = (x > -3) & (x < 3)
        return xp.clip(x / 6 + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inside / 6


class Hardswish(Function):
    """y = x · clip(x + 3, 0, 6) / 6;
    dy/dx = 0 for x ≤ −3, x/3 + 1/2 for −3 < x < 3, 1 for x ≥ 3."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.x, ctx.mid, ctx.high = x, (x > -3) & (x < 3), x >= 3
        return x * xp.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, g):
        slope = xp.where(ctx.mid, ctx.x / 3 + 0.5, 0.0) + ctx.high
        return g * slope


class Softshrink(Function):
    """y = x − λ for x > λ, x + λ for x < −λ, else 0; dy/dx = [|x| > λ]."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, lambd=0.5):
        outside = (x > lambd) | (x < -lambd)
        ctx.outside = outside
        return xp.where(outside, x - xp.sign(x) * lambd, 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.outside


class Hardshrink(Function):
    """y = x for |x| > λ, else 0; dy/dx = [|x| > λ]."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, lambd=0.5):
        outside = (x > lambd) | (x < -lambd)
        ctx.outside = outside
        return xp.where(outside, x, 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.outside


class Threshold(Function):
    """y = x for x > threshold, else ``value``; dy/dx = [x > threshold]."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, threshold=0.0, value=0.0):
        above = x > threshold
        ctx.above = above
        return xp.where(above, x, xp.asarray(value).astype(x.dtype))

    @staticmethod
    def backward(ctx, g):
        return g * ctx.above
