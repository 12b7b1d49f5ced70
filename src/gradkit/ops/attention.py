"""Scaled dot-product attention as one fused op (concept ATT-DOT).

One graph node replaces the chain matmul → scale → mask → softmax → dropout → matmul, and
saves only the attention probabilities for the backward.
"""

from __future__ import annotations

from gradkit import random as _random
from gradkit.backend import xp
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
    """

    @staticmethod
    def forward(ctx, q, k, v, mask=None, scale=1.0, dropout_p=0.0):
        z = q @ _swap(k)
        z *= scale
        if mask is not None:
            z += mask
        z -= z.max(axis=-1, keepdims=True)
        xp.exp(z, out=z)
        z /= z.sum(axis=-1, keepdims=True)
        p = z
        drop = None
        if dropout_p > 0:
            gen = _random.default_generator()
            drop = (gen.random(p.shape, dtype=p.dtype) >= dropout_p) * p.dtype.type(
                1.0 / (1.0 - dropout_p)
            )
            p_used = p * drop
        else:
            p_used = p
        ctx.q, ctx.k, ctx.v, ctx.p, ctx.p_used, ctx.drop, ctx.scale = (
            q, k, v, p, p_used, drop, scale,
        )  # fmt: skip
        return p_used @ v

    @staticmethod
    def backward(ctx, g):
        q, k, v, p = ctx.q, ctx.k, ctx.v, ctx.p
        need_q, need_k, need_v = ctx.needs_input_grad
        dv = _swap(ctx.p_used) @ g if need_v else None
        dq = dk = None
        if need_q or need_k:
            dp = g @ _swap(v)
            if ctx.drop is not None:
                dp *= ctx.drop
            dz = dp
            dz -= (dp * p).sum(axis=-1, keepdims=True)
            dz *= p
            dz *= ctx.scale
            dq = dz @ k if need_q else None
            dk = _swap(dz) @ q if need_k else None
        return dq, dk, dv
