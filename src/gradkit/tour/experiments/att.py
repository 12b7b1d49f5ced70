"""Evidence tour, group ATT: scaled dot-product attention and its masks, multi-head
attention, and why the transformer layer parallelises where a recurrent layer cannot."""

from __future__ import annotations

import time

import numpy as np

import gradkit as gk
import gradkit.nn as nn
import gradkit.nn.functional as F
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_att.py"


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _weights(q, k, **kw) -> np.ndarray:
    """The attention matrix itself: attention over values = identity returns it."""
    S = k.shape[-2]
    eye = gk.tensor(np.broadcast_to(np.eye(S, dtype=np.float32), (*k.shape[:-2], S, S)).copy())
    with gk.no_grad():
        return F.scaled_dot_product_attention(q, k, eye, **kw).numpy()


def _entropy(w: np.ndarray) -> float:
    return float(-(w * np.log(np.maximum(w, 1e-30))).sum(-1).mean())


@experiment(
    "ATT-DOT",
    group="ATT",
    title="Scaled dot-product attention and masks",
    claim=(
        "Attention mixes the values with weights softmax(QKᵀ/√d): the √d keeps the "
        "softmax from saturating as d grows, and a causal mask gives every future "
        "position weight zero."
    ),
    formula="Attention(Q, K, V) = softmax(Q Kᵀ / √d + M) V,  M_ij = −∞ for j > i (causal)",
    code=("gradkit.nn.functional", "scaled_dot_product_attention"),
    test=TEST,
)
def att_dot(quick: bool) -> Finding:
    rng = np.random.default_rng(0)
    L, d = 6, 8
    q, k, v = (rng.standard_normal((2, L, d)).astype(np.float32) for _ in range(3))
    Q, K, V = gk.tensor(q), gk.tensor(k), gk.tensor(v)
    with gk.no_grad():
        out = F.scaled_dot_product_attention(Q, K, V).numpy()
    manual = _softmax(q @ k.transpose(0, 2, 1) / np.sqrt(d)) @ v
    formula_err = float(np.abs(out - manual).max())
    w = _weights(Q, K, is_causal=True)
    future = float(np.triu(w[0], 1).max())
    row_sum = float(np.abs(w.sum(-1) - 1).max())
    # changing the future leaves the past untouched
    v2, k2 = v.copy(), k.copy()
    v2[:, 4:] += 10.0
    k2[:, 4:] -= 3.0
    with gk.no_grad():
        a = F.scaled_dot_product_attention(Q, K, V, is_causal=True).numpy()
        b = F.scaled_dot_product_attention(Q, gk.tensor(k2), gk.tensor(v2), is_causal=True)
    past_change = float(np.abs(a[:, :4] - b.numpy()[:, :4]).max())
    # padding mask: True = may attend
    keep = np.ones((2, 1, L), bool)
    keep[:, :, -2:] = False
    w_pad = _weights(Q, K, attn_mask=gk.tensor(keep))
    padded = float(w_pad[..., -2:].max())
    # scaling: softmax entropy of random scores, scaled vs unscaled
    dims = (4, 64, 512) if quick else (4, 16, 64, 256, 1024)
    ent = {"scaled": [], "unscaled": []}
    for dd in dims:
        qq = gk.tensor(rng.standard_normal((4, 32, dd)).astype(np.float32))
        kk = gk.tensor(rng.standard_normal((4, 32, dd)).astype(np.float32))
        ent["scaled"].append(_entropy(_weights(qq, kk)))
        ent["unscaled"].append(_entropy(_weights(qq, kk, scale=1.0)))
    uniform = float(np.log(32))
    checks = [
        Check(
            "attention is softmax(QKᵀ/√d) V",
            f"against the formula in NumPy: max difference {formula_err:.1e}; weight rows "
            f"sum to 1 (max error {row_sum:.1e})",
            formula_err < 1e-5 and row_sum < 1e-5,
        ),
        Check(
            "a causal mask zeroes the weights of future positions",
            f"largest weight above the diagonal: {future:.1e}; changing keys and values at "
            f"positions 4–5 moves outputs 0–3 by {past_change:.1e}; a padding mask leaves "
            f"padded keys weight {padded:.1e}",
            future == 0.0 and past_change == 0.0 and padded == 0.0,
        ),
        Check(
            "dividing by √d keeps the softmax from saturating as d grows",
            f"entropy of the weights over 32 keys (uniform {uniform:.2f}) for d = "
            f"{list(dims)}: scaled "
            + ", ".join(f"{e:.2f}" for e in ent["scaled"])
            + "; unscaled "
            + ", ".join(f"{e:.2f}" for e in ent["unscaled"]),
            min(ent["scaled"]) > 0.6 * uniform and ent["unscaled"][-1] < 0.3 * uniform,
        ),
    ]
    numbers = {
        "formula_error": formula_err,
        "max_future_weight": future,
        "past_change": past_change,
        "max_padded_weight": padded,
        "dims": list(dims),
        "entropy_scaled": ent["scaled"],
        "entropy_unscaled": ent["unscaled"],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.imshow(w[0], cmap="viridis")
        ax.set_title("causal attention weights", fontsize=8)
        ax = fig.add_subplot(1, 2, 2)
        ax.semilogx(dims, ent["scaled"], marker="o", label="÷√d")
        ax.semilogx(dims, ent["unscaled"], marker="o", label="unscaled")
        ax.axhline(uniform, color="k", ls="--", lw=1)
        ax.set_xlabel("d")
        ax.set_ylabel("softmax entropy")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)


@experiment(
    "ATT-MHA",
    group="ATT",
    title="Multi-head attention",
    claim=(
        "Multi-head attention runs h attentions of width d/h side by side on learned "
        "projections and mixes their concatenation, each head with its own weights, for "
        "the same parameter count as one head."
    ),
    formula=(
        "MHA = concat(head_1, …, head_h) W_oᵀ,  "
        "head_i = softmax(Q W_qiᵀ (K W_kiᵀ)ᵀ / √(d/h)) V W_viᵀ"
    ),
    code=("gradkit.nn", "MultiheadAttention"),
    test=TEST,
)
def att_mha(quick: bool) -> Finding:
    E, h, L = 16, 4, 5
    gk.manual_seed(0)
    mha = nn.MultiheadAttention(E, h, batch_first=True)
    x = np.random.default_rng(0).standard_normal((2, L, E)).astype(np.float32)
    with gk.no_grad():
        out, w = mha(gk.tensor(x), gk.tensor(x), gk.tensor(x), average_attn_weights=False)
    out, w = out.numpy(), w.numpy()
    Wi = mha.in_proj_weight.detach().numpy()
    bi = mha.in_proj_bias.detach().numpy()
    Wo, bo = mha.out_proj.weight.detach().numpy(), mha.out_proj.bias.detach().numpy()
    q, k, v = (x @ Wi[j * E : (j + 1) * E].T + bi[j * E : (j + 1) * E] for j in range(3))
    dh = E // h
    heads, weights = [], []
    for i in range(h):
        s = slice(i * dh, (i + 1) * dh)
        a = _softmax(q[..., s] @ k[..., s].transpose(0, 2, 1) / np.sqrt(dh))
        weights.append(a)
        heads.append(a @ v[..., s])
    manual = np.concatenate(heads, -1) @ Wo.T + bo
    head_err = float(np.abs(out - manual).max())
    weight_err = float(np.abs(w - np.stack(weights, 1)).max())
    distinct = float(min(np.abs(w[:, i] - w[:, j]).max() for i in range(h) for j in range(i)))
    counts = {heads_: sum(p.numel() for p in nn.MultiheadAttention(E, heads_).parameters())
              for heads_ in (1, 2, 4, 8)}  # fmt: skip
    checks = [
        Check(
            "h attentions of width d/h on projections, concatenated and mixed",
            f"MultiheadAttention({E}, {h}) against per-head softmax(q_i k_iᵀ/√{dh}) v_i, "
            f"concatenated, times W_o: max difference {head_err:.1e} (weights "
            f"{weight_err:.1e}, shape {w.shape})",
            head_err < 1e-5 and weight_err < 1e-5 and w.shape == (2, h, L, L),
        ),
        Check(
            "each head attends in its own way",
            f"smallest difference between two heads' weight matrices: {distinct:.2f}",
            distinct > 0.05,
        ),
        Check(
            "the same parameter count for any number of heads",
            "parameters for h = 1, 2, 4, 8: "
            + ", ".join(str(c) for c in counts.values())
            + f" (4E² + 4E = {4 * E * E + 4 * E})",
            set(counts.values()) == {4 * E * E + 4 * E},
        ),
    ]
    numbers = {
        "head_error": head_err,
        "weight_error": weight_err,
        "min_head_difference": distinct,
        "params_by_heads": {str(k_): c for k_, c in counts.items()},
    }

    def draw(fig):
        for i in range(h):
            ax = fig.add_subplot(1, h, i + 1)
            ax.imshow(w[0, i], cmap="viridis", vmin=0, vmax=1)
            ax.set_title(f"head {i + 1}", fontsize=8)
            ax.axis("off")

    return Finding(checks, numbers, draw)


def graph_depth(tensor) -> int:
    """Longest chain of recorded ops from the inputs to ``tensor``: the number of steps
    that must run one after another."""
    memo: dict[int, int] = {}

    def children(n):
        if hasattr(n, "next_functions"):
            return [e for e, _ in n.next_functions if e is not None]
        node = getattr(n, "node", None)
        return [node] if node is not None else []

    stack = [(tensor.grad_fn, False)]
    while stack:
        n, ready = stack.pop()
        if id(n) in memo:
            continue
        kids = children(n)
        if ready:
            below = max((memo[id(c)] for c in kids), default=0)
            memo[id(n)] = below + (1 if hasattr(n, "next_functions") else 0)
        else:
            stack.append((n, True))
            stack.extend((c, False) for c in kids if id(c) not in memo)
    return memo[id(tensor.grad_fn)]


@experiment(
    "ATT-TRANSFORMER",
    group="ATT",
    title="Why the transformer parallelises where an RNN cannot",
    claim=(
        "A transformer encoder layer (attention, feed-forward, residuals, layer norm) "
        "computes every position at once, while an RNN's time per sequence grows with "
        "its length because each step waits for the previous one."
    ),
    formula="x = LN(x + MHA(x));  x = LN(x + W₂ ReLU(W₁ x));  RNN: h_t = f(h_{t−1}, x_t)",
    code=("gradkit.nn", "TransformerEncoderLayer"),
    test=TEST,
)
def att_transformer(quick: bool) -> Finding:
    d = 32
    gk.manual_seed(0)
    cell = nn.LSTMCell(d, d)
    layer = nn.TransformerEncoderLayer(d, 4, 2 * d, dropout=0.0, batch_first=True)
    depth = {"lstm": [], "transformer": []}
    short_lengths = (8, 32)
    for T in short_lengths:
        x = gk.randn(1, T, d, requires_grad=True)
        state = None
        for t in range(T):
            state = cell(x[:, t], state)
        depth["lstm"].append(graph_depth(state[0]))
        depth["transformer"].append(graph_depth(layer(x)))
    # the layer is its parts: post-norm attention and feed-forward blocks with residuals
    layer.eval()
    xs = gk.randn(2, 6, d)
    with gk.no_grad():
        y = layer(xs)
        sa = layer.self_attn(xs, xs, xs, need_weights=False)[0]
        h = layer.norm1(xs + sa)
        composed = layer.norm2(h + layer.linear2(F.relu(layer.linear1(h))))
        parts_err = float((y - composed).abs().max())
        # without positions the layer cannot tell order apart: permuting the input
        # permutes the output; adding a positional encoding breaks that symmetry
        perm = np.random.default_rng(0).permutation(6)
        equivariant = float((layer(xs[:, perm]) - y[:, perm]).abs().max())
        pos = nn.SinusoidalPositionalEncoding(d, batch_first=True)
        with_pos = layer(pos(xs))
        order_seen = float((layer(pos(xs[:, perm])) - with_pos[:, perm]).abs().max())
    # wall (CPU) time per sequence, one sequence at a time; models alternate
    D = 128
    gk.manual_seed(0)
    models = {
        "lstm": nn.LSTM(D, D, batch_first=True),
        "transformer": nn.TransformerEncoderLayer(D, 4, 4 * D, dropout=0.0, batch_first=True),
    }
    lengths = (16, 64, 256)
    reps = 3 if quick else 7
    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(reps):
        for T in lengths:
            x = gk.randn(1, T, D)
            for name, m in models.items():
                t0 = time.process_time()
                with gk.no_grad():
                    for _ in range(3):
                        m(x)
                samples.setdefault((name, T), []).append((time.process_time() - t0) / 3)
    ms = {name: [1e3 * float(np.median(samples[(name, T)])) for T in lengths] for name in models}
    growth = {name: ms[name][-1] / ms[name][0] for name in models}
    checks = [
        Check(
            "the encoder layer is attention and feed-forward, each with a residual and "
            "layer norm; positional encoding gives it the order",
            f"TransformerEncoderLayer against LN2(h + FF(h)), h = LN1(x + MHA(x)): max "
            f"difference {parts_err:.1e}; permuting the positions permutes the output "
            f"(difference {equivariant:.1e}) until a sinusoidal positional encoding is "
            f"added (difference {order_seen:.2f})",
            parts_err < 1e-5 and equivariant < 1e-5 and order_seen > 1e-2,
        ),
        Check(
            "an RNN needs one sequential step per position; attention a fixed number",
            f"longest chain of dependent ops for lengths {list(short_lengths)}: LSTM cell "
            f"loop {depth['lstm']}, transformer layer {depth['transformer']}",
            depth["lstm"][1] - depth["lstm"][0] == short_lengths[1] - short_lengths[0]
            and depth["transformer"][0] == depth["transformer"][1],
        ),
        Check(
            "the RNN's time per sequence grows with its length",
            f"CPU ms per sequence (width {D}, one sequence) for T = {list(lengths)}: LSTM "
            + ", ".join(f"{t:.1f}" for t in ms["lstm"])
            + f" (×{growth['lstm']:.1f}); transformer layer "
            + ", ".join(f"{t:.1f}" for t in ms["transformer"])
            + f" (×{growth['transformer']:.1f}: on one core nothing runs in parallel, so "
            "attention's growing work shows as time too)",
            growth["lstm"] > 3,
        ),
    ]
    numbers = {
        "parts_error": parts_err,
        "permutation_error_no_positions": equivariant,
        "permutation_error_with_positions": order_seen,
        "depth_lengths": list(short_lengths),
        "depth_lstm": depth["lstm"],
        "depth_transformer": depth["transformer"],
        "time_lengths": list(lengths),
        "ms_lstm": ms["lstm"],
        "ms_transformer": ms["transformer"],
        "growth_lstm": growth["lstm"],
        "growth_transformer": growth["transformer"],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        for name in models:
            ax.loglog(lengths, ms[name], marker="o", label=name)
        ax.set_xlabel("sequence length T")
        ax.set_ylabel("CPU ms per sequence")
        ax.legend(fontsize=7)
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(short_lengths, depth["lstm"], marker="o", label="LSTM cell loop")
        ax.plot(short_lengths, depth["transformer"], marker="o", label="transformer layer")
        ax.set_xlabel("sequence length T")
        ax.set_ylabel("sequential ops")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)
