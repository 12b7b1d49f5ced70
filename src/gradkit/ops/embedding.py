"""Embedding lookup (concept RNN-EMBED) with a scatter-free backward."""

from __future__ import annotations

from gradkit.autograd.function import Function, TensorBase
from gradkit.backend import xp

# Above this many one-hot entries (tokens × vocabulary) the backward switches from the
# one-hot matmul to a sort + segment-sum, which needs no (tokens, vocab) matrix.
_ONE_HOT_LIMIT = 1 << 22


def index_add_rows(indices, rows, num_rows: int):
    """out[k] = Σ_{i: indices[i] = k} rows[i] for a flat ``indices`` (tokens,) and
    ``rows`` (tokens, dim), without ``np.add.at``: a one-hot matrix product when it is
    small, else sort the indices and sum each run of equal ones with ``add.reduceat``."""
    dim = rows.shape[1]
    if indices.size * num_rows <= _ONE_HOT_LIMIT:
        one_hot = xp.zeros((num_rows, indices.size), dtype=rows.dtype)
        one_hot[indices, xp.arange(indices.size)] = 1
        return one_hot @ rows
    out = xp.zeros((num_rows, dim), dtype=rows.dtype)
    if indices.size == 0:
        return out
    order = xp.argsort(indices, kind="stable")
    sorted_idx = indices[order]
    starts = xp.flatnonzero(xp.concatenate(([True], sorted_idx[1:] != sorted_idx[:-1])))
    out[sorted_idx[starts]] = xp.add.reduceat(rows[order], starts, axis=0)
    return out


class Embedding(Function):
    """y[..., :] = W[idx[...], :]; ∂L/∂W[k] = Σ over positions with idx = k of g
    (rows at ``padding_idx`` get no gradient). With ``create_graph`` the backward is the
    op :class:`EmbeddingBackward`, whose own backward is the lookup again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, weight, indices=None, padding_idx=None):
        ctx.indices, ctx.num, ctx.padding_idx = indices, weight.shape[0], padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, TensorBase):
            return EmbeddingBackward.apply(
                g, indices=ctx.indices, num=ctx.num, padding_idx=ctx.padding_idx
            )
        return EmbeddingBackward.forward(None, g, ctx.indices, ctx.num, ctx.padding_idx)


class EmbeddingBackward(Function):
    """G_W[k] = Σ_{i: idx_i = k} g_i (0 at ``padding_idx``): linear in g, so its backward
    is the lookup gg[idx] (0 where idx is the padding row), itself differentiable."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, g, indices=None, num=0, padding_idx=None):
        flat = indices.reshape(-1)
        grad = index_add_rows(flat, g.reshape(flat.size, g.shape[-1]), num)
        if padding_idx is not None:
            grad[padding_idx] = 0
        if ctx is not None:
            ctx.indices, ctx.padding_idx = indices, padding_idx
        return grad

    @staticmethod
    def backward(ctx, gg):
        out = gg[ctx.indices]
        if ctx.padding_idx is not None:
            out = out * (ctx.indices != ctx.padding_idx)[..., None]
        return out
