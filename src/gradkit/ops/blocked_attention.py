"""Blocked ("flash") scaled dot-product attention on arrays (concept ATT-DOT): the
probabilities are never stored whole.

Forward, per query block i and its key blocks j (online softmax, FlashAttention)::

    Z_ij = s Q_i K_jᵀ + M_ij                          scores of one tile (bq, bk)
    m_i  ← max(m_i, rowmax Z_ij)                       running row maximum
    α    = exp(m_i_old − m_i)
    P_ij = exp(Z_ij − m_i)
    l_i  ← α l_i + rowsum P_ij                         running row sum
    A_i  ← α A_i + P_ij V_j                            running unnormalised output
    O_i  = A_i / l_i,     lse_i = m_i + log l_i        (saved for the backward)

Backward (FlashAttention-2), D_i = rowsum(∂O_i ⊙ O_i), per key block j and the query
blocks i that see it::

    P_ij = exp(s Q_i K_jᵀ + M_ij − lse_i)              recomputed, never stored
    ∂V_j += P_ijᵀ ∂O_i
    ∂S_ij = P_ij ⊙ (∂O_i V_jᵀ − D_i)
    ∂K_j += s ∂S_ijᵀ Q_i,    ∂Q_i += s ∂S_ij K_j

Only Q, K, V, O and lse (…, L) are kept between the passes. A tile whose mask is −inf
everywhere (above the diagonal of a causal mask) is skipped in both passes; a tile
whose mask is 0 everywhere is not masked. A query row with no key it may attend to
gives output 0 and gradient 0, as PyTorch's ``scaled_dot_product_attention`` does.

Two passes are folded into matrix products by widening the operands with one column:
``[V | 1]`` gives the row sums l with P V, and in the backward ``[K | −1] [sQ | lse]ᵀ``
gives Z − lse and ``[V | 1] [∂O | −D]ᵀ`` gives ∂P − D, so each tile costs two
elementwise passes there (exp, the product with P).

Tiles are sized so that each matrix product has m·n·k < 2¹⁹: NumPy's OpenBLAS runs
those on the calling thread, where a larger per-head product (512×512×32) is split over
threads and on a loaded 2-core machine each of the 128 hand-offs of a batched product
can wait a scheduler tick. Scores are kept transposed, (…, bk, bq), so the row maximum
reduces over the second-to-last axis in long contiguous passes. Heads are processed in
groups whose score tiles together fill about a quarter of a 1 MiB L2 cache.

Shapes: q (…, L, E), k (…, S, E), v (…, S, Ev), batch dimensions broadcast; the mask
is an additive float array broadcastable to (…, L, S) (0 allowed, −inf not) or None.
"""

from __future__ import annotations

import math

from gradkit.backend import xp

#: Largest query / key tile (shrunk for wide heads, see :func:`tile_sizes`).
BLOCK_Q, BLOCK_K = 64, 128
#: m·n·k of one tile's matrix products stays below this (single-threaded OpenBLAS).
GEMM_SIZE = 1 << 19
#: Bytes of score tiles processed together (heads × bk × bq × itemsize).
GROUP_BYTES = 256 * 1024

_SKIP, _PLAIN, _MASKED = 0, 1, 2


def _swap(a):
    return xp.swapaxes(a, -1, -2)


def tile_sizes(L: int, S: int, width: int) -> tuple[int, int]:
    """(bq, bk): tiles of at most BLOCK_Q × BLOCK_K scores with bq·bk·(width+1) below
    GEMM_SIZE, halving the larger side (never below 8) until they fit."""
    bq, bk = min(L, BLOCK_Q), min(S, BLOCK_K)
    while bq * bk * (width + 1) >= GEMM_SIZE and max(bq, bk) > 8:
        if bk >= bq:
            bk = max(8, bk // 2)
        else:
            bq = max(8, bq // 2)
    return bq, bk


def _edges(n: int, b: int) -> list[tuple[int, int]]:
    return [(i, min(n, i + b)) for i in range(0, n, b)]


def tile_plan(mask_t, L: int, S: int, bq: int, bk: int):
    """Status of each (key tile, query tile): skip (−inf everywhere, over all batch
    entries), plain (0 everywhere) or masked. ``mask_t`` is the transposed mask
    (…, S', L') with S' ∈ {1, S}, L' ∈ {1, L}, or None. Returns a (nk, nq) int array."""
    nk, nq = -(-S // bk), -(-L // bq)
    if mask_t is None:
        return xp.full((nk, nq), _PLAIN, dtype=xp.int8)
    lead = tuple(range(mask_t.ndim - 2))
    neg = xp.isneginf(mask_t).all(axis=lead)
    zero = (mask_t == 0).all(axis=lead)
    plan = xp.empty((nk, nq), dtype=xp.int8)
    rows = _edges(S, bk) if neg.shape[0] > 1 else [(0, 1)] * nk
    cols = _edges(L, bq) if neg.shape[1] > 1 else [(0, 1)] * nq
    rstarts = [r[0] for r in rows]
    cstarts = [c[0] for c in cols]
    if neg.shape[0] > 1:
        neg_r = xp.logical_and.reduceat(neg, rstarts, axis=0)
        zero_r = xp.logical_and.reduceat(zero, rstarts, axis=0)
    else:
        neg_r, zero_r = xp.repeat(neg, nk, axis=0), xp.repeat(zero, nk, axis=0)
    if neg.shape[1] > 1:
        neg_t = xp.logical_and.reduceat(neg_r, cstarts, axis=1)
        zero_t = xp.logical_and.reduceat(zero_r, cstarts, axis=1)
    else:
        neg_t, zero_t = xp.repeat(neg_r, nq, axis=1), xp.repeat(zero_r, nq, axis=1)
    plan[...] = _MASKED
    plan[zero_t] = _PLAIN
    plan[neg_t] = _SKIP
    return plan


def _finite(m):
    """``m`` with −inf replaced by 0: the shift for rows that have seen only −inf
    scores, whose exponentials are then exp(−inf) = 0 instead of NaN."""
    return xp.where(xp.isneginf(m), 0, m).astype(m.dtype, copy=False)


def causal_plan(L: int, S: int, bq: int, bk: int):
    """:func:`tile_plan` of the causal mask (query i attends to keys j ≤ i), from the
    tile corners alone."""
    j0 = xp.arange(0, S, bk)[:, None]
    i0 = xp.arange(0, L, bq)[None, :]
    j_last = xp.minimum(j0 + bk, S) - 1
    i_last = xp.minimum(i0 + bq, L) - 1
    plan = xp.full((j0.size, i0.size), _MASKED, dtype=xp.int8)
    plan[j_last <= i0] = _PLAIN  # every key ≤ every query of the tile
    plan[j0 > i_last] = _SKIP  # every key after every query
    return plan


class _CausalTiles:
    """The transposed causal mask of one tile, 0 where key j ≤ query i, −inf after; it
    depends only on the tile's shape and offset j0 − i0, so tiles are cached."""

    def __init__(self, dtype):
        self.dtype, self.cache = dtype, {}

    def __getitem__(self, key):
        j0, j1, i0, i1 = key
        k = (j1 - j0, i1 - i0, j0 - i0)
        if k not in self.cache:
            after = xp.arange(j0, j1)[:, None] > xp.arange(i0, i1)[None, :]
            self.cache[k] = xp.where(after, -xp.inf, 0).astype(self.dtype)
        return self.cache[k]


def _mask_tile(mask_t, j0, j1, i0, i1):
    """The (…, bk, bq) slice of the transposed mask, keeping its size-1 axes."""
    if isinstance(mask_t, _CausalTiles):
        return mask_t[j0, j1, i0, i1]
    r = slice(j0, j1) if mask_t.shape[-2] > 1 else slice(None)
    c = slice(i0, i1) if mask_t.shape[-1] > 1 else slice(None)
    return mask_t[..., r, c]


def _groups(batch: tuple[int, ...], per_group: int):
    """Index tuples that split the batch dimensions into groups of about
    ``per_group`` entries: leading axes are taken one index at a time while the
    trailing ones hold more than a group, then sliced."""
    if not batch:
        yield ()
        return
    inner = math.prod(batch[1:])
    if inner >= per_group and len(batch) > 1:
        for i in range(batch[0]):
            for rest in _groups(batch[1:], per_group):
                yield (i, *rest)
        return
    step = max(1, per_group // max(inner, 1))
    for i in range(0, batch[0], step):
        yield (slice(i, i + step),)


def _run_groups(fn, groups) -> None:
    """``fn(idx)`` for every head group, on the calling thread. (Sharing the groups out
    to two Python threads, which NumPy allows since the tile products and ufuncs release
    the GIL, measured 5–8 % slower on the shared 2-core benchmark machine.)"""
    for idx in groups:
        fn(idx)


def _prepare(q, k, v, mask, causal):
    """Broadcast the batch dimensions; the transposed, contiguous mask and the tiling."""
    batch = xp.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    if mask is not None:
        batch = xp.broadcast_shapes(batch, mask.shape[:-2])
    q, k, v = (xp.broadcast_to(a, batch + a.shape[-2:]) for a in (q, k, v))
    L, S = q.shape[-2], k.shape[-2]
    E, Ev = q.shape[-1], v.shape[-1]
    bq, bk = tile_sizes(L, S, max(E, Ev))
    mask_t = None
    if mask is not None:
        mask_t = xp.ascontiguousarray(_swap(xp.atleast_2d(mask)))
    if causal:
        plan, mask_t = causal_plan(L, S, bq, bk), _CausalTiles(q.dtype)
    else:
        plan = tile_plan(mask_t, L, S, bq, bk)  # on the mask as given, not broadcast
    if mask_t is not None and not causal:
        mask_t = xp.broadcast_to(mask_t, batch + mask_t.shape[-2:])
    per_group = max(1, GROUP_BYTES // (bq * bk * q.dtype.itemsize))
    return q, k, v, mask_t, batch, (bq, bk), plan, per_group


def blocked_forward(q, k, v, mask, scale: float, out=None, causal: bool = False):
    """O = softmax(s Q Kᵀ + M) V tile by tile; returns (O, lse), lse (…, L) the row
    log-sum-exp (+inf for a row that may attend to nothing). ``out`` (…, L, Ev), if
    given, receives O. ``causal=True`` applies the causal mask (``mask`` is then None)
    without building it: the tiles on the diagonal get theirs."""
    q, k, v, mask_t, batch, (bq, bk), plan, per_group = _prepare(q, k, v, mask, causal)
    L, S, E, Ev = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    dt = q.dtype
    if out is None:
        out = xp.empty(batch + (L, Ev), dt)
    lse = xp.empty(batch + (L,), dt)
    qtiles, ktiles = _edges(L, bq), _edges(S, bk)

    def group(idx):
        kg = k[idx]
        qt = xp.empty(kg.shape[:-2] + (E, L), dt)  # sQᵀ, contiguous: NN products
        xp.multiply(_swap(q[idx]), dt.type(scale), out=qt)
        vg = xp.empty(kg.shape[:-2] + (S, Ev + 1), dt)  # [V | 1]
        vg[..., :Ev] = v[idx]
        vg[..., Ev] = 1
        mg = mask_t if mask_t is None or causal else mask_t[idx]
        og, lg = out[idx], lse[idx]
        for a, (i0, i1) in enumerate(qtiles):
            m = acc = None
            masked = False  # m may hold −inf (a row with no key allowed so far)
            for b, (j0, j1) in enumerate(ktiles):
                status = plan[b, a]
                if status == _SKIP:
                    continue
                zt = xp.matmul(kg[..., j0:j1, :], qt[..., i0:i1])  # (…, bk, bq)
                if status == _MASKED:
                    zt += _mask_tile(mg, j0, j1, i0, i1)
                    masked = True
                m_new = zt.max(axis=-2) if m is None else xp.maximum(m, zt.max(axis=-2))
                shift = _finite(m_new) if masked else m_new
                zt -= shift[..., None, :]
                xp.exp(zt, out=zt)
                if m is None:
                    acc = xp.matmul(_swap(zt), vg[..., j0:j1, :])  # (…, bq, Ev + 1)
                else:
                    acc *= xp.exp(m - shift)[..., None]  # rescale to the new maximum
                    acc += xp.matmul(_swap(zt), vg[..., j0:j1, :])
                m = m_new
            if m is None:  # every key tile skipped: no key may be attended to
                og[..., i0:i1, :] = 0
                lg[..., i0:i1] = xp.inf
                continue
            total = acc[..., Ev]
            dead = total == 0
            if dead.any():
                total[dead] = 1  # O = 0 for rows with nothing to attend to
            xp.divide(acc[..., :Ev], total[..., None], out=og[..., i0:i1, :])
            lse_i = xp.log(total)
            lse_i += _finite(m) if masked else m
            lse_i[dead] = xp.inf  # P = exp(Z − ∞) = 0 in the backward
            lg[..., i0:i1] = lse_i

    _run_groups(group, _groups(batch, per_group))
    return out, lse


def blocked_backward(
    q, k, v, mask, scale: float, out, lse, g, rowdot=None, outs=(None,) * 3, causal=False
):
    """(∂Q, ∂K, ∂V) of :func:`blocked_forward` for the upstream gradient ``g``
    (…, L, Ev), recomputing each probability tile from ``lse``. ``rowdot`` is
    D = Σ_Ev ∂O ⊙ O (…, L) when the caller has it; ``outs`` are arrays to write the
    gradients into (broadcast shape (…, ·, ·)), or None to allocate them."""
    q, k, v, mask_t, batch, (bq, bk), plan, per_group = _prepare(q, k, v, mask, causal)
    L, S, E, Ev = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    dt = q.dtype
    g = xp.broadcast_to(g, batch + (L, Ev))
    if rowdot is None:
        rowdot = (g * out).sum(axis=-1)
    dq = xp.empty(batch + (L, E), dt) if outs[0] is None else outs[0]
    dk = xp.empty(batch + (S, E), dt) if outs[1] is None else outs[1]
    dv = xp.empty(batch + (S, Ev), dt) if outs[2] is None else outs[2]
    s = dt.type(scale)
    qtiles, ktiles = _edges(L, bq), _edges(S, bk)

    def group(idx):
        lead = q[idx].shape[:-2]
        qa = xp.empty(lead + (E + 1, L), dt)  # [sQ | lse]ᵀ
        xp.multiply(_swap(q[idx]), s, out=qa[..., :E, :])
        qa[..., E, :] = lse[idx]
        ka = xp.empty(lead + (S, E + 1), dt)  # [K | −1]
        ka[..., :E] = k[idx]
        ka[..., E] = -1
        va = xp.empty(lead + (S, Ev + 1), dt)  # [V | 1]
        va[..., :Ev] = v[idx]
        va[..., Ev] = 1
        ga = xp.empty(lead + (Ev + 1, L), dt)  # [∂O | −D]ᵀ
        ga[..., :Ev, :] = _swap(g[idx])
        xp.negative(rowdot[idx], out=ga[..., Ev, :])
        gq = _swap(ga[..., :Ev, :])  # ∂O (…, L, Ev)
        mg = mask_t if mask_t is None or causal else mask_t[idx]
        dqg, dkg, dvg = dq[idx], dk[idx], dv[idx]
        dqg[...] = 0
        sq = _swap(qa[..., :E, :])  # sQ (…, L, E)
        for b, (j0, j1) in enumerate(ktiles):
            kj = ka[..., j0:j1, :]
            dk_j, dv_j = dkg[..., j0:j1, :], dvg[..., j0:j1, :]
            first = True
            for a, (i0, i1) in enumerate(qtiles):
                status = plan[b, a]
                if status == _SKIP:
                    continue
                pt = xp.matmul(kj, qa[..., i0:i1])  # Zᵀ − lse (…, bk, bq)
                if status == _MASKED:
                    pt += _mask_tile(mg, j0, j1, i0, i1)
                xp.exp(pt, out=pt)  # Pᵀ
                dst = xp.matmul(va[..., j0:j1, :], ga[..., i0:i1])  # (∂P − D)ᵀ
                dst *= pt  # ∂Sᵀ
                if first:
                    xp.matmul(pt, gq[..., i0:i1, :], out=dv_j)
                    xp.matmul(dst, sq[..., i0:i1, :], out=dk_j)
                    first = False
                else:
                    dv_j += xp.matmul(pt, gq[..., i0:i1, :])
                    dk_j += xp.matmul(dst, sq[..., i0:i1, :])
                dqg[..., i0:i1, :] += xp.matmul(_swap(dst), kj[..., :E])
            if first:  # no query sees these keys
                dk_j[...] = 0
                dv_j[...] = 0
        dqg *= s

    _run_groups(group, _groups(batch, per_group))
    return dq, dk, dv
