"""The affine map of a fully connected layer as one fused op (one graph node, one GEMM
per gradient)."""

from __future__ import annotations

import operator

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import column_sums, matmul2d


class Linear(Function):
    """y = x Wᵀ + b for x of shape (*, in), W of shape (out, in), b of shape (out,).

    ∂L/∂x = G W, ∂L/∂W = Gᵀ x and ∂L/∂b = 1ᵀ G, the leading axes of x and G folded
    into one batch axis so each weight gradient is a single matrix product. With
    ``create_graph`` the same products run on Tensors (x itself is saved for that: its
    folded view is a new array, which the engine could not link back to x).
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, w, *bias):
        # One (N, in) @ (in, out) GEMM: matmul on a 3-D x would run one small GEMM per
        # leading index.
        x2 = x.reshape(-1, w.shape[1])
        ctx.x, ctx.x2, ctx.w = x, x2, w
        y = matmul2d(x2, w.T)
        if bias:
            y += bias[0]
        return y.reshape(*x.shape[:-1], w.shape[0])

    @staticmethod
    def backward(ctx, g):
        w = ctx.w
        need_x, need_w, *need_b = ctx.needs_input_grad
        g2 = g.reshape(-1, w.shape[0])
        if isinstance(g, Tensor):
            x2 = ctx.x.reshape(-1, w.shape[1])
            sums = g2.sum(axis=0) if need_b and need_b[0] else None
        else:
            x2 = ctx.x2
            sums = column_sums(g2) if need_b and need_b[0] else None
        product = operator.matmul if isinstance(g, Tensor) else matmul2d
        gx = product(g2, w).reshape(ctx.x.shape) if need_x else None
        gw = product(g2.T, x2) if need_w else None
        return (gx, gw, sums) if need_b else (gx, gw)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` (PyTorch's ``F.linear``); sizes are checked once here."""
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {tuple(x.shape)} does not match weight of shape "
            f"{tuple(weight.shape)} (expected input (*, {weight.shape[-1]}))"
        )
    if bias is None:
        return Linear.apply(x, weight)
    if bias.shape != (weight.shape[0],):
        raise ValueError(
            f"linear: bias of shape {tuple(bias.shape)} does not match weight of shape "
            f"{tuple(weight.shape)} (expected ({weight.shape[0]},))"
        )
    return Linear.apply(x, weight, bias)
