"""Scaled dot-product attention as one fused op (concept ATT-DOT), and multi-head self-
attention on a packed Q/K/V projection (concept ATT-MHA).

One graph node replaces the chain matmul → scale → mask → softmax → dropout → matmul and
saves for the backward either the attention probabilities (unfused kernel) or only the
row log-sum-exp (blocked kernel). The packed form also takes the head split and merge
off the graph: heads are strided views of the (N, L, 3E) projection, and the output and
input gradient are written straight into head-interleaved buffers.

With ``create_graph=True`` (the upstream gradient is a Tensor) the backward takes a
composed branch, :func:`_attention_graph_backward`: the probabilities are recomputed from
Q and K with gradkit ops (the dropout mask stays the forward's constant) and the same
formulas run on Tensors, so the gradients differentiate again.

Two kernels compute the first-order pass; :func:`uses_blocked` is the rule that picks:

- **blocked** (:mod:`gradkit.ops.blocked_attention`, FlashAttention-style): tiles of
  scores, online softmax, tiles above a causal diagonal skipped, the backward
  recomputing probabilities from the saved row log-sum-exp. Used when there is no
  dropout and L·S ≥ ``BLOCKED_MIN_SCORES``, with the mask a constant (or none).
- **unfused** (below): the whole (…, S, L) probability array, kept for the backward.
  Used for short sequences (where a few whole-array calls beat a loop over tiles),
  with dropout (its mask is drawn over the whole array), and when a float mask needs
  its gradient ∂M (a whole (…, L, S) array anyway). It is also the reference the
  blocked kernel is tested against.

Double backward (``create_graph=True``) takes the composed branch after either kernel.
A query row whose mask forbids every key gives output 0 and gradient 0 in every path,
as PyTorch's ``scaled_dot_product_attention`` does.
"""

from __future__ import annotations

from gradkit import random as _random
from gradkit.autograd.function import Function, TensorBase
from gradkit.backend import get_default_dtype, row_sums, scratch, xp
from gradkit.ops.blocked_attention import blocked_backward, blocked_forward
from gradkit.ops.elementwise import masked_fill
from gradkit.ops.nn import Softmax
from gradkit.ops.shape import concatenate

#: The blocked kernel runs from this many scores per head (L·S) up; below it the
#: unfused one is faster (fewer, larger NumPy calls).
BLOCKED_MIN_SCORES = 256 * 256


def _swap(a):
    return xp.swapaxes(a, -1, -2)


def causal_mask(L: int, S: int | None = None, dtype=None):
    """Additive causal mask (L, S): position i may attend to j ≤ i (−inf above the
    diagonal)."""
    S = L if S is None else S
    dtype = dtype or get_default_dtype()
    return xp.triu(xp.full((L, S), -xp.inf, dtype=dtype), 1)


def uses_blocked(L: int, S: int, dropout_p: float) -> bool:
    """Whether a call with these lengths and dropout runs the blocked kernel (the rule
    in this module's docstring; a float mask that needs its gradient never does)."""
    return dropout_p == 0 and L * S >= BLOCKED_MIN_SCORES


def _attention_forward(ctx, q, k, v, mask, scale, dropout_p, out=None, blocked=True, causal=False):
    """O = dropout(softmax(s Q Kᵀ + M)) V, into ``out`` when given; saves on ``ctx`` what
    :func:`_attention_backward` needs. ``blocked=False`` forces the unfused kernel;
    ``causal=True`` stands for the causal mask (``mask`` None), which only the unfused
    kernel builds whole."""
    ctx.drop, ctx.causal = None, causal
    ctx.blocked = blocked and uses_blocked(q.shape[-2], k.shape[-2], dropout_p)
    if ctx.blocked:
        out, ctx.lse = blocked_forward(q, k, v, mask, scale, out=out, causal=causal)
        ctx.q, ctx.k, ctx.v, ctx.scale, ctx.out, ctx.mask_array = q, k, v, scale, out, mask
        return out
    if causal:
        mask = causal_mask(q.shape[-2], k.shape[-2], q.dtype)
    batch = xp.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    zt = scratch((*batch, k.shape[-2], q.shape[-2]), xp.result_type(q, k))
    xp.matmul(k, _swap(q), out=zt)  # Zᵀ = K Qᵀ
    zt *= scale
    if mask is not None:
        zt += xp.ascontiguousarray(_swap(xp.atleast_2d(mask)))  # small; a contiguous operand
    top = zt.max(axis=-2, keepdims=True)
    if mask is not None:
        top[xp.isneginf(top)] = 0  # a row with no key allowed: P = exp(−inf) = 0, not NaN
    zt -= top
    xp.exp(zt, out=zt)
    total = zt.sum(axis=-2, keepdims=True)
    if mask is not None:
        total[total == 0] = 1
    zt /= total
    pt = pt_used = zt
    drop = None
    if dropout_p > 0:
        gen = _random.default_generator()
        keep = gen.random(_swap(pt).shape, dtype=pt.dtype) >= dropout_p
        drop = _swap(keep * pt.dtype.type(1.0 / (1.0 - dropout_p)))
        pt_used = pt * drop
    out = xp.matmul(_swap(pt_used), v, out=out)
    ctx.q, ctx.k, ctx.v, ctx.pt, ctx.pt_used, ctx.drop, ctx.scale, ctx.out = (
        q, k, v, pt, pt_used, drop, scale, out,
    )  # fmt: skip
    return out


def _row_dot(a, b):
    """Σ over the last axis of a ⊙ b, as one elementwise pass and a matrix–vector product
    (a reduction over many short rows is slow in NumPy)."""
    prod = a * b
    return row_sums(prod.reshape(-1, prod.shape[-1])).reshape(prod.shape[:-1])


def _attention_backward(
    ctx, g, need=(True, True, True), outs=(None, None, None), rowdot=None, need_mask=False
):
    """∂Q, ∂K, ∂V of :func:`_attention_forward` for the upstream gradient ``g`` (``None``
    where not needed), each written into the matching array of ``outs`` when given, and
    with ``need_mask`` also ∂M = ∂Z (…, L, S) for an additive mask M.
    ``rowdot`` is Σ_Ev ∂O ⊙ O (…, L) when the caller has it cheaper."""
    if ctx.blocked:  # ∂Q, ∂K, ∂V share each recomputed tile: all three are computed
        grads = blocked_backward(ctx.q, ctx.k, ctx.v, ctx.mask_array, ctx.scale, ctx.out,
                                 ctx.lse, g, rowdot, outs, causal=ctx.causal)  # fmt: skip
        return tuple(d if n else None for d, n in zip(grads, need))
    q, k, v, pt = ctx.q, ctx.k, ctx.v, ctx.pt
    need_q, need_k, need_v = need
    dv = xp.matmul(ctx.pt_used, g, out=outs[2]) if need_v else None
    dq = dk = dm = None
    if need_q or need_k or need_mask:
        batch = xp.broadcast_shapes(v.shape[:-2], g.shape[:-2])
        dzt = scratch((*batch, *pt.shape[-2:]), xp.result_type(v, g))
        xp.matmul(v, _swap(g), out=dzt)  # ∂Pᵀ = V ∂Oᵀ
        if ctx.drop is not None:
            dzt *= ctx.drop
        dzt -= (_row_dot(g, ctx.out) if rowdot is None else rowdot)[..., None, :]
        dzt *= pt
        if need_mask:
            dm = _swap(dzt).copy()
        dzt *= ctx.scale
        dq = xp.matmul(_swap(dzt), k, out=outs[0]) if need_q else None
        dk = xp.matmul(dzt, q, out=outs[1]) if need_k else None
    return (dq, dk, dv, dm) if need_mask else (dq, dk, dv)


def _attention_graph_backward(ctx, q, k, v, g, need=(True, True, True), mask=None):
    """∂Q, ∂K, ∂V on Tensors (``create_graph``): P = softmax(s Q Kᵀ + M) is recomputed as
    a graph of Q and K (and of M when it is a Tensor input), then ∂V = (P ⊙ D)ᵀ ∂O,
    ∂P = (∂O Vᵀ) ⊙ D, ∂M = P ⊙ (∂P − Σ_S ∂P ⊙ P), ∂Z = s ∂M, ∂Q = ∂Z K, ∂K = ∂Zᵀ Q,
    all out of place; ∂M is returned too when ``need`` has a fourth entry."""
    z = (q @ _swap(k)) * ctx.scale
    mask = ctx.mask if mask is None else mask
    if mask is None and ctx.causal:
        mask = causal_mask(q.shape[-2], k.shape[-2], q.dtype)
    dead = None
    if mask is not None:
        z = z + (mask if isinstance(mask, TensorBase) else xp.atleast_2d(mask))
        m = mask._data if isinstance(mask, TensorBase) else xp.atleast_2d(mask)
        dead = xp.isneginf(m).all(axis=-1, keepdims=True)  # rows with no key allowed
        dead = xp.broadcast_to(dead, z.shape) if dead.any() else None
    if dead is not None:  # P = 0 there, with finite (zero) gradients
        p = masked_fill(Softmax.apply(masked_fill(z, dead, 0.0), axis=-1), dead, 0.0)
    else:
        p = Softmax.apply(z, axis=-1)
    drop = None if ctx.drop is None else _swap(ctx.drop)
    need_q, need_k, need_v, *need_m = need
    dv = _swap(p if drop is None else p * drop) @ g if need_v else None
    dq = dk = dm = None
    if need_q or need_k or any(need_m):
        dp = g @ _swap(v)
        if drop is not None:
            dp = dp * drop
        dm = p * (dp - (dp * p).sum(axis=-1, keepdims=True))
        dz = dm * ctx.scale
        dq = dz @ k if need_q else None
        dk = _swap(dz) @ q if need_k else None
    return (dq, dk, dv, dm if need_m[0] else None) if need_m else (dq, dk, dv)


class ScaledDotProductAttention(Function):
    """O = dropout(softmax(s · Q Kᵀ + M)) V over the last two axes.

    Q (…, L, E), K (…, S, E), V (…, S, Ev), M an additive mask broadcastable to
    (…, L, S) (0 where attention is allowed, −inf where not), s the scale. M is the
    ``mask`` option (a constant) or, when a float mask needs a gradient, a fourth tensor
    input. With P = softmax(·) and the dropout mask D (entries 0 or 1/(1−p)), backward
    is::

        ∂V = (P ⊙ D)ᵀ ∂O,    ∂P = (∂O Vᵀ) ⊙ D,    ∂M = P ⊙ (∂P − Σ_S ∂P ⊙ P),
        ∂Q = s · ∂M K,       ∂K = s · ∂Mᵀ Q

    where Σ_S ∂P ⊙ P = Σ_Ev ∂O ⊙ O (both are Σ ∂O_le (P⊙D)_ls V_se), the cheaper of the
    two. The scores are kept transposed, (…, S, L): the softmax then reduces over the
    second-to-last axis, which NumPy does in long contiguous passes instead of one short
    row at a time; every product reads the transposed operands as BLAS transposes.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, q, k, v, *mask_input, mask=None, scale=1.0, dropout_p=0.0, causal=False):
        if mask_input:  # ∂M is a whole (…, L, S) array: the unfused kernel
            mask = mask_input[0]
            ctx.mask_input = mask
        ctx.mask = mask
        return _attention_forward(
            ctx, q, k, v, mask, scale, dropout_p, blocked=not mask_input, causal=causal
        )

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        if isinstance(g, TensorBase):
            mask = getattr(ctx, "mask_input", None)
            return _attention_graph_backward(ctx, ctx.q, ctx.k, ctx.v, g, need, mask)
        if len(need) == 4:
            return _attention_backward(ctx, g, need[:3], need_mask=need[3])
        return _attention_backward(ctx, g, need)


def _heads(a, num_heads: int):
    """(N, L, h·d) → the (N, h, L, d) view of its heads (no copy)."""
    N, L, E = a.shape
    return a.reshape(N, L, num_heads, E // num_heads).transpose(0, 2, 1, 3)


def _graph_heads(a, num_heads: int):
    """:func:`_heads` for a Tensor, as recorded reshape and permute ops."""
    N, L, E = a.shape
    return a.reshape(N, L, num_heads, E // num_heads).permute(0, 2, 1, 3)


class PackedSelfAttention(Function):
    """Multi-head self-attention on a packed projection ``qkv`` (N, L, 3E) = [Q | K | V],
    each split into h heads of d = E/h features::

        O = [O_1 … O_h],   O_i = dropout(softmax(s Q_i K_iᵀ + M)) V_i       (N, L, E)

    The math of :class:`ScaledDotProductAttention` per head; Q_i, K_i, V_i are strided
    views of ``qkv``, O is written head-interleaved so it is already (N, L, E), and the
    backward writes ∂Q, ∂K, ∂V into one packed (N, L, 3E) gradient.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, qkv, mask=None, scale=1.0, num_heads=1, dropout_p=0.0):
        N, L, E3 = qkv.shape
        q, k, v = (_heads(qkv[:, :, i * E3 // 3 : (i + 1) * E3 // 3], num_heads) for i in range(3))
        out = scratch((N, L, E3 // 3), qkv.dtype)
        _attention_forward(ctx, q, k, v, mask, scale, dropout_p, out=_heads(out, num_heads))
        ctx.qkv, ctx.mask, ctx.num_heads, ctx.merged = qkv, mask, num_heads, out
        return out

    @staticmethod
    def backward(ctx, g):
        N, L, E = g.shape
        h = ctx.num_heads
        if isinstance(g, TensorBase):  # create_graph: split and merge heads as graph ops
            qkv = ctx.qkv
            q, k, v = (_graph_heads(qkv[:, :, i * E : (i + 1) * E], h) for i in range(3))
            grads = _attention_graph_backward(ctx, q, k, v, _graph_heads(g, h))
            return concatenate([d.permute(0, 2, 1, 3).reshape(N, L, E) for d in grads], axis=-1)
        dqkv = scratch((N, L, 3 * E), g.dtype)
        outs = tuple(_heads(dqkv[:, :, i * E : (i + 1) * E], h) for i in range(3))
        rowdot = _row_dot(g.reshape(N, L, h, E // h), ctx.merged.reshape(N, L, h, E // h))
        _attention_backward(ctx, _heads(g, h), outs=outs, rowdot=rowdot.transpose(0, 2, 1))
        return dqkv
