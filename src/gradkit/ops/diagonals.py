"""Triangles and diagonals: tril, triu, diagonal, diag_embed, diag and trace.

``diagonal`` is a strided view of its input, as in PyTorch; ``diag_embed`` is its
adjoint (the gradient of one is the other), so both differentiate to any order.
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops.reduce import normalize_dim


# ---------------------------------------------------------------- triangles
class Triangle(Function):
    """y = x where ``keep`` (the lower or upper triangle of the last two dims), else 0;
    ∂L/∂x = g masked the same way."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, keep=None):
        ctx.keep = keep
        return xp.where(keep, x, xp.zeros((), dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        return g * ctx.keep


def _triangle(x: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError(
            f"{op}: input tensor must have at least 2 dimensions, got shape {x.shape}"
        )
    n, m = x.shape[-2:]
    if lower:
        keep = xp.tri(n, m, int(diagonal), dtype=bool)
    else:
        keep = ~xp.tri(n, m, int(diagonal) - 1, dtype=bool)
    return Triangle.apply(x, keep=keep)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """Lower triangle of the last two dims: y[..., i, j] = x[..., i, j] if j − i ≤
    ``diagonal`` else 0 (``diagonal`` > 0 keeps diagonals above the main one)."""
    return _triangle(x, diagonal, True, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """Upper triangle of the last two dims: y[..., i, j] = x[..., i, j] if j − i ≥
    ``diagonal`` else 0."""
    return _triangle(x, diagonal, False, "triu")


# ---------------------------------------------------------------- diagonals
def _diagonal_view(a, offset: int, d1: int, d2: int):
    """The writeable strided view ``a.diagonal(offset, d1, d2)``: the other dims in
    order, then the diagonal as the last dim."""
    n1, n2 = a.shape[d1], a.shape[d2]
    s1, s2 = a.strides[d1], a.strides[d2]
    length = max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0)))
    start = [slice(None)] * a.ndim
    if length:
        start[d1 if offset < 0 else d2] = slice(abs(offset), None)
    else:
        start[d1] = slice(0, 0)
    base = a[tuple(start)]
    rest = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in rest) + (length,)
    strides = tuple(a.strides[i] for i in rest) + (s1 + s2,)
    return xp.lib.stride_tricks.as_strided(base, shape, strides, writeable=bool(a.flags.writeable))


class Diagonal(Function):
    """y[..., k] = x[..., i + k, j + k, ...] along the (d1, d2) diagonal with ``offset``
    (a view of x); the adjoint writes g back onto that diagonal of zeros."""

    view = "diagonal"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, offset=0, d1=0, d2=1):
        ctx.shape, ctx.offset, ctx.d1, ctx.d2 = x.shape, offset, d1, d2
        return _diagonal_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        args = {"shape": ctx.shape, "offset": ctx.offset, "d1": ctx.d1, "d2": ctx.d2}
        if isinstance(g, Tensor):
            return DiagonalScatter.apply(g, **args)
        return DiagonalScatter.forward(None, g, **args)


class DiagonalScatter(Function):
    """y = zeros(shape) with g on the (d1, d2) diagonal with ``offset``: the adjoint of
    :class:`Diagonal`, and ``diag_embed`` itself."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, g, shape=(), offset=0, d1=0, d2=1):
        if ctx is not None:
            ctx.offset, ctx.d1, ctx.d2 = offset, d1, d2
        out = xp.zeros(shape, dtype=g.dtype)
        _diagonal_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        if isinstance(gg, Tensor):
            return Diagonal.apply(gg, offset=ctx.offset, d1=ctx.d1, d2=ctx.d2)
        return _diagonal_view(gg, ctx.offset, ctx.d1, ctx.d2)


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes, shifted by ``offset`` (> 0 above the main
    diagonal); those dims are removed and the diagonal appended as the last dim. A view.

    Shape: x (..., n1, ..., n2, ...) → (..., L) with
    L = max(0, min(n1 − max(−offset, 0), n2 − max(offset, 0))).
    """
    if x.ndim < 2:
        raise RuntimeError(f"diagonal: expected a tensor with at least 2 dims, got {x.shape}")
    d1, d2 = normalize_dim(dim1, x.ndim), normalize_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(x, offset=int(offset), d1=d1, d2=d2)


def diag_embed(x: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices (in dims ``dim1``, ``dim2`` of the result) whose ``offset`` diagonal is
    the last dim of ``x``; zeros elsewhere.

    Shape: x (..., L) → result with one more dim; dims dim1 and dim2 have size
    L + |offset|, the other dims are x's leading dims in order.
    """
    ndim = x.ndim + 1
    d1, d2 = normalize_dim(dim1, ndim), normalize_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if x.ndim == 0:
        raise RuntimeError("diag_embed: expected a tensor with at least 1 dim, got a 0-d one")
    n = x.shape[-1] + abs(int(offset))
    lead = iter(x.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(lead) for i in range(ndim))
    return DiagonalScatter.apply(x, shape=shape, offset=int(offset), d1=d1, d2=d2)


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """1-D → a square matrix with ``x`` on diagonal ``diagonal``; 2-D → that diagonal
    (a copy), as ``torch.diag``."""
    if x.ndim == 1:
        return diag_embed(x, diagonal, 0, 1)
    if x.ndim == 2:
        return Diagonal.apply(x, offset=int(diagonal), d1=0, d2=1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D (shape {x.shape})")


def trace(x: Tensor) -> Tensor:
    """Sum of the main diagonal of a matrix (integer matrices give int64)."""
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    d = Diagonal.apply(x, offset=0, d1=0, d2=1)
    if x.dtype.kind in "biu":
        return type(x)(d._data.sum(dtype=xp.int64))
    return d.sum()
