"""Reductions over an axis or a tuple of axes (``keepdims`` as in NumPy): sum, mean,
var, std, max, min, logsumexp."""

from __future__ import annotations

import builtins

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp


def normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    """``None`` → all axes; ints (negative allowed) → a sorted tuple, range-checked."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, xp.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise IndexError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def _expand_back(g, shape, axes, keepdims):
    """Reshape a reduced gradient so it broadcasts against the input of ``shape``."""
    if not keepdims and shape:
        g = g.reshape([1 if i in axes else n for i, n in enumerate(shape)])
    return g


def _count(shape, axes) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


class Sum(Function):
    """y = Σ_axes x; ∂y/∂x = 1 (broadcast back)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        return xp.broadcast_to(g, ctx.shape)


class Mean(Function):
    """y = (1/N) Σ_axes x; ∂y/∂x = 1/N."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.mean(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        n = _count(ctx.shape, ctx.axes)
        return xp.broadcast_to(g / g.dtype.type(n), ctx.shape)


class Var(Function):
    """y = Σ (x − x̄)² / (N − correction); ∂y/∂x = 2(x − x̄)/(N − correction)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False, correction=1):
        centered = x - x.mean(axis=axes, keepdims=True)
        denom = builtins.max(_count(x.shape, axes) - correction, 0)
        ctx.x, ctx.denom, ctx.axes, ctx.keepdims = x, denom, axes, keepdims
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=axes, keepdims=keepdims) / x.dtype.type(denom)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        c = x - x.mean(axis=ctx.axes, keepdims=True)
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdims)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return g * c * (x.dtype.type(2) / x.dtype.type(ctx.denom))


class MaxMin(Function):
    """y = max (or min) over axes; the gradient is shared equally among tied maxima."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False, largest=True):
        y = (x.max if largest else x.min)(axis=axes, keepdims=True)
        mask = x == y
        ctx.weights = mask / mask.sum(axis=axes, keepdims=True).astype(x.dtype)
        ctx.axes, ctx.keepdims = axes, keepdims
        return y if keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, g):
        w = ctx.weights
        return _expand_back(g, w.shape, ctx.axes, ctx.keepdims) * w


class LogSumExp(Function):
    """y = m + ln Σ exp(x − m) with m = max x (stable); ∂y/∂x = softmax(x) = exp(x − y).

    The backward reads the saved input and output, so it differentiates again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False):
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        y = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        if not keepdims:
            y = y.reshape([n for i, n in enumerate(x.shape) if i not in axes])
        ctx.x, ctx.y, ctx.axes, ctx.keepdims = x, y, axes, keepdims
        return y

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdims)
        return g * xp.exp(x - _expand_back(ctx.y, x.shape, ctx.axes, ctx.keepdims))


def _axes_and_keep(x: Tensor, axis, keepdims, dim, keepdim):
    if dim is not None:
        axis = dim
    return normalize_axes(axis, x.ndim), bool(keepdims or keepdim)


def sum(x: Tensor, axis=None, keepdims=False, *, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    axes, keep = _axes_and_keep(x, axis, keepdims, dim, keepdim)
    if x._data.dtype.kind in "biu":
        return Tensor(x._data.sum(axis=axes, keepdims=keep))
    return Sum.apply(x, axes=axes, keepdims=keep)


def mean(x: Tensor, axis=None, keepdims=False, *, dim=None, keepdim=False) -> Tensor:
    axes, keep = _axes_and_keep(x, axis, keepdims, dim, keepdim)
    if x._data.dtype.kind in "biu":
        raise TypeError(f"mean() needs a floating point tensor, got {x.dtype}; use .float()")
    return Mean.apply(x, axes=axes, keepdims=keep)


def var(
    x: Tensor, axis=None, keepdims=False, *, correction=1, ddof=None, dim=None, keepdim=False
) -> Tensor:
    """Variance with PyTorch's default ``correction=1`` (unbiased); ``ddof`` is an alias."""
    axes, keep = _axes_and_keep(x, axis, keepdims, dim, keepdim)
    if ddof is not None:
        correction = ddof
    return Var.apply(x, axes=axes, keepdims=keep, correction=correction)


def std(
    x: Tensor, axis=None, keepdims=False, *, correction=1, ddof=None, dim=None, keepdim=False
) -> Tensor:
    """Standard deviation √var (``correction=1`` by default, as PyTorch)."""
    from gradkit.ops.elementwise import sqrt

    return sqrt(var(x, axis, keepdims, correction=correction, ddof=ddof, dim=dim, keepdim=keepdim))


def max(x: Tensor, axis=None, keepdims=False, *, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    axes, keep = _axes_and_keep(x, axis, keepdims, dim, keepdim)
    _check_nonempty(x, "max")
    return MaxMin.apply(x, axes=axes, keepdims=keep, largest=True)


def min(x: Tensor, axis=None, keepdims=False, *, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    axes, keep = _axes_and_keep(x, axis, keepdims, dim, keepdim)
    _check_nonempty(x, "min")
    return MaxMin.apply(x, axes=axes, keepdims=keep, largest=False)


def logsumexp(x: Tensor, axis=None, keepdims=False, *, dim=None, keepdim=False) -> Tensor:
    axes, keep = _axes_and_keep(x, axis, keepdims, dim, keepdim)
    return LogSumExp.apply(x, axes=axes, keepdims=keep)


def argmax(x: Tensor, axis=None, keepdims=False, *, dim=None, keepdim=False) -> Tensor:
    """Index of the largest element (flattened when ``axis`` is None); no graph."""
    axis = dim if dim is not None else axis
    return Tensor(xp.argmax(x._data, axis=axis, keepdims=keepdims or keepdim))


def argmin(x: Tensor, axis=None, keepdims=False, *, dim=None, keepdim=False) -> Tensor:
    axis = dim if dim is not None else axis
    return Tensor(xp.argmin(x._data, axis=axis, keepdims=keepdims or keepdim))


def _check_nonempty(x: Tensor, op: str) -> None:
    if x._data.size == 0:
        raise ValueError(f"{op}() of an empty tensor (shape {x.shape}) is undefined")
