"""The vector p-norm over some axes, as ``torch.linalg.vector_norm``, with PyTorch's
gradient rules where the norm is not differentiable (a zero vector, ties of the
∞-norm), so normalizing and distance functions built on it match PyTorch's gradients.

    ‖x‖_p = (Σ |x_i|^p)^{1/p};   ‖x‖_∞ = max |x_i|;   ‖x‖_0 = #{x_i ≠ 0}

    ∂‖x‖_2/∂x = x / ‖x‖               (0 where ‖x‖ = 0)
    ∂‖x‖_1/∂x = sign x                 (0 at x_i = 0)
    ∂‖x‖_∞/∂x = sign x · [|x_i| = ‖x‖] / #ties
    ∂‖x‖_p/∂x = sign x · |x|^{p−1} / ‖x‖^{p−1}   (0 where ‖x‖ = 0; for p < 1 also at x_i = 0)
    ∂‖x‖_0/∂x = 0
"""

from __future__ import annotations

import math

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops.reduce import normalize_axes


def _norm(x, p: float, axes, keepdims: bool):
    if p == 2:
        return xp.sqrt((x * x).sum(axis=axes, keepdims=keepdims))
    a = xp.abs(x)
    if p == 1:
        return a.sum(axis=axes, keepdims=keepdims)
    if p == math.inf:
        return a.max(axis=axes, keepdims=keepdims, initial=0)
    if p == -math.inf:
        return a.min(axis=axes, keepdims=keepdims)
    if p == 0:
        return (a != 0).sum(axis=axes, keepdims=keepdims).astype(x.dtype)
    return (a**p).sum(axis=axes, keepdims=keepdims) ** (1.0 / p)


class VectorNorm(Function):
    """y = ‖x‖_p over ``axes``; the backward follows the module docstring and is written
    with NumPy calls on x and y (constant masks aside), so it differentiates again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, p=2.0, axes=(), keepdims=False):
        if x.dtype == xp.float16:  # in float32 as PyTorch does: 300² overflows half
            y = _norm(x.astype(xp.float32), p, axes, keepdims).astype(x.dtype)
        else:
            y = _norm(x, p, axes, keepdims)
        ctx.x, ctx.y, ctx.p, ctx.axes, ctx.keepdims = x, y, p, axes, keepdims
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        if x.dtype == xp.float16 and not isinstance(g, Tensor):  # in float32, as forward
            f32 = xp.float32
            gx = _vector_norm_grad(x.astype(f32), y.astype(f32), g.astype(f32), ctx)
            return gx.astype(x.dtype)
        return _vector_norm_grad(x, y, g, ctx)


def _vector_norm_grad(x, y, g, ctx):
    """∂‖x‖_p/∂x times g (module docstring), on arrays or, for create_graph, Tensors."""
    p = ctx.p
    if not ctx.keepdims:
        shape = [1 if i in ctx.axes else n for i, n in enumerate(x.shape)]
        y, g = y.reshape(shape), g.reshape(shape)
    if p == 0:
        return g * xp.zeros(x.shape, dtype=x.dtype)
    if p == 1:
        return g * xp.sign(x)
    y_data = y._data if isinstance(y, Tensor) else y
    zero = y_data == 0
    if p == 2:
        return g * x / (y + zero) * ~zero
    x_data = x._data if isinstance(x, Tensor) else x
    if math.isinf(p):
        ties = (xp.abs(x_data) == y_data) | xp.isnan(x_data)
        count = ties.sum(axis=ctx.axes, keepdims=True)
        return g * xp.sign(x) * (ties / xp.maximum(count, 1)).astype(x_data.dtype)
    x_zero = x_data == 0
    scaled = xp.sign(x) * (xp.abs(x) + x_zero) ** (p - 1) * ~x_zero
    return g * scaled / (y + zero) ** (p - 1) * ~zero


def vector_norm(
    x: Tensor,
    ord: float = 2,  # noqa: A002 - PyTorch's name
    dim=None,
    keepdim: bool = False,
    *,
    dtype=None,
) -> Tensor:
    """‖x‖_ord over ``dim`` (all axes when None), as ``torch.linalg.vector_norm``.

    Shape: input (*); output the input's shape without ``dim`` (kept as size 1 with
    ``keepdim``).

    Examples
    --------
    >>> import gradkit as gk
    >>> vector_norm(gk.tensor([[3.0, 4.0], [0.0, 0.0]]), dim=1)
    tensor([5., 0.])
    """
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise TypeError(f"vector_norm: expected a floating-point input, got dtype {x.dtype}")
    p = float(ord)
    axes = normalize_axes(dim, x.ndim)
    if p == -math.inf and any(x.shape[a] == 0 for a in axes):
        raise ValueError("vector_norm: the -inf norm of an empty axis is not defined")
    return VectorNorm.apply(x, p=p, axes=axes, keepdims=keepdim)
