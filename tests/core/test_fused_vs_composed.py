"""Every fused op against a reference composed from gradkit primitives, without PyTorch.

DESIGN.md: "Fused ops exist where numerics or speed demand them; each has a composed
reference built from primitives in the tests, checked in float64 without PyTorch." The
references below are the textbook formulas written with primitive tensor ops (matmul,
+, ⊙, sigmoid, tanh, exp, log, sum, mean, indexing, stack), short enough to read next to
the equations and to diff against when a fused op misbehaves.

A fused layer and its reference get the same values (the layer's parameters copied into
fresh float64 leaves) and the same random upstream gradient. Outputs and the gradient of
every input and parameter must agree to 1e-10 of each array's scale for a float64 layer,
and to 1e-5 of it for a float32 layer (whose reference runs in float64 on the same,
exactly representable values). Concepts RNN-CELL, RNN-LSTM, RNN-GRU, RNN-BI, RNN-SOFTSIGN,
ATT-DOT, ATT-MHA, ATT-TRANSFORMER (LayerNorm) and L-CCE.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit import nn

RTOL = {np.float64: 1e-10, np.float32: 1e-5}
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


# ---------------------------------------------------------------- harness
def _array(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _leaf(values) -> gk.Tensor:
    """A float64 leaf holding ``values`` (a reference's copy of an input or parameter)."""
    return gk.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def _assert_close(actual, expected, rtol: float, what: str) -> None:
    """Agreement to ``rtol`` of the array's scale: an entry that is a sum of cancelling
    terms is held to the rounding of those terms, not to its own tiny size."""
    a, e = _array(actual).astype(np.float64), _array(expected)
    assert a.shape == e.shape, (what, a.shape, e.shape)
    atol = rtol * float(np.abs(e).max(initial=0.0))
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=what)


def _compare(fused, reference, fused_leaves, ref_leaves, dtype, seed=1) -> None:
    """Outputs, then (after one backward of the same random upstream gradient through
    both) the gradient of every leaf: ``fused_leaves`` and ``ref_leaves`` are dicts with
    the same names."""
    rtol = RTOL[dtype]
    rng = np.random.default_rng(seed)
    loss_f = loss_r = 0.0
    for i, (f, r) in enumerate(zip(fused, reference, strict=True)):
        assert f.dtype == dtype and r.dtype == np.float64, (i, f.dtype, r.dtype)
        _assert_close(f, r, rtol, f"output {i}")
        up = rng.standard_normal(r.shape)
        loss_f = loss_f + (f * gk.tensor(up.astype(dtype))).sum()
        loss_r = loss_r + (r * gk.tensor(up)).sum()
    loss_f.backward()
    loss_r.backward()
    assert fused_leaves.keys() == ref_leaves.keys()
    for name, leaf in fused_leaves.items():
        assert leaf.grad is not None, f"no gradient reached {name}"
        assert leaf.grad.dtype == dtype, (name, leaf.grad.dtype)
        _assert_close(leaf.grad, ref_leaves[name].grad, rtol, f"gradient of {name}")


def _leaves(dtype, arrays):
    """The arrays rounded to ``dtype``: ``dtype`` leaves for the fused op, float64 leaves
    of exactly the same values for the reference."""
    arrays = [np.asarray(a).astype(dtype) for a in arrays]
    return [gk.tensor(a, requires_grad=True) for a in arrays], [_leaf(a) for a in arrays]


def _inputs(dtype, shapes, seed=0, scale=1.0):
    """:func:`_leaves` of random normal arrays of the given shapes."""
    rng = np.random.default_rng(seed)
    return _leaves(dtype, [scale * rng.standard_normal(s) for s in shapes])


def _randomize(module: nn.Module, seed: int, scale: float = 0.5) -> None:
    """Non-trivial parameters (LayerNorm starts at γ = 1, β = 0; MHA biases at 0)."""
    rng = np.random.default_rng(seed)
    with gk.no_grad():
        for p in module.parameters():
            p.copy_(gk.tensor((scale * rng.standard_normal(p.shape)).astype(p.dtype)))


def _params(module: nn.Module):
    """The module's parameters, and float64 leaf copies of them, by name."""
    fused = dict(module.named_parameters())
    return fused, {name: _leaf(_array(p)) for name, p in fused.items()}


# ---------------------------------------------------------------- recurrent references
def _affine(x, w, b):
    """x Wᵀ + b (b may be None)."""
    y = x @ w.T
    return y if b is None else y + b


def _split(z, n: int):
    """The n gate blocks of (B, n·H) pre-activations, in PyTorch's gate order."""
    H = z.shape[-1] // n
    return [z[:, k * H : (k + 1) * H] for k in range(n)]


def _softsign(z):
    return z / (1 + gk.abs(z))


ACT = {"tanh": gk.tanh, "relu": gk.relu, "softsign": _softsign}


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh, act="tanh"):
    """Elman: h' = f(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return ACT[act](_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh))


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh, act="tanh"):
    """i, f, g, o = σ, σ, φ, σ of the four gate blocks; c' = f ⊙ c + i ⊙ g;
    h' = o ⊙ φ(c')."""
    h, c = state
    i, f, g, o = _split(_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh), 4)
    c = gk.sigmoid(f) * c + gk.sigmoid(i) * ACT[act](g)
    return gk.sigmoid(o) * ACT[act](c), c


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh, act="tanh"):
    """PyTorch's GRU: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h."""
    xr, xz, xn = _split(_affine(x, w_ih, b_ih), 3)
    hr, hz, hn = _split(_affine(h, w_hh, b_hh), 3)
    r, z = gk.sigmoid(xr + hr), gk.sigmoid(xz + hz)
    n = gk.tanh(xn + r * hn)
    return (1 - z) * n + z * h


CELLS = {"RNN": rnn_cell, "LSTM": lstm_cell, "GRU": gru_cell}


def run_layer(mode, x, state, weights, act, reverse=False):
    """One layer-direction over a time-major x (T, B, I), one cell call per step (from
    t = T − 1 down with ``reverse``); outputs (T, B, H) aligned with x, final state."""
    steps = range(x.shape[0])
    outs = {}
    for t in reversed(steps) if reverse else steps:
        state = CELLS[mode](x[t], state, *weights, act=act)
        outs[t] = state[0] if mode == "LSTM" else state
    return gk.stack([outs[t] for t in steps]), state


def recurrent_reference(module, p, x, hx):
    """``module`` (an nn.RNN, LSTM or GRU) recomposed from :func:`run_layer`: layer k + 1
    reads layer k's outputs, the reverse direction's concatenated after the forward's.
    ``p`` holds the parameters by name, ``hx`` the initial state(s)."""
    D = 2 if module.bidirectional else 1
    lstm = module.mode == "LSTM"
    if module.batch_first:
        x = x.swapaxes(0, 1)
    finals = []
    for layer in range(module.num_layers):
        outs = []
        for d in range(D):
            k, tag = layer * D + d, f"l{layer}{'_reverse' if d else ''}"
            names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            weights = [p.get(f"{n}_{tag}") for n in names]
            state = (hx[0][k], hx[1][k]) if lstm else hx[k]
            out, state = run_layer(module.mode, x, state, weights, module.nonlinearity, d == 1)
            outs.append(out)
            finals.append(state)
        x = outs[0] if D == 1 else gk.concatenate(outs, axis=2)
    output = x.swapaxes(0, 1) if module.batch_first else x
    if lstm:
        return output, gk.stack([h for h, _ in finals]), gk.stack([c for _, c in finals])
    return output, gk.stack(finals)


RECURRENT = {  # id: (class, keyword arguments)
    "RNN-CELL-tanh": (nn.RNN, {}),
    "RNN-CELL-relu": (nn.RNN, {"nonlinearity": "relu"}),
    "RNN-SOFTSIGN-rnn": (nn.RNN, {"nonlinearity": "softsign"}),
    "RNN-LSTM": (nn.LSTM, {}),
    "RNN-SOFTSIGN-lstm": (nn.LSTM, {"activation": "softsign"}),
    "RNN-GRU": (nn.GRU, {}),
}
LAYOUTS = {"1-layer": (1, False), "2-layer-RNN-BI": (2, True)}


@DTYPES
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("kind", list(RECURRENT))
def test_recurrent_layer_matches_composed_cells(kind, layout, batch_first, dtype):
    """RNN-CELL / RNN-LSTM / RNN-GRU / RNN-BI: the fused layer (hand-written BPTT) equals
    the cell equations unrolled step by step, given initial states: output, h_n (and
    c_n), and the gradients of x, h0 (and c0) and every weight and bias."""
    T, B, I, H = 5, 3, 4, 6
    cls, kw = RECURRENT[kind]
    num_layers, bidirectional = LAYOUTS[layout]
    layer = cls(I, H, num_layers=num_layers, bidirectional=bidirectional,
                batch_first=batch_first, dtype=dtype, **kw)  # fmt: skip
    _randomize(layer, seed=2)  # wider than the ±1/√H init: gates saturate, relu clips
    n_states = 2 if cls is nn.LSTM else 1
    L = num_layers * (2 if bidirectional else 1)
    shapes = [(B, T, I) if batch_first else (T, B, I)] + [(L, B, H)] * n_states
    (x, *h0), (x_ref, *h0_ref) = _inputs(dtype, shapes)
    fused_p, ref_p = _params(layer)

    out, state = layer(x, tuple(h0) if n_states == 2 else h0[0])
    fused = [out, *state] if n_states == 2 else [out, state]
    reference = recurrent_reference(layer, ref_p, x_ref, h0_ref if n_states == 2 else h0_ref[0])

    states = {f"state {i}": s for i, s in enumerate(h0)}
    ref_states = {f"state {i}": s for i, s in enumerate(h0_ref)}
    _compare(fused, reference, {"x": x, **states, **fused_p},
             {"x": x_ref, **ref_states, **ref_p}, dtype)  # fmt: skip


@pytest.mark.parametrize("kind", ["RNN-CELL-tanh", "RNN-LSTM", "RNN-GRU"])
def test_recurrent_layer_zero_state_no_bias(kind):
    """RNN-CELL / RNN-LSTM / RNN-GRU: no initial state means zeros; bias=False drops both
    biases."""
    cls, kw = RECURRENT[kind]
    layer = cls(3, 4, bias=False, dtype=np.float64, **kw)
    (x,), (x_ref,) = _inputs(np.float64, [(6, 2, 3)], seed=3)
    fused_p, ref_p = _params(layer)
    assert not any("bias" in name for name in fused_p)
    out, state = layer(x)
    fused = [out, *state] if cls is nn.LSTM else [out, state]
    zeros = np.zeros((1, 2, 4))
    hx = (gk.tensor(zeros), gk.tensor(zeros)) if cls is nn.LSTM else gk.tensor(zeros)
    reference = recurrent_reference(layer, ref_p, x_ref, hx)
    _compare(fused, reference, {"x": x, **fused_p}, {"x": x_ref, **ref_p}, np.float64)


@DTYPES
@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
def test_cells_match_one_composed_step(mode, dtype):
    """RNN-CELL / RNN-LSTM / RNN-GRU: RNNCell, LSTMCell and GRUCell are one step of the
    cell equations."""
    B, I, H = 4, 3, 5
    cell = getattr(nn, f"{mode}Cell")(I, H, dtype=dtype)
    n_states = 2 if mode == "LSTM" else 1
    (x, *h), (x_ref, *h_ref) = _inputs(dtype, [(B, I)] + [(B, H)] * n_states, seed=4)
    fused_p, ref_p = _params(cell)
    weights = [ref_p[n] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    if mode == "LSTM":
        fused, reference = cell(x, tuple(h)), lstm_cell(x_ref, tuple(h_ref), *weights)
    else:
        fused, reference = [cell(x, h[0])], [CELLS[mode](x_ref, h_ref[0], *weights)]
    states = {f"state {i}": s for i, s in enumerate(h)}
    ref_states = {f"state {i}": s for i, s in enumerate(h_ref)}
    _compare(list(fused), list(reference), {"x": x, **states, **fused_p},
             {"x": x_ref, **ref_states, **ref_p}, dtype)  # fmt: skip


# ---------------------------------------------------------------- attention references
def _masked_fill(mask_bool: np.ndarray) -> np.ndarray:
    """Additive mask: −inf where ``mask_bool`` is True, 0 elsewhere."""
    return np.where(mask_bool, -np.inf, 0.0)


def attention_reference(q, k, v, additive_mask=None, scale=None):
    """softmax(s Q Kᵀ + M) V over the last two axes; M an additive NumPy mask, s = 1/√E
    by default. The max subtracted before exp is a constant: softmax ignores shifts."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q @ k.swapaxes(-1, -2)) * scale
    if additive_mask is not None:
        scores = scores + gk.tensor(additive_mask)
    shift = np.max(_array(scores), axis=-1, keepdims=True)
    e = gk.exp(scores - gk.tensor(shift))
    return (e / e.sum(axis=-1, keepdims=True)) @ v


def _causal(L: int, S: int) -> np.ndarray:
    """Query i may attend to key j ≤ i: −inf above the diagonal."""
    return _masked_fill(np.arange(S)[None, :] > np.arange(L)[:, None])


ALLOWED = np.random.default_rng(7).random((5, 5)) > 0.3  # True = may attend (SDPA's way)
ALLOWED[:, 0] = True  # every query keeps a key
FLOAT_MASK_4D = np.random.default_rng(8).standard_normal((2, 1, 5, 5))

SDPA_CASES = {  # id: (gradkit keyword arguments, the reference's additive mask and scale)
    "plain": ({}, {}),
    "causal": ({"is_causal": True}, {"additive_mask": _causal(5, 5)}),
    "scale": ({"scale": 0.3}, {"scale": 0.3}),
    "bool-mask": ({"attn_mask": ALLOWED}, {"additive_mask": _masked_fill(~ALLOWED)}),
    "float-mask-broadcast": ({"attn_mask": FLOAT_MASK_4D}, {"additive_mask": FLOAT_MASK_4D}),
}


@DTYPES
@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_composed_softmax_attention(case, dtype):
    """ATT-DOT: the fused scaled_dot_product_attention (transposed scores, one node)
    equals softmax(s Q Kᵀ + M) V composed from matmul, exp, sum and division."""
    gk_kw, ref_kw = SDPA_CASES[case]
    shapes = [(2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 7)]
    (q, k, v), (q_ref, k_ref, v_ref) = _inputs(dtype, shapes, seed=5)
    fused = F.scaled_dot_product_attention(q, k, v, **gk_kw)
    reference = attention_reference(q_ref, k_ref, v_ref, **ref_kw)
    _compare([fused], [reference], {"q": q, "k": k, "v": v},
             {"q": q_ref, "k": k_ref, "v": v_ref}, dtype)  # fmt: skip


def mha_reference(p, query, key, value, num_heads, additive_mask=None):
    """Multi-head attention on batch-first (N, L, E) inputs: project with the blocks of
    the packed in-projection, split E into h heads of d, attend per head, merge, project
    out. ``additive_mask`` broadcasts to (N, h, L, S)."""
    E = query.shape[-1]
    d = E // num_heads
    w, b = p["in_proj_weight"], p["in_proj_bias"]

    def heads(x, i):
        y = _affine(x, w[i * E : (i + 1) * E], b[i * E : (i + 1) * E])
        return y.reshape(y.shape[0], y.shape[1], num_heads, d).permute(0, 2, 1, 3)

    o = attention_reference(heads(query, 0), heads(key, 1), heads(value, 2), additive_mask)
    merged = o.permute(0, 2, 1, 3).reshape(query.shape[0], query.shape[1], E)
    return _affine(merged, p["out_proj.weight"], p["out_proj.bias"])


E, HEADS, N, L, S = 8, 2, 3, 5, 4
KEY_PADDING = np.array([[0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 0, 1]], bool)  # True = ignore
SELF_PADDING = np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0], [0, 1, 0, 1, 0]], bool)
FLOAT_MASK = np.random.default_rng(9).standard_normal((L, S))

MHA_CASES = {  # id: (self-attention?, gradkit keyword arguments, reference additive mask)
    "cross": (False, {}, None),
    "cross-float-mask-key-padding": (
        False,
        {"attn_mask": FLOAT_MASK, "key_padding_mask": KEY_PADDING},
        FLOAT_MASK + _masked_fill(KEY_PADDING)[:, None, None, :],
    ),
    "cross-bool-mask": (  # True = may not attend (MultiheadAttention's convention)
        False,
        {"attn_mask": np.triu(np.ones((L, S), bool), 1)},
        _masked_fill(np.triu(np.ones((L, S), bool), 1)),
    ),
    "self-packed": (True, {}, None),
    "self-packed-causal": (True, {"is_causal": True}, _causal(L, L)),
    "self-packed-key-padding": (
        True,
        {"key_padding_mask": SELF_PADDING},
        _masked_fill(SELF_PADDING)[:, None, None, :],
    ),
}


@DTYPES
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_matches_composed_heads(case, batch_first, dtype):
    """ATT-MHA: MultiheadAttention without weights runs the fused attention op (the
    packed one when query, key and value are one tensor); it equals the per-head
    composition, outputs and the gradients of the inputs and all four parameters."""
    self_attention, kw, additive_mask = MHA_CASES[case]
    mha = nn.MultiheadAttention(E, HEADS, batch_first=batch_first, dtype=dtype)
    _randomize(mha, seed=6)
    fused_p, ref_p = _params(mha)
    lead = (lambda n, t: (n, t, E)) if batch_first else (lambda n, t: (t, n, E))
    if self_attention:
        (x,), (x_ref,) = _inputs(dtype, [lead(N, L)], seed=10)
        fused_in, ref_in = [x, x, x], [x_ref] * 3
        fused_leaves, ref_leaves = {"x": x}, {"x": x_ref}
    else:
        fused_in, ref_in = _inputs(dtype, [lead(N, L), lead(N, S), lead(N, S)], seed=11)
        names = ("query", "key", "value")
        fused_leaves, ref_leaves = dict(zip(names, fused_in)), dict(zip(names, ref_in))
    out, weights = mha(*fused_in, need_weights=False, **kw)
    assert weights is None
    if not batch_first:
        ref_in = [t.swapaxes(0, 1) for t in ref_in]
    reference = mha_reference(ref_p, *ref_in, HEADS, additive_mask)
    if not batch_first:
        reference = reference.swapaxes(0, 1)
    _compare([out], [reference], {**fused_leaves, **fused_p}, {**ref_leaves, **ref_p}, dtype)


# ---------------------------------------------------------------- layer normalization
def layer_norm_reference(x, n_axes, weight=None, bias=None, eps=1e-5):
    """(x − μ) / √(σ² + ε) ⊙ γ + β, μ and the biased σ² over the last ``n_axes`` axes."""
    axes = tuple(range(-n_axes, 0))
    centred = x - x.mean(axis=axes, keepdims=True)
    var = (centred * centred).mean(axis=axes, keepdims=True)
    y = centred / gk.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


LAYER_NORMS = {  # id: (input shape, normalized_shape, keyword arguments)
    "affine": ((4, 5), (5,), {}),
    "two-axes": ((2, 3, 4), (3, 4), {}),
    "no-affine": ((3, 6), (6,), {"elementwise_affine": False}),
    "no-bias": ((3, 6), (6,), {"bias": False}),
    "eps": ((4, 5), (5,), {"eps": 0.3}),
    "many-rows": ((300, 7, 64), (64,), {}),  # 2100 rows of 64, a transformer-sized input
}


@DTYPES
@pytest.mark.parametrize("case", list(LAYER_NORMS))
def test_layer_norm_matches_composed_moments(case, dtype):
    """ATT-TRANSFORMER (LayerNorm): the fused op (row statistics by matrix–vector
    products, a hand-written backward) equals mean / variance / sqrt composed, with the
    gradients of x, γ and β."""
    shape, normalized, kw = LAYER_NORMS[case]
    ln = nn.LayerNorm(normalized, dtype=dtype, **kw)
    _randomize(ln, seed=12)
    fused_p, ref_p = _params(ln)
    (x,), (x_ref,) = _inputs(dtype, [shape], seed=13, scale=3.0)
    reference = layer_norm_reference(
        x_ref, len(normalized), ref_p.get("weight"), ref_p.get("bias"), ln.eps
    )
    _compare([ln(x)], [reference], {"x": x, **fused_p}, {"x": x_ref, **ref_p}, dtype)


@DTYPES
def test_functional_layer_norm_matches_composed_moments(dtype):
    """ATT-TRANSFORMER (LayerNorm): F.layer_norm with weight and bias given as tensors."""
    rng = np.random.default_rng(14)
    x = 10 + rng.standard_normal((6, 2, 5))  # a large mean: the centring must be exact
    (x, w, b), (x_ref, w_ref, b_ref) = _leaves(dtype, [x, *rng.standard_normal((2, 2, 5))])
    fused = F.layer_norm(x, (2, 5), w, b)
    reference = layer_norm_reference(x_ref, 2, w_ref, b_ref)
    _compare([fused], [reference], {"x": x, "w": w, "b": b},
             {"x": x_ref, "w": w_ref, "b": b_ref}, dtype)  # fmt: skip


# ---------------------------------------------------------------- cross-entropy
def log_softmax_reference(x, axis=1):
    """x − max − log Σ exp(x − max); the max is a constant shift."""
    shifted = x - gk.tensor(np.max(_array(x), axis=axis, keepdims=True))
    return shifted - gk.log(gk.exp(shifted).sum(axis=axis, keepdims=True))


def cross_entropy_reference(
    x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """L_i = −Σ_c q_ic log softmax(x_i)_c with the constant target weights
    q_ic = (1 − ε) w_{y_i} [c = y_i] + (ε / C) w_c on rows whose y_i ≠ ignore_index (0 on
    the others); "mean" divides Σ_i L_i by Σ_i w_{y_i} over the rows not ignored.

    x (N, C) or (N, C, d…), target (N, d…) class indices, weight (C,) or None.
    """
    C = x.shape[1]
    w = np.ones(C) if weight is None else np.asarray(weight, dtype=np.float64)
    valid = target != ignore_index
    y = np.where(valid, target, 0)
    onehot = np.moveaxis(np.eye(C)[y], -1, 1)  # (N, C, d…)
    w_c = w.reshape((1, C) + (1,) * (x.ndim - 2))
    q = ((1 - label_smoothing) * onehot + label_smoothing / C) * w_c * valid[:, None]
    losses = -(gk.tensor(q) * log_softmax_reference(x)).sum(axis=1)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / float((w[y] * valid).sum())


RNG = np.random.default_rng(15)
CE_CASES = {  # id: (logits shape, targets, keyword arguments)
    "plain": ((6, 4), RNG.integers(0, 4, 6), {}),
    "ignore_index": ((6, 4), np.array([0, -100, 1, 3, -100, 2]), {}),
    "weight": ((6, 4), RNG.integers(0, 4, 6), {"weight": [0.5, 2.0, 1.0, 0.3]}),
    "weight-ignore_index": (
        (6, 4), np.array([0, 3, 1, 3, 2, 2]), {"weight": [0.5, 2.0, 1.0, 0.3], "ignore_index": 3}
    ),
    "label_smoothing-ignore_index": (
        (6, 4), np.array([0, -100, 1, 3, -100, 2]), {"label_smoothing": 0.2}
    ),
    "weight-label_smoothing-ignore_index-KD": (
        (3, 4, 5), RNG.integers(0, 4, (3, 5)),
        {"weight": [0.5, 2.0, 1.0, 0.3], "ignore_index": 1, "label_smoothing": 0.1},
    ),
    "KD-2d": ((2, 3, 4, 2), RNG.integers(0, 3, (2, 4, 2)), {}),
}  # fmt: skip


@DTYPES
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("case", list(CE_CASES))
def test_cross_entropy_matches_composed_log_softmax(case, reduction, dtype):
    """L-CCE: the fused cross-entropy (log-softmax and NLL in one node, hand-written
    gradient softmax Σq − q) equals −Σ q log softmax composed from exp, log and sum,
    with class weights, ignore_index, label smoothing and every reduction."""
    shape, target, kw = CE_CASES[case]
    (x,), (x_ref,) = _inputs(dtype, [shape], seed=16, scale=2.0)
    weight = kw.get("weight")
    gk_kw = dict(kw, weight=None if weight is None else gk.tensor(np.array(weight, dtype)))
    fused = F.cross_entropy(x, gk.tensor(target), reduction=reduction, **gk_kw)
    ref_kw = dict(kw, weight=None if weight is None else np.array(weight, dtype))
    reference = cross_entropy_reference(x_ref, target, reduction=reduction, **ref_kw)
    _compare([fused], [reference], {"x": x}, {"x": x_ref}, dtype)


@DTYPES
def test_cross_entropy_module_matches_composed_log_softmax(dtype):
    """L-CCE: nn.CrossEntropyLoss is the same op."""
    (x,), (x_ref,) = _inputs(dtype, [(5, 3)], seed=17)
    target = np.array([2, 0, 1, 1, -100])
    weight = np.array([1.5, 0.5, 2.0], dtype)
    loss = nn.CrossEntropyLoss(gk.tensor(weight), label_smoothing=0.05)
    fused = loss(x, gk.tensor(target))
    reference = cross_entropy_reference(x_ref, target, weight, label_smoothing=0.05)
    _compare([fused], [reference], {"x": x}, {"x": x_ref}, dtype)


def soft_cross_entropy_reference(x, p, weight=None, reduction="mean", label_smoothing=0.0):
    """Class-probability targets: L_i = −Σ_c w_c ((1 − ε) p_ic + ε / C) log softmax(x_i)_c;
    "mean" divides by the number of rows (N·d…); differentiable in p too."""
    C = x.shape[1]
    q = p * (1 - label_smoothing) + label_smoothing / C
    if weight is not None:
        q = q * gk.tensor(np.asarray(weight, np.float64).reshape((1, C) + (1,) * (x.ndim - 2)))
    losses = -(q * log_softmax_reference(x)).sum(axis=1)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


@DTYPES
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(
    "shape, kw",
    [((6, 4), {}), ((6, 4), {"weight": [0.5, 2.0, 1.0, 0.3], "label_smoothing": 0.3}),
     ((3, 4, 5), {"label_smoothing": 0.1})],
    ids=["plain", "weight-label_smoothing", "KD-label_smoothing"],
)  # fmt: skip
def test_soft_cross_entropy_matches_composed_log_softmax(shape, kw, reduction, dtype):
    """L-CCE with class probabilities as targets: gradients of the logits and of the
    target probabilities."""
    (x,), (x_ref,) = _inputs(dtype, [shape], seed=18)
    logits = np.random.default_rng(19).standard_normal(shape)
    (p,), (p_ref,) = _leaves(dtype, [np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)])
    weight = kw.get("weight")
    gk_kw = dict(kw, weight=None if weight is None else gk.tensor(np.array(weight, dtype)))
    fused = F.cross_entropy(x, p, reduction=reduction, **gk_kw)
    ref_kw = dict(kw, weight=None if weight is None else np.array(weight, dtype))
    reference = soft_cross_entropy_reference(x_ref, p_ref, reduction=reduction, **ref_kw)
    _compare([fused], [reference], {"x": x, "p": p}, {"x": x_ref, "p": p_ref}, dtype)
