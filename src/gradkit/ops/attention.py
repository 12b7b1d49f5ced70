"""Scaled dot-product attention as one fused op (concept ATT-DOT).

One graph node replaces the chain matmul → scale → mask → softmax → dropout → matmul, and
saves only the attention probabilities for the backward.
"""

from __future__ import annotations

from gradkit import random as _random
from gradkit.backend import scratch, xp
from gradkit.tensor import Function


def _swap(a):
    return xp.swapaxes(a, -1, -2)


class ScaledDotProductAttention(Function):
    """O = dropout(softmax(s · Q Kᵀ + M)) V over the last two axes.

    Q (…, L, E), K (…, S, E), V (…, S, Ev), M an additive mask broadcastable to
    (…, L, S) (0 where attention is allowed, −inf where not), s the scale. With
    P = softmax(·) and the dropout mask D (entries 0 or 1/(1−p)), backward is::

        ∂V = (P ⊙ D)ᵀ ∂O,    ∂P = (∂O Vᵀ) ⊙ D,    ∂Z = P ⊙ (∂P − Σ_S ∂P ⊙ P),
        ∂Q = s · ∂Z K,       ∂K = s · ∂Zᵀ Q

    where Σ_S ∂P ⊙ P = Σ_Ev ∂O ⊙ O (both are Σ ∂O_le (P⊙D)_ls V_se), the cheaper of the
    two. The scores are kept transposed, (…, S, L): the softmax then reduces over the
    second-to-last axis, which NumPy does in long contiguous passes instead of one short
    row at a time; every product reads the transposed operands as BLAS transposes.
    """

    @staticmethod
    def forward(ctx, q, k, v, mask=None, scale=1.0, dropout_p=0.0):
        batch = xp.broadcast_shapes(q.shape[:-2], k.shape[:-2])
        zt = scratch((*batch, k.shape[-2], q.shape[-2]), xp.result_type(q, k))
        xp.matmul(k, _swap(q), out=zt)  # Zᵀ = K Qᵀ
        zt *= scale
        if mask is not None:
            zt += _swap(xp.atleast_2d(mask))
        zt -= zt.max(axis=-2, keepdims=True)
        xp.exp(zt, out=zt)
        zt /= zt.sum(axis=-2, keepdims=True)
        pt = zt
        drop = None
        if dropout_p > 0:
            gen = _random.default_generator()
            drop = (gen.random(_swap(pt).shape, dtype=pt.dtype) >= dropout_p) * pt.dtype.type(
                1.0 / (1.0 - dropout_p)
            )
            drop = _swap(drop)
            pt_used = pt * drop
        else:
            pt_used = pt
        out = _swap(pt_used) @ v
        ctx.q, ctx.k, ctx.v, ctx.pt, ctx.pt_used, ctx.drop, ctx.scale, ctx.out = (
            q, k, v, pt, pt_used, drop, scale, out,
        )  # fmt: skip
        return out

    @staticmethod
    def backward(ctx, g):
        q, k, v, pt = ctx.q, ctx.k, ctx.v, ctx.pt
        need_q, need_k, need_v = ctx.needs_input_grad
        dv = ctx.pt_used @ g if need_v else None
        dq = dk = None
        if need_q or need_k:
            batch = xp.broadcast_shapes(v.shape[:-2], g.shape[:-2])
            dzt = scratch((*batch, *pt.shape[-2:]), xp.result_type(v, g))
            xp.matmul(v, _swap(g), out=dzt)  # ∂Pᵀ = V ∂Oᵀ
            if ctx.drop is not None:
                dzt *= ctx.drop
            dzt -= (g * ctx.out).sum(axis=-1)[..., None, :]
            dzt *= pt
            dzt *= ctx.scale
            dq = _swap(dzt) @ k if need_q else None
            dk = dzt @ q if need_k else None
        return dq, dk, dv
