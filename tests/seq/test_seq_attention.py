"""Attention against PyTorch (concepts ATT-DOT, ATT-MHA): scaled dot-product attention
with masks, multi-head attention with copied float64 weights, every gradient compared."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck
from gradkit.nn.attention import MultiheadAttention
from gradkit.nn.functional import scaled_dot_product_attention
from gradkit.nn.transformer import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from parity import assert_parity, random_inputs, requires_torch, torch

ATOL, RTOL = 1e-9, 1e-7


def _bool_mask(shape, seed=0):
    m = np.random.default_rng(seed).random(shape) > 0.3
    m[..., 0] = True  # every query keeps at least one key
    return m


SDPA_CASES = [
    ("plain", {}, {}),
    ("causal", {"is_causal": True}, {"is_causal": True}),
    ("scale", {"scale": 0.3}, {"scale": 0.3}),
    ("bool-mask", {"attn_mask": _bool_mask((5, 6))}, {"attn_mask": _bool_mask((5, 6))}),
    (
        "float-mask",
        {"attn_mask": np.random.default_rng(2).standard_normal((2, 1, 5, 6))},
        {"attn_mask": np.random.default_rng(2).standard_normal((2, 1, 5, 6))},
    ),
]  # torch's masks are made tensors in the test


@requires_torch
@pytest.mark.parametrize(
    "gk_kw, th_kw", [c[1:] for c in SDPA_CASES], ids=[c[0] for c in SDPA_CASES]
)
def test_sdpa_parity(gk_kw, th_kw):
    """ATT-DOT: softmax(QKᵀ/√d + M)V with bool/float masks and is_causal."""
    S = 5 if gk_kw.get("is_causal") else 6
    th_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in th_kw.items()}
    assert_parity(
        lambda q, k, v: scaled_dot_product_attention(q, k, v, **gk_kw),
        lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, **th_kw),
        random_inputs([(2, 3, 5, 4), (2, 3, S, 4), (2, 3, S, 7)]),
    )


def test_sdpa_gradcheck():
    """ATT-DOT: the fused op against finite differences, masked."""
    q, k, v = (gk.tensor(a) for a in random_inputs([(2, 3, 4), (2, 5, 4), (2, 5, 3)], seed=4))
    mask = _bool_mask((3, 5), seed=1)
    gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=mask), q, k, v)


def test_sdpa_dropout_statistics():
    """ATT-DOT dropout: zeroes ≈ p of the probabilities, keeps the expectation."""
    gk.manual_seed(0)
    q = gk.zeros(1, 1, 200, 4)
    v = gk.ones(1, 1, 50, 3)
    out = scaled_dot_product_attention(q, gk.zeros(1, 1, 50, 4), v, dropout_p=0.25)
    # uniform attention 1/50 per key; out = (kept keys / 50) / 0.75, mean 1
    assert abs(out.detach().numpy().mean() - 1.0) < 0.03
    assert out.detach().numpy().std() > 0.05


def _mha_parity(gk_mha, th_mha, inputs, seed=1, **kw):
    th_mha.double()
    gk_mha.double()
    gk_mha.load_state_dict({k: v.detach().numpy() for k, v in th_mha.state_dict().items()})
    assert list(gk_mha.state_dict()) == list(th_mha.state_dict())
    g_in = [gk.tensor(a, requires_grad=True) for a in inputs]
    t_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    g_out, g_w = gk_mha(*g_in, **kw)
    t_out, t_w = th_mha(*t_in, **tkw)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), atol=ATOL, rtol=RTOL)
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(g_out.shape)
    g_loss = (g_out * gk.tensor(w)).sum()
    t_loss = (t_out * torch.tensor(w)).sum()
    if kw.get("need_weights", True):
        np.testing.assert_allclose(g_w.detach().numpy(), t_w.detach().numpy(), atol=ATOL, rtol=RTOL)
        w = rng.standard_normal(g_w.shape)
        g_loss = g_loss + (g_w * gk.tensor(w)).sum()
        t_loss = t_loss + (t_w * torch.tensor(w)).sum()
    else:
        assert g_w is None and t_w is None
    g_loss.backward()
    t_loss.backward()
    for i, (g, t) in enumerate(zip(g_in, t_in)):
        np.testing.assert_allclose(g.grad.detach().numpy(), t.grad.numpy(), atol=ATOL, rtol=RTOL,
                                   err_msg=f"input {i}")  # fmt: skip
    t_params = dict(th_mha.named_parameters())
    for name, p in gk_mha.named_parameters():
        np.testing.assert_allclose(p.grad.detach().numpy(), t_params[name].grad.numpy(), atol=ATOL,
                                   rtol=RTOL, err_msg=name)  # fmt: skip


E, H, N, L, S = 8, 2, 3, 5, 4
MHA_CASES = [
    ("self-weights", False, "self", {}),
    ("self-no-weights", False, "self", {"need_weights": False}),
    ("batch-first", True, "self", {"need_weights": False}),
    ("cross-per-head-weights", True, "cross", {"average_attn_weights": False}),
    ("key-padding", False, "cross",
     {"key_padding_mask": np.array([[0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 0, 1]], bool),
      "need_weights": False}),
    ("bool-attn-mask", True, "cross", {"attn_mask": ~_bool_mask((L, S), seed=3)}),
    ("float-attn-mask-3d", False, "cross",
     {"attn_mask": np.random.default_rng(5).standard_normal((N * H, L, S)),
      "need_weights": False}),
    ("unbatched", False, "unbatched", {}),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("batch_first, kind, kw", [c[1:] for c in MHA_CASES],
                         ids=[c[0] for c in MHA_CASES])  # fmt: skip
def test_multihead_attention_parity(batch_first, kind, kw):
    """ATT-MHA: torch.nn.MultiheadAttention with copied weights, masks, both weight modes."""
    torch.manual_seed(0)
    th = torch.nn.MultiheadAttention(E, H, batch_first=batch_first)
    with torch.no_grad():  # torch initializes the biases to zero; make them matter
        th.in_proj_bias.normal_()
        th.out_proj.bias.normal_()
    g = MultiheadAttention(E, H, batch_first=batch_first)
    lead = (lambda n, t: (n, t, E)) if batch_first else (lambda n, t: (t, n, E))
    if kind == "self":
        x = random_inputs([lead(N, L)])[0]
        inputs = [x, x, x]
    elif kind == "cross":
        inputs = random_inputs([lead(N, L), lead(N, S), lead(N, S)])
    else:
        inputs = random_inputs([(L, E), (S, E), (S, E)])
    _mha_parity(g, th, inputs, **kw)


def test_mha_errors():
    with pytest.raises(ValueError, match="multiple of num_heads"):
        MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="embed_dim is 8"):
        MultiheadAttention(8, 2)(gk.randn(3, 2, 6), gk.randn(3, 2, 6), gk.randn(3, 2, 6))


@requires_torch
@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_encoder_layer_parity(norm_first, activation, batch_first):
    """ATT-TRANSFORMER: torch.nn.TransformerEncoderLayer (dropout 0) with copied weights,
    a causal mask and key padding; output and every gradient."""
    torch.manual_seed(0)
    kw = dict(dim_feedforward=16, dropout=0.0, activation=activation, batch_first=batch_first,
              norm_first=norm_first)  # fmt: skip
    th = torch.nn.TransformerEncoderLayer(E, H, **kw).double()
    g = TransformerEncoderLayer(E, H, **kw).double()
    with torch.no_grad():
        for p in th.parameters():  # non-trivial biases and norm weights
            p.add_(0.1 * torch.randn_like(p))
    g.load_state_dict({k: v.detach().numpy() for k, v in th.state_dict().items()})
    assert list(g.state_dict()) == list(th.state_dict())
    shape = (N, L, E) if batch_first else (L, N, E)
    x = random_inputs([shape])[0]
    mask = np.triu(np.ones((L, L), bool), 1)
    pad = np.zeros((N, L), bool)
    pad[0, -2:] = True
    gx, tx = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_out = g(gx, src_mask=mask, src_key_padding_mask=pad)
    t_out = th(tx, src_mask=torch.tensor(mask), src_key_padding_mask=torch.tensor(pad))
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), atol=ATOL, rtol=RTOL)
    w = np.random.default_rng(1).standard_normal(g_out.shape)
    (g_out * gk.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(gx.grad.detach().numpy(), tx.grad.numpy(), atol=ATOL, rtol=RTOL)
    t_params = dict(th.named_parameters())
    for name, p in g.named_parameters():
        np.testing.assert_allclose(p.grad.detach().numpy(), t_params[name].grad.numpy(), atol=ATOL,
                                   rtol=RTOL, err_msg=name)  # fmt: skip


@requires_torch
def test_transformer_encoder_stack_and_causal_flag():
    """ATT-TRANSFORMER: a 2-layer TransformerEncoder matches torch's (state dict 1:1), and
    is_causal=True equals passing the causal mask."""
    torch.manual_seed(1)
    th_layer = torch.nn.TransformerEncoderLayer(E, H, 16, dropout=0.0, batch_first=True)
    th = torch.nn.TransformerEncoder(th_layer, 2, enable_nested_tensor=False).double()
    g = TransformerEncoder(TransformerEncoderLayer(E, H, 16, dropout=0.0, batch_first=True), 2)
    g.double().load_state_dict({k: v.detach().numpy() for k, v in th.state_dict().items()})
    x = random_inputs([(N, L, E)])[0]
    mask = np.triu(np.ones((L, L), bool), 1)
    expected = th(torch.tensor(x), mask=torch.tensor(mask)).detach().numpy()
    np.testing.assert_allclose(g(gk.tensor(x), mask=mask).detach().numpy(), expected, atol=ATOL)
    np.testing.assert_allclose(
        g(gk.tensor(x), is_causal=True).detach().numpy(), expected, atol=ATOL
    )


def test_positional_encodings():
    """ATT-TRANSFORMER: sinusoidal table closed form; learned table gets gradients."""
    pe = SinusoidalPositionalEncoding(6, max_len=10)
    table = pe.pe.detach().numpy()
    p, i = 3, 1
    assert table[p, 2 * i] == pytest.approx(np.sin(p / 10000 ** (2 * i / 6)), rel=1e-6)
    assert table[p, 2 * i + 1] == pytest.approx(np.cos(p / 10000 ** (2 * i / 6)), rel=1e-6)
    assert "pe" not in pe.state_dict()
    out = pe(gk.zeros(4, 2, 6))  # time-major
    np.testing.assert_allclose(out.detach().numpy()[:, 1], table[:4])
    learned = LearnedPositionalEncoding(6, max_len=10, batch_first=True)
    learned(gk.zeros(2, 4, 6)).sum().backward()
    np.testing.assert_allclose(learned.weight.grad.detach().numpy()[:4], 2.0)
    np.testing.assert_allclose(learned.weight.grad.detach().numpy()[4:], 0.0)
    with pytest.raises(ValueError, match="exceeds max_len"):
        pe(gk.zeros(11, 2, 6))
