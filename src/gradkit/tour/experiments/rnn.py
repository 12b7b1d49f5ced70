"""Evidence tour, group RNN (part 1): the recurrent cell, sequence shapes,
backpropagation through time and the LSTM's memory.

The long-lag task shared by RNN-BPTT and RNN-LSTM: a sequence of T steps holds one
symbol (one of 4, one-hot) at a random position and Gaussian noise on a fifth channel
everywhere; the network must name the symbol at the last step. The lag is the distance
from the symbol to the end.
"""

from __future__ import annotations

import functools

import numpy as np

import gradkit as gk
import gradkit.nn as nn
import gradkit.nn.functional as F
from gradkit.data.datasets import load_mnist1d
from gradkit.nn.rnn import detach_state
from gradkit.tour.experiments._tourdata import mnist_subset
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_rnn.py"
SYMBOLS = 4


# ---------------------------------------------------------------------- RNN-CELL
def _echo_batch(rng, batch: int, T: int, delay: int):
    """Random ±1 streams (B, T, 1) and the target x_{t−delay} as a class (0/1), −1 where
    t < delay (ignored)."""
    x = rng.choice([-1.0, 1.0], size=(batch, T, 1)).astype(np.float32)
    y = np.full((batch, T), -1, dtype=np.int64)
    y[:, delay:] = (x[:, :-delay, 0] > 0).astype(np.int64)
    return x, y


class _PerStep(nn.Module):
    """Per-step classifier: a recurrent layer (or none: a feedforward net that sees x_t
    only) and a linear head at every step."""

    def __init__(self, recurrent: bool, hidden: int = 16) -> None:
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True) if recurrent else None
        self.ff = None if recurrent else nn.Sequential(nn.Linear(1, hidden), nn.Tanh())
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        h = self.rnn(x)[0] if self.rnn is not None else self.ff(x)
        return self.head(h)


def _train_per_step(net, make_batch, steps: int, lr: float = 1e-2, seed: int = 0) -> float:
    """Adam on per-step cross-entropy (targets −1 ignored); returns the held-out accuracy."""
    opt = gk.optim.Adam(net.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x, y = make_batch(rng)
        logits = net(gk.tensor(x))
        loss = F.cross_entropy(logits.reshape(-1, 2), gk.tensor(y.reshape(-1)), ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    x, y = make_batch(np.random.default_rng(seed + 1000))
    with gk.no_grad():
        pred = net(gk.tensor(x)).numpy().argmax(-1)
    keep = y >= 0
    return float((pred[keep] == y[keep]).mean())


@experiment(
    "RNN-CELL",
    group="RNN",
    title="The recurrent cell: a state that carries past inputs",
    claim=(
        "A recurrent network feeds its state back in, h_t = tanh(W x_t + U h_{t−1} + b), "
        "so its output can depend on past inputs; a feedforward net sees only the "
        "current one."
    ),
    formula="h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)",
    code=("gradkit.nn", "RNN"),
    test=TEST,
)
def rnn_cell(quick: bool) -> Finding:
    gk.manual_seed(0)
    rnn = nn.RNN(3, 5, batch_first=True)
    x = np.random.default_rng(0).standard_normal((2, 6, 3)).astype(np.float32)
    with gk.no_grad():
        out = rnn(gk.tensor(x))[0].numpy()
    W, U = rnn.weight_ih_l0.detach().numpy(), rnn.weight_hh_l0.detach().numpy()
    b = rnn.bias_ih_l0.detach().numpy() + rnn.bias_hh_l0.detach().numpy()
    h = np.zeros((2, 5), np.float32)
    manual = []
    for t in range(6):
        h = np.tanh(x[:, t] @ W.T + h @ U.T + b)
        manual.append(h)
    loop_err = float(np.abs(np.stack(manual, 1) - out).max())
    # the first input still moves the last state
    x2 = x.copy()
    x2[:, 0] += 1.0
    with gk.no_grad():
        moved = float(np.abs(rnn(gk.tensor(x2))[0].numpy()[:, -1] - out[:, -1]).max())
    delay, T, steps = 2, 20, (150 if quick else 400)

    def make_batch(rng):
        return _echo_batch(rng, 32, T, delay)

    acc = {}
    for name, recurrent in (("feedforward", False), ("recurrent", True)):
        gk.manual_seed(0)
        acc[name] = _train_per_step(_PerStep(recurrent), make_batch, steps)
    checks = [
        Check(
            "the layer is the recurrence h_t = tanh(W x_t + U h_{t−1} + b)",
            f"nn.RNN against a NumPy loop of the formula: max difference {loop_err:.1e}; "
            f"changing x_0 moves h_5 by {moved:.2f}",
            loop_err < 1e-5 and moved > 1e-3,
        ),
        Check(
            "the state carries past inputs; a feedforward net cannot use them",
            f"output the input from {delay} steps ago (random ±1 stream): feedforward "
            f"{acc['feedforward']:.1%} (chance 50%), recurrent {acc['recurrent']:.1%}",
            acc["recurrent"] > 0.95 and acc["feedforward"] < 0.6,
        ),
    ]
    numbers = {
        "loop_error": loop_err,
        "first_input_effect": moved,
        "accuracy_feedforward": acc["feedforward"],
        "accuracy_recurrent": acc["recurrent"],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.bar(list(acc), list(acc.values()))
        ax.axhline(0.5, color="k", ls="--", lw=1)
        ax.set_ylabel(f"accuracy recalling x(t−{delay})")

    return Finding(checks, numbers, draw)


# ---------------------------------------------------------------------- RNN-SHAPES
@experiment(
    "RNN-SHAPES",
    group="RNN",
    title="One-to-many, many-to-one, many-to-many",
    claim=(
        "The same recurrent layer maps one input to a sequence, a sequence to one "
        "output, or a sequence to a sequence, depending on what it reads and returns."
    ),
    formula=(
        "many-to-one: y = f(h_T);  many-to-many: y_t = f(h_t);  "
        "one-to-many: h_t = cell(v, h_{t−1}), y_t = f(h_t)"
    ),
    code=("gradkit.keras.layers", "GRU"),
    test=TEST,
)
def rnn_shapes(quick: bool) -> Finding:
    from gradkit import keras

    x_all, _, templates = load_mnist1d("train", templates=True)
    xt, _ = load_mnist1d("test")
    n = 1000 if quick else 4000
    epochs = 4 if quick else 15
    x = x_all[:n, :, None]
    xt = xt[:, :, None]
    scale = float(x.std())
    x, xt = x / scale, xt / scale
    shapes, scores = {}, {}

    # many-to-one: an MNIST digit read row by row (28 steps of 28 pixels) → its class
    (Xr, yr), (Xr_t, yr_t) = mnist_subset(2000 if quick else 10000, 1000, seed=2)
    Xr, Xr_t = Xr[:, 0], Xr_t[:, 0]
    gk.manual_seed(0)
    many_to_one = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.GRU(32), keras.layers.Dense(10)]
    )
    many_to_one.compile(
        optimizer=keras.optimizers.Adam(5e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    many_to_one.fit(Xr, yr, epochs=3 if quick else 5, batch_size=32, verbose=0)
    shapes["many-to-one"] = (
        Xr.shape[1:],
        tuple(many_to_one.predict(Xr_t[:2], verbose=0).shape[1:]),
    )
    scores["many-to-one"] = float(many_to_one.evaluate(Xr_t, yr_t, verbose=0)[1])

    # many-to-many: predict the next sample of the signal at every step
    gk.manual_seed(0)
    many_to_many = keras.Sequential(
        [keras.Input((39, 1)), keras.layers.GRU(16, return_sequences=True), keras.layers.Dense(1)]
    )
    many_to_many.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    many_to_many.fit(x[:, :-1], x[:, 1:], epochs=epochs, batch_size=32, verbose=0)
    pred = many_to_many.predict(xt[:, :-1], verbose=0)
    shapes["many-to-many"] = (xt[:, :-1].shape[1:], tuple(pred.shape[1:]))
    mse = float(np.mean((pred - xt[:, 1:]) ** 2))
    persistence = float(np.mean((xt[:, :-1] - xt[:, 1:]) ** 2))
    scores["many-to-many"] = mse / persistence

    # one-to-many: a class one-hot → its 12-point MNIST-1D template
    templates = templates[:, :, None]
    onehot = np.eye(10, dtype=np.float32)
    gk.manual_seed(0)
    one_to_many = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.RepeatVector(templates.shape[1]),
            keras.layers.GRU(32, return_sequences=True),
            keras.layers.Dense(1),
        ]
    )
    one_to_many.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    one_to_many.fit(onehot, templates, epochs=150 if quick else 400, batch_size=10, verbose=0)
    gen = one_to_many.predict(onehot, verbose=0)
    shapes["one-to-many"] = ((10,), tuple(gen.shape[1:]))
    scores["one-to-many"] = float(np.mean((gen - templates) ** 2) / templates.var())

    checks = [
        Check(
            "many-to-one: a sequence in, one output (return_sequences=False)",
            f"GRU reading MNIST digits row by row {shapes['many-to-one'][0]} → logits "
            f"{shapes['many-to-one'][1]}; test accuracy {scores['many-to-one']:.1%} "
            "(chance 10%)",
            shapes["many-to-one"][1] == (10,) and scores["many-to-one"] > 0.6,
        ),
        Check(
            "many-to-many: one output per step (return_sequences=True)",
            f"next-sample prediction {shapes['many-to-many'][0]} → "
            f"{shapes['many-to-many'][1]}; test MSE {scores['many-to-many']:.2f}× that of "
            "repeating the last sample",
            shapes["many-to-many"][1] == (39, 1) and scores["many-to-many"] < 0.8,
        ),
        Check(
            "one-to-many: one input, a generated sequence",
            f"class one-hot {shapes['one-to-many'][0]} → template "
            f"{shapes['one-to-many'][1]} (RepeatVector + GRU); MSE "
            f"{scores['one-to-many']:.3f} of the templates' variance",
            shapes["one-to-many"][1] == (12, 1) and scores["one-to-many"] < 0.1,
        ),
    ]
    numbers = {
        "shapes": {k: [list(a), list(b)] for k, (a, b) in shapes.items()},
        "many_to_one_accuracy": scores["many-to-one"],
        "many_to_many_mse_ratio": scores["many-to-many"],
        "one_to_many_mse_ratio": scores["one-to-many"],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(xt[0, 1:, 0], label="signal")
        ax.plot(pred[0, :, 0], label="many-to-many prediction")
        ax.legend(fontsize=7)
        ax = fig.add_subplot(1, 2, 2)
        for k in range(3):
            ax.plot(templates[k, :, 0], color=f"C{k}")
            ax.plot(gen[k, :, 0], "--", color=f"C{k}")
        ax.set_title("one-to-many: templates (—) and generated (--)", fontsize=8)

    return Finding(checks, numbers, draw)


# ---------------------------------------------------------------------- long-lag task
def lag_batch(rng, batch: int, T: int, lag=None, noise: float = 0.5):
    """The long-lag recall task: (x (B, T, 5), symbol (B,)); ``lag`` fixed or random in
    [0, T)."""
    sym = rng.integers(0, SYMBOLS, batch)
    lag = rng.integers(0, T, batch) if lag is None else np.full(batch, lag)
    x = np.zeros((batch, T, SYMBOLS + 1), np.float32)
    x[np.arange(batch), T - 1 - lag, sym] = 1.0
    x[:, :, SYMBOLS] = noise * rng.standard_normal((batch, T))
    return x, sym


class LagNet(nn.Module):
    """Recurrent layer → linear head on the last step; ``truncate`` = k runs the
    sequence in chunks of k steps and cuts the graph between them (truncated BPTT)."""

    def __init__(self, cell: str, hidden: int = 32, truncate: int | None = None) -> None:
        super().__init__()
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = layer(SYMBOLS + 1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, SYMBOLS)
        self.truncate = truncate

    def forward(self, x):
        if not self.truncate:
            return self.head(self.rnn(x)[0][:, -1])
        state, T = None, x.shape[1]
        for start in range(0, T, self.truncate):
            out, state = self.rnn(x[:, start : start + self.truncate], state)
            if start + self.truncate < T:
                state = detach_state(state)
        return self.head(out[:, -1])


def lag_accuracy(net, T: int, lags) -> list[float]:
    accs = []
    for lag in lags:
        x, y = lag_batch(np.random.default_rng(7), 400, T, lag)
        with gk.no_grad():
            accs.append(float((net(gk.tensor(x)).numpy().argmax(1) == y).mean()))
    return accs


def symbol_grad_by_lag(net, T: int, lags) -> list[float]:
    """‖∂(correct logit)/∂x‖ at the symbol's own step, for sequences whose symbol sits at
    each lag: the gradient along the path the task needs."""
    out = []
    for lag in lags:
        x, y = lag_batch(np.random.default_rng(13), 64, T, lag)
        xt = gk.tensor(x, requires_grad=True)
        net(xt)[np.arange(len(y)), y].sum().backward()
        out.append(float(np.linalg.norm(xt.grad.numpy()[:, T - 1 - lag], axis=1).mean()))
    return out


def input_grad_by_lag(net, T: int) -> np.ndarray:
    """‖∂(correct logit)/∂x_{T−1−k}‖ averaged over a batch, for k = 0..T−1."""
    x, y = lag_batch(np.random.default_rng(11), 64, T)
    xt = gk.tensor(x, requires_grad=True)
    logits = net(xt)
    logits[np.arange(len(y)), y].sum().backward()
    g = np.linalg.norm(xt.grad.numpy(), axis=2).mean(axis=0)
    return g[::-1].copy()


@functools.lru_cache(maxsize=6)
def trained_lag_net(cell: str, quick: bool, truncate: int | None = None):
    """A LagNet trained on the long-lag task (T = 40, Adam 1e-2, gradient clipping 1.0,
    batch 32; 200 steps quick, 600 full). Shared by RNN-BPTT and RNN-LSTM."""
    T, steps = 40, (200 if quick else 600)
    gk.manual_seed(0)
    net = LagNet(cell, truncate=truncate)
    opt = gk.optim.Adam(net.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    for _ in range(steps):
        x, y = lag_batch(rng, 32, T)
        loss = F.cross_entropy(net(gk.tensor(x)), gk.tensor(y))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
    return net, T


LAGS = (2, 8, 15, 25, 39)


class _EchoNet(nn.Module):
    """tanh RNN with a per-step head for the echo task; ``truncate`` = k cuts the graph
    every k steps (the forward state still flows on)."""

    def __init__(self, truncate: int | None = None, hidden: int = 32) -> None:
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)
        self.truncate = truncate

    def forward(self, x):
        if not self.truncate:
            return self.head(self.rnn(x)[0])
        outs, state = [], None
        for start in range(0, x.shape[1], self.truncate):
            out, state = self.rnn(x[:, start : start + self.truncate], state)
            state = detach_state(state)
            outs.append(out)
        return self.head(gk.cat(outs, 1))


@experiment(
    "RNN-BPTT",
    group="RNN",
    title="Backpropagation through time, full and truncated",
    claim=(
        "Backpropagation through time unrolls the recurrence and multiplies one Jacobian "
        "per step, so in a tanh RNN the gradient vanishes with the lag; truncated BPTT "
        "cuts the graph every k steps, cheaper but blind to dependencies longer than k."
    ),
    formula="∂h_T/∂h_{T−k} = Π_{t=T−k+1}^{T} diag(1 − h_t²) W_hh",
    code=("gradkit.nn.rnn", "detach_state"),
    test=TEST,
)
def rnn_bptt(quick: bool) -> Finding:
    T, k = 40, 10
    gk.manual_seed(0)
    g_rnn = input_grad_by_lag(LagNet("rnn"), T)
    decay = float(g_rnn[30] / g_rnn[0])
    gk.manual_seed(0)
    g_cut = input_grad_by_lag(LagNet("lstm", truncate=k), T)
    beyond, within = float(g_cut[k:].max()), float(g_cut[:k].min())
    # echo task: output the input from `delay` steps ago at every step
    delay, steps = 5, (200 if quick else 500)

    def make_batch(rng):
        return _echo_batch(rng, 32, 30, delay)

    acc = {}
    for name, cut in (("full", None), (f"k={delay - 1}", delay - 1), (f"k={2 * delay}", 2 * delay)):
        gk.manual_seed(0)
        acc[name] = _train_per_step(_EchoNet(cut), make_batch, steps)
    short_k, long_k = f"k={delay - 1}", f"k={2 * delay}"
    checks = [
        Check(
            "gradients vanish through time in a tanh RNN",
            f"‖∂logit/∂x_(T−k)‖ of a fresh tanh RNN: {g_rnn[0]:.1e} at lag 0, "
            f"{g_rnn[10]:.1e} at 10, {g_rnn[30]:.1e} at 30 (×{decay:.0e})",
            decay < 1e-3,
        ),
        Check(
            f"truncated BPTT (k = {k}) passes no gradient beyond k steps",
            f"largest input gradient beyond lag {k}: {beyond:.1e}; smallest within: {within:.1e}",
            beyond == 0.0 and within > 0,
        ),
        Check(
            "full BPTT learns a dependency longer than the truncation; truncated cannot",
            f"tanh RNN recalling the input from {delay} steps ago, {steps} steps of Adam: "
            f"full BPTT {acc['full']:.1%}, truncated {short_k} {acc[short_k]:.1%}, "
            f"truncated {long_k} {acc[long_k]:.1%} (chance 50%)",
            acc["full"] > 0.95 and acc[long_k] > 0.95 and acc[short_k] < 0.7,
        ),
    ]
    numbers = {
        "grad_by_lag_fresh_rnn": g_rnn.tolist(),
        "grad_decay_lag30": decay,
        "grad_beyond_truncation": beyond,
        "grad_within_truncation": within,
        "echo_delay": delay,
        "accuracy_full": acc["full"],
        "accuracy_truncated_short": acc[short_k],
        "accuracy_truncated_long": acc[long_k],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.semilogy(g_rnn, label="tanh RNN (fresh)")
        ax.semilogy(np.maximum(g_cut, 1e-12), label=f"LSTM, truncated k={k}")
        ax.set_xlabel("lag k")
        ax.set_ylabel("‖∂logit/∂x(T−k)‖")
        ax.legend(fontsize=7)
        ax = fig.add_subplot(1, 2, 2)
        ax.bar(list(acc), list(acc.values()))
        ax.axhline(0.5, color="k", ls="--", lw=1)
        ax.set_ylabel(f"accuracy, delay {delay}")

    return Finding(checks, numbers, draw)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@experiment(
    "RNN-LSTM",
    group="RNN",
    title="LSTM: gates and a cell state that keeps the gradient",
    claim=(
        "The LSTM forgets (f), updates (i, g) and outputs (o) through gates around a cell "
        "state c_t = f ⊙ c_{t−1} + i ⊙ g; with f near 1 the gradient passes through "
        "time, so it learns lags where a tanh RNN's gradient has vanished."
    ),
    formula=(
        "c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g);  h_t = σ(o) ⊙ tanh(c_t);  ∂c_t/∂c_{t−1} = diag(f_t)"
    ),
    code=("gradkit.nn", "LSTM"),
    test=TEST,
)
def rnn_lstm(quick: bool) -> Finding:
    # the three steps by hand, PyTorch's gate order (i, f, g, o)
    gk.manual_seed(0)
    lstm = nn.LSTM(3, 4, batch_first=True)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    with gk.no_grad():
        out = lstm(gk.tensor(x))[0].numpy()
    W, U = lstm.weight_ih_l0.detach().numpy(), lstm.weight_hh_l0.detach().numpy()
    b = lstm.bias_ih_l0.detach().numpy() + lstm.bias_hh_l0.detach().numpy()
    h = c = np.zeros((2, 4), np.float32)
    hs = []
    for t in range(5):
        i, f, g, o = np.split(x[:, t] @ W.T + h @ U.T + b, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)  # forget, then update
        h = _sigmoid(o) * np.tanh(c)  # output
        hs.append(h)
    gate_err = float(np.abs(np.stack(hs, 1) - out).max())

    # the forget gate sets how much gradient survives: fresh LSTMs with forget bias b_f
    T = 40
    gk.manual_seed(0)
    g_fresh = {"tanh RNN": input_grad_by_lag(LagNet("rnn"), T)}
    for bias in (0.0, 2.0, 4.0):
        gk.manual_seed(0)
        net = LagNet("lstm")
        H = net.rnn.hidden_size
        with gk.no_grad():
            net.rnn.bias_ih_l0[H : 2 * H] = bias
            net.rnn.bias_hh_l0[H : 2 * H] = 0.0
        g_fresh[f"LSTM b_f={bias:g}"] = input_grad_by_lag(net, T)
    keep = {name: float(g[30] / g[0]) for name, g in g_fresh.items()}

    rnn, _ = trained_lag_net("rnn", quick)
    lstm_net, _ = trained_lag_net("lstm", quick)
    acc_rnn, acc_lstm = lag_accuracy(rnn, T, LAGS), lag_accuracy(lstm_net, T, LAGS)
    sym_rnn = symbol_grad_by_lag(rnn, T, LAGS)
    sym_lstm = symbol_grad_by_lag(lstm_net, T, LAGS)
    # the trained LSTM's forget gates while it holds the symbol (noise-only steps)
    xs, _ = lag_batch(np.random.default_rng(3), 64, T, lag=T - 1)
    H = lstm_net.rnn.hidden_size
    Wt, Ut = lstm_net.rnn.weight_ih_l0.detach().numpy(), lstm_net.rnn.weight_hh_l0.detach().numpy()
    bt = lstm_net.rnn.bias_ih_l0.detach().numpy() + lstm_net.rnn.bias_hh_l0.detach().numpy()
    with gk.no_grad():
        hseq = lstm_net.rnn(gk.tensor(xs))[0].numpy()
    pre = xs[:, 1:] @ Wt.T + hseq[:, :-1] @ Ut.T + bt
    forget = np.sort(_sigmoid(pre[..., H : 2 * H]).mean(axis=(0, 1)))[::-1]
    checks = [
        Check(
            "the LSTM is the three steps: forget, update, output",
            f"nn.LSTM against the gate equations in NumPy (gate order i, f, g, o): max "
            f"difference {gate_err:.1e}",
            gate_err < 1e-5,
        ),
        Check(
            "the forget gate keeps the gradient where a tanh RNN's vanishes",
            "fresh networks, ‖∂logit/∂x‖ at lag 30 relative to lag 0: "
            + ", ".join(f"{n} {v:.0e}" for n, v in keep.items())
            + " (forget gate σ(b_f) ≈ 0.5, 0.88, 0.98)",
            keep["LSTM b_f=4"] > 1e-2
            and keep["LSTM b_f=4"] > 1e4 * keep["tanh RNN"]
            and keep["LSTM b_f=0"] < keep["LSTM b_f=2"] < keep["LSTM b_f=4"],
        ),  # fmt: skip
        Check(
            "a long-lag task: the LSTM learns it, the tanh RNN does not",
            f"same training (Adam, {'200' if quick else '600'} steps): accuracy by lag "
            f"{list(LAGS)}: tanh RNN "
            + ", ".join(f"{a:.0%}" for a in acc_rnn)
            + "; LSTM "
            + ", ".join(f"{a:.0%}" for a in acc_lstm)
            + f" (chance 25%); gradient from the symbol at lag {LAGS[-1]} relative to lag "
            f"{LAGS[0]}: tanh RNN {sym_rnn[-1] / sym_rnn[0]:.1e}, LSTM "
            f"{sym_lstm[-1] / sym_lstm[0]:.1e}",
            min(acc_lstm) > 0.9 and acc_rnn[-1] < 0.6,
        ),
    ]
    numbers = {
        "gate_error": gate_err,
        "grad_keep_lag30_fresh": keep,
        "lags": list(LAGS),
        "accuracy_rnn": acc_rnn,
        "accuracy_lstm": acc_lstm,
        "symbol_grad_rnn": sym_rnn,
        "symbol_grad_lstm": sym_lstm,
        "trained_forget_gate_top3": forget[:3].tolist(),
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        for name, g in g_fresh.items():
            ax.semilogy(g / g[0], label=name)
        ax.set_xlabel("lag k")
        ax.set_ylabel("gradient norm (relative to lag 0)")
        ax.legend(fontsize=7)
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(LAGS, acc_rnn, marker="o", label="tanh RNN")
        ax.plot(LAGS, acc_lstm, marker="o", label="LSTM")
        ax.set_xlabel("lag")
        ax.set_ylabel("accuracy")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)
