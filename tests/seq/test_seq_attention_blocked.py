"""The blocked (FlashAttention-style) attention kernel (concepts ATT-DOT, ATT-MHA,
ATT-TRANSFORMER) against the unfused kernel in float64 and PyTorch in float32.

Tiles are shrunk to 8 queries × 16 keys so that small inputs span several tiles and the
lengths (37 queries, 29 keys) do not divide the tile sizes; the size rule is switched so
that the kernel under test runs, and a spy proves which one did."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.autograd import gradcheck
from gradkit.nn.attention import MultiheadAttention
from gradkit.ops import attention as attention_ops
from gradkit.ops import blocked_attention
from parity import requires_torch, torch

L, S, E, EV = 37, 29, 6, 5


@pytest.fixture
def kernel(monkeypatch):
    """``kernel("blocked" | "unfused")`` selects the kernel; returns the list of calls
    the blocked forward received."""
    monkeypatch.setattr(blocked_attention, "BLOCK_Q", 8)
    monkeypatch.setattr(blocked_attention, "BLOCK_K", 16)
    monkeypatch.setattr(blocked_attention, "GROUP_BYTES", 8 * 16 * 8 * 2)  # 2 heads a group
    calls = []
    real = attention_ops.blocked_forward

    def spy(*args, **kw):
        calls.append(args[0].shape)
        return real(*args, **kw)

    monkeypatch.setattr(attention_ops, "blocked_forward", spy)

    def select(name):
        limit = {"blocked": 0, "unfused": float("inf")}[name]
        monkeypatch.setattr(attention_ops, "BLOCKED_MIN_SCORES", limit)
        calls.clear()
        return calls

    return select


def _bool_mask(shape, seed=0):
    return np.random.default_rng(seed).random(shape) > 0.4  # True = may attend


def _dead_rows_mask():
    m = _bool_mask((L, S), seed=3)
    m[:9] = False  # a whole tile of queries with no key (every key tile skipped)
    m[20] = False  # one row inside a tile with live rows
    return m


# id: (keyword arguments, query/key/value shapes)
CASES = {
    "plain": ({}, [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)]),
    "self-causal": ({"is_causal": True}, [(2, 3, L, E), (2, 3, L, E), (2, 3, L, EV)]),
    "cross-causal": ({"is_causal": True}, [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)]),
    "scale": ({"scale": 0.37}, [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)]),
    "bool-mask": ({"attn_mask": _bool_mask((L, S))}, [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)]),
    "bool-mask-per-batch": (
        {"attn_mask": _bool_mask((2, 1, L, S), seed=1)},
        [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)],
    ),
    "float-mask": (
        {"attn_mask": np.random.default_rng(2).standard_normal((2, 1, L, S))},
        [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)],
    ),
    "float-mask-key-padding": (
        {"attn_mask": np.where(np.arange(S) >= 20, -np.inf, 0.0)[None, None, None, :]},
        [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)],
    ),
    "dead-rows": ({"attn_mask": _dead_rows_mask()}, [(2, 3, L, E), (2, 3, S, E), (2, 3, S, EV)]),
    "unbatched": ({"is_causal": True}, [(L, E), (L, E), (L, EV)]),
    "broadcast-batch": ({}, [(2, 3, L, E), (S, E), (1, 3, S, EV)]),
}


def _run(kw, arrays, upstream, dtype):
    ts = [gk.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*ts, **kw)
    out.backward(upstream.astype(dtype))
    return [out.detach().numpy()] + [t.grad.detach().numpy() for t in ts]


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    batch = np.broadcast_shapes(*(s[:-2] for s in shapes))
    upstream = rng.standard_normal((*batch, shapes[0][-2], shapes[2][-1]))
    return arrays, upstream


@pytest.mark.parametrize("case", list(CASES))
def test_blocked_matches_unfused_float64(case, kernel):
    """ATT-DOT: the blocked kernel (online softmax, skipped tiles, probabilities
    recomputed from the log-sum-exp) equals the unfused one to 1e-10 in float64, output
    and every gradient."""
    kw, shapes = CASES[case]
    arrays, upstream = _arrays(shapes)
    kernel("unfused")
    expected = _run(kw, arrays, upstream, np.float64)
    calls = kernel("blocked")
    actual = _run(kw, arrays, upstream, np.float64)
    assert calls, "the blocked kernel did not run"
    for name, a, b in zip(("out", "dq", "dk", "dv"), actual, expected):
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10, err_msg=name)
    assert np.isfinite(actual[0]).all()


@requires_torch
@pytest.mark.parametrize("case", list(CASES))
def test_blocked_matches_torch_float32(case, kernel):
    """ATT-DOT: the blocked kernel in float32 against torch's scaled_dot_product_attention
    (rows with no key allowed give 0, as torch's do)."""
    kw, shapes = CASES[case]
    arrays, upstream = _arrays(shapes, seed=7)
    calls = kernel("blocked")
    actual = _run(kw, arrays, upstream, np.float32)
    assert calls
    t_in = [torch.tensor(a, dtype=torch.float32, requires_grad=True) for a in arrays]
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    if "attn_mask" in tkw and tkw["attn_mask"].dtype == torch.float64:
        tkw["attn_mask"] = tkw["attn_mask"].float()
    out = torch.nn.functional.scaled_dot_product_attention(*t_in, **tkw)
    out.backward(torch.tensor(upstream, dtype=torch.float32))
    expected = [out.detach().numpy()] + [t.grad.numpy() for t in t_in]
    for name, a, b in zip(("out", "dq", "dk", "dv"), actual, expected):
        assert a.dtype == np.float32, name
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5, err_msg=name)


@pytest.mark.parametrize("case", ["self-causal", "float-mask", "dead-rows"])
def test_blocked_gradcheck(case, kernel):
    """ATT-DOT: the blocked kernel's gradients against finite differences."""
    kw, _ = CASES[case]
    kernel("blocked")
    Lq, Sk = (L, L) if case == "self-causal" else (L, S)
    rng = np.random.default_rng(4)
    q, k, v = (gk.tensor(rng.standard_normal(s), requires_grad=True)
               for s in [(1, Lq, 3), (1, Sk, 3), (1, Sk, 2)])  # fmt: skip
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw), q, k, v)


def test_double_backward_after_blocked_forward(kernel):
    """ATT-DOT: create_graph after the blocked forward gives the unfused kernel's second
    derivatives (the composed branch recomputes P from Q and K), also with dead rows."""
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in [(2, L, 4), (2, S, 4), (2, S, 3)]]
    mask = _dead_rows_mask()

    def second(name):
        kernel(name)
        q, k, v = (gk.tensor(a, requires_grad=True) for a in arrays)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        (gq,) = gk.autograd.grad((out * out).sum(), [q], create_graph=True)
        (gq * gq).sum().backward()
        return [t.grad.detach().numpy() for t in (q, k, v)]

    expected, actual = second("unfused"), second("blocked")
    for a, b in zip(actual, expected):
        assert np.isfinite(a).all()
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_rule_picks_unfused_for_dropout_and_mask_gradient(kernel):
    """ATT-DOT: dropout and a float mask that needs its gradient take the unfused kernel
    even above the size limit (the rule in gradkit.ops.attention)."""
    calls = kernel("blocked")
    q = gk.randn(2, L, E)
    F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    m = gk.tensor(np.zeros((L, L), np.float32), requires_grad=True)
    F.scaled_dot_product_attention(q, q, q, attn_mask=m).sum().backward()
    assert m.grad is not None and not calls
    F.scaled_dot_product_attention(q, q, q)
    assert calls == [(2, L, E)]
    assert not attention_ops.uses_blocked(L, L, 0.1)


def test_causal_tiles_above_the_diagonal_are_skipped():
    """ATT-DOT: the tile plan of a causal mask skips exactly the tiles above the
    diagonal, leaves the ones below unmasked and masks the diagonal ones."""
    n, b = 40, 8
    mask_t = np.ascontiguousarray(np.triu(np.full((n, n), -np.inf), 1).T)
    plan = blocked_attention.tile_plan(mask_t, n, n, b, b)  # (key tile, query tile)
    jj, ii = np.indices(plan.shape)
    assert (plan[jj > ii] == 0).all()  # skipped
    assert (plan[jj < ii] == 1).all()  # plain
    assert (plan[jj == ii] == 2).all()  # masked


@pytest.mark.parametrize("width, expected", [(32, (64, 128)), (64, (64, 64)), (8, (64, 128))])
def test_tile_sizes_keep_products_single_threaded(width, expected):
    """Each tile's matrix products stay below the GEMM size OpenBLAS splits over threads."""
    bq, bk = blocked_attention.tile_sizes(512, 512, width)
    assert (bq, bk) == expected
    assert bq * bk * (width + 1) < blocked_attention.GEMM_SIZE
    assert blocked_attention.tile_sizes(5, 3, 32) == (5, 3)


@requires_torch
def test_packed_self_attention_blocked_matches_unfused(kernel):
    """ATT-MHA: MultiheadAttention's packed self-attention path (need_weights=False) with
    a causal mask and key padding, blocked against unfused, gradients included."""
    gk.manual_seed(0)
    mha = MultiheadAttention(8, 2, batch_first=True).double()
    x0 = np.random.default_rng(6).standard_normal((3, L, 8))
    pad = np.zeros((3, L), bool)
    pad[1, -5:] = True
    pad[2, :] = True  # a sequence with every key padded: zeros, as in torch

    def run(name):
        calls = kernel(name)
        mha.zero_grad()
        x = gk.tensor(x0, requires_grad=True)
        out, _ = mha(x, x, x, key_padding_mask=pad, need_weights=False, is_causal=True,
                     attn_mask=np.triu(np.ones((L, L), bool), 1))  # fmt: skip
        out.backward(np.cos(np.arange(out.numel())).reshape(out.shape))
        grads = [x.grad.detach().numpy()] + [p.grad.detach().numpy() for p in mha.parameters()]
        return out.detach().numpy(), grads, bool(calls)

    out_u, grads_u, used_u = run("unfused")
    out_b, grads_b, used_b = run("blocked")
    assert used_b and not used_u
    np.testing.assert_allclose(out_b, out_u, rtol=0, atol=1e-10)
    for a, b in zip(grads_b, grads_u):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    th = torch.nn.MultiheadAttention(8, 2, batch_first=True).double()
    th.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in mha.state_dict().items()})
    t_out, _ = th(*(torch.tensor(x0),) * 3, key_padding_mask=torch.tensor(pad),
                  attn_mask=torch.tensor(np.triu(np.ones((L, L), bool), 1)),
                  need_weights=False)  # fmt: skip
    np.testing.assert_allclose(out_b, t_out.detach().numpy(), rtol=0, atol=1e-10)


def test_blocked_kernel_keeps_no_score_sized_array(monkeypatch):
    """ATT-DOT: forward + backward of causal attention over 1024 positions, 8 heads:
    the unfused kernel's traced peak holds the probabilities (8 × 1024² float32 =
    32 MiB); the blocked kernel's stays under a quarter of that (its arrays are
    O(L·E) plus score tiles)."""
    rng = np.random.default_rng(0)
    q, k, v = (gk.tensor(rng.standard_normal((8, 1024, 16)).astype(np.float32),
                         requires_grad=True) for _ in range(3))  # fmt: skip
    g = rng.standard_normal((8, 1024, 16)).astype(np.float32)
    probabilities = 8 * 1024 * 1024 * 4

    def peak(limit):
        monkeypatch.setattr(attention_ops, "BLOCKED_MIN_SCORES", limit)
        tracemalloc.start()
        try:
            F.scaled_dot_product_attention(q, k, v, is_causal=True).backward(g)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak(float("inf")) > probabilities
    assert peak(0) < probabilities / 4
