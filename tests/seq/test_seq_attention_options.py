"""Scaled dot-product attention options no other test reaches (concept ATT-DOT):
``is_causal`` with L ≠ S, rows with no key allowed, a float mask's own gradient,
``dropout_p`` (its gradient by central differences with a fixed seed), ``scale`` with
the causal mask, and double backward of the unfused kernel. Oracles: PyTorch 2.x in
float64 (forward and gradients) and central differences."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.autograd import gradcheck, gradgradcheck
from gradkit.nn.attention import MultiheadAttention
from gradkit.ops import attention as attention_ops
from parity import assert_parity, random_inputs, requires_torch, torch

TF = None if torch is None else torch.nn.functional


@pytest.fixture(params=["unfused", "blocked"])
def kernel(request, monkeypatch):
    """Run each case through both kernels (the blocked one from the first score)."""
    limit = {"blocked": 0, "unfused": float("inf")}[request.param]
    monkeypatch.setattr(attention_ops, "BLOCKED_MIN_SCORES", limit)
    return request.param


@requires_torch
@pytest.mark.parametrize("L, S", [(3, 6), (6, 3), (4, 4)])
@pytest.mark.parametrize("scale", [None, 0.45])
def test_causal_with_query_and_key_lengths_apart(L, S, scale, kernel):
    """ATT-DOT: is_causal lets query i see keys j ≤ i (top-left aligned) for L ≠ S."""
    assert_parity(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale),
        random_inputs([(2, 3, L, 4), (2, 3, S, 4), (2, 3, S, 5)], seed=L * 10 + S),
    )


@requires_torch
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_rows_with_no_key_give_zero_output_and_gradient(kind, kernel):
    """A query whose mask forbids every key: output 0, gradients 0, as PyTorch."""
    allowed = np.random.default_rng(7).random((4, 5)) > 0.3
    allowed[:, 0] = True
    allowed[2] = False
    mask = allowed if kind == "bool" else np.where(allowed, 0.0, -np.inf)
    assert_parity(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(mask)),
        random_inputs([(2, 4, 3), (2, 5, 3), (2, 5, 2)], seed=8),
    )


@requires_torch
@pytest.mark.parametrize("mask_shape", [(2, 3, 4, 5), (4, 5), (3, 1, 5)], ids=str)
def test_float_mask_gradient_matches_torch(mask_shape):
    """ATT-DOT: a float mask that requires grad gets ∂L/∂M = P ⊙ (∂P − Σ ∂P ⊙ P), summed
    over the axes it was broadcast along."""
    arrays = random_inputs([(2, 3, 4, 3), (2, 3, 5, 3), (2, 3, 5, 2), mask_shape], seed=9)
    assert_parity(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7),
        lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7),
        arrays,
    )


def test_float_mask_gradient_by_finite_differences():
    q, k, v, m = (gk.tensor(a) for a in random_inputs([(3, 4), (5, 4), (5, 2), (3, 5)], seed=10))
    assert gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m), q, k, v, m)


@pytest.mark.parametrize("is_causal", [False, True])
def test_dropout_gradient_by_finite_differences(is_causal):
    """ATT-DOT dropout: with the generator reseeded, each call draws the same mask D,
    and the gradients of dropout(P) V (each kept probability scaled by 1/(1 − p)) match
    central differences."""
    q, k, v = (gk.tensor(a) for a in random_inputs([(2, 4, 3), (2, 4, 3), (2, 4, 2)], seed=11))

    def fn(q, k, v):
        gk.manual_seed(3)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4, is_causal=is_causal)

    assert gradcheck(fn, q, k, v)
    assert gradgradcheck(fn, q, k, v, atol=1e-6, rtol=1e-4)


def test_dropout_keeps_each_probability_with_the_inverse_scale():
    """ATT-DOT dropout on one key: the output is v/(1 − p) where kept, 0 where dropped,
    and about 1 − p of them are kept."""
    gk.manual_seed(0)
    q, k = gk.zeros(1, 4000, 2), gk.zeros(1, 1, 2)
    v = gk.ones(1, 1, 1)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.2).numpy().ravel()
    assert set(np.round(out, 12)) <= {0.0, 1.25}
    assert abs((out > 0).mean() - 0.8) < 0.03


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [dict(is_causal=True), dict(attn_mask="bool"), dict(attn_mask="float"), dict(scale=0.3)],
    ids=str,
)
def test_double_backward_matches_torch(kw):
    """T-AUTODIFF: the gradient of the squared gradient norm, against PyTorch."""
    arrays = random_inputs([(2, 4, 3), (2, 5, 3), (2, 5, 2)], seed=12)
    L, S = 4, 5
    if kw.get("is_causal"):
        arrays[1], arrays[2] = arrays[1][:, :L], arrays[2][:, :L]
    masks = {
        "bool": np.random.default_rng(1).random((L, S)) > 0.3,
        "float": np.random.default_rng(2).standard_normal((L, S)),
    }
    if "attn_mask" in kw:
        masks["bool"][:, 0] = True
        gk_kw = dict(kw, attn_mask=masks[kw["attn_mask"]])
        th_kw = dict(kw, attn_mask=torch.tensor(masks[kw["attn_mask"]]))
    else:
        gk_kw = th_kw = kw

    def penalty(lib, fn, kwargs, xs):
        out = fn(*xs, **kwargs)
        grads = lib.autograd.grad((out * out).sum(), xs, create_graph=True)
        return sum((g * g).sum() for g in grads)

    gx = [gk.tensor(a, requires_grad=True) for a in arrays]
    tx = [torch.tensor(a, requires_grad=True) for a in arrays]
    p_gk = penalty(gk, F.scaled_dot_product_attention, gk_kw, gx)
    p_th = penalty(torch, TF.scaled_dot_product_attention, th_kw, tx)
    np.testing.assert_allclose(p_gk.item(), p_th.item(), rtol=1e-10)
    p_gk.backward()
    p_th.backward()
    for a, t in zip(gx, tx):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), atol=1e-10, rtol=1e-8)


def test_bad_arguments_are_named():
    q = gk.zeros(1, 3, 4)
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool), is_causal=True)
    for p in (1.0, -0.1):
        with pytest.raises(ValueError, match="dropout_p must be in"):
            F.scaled_dot_product_attention(q, q, q, dropout_p=p)
    with pytest.raises(TypeError, match="bool or float"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), np.int64))


def test_causal_mask_is_minus_inf_above_the_diagonal():
    m = attention_ops.causal_mask(2, 3)
    expected = np.array([[0, -np.inf, -np.inf], [0, 0, -np.inf]])
    np.testing.assert_array_equal(m, expected)
    assert m.dtype == gk.get_default_dtype()
    assert attention_ops.causal_mask(3).shape == (3, 3)
    assert attention_ops.causal_mask(2, 2, np.float32).dtype == np.float32


def test_kernel_rule_boundaries():
    """The blocked kernel from L·S = BLOCKED_MIN_SCORES scores up, only without dropout."""
    n = attention_ops.BLOCKED_MIN_SCORES
    assert attention_ops.uses_blocked(n, 1, 0.0)
    assert not attention_ops.uses_blocked(n - 1, 1, 0.0)
    assert not attention_ops.uses_blocked(n, 1, 0.1)


@pytest.mark.parametrize("case", ["dead-row", "float-mask-input", "causal-dropout"])
def test_double_backward_by_finite_differences(case):
    """T-AUTODIFF: the recorded backward (create_graph) with a row that may attend to
    nothing, a float mask that is itself differentiated, and dropout with the causal
    mask, against central differences of the first gradients."""
    q, k, v, m = (gk.tensor(a) for a in random_inputs([(2, 4, 3), (2, 5, 3), (2, 5, 2), (4, 5)]))
    allowed = np.random.default_rng(4).random((4, 5)) > 0.3
    allowed[:, 0] = True
    allowed[1] = False
    if case == "dead-row":
        fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)  # noqa: E731
        assert gradgradcheck(fn, q, k, v, atol=1e-6, rtol=1e-4)
    elif case == "float-mask-input":
        fn = lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m)  # noqa: E731
        assert gradgradcheck(fn, q, k, v, m, atol=1e-6, rtol=1e-4)
    else:

        def fn(q, k, v):
            gk.manual_seed(5)
            return F.scaled_dot_product_attention(q, k, v, dropout_p=0.3, is_causal=True)

        k, v = gk.tensor(k.numpy()[:, :4]), gk.tensor(v.numpy()[:, :4])
        assert gradgradcheck(fn, q, k, v, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("masked", [False, True])
def test_packed_self_attention_gradients_by_finite_differences(masked, dropout):
    """ATT-MHA: self-attention without weights runs the packed op (one Q/K/V projection);
    its first and second gradients, with a causal mask and with dropout (the generator
    reseeded per call), against central differences."""
    gk.manual_seed(0)
    mha = MultiheadAttention(4, 2, dropout=dropout, batch_first=True, dtype=np.float64)
    mask = attention_ops.causal_mask(3, 3, np.float64) if masked else None
    (x,) = random_inputs([(2, 3, 4)], seed=6)

    def fn(x):
        gk.manual_seed(1)
        return mha(x, x, x, need_weights=False, attn_mask=mask)[0]

    assert gradcheck(fn, gk.tensor(x))
    assert gradgradcheck(fn, gk.tensor(x), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize(
    "L, S, width, expected",
    [
        (512, 512, 63, (64, 64)),  # 64·128·64 = 2¹⁹ exactly: too big, halve the key side
        (512, 512, 62, (64, 128)),  # 64·128·63 < 2¹⁹
        (64, 16, 1000, (32, 16)),  # the query side is the larger one: halve it
        (512, 512, 100_000, (8, 8)),  # never below 8
        (20, 9, 3000, (10, 9)),
    ],
)
def test_tile_sizes_rule(L, S, width, expected):
    """(bq, bk) start at (min(L, 64), min(S, 128)); while bq·bk·(width + 1) ≥ 2¹⁹ and a
    side exceeds 8, the larger side (the key side on a tie) is halved, not below 8."""
    from gradkit.ops.blocked_attention import tile_sizes

    assert tile_sizes(L, S, width) == expected
