"""Matrix product with NumPy's ``matmul`` semantics (1-D, 2-D, batched, broadcast)."""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import matmul2d, xp


class MatMul(Function):
    """C = A @ B; ∂L/∂A = G @ Bᵀ, ∂L/∂B = Aᵀ @ G (over the last two axes).

    1-D operands are promoted as ``numpy.matmul`` does (a vector a becomes a row
    (1, k) on the left, a column (k, 1) on the right) and the promoted axis is
    dropped again from its gradient; batch broadcasting is undone by the engine.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return matmul2d(a, b) if a.ndim == 2 and b.ndim == 2 else a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        na, nb = ctx.needs_input_grad
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            g = g[..., None]
        if a.ndim == 1:
            g = g[..., None, :]
        ga = gb = None
        if na:
            if b2.ndim == 2 and g.ndim == 2 and not isinstance(g, Tensor):
                ga = matmul2d(g, b2.T)
            else:
                ga = g @ xp.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if nb:
            if b2.ndim == 2 and a2.ndim > 2:  # shared B: fold the batch into one GEMM
                gb = a2.reshape(-1, a2.shape[-1]).T @ g.reshape(-1, g.shape[-1])
            elif a2.ndim == 2 and g.ndim == 2 and not isinstance(g, Tensor):
                gb = matmul2d(a2.T, g)
            else:
                gb = xp.swapaxes(a2, -1, -2) @ g
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` with NumPy's (and PyTorch's) semantics; shapes that cannot be multiplied
    raise RuntimeError, as in PyTorch, naming both shapes."""
    if not isinstance(a, Tensor):
        a = Tensor(a)
    if not isinstance(b, Tensor):
        b = Tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
            f"{b.ndim}D (matmul: shapes {a.shape} and {b.shape})"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
            f"(inner sizes {k_a} and {k_b} differ)"
        )
    if a.ndim > 2 and b.ndim > 2:
        try:
            xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dims of {a.shape} and {b.shape} are not broadcastable"
            ) from None
    return MatMul.apply(a, b)


def rmatmul(self: Tensor, other) -> Tensor:
    """``other @ self`` for a non-tensor ``other``."""
    return matmul(other, self)
