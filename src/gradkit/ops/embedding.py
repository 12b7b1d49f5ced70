"""Embedding lookup (concept RNN-EMBED) with a scatter-free backward."""

from __future__ import annotations

from gradkit.backend import xp
from gradkit.tensor import Function

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
    (rows at ``padding_idx`` get no gradient)."""

    @staticmethod
    def forward(ctx, weight, indices=None, padding_idx=None):
        ctx.indices, ctx.num, ctx.padding_idx = indices, weight.shape[0], padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        flat = ctx.indices.reshape(-1)
        grad = index_add_rows(flat, g.reshape(flat.size, -1), ctx.num)
        if ctx.padding_idx is not None:
            grad[ctx.padding_idx] = 0
        return grad
