"""Tour group O: optimisation — gradient descent and its variants on real problems,
Newton's method, maximum likelihood and the SVM's Lagrange multipliers."""

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


@experiment(
    "O-LMS",
    group="O",
    title="Least mean squares (Widrow–Hoff)",
    claim="The LMS rule updates the weights after each example by the error times the "
    "input; sweeping the data repeatedly with a small step it converges to the "
    "least-squares solution (a larger step is faster but settles further from it).",
    formula="θ_j ← θ_j + α (y_i − h_θ(x_i)) x_ij",
    code=("gradkit.ml.linear_model", "LinearRegression"),
    test=TEST,
)
def o_lms(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_regression
    from gradkit.ml.linear_model import LinearRegression

    n = 300 if quick else 3000
    X, y = make_regression(n, 8, noise=5.0, random_state=0)
    exact = LinearRegression().fit(X, y)
    mse_exact = float(np.mean((exact.predict(X) - y) ** 2))
    epochs = (1, 2, 5, 10, 20, 40) if quick else (1, 2, 5, 10, 20, 50, 100)
    biggest = np.max(np.sum(X**2, axis=1))
    ratio, gap = {}, {}
    for a in (0.3, 0.03):
        ratio[a], gap[a] = [], []
        for k in epochs:
            lms = LinearRegression(solver="lms", max_iter=k, lr=a / biggest,
                                   random_state=0).fit(X, y)  # fmt: skip
            ratio[a].append(float(np.mean((lms.predict(X) - y) ** 2)) / mse_exact)
            gap[a].append(float(np.max(np.abs(lms.coef_ - exact.coef_))
                                / np.max(np.abs(exact.coef_))))  # fmt: skip
    # one Widrow–Hoff update by hand against the solver's first step
    one = LinearRegression(solver="lms", max_iter=1, lr=0.01, fit_intercept=False,
                           random_state=0).fit(X[:1], y[:1])  # fmt: skip
    hand_err = float(np.max(np.abs(one.coef_ - 0.01 * (y[0] - 0.0) * X[0])))
    small, large = ratio[0.03], ratio[0.3]
    return Finding(
        checks=[
            Check(
                "one LMS update is θ + α (y − θᵀx) x",
                f"first update from θ = 0 vs by hand: max difference {hand_err:.1e}",
                hand_err < 1e-12,
            ),
            Check(
                "with a small step, repeated sweeps converge to the least-squares solution",
                "α = 0.03/max‖x‖²: training MSE / least-squares MSE after "
                + ", ".join(f"{k}: {r:.4f}" for k, r in zip(epochs, small))
                + f" epochs; coefficient gap {gap[0.03][-1]:.1e}",
                small[-1] < 1.005 and gap[0.03][-1] < 5e-3 and small[0] > small[-1],
            ),
            Check(
                "a larger step is faster at first but settles further from the solution",
                f"α = 0.3/max‖x‖²: MSE ratio {large[0]:.3f} after 1 epoch (small step "
                f"{small[0]:.1f}), {large[-1]:.4f} after {epochs[-1]} (small step "
                f"{small[-1]:.4f})",
                large[0] < small[0] and large[-1] > small[-1],
            ),
        ],
        numbers={
            "epochs": list(epochs),
            "mse_ratio_small_step": small,
            "mse_ratio_large_step": large,
            "coef_gap_small_step": gap[0.03],
        },  # fmt: skip
        draw=lambda fig: _draw_lms(fig, epochs, ratio),
    )


def _draw_lms(fig, epochs, ratio) -> None:
    ax = fig.add_subplot()
    for a, values in ratio.items():
        ax.plot(epochs, np.array(values) - 1, "o-", label=f"α = {a}/max‖x‖²")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epochs")
    ax.set_ylabel("MSE / least-squares MSE − 1")
    ax.set_title("LMS (Widrow–Hoff) approaching the normal-equation fit")
    ax.legend(fontsize=8)


@experiment(
    "O-NEWTON",
    group="O",
    title="Newton's method",
    claim="Newton–Raphson steps θ ← θ − H⁻¹∇ℓ converge quadratically (the number of correct "
    "digits doubles each step) and fit logistic regression in a handful of iterations "
    "where gradient descent needs hundreds, to the same optimum.",
    formula="θ ← θ − ℓ'(θ)/ℓ''(θ);  θ ← θ − H⁻¹∇ℓ(θ)",
    code=("gradkit.optim.newton", "newton"),
    test=TEST,
)
def o_newton(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_classification
    from gradkit.ml.linear_model import LogisticRegression

    errors = []
    theta = gk.tensor([3.0], dtype=gk.float64)
    for _ in range(6):  # ℓ(θ) = e^θ − 2θ, minimum at ln 2; pure Newton steps
        theta, _ = gk.optim.newton(lambda t: (t.exp() - 2 * t).sum(), theta, max_iter=1,
                                   tol=0.0, line_search=False)  # fmt: skip
        errors.append(abs(float(theta) - math.log(2)))
    useful = [e for e in errors if e > 1e-14]
    rates = [math.log(b) / math.log(a) for a, b in zip(useful, useful[1:]) if a < 0.1]
    n = 500 if quick else 5000
    # no redundant features: X has full rank, so the maximum-likelihood θ is unique
    X, y = make_classification(n, 10, n_informative=6, n_redundant=0, random_state=0)
    fits = {}
    for solver in ("newton", "gd"):
        start = time.perf_counter()
        clf = LogisticRegression(penalty=None, solver=solver, tol=1e-8, max_iter=20000).fit(X, y)
        fits[solver] = (int(clf.n_iter_[0]), time.perf_counter() - start, clf.coef_.ravel())
    gap = float(np.max(np.abs(fits["newton"][2] - fits["gd"][2])))
    return Finding(
        checks=[
            Check(
                "convergence is quadratic: |e_{k+1}| ≈ C |e_k|²",
                "|θ_k − ln 2| for ℓ = e^θ − 2θ: "
                + ", ".join(f"{e:.1e}" for e in errors)
                + f"; log e_(k+1) / log e_k = {', '.join(f'{r:.2f}' for r in rates)}",
                len(rates) >= 1 and all(r > 1.8 for r in rates),
            ),
            Check(
                "Newton fits logistic regression in far fewer iterations than GD",
                f"{n} examples, 10 features, same tol: Newton {fits['newton'][0]} iterations "
                f"({fits['newton'][1]:.3f} s), GD {fits['gd'][0]} ({fits['gd'][1]:.3f} s); "
                f"coefficients agree to {gap:.1e}",
                fits["newton"][0] * 20 < fits["gd"][0] and gap < 1e-3,
            ),
        ],
        numbers={
            "errors": errors,
            "iterations_newton": fits["newton"][0],
            "iterations_gd": fits["gd"][0],
            "coef_gap": gap,
        },  # fmt: skip
        draw=lambda fig: _draw_newton(fig, errors),
    )


def _draw_newton(fig, errors) -> None:
    ax = fig.add_subplot()
    ax.semilogy(range(1, len(errors) + 1), [max(e, 1e-17) for e in errors], "o-")
    ax.set_xlabel("Newton step k")
    ax.set_ylabel("|θ_k − θ*|")
    ax.set_title("ℓ(θ) = e^θ − 2θ: digits double each step")


@experiment(
    "O-MLE",
    group="O",
    title="Maximum likelihood",
    claim="Estimators fit by maximising the (log-)likelihood: GDA's closed-form means and "
    "covariance and logistic regression's Newton fit are maxima (every perturbation "
    "lowers the log-likelihood); the log is needed because the likelihood itself "
    "underflows.",
    formula="θ̂ = argmax_θ Σ_i log p(x_i, y_i; θ)",
    code=("gradkit.ml.discriminant_analysis", "GaussianDiscriminantAnalysis"),
    test=TEST,
)
def o_mle(quick: bool) -> Finding:
    from scipy.stats import multivariate_normal

    from gradkit.ml.datasets import make_classification
    from gradkit.ml.discriminant_analysis import GaussianDiscriminantAnalysis
    from gradkit.ml.linear_model import LogisticRegression

    n = 1000 if quick else 10000
    X, y = make_classification(n, 4, n_informative=3, n_redundant=0, random_state=1)
    gda = GaussianDiscriminantAnalysis().fit(X, y)

    def gda_loglik(means, cov):
        return float(sum(
            np.sum(np.log(gda.priors_[k]) + multivariate_normal.logpdf(X[y == k], means[k], cov))
            for k in (0, 1)
        ))  # fmt: skip

    rng = np.random.default_rng(0)
    best = gda_loglik(gda.means_, gda.covariance_)
    worse_gda = 0
    trials = 30
    for _ in range(trials):
        d_means = 0.05 * rng.standard_normal(gda.means_.shape)
        d = 0.05 * rng.standard_normal(gda.covariance_.shape)
        worse_gda += gda_loglik(gda.means_ + d_means, gda.covariance_ + d @ d.T) < best
    clf = LogisticRegression(penalty=None, solver="newton", tol=1e-12).fit(X, y)

    def logreg_loglik(w, b):
        z = X @ w + b
        return float(np.sum(y * z - np.logaddexp(0, z)))

    w, b = clf.coef_.ravel(), float(clf.intercept_[0])
    best_lr = logreg_loglik(w, b)
    worse_lr = sum(
        logreg_loglik(w + 0.01 * rng.standard_normal(w.shape), b) < best_lr for _ in range(trials)
    )
    p = 1 / (1 + np.exp(-(X @ w + b)))
    score = X.T @ (y - p)  # ∇ log-likelihood at the fit
    per_example = np.concatenate([
        np.log(gda.priors_[k]) + multivariate_normal.logpdf(X[y == k], gda.means_[k],
                                                            gda.covariance_)
        for k in (0, 1)
    ])  # fmt: skip
    with np.errstate(under="ignore"):
        product = float(np.prod(np.exp(per_example)))
    return Finding(
        checks=[
            Check(
                "GDA's closed-form estimates maximise the joint log-likelihood",
                f"{n} examples: log-likelihood {best:.2f} at the estimates; lower after "
                f"{worse_gda}/{trials} random perturbations of means and covariance",
                worse_gda == trials,
            ),
            Check(
                "logistic regression's fit maximises the conditional log-likelihood",
                f"log-likelihood {best_lr:.3f}; gradient at the fit max |∇| = "
                f"{np.max(np.abs(score)):.1e}; lower after {worse_lr}/{trials} perturbations",
                worse_lr == trials and np.max(np.abs(score)) < 1e-6,
            ),
            Check(
                "the likelihood itself underflows; the log-likelihood does not",
                f"GDA: product of the {n} densities p(x_i, y_i) = {product:g} in float64; "
                f"sum of their logs = {per_example.sum():.2f}",
                product == 0.0 and math.isfinite(per_example.sum()),
            ),
        ],
        numbers={
            "gda_loglik": best,
            "logreg_loglik": best_lr,
            "score_max": float(np.max(np.abs(score))),
            "likelihood_product": product,
        },  # fmt: skip
        draw=lambda fig: _draw_mle(fig, logreg_loglik, w, b),
    )


def _draw_mle(fig, loglik, w, b) -> None:
    ax = fig.add_subplot()
    t = np.linspace(-1, 1, 81)
    direction = w / np.linalg.norm(w)
    ax.plot(t, [loglik(w + s * direction, b) for s in t])
    ax.axvline(0, color="k", ls=":")
    ax.set_xlabel("distance from the fitted θ along θ/‖θ‖")
    ax.set_ylabel("log-likelihood")
    ax.set_title("logistic regression: the fit is the maximum")


@experiment(
    "O-LAGRANGE",
    group="O",
    title="Lagrange multipliers: the SVM dual solved by SMO",
    claim="The soft-margin SVM is solved through its Lagrangian dual: SMO's multipliers "
    "satisfy the KKT conditions (0 ≤ α ≤ C, Σ α_i y_i = 0, margins by multiplier) and the "
    "dual objective equals the primal one at the optimum.",
    formula="L(w, b, α) = ½‖w‖² + C Σ ξ_i − Σ α_i [y_i(wᵀx_i + b) − 1 + ξ_i] − Σ r_i ξ_i;  "
    "dual max Σ α_i − ½ Σ α_i α_j y_i y_j x_iᵀx_j",
    code=("gradkit.ml.svm", "smo"),
    test=TEST,
)
def o_lagrange(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_blobs
    from gradkit.ml.svm import SVC

    n, C = (200 if quick else 1000), 1.0
    X, labels = make_blobs(n, centers=[[-1.5, -1.0], [1.5, 1.0]], cluster_std=1.2,
                           random_state=2)  # fmt: skip
    y = np.where(labels == 1, 1.0, -1.0)
    svm = SVC(C=C, kernel="linear", tol=1e-6).fit(X, labels)
    alpha = np.zeros(n)
    alpha[svm.support_] = np.abs(svm.dual_coef_[0])
    sign = 1.0 if svm.classes_[1] == 1 else -1.0
    w = sign * (svm.dual_coef_[0] @ svm.support_vectors_) * 1.0
    f = svm.decision_function(X)
    margin = y * f
    tol = 1e-3
    box = bool(np.all((alpha >= -1e-12) & (alpha <= C + 1e-12)))
    balance = abs(float(alpha @ y))
    free = (alpha > 1e-8) & (alpha < C - 1e-8)
    at_c = alpha >= C - 1e-8
    zero = alpha <= 1e-8
    kkt = (
        bool(np.all(margin[zero] >= 1 - tol))
        and bool(np.all(np.abs(margin[free] - 1) <= tol))
        and bool(np.all(margin[at_c] <= 1 + tol))
    )
    Q = (y[:, None] * X) @ (y[:, None] * X).T
    dual = float(alpha.sum() - 0.5 * alpha @ Q @ alpha)
    primal = float(0.5 * w @ w + C * np.maximum(0, 1 - margin).sum())
    rel_gap = abs(primal - dual) / abs(primal)
    w_err = float(np.max(np.abs(np.abs(w) - np.abs((alpha * y) @ X))))
    return Finding(
        checks=[
            Check(
                "the multipliers are feasible: 0 ≤ α_i ≤ C and Σ α_i y_i = 0",
                f"{int((alpha > 1e-8).sum())} support vectors of {n}; all in [0, C]: {box}; "
                f"|Σ α_i y_i| = {balance:.1e}",
                box and balance < 1e-8,
            ),
            Check(
                "complementary slackness: α = 0 ⇒ y f ≥ 1, 0 < α < C ⇒ y f = 1, α = C ⇒ y f ≤ 1",
                f"{int(zero.sum())} at 0, {int(free.sum())} free, {int(at_c.sum())} at C; all "
                f"within {tol:g}: {kkt}",
                kkt,
            ),
            Check(
                "strong duality: the dual objective equals the primal one",
                f"primal ½‖w‖² + C Σ ξ = {primal:.4f}, dual Σ α − ½ αᵀQα = {dual:.4f} "
                f"(relative gap {rel_gap:.1e}); w = Σ α_i y_i x_i to {w_err:.1e}",
                rel_gap < 1e-3 and w_err < 1e-9,
            ),
        ],
        numbers={
            "n_support": int((alpha > 1e-8).sum()),
            "primal": primal,
            "dual": dual,
            "relative_gap": rel_gap,
            "balance": balance,
        },  # fmt: skip
        draw=lambda fig: _draw_svm(fig, X, y, svm, alpha, C),
    )


def _draw_svm(fig, X, y, svm, alpha, C) -> None:
    ax = fig.add_subplot()
    g1, g2 = np.meshgrid(np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 200),
                         np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 200))  # fmt: skip
    f = svm.decision_function(np.c_[g1.ravel(), g2.ravel()]).reshape(g1.shape)
    ax.contour(g1, g2, f, levels=[-1, 0, 1], colors="k", linestyles=[":", "-", ":"])
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12)
    sv = alpha > 1e-8
    ax.scatter(X[sv, 0], X[sv, 1], s=60, facecolors="none", edgecolors="k",
               label="support vectors (α > 0)")  # fmt: skip
    ax.legend(fontsize=8)
    ax.set_title("linear SVM by SMO: margins y f = ±1")
