"""Tour group O, gradient descent: batch, stochastic and mini-batch, momentum and
adaptive learning rates, on MNIST and an ill-conditioned quadratic."""

from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np

import gradkit as gk
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_o.py"


def _mnist(n: int):
    """The first ``n`` MNIST training digits as float32 rows of 784 pixels in [0, 1]."""
    X, y = gk.data.datasets.load_mnist("train", flatten=True)
    return X[:n], y[:n]


def _lines(fig, curves: dict, xlabel: str, ylabel: str, title: str, logy=False) -> None:
    ax = fig.add_subplot()
    for label, values in curves.items():
        ax.plot(range(len(values)), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)


@experiment(
    "O-GD",
    group="O",
    title="Batch gradient descent",
    claim="Full-batch gradient descent θ ← θ − α∇J(θ) lowers the cost at every step when "
    "α < 2/L (L the largest curvature) and diverges when α > 2/L.",
    formula="θ ← θ − α ∇J(θ);  J(θ) = mean (Xθ − Y)²  (least squares on one-hot digits)",
    code=("gradkit.optim.sgd", "SGD"),
    test=TEST,
    note="The seed text lost minus signs in several formulas; the update subtracts the "
    "gradient: written θ + α∇J it is gradient ascent and climbs the cost.",
)
def o_gd(quick: bool) -> Finding:
    n, steps = (1000, 60) if quick else (5000, 300)
    X, labels = _mnist(n)
    Y = np.eye(10, dtype=np.float32)[labels]
    Xb = np.hstack([X, np.ones((n, 1), np.float32)]).astype(np.float64)
    # J = (1/(n·10)) ‖Xθ − Y‖²: the Hessian of each column is 2XᵀX/(n·10)
    curvature = 2 * np.linalg.eigvalsh(Xb.T @ Xb)[-1] / (n * 10)
    X_t, Y_t = gk.tensor(X), gk.tensor(Y)
    runs, accuracy = {}, 0.0
    for factor in (1.0, 1.9, 2.1):
        gk.manual_seed(0)
        model = gk.nn.Linear(784, 10)
        opt = gk.optim.SGD(model.parameters(), lr=factor / curvature)
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = gk.nn.functional.mse_loss(model(X_t), Y_t)
            loss.backward()
            opt.step()
            losses.append(float(loss))
        runs[factor] = losses
        if factor == 1.0:
            with gk.no_grad():
                accuracy = float(np.mean(model(X_t).numpy().argmax(1) == labels))
    gk.manual_seed(0)
    model = gk.nn.Linear(784, 10)
    before = [p.detach().numpy().copy() for p in model.parameters()]
    opt = gk.optim.SGD(model.parameters(), lr=0.05)
    gk.nn.functional.mse_loss(model(X_t), Y_t).backward()
    expected = [b - 0.05 * p.grad.numpy() for b, p in zip(before, model.parameters())]
    opt.step()
    step_err = max(
        float(np.max(np.abs(p.detach().numpy() - e))) for p, e in zip(model.parameters(), expected)
    )
    monotone = all(b < a for a, b in zip(runs[1.0], runs[1.0][1:]))
    monotone_19 = all(b < a for a, b in zip(runs[1.9][5:], runs[1.9][6:]))
    diverged = runs[2.1][-1] > 10 * runs[2.1][0] or not math.isfinite(runs[2.1][-1])
    return Finding(
        checks=[
            Check(
                "one optimizer step is θ − α∇J(θ)",
                f"SGD(lr=0.05).step() vs the update by hand: max difference {step_err:.1e}",
                step_err < 1e-6,
            ),
            Check(
                "with α < 2/L every full-batch step lowers the cost",
                f"{n} MNIST digits, L = {curvature:.2f}: α = 1/L cost {runs[1.0][0]:.4f} → "
                f"{runs[1.0][-1]:.4f} falling every step: {monotone}; training accuracy "
                f"{accuracy:.2f}",
                monotone and runs[1.0][-1] < 0.5 * runs[1.0][0],
            ),
            Check(
                "with α > 2/L it diverges",
                f"α = 2.1/L: cost {runs[2.1][0]:.3g} → {runs[2.1][-1]:.3g} after {steps} steps; "
                f"α = 1.9/L still falls: {monotone_19}",
                diverged and monotone_19,
            ),
        ],
        numbers={
            "curvature_L": curvature,
            "cost_alpha_1_over_L": runs[1.0][-1],
            "cost_alpha_2_1_over_L": runs[2.1][-1],
            "train_accuracy": accuracy,
        },  # fmt: skip
        draw=lambda fig: _lines(
            fig,
            {f"α = {k}/L": v for k, v in runs.items()},
            "step",
            "cost J(θ)",
            "full-batch gradient descent, least squares on MNIST",
            logy=True,
        ),
    )


def _grad_vector(model, X, y) -> np.ndarray:
    model.zero_grad()
    gk.nn.functional.cross_entropy(model(gk.tensor(X)), gk.tensor(y)).backward()
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])


def _mlp():
    return gk.nn.Sequential(gk.nn.Linear(784, 64), gk.nn.ReLU(), gk.nn.Linear(64, 10))


@experiment(
    "O-SGD",
    group="O",
    title="Stochastic and mini-batch gradient descent",
    claim="An epoch is one pass over the data in ⌈n/B⌉ iterations of batch size B. Smaller "
    "batches give noisier gradients (variance ∝ 1/B) and slower epochs; larger batches "
    "need more memory.",
    formula="g_B = (1/B) Σ_{i∈B} ∇L_i(θ);  E‖g_B − ∇J‖² ≈ σ²/B;  iterations/epoch = ⌈n/B⌉",
    code=("gradkit.data.dataloader", "DataLoader"),
    test=TEST,
)
def o_sgd(quick: bool) -> Finding:
    n = 1000 if quick else 5000
    X, y = _mnist(n)
    gk.manual_seed(0)
    model = _mlp()
    full = _grad_vector(model, X, y)
    rng = np.random.default_rng(0)
    variance = {}
    for b in (1, 10, 100):
        draws = [rng.choice(n, b, replace=False) for _ in range(100 if quick else 400)]
        variance[b] = float(np.mean([np.sum((_grad_vector(model, X[i], y[i]) - full) ** 2)
                                     for i in draws]))  # fmt: skip
    dataset = gk.data.TensorDataset(gk.tensor(X), gk.tensor(y))
    batch_sizes = (1, 32, n)
    seconds, iterations, loader_len, curves = {}, {}, {}, {}
    for b in batch_sizes:
        gk.manual_seed(0)
        model = _mlp()
        opt = gk.optim.SGD(model.parameters(), lr=0.05 if b == 1 else 0.5)
        loader = gk.data.DataLoader(dataset, batch_size=b, shuffle=True)
        loader_len[b] = len(loader)
        steps, losses = 0, []
        start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            loss = gk.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            steps += 1
            losses.append(float(loss))
        seconds[b] = time.perf_counter() - start
        iterations[b] = steps
        curves[b] = losses
    peak = {}
    for b in (32, 256, n):
        gk.manual_seed(0)
        model = _mlp()
        xb, yb = gk.tensor(X[:b]), gk.tensor(y[:b])
        tracemalloc.start()
        gk.nn.functional.cross_entropy(model(xb), yb).backward()
        peak[b] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    vocab_ok = all(iterations[b] == loader_len[b] == math.ceil(n / b) for b in batch_sizes)
    ratio_var = variance[1] / variance[100]
    return Finding(
        checks=[
            Check(
                "an epoch of batch size B takes ⌈n/B⌉ iterations",
                f"n = {n}: iterations per epoch "
                + ", ".join(f"B={b}: {iterations[b]}" for b in batch_sizes),
                vocab_ok,
            ),
            Check(
                "gradient variance falls as 1/B",
                "E‖g_B − ∇J‖² at the same θ: "
                + ", ".join(f"B={b}: {v:.3g}" for b, v in variance.items())
                + f" (B=1 / B=100 = {ratio_var:.0f}; 1/B predicts ~{99 * n / (n - 100):.0f})",
                variance[1] > variance[10] > variance[100] and ratio_var > 40,
            ),
            Check(
                "single-example epochs are slower than mini-batch and full-batch epochs",
                "seconds per epoch: " + ", ".join(f"B={b}: {seconds[b]:.3f}" for b in batch_sizes),
                seconds[1] > 3 * seconds[32] and seconds[1] > 3 * seconds[n],
            ),
            Check(
                "memory grows with the batch",
                "peak bytes allocated by one forward + backward: "
                + ", ".join(f"B={b}: {p / 1024:.0f} KiB" for b, p in peak.items()),
                peak[32] < peak[256] < peak[n] and peak[n] > 3 * peak[32],
            ),
        ],
        numbers={
            "batch_sizes": list(batch_sizes),
            "seconds_per_epoch": list(seconds.values()),
            "gradient_variance": list(variance.values()),
            "peak_kib": [p / 1024 for p in peak.values()],
            "loss_after_epoch": [c[-1] for c in curves.values()],
        },  # fmt: skip
        draw=lambda fig: _draw_sgd(fig, variance, seconds, curves),
    )


def _draw_sgd(fig, variance, seconds, curves) -> None:
    ax = fig.add_subplot(1, 2, 1)
    ax.loglog(list(variance), list(variance.values()), "o-", label="measured")
    b = np.array(list(variance), dtype=float)
    ax.loglog(b, variance[1] / b, "k:", label="σ²/B")
    ax.set_xlabel("batch size B")
    ax.set_ylabel("E‖g_B − ∇J‖²")
    ax.legend(fontsize=8)
    ax = fig.add_subplot(1, 2, 2)
    bars = ax.bar([f"B={k}" for k in seconds], list(seconds.values()), color=["C0", "C1", "C2"])
    ax.bar_label(bars, fmt="%.2f s")
    ax.set_ylabel("seconds per epoch")


def _quadratic_run(kappa: float, lr: float, momentum: float, nesterov: bool, steps: int):
    """Minimise ½(x₁² + κ x₂²) from (−10, 1) with SGD; the iterates, shape (steps+1, 2)."""
    theta = gk.tensor([-10.0, 1.0], dtype=gk.float64, requires_grad=True)
    scale = gk.tensor([1.0, kappa], dtype=gk.float64)
    opt = gk.optim.SGD([theta], lr=lr, momentum=momentum, nesterov=nesterov)
    path = [theta.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (scale * theta * theta).sum()).backward()
        opt.step()
        path.append(theta.detach().numpy().copy())
    return np.array(path)


def _iterations_to(path: np.ndarray, kappa: float, tol: float) -> int:
    cost = 0.5 * (path[:, 0] ** 2 + kappa * path[:, 1] ** 2)
    below = np.nonzero(cost < tol)[0]
    return int(below[0]) if below.size else len(path)


@experiment(
    "O-MOMENTUM",
    group="O",
    title="Momentum and Nesterov momentum",
    claim="On an ill-conditioned cost, gradient descent zig-zags across the steep direction "
    "and crawls along the flat one; momentum (and Nesterov's variant) damps the zig-zag "
    "and reaches the minimum in far fewer iterations.",
    formula="v ← μ v + ∇J(θ);  θ ← θ − α v   (Nesterov: θ ← θ − α (∇J(θ) + μ v))",
    code=("gradkit.optim.sgd", "SGD"),
    test=TEST,
)
def o_momentum(quick: bool) -> Finding:
    kappa, lr, steps = 100.0, 0.012, 1500
    paths = {
        "GD": _quadratic_run(kappa, lr, 0.0, False, steps),
        "momentum 0.9": _quadratic_run(kappa, lr, 0.9, False, steps),
        "Nesterov 0.9": _quadratic_run(kappa, lr, 0.9, True, steps),
    }
    iters = {k: _iterations_to(p, kappa, 1e-8) for k, p in paths.items()}

    def reversals(path):  # share of steps whose steep component reverses direction
        d = np.diff(path[:21, 1])
        return float(np.mean(np.sign(d[1:]) != np.sign(d[:-1])))

    zigzag = {k: reversals(p) for k, p in paths.items()}
    flat_left = {k: abs(p[100, 0]) for k, p in paths.items()}
    return Finding(
        checks=[
            Check(
                "plain GD zig-zags across the steep direction and crawls along the flat one",
                f"J = ½(x₁² + {kappa:g} x₂²), α = {lr}: the steep coordinate reverses in "
                f"{zigzag['GD']:.0%} of the first 20 steps; after 100 steps x₁ is still "
                f"{flat_left['GD']:.2f} (from 10)",
                zigzag["GD"] > 0.9 and flat_left["GD"] > 2.0,
            ),
            Check(
                "momentum damps the zig-zag",
                f"reversals in the first 20 steps: momentum {zigzag['momentum 0.9']:.0%}, "
                f"Nesterov {zigzag['Nesterov 0.9']:.0%} (GD {zigzag['GD']:.0%})",
                zigzag["momentum 0.9"] < 0.6 * zigzag["GD"],
            ),
            Check(
                "momentum and Nesterov reach the minimum in far fewer iterations",
                "iterations to J < 1e-8: " + ", ".join(f"{k} {v}" for k, v in iters.items()),
                iters["momentum 0.9"] < iters["GD"] / 2 and iters["Nesterov 0.9"] < iters["GD"] / 2,
            ),
        ],
        numbers={
            "iterations_to_1e-8": list(iters.values()),
            "reversal_share": list(zigzag.values()),
        },
        draw=lambda fig: _draw_momentum(fig, paths, kappa),
    )


def _draw_momentum(fig, paths, kappa) -> None:
    ax = fig.add_subplot(1, 2, 1)
    g1, g2 = np.meshgrid(np.linspace(-11, 2, 200), np.linspace(-1.3, 1.3, 200))
    ax.contour(g1, g2, 0.5 * (g1**2 + kappa * g2**2), levels=15, colors="0.8")
    for label, path in paths.items():
        ax.plot(path[:80, 0], path[:80, 1], ".-", ms=2, lw=0.8, label=label)
    ax.set_title("first 80 steps", fontsize=10)
    ax.legend(fontsize=7)
    ax = fig.add_subplot(1, 2, 2)
    for label, path in paths.items():
        ax.semilogy(0.5 * (path[:, 0] ** 2 + kappa * path[:, 1] ** 2) + 1e-300, label=label)
    ax.set_ylim(1e-12, 1e3)
    ax.set_xlabel("iteration")
    ax.set_ylabel("J(θ)")


@experiment(
    "O-ADAPTIVE",
    group="O",
    title="Adaptive learning rates: Adagrad, RMSprop, Adam, AdamW",
    claim="Adaptive methods scale each parameter's step by its own gradient history, so "
    "they cope with badly scaled inputs that force plain SGD to a tiny learning rate; "
    "AdamW decays weights directly instead of through the gradient.",
    formula="Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − α m̂/(√v̂ + ε); "
    "AdamW adds θ ← θ(1 − αλ)",
    code=("gradkit.optim.adam", "Adam"),
    test=TEST,
)
def o_adaptive(quick: bool) -> Finding:
    n, steps = (1000, 100) if quick else (5000, 300)
    X, y = _mnist(n)
    # 7×7 block means of the digits, each feature scaled by a fixed factor in 10^±2:
    # badly scaled inputs, as raw measurements in different units are
    X = X.reshape(n, 7, 4, 7, 4).mean(axis=(2, 4)).reshape(n, 49)
    X_raw = (X * 10 ** np.random.default_rng(0).uniform(-2, 2, 49)).astype(np.float32)
    X_t, y_t = gk.tensor(X_raw), gk.tensor(y)
    rates = (1e-3, 1e-2, 3e-2, 1e-1)
    best, curves = {}, {}
    for cls in (gk.optim.SGD, gk.optim.Adagrad, gk.optim.RMSprop, gk.optim.Adam, gk.optim.AdamW):
        name = cls.__name__
        for lr in rates:
            gk.manual_seed(0)
            model = gk.nn.Linear(49, 10)
            opt = cls(model.parameters(), lr=lr)
            losses = []
            for _ in range(steps):
                opt.zero_grad()
                loss = gk.nn.functional.cross_entropy(model(X_t), y_t)
                loss.backward()
                opt.step()
                losses.append(float(loss))
            final = losses[-1] if math.isfinite(losses[-1]) else float("inf")
            if name not in best or final < best[name][1]:
                best[name], curves[name] = (lr, final), losses
    # the first step's size per parameter: SGD ∝ |g|, Adam ≈ lr for every parameter
    spreads = {}
    for name, cls in (("SGD", gk.optim.SGD), ("Adam", gk.optim.Adam)):
        gk.manual_seed(0)
        model = gk.nn.Linear(49, 10)
        w0 = model.weight.detach().numpy().copy()
        opt = cls(model.parameters(), lr=1e-3)
        gk.nn.functional.cross_entropy(model(X_t), y_t).backward()
        used = np.abs(model.weight.grad.numpy()) > 1e-6  # well above Adam's ε = 1e-8
        opt.step()
        step = np.abs(model.weight.detach().numpy() - w0)[used]
        spreads[name] = float(np.percentile(step, 90) / np.percentile(step, 10))
    # decoupled weight decay on weights whose gradient is zero (blocks never lit)
    dead = np.nonzero(X_raw.max(axis=0) == 0)[0]
    decays = {}
    for name, cls in (("AdamW", gk.optim.AdamW), ("Adam + L2", gk.optim.Adam)):
        gk.manual_seed(0)
        model = gk.nn.Linear(49, 10)
        w0 = model.weight.detach().numpy()[:, dead].copy()
        opt = cls(model.parameters(), lr=1e-3, weight_decay=0.1)
        for _ in range(50):
            opt.zero_grad()
            gk.nn.functional.cross_entropy(model(X_t), y_t).backward()
            opt.step()
        decays[name] = float(np.mean(np.abs(model.weight.detach().numpy()[:, dead])
                                     / np.abs(w0)))  # fmt: skip
    adamw_expected = (1 - 1e-3 * 0.1) ** 50
    adaptive_best = min(best[k][1] for k in ("Adagrad", "RMSprop", "Adam", "AdamW"))
    return Finding(
        checks=[
            Check(
                "SGD's step follows the gradient's scale; Adam's is about α for every weight",
                "90th/10th percentile of the first step |Δθ| over the weights: "
                f"SGD {spreads['SGD']:.0f}×, Adam {spreads['Adam']:.2f}×",
                spreads["SGD"] > 20 and spreads["Adam"] < 2,
            ),
            Check(
                "on badly scaled inputs adaptive methods reach a lower loss than SGD",
                f"{n} digits, 49 features scaled by 10^±2; cross-entropy after {steps} "
                f"full-batch steps, each at its best α of {rates}: "
                + ", ".join(f"{k} {v[1]:.3f} (α={v[0]:g})" for k, v in best.items()),
                adaptive_best < 0.5 * best["SGD"][1],
            ),
            Check(
                "AdamW decays weights by (1 − αλ) per step, apart from the gradient",
                f"weights of {len(dead)} never-lit pixel blocks after 50 steps (λ = 0.1): AdamW "
                f"×{decays['AdamW']:.4f} (closed form ×{adamw_expected:.4f}), Adam with L2 "
                f"in the gradient ×{decays['Adam + L2']:.3f}",
                abs(decays["AdamW"] - adamw_expected) < 1e-4
                and decays["Adam + L2"] < decays["AdamW"] - 0.01,
            ),
        ],
        numbers={
            "best_lr": {k: v[0] for k, v in best.items()},
            "best_loss": {k: v[1] for k, v in best.items()},
            "step_spread": spreads,
            "decay_factor": decays,
        },  # fmt: skip
        draw=lambda fig: _lines(
            fig,
            {f"{k} (α={best[k][0]:g})": v for k, v in curves.items()},
            "step",
            "training cross-entropy",
            "softmax regression on badly scaled digit features",
            logy=True,
        ),
    )
