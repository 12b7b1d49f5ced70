"""The fused recurrent ops' defaults and argument checks (concepts RNN-CELL, RNN-LSTM,
RNN-GRU): no biases and the default tanh / forward direction against PyTorch's layers
with ``bias=False`` (float64, forward and every gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops.rnn import gru_layer, lstm_layer, rnn_layer
from parity import random_inputs, requires_torch, torch

T, B, I, H = 4, 2, 3, 5


def _compare(gk_fn, th_module, arrays, n_state):
    """gk_fn(x, *states, w_ih, w_hh) against th_module (bias=False, time-major)."""
    x, *states = arrays[: 1 + n_state]
    w_ih, w_hh = arrays[1 + n_state :]
    with torch.no_grad():
        th_module.weight_ih_l0.copy_(torch.tensor(w_ih))
        th_module.weight_hh_l0.copy_(torch.tensor(w_hh))
    g_in = [gk.tensor(a, requires_grad=True) for a in arrays]
    t_x = torch.tensor(x, requires_grad=True)
    t_states = [torch.tensor(s[None], requires_grad=True) for s in states]
    outs = gk_fn(*g_in)
    t_out, t_state = th_module(t_x, t_states[0] if n_state == 1 else tuple(t_states))
    t_outs = (t_out, *((t_state,) if n_state == 1 else t_state))
    rng = np.random.default_rng(1)
    g_loss = t_loss = 0
    for o, t in zip(outs, t_outs):
        t = t.reshape(o.shape)
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=1e-12)
        w = rng.standard_normal(o.shape)
        g_loss = g_loss + (o * gk.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    g_loss.backward()
    t_loss.backward()
    expected = [t_x.grad, *(s.grad[0] for s in t_states)]
    expected += [th_module.weight_ih_l0.grad, th_module.weight_hh_l0.grad]
    for i, (g, e) in enumerate(zip(g_in, expected)):
        np.testing.assert_allclose(g.grad.detach().numpy(), e.numpy(), atol=1e-12, err_msg=i)


@requires_torch
def test_rnn_layer_defaults_match_torch():
    """RNN-CELL: no biases, tanh and the forward direction unless asked otherwise."""
    arrays = random_inputs([(T, B, I), (B, H), (H, I), (H, H)], seed=1)
    module = torch.nn.RNN(I, H, bias=False).double()
    _compare(lambda x, h, wi, wh: rnn_layer(x, h, wi, wh), module, arrays, 1)


@requires_torch
def test_lstm_layer_defaults_match_torch():
    """RNN-LSTM: no biases, tanh activations, forward direction by default."""
    arrays = random_inputs([(T, B, I), (B, H), (B, H), (4 * H, I), (4 * H, H)], seed=2)
    module = torch.nn.LSTM(I, H, bias=False).double()
    _compare(lambda x, h, c, wi, wh: lstm_layer(x, h, c, wi, wh), module, arrays, 2)


@requires_torch
def test_gru_layer_defaults_match_torch():
    """RNN-GRU: no biases and the forward direction by default."""
    arrays = random_inputs([(T, B, I), (B, H), (3 * H, I), (3 * H, H)], seed=3)
    module = torch.nn.GRU(I, H, bias=False).double()
    _compare(lambda x, h, wi, wh: gru_layer(x, h, wi, wh), module, arrays, 1)


def test_bad_activations_are_named():
    x, h = gk.zeros(T, B, I), gk.zeros(B, H)
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        rnn_layer(x, h, gk.zeros(H, I), gk.zeros(H, H), nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="LSTM activation must be 'tanh' or 'softsign'"):
        lstm_layer(x, h, h, gk.zeros(4 * H, I), gk.zeros(4 * H, H), activation="relu")
