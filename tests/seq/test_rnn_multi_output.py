"""The fused recurrent ops as multi-output Functions (concepts RNN-LSTM, RNN-GRU, RNN-CELL,
RNN-BI, RNN-BPTT): each layer-direction is one op returning (output, h_T) — (output, h_T,
c_T) for the LSTM — so the final states carry their own gradients into the last step.

Checked here: a loss on any mix of output, h_n and c_n against PyTorch (float64, random
weights, nonlinear heads so every upstream gradient is random); a retained graph walked
twice counts each gradient once per walk; outputs that no loss reached reach the op's
backward as None; nothing is saved under ``no_grad`` and only what the inputs that need a
gradient use otherwise; double backward is refused naming the op; an in-place change of
the sequence output (which the backward reads) is refused instead of corrupting it."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from gradkit.ops.rnn import GRULayer, LSTMLayer, RNNLayer
from parity import requires_torch, torch

ATOL = 1e-10  # float64; differences are ~1e-15
LAYERS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}  # and torch.nn's classes of the same names
OPS = {"RNN": RNNLayer, "LSTM": LSTMLayer, "GRU": GRULayer}
T, B, I, H = 6, 3, 4, 5


def _heads(lib, parts, use, seed=11):
    """L = Σ w₀ ⊙ tanh(output) + Σ w₁ ⊙ h_n² + Σ w₂ ⊙ c_n³ over the parts named in
    ``use``, with random weights w (the same for both libraries)."""
    rng = np.random.default_rng(seed)
    heads = {
        "out": lambda t: t.tanh(),
        "h": lambda t: t * t,
        "c": lambda t: t * t * t,
    }
    loss = 0.0
    for name, t in parts.items():
        w = rng.standard_normal(tuple(t.shape))
        if name in use:
            loss = loss + (heads[name](t) * lib.tensor(w)).sum()
    return loss


def _parts(result, lstm: bool) -> dict:
    out, state = result
    if lstm:
        return {"out": out, "h": state[0], "c": state[1]}
    return {"out": out, "h": state}


def _pair(kind, seed=0, **kw):
    """The gradkit and torch layers with the same random float64 weights."""
    th_mod = getattr(torch.nn, kind)(I, H, **kw).double()
    gk_mod = LAYERS[kind](I, H, dtype=np.float64, **kw)
    rng = np.random.default_rng(seed)
    weights = {k: rng.standard_normal(tuple(v.shape)) * 0.5 for k, v in th_mod.state_dict().items()}
    th_mod.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    gk_mod.load_state_dict(weights)
    return gk_mod, th_mod


def _inputs(kind, num_layers, bidirectional, batch_first, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I))
    shape = (num_layers * (2 if bidirectional else 1), B, H)
    state = [rng.standard_normal(shape) for _ in range(2 if kind == "LSTM" else 1)]
    return x, state


def _run(lib, mod, x, state, kind, use, requires_grad=True):
    tx = lib.tensor(x, requires_grad=requires_grad)
    ts = [lib.tensor(s, requires_grad=requires_grad) for s in state]
    result = mod(tx, tuple(ts) if kind == "LSTM" else ts[0])
    parts = _parts(result, kind == "LSTM")
    return _heads(lib, parts, use), parts, [tx, *ts]


def _grad(t):
    g = t.grad
    if g is None:
        return None
    return g.detach().numpy()


def _compare(gk_mod, th_mod, kind, use, num_layers=1, bidirectional=False, batch_first=False,
             requires_grad=True):  # fmt: skip
    x, state = _inputs(kind, num_layers, bidirectional, batch_first)
    g_loss, g_parts, g_in = _run(gk, gk_mod, x, state, kind, use, requires_grad)
    t_loss, t_parts, t_in = _run(torch, th_mod, x, state, kind, use, requires_grad)
    for name in t_parts:
        np.testing.assert_allclose(g_parts[name].detach().numpy(), t_parts[name].detach().numpy(),
                                   atol=ATOL, rtol=0, err_msg=name)  # fmt: skip
    g_loss.backward()
    t_loss.backward()
    for i, (g, t) in enumerate(zip(g_in, t_in)):
        if requires_grad:
            np.testing.assert_allclose(_grad(g), _grad(t), atol=ATOL, rtol=0, err_msg=f"input {i}")
    t_params = dict(th_mod.named_parameters())
    for name, p in gk_mod.named_parameters():
        if t_params[name].grad is None:
            assert p.grad is None, name
        else:
            np.testing.assert_allclose(_grad(p), _grad(t_params[name]), atol=ATOL, rtol=0,
                                       err_msg=f"grad {name}")  # fmt: skip


# ---------------------------------------------------------------------- parity with torch
@requires_torch
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_loss_on_output_and_final_states_matches_torch(
    kind, num_layers, bidirectional, batch_first
):
    """RNN-LSTM / RNN-GRU / RNN-CELL / RNN-BI: L = f(output) + g(h_n) + k(c_n): values
    and the gradients of the input, the initial states and every weight match torch."""
    kw = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    gk_mod, th_mod = _pair(kind, **kw)
    _compare(gk_mod, th_mod, kind, ("out", "h", "c"), **kw)


def _uses(*uses, kinds=("LSTM", "GRU", "RNN")):
    """(kind, parts used by the loss) pairs; "c" (the cell state) only for the LSTM."""
    cases = [(k, u) for k in kinds for u in uses if "c" not in u or k.startswith("LSTM")]
    return pytest.mark.parametrize("kind, use", cases, ids=[f"{k}-{'+'.join(u)}" for k, u in cases])


@requires_torch
@_uses(("out",), ("h",), ("c",), ("h", "c"), ("out", "c"))
def test_loss_on_some_outputs_matches_torch(kind, use):
    """Outputs that no loss reaches get no gradient (None in the op's backward) and the
    rest are exact: many-to-one on h_n alone, c_n alone, and mixes (2-layer, bi)."""
    kw = dict(num_layers=2, bidirectional=True, batch_first=True)
    gk_mod, th_mod = _pair(kind, seed=3, **kw)
    _compare(gk_mod, th_mod, kind, use, **kw)


@requires_torch
@pytest.mark.parametrize("frozen", ["weights", "input"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_partial_needs_input_grad_matches_torch(kind, frozen):
    """Frozen weights (only the input and states need gradients) or a plain input (only
    the weights do): what is computed and saved follows ``ctx.needs_input_grad``."""
    kw = dict(num_layers=2, bidirectional=True)
    gk_mod, th_mod = _pair(kind, seed=5, **kw)
    if frozen == "weights":
        gk_mod.requires_grad_(False)
        th_mod.requires_grad_(False)
    _compare(gk_mod, th_mod, kind, ("out", "h", "c"), requires_grad=frozen == "weights", **kw)


CELLS = {"RNNCell": RNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell}


@requires_torch
@_uses(("h",), ("c",), ("h", "c"), kinds=list(CELLS))
def test_cell_state_outputs_match_torch(kind, use):
    """RNN-CELL: a cell's results are the op's state outputs; h' and c' each carry their
    own gradient."""
    name = kind
    lstm = name == "LSTMCell"
    th_mod = getattr(torch.nn, name)(I, H).double()
    gk_mod = CELLS[name](I, H, dtype=np.float64)
    gk_mod.load_state_dict({k: v.detach().numpy() for k, v in th_mod.state_dict().items()})
    rng = np.random.default_rng(2)
    x, h, c = rng.standard_normal((B, I)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    grads = []
    for lib, mod in ((gk, gk_mod), (torch, th_mod)):
        ins = [lib.tensor(a, requires_grad=True) for a in (x, h, c)]
        result = mod(ins[0], (ins[1], ins[2]) if lstm else ins[1])
        parts = {"h": result[0], "c": result[1]} if lstm else {"h": result}
        _heads(lib, parts, use).backward()
        n = 3 if lstm else 2
        grads.append([_grad(t) for t in ins[:n]] + [_grad(p) for p in mod.parameters()])
    for i, (g, t) in enumerate(zip(*grads)):
        np.testing.assert_allclose(g, t, atol=ATOL, rtol=0, err_msg=f"gradient {i}")


# ---------------------------------------------------------------------- engine contract
def _model(kind, **kw):
    gk.manual_seed(0)
    return LAYERS[kind](I, H, dtype=np.float64, **kw)


def _all_grads(mod, inputs):
    return [t.grad.detach().numpy().copy() for t in inputs] + [
        p.grad.detach().numpy().copy() for p in mod.parameters()
    ]


@_uses(("c",), ("h",), ("out", "h", "c"))
def test_second_backward_of_retained_graph_counts_final_states_once(kind, use):
    """RNN-BPTT: backward(retain_graph=True) twice gives the same gradients each time
    (accumulated: exactly twice the first), in particular from c_n and h_n."""
    mod = _model(kind, num_layers=2, bidirectional=True)
    x, state = _inputs(kind, 2, True, False)
    loss, _, inputs = _run(gk, mod, x, state, kind, use)
    loss.backward(retain_graph=True)
    first = _all_grads(mod, inputs)
    assert all(np.abs(g).max() > 0 for g in first)
    loss.backward(retain_graph=True)
    for i, (a, b) in enumerate(zip(_all_grads(mod, inputs), first)):
        np.testing.assert_allclose(a, 2 * b, atol=1e-12, rtol=0, err_msg=f"gradient {i}")
    mod.zero_grad()
    for t in inputs:
        t.grad = None
    loss.backward()
    for i, (a, b) in enumerate(zip(_all_grads(mod, inputs), first)):
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0, err_msg=f"gradient {i}")


@_uses(("h",), ("c",), ("h", "c"), ("out",))
def test_unused_outputs_reach_backward_as_none(kind, use, monkeypatch):
    """Many-to-one: with the loss on h_n only, the op's backward gets None for the
    sequence output (no (T, B, H) zeros are built anywhere), and None for c_T when the
    cell state is unused."""
    op = OPS[kind]
    backward = op.backward
    seen = []

    def spy(ctx, *grads):
        seen.append(tuple(g is not None for g in grads))
        return backward(ctx, *grads)

    monkeypatch.setattr(op, "backward", staticmethod(spy))
    mod = _model(kind)
    x, state = _inputs(kind, 1, False, False)
    loss, _, _ = _run(gk, mod, x, state, kind, use)
    loss.backward()
    names = ("out", "h", "c") if kind == "LSTM" else ("out", "h")
    assert seen == [tuple(n in use for n in names)]


def _spy_forward(op):
    """``op`` whose forward records what it left on ``ctx``."""
    saved = []

    class Spy(op):
        @staticmethod
        def forward(ctx, *arrays, **options):
            result = op.forward(ctx, *arrays, **options)
            saved.append(dict(vars(ctx)))
            return result

    return Spy, saved


def _op_args(kind, rng):
    G = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
    shapes = [(T, B, I), (B, H)] + ([(B, H)] if kind == "LSTM" else [])
    shapes += [(G * H, I), (G * H, H), (G * H,), (G * H,)]
    return [gk.tensor(rng.standard_normal(s) * 0.5, requires_grad=True) for s in shapes]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_no_grad_forward_saves_nothing(kind):
    """Under no_grad (and when no input requires grad) the op keeps nothing on ctx, so
    its buffers are freed with the forward; the outputs are the same as when recording."""
    spy, saved = _spy_forward(OPS[kind])
    args = _op_args(kind, np.random.default_rng(0))
    recorded = spy.apply(*args)
    assert saved[-1]  # recording keeps the activations
    with gk.no_grad():
        plain = spy.apply(*args)
    assert saved[-1] == {}
    spy.apply(*[a.detach() for a in args])
    assert saved[-1] == {}
    assert len(plain) == len(recorded) == (3 if kind == "LSTM" else 2)
    for a, b in zip(plain, recorded):
        assert not a.requires_grad and b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_forward_saves_only_what_needed_gradients_use(kind):
    """Frozen weights: the input and W_ih-side copies that only ∂L/∂W_ih (and the bias)
    needs are not kept; a plain input: W_ih, which only ∂L/∂x needs, is not kept."""
    spy, saved = _spy_forward(OPS[kind])
    args = _op_args(kind, np.random.default_rng(0))
    n_state = 2 if kind == "LSTM" else 1
    frozen_weights = args[: 1 + n_state] + [w.detach() for w in args[1 + n_state :]]
    spy.apply(*frozen_weights)
    x_side = {"xa"} if kind == "LSTM" else {"x"}
    assert "w_ih" in saved[-1] and not x_side & set(saved[-1])
    spy.apply(args[0].detach(), *args[1:])
    assert "w_ih" not in saved[-1] and x_side <= set(saved[-1])


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_double_backward_is_refused_naming_the_op(kind):
    """Fused recurrent ops refuse create_graph=True with an error naming the op."""
    mod = _model(kind)
    x, state = _inputs(kind, 1, False, False)
    match = f"{OPS[kind].__name__}Backward does not support double backward"
    for use in (("out", "h", "c"), ("h",)):
        loss, _, inputs = _run(gk, mod, x, state, kind, use)
        with pytest.raises(RuntimeError, match=match):
            gk.autograd.grad(loss, inputs[0], create_graph=True)
        loss, _, _ = _run(gk, mod, x, state, kind, use)
        with pytest.raises(RuntimeError, match=match):
            loss.backward(create_graph=True)


@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_in_place_change_of_output_is_refused(kind, batch_first):
    """The sequence output shares memory with the states the backward reads (∂L/∂W_hh
    uses h_{t−1}): changing it in place makes backward raise, naming the op, instead of
    returning a wrong gradient. The final-state outputs are copies and may change."""
    mod = _model(kind, batch_first=batch_first)
    x, state = _inputs(kind, 1, False, batch_first)
    _, parts, _ = _run(gk, mod, x, state, kind, ("out",))
    out = parts["out"]
    out.mul_(2.0)
    with pytest.raises(RuntimeError, match=f"inplace operation.* {OPS[kind].__name__}Backward"):
        out.sum().backward()
    # the final states are copies: changing them leaves the output and the backward alone
    args = _op_args(kind, np.random.default_rng(0))
    out, *finals = OPS[kind].apply(*args)
    before = out.detach().numpy().copy()
    for t in finals:
        t.mul_(2.0)
    np.testing.assert_array_equal(out.detach().numpy(), before)
    out.sum().backward()
