"""RNN-LSTM, RNN-GRU, RNN-CELL, RNN-BI (issue 24): every constructor argument of
torch.nn.RNN / LSTM / GRU and the cells against PyTorch with copied float64 weights:
positional order, proj_size (LSTM with projections), device, dtype, h0/c0 given or
omitted, validation errors and reprs."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from gradkit.nn.rnn import RNNBase

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


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
def test_dropout_between_layers_matches_torch_layer_by_layer(bidirectional, monkeypatch):
    """dropout=p runs F.dropout(p, training) on every layer's output but the last; with
    the mask it drew, the stack equals torch's layers run one at a time on the dropped
    outputs. In eval() no dropout runs at all."""
    import gradkit.nn.functional as F

    calls = []
    real = F.dropout

    def spy(x, p, training=True, **kw):
        out = real(x, p, training=training, **kw)
        calls.append((p, training, out.detach().numpy().copy()))
        return out

    monkeypatch.setattr(F, "dropout", spy)
    D = 2 if bidirectional else 1
    ours = nn.LSTM(3, 4, num_layers=3, dropout=0.4, bidirectional=bidirectional)
    stack = torch.nn.LSTM(3, 4, num_layers=3, bidirectional=bidirectional)
    copy_weights(ours, stack)
    x = np.random.default_rng(7).standard_normal((5, 2, 3))
    out, (h, c) = ours(gk.tensor(x))
    assert [(p, t) for p, t, _ in calls] == [(0.4, True), (0.4, True)]
    layer_in = torch.tensor(x)
    hs = []
    for k in range(3):
        one = torch.nn.LSTM(layer_in.shape[-1], 4, bidirectional=bidirectional).double()
        sd = {n.replace(f"_l{k}", "_l0"): v for n, v in stack.state_dict().items() if f"_l{k}" in n}
        one.load_state_dict(sd)
        layer_out, (hk, _) = one(layer_in)
        hs.append(hk)
        if k < 2:
            dropped = calls[k][2]
            kept = dropped != 0
            np.testing.assert_allclose(
                dropped[kept], layer_out.detach().numpy()[kept] / 0.6, rtol=1e-12
            )
            layer_in = torch.tensor(dropped)
    np.testing.assert_allclose(out.detach().numpy(), layer_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(h.detach().numpy(), torch.cat(hs).detach().numpy(), rtol=1e-12)
    assert out.shape == (5, 2, 4 * D)
    calls.clear()
    ours.eval()
    ours(gk.tensor(x))
    assert calls == []


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_with_given_state_matches_torch(name):
    """Unbatched input (L, H_in) with h0 (and c0) of shape (num_layers·D, H)."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 3))
    n = 2 * 2  # two layers, bidirectional
    state = (rng.standard_normal((n, 5)),)
    if name == "LSTM":
        state += (rng.standard_normal((n, 5)),)
    kw = dict(num_layers=2, bidirectional=True)
    parity(getattr(nn, name)(3, 5, **kw), getattr(torch.nn, name)(3, 5, **kw), x, state)


@pytest.mark.parametrize(
    ("name", "args"), [("RNNCell", ()), ("LSTMCell", ()), ("GRUCell", ()), ("RNNCell", (True,
                                                                                     "relu"))]
)  # fmt: skip
def test_cells_unbatched_with_state_match_torch(name, args):
    rng = np.random.default_rng(9)
    ours, theirs = getattr(nn, name)(3, 4, *args), getattr(torch.nn, name)(3, 4, *args)
    copy_weights(ours, theirs)
    x, h = rng.standard_normal(3), rng.standard_normal(4)
    hx_g = (gk.tensor(h), gk.tensor(-h)) if name == "LSTMCell" else gk.tensor(h)
    hx_t = (torch.tensor(h), torch.tensor(-h)) if name == "LSTMCell" else torch.tensor(h)
    g, t = ours(gk.tensor(x), hx_g), theirs(torch.tensor(x), hx_t)
    for a, b in zip(g if name == "LSTMCell" else [g], t if name == "LSTMCell" else [t]):
        assert tuple(a.shape) == tuple(b.shape) == (4,)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: nn.LSTM(0, 4), "input_size must be a positive integer, got 0"),
        (lambda: nn.GRU(3, -1), "hidden_size must be a positive integer, got -1"),
        (lambda: nn.RNN(3.0, 4), "input_size"),
        (lambda: nn.RNN(3, 4, num_layers=0), "num_layers must be a positive integer, got 0"),
        (lambda: nn.LSTM(3, 4, num_layers=2.0), "num_layers"),
        (lambda: nn.GRU(3, 4, dropout=-0.1), r"dropout must be in \[0, 1\), got -0.1"),
        (lambda: nn.GRU(3, 4, dropout=1.0), "dropout"),
    ],
)
def test_bad_constructor_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_are_named():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"LSTM: expected input of 2 \(unbatched\) or 3 dims"):
        lstm(gk.zeros(3))
    with pytest.raises(ValueError, match=r"LSTM: input has 2 features \(shape \(5, 2\)\)"):
        lstm(gk.zeros(5, 2))
    with pytest.raises(ValueError, match=r"expected \(1, 2, 4\)"):
        lstm(gk.zeros(5, 2, 3), (gk.zeros(1, 3, 4), gk.zeros(1, 2, 4)))
    with pytest.raises(ValueError, match=r"GRUCell: expected input \(N, 3\) or \(3,\)"):
        nn.GRUCell(3, 4)(gk.zeros(2, 2))
    with pytest.raises(ValueError, match="GRUCell"):
        nn.GRUCell(3, 4)(gk.zeros(1, 2, 3))
    # array inputs are taken as tensors
    rnn = nn.RNN(3, 4).double()
    x = np.random.default_rng(0).standard_normal((2, 1, 3))
    np.testing.assert_array_equal(rnn(x)[0].detach().numpy(), rnn(gk.tensor(x))[0].detach().numpy())
    cell = nn.RNNCell(3, 4).double()
    np.testing.assert_array_equal(
        cell(x[0]).detach().numpy(), cell(gk.tensor(x[0])).detach().numpy()
    )


def test_detach_state():
    from gradkit.nn.rnn import detach_state

    h = gk.ones(2, requires_grad=True) * 2
    assert detach_state(None) is None
    d = detach_state(h)
    assert not d.requires_grad and d.is_leaf
    pair = detach_state((h, h * 3))
    assert isinstance(pair, tuple) and len(pair) == 2 and not any(p.requires_grad for p in pair)
    np.testing.assert_array_equal(pair[1].numpy(), [6.0, 6.0])


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("GRU", dict(num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)),
        ("LSTM", dict(batch_first=True)),
        ("RNN", dict(dropout=0.25, num_layers=2)),
        ("LSTMCell", dict(bias=False)),
        ("GRUCell", {}),
    ],
)
def test_repr_matches_torch(name, kw):
    assert repr(getattr(nn, name)(3, 4, **kw)) == repr(getattr(torch.nn, name)(3, 4, **kw))


def test_gradkit_extensions_in_repr():
    """Options torch has no spelling for are shown the gradkit way."""
    assert repr(nn.RNN(3, 4, nonlinearity="relu")) == "RNN(3, 4, nonlinearity='relu')"
    assert repr(nn.LSTM(3, 4, activation="softsign")) == "LSTM(3, 4, activation='softsign')"
    assert repr(nn.RNNCell(3, 4, False, "softsign")) == (
        "RNNCell(3, 4, bias=False, nonlinearity='softsign')"
    )


def numpy_lstmp(x, params, H, phi, reverse=False):
    """A plain NumPy LSTM with projection (one direction, zero initial state):
    z = W_ih x + b_ih + W_hh r + b_hh; c = σ(f) c + σ(i) φ(g); r = W_hr (σ(o) φ(c))."""
    w_ih, w_hh, b_ih, b_hh, w_hr = params
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    r, c = np.zeros((x.shape[1], w_hr.shape[0])), np.zeros((x.shape[1], H))
    out = np.zeros((x.shape[0], x.shape[1], w_hr.shape[0]))
    for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
        z = x[t] @ w_ih.T + b_ih + r @ w_hh.T + b_hh
        i, f, g, o = (z[:, k * H : (k + 1) * H] for k in range(4))
        c = sig(f) * c + sig(i) * phi(g)
        r = (sig(o) * phi(c)) @ w_hr.T
        out[t] = r
    return out, r, c


def test_lstm_proj_size_softsign_bidirectional_closed_form():
    """The softsign activation (a gradkit extension) on the projected path, both
    directions, against a NumPy loop."""
    lstm = nn.LSTM(3, 4, proj_size=2, bidirectional=True, activation="softsign").double()
    x = np.random.default_rng(10).standard_normal((5, 2, 3))
    out, (h, c) = lstm(gk.tensor(x))
    softsign = lambda v: v / (1 + np.abs(v))  # noqa: E731
    sd = {k: v.detach().numpy() for k, v in lstm.state_dict().items()}
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
    fwd = numpy_lstmp(x, [sd[f"{n}_l0"] for n in names], 4, softsign)
    bwd = numpy_lstmp(x, [sd[f"{n}_l0_reverse"] for n in names], 4, softsign, reverse=True)
    np.testing.assert_allclose(out.detach().numpy(), np.concatenate([fwd[0], bwd[0]], 2),
                               rtol=1e-12, atol=1e-14)  # fmt: skip
    np.testing.assert_allclose(h.detach().numpy(), np.stack([fwd[1], bwd[1]]), rtol=1e-12)
    np.testing.assert_allclose(c.detach().numpy(), np.stack([fwd[2], bwd[2]]), rtol=1e-12)


def test_lstm_softsign_without_projection_closed_form():
    """activation='softsign' reaches the fused op: a NumPy loop with W_hr = I agrees."""
    lstm = nn.LSTM(3, 4, activation="softsign").double()
    x = np.random.default_rng(11).standard_normal((4, 2, 3))
    out, (h, c) = lstm(gk.tensor(x))
    softsign = lambda v: v / (1 + np.abs(v))  # noqa: E731
    sd = {k: v.detach().numpy() for k, v in lstm.state_dict().items()}
    names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    ref = numpy_lstmp(x, [sd[n] for n in names] + [np.eye(4)], 4, softsign)
    np.testing.assert_allclose(out.detach().numpy(), ref[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c.detach().numpy()[0], ref[2], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: nn.LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True, **kw),
        lambda **kw: nn.GRU(3, 4, **kw),
        lambda **kw: nn.RNNCell(3, 4, **kw),
        lambda **kw: nn.LSTMCell(3, 4, **kw),
        lambda **kw: nn.GRUCell(3, 4, **kw),
    ],
)
def test_parameter_dtypes_and_float32_outputs(make):
    """Every parameter (weight_hr too) takes the default dtype or ``dtype``; a float32
    module with no initial state returns float32."""
    f32, f64 = np.dtype("float32"), np.dtype("float64")
    assert {np.dtype(p.dtype) for p in make().parameters()} == {f32}
    assert {np.dtype(p.dtype) for p in make(dtype=gk.float64).parameters()} == {f64}
    module = make()
    x = gk.randn(5, 2, 3) if isinstance(module, RNNBase) else gk.randn(2, 3)
    out = module(x)
    outs = [out[0], *out[1]] if isinstance(out[1], tuple) else list(out)
    if not isinstance(module, RNNBase) and not isinstance(out, tuple):
        outs = [out]
    assert {np.dtype(o.dtype) for o in outs} == {f32}


def test_size_one_layers_match_torch():
    x = np.random.default_rng(12).standard_normal((3, 2, 1))
    parity(nn.LSTM(1, 1), torch.nn.LSTM(1, 1), x)


def test_rnnbase_defaults_match_torch():
    """RNNBase(mode, input_size, hidden_size) is public in torch; same defaults."""
    ours, theirs = RNNBase("LSTM", 3, 4), torch.nn.RNNBase("LSTM", 3, 4)
    for key in ("num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size"):
        assert getattr(ours, key) == getattr(theirs, key), key
    plain = RNNBase("RNN", 3, 4).double()
    ref = nn.RNN(3, 4).double()
    ref.load_state_dict(plain.state_dict())
    x = gk.randn(2, 1, 3, dtype=gk.float64)
    np.testing.assert_array_equal(plain(x)[0].detach().numpy(), ref(x)[0].detach().numpy())


def test_rnn_cell_repr_matches_torch():
    assert repr(nn.RNNCell(3, 4)) == repr(torch.nn.RNNCell(3, 4)) == "RNNCell(3, 4)"
