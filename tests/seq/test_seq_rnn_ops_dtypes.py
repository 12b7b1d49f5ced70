"""The fused recurrent ops in float32 and their Function classes' own defaults
(concepts RNN-CELL, RNN-LSTM, RNN-GRU): outputs and every gradient stay float32 and match
PyTorch's float32 layers; ``RNNLayer.apply`` / ``GRULayer.apply`` without options are the
tanh / forward-direction layers."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops.rnn import GRULayer, LSTMLayer, RNNLayer, gru_layer, lstm_layer, rnn_layer
from parity import random_inputs, requires_torch, torch

T, B, I, H = 3, 2, 3, 4


PARAMS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def _run(gk_fn, th_module, arrays, n_state, *, dtype, atol, grad=None):
    """gk_fn(x, *states, w_ih, w_hh[, b_ih, b_hh]) against th_module (time-major):
    outputs and the gradient of every input (of input ``grad`` alone when given, the
    others then not requiring one), value and dtype. The inputs are non-leaf tensors,
    so the gradients are read as the op returns them (a leaf's would be cast to its
    dtype)."""
    x, *states = arrays[: 1 + n_state]
    params = arrays[1 + n_state :]
    with torch.no_grad():
        for name, a in zip(PARAMS, params):
            getattr(th_module, name).copy_(torch.tensor(a))
    leaves = [gk.tensor(a, requires_grad=grad in (None, i)) for i, a in enumerate(arrays)]
    g_in = [t * 1 if t.requires_grad else t for t in leaves]  # non-leaves: grads not cast
    for t in g_in:
        if t.requires_grad:
            t.retain_grad()
    t_x = torch.tensor(x, requires_grad=True)
    t_states = [torch.tensor(s[None], requires_grad=True) for s in states]
    outs = gk_fn(*g_in)
    t_out, t_state = th_module(t_x, t_states[0] if n_state == 1 else tuple(t_states))
    t_outs = (t_out, *((t_state,) if n_state == 1 else t_state))
    rng = np.random.default_rng(5)
    g_loss = t_loss = 0
    for o, t in zip(outs, t_outs):
        t = t.reshape(o.shape)
        assert o.dtype == dtype
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=atol)
        w = rng.standard_normal(o.shape).astype(dtype)
        g_loss = g_loss + (o * gk.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    g_loss.backward()
    t_loss.backward()
    expected = [t_x.grad, *(s.grad[0] for s in t_states)]
    expected += [getattr(th_module, n).grad for n in PARAMS[: len(params)]]
    for i, (g, e) in enumerate(zip(g_in, expected)):
        if grad is not None and i != grad:
            assert g.grad is None
            continue
        assert g.grad.dtype == dtype, (i, g.grad.dtype)
        np.testing.assert_allclose(g.grad.detach().numpy(), e.numpy(), atol=atol, err_msg=i)


def _arrays(G, n_state, seed, dtype=np.float32, bias=True):
    shapes = [(T, B, I), *[(B, H)] * n_state, (G * H, I), (G * H, H)]
    shapes += [(G * H,), (G * H,)] if bias else []
    return [0.7 * a for a in random_inputs(shapes, seed=seed, dtype=dtype)]


BIAS = pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])


@requires_torch
@BIAS
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_layer_float32_matches_torch(nonlinearity, bias):
    """RNN-CELL: float32 in, float32 out and float32 gradients (relu's derivative and
    the zero biases made for ``bias=False`` too)."""
    module = torch.nn.RNN(I, H, nonlinearity=nonlinearity, bias=bias)
    fn = lambda *a: rnn_layer(*a, nonlinearity=nonlinearity)  # noqa: E731
    _run(fn, module, _arrays(1, 1, seed=11, bias=bias), 1, dtype=np.float32, atol=2e-6)


@requires_torch
@BIAS
def test_lstm_layer_float32_matches_torch(bias):
    """RNN-LSTM: float32 in, float32 out and float32 gradients."""
    module = torch.nn.LSTM(I, H, bias=bias)
    _run(lstm_layer, module, _arrays(4, 2, seed=12, bias=bias), 2, dtype=np.float32, atol=2e-6)


@requires_torch
@BIAS
def test_gru_layer_float32_matches_torch(bias):
    """RNN-GRU: float32 in, float32 out and float32 gradients."""
    module = torch.nn.GRU(I, H, bias=bias)
    _run(gru_layer, module, _arrays(3, 1, seed=13, bias=bias), 1, dtype=np.float32, atol=2e-6)


OPS = {  # name: (op, torch layer, gate count, state count)
    "rnn": (rnn_layer, lambda: torch.nn.RNN(I, H), 1, 1),
    "lstm": (lstm_layer, lambda: torch.nn.LSTM(I, H), 4, 2),
    "gru": (gru_layer, lambda: torch.nn.GRU(I, H), 3, 1),
}


@requires_torch
@pytest.mark.parametrize("name", list(OPS))
def test_one_input_needing_a_gradient(name):
    """RNN-CELL / RNN-LSTM / RNN-GRU: with only one input requiring a gradient (the
    forward then saves only what that gradient uses) it still matches PyTorch's, and
    the other inputs get none."""
    op, make, G, n_state = OPS[name]
    arrays = _arrays(G, n_state, seed=17, dtype=np.float64)
    for i in range(len(arrays)):
        _run(op, make().double(), arrays, n_state, dtype=np.float64, atol=1e-12, grad=i)


def _lstm_softsign_reference(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """PyTorch ops, step by step: the LSTM equations with φ = softsign."""
    phi = torch.nn.functional.softsign
    outs = []
    for t in range(x.shape[0]):
        i, f, g, o = (x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * phi(g)
        h = torch.sigmoid(o) * phi(c)
        outs.append(h)
    return torch.stack(outs), h, c


@requires_torch
def test_lstm_softsign_activation_matches_composed_reference():
    """RNN-SOFTSIGN: ``activation="softsign"`` replaces both tanh of the LSTM (candidate
    and cell output), values and every gradient against PyTorch ops composed step by
    step in float64."""
    arrays = _arrays(4, 2, seed=18, dtype=np.float64)
    g_in = [gk.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs = lstm_layer(*g_in, activation="softsign")
    t_outs = _lstm_softsign_reference(*t_in)
    rng = np.random.default_rng(19)
    g_loss = t_loss = 0
    for o, t in zip(outs, t_outs):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=1e-12)
        w = rng.standard_normal(o.shape)
        g_loss = g_loss + (o * gk.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    g_loss.backward()
    t_loss.backward()
    for k, (g, t) in enumerate(zip(g_in, t_in)):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), atol=1e-12, err_msg=k)


@requires_torch
def test_function_classes_default_to_tanh_forward():
    """RNN-CELL / RNN-LSTM / RNN-GRU: the Function classes called without options are
    PyTorch's tanh layers running forward in time."""
    module = torch.nn.RNN(I, H).double()
    _run(RNNLayer.apply, module, _arrays(1, 1, seed=14, dtype=np.float64), 1,
         dtype=np.float64, atol=1e-12)  # fmt: skip
    module = torch.nn.LSTM(I, H).double()
    _run(LSTMLayer.apply, module, _arrays(4, 2, seed=15, dtype=np.float64), 2,
         dtype=np.float64, atol=1e-12)  # fmt: skip
    module = torch.nn.GRU(I, H).double()
    _run(GRULayer.apply, module, _arrays(3, 1, seed=16, dtype=np.float64), 1,
         dtype=np.float64, atol=1e-12)  # fmt: skip
