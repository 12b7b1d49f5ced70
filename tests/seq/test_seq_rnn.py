"""Recurrent layers against PyTorch (concepts RNN-CELL, RNN-LSTM, RNN-GRU, RNN-BI,
RNN-SHAPES, RNN-BPTT, RNN-SOFTSIGN): copied float64 weights, every output, final state
and gradient compared; the fused ops also against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck
from gradkit.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, detach_state
from gradkit.ops.rnn import gru_layer, lstm_layer, rnn_layer
from parity import requires_torch, torch

ATOL, RTOL = 1e-9, 1e-7  # float64; the acceptance bound is 1e-6


def _copy_weights(gk_mod, th_mod):
    th_mod.double()
    gk_mod.double()
    gk_mod.load_state_dict({k: v.detach().numpy() for k, v in th_mod.state_dict().items()})
    assert list(gk_mod.state_dict()) == list(th_mod.state_dict())


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def module_parity(gk_mod, th_mod, x, state=None, seed=1):
    """Forward and backward of a recurrent module (output, final states, the input, the
    initial states and every parameter gradient) match PyTorch with copied weights."""
    _copy_weights(gk_mod, th_mod)
    gx = gk.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    g_state = t_state = None
    if state is not None:
        g_state = tuple(gk.tensor(s, requires_grad=True) for s in state)
        t_state = tuple(torch.tensor(s, requires_grad=True) for s in state)
        if len(state) == 1:
            g_state, t_state = g_state[0], t_state[0]
    g_out = gk_mod(gx, g_state)
    t_out = th_mod(tx, t_state)
    g_parts = [g_out] if not isinstance(g_out, tuple) else [g_out[0], *_flat(g_out[1])]
    t_parts = [t_out] if not isinstance(t_out, tuple) else [t_out[0], *_flat(t_out[1])]
    rng = np.random.default_rng(seed)
    g_loss, t_loss = 0.0, 0.0
    for name, g, t in zip(["output", "h_n", "c_n"], g_parts, t_parts):
        np.testing.assert_allclose(
            g.detach().numpy(), t.detach().numpy(), atol=ATOL, rtol=RTOL, err_msg=name
        )
        w = rng.standard_normal(g.shape)
        g_loss = g_loss + (g * gk.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    g_loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(
        gx.grad.detach().numpy(), tx.grad.numpy(), atol=ATOL, rtol=RTOL, err_msg="dx"
    )
    if state is not None:
        for i, (g, t) in enumerate(zip(_flat(g_state), _flat(t_state))):
            np.testing.assert_allclose(g.grad.detach().numpy(), t.grad.numpy(), atol=ATOL,
                                       rtol=RTOL, err_msg=f"d state {i}")  # fmt: skip
    t_params = dict(th_mod.named_parameters())
    for name, p in gk_mod.named_parameters():
        np.testing.assert_allclose(p.grad.detach().numpy(), t_params[name].grad.numpy(), atol=ATOL,
                                   rtol=RTOL, err_msg=f"grad {name}")  # fmt: skip


def _inputs(T, B, I, batch_first, seed=0):
    shape = (B, T, I) if batch_first else (T, B, I)
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}  # and torch.nn's classes of the same names


@requires_torch
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_layer_parity_rnn_lstm_gru_bi(kind, num_layers, bidirectional, batch_first):
    """RNN-CELL / RNN-LSTM / RNN-GRU / RNN-BI: layers match torch.nn.{RNN,LSTM,GRU}."""
    T, B, I, H = 6, 3, 4, 5
    gk_cls, th_cls = LAYERS[kind], getattr(torch.nn, kind)
    kw = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    rng = np.random.default_rng(7)
    shape = (num_layers * (2 if bidirectional else 1), B, H)
    state = tuple(rng.standard_normal(shape) for _ in range(2 if kind == "LSTM" else 1))
    module_parity(gk_cls(I, H, **kw), th_cls(I, H, **kw), _inputs(T, B, I, batch_first), state)


@requires_torch
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_layer_parity_default_state_no_bias_unbatched(kind):
    """RNN-SHAPES: zero initial state, bias=False and unbatched (L, H_in) input."""
    gk_cls, th_cls = LAYERS[kind], getattr(torch.nn, kind)
    module_parity(gk_cls(4, 5, bias=False), th_cls(4, 5, bias=False), _inputs(6, 3, 4, False))
    x = np.random.default_rng(3).standard_normal((6, 4))
    module_parity(gk_cls(4, 5, num_layers=2), th_cls(4, 5, num_layers=2), x)


@requires_torch
def test_rnn_relu_parity():
    """RNN-CELL with nonlinearity='relu'."""
    kw = dict(nonlinearity="relu", num_layers=2, bidirectional=True)
    module_parity(RNN(4, 5, **kw), torch.nn.RNN(4, 5, **kw), _inputs(6, 3, 4, False))


CELLS = [
    ("RNNCell", lambda: RNNCell(4, 5), lambda: torch.nn.RNNCell(4, 5), 1),
    ("RNNCell-relu", lambda: RNNCell(4, 5, nonlinearity="relu"),
     lambda: torch.nn.RNNCell(4, 5, nonlinearity="relu"), 1),
    ("LSTMCell", lambda: LSTMCell(4, 5), lambda: torch.nn.LSTMCell(4, 5), 2),
    ("GRUCell", lambda: GRUCell(4, 5), lambda: torch.nn.GRUCell(4, 5), 1),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("make_gk, make_th, n_state", [c[1:] for c in CELLS],
                         ids=[c[0] for c in CELLS])  # fmt: skip
def test_cell_parity(make_gk, make_th, n_state):
    """RNN-CELL: one step of each cell, with and without a given state, batched and not."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    state = tuple(rng.standard_normal((3, 5)) for _ in range(n_state))
    module_parity(make_gk(), make_th(), x, state)
    module_parity(make_gk(), make_th(), x)
    module_parity(make_gk(), make_th(), x[0], tuple(s[0] for s in state))


def _softsign_rnn_reference(x, h0, w_ih, w_hh, b):
    h, out = h0, []
    for x_t in x:
        z = x_t @ w_ih.T + h @ w_hh.T + b
        h = z / (1 + np.abs(z))
        out.append(h)
    return np.stack(out)


def test_softsign_rnn_forward_closed_form():
    """RNN-SOFTSIGN: softsign recurrence h_t = z_t / (1 + |z_t|) against a NumPy loop."""
    rnn = RNN(4, 5, nonlinearity="softsign", dtype=np.float64)
    x = _inputs(6, 3, 4, False)
    out, h_n = rnn(gk.tensor(x))
    p = {k: v.detach().numpy() for k, v in rnn.state_dict().items()}
    ref = _softsign_rnn_reference(
        x, np.zeros((3, 5)), p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"] + p["bias_hh_l0"]
    )
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    np.testing.assert_allclose(h_n.detach().numpy()[0], ref[-1], atol=1e-12)


def _op_inputs(G, T=4, B=2, I=3, H=3, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(T, B, I), (B, H), (B, H), (G * H, I), (G * H, H), (G * H,), (G * H,)]
    return [gk.tensor(rng.standard_normal(s) * 0.7) for s in shapes]


def _joined(outputs):
    """The op's outputs (sequence, h_T[, c_T]) flattened into one vector for gradcheck."""
    return gk.concatenate([t.reshape(-1) for t in outputs])


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "softsign"])
def test_gradcheck_rnn_layer_op(nonlinearity, reverse):
    """RNN-BPTT: the fused Elman op's hand-written BPTT (outputs and h_T) against finite
    differences."""
    x, h0, _, w_ih, w_hh, b_ih, b_hh = _op_inputs(1)
    gradcheck(lambda *a: _joined(rnn_layer(*a, nonlinearity=nonlinearity, reverse=reverse)),
              x, h0, w_ih, w_hh, b_ih, b_hh)  # fmt: skip


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("activation", ["tanh", "softsign"])
def test_gradcheck_lstm_layer_op(activation, reverse):
    """RNN-LSTM / RNN-SOFTSIGN: fused LSTM op (outputs, h_T and c_T) against finite
    differences."""

    def fn(*a):
        return _joined(lstm_layer(*a, activation=activation, reverse=reverse))

    gradcheck(fn, *_op_inputs(4))


@pytest.mark.parametrize("reverse", [False, True])
def test_gradcheck_gru_layer_op(reverse):
    """RNN-GRU: fused GRU op (outputs and h_T) against finite differences."""
    x, h0, _, w_ih, w_hh, b_ih, b_hh = _op_inputs(3)
    gradcheck(lambda *a: _joined(gru_layer(*a, reverse=reverse)), x, h0, w_ih, w_hh, b_ih, b_hh)


@pytest.mark.parametrize("output", [1, 2], ids=["h_T", "c_T"])
def test_lstm_final_state_alone_gets_gradient(output):
    """A loss on h_T or c_T only (the sequence output unused) still runs the layer's
    backward, exactly."""
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = _op_inputs(4)
    gradcheck(lambda *a: lstm_layer(*a)[output], x, h0, c0, w_ih, w_hh, b_ih, b_hh)


@requires_torch
def test_truncated_bptt_matches_torch():
    """RNN-BPTT: chunks of k steps with the state detached between them; gradients of
    every chunk's loss match torch doing the same, and none reach earlier chunks."""
    T, B, I, H, k = 9, 2, 3, 4, 3
    g_mod, t_mod = LSTM(I, H, batch_first=True), torch.nn.LSTM(I, H, batch_first=True)
    _copy_weights(g_mod, t_mod)
    x = _inputs(T, B, I, True)
    gx, tx = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_state = t_state = None
    for start in range(0, T, k):
        g_out, g_state = g_mod(gx[:, start : start + k], g_state)
        t_out, t_state = t_mod(tx[:, start : start + k], t_state)
        g_out.pow(2).sum().backward()
        t_out.pow(2).sum().backward()
        g_state = detach_state(g_state)
        t_state = tuple(s.detach() for s in t_state)
    np.testing.assert_allclose(gx.grad.detach().numpy(), tx.grad.numpy(), atol=ATOL, rtol=RTOL)
    for name, p in t_mod.named_parameters():
        np.testing.assert_allclose(
            getattr(g_mod, name).grad.detach().numpy(), p.grad.numpy(), atol=ATOL
        )


@requires_torch
def test_state_dict_layout_and_default_init():
    """Parameter names, shapes and U(−1/√H, 1/√H) init like PyTorch."""
    gk.manual_seed(0)
    g = LSTM(10, 20, num_layers=2, bidirectional=True)
    t = torch.nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    assert {k: tuple(v.shape) for k, v in g.state_dict().items()} == {
        k: tuple(v.shape) for k, v in t.state_dict().items()
    }
    values = np.concatenate([p.detach().numpy().ravel() for p in g.parameters()])
    bound = 1 / math.sqrt(20)
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.01 * bound  # uniform's std


def test_shapes_and_errors():
    """RNN-SHAPES: many-to-one is out[:, -1]; bad input and state shapes are named."""
    gru = GRU(3, 5, batch_first=True, bidirectional=True)
    out, h_n = gru(gk.randn(4, 7, 3))
    assert out.shape == (4, 7, 10) and h_n.shape == (2, 4, 5)
    out, h_n = out.detach().numpy(), h_n.detach().numpy()
    np.testing.assert_allclose(out[:, -1, :5], h_n[0])  # forward ends at t = L
    np.testing.assert_allclose(out[:, 0, 5:], h_n[1])  # backward ends at t = 1
    with pytest.raises(ValueError, match="input_size is 3"):
        gru(gk.randn(4, 7, 2))
    with pytest.raises(ValueError, match="initial state has shape"):
        gru(gk.randn(4, 7, 3), gk.zeros(1, 4, 5))
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(3, 5, nonlinearity="sigmoid")
    assert "bidirectional=True" in repr(gru)


def test_inter_layer_dropout_only_in_training():
    """Dropout between stacked layers is active in train() and off in eval(); with one
    layer it never applies (as in PyTorch)."""
    gk.manual_seed(0)
    lstm = LSTM(3, 8, num_layers=2, dropout=0.5)
    x = gk.randn(5, 2, 3)
    a, b = lstm(x)[0].detach().numpy(), lstm(x)[0].detach().numpy()
    assert not np.allclose(a, b)
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].detach().numpy(), lstm(x)[0].detach().numpy())
    single = GRU(3, 8, dropout=0.5)
    np.testing.assert_array_equal(single(x)[0].detach().numpy(), single(x)[0].detach().numpy())
