"""RNN-LSTM, RNN-GRU, RNN-CELL, RNN-BI (issue 24): every constructor argument of
torch.nn.RNN / LSTM / GRU and the cells against PyTorch with copied float64 weights:
positional order, proj_size (LSTM with projections), device, dtype, h0/c0 given or
omitted, validation errors and reprs."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn

torch = pytest.importorskip("torch")


def copy_weights(ours, theirs):
    theirs.double()
    ours.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())


def parity(ours, theirs, x, state=None, seed=0):
    """Outputs, final states and every gradient (input, states, parameters) equal."""
    copy_weights(ours, theirs)
    gx, tx = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gs = ts = None
    if state is not None:
        gs = tuple(gk.tensor(s, requires_grad=True) for s in state)
        ts = tuple(torch.tensor(s, requires_grad=True) for s in state)
        if len(state) == 1:
            gs, ts = gs[0], ts[0]
    g_out, t_out = ours(gx, gs), theirs(tx, ts)
    flat = lambda o: [o[0], *(o[1] if isinstance(o[1], tuple) else [o[1]])]  # noqa: E731
    rng = np.random.default_rng(seed)
    g_loss = t_loss = 0.0
    for g, t in zip(flat(g_out), flat(t_out)):
        assert tuple(g.shape) == tuple(t.shape)
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-12)
        w = rng.standard_normal(tuple(t.shape))
        g_loss = g_loss + (g * gk.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    g_loss.backward()
    t_loss.backward()
    pairs = [(gx, tx)]
    if state is not None:
        pairs += list(zip(gs if isinstance(gs, tuple) else [gs],
                          ts if isinstance(ts, tuple) else [ts]))  # fmt: skip
    pairs += [(p, dict(theirs.named_parameters())[n]) for n, p in ours.named_parameters()]
    for g, t in pairs:
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


PROJ = [
    dict(proj_size=2),
    dict(proj_size=3, bias=False),
    dict(proj_size=2, num_layers=2, bidirectional=True, batch_first=True),
    dict(proj_size=1, num_layers=2),
]


@pytest.mark.parametrize("kw", PROJ, ids=str)
@pytest.mark.parametrize("with_state", [False, True], ids=["zero-state", "h0-c0"])
def test_lstm_proj_size_matches_torch(kw, with_state):
    """h_t = W_hr (o ⊙ tanh c_t): outputs (.., D·P), h (L·D, N, P), c (L·D, N, H)."""
    T, B, H = 4, 2, 4
    x = np.random.default_rng(1).standard_normal((B, T, 3) if kw.get("batch_first") else (T, B, 3))
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    state = None
    if with_state:
        rng = np.random.default_rng(2)
        state = (rng.standard_normal((layers, B, kw["proj_size"])),
                 rng.standard_normal((layers, B, H)))  # fmt: skip
    parity(nn.LSTM(3, H, **kw), torch.nn.LSTM(3, H, **kw), x, state)


def test_lstm_proj_size_unbatched_and_repr():
    x = np.random.default_rng(3).standard_normal((5, 3))
    parity(nn.LSTM(3, 4, proj_size=2), torch.nn.LSTM(3, 4, proj_size=2), x)
    kw = dict(proj_size=2, num_layers=3, dropout=0.25)
    assert repr(nn.LSTM(3, 4, **kw)) == repr(torch.nn.LSTM(3, 4, **kw))


def test_lstm_proj_size_state_shapes_are_checked():
    lstm = nn.LSTM(3, 4, proj_size=2)
    x = gk.zeros(5, 2, 3)
    with pytest.raises(ValueError, match=r"\(1, 2, 2\)"):
        lstm(x, (gk.zeros(1, 2, 4), gk.zeros(1, 2, 4)))  # h0 must have P features
    with pytest.raises(ValueError, match=r"\(1, 2, 4\)"):
        lstm(x, (gk.zeros(1, 2, 2), gk.zeros(1, 2, 2)))  # c0 keeps H features


def test_lstm_proj_size_second_backward_with_retain_graph():
    """Two backward passes through a retained graph give exactly twice the gradients."""
    lstm = nn.LSTM(3, 4, proj_size=2).double()
    out, (h, c) = lstm(gk.tensor(np.random.default_rng(4).standard_normal((3, 2, 3))))
    loss = out.sum() + h.sum() + (c * c).sum()
    loss.backward(retain_graph=True)
    first = [p.grad.numpy().copy() for p in lstm.parameters()]
    loss.backward()
    for p, g in zip(lstm.parameters(), first):
        np.testing.assert_allclose(p.grad.numpy(), 2 * g, rtol=1e-13)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(proj_size=4), "smaller than hidden_size"),
        (dict(proj_size=-1), "proj_size"),
        (dict(proj_size=1.5), "proj_size"),
    ],
)
def test_lstm_bad_proj_size(kw, match):
    with pytest.raises(ValueError, match=match):
        nn.LSTM(3, 4, **kw)


def test_proj_size_is_lstm_only():
    from gradkit.nn.rnn import RNNBase

    with pytest.raises(ValueError, match="only supported by LSTM"):
        RNNBase("GRU", 3, 4, proj_size=2)


POSITIONAL = {
    # input, hidden, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional
    "RNN": (3, 4, 2, "relu", False, True, 0.0, True),
    # input, hidden, num_layers, bias, batch_first, dropout, bidirectional, proj_size
    "LSTM": (3, 4, 2, False, True, 0.0, True, 2),
    "GRU": (3, 4, 2, False, True, 0.0, True),
}


@pytest.mark.parametrize("name", list(POSITIONAL))
def test_positional_arguments_match_torch(name):
    """Every argument passed positionally in torch's order; device and dtype by keyword
    (torch's RNN and GRU would read a positional device as proj_size)."""
    args = POSITIONAL[name]
    ours = getattr(nn, name)(*args, device="cpu", dtype=gk.float64)
    assert ours.weight_ih_l0.dtype == gk.float64
    x = np.random.default_rng(5).standard_normal((2, 3, 3))  # batch_first
    parity(ours, getattr(torch.nn, name)(*args, dtype=torch.float64), x)
    if name == "LSTM":  # device and dtype positionally after proj_size
        assert nn.LSTM(*args, "cpu", gk.float64).weight_hr_l0.dtype == gk.float64


@pytest.mark.parametrize(
    ("name", "args"),
    [("RNNCell", (False, "relu")), ("LSTMCell", (False,)), ("GRUCell", (False,))],
)
def test_cell_positional_arguments_and_device(name, args):
    ours = getattr(nn, name)(3, 4, *args, "cpu", gk.float64)
    assert ours.weight_ih.dtype == gk.float64 and ours.bias_ih is None
    theirs = getattr(torch.nn, name)(3, 4, *args, None, torch.float64)
    copy_weights(ours, theirs)
    x = np.random.default_rng(6).standard_normal((2, 3))
    g, t = ours(gk.tensor(x)), theirs(torch.tensor(x))
    g, t = (g[0], t[0]) if name == "LSTMCell" else (g, t)
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="cuda"):
        getattr(nn, name)(3, 4, device="cuda")


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_device_cpu_accepted_cuda_refused(name):
    getattr(nn, name)(3, 4, device="cpu")
    getattr(nn, name)(3, 4, device=gk.device("cpu"))
    with pytest.raises(RuntimeError, match="cuda"):
        getattr(nn, name)(3, 4, device="cuda")


def test_lstm_softsign_activation_is_keyword_only():
    assert nn.LSTM(3, 4, activation="softsign").nonlinearity == "softsign"
    with pytest.raises(ValueError, match="activation"):
        nn.LSTM(3, 4, activation="relu")
