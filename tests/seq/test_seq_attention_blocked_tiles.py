"""The blocked attention kernel's tile bookkeeping (concept ATT-DOT): causal tile plans
where a tile edge meets the diagonal, masks broadcast along one of the two axes, and the
cache of causal mask tiles, against PyTorch's scaled_dot_product_attention in float64
and the causal mask's definition.

Tiles are shrunk to 8 queries × 16 keys (as in test_seq_attention_blocked.py), so the
lengths below put a key tile's first key on a query tile's last query (17, 33) or a key
tile's last key one or two past a query tile's first query (18)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.ops import attention as attention_ops
from gradkit.ops import blocked_attention
from parity import requires_torch, torch


@pytest.fixture
def blocked(monkeypatch):
    """Small tiles, and the blocked kernel for every size; returns its calls."""
    monkeypatch.setattr(blocked_attention, "BLOCK_Q", 8)
    monkeypatch.setattr(blocked_attention, "BLOCK_K", 16)
    monkeypatch.setattr(attention_ops, "BLOCKED_MIN_SCORES", 0)
    calls = []
    real = attention_ops.blocked_forward

    def spy(*args, **kw):
        calls.append(args[0].shape)
        return real(*args, **kw)

    monkeypatch.setattr(attention_ops, "blocked_forward", spy)
    return calls


def _compare(L, S, calls, seed=0, batch=((2,), (2,), (2,)), **kw):
    """Output and every gradient of the blocked kernel against torch, float64; ``batch``
    holds the batch dimensions of q, k and v."""
    rng = np.random.default_rng(seed)
    shapes = [(*batch[0], L, 4), (*batch[1], S, 4), (*batch[2], S, 3)]
    arrays = [rng.standard_normal(s) for s in shapes]
    upstream = rng.standard_normal((*np.broadcast_shapes(*batch), L, 3))
    g_in = [gk.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*g_in, **kw)
    assert calls, "the blocked kernel did not run"
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    t_out = torch.nn.functional.scaled_dot_product_attention(*t_in, **tkw)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=1e-12)
    out.backward(upstream)
    t_out.backward(torch.tensor(upstream))
    for name, g, t in zip("qkv", g_in, t_in):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), atol=1e-12, err_msg=name)


@requires_torch
@pytest.mark.parametrize("L, S", [(17, 17), (18, 18), (33, 40), (18, 30), (18, 40)])
def test_causal_tiles_where_an_edge_meets_the_diagonal(L, S, blocked):
    """ATT-DOT: is_causal when a key tile starts at a query tile's last query (17, 33)
    or ends one or two keys past a query tile's first query (18): those tiles are masked,
    neither skipped nor left unmasked; keys after every query (18, 40) get gradient 0."""
    _compare(L, S, blocked, is_causal=True)


def _key_mask(S):
    m = np.zeros(S)
    m[0] = -np.inf  # the first key of the first tile
    m[3:6] = -np.inf  # and keys inside it
    m[16:32] = -np.inf  # a whole key tile between two seen ones: no query sees it
    m[35:37] = 0.5
    m[38] = -np.inf
    return m


@requires_torch
@pytest.mark.parametrize(
    "mask",
    [
        _key_mask(40)[None, :],  # (1, S): the same keys hidden from every query
        np.where(np.arange(20) % 3 == 0, -np.inf, 0.7)[:, None],  # (L, 1): per query
        np.where(np.arange(20) % 3 == 0, -np.inf, 0.0)[:, None],  # rows with no key
        (_key_mask(40)[None, :] == 0),  # bool (1, S)
    ],
    ids=["float-1xS", "float-Lx1", "dead-rows-Lx1", "bool-1xS"],
)
def test_masks_broadcast_along_one_axis(mask, blocked):
    """ATT-DOT: a mask of shape (1, S) or (L, 1) is broadcast over the other axis in the
    tile plan and in each tile (L = 20, S = 40: several tiles of each)."""
    _compare(20, 40, blocked, attn_mask=mask)


@requires_torch
@pytest.mark.parametrize(
    "batch",
    [((), (2, 3), ()), ((), (), (2, 3)), ((3,), (2, 1), (1,)), ((2, 2, 3), (3,), (2, 1, 1))],
    ids=["k-batched", "v-batched", "mixed", "three-dims"],
)
def test_batch_dimensions_broadcast_across_q_k_v(batch, blocked, monkeypatch):
    """ATT-DOT: the batch dimensions of query, key and value broadcast together (each
    may carry ones the others lack), also when the heads are processed in groups."""
    monkeypatch.setattr(blocked_attention, "GROUP_BYTES", 8 * 16 * 8 * 2)  # 2 heads a group
    _compare(20, 40, blocked, batch=batch, is_causal=True)


@pytest.mark.parametrize("batch", [(5,), (2, 3), (3, 1, 4), (2, 5, 3), (4, 1), (1, 7)], ids=str)
@pytest.mark.parametrize("per_group", [1, 2, 3, 4, 100])
def test_head_groups_cover_the_batch_once(batch, per_group):
    """ATT-DOT: the head groups partition the batch: every entry in exactly one group,
    and no group larger than per_group entries."""
    seen = np.zeros(batch, dtype=int)
    for idx in blocked_attention._groups(batch, per_group):
        block = seen[idx]
        block += 1
        assert block.size <= per_group, (idx, block.size)
    assert (seen == 1).all()


@requires_torch
def test_scores_far_apart_between_key_tiles_and_rows(blocked):
    """ATT-DOT: the online softmax's running maximum is per query row and over every key
    tile so far: a key tile 1000 below the first, and rows 2000 below the others, give
    torch's softmax (no overflow, no underflow to an all-zero row)."""
    mask = np.zeros((20, 40))
    mask[:, 16:32] = -1000.0
    mask[:, 32:] = 0.3
    mask[:5] -= 2000.0
    _compare(20, 40, blocked, attn_mask=mask)


@requires_torch
def test_wide_heads_shrink_the_tiles(blocked, monkeypatch):
    """ATT-DOT: when the tile products would exceed GEMM_SIZE the tiles are halved
    (here down to 8 × 8) and the result is unchanged."""
    monkeypatch.setattr(blocked_attention, "GEMM_SIZE", 8 * 16 * 5)
    assert blocked_attention.tile_sizes(20, 40, 4) == (8, 8)
    _compare(20, 40, blocked, is_causal=True)


@pytest.mark.parametrize(
    "L, S, width, expected",
    [
        (512, 512, 200, (64, 32)),
        (9, 9, 100_000, (8, 8)),
        (512, 512, 63, (64, 64)),
        (64, 16, 1000, (32, 16)),
    ],
)
def test_tile_sizes_halve_the_key_side_on_a_tie_down_to_eight(L, S, width, expected):
    """ATT-DOT: tile_sizes halves the larger side (the key side when the sides are
    equal), keeps halving while a side exceeds 8, and returns ints (they slice the
    arrays)."""
    sizes = blocked_attention.tile_sizes(L, S, width)
    assert sizes == expected
    assert all(type(v) is int for v in sizes)


def test_causal_mask_tiles_are_the_definition_for_every_tile():
    """ATT-DOT: each cached causal tile is 0 where key j ≤ query i and −inf after,
    also for tiles whose shapes or offsets share sums or differences with earlier ones
    (the cache key is the tile's shape and offset)."""
    tiles = blocked_attention._CausalTiles(np.float32)
    for j0, j1, i0, i1 in [
        (0, 16, 0, 8), (4, 12, 4, 12), (0, 8, 0, 16), (4, 12, 4, 8),
        (0, 16, 16, 24), (16, 32, 0, 8), (8, 24, 0, 8), (16, 32, 8, 16),
    ]:  # fmt: skip
        tile = tiles[j0, j1, i0, i1]
        j, i = np.arange(j0, j1)[:, None], np.arange(i0, i1)[None, :]
        np.testing.assert_array_equal(tile, np.where(j > i, -np.inf, 0.0))
        assert tile.dtype == np.float32


@requires_torch
@pytest.mark.parametrize("L, S", [(2, 20), (20, 2)])
def test_two_queries_or_two_keys_with_a_full_mask(L, S, blocked):
    """ATT-DOT: a full (L, S) float mask when one side has only two positions (one tile
    there, the mask's axis not broadcast)."""
    mask = np.random.default_rng(1).standard_normal((L, S))
    mask[0, 1] = -np.inf
    _compare(L, S, blocked, attn_mask=mask)


def _direct_inputs(dtype, seed=3):
    rng = np.random.default_rng(seed)
    shapes = [(2, 3, 20, 4), (2, 3, 40, 4), (2, 3, 40, 5)]
    q, k, v = (rng.standard_normal(s).astype(dtype) for s in shapes)
    g = rng.standard_normal((2, 3, 20, 5)).astype(dtype)
    return q, k, v, g


def _torch_reference(q, k, v, g, scale):
    t = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = torch.nn.functional.scaled_dot_product_attention(*t, scale=scale)
    out.backward(torch.tensor(g))
    return [out.detach().numpy()] + [a.grad.numpy() for a in t]


@requires_torch
@pytest.mark.parametrize("given", [None, 0, 1, 2], ids=["allocate", "dq", "dk", "dv"])
def test_blocked_functions_defaults_dtypes_and_outs(given, monkeypatch):
    """ATT-DOT: blocked_forward / blocked_backward called directly, without a mask and
    with their defaults (no causal mask): float32 in, float32 out and gradients that match
    torch's; a gradient array passed in ``outs`` (the others None) receives that
    gradient."""
    monkeypatch.setattr(blocked_attention, "BLOCK_Q", 8)
    monkeypatch.setattr(blocked_attention, "BLOCK_K", 16)
    q, k, v, g = _direct_inputs(np.float32)
    scale = 0.6
    expected = _torch_reference(q, k, v, g, scale)
    out, lse = blocked_attention.blocked_forward(q, k, v, None, scale)
    outs = [None, None, None]
    if given is not None:
        outs[given] = np.full(expected[1 + given].shape, np.nan, np.float32)
    grads = blocked_attention.blocked_backward(q, k, v, None, scale, out, lse, g, outs=tuple(outs))
    for name, a, b in zip(("out", "dq", "dk", "dv"), (out, *grads), expected):
        assert a.dtype == np.float32, name
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5, err_msg=name)
    if given is not None:
        assert grads[given] is outs[given]
