"""Evidence tour, group RNN (part 2): the GRU against the LSTM, bidirectional layers,
echo state networks, softsign against tanh, and token embeddings."""

from __future__ import annotations

import functools
import time

import numpy as np

import gradkit as gk
import gradkit.nn as nn
import gradkit.nn.functional as F
from gradkit.data import CharVocab, load_tiny_shakespeare
from gradkit.models import CharRNNLM, EchoStateNetwork, mackey_glass, nrmse
from gradkit.tour.experiments.rnn import _train_per_step
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_rnn.py"


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _step_times(modules: dict, x, reps: int) -> dict[str, float]:
    """CPU seconds per time step of forward + backward, median over ``reps`` rounds in
    which the modules alternate (so a load change hits both)."""
    times: dict[str, list[float]] = {k: [] for k in modules}
    for _ in range(reps):
        for name, m in modules.items():
            t0 = time.process_time()
            for _ in range(2):
                out, _ = m(x)
                out.sum().backward()
            times[name].append((time.process_time() - t0) / (2 * x.shape[0]))
    return {k: float(np.median(v)) for k, v in times.items()}


def _char_lm(cell: str, ids_train, ids_val, steps: int, V: int) -> tuple[float, float]:
    """Train a CharRNNLM (embedding 16, hidden 64) on windows of 32 characters; return
    (validation loss, validation next-character accuracy)."""
    gk.manual_seed(0)
    model = CharRNNLM(V, embedding_dim=16, hidden_size=64, cell=cell)
    opt = gk.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    for _ in range(steps):
        s = rng.integers(0, len(ids_train) - 33, 32)[:, None] + np.arange(33)
        chunk = ids_train[s]
        logits, _ = model(chunk[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, V), gk.tensor(chunk[:, 1:].reshape(-1)))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    s = np.random.default_rng(1).integers(0, len(ids_val) - 65, 64)[:, None] + np.arange(65)
    chunk = ids_val[s]
    with gk.no_grad():
        logits, _ = model(chunk[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, V), gk.tensor(chunk[:, 1:].reshape(-1)))
    acc = float((logits.numpy().argmax(-1) == chunk[:, 1:]).mean())
    return float(loss), acc


@functools.lru_cache(maxsize=1)
def _shakespeare():
    text = load_tiny_shakespeare()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    cut = int(0.9 * len(ids))
    return vocab, ids[:cut], ids[cut:]


@experiment(
    "RNN-GRU",
    group="RNN",
    title="GRU against LSTM",
    claim=(
        "The GRU merges the LSTM's gates into update and reset gates with no separate "
        "cell: 3 gate blocks instead of 4, so fewer parameters and less time per step, "
        "with comparable accuracy."
    ),
    formula="h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1},  n_t = tanh(W_n x_t + r_t ⊙ (U_n h_{t−1}))",
    code=("gradkit.nn", "GRU"),
    test=TEST,
)
def rnn_gru(quick: bool) -> Finding:
    I, H = 32, 64
    gk.manual_seed(0)
    p_gru, p_lstm = _count(nn.GRU(I, H)), _count(nn.LSTM(I, H))
    # per-step work: one (B, I + H) × (I + H, G·H) product, G = 3 or 4
    macs = {"gru": 3 * H * (I + H), "lstm": 4 * H * (I + H)}
    Hbig, T, B = 256, 20, 32
    gk.manual_seed(0)
    x = gk.randn(T, B, Hbig)
    big = _step_times(
        {"lstm": nn.LSTM(Hbig, Hbig), "gru": nn.GRU(Hbig, Hbig)}, x, reps=3 if quick else 7
    )
    small = _step_times(
        {"lstm": nn.LSTM(32, 32), "gru": nn.GRU(32, 32)}, gk.randn(T, B, 32), reps=3
    )
    ratio_big, ratio_small = big["gru"] / big["lstm"], small["gru"] / small["lstm"]
    vocab, train_ids, val_ids = _shakespeare()
    steps = 150 if quick else 800
    lm = {cell: _char_lm(cell, train_ids, val_ids, steps, len(vocab)) for cell in ("lstm", "gru")}
    checks = [
        Check(
            "fewer parameters: 3 gate blocks instead of 4",
            f"input {I}, hidden {H}: GRU {p_gru:,}, LSTM {p_lstm:,} parameters (ratio "
            f"{p_gru / p_lstm:.3f})",
            p_gru * 4 == p_lstm * 3,
        ),
        Check(
            "less time per step",
            f"multiply-adds per step and example: GRU {macs['gru']:,}, LSTM "
            f"{macs['lstm']:,} (0.75); measured CPU time per step (forward + backward, "
            f"hidden {Hbig}, batch {B}): GRU {big['gru'] * 1e6:.0f} µs, LSTM "
            f"{big['lstm'] * 1e6:.0f} µs (ratio {ratio_big:.2f}); at hidden 32, where the "
            f"per-step overhead dominates, the ratio is {ratio_small:.2f}",
            macs["gru"] < macs["lstm"] and ratio_big < 0.92,
        ),
        Check(
            "comparable accuracy",
            f"character model on Tiny Shakespeare, {steps} steps each: held-out next-"
            f"character accuracy LSTM {lm['lstm'][1]:.1%} (loss {lm['lstm'][0]:.2f}), GRU "
            f"{lm['gru'][1]:.1%} (loss {lm['gru'][0]:.2f})",
            abs(lm["gru"][1] - lm["lstm"][1]) < 0.05 and min(lm["gru"][1], lm["lstm"][1]) > 0.3,
        ),
    ]
    numbers = {
        "params_gru": p_gru,
        "params_lstm": p_lstm,
        "macs_per_step_gru": macs["gru"],
        "macs_per_step_lstm": macs["lstm"],
        "time_ratio_h256": ratio_big,
        "time_ratio_h32": ratio_small,
        "val_accuracy_lstm": lm["lstm"][1],
        "val_accuracy_gru": lm["gru"][1],
        "val_loss_lstm": lm["lstm"][0],
        "val_loss_gru": lm["gru"][0],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 3, 1)
        ax.bar(["LSTM", "GRU"], [p_lstm, p_gru])
        ax.set_title("parameters", fontsize=8)
        ax = fig.add_subplot(1, 3, 2)
        ax.bar(["LSTM", "GRU"], [big["lstm"] * 1e6, big["gru"] * 1e6])
        ax.set_title("µs per step (H=256)", fontsize=8)
        ax = fig.add_subplot(1, 3, 3)
        ax.bar(["LSTM", "GRU"], [lm["lstm"][1], lm["gru"][1]])
        ax.set_title("next-char accuracy", fontsize=8)

    return Finding(checks, numbers, draw)


class _Tagger(nn.Module):
    """GRU (uni- or bidirectional) with a per-step linear head."""

    def __init__(self, bidirectional: bool, hidden: int = 16) -> None:
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), 2)

    def forward(self, x):
        return self.head(self.rnn(x)[0])


def _future_batch(rng, batch: int, T: int, ahead: int):
    """Random ±1 streams (B, T, 1); target at t is x_{t+ahead} as a class, −1 past the end."""
    x = rng.choice([-1.0, 1.0], size=(batch, T, 1)).astype(np.float32)
    y = np.full((batch, T), -1, dtype=np.int64)
    y[:, :-ahead] = (x[:, ahead:, 0] > 0).astype(np.int64)
    return x, y


@experiment(
    "RNN-BI",
    group="RNN",
    title="Bidirectional RNN",
    claim=(
        "A bidirectional RNN runs two RNNs, one forwards and one backwards, and "
        "concatenates their outputs, so each step sees the past and the future."
    ),
    formula="y_t = [h→_t ; h←_t],  h→ reads x_1..x_t,  h← reads x_T..x_t",
    code=("gradkit.nn", "GRU"),
    test=TEST,
)
def rnn_bi(quick: bool) -> Finding:
    gk.manual_seed(0)
    bi = nn.GRU(3, 4, batch_first=True, bidirectional=True)
    fwd, bwd = nn.GRU(3, 4, batch_first=True), nn.GRU(3, 4, batch_first=True)
    with gk.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(fwd, name).copy_(getattr(bi, name))
            getattr(bwd, name).copy_(getattr(bi, name + "_reverse"))
    x = np.random.default_rng(0).standard_normal((2, 7, 3)).astype(np.float32)
    with gk.no_grad():
        both = bi(gk.tensor(x))[0].numpy()
        f = fwd(gk.tensor(x))[0].numpy()
        b = bwd(gk.tensor(x[:, ::-1].copy()))[0].numpy()[:, ::-1]
    two_rnn_err = float(np.abs(both - np.concatenate([f, b], axis=-1)).max())
    ahead, T, steps = 2, 20, (150 if quick else 400)

    def make_batch(rng):
        return _future_batch(rng, 32, T, ahead)

    acc = {}
    for name, bidir in (("unidirectional", False), ("bidirectional", True)):
        gk.manual_seed(0)
        acc[name] = _train_per_step(_Tagger(bidir), make_batch, steps)
    checks = [
        Check(
            "two RNNs, outputs concatenated",
            f"GRU(bidirectional=True) output {both.shape[1:]} equals [forward GRU; backward "
            f"GRU on the reversed sequence, re-reversed] with the same weights: max "
            f"difference {two_rnn_err:.1e}",
            two_rnn_err < 1e-5 and both.shape[-1] == 8,
        ),
        Check(
            "each step sees the future",
            f"tag each step with the input {ahead} steps ahead (random ±1): "
            f"unidirectional {acc['unidirectional']:.1%} (chance 50%), bidirectional "
            f"{acc['bidirectional']:.1%}",
            acc["bidirectional"] > 0.95 and acc["unidirectional"] < 0.6,
        ),
    ]
    numbers = {
        "two_rnn_error": two_rnn_err,
        "accuracy_unidirectional": acc["unidirectional"],
        "accuracy_bidirectional": acc["bidirectional"],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.bar(list(acc), list(acc.values()))
        ax.axhline(0.5, color="k", ls="--", lw=1)
        ax.set_ylabel(f"accuracy predicting x(t+{ahead})")

    return Finding(checks, numbers, draw)


@experiment(
    "RNN-ESN",
    group="RNN",
    title="Echo state network",
    claim=(
        "An echo state network keeps a fixed random reservoir and trains only a linear "
        "readout (one ridge regression), and still predicts a chaotic time series."
    ),
    formula="x_t = tanh(W_in [1; u_t] + W x_{t−1});  W_out = Y Xᵀ (X Xᵀ + αI)⁻¹",
    code=("gradkit.models", "EchoStateNetwork"),
    test=TEST,
)
def rnn_esn(quick: bool) -> Finding:
    n = 2000 if quick else 6000
    series = mackey_glass(n + 1)
    train = int(0.7 * n)
    u, y = series[:-1], series[1:]
    esn = EchoStateNetwork(n_reservoir=200 if quick else 500, spectral_radius=0.9,
                           washout=100, random_state=0)  # fmt: skip
    esn.fit(u[:train], y[:train])
    W, W_in, W_out = esn.W_.copy(), esn.W_in_.copy(), esn.W_out_.copy()
    radius = float(np.abs(np.linalg.eigvals(W)).max())
    pred = esn.predict(u[train:])
    err = nrmse(y[train:], pred)
    persistence = nrmse(y[train:], u[train:])
    # same reservoir seed, another signal: the reservoir is identical, only W_out moves
    other = np.sin(np.arange(train) * 0.3)
    esn2 = EchoStateNetwork(n_reservoir=esn.n_reservoir, spectral_radius=0.9, washout=100,
                            random_state=0).fit(other[:-1], other[1:])  # fmt: skip
    fixed = bool(np.array_equal(esn2.W_, W) and np.array_equal(esn2.W_in_, W_in))
    readout_moved = float(np.abs(esn2.W_out_ - W_out).max())
    trained = W_out.size
    checks = [
        Check(
            "the reservoir is fixed and random; only the readout is trained",
            f"two fits on different signals with the same seed: reservoir and input weights "
            f"identical: {fixed}, readouts differ by up to {readout_moved:.2f}; "
            f"{trained} trained weights against {W.size + W_in.size:,} fixed; spectral "
            f"radius {radius:.3f}",
            fixed and readout_moved > 1e-3 and abs(radius - 0.9) < 1e-6,
        ),
        Check(
            "the readout predicts a chaotic series",
            f"Mackey–Glass (τ = 17), one step ahead on the last {n - train} held-out "
            f"points: NRMSE {err:.4f}, against {persistence:.4f} for repeating the last "
            "value",
            err < 0.05 and err < persistence / 3,
        ),
    ]
    numbers = {
        "spectral_radius": radius,
        "reservoir_fixed": fixed,
        "nrmse": err,
        "nrmse_persistence": persistence,
        "trained_weights": trained,
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        k = slice(0, 300)
        ax.plot(y[train:][k], label="Mackey–Glass")
        ax.plot(pred[k], "--", label="ESN one step ahead")
        ax.set_xlabel("held-out step")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)


def _derivative(fn, z: np.ndarray) -> np.ndarray:
    t = gk.tensor(z, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


@experiment(
    "RNN-SOFTSIGN",
    group="RNN",
    title="Softsign against tanh",
    claim=(
        "Softsign z/(1 + |z|) approaches ±1 polynomially where tanh does exponentially, "
        "so it saturates more slowly."
    ),
    formula="softsign′(z) = 1/(1 + |z|)²;  tanh′(z) = 1 − tanh²(z) ≈ 4e^(−2|z|)",
    code=("gradkit.nn", "RNN"),
    test=TEST,
)
def rnn_softsign(quick: bool) -> Finding:
    z = np.linspace(0, 20, 2001)
    d_tanh, d_soft = _derivative(gk.tanh, z), _derivative(F.softsign, z)
    thresh = {
        "tanh": float(z[np.argmax(d_tanh < 0.01)]),
        "softsign": float(z[np.argmax(d_soft < 0.01)]),
    }
    cross = float(z[1:][np.argmax(d_soft[1:] > d_tanh[1:])])
    # one recurrent layer, the same (scaled-up) weights, either nonlinearity
    T, B, H = 30, 64, 32
    gk.manual_seed(0)
    cells = {name: nn.RNN(8, H, nonlinearity=name, batch_first=True) for name in thresh}
    with gk.no_grad():
        for p in cells["tanh"].parameters():
            p.mul_(3.0)
        for (_, p), (_, q) in zip(cells["tanh"].named_parameters(),
                                  cells["softsign"].named_parameters()):  # fmt: skip
            q.copy_(p)
    x = np.random.default_rng(0).standard_normal((B, T, 8)).astype(np.float32)
    saturated, keep = {}, {}
    for name, cell in cells.items():
        xt = gk.tensor(x, requires_grad=True)
        h = cell(xt)[0]
        hv = h.detach().numpy()
        deriv = 1 - hv**2 if name == "tanh" else (1 - np.abs(hv)) ** 2
        saturated[name] = float((deriv < 0.1).mean())
        h[:, -1].sum().backward()
        g = np.linalg.norm(xt.grad.numpy(), axis=2).mean(axis=0)[::-1]
        keep[name] = float(g[15] / g[0])
    checks = [
        Check(
            "softsign saturates more slowly than tanh",
            f"the derivative falls below 0.01 at |z| = {thresh['tanh']:.2f} for tanh and "
            f"{thresh['softsign']:.2f} for softsign; at z = 5: tanh′ {d_tanh[500]:.1e}, "
            f"softsign′ {d_soft[500]:.1e}",
            thresh["softsign"] > 2.5 * thresh["tanh"] and d_soft[500] > 100 * d_tanh[500],
        ),
        Check(
            "in a recurrent layer softsign saturates fewer units",
            f"RNN with the same large weights: units with derivative < 0.1: tanh "
            f"{saturated['tanh']:.0%}, softsign {saturated['softsign']:.0%}. (Slower "
            f"saturation is not more gradient: softsign′ < tanh′ for |z| < {cross:.2f}, and "
            f"the gradient at lag 15 relative to lag 0 is tanh {keep['tanh']:.1e}, softsign "
            f"{keep['softsign']:.1e}.)",
            saturated["softsign"] < saturated["tanh"] / 2,
        ),
    ]
    numbers = {
        "threshold_tanh": thresh["tanh"],
        "threshold_softsign": thresh["softsign"],
        "saturated_tanh": saturated["tanh"],
        "saturated_softsign": saturated["softsign"],
        "grad_keep_lag15_tanh": keep["tanh"],
        "grad_keep_lag15_softsign": keep["softsign"],
        "derivative_crossover": cross,
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.semilogy(z, d_tanh, label="tanh′")
        ax.semilogy(z, d_soft, label="softsign′")
        ax.set_xlabel("z")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)


def _neighbour_purity(E: np.ndarray, n_first: int) -> tuple[float, float]:
    """Fraction of the first ``n_first`` rows whose nearest other row (cosine) is also
    among them, and the same for the remaining rows."""
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    C = U @ U.T
    np.fill_diagonal(C, -np.inf)
    nearest = C.argmax(axis=1)
    return float((nearest[:n_first] < n_first).mean()), float((nearest[n_first:] >= n_first).mean())


@experiment(
    "RNN-EMBED",
    group="RNN",
    title="Token embeddings",
    claim=(
        "An embedding layer maps each token id to a learned dense vector: a row lookup "
        "equal to one-hot × W, trained with the rest of the net, so tokens used alike "
        "end up close."
    ),
    formula="embed(i) = W[i] = onehot(i) W,  W (V, d)",
    code=("gradkit.nn", "Embedding"),
    test=TEST,
)
def rnn_embed(quick: bool) -> Finding:
    vocab, train_ids, _ = _shakespeare()
    V, d = len(vocab), 8
    gk.manual_seed(0)
    emb = nn.Embedding(V, d)
    ids = np.array([[3, 7, 7, 1]])
    W0 = emb.weight.detach().numpy().copy()
    out = emb(gk.tensor(ids))
    lookup_err = float(
        np.abs(out.detach().numpy()[0] - np.eye(V, dtype=np.float32)[ids[0]] @ W0).max()
    )
    out.sum().backward()
    grad_rows = set(np.flatnonzero(np.abs(emb.weight.grad.numpy()).sum(axis=1)).tolist())
    # a bigram model: embedding → linear head predicting the next character
    gk.manual_seed(0)
    model = nn.Sequential(nn.Embedding(V, d), nn.Linear(d, V))
    before = model[0].weight.detach().numpy().copy()
    opt = gk.optim.Adam(model.parameters(), lr=2e-2)
    rng = np.random.default_rng(0)
    steps = 300 if quick else 1500
    for _ in range(steps):
        s = rng.integers(0, len(train_ids) - 1, 512)
        loss = F.cross_entropy(model(gk.tensor(train_ids[s])), gk.tensor(train_ids[s + 1]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = model[0].weight.detach().numpy()
    letters = vocab.encode("aeiou" + "bcdfghklmnprstw")
    purity = {"before": _neighbour_purity(before[letters], 5),
              "after": _neighbour_purity(after[letters], 5)}  # fmt: skip
    checks = [
        Check(
            "a lookup: embed(i) = one-hot(i) · W, gradient only on the rows used",
            f"max |Embedding(ids) − onehot(ids) W| = {lookup_err:.1e}; rows with a gradient "
            f"after backward: {sorted(grad_rows)} for ids {ids[0].tolist()}",
            lookup_err < 1e-6 and grad_rows == {1, 3, 7},
        ),
        Check(
            "trained embeddings put tokens used alike close together",
            f"character bigram model on Tiny Shakespeare ({steps} steps, d = {d}): the "
            f"nearest neighbour (cosine) of a vowel is a vowel for {purity['after'][0]:.0%} "
            f"of aeiou and a consonant's is a consonant for {purity['after'][1]:.0%} of 15 "
            f"common consonants (at initialisation {purity['before'][0]:.0%} and "
            f"{purity['before'][1]:.0%}; by chance about 21% and 74%)",
            purity["after"][0] >= 0.8
            and purity["after"][1] >= 0.8
            and purity["after"][0] > purity["before"][0] + 0.3,
        ),
    ]
    numbers = {
        "lookup_error": lookup_err,
        "grad_rows": sorted(grad_rows),
        "vowel_purity_after": purity["after"][0],
        "consonant_purity_after": purity["after"][1],
        "vowel_purity_before": purity["before"][0],
        "consonant_purity_before": purity["before"][1],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        letters = vocab.encode("aeioubcdfghklmnprstw")
        E = after[letters] - after[letters].mean(axis=0)
        _, _, vt = np.linalg.svd(E, full_matrices=False)
        P = E @ vt[:2].T
        ax.scatter(P[:5, 0], P[:5, 1], label="vowels")
        ax.scatter(P[5:, 0], P[5:, 1], label="consonants")
        for (px, py), ch in zip(P, "aeioubcdfghklmnprstw"):
            ax.annotate(ch, (px, py), fontsize=8)
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)
