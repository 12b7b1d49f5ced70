"""How gradients flow through a deep net, and how they fail: vanishing (NN-VANISH),
exploding (NN-EXPLODE), dying ReLUs (NN-DYING-RELU) and initialisation (NN-INIT)."""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.nn.utils.inspect import dead_unit_fraction, grad_norms
from gradkit.tour.experiments._nn_common import (
    accuracy,
    finite_max,
    image_subset,
    linears,
    mlp,
    pct,
    train,
)
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_nn_gradients.py"


def _layer_grad_norms(net: nn.Module, X: np.ndarray, y: np.ndarray) -> list[float]:
    """‖∂L/∂W‖ of each Linear layer (input side first) on one batch."""
    net.zero_grad()
    nn.functional.cross_entropy(net(gk.tensor(X)), gk.tensor(y)).backward()
    norms = grad_norms(net)
    return [norms[f"{name}.weight"] for name, m in net.named_modules() if isinstance(m, nn.Linear)]


# ---------------------------------------------------------------------------- NN-VANISH
@experiment(
    "NN-VANISH",
    group="NN",
    title="Vanishing gradients",
    claim="In a deep sigmoid net the gradient shrinks layer by layer toward the input, "
    "so the first layers stop learning; ReLU (He init) and batch normalisation keep it; "
    "through time a tanh RNN's gradient vanishes while an LSTM's open forget gate keeps it.",
    formula="∂L/∂h₁ = (∏ₗ Wₗᵀ diag σ′(zₗ)) ∂L/∂h_L, σ′ ≤ ¼",
    code=("gradkit.nn.utils.inspect", "grad_norms"),
    test=TEST,
)
def nn_vanish(quick: bool) -> Finding:
    X, y, _, _ = image_subset(256 if quick else 1024, 1, seed=0)
    depth = 10
    nets = {
        "sigmoid": dict(act=nn.Sigmoid, init="xavier"),
        "ReLU": dict(act=nn.ReLU, init="he"),
        "sigmoid + BN": dict(act=nn.Sigmoid, init="xavier", batchnorm=True),
    }
    norms, ratio = {}, {}
    for name, kw in nets.items():
        gk.manual_seed(0)
        net = mlp(784, [64] * depth, **kw)
        norms[name] = _layer_grad_norms(net, X, y)
        ratio[name] = norms[name][0] / norms[name][depth - 1]  # first vs last hidden layer
    # Does the first layer learn? One epoch of SGD, first-layer weight change.
    Xtr, ytr, _, _ = image_subset(1000 if quick else 4000, 1, seed=1)
    moved = {}
    for name in ("sigmoid", "ReLU"):
        gk.manual_seed(0)
        net = mlp(784, [64] * depth, **nets[name])
        w0 = linears(net)[0].weight.detach().numpy().copy()
        train(net, Xtr, ytr, epochs=1, optimizer=gk.optim.SGD(net.parameters(), lr=0.1))
        w1 = linears(net)[0].weight.detach().numpy()
        moved[name] = float(np.linalg.norm(w1 - w0) / np.linalg.norm(w0))

    # Through time: ‖∂(Σ h_T)/∂x_{T−k}‖ against the lag k.
    T, lags = 60, [0, 10, 20, 40]
    through_time = {}
    for name in ("tanh RNN", "LSTM (PyTorch init)", "LSTM (forget bias 1)"):
        gk.manual_seed(0)
        cell = (
            nn.RNN(8, 32, batch_first=True)
            if name == "tanh RNN"
            else nn.LSTM(8, 32, batch_first=True)
        )
        if name.endswith("bias 1)"):  # gate order i, f, g, o: open the forget gate
            with gk.no_grad():
                cell.bias_ih_l0[32:64] = 1.0
                cell.bias_hh_l0[32:64] = 0.0
        x = gk.randn(16, T, 8, requires_grad=True)
        out, _ = cell(x)
        out[:, -1].sum().backward()
        g = np.linalg.norm(x.grad.numpy(), axis=(0, 2))
        through_time[name] = [float(g[T - 1 - k] / g[T - 1]) for k in lags]

    s, r, b = ratio["sigmoid"], ratio["ReLU"], ratio["sigmoid + BN"]
    rnn40, lstm40 = through_time["tanh RNN"][-1], through_time["LSTM (forget bias 1)"][-1]
    checks = [
        Check(
            "a deep sigmoid net's gradient vanishes toward the input",
            f"10-layer sigmoid (Xavier): ‖∇W₁‖/‖∇W₁₀‖ = {s:.1e}",
            s < 1e-3,
        ),
        Check(
            "ReLU with He init keeps the gradient through depth",
            f"ReLU ratio {r:.2f} vs sigmoid {s:.1e}",
            0.1 < r < 10 and r > 1e3 * s,
        ),
        Check(
            "batch normalisation keeps the sigmoid net's gradient",
            f"sigmoid + BN ratio {b:.2f} vs {s:.1e} without",
            0.1 < b < 10 and b > 1e3 * s,
        ),
        Check(
            "the first layers of the sigmoid net stop learning",
            f"first-layer weights moved {moved['sigmoid']:.1e} (relative) in one epoch, "
            f"ReLU net's {moved['ReLU']:.1e}",
            moved["ReLU"] > 100 * moved["sigmoid"],
        ),
        Check(
            "through time a tanh RNN's gradient vanishes; an LSTM with its forget gate "
            "open keeps it",
            f"gradient at lag 40 / lag 0: tanh RNN {rnn40:.1e}, LSTM (forget bias 1) "
            f"{lstm40:.1e}; at PyTorch's init (forget gate ≈ ½) the LSTM's is "
            f"{through_time['LSTM (PyTorch init)'][-1]:.1e}",
            rnn40 < 1e-6 and lstm40 > 1e3 * rnn40,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        for name, v in norms.items():
            ax.semilogy(range(1, len(v) + 1), v, marker="o", label=name)
        ax.set(xlabel="layer (1 = input side)", ylabel="‖∂L/∂W‖", title="10-layer net at init")
        ax.legend()
        ax2 = fig.add_subplot(1, 2, 2)
        for name, v in through_time.items():
            ax2.semilogy(lags, v, marker="o", label=name)
        ax2.set(xlabel="lag k", ylabel="‖∂h_T/∂x_{T−k}‖ (relative)", title="through time")
        ax2.legend()

    return Finding(
        checks,
        numbers={
            "grad_norms": norms,
            "ratio_first_last": ratio,
            "first_layer_moved": moved,
            "through_time_lags": lags,
            "through_time": through_time,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-EXPLODE
@experiment(
    "NN-EXPLODE",
    group="NN",
    title="Exploding gradients and clipping",
    claim="At a learning rate that is too high the gradients explode and training "
    "diverges; clipping the gradient norm bounds each step and the same run converges.",
    formula="g ← g · min(1, c / ‖g‖₂)",
    code=("gradkit.nn.utils.clip_grad", "clip_grad_norm_"),
    test=TEST,
)
def nn_explode(quick: bool) -> Finding:
    X, y, Xt, yt = image_subset(2000 if quick else 8000, 1000 if quick else 5000, seed=0)
    epochs, lr, max_norm = (3 if quick else 5), 2.0, 0.25
    runs = {}
    for label, clip in (("no clipping", None), (f"clip_grad_norm_({max_norm})", max_norm)):
        gk.manual_seed(0)
        net = mlp(784, [64, 64, 64], init="he")
        log = train(
            net, X, y, epochs=epochs, clip=clip, optimizer=gk.optim.SGD(net.parameters(), lr=lr)
        )
        runs[label] = dict(log, acc=accuracy(net, Xt, yt))
    plain, clipped = runs["no clipping"], runs[f"clip_grad_norm_({max_norm})"]
    peak = finite_max(plain["grad_norm"])
    checks = [
        Check(
            "without clipping the gradients explode and training diverges",
            f"SGD lr={lr}: largest gradient norm {peak:.1e}, loss "
            f"{finite_max(plain['loss']):.3g}, test accuracy {pct(plain['acc'])}",
            peak > 1e6 and plain["acc"] < 0.2,
        ),
        Check(
            "clipping the gradient norm rescues the same run",
            f"with clip_grad_norm_(max_norm={max_norm}): final loss "
            f"{clipped['loss'][-1]:.3f}, test accuracy {pct(clipped['acc'])}",
            np.isfinite(clipped["loss"]).all() and clipped["acc"] > 0.75,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        for label, run in runs.items():
            ax.semilogy(range(1, epochs + 1), run["grad_norm"], marker="o", label=label)
        ax.set(
            xlabel="epoch",
            ylabel="largest gradient norm (before clipping)",
            title=f"SGD lr={lr}, 3 hidden ReLU layers",
        )
        ax.legend()

    return Finding(
        checks,
        numbers={
            "lr": lr,
            "loss_plain": plain["loss"],
            "loss_clipped": clipped["loss"],
            "grad_norm_plain": plain["grad_norm"],
            "grad_norm_clipped": clipped["grad_norm"],
            "acc_plain": plain["acc"],
            "acc_clipped": clipped["acc"],
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-DYING-RELU
def _dead_and_frozen(net: nn.Module, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(fraction of first-layer units negative on every sample, fraction whose incoming
    weights get exactly zero gradient over the whole set — the truly dead ones)."""
    first = linears(net)[0]
    net.eval()
    with gk.no_grad():
        negative = dead_unit_fraction(first(gk.tensor(X)))
    net.zero_grad()
    nn.functional.cross_entropy(net(gk.tensor(X)), gk.tensor(y)).backward()
    rows = np.abs(first.weight.grad.numpy()).sum(axis=1)
    return negative, float((rows == 0).mean())


@experiment(
    "NN-DYING-RELU",
    group="NN",
    title="Dying ReLU",
    claim="A high learning rate or a large negative bias pushes ReLU units to output 0 "
    "on every input; they get no gradient and never recover. Leaky ReLU's slope keeps "
    "the gradient, so its units recover.",
    formula="relu′(z) = 0 for z < 0; leaky′(z) = ε for z < 0",
    code=("gradkit.nn.utils.inspect", "dead_unit_fraction"),
    test=TEST,
)
def nn_dying_relu(quick: bool) -> Finding:
    X, y, Xt, yt = image_subset(2000 if quick else 8000, 1000 if quick else 5000, seed=0)
    epochs = 3 if quick else 5
    acts = {"ReLU": nn.ReLU, "leaky ReLU": lambda: nn.LeakyReLU(0.01)}
    runs = {}
    for act, bias, lr in (
        ("ReLU", 0.0, 0.01),
        ("ReLU", 0.0, 0.1),
        ("leaky ReLU", 0.0, 0.1),
        ("ReLU", -3.0, 0.01),
        ("leaky ReLU", -3.0, 0.01),
    ):
        gk.manual_seed(0)
        net = mlp(784, [128, 128], act=acts[act], init="he")
        for layer in linears(net)[:-1]:
            nn.init.constant_(layer.bias, bias)
        w0 = linears(net)[0].weight.detach().numpy().copy()
        negative0, _ = _dead_and_frozen(net, X, y)
        train(net, X, y, epochs=epochs, optimizer=gk.optim.Adam(net.parameters(), lr=lr))
        negative, dead = _dead_and_frozen(net, X, y)
        unchanged = bool((linears(net)[0].weight.detach().numpy() == w0).all(axis=1).mean() > 0.99)
        runs[(act, bias, lr)] = dict(
            negative_at_init=negative0,
            negative=negative,
            dead=dead,
            acc=accuracy(net, Xt, yt),
            weights_unchanged=unchanged,
        )
    lo, hi = runs[("ReLU", 0.0, 0.01)], runs[("ReLU", 0.0, 0.1)]
    leaky_hi = runs[("leaky ReLU", 0.0, 0.1)]
    rb, lb = runs[("ReLU", -3.0, 0.01)], runs[("leaky ReLU", -3.0, 0.01)]
    checks = [
        Check(
            "a high learning rate kills ReLU units",
            f"dead first-layer units after Adam lr=0.01: {pct(lo['dead'])}, lr=0.1: "
            f"{pct(hi['dead'])} (test accuracy {pct(lo['acc'])} → {pct(hi['acc'])})",
            hi["dead"] > 0.5 and hi["dead"] > 3 * lo["dead"],
        ),
        Check(
            "leaky ReLU has no dead units at the same learning rate",
            f"lr=0.1: leaky ReLU {pct(leaky_hi['dead'])} dead "
            f"({pct(leaky_hi['negative'])} negative on every input but still getting "
            f"gradient), test accuracy {pct(leaky_hi['acc'])} vs ReLU {pct(hi['acc'])}",
            leaky_hi["dead"] == 0.0 and leaky_hi["acc"] > hi["acc"] + 0.1,
        ),
        Check(
            "with a large negative bias ReLU units are dead from the start and never recover",
            f"bias −3: {pct(rb['negative_at_init'])} negative at init, {pct(rb['dead'])} dead "
            f"after training, first-layer weights unchanged: {rb['weights_unchanged']}, "
            f"test accuracy {pct(rb['acc'])}",
            rb["dead"] > 0.99 and rb["weights_unchanged"] and rb["acc"] < 0.3,
        ),
        Check(
            "leaky ReLU units recover from the same bias",
            f"bias −3: leaky units negative on every input {pct(lb['negative_at_init'])} → "
            f"{pct(lb['negative'])}, test accuracy {pct(lb['acc'])}",
            lb["negative"] < 0.6 and lb["acc"] > rb["acc"] + 0.4,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        labels = [f"{a}\nbias {b:g}, lr {lr:g}" for a, b, lr in runs]
        dead = [r["dead"] for r in runs.values()]
        acc = [r["acc"] for r in runs.values()]
        pos = np.arange(len(labels))
        ax.bar(pos - 0.2, dead, 0.4, label="dead units (no gradient)")
        ax.bar(pos + 0.2, acc, 0.4, label="test accuracy")
        ax.set_xticks(pos, labels, fontsize=7)
        ax.set(ylim=(0, 1), title="first hidden layer after training")
        ax.legend()

    return Finding(
        checks,
        numbers={f"{a}|bias={b:g}|lr={lr:g}": r for (a, b, lr), r in runs.items()},
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-INIT
@experiment(
    "NN-INIT",
    group="NN",
    title="Weight initialisation",
    claim="Zero (or constant) weights keep every hidden unit identical, so the net is no "
    "better than a linear model; too-small random weights vanish the gradient and "
    "too-large ones explode it; Xavier/He scales train.",
    formula="Xavier: Var W = 2/(fan_in + fan_out); He: Var W = 2/fan_in",
    code=("gradkit.nn.init", "kaiming_normal_"),
    test=TEST,
)
def nn_init(quick: bool) -> Finding:
    from gradkit.ml.linear_model import LogisticRegression

    X, y, Xt, yt = image_subset(2000 if quick else 8000, 1000 if quick else 5000, seed=0)
    epochs = 3 if quick else 6

    def sgd(net):
        return gk.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

    # Symmetry: one hidden layer of 32 sigmoid units from all-zero and constant weights.
    symmetric = {}
    for label, value in (("zeros", 0.0), ("constant 0.05", 0.05)):
        gk.manual_seed(0)
        net = mlp(784, [32], act=nn.Sigmoid)
        for layer in linears(net):
            nn.init.constant_(layer.weight, value)
            nn.init.zeros_(layer.bias)
        train(net, X, y, epochs=epochs, optimizer=sgd(net))
        W = linears(net)[0].weight.detach().numpy()
        symmetric[label] = dict(
            distinct_units=int(len(np.unique(W, axis=0))),
            spread=float(np.abs(W - W[0]).max()),
            moved=float(np.abs(W - value).max()),
            acc=accuracy(net, Xt, yt),
        )
    linear_acc = float((LogisticRegression(max_iter=200).fit(X, y).predict(Xt) == yt).mean())
    # Accuracy by scheme, four hidden ReLU layers.
    by_scheme = {}
    for scheme in ("zeros", "small", "xavier", "he"):
        gk.manual_seed(0)
        net = mlp(784, [64] * 4, init=scheme)
        train(net, X, y, epochs=epochs, optimizer=sgd(net))
        by_scheme[scheme] = accuracy(net, Xt, yt)
    # Gradient norm of the first layer at init, 10 ReLU layers.
    xb, yb = X[:256], y[:256]
    first_grad = {}
    for scheme in ("small", "he", "large"):
        gk.manual_seed(0)
        net = mlp(784, [64] * 10, init=scheme)
        net.zero_grad()
        nn.functional.cross_entropy(net(gk.tensor(xb)), gk.tensor(yb)).backward()
        first_grad[scheme] = float(np.linalg.norm(linears(net)[0].weight.grad.numpy()))

    z, c = symmetric["zeros"], symmetric["constant 0.05"]
    checks = [
        Check(
            "zero-initialised hidden units stay identical after training",
            f"{z['distinct_units']} distinct unit(s) of 32 after {epochs} epochs (weights "
            f"moved up to {z['moved']:.2g}, spread between units {z['spread']:.1g})",
            z["distinct_units"] == 1 and z["moved"] > 0,
        ),
        Check(
            "constant init is as symmetric as zeros",
            f"constant 0.05: {c['distinct_units']} distinct unit(s) of 32",
            c["distinct_units"] == 1,
        ),
        Check(
            "a symmetric net is no better than a linear model",
            f"test accuracy zero-init net {pct(z['acc'])}, constant-init "
            f"{pct(c['acc'])}, logistic regression {pct(linear_acc)}",
            max(z["acc"], c["acc"]) <= linear_acc,
        ),
        Check(
            "too-small random weights vanish the gradient, too-large explode it",
            f"10 ReLU layers, ‖∂L/∂W₁‖ at init: N(0, 0.01²) {first_grad['small']:.1e}, "
            f"He {first_grad['he']:.1e}, N(0, 1) {first_grad['large']:.1e}",
            first_grad["small"] < 1e-6 * first_grad["he"]
            and first_grad["large"] > 1e6 * first_grad["he"],
        ),
        Check(
            "Xavier and He initialisation train; zeros and ×0.01 do not",
            "test accuracy, 4 ReLU layers: "
            + ", ".join(f"{k} {pct(v)}" for k, v in by_scheme.items()),
            min(by_scheme["xavier"], by_scheme["he"]) > 0.8
            and max(by_scheme["zeros"], by_scheme["small"]) < 0.3,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.bar(list(by_scheme), list(by_scheme.values()))
        ax.axhline(linear_acc, color="k", ls="--", label="logistic regression")
        ax.set(ylim=(0, 1), ylabel="test accuracy", title="4 ReLU layers by init")
        ax.legend()
        ax2 = fig.add_subplot(1, 2, 2)
        ax2.bar(list(first_grad), list(first_grad.values()))
        ax2.set(yscale="log", ylabel="‖∂L/∂W₁‖ at init", title="10 ReLU layers")

    return Finding(
        checks,
        numbers={
            "symmetric": symmetric,
            "linear_acc": linear_acc,
            "acc_by_scheme": by_scheme,
            "first_layer_grad_at_init": first_grad,
        },
        draw=draw,
    )
