"""Normalized exponentials: softmax and log-softmax along an axis, both stable."""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp


class Softmax(Function):
    """y = exp(x − max x) / Σ exp(x − max x); ∂L/∂x = y ⊙ (g − Σ g ⊙ y).

    The backward reads only the saved output y, so it differentiates again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axis=-1):
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = e / e.sum(axis=axis, keepdims=True)
        ctx.y, ctx.axis = y, axis
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.y
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x − logsumexp(x); ∂L/∂x = g − exp(y) · Σ g (softmax(x) = exp(y), from the
    saved output, so the backward differentiates again)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axis=-1):
        shifted = x - x.max(axis=axis, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.y, ctx.axis = y, axis
        return y

    @staticmethod
    def backward(ctx, g):
        return g - xp.exp(ctx.y) * g.sum(axis=ctx.axis, keepdims=True)


def softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    return Softmax.apply(x, axis=axis if dim is None else dim)


def log_softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    return LogSoftmax.apply(x, axis=axis if dim is None else dim)
