"""The affine map of a fully connected layer as one fused op (one graph node, one GEMM
per gradient)."""

from __future__ import annotations

from gradkit.backend import column_sums
from gradkit.tensor import Function, Tensor


class Linear(Function):
    """y = x Wᵀ + b for x of shape (*, in), W of shape (out, in), b of shape (out,).

    ∂L/∂x = G W, ∂L/∂W = Gᵀ x and ∂L/∂b = 1ᵀ G, the leading axes of x and G folded
    into one batch axis so each weight gradient is a single matrix product.
    """

    @staticmethod
    def forward(ctx, x, w, *bias):
        # One (N, in) @ (in, out) GEMM: matmul on a 3-D x would run one small GEMM per
        # leading index.
        x2 = x.reshape(-1, w.shape[1])
        ctx.x2, ctx.w, ctx.x_shape = x2, w, x.shape
        y = x2 @ w.T
        if bias:
            y += bias[0]
        return y.reshape(*x.shape[:-1], w.shape[0])

    @staticmethod
    def backward(ctx, g):
        x2, w = ctx.x2, ctx.w
        need_x, need_w, *need_b = ctx.needs_input_grad
        g2 = g.reshape(-1, w.shape[0])
        gx = (g2 @ w).reshape(ctx.x_shape) if need_x else None
        gw = g2.T @ x2 if need_w else None
        if not need_b:
            return gx, gw
        return gx, gw, (column_sums(g2) if need_b[0] else None)


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
