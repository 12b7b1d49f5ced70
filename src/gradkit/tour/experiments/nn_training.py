"""The knobs of training: input normalisation (NN-NORM-DATA), batch normalisation
(NN-BATCHNORM), the learning rate (NN-LR), epochs / batches / iterations (NN-HYPER)
and hyperparameter search (NN-SEARCH)."""

from __future__ import annotations

import math

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.ml.base import BaseEstimator, ClassifierMixin
from gradkit.tour.experiments._nn_common import (
    accuracy,
    image_subset,
    mean_loss,
    mlp,
    pct,
    predict,
    train,
)
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_nn_training.py"


def _epochs_to(curve: list[float], target: float) -> float:
    """First epoch (1-based) whose loss is at most ``target``; inf if none."""
    return next((i + 1 for i, v in enumerate(curve) if v <= target), math.inf)


# ---------------------------------------------------------------------------- NN-NORM-DATA
@experiment(
    "NN-NORM-DATA",
    group="NN",
    title="Normalising the inputs",
    claim="Standardised inputs (zero mean, unit variance per feature) let gradient descent "
    "converge faster than raw inputs, each at its best learning rate.",
    formula="x′ = (x − μ) / (σ + ε)  or  x′ = (x − min) / (max − min)",
    code=("gradkit.ml.preprocessing", "StandardScaler"),
    test=TEST,
)
def nn_norm_data(quick: bool) -> Finding:
    from gradkit.ml.preprocessing import MinMaxScaler, StandardScaler

    X, y, _, _ = image_subset(1000 if quick else 4000, 1, seed=0)
    raw = X * np.float32(255)  # the pixels as stored: 0..255
    variants = {
        "raw 0–255": raw,
        "min-max": MinMaxScaler().fit_transform(raw).astype(np.float32),
        "standardised": StandardScaler().fit_transform(raw).astype(np.float32),
    }
    constant = int((raw.std(axis=0) == 0).sum())
    finite = bool(np.isfinite(variants["standardised"]).all())
    epochs, target = (5 if quick else 10), 0.5
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    curves: dict[str, dict[float, list[float]]] = {}
    best: dict[str, tuple[float, list[float]]] = {}
    for name, Xv in variants.items():
        curves[name] = {}
        for lr in lrs:
            gk.manual_seed(0)
            net = mlp(784, [64])
            log = train(net, Xv, y, epochs=epochs, optimizer=gk.optim.SGD(net.parameters(), lr=lr))
            curves[name][lr] = log["loss"]
        finals = {lr: c[-1] if np.isfinite(c[-1]) else math.inf for lr, c in curves[name].items()}
        lr_best = min(finals, key=finals.get)
        best[name] = (lr_best, curves[name][lr_best])
    reach = {name: _epochs_to(c, target) for name, (_, c) in best.items()}
    final = {name: c[-1] for name, (_, c) in best.items()}
    std_reach, raw_reach = reach["standardised"], reach["raw 0–255"]
    checks = [
        Check(
            "standardised inputs converge faster than raw ones",
            f"epochs to training loss {target} at each input's best learning rate: "
            + ", ".join(f"{k} {v:g} (lr {best[k][0]:g})" for k, v in reach.items())
            + "; loss after "
            + f"{epochs} epochs: "
            + ", ".join(f"{k} {v:.3f}" for k, v in final.items()),
            std_reach < raw_reach and final["standardised"] < 0.7 * final["raw 0–255"],
        ),
        Check(
            "ε (a zero-variance guard) keeps constant features from dividing by zero",
            f"{constant} always-zero pixels; standardised values all finite: {finite}",
            constant > 0 and finite,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        for name, (lr, c) in best.items():
            ax.plot(range(1, epochs + 1), c, marker="o", label=f"{name} (lr {lr:g})")
        ax.axhline(target, color="k", ls=":")
        ax.set(xlabel="epoch", ylabel="training loss", title="each input scaling at its best lr")
        ax.legend()

    return Finding(
        checks,
        numbers={
            "best_lr": {k: v[0] for k, v in best.items()},
            "epochs_to_target": reach,
            "final_loss": final,
            "curves": {k: {str(lr): c for lr, c in v.items()} for k, v in curves.items()},
            "constant_pixels": constant,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-BATCHNORM
@experiment(
    "NN-BATCHNORM",
    group="NN",
    title="Batch normalisation",
    claim="Batch norm lets the same net train at a learning rate where the plain net "
    "fails, weakens the dependence on initialisation and acts as a regulariser; γ and β "
    "are learned parameters; inference uses the running statistics.",
    formula="y = γ (x − μ_B) / √(σ²_B + ε) + β",
    code=("gradkit.nn.normalization", "BatchNorm1d"),
    test=TEST,
    note="γ and β are parameters learned by gradient descent like the weights, not "
    "hyperparameters (the seed text calls them hyperparameters).",
)
def nn_batchnorm(quick: bool) -> Finding:
    X, y, Xt, yt = image_subset(2000 if quick else 8000, 1000 if quick else 5000, seed=0)
    epochs = 3 if quick else 5

    def run(bn: bool, lr: float, gain: float = 1.0, data=(X, y), n_epochs=epochs, **kw):
        gk.manual_seed(0)
        net = mlp(784, [128, 128, 128], init="he", gain=gain, batchnorm=bn)
        opt = gk.optim.SGD(net.parameters(), lr=lr, **kw)
        train(net, *data, epochs=n_epochs, optimizer=opt)
        return net

    high_lr = 2.0
    at_high = {bn: accuracy(run(bn, high_lr), Xt, yt) for bn in (False, True)}
    gains = [0.1, 1.0, 10.0]
    by_gain, nets = {}, {}
    for bn in (False, True):
        nets[bn] = [run(bn, 0.1, g) for g in gains]
        by_gain[bn] = [accuracy(net, Xt, yt) for net in nets[bn]]
    # Regulariser? Both nets trained to fit a small training set, then tested.
    # Compared at the same fit: both must reach 100% training accuracy.
    Xs, ys = X[: 500 if quick else 1000], y[: 500 if quick else 1000]
    fit = {}
    for bn in (False, True):
        net = run(bn, 0.05, data=(Xs, ys), n_epochs=30, momentum=0.9)
        fit[bn] = (accuracy(net, Xs, ys), accuracy(net, Xt, yt))
    # γ, β learned; running statistics used at inference.
    net = nets[True][gains.index(1.0)]
    bn_layer = next(m for m in net.modules() if isinstance(m, nn.BatchNorm1d))
    names = [n for n, p in net.named_parameters() if p is bn_layer.weight or p is bn_layer.bias]
    gamma = bn_layer.weight.detach().numpy()
    beta = bn_layer.bias.detach().numpy()
    learned = float(np.abs(gamma - 1).max()), float(np.abs(beta).max())
    z = net[0](gk.tensor(Xt[:1])).detach().numpy()
    expect = (z - bn_layer.running_mean.numpy()) / np.sqrt(
        bn_layer.running_var.numpy() + bn_layer.eps
    ) * gamma + beta
    net.eval()
    with gk.no_grad():
        got = net[1](gk.tensor(z)).numpy()
    inference_err = float(np.abs(got - expect).max())

    spread = {bn: max(v) - min(v) for bn, v in by_gain.items()}
    checks = [
        Check(
            "batch norm trains at a learning rate where the plain net fails",
            f"SGD lr={high_lr}: test accuracy plain {pct(at_high[False])}, with batch norm "
            f"{pct(at_high[True])}",
            at_high[False] < 0.2 and at_high[True] > 0.7,
        ),
        Check(
            "batch norm weakens the dependence on initialisation",
            f"test accuracy for He init × {gains}: plain "
            f"{[pct(a) for a in by_gain[False]]}, batch norm {[pct(a) for a in by_gain[True]]}",
            min(by_gain[True]) > min(by_gain[False]) + 0.3 and spread[True] < spread[False],
        ),
        Check(
            "batch norm acts as a regulariser",
            f"trained to fit {len(Xs)} digits: plain train {pct(fit[False][0])} / test "
            f"{pct(fit[False][1])}, batch norm train {pct(fit[True][0])} / test "
            f"{pct(fit[True][1])}",
            min(fit[False][0], fit[True][0]) == 1.0 and fit[True][1] > fit[False][1] + 0.005,
        ),
        Check(
            "γ and β are learned parameters, not hyperparameters",
            f"{names} are trainable parameters; after training |γ − 1| ≤ {learned[0]:.2f}, "
            f"|β| ≤ {learned[1]:.2f}",
            len(names) == 2 and min(learned) > 1e-3,
        ),
        Check(
            "at inference batch norm uses the running statistics",
            f"eval output vs γ (x − running_mean)/√(running_var + ε) + β: {inference_err:.1e}",
            inference_err < 1e-5,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        pos = np.arange(len(gains))
        ax.bar(pos - 0.2, by_gain[False], 0.4, label="plain")
        ax.bar(pos + 0.2, by_gain[True], 0.4, label="batch norm")
        ax.set_xticks(pos, [f"He × {g:g}" for g in gains])
        ax.set(ylim=(0, 1), ylabel="test accuracy", title="SGD lr 0.1 by init scale")
        ax.legend()
        ax2 = fig.add_subplot(1, 2, 2)
        ax2.bar(["plain", "batch norm"], [at_high[False], at_high[True]])
        ax2.set(ylim=(0, 1), title=f"SGD lr {high_lr}")

    return Finding(
        checks,
        numbers={
            "acc_high_lr": {"plain": at_high[False], "bn": at_high[True]},
            "gains": gains,
            "acc_by_gain": {"plain": by_gain[False], "bn": by_gain[True]},
            "fit_train_test": {"plain": fit[False], "bn": fit[True]},
            "gamma_beta_moved": learned,
            "inference_error": inference_err,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-LR
@experiment(
    "NN-LR",
    group="NN",
    title="The learning rate",
    claim="Too low a learning rate crawls, a good one converges, too high diverges; a "
    "schedule changes the rate during training.",
    formula="θ ← θ − η_t ∇L(θ);  StepLR: η_t = η₀ γ^⌊t/s⌋",
    code=("gradkit.optim.lr_scheduler", "StepLR"),
    test=TEST,
)
def nn_lr(quick: bool) -> Finding:
    X, y, _, _ = image_subset(2000 if quick else 8000, 1, seed=0)
    epochs = 5 if quick else 10
    lrs = {"too low": 1e-3, "good": 0.1, "too high": 5.0}
    curves = {}
    for label, lr in lrs.items():
        gk.manual_seed(0)
        net = mlp(784, [64])
        curves[label] = train(
            net, X, y, epochs=epochs, optimizer=gk.optim.SGD(net.parameters(), lr=lr)
        )["loss"]
    # A schedule: lr 1.0 halved five times over the run, against lr 1.0 kept fixed (which
    # ends lower depends on the run: quick 0.33 vs 0.56 for the schedule, full 0.10 vs
    # 0.09 against it, so no claim is made about it).
    step = max(1, epochs // 5)
    scheduled, lr_seen = {}, []
    for label in ("fixed", "StepLR"):
        gk.manual_seed(0)
        net = mlp(784, [64])
        opt = gk.optim.SGD(net.parameters(), lr=1.0)
        sched = gk.optim.lr_scheduler.StepLR(opt, step_size=step, gamma=0.5)

        def after_epoch(epoch, sched=sched, opt=opt, label=label):
            if label == "StepLR":
                lr_seen.append(opt.param_groups[0]["lr"])
                sched.step()

        train(net, X, y, epochs=epochs, optimizer=opt, after_epoch=after_epoch)
        scheduled[label] = mean_loss(net, X, y)
    initial = math.log(10)
    low, good, high = curves["too low"], curves["good"], curves["too high"]
    # diverged: the loss rises above where it started (chance) and never comes back below
    diverged = not np.isfinite(high).all() or (max(high) > initial and min(high) > 0.9 * initial)
    checks = [
        Check(
            "too low a learning rate crawls",
            f"lr={lrs['too low']:g}: training loss {low[0]:.3f} → {low[-1]:.3f} in {epochs} "
            f"epochs (ln 10 = {initial:.3f} is chance)",
            low[-1] > 0.8 * initial,
        ),
        Check(
            "a good learning rate converges",
            f"lr={lrs['good']:g}: {good[0]:.3f} → {good[-1]:.3f}",
            good[-1] < 0.5,
        ),
        Check(
            "too high a learning rate diverges",
            f"lr={lrs['too high']:g}: losses {[round(v, 3) for v in high]}",
            diverged,
        ),
        Check(
            "a schedule sets each epoch's rate: StepLR gives η₀ γ^⌊t/s⌋",
            f"StepLR(step_size={step}, γ=0.5) from lr 1.0: "
            f"{[round(v, 4) for v in lr_seen]}; final training loss {scheduled['StepLR']:.3f} "
            f"vs {scheduled['fixed']:.3f} with lr 1.0 kept fixed",
            np.allclose(lr_seen, [0.5 ** (t // step) for t in range(epochs)]),
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        for label, c in curves.items():
            shown = [v if np.isfinite(v) else np.nan for v in c]
            ax.plot(range(1, epochs + 1), shown, marker="o", label=f"{label} (lr {lrs[label]:g})")
        ax.set(xlabel="epoch", ylabel="training loss", yscale="log", title="three learning rates")
        ax.legend()

    return Finding(
        checks,
        numbers={
            "lrs": lrs,
            "curves": curves,
            "scheduled_final_loss": scheduled,
            "step_lr_values": lr_seen,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-HYPER
class _CountingSGD(gk.optim.SGD):
    """SGD that counts its steps (one step = one iteration)."""

    steps = 0

    def step(self, closure=None):
        self.steps += 1
        return super().step(closure)


@experiment(
    "NN-HYPER",
    group="NN",
    title="Parameters, hyperparameters, epochs and iterations",
    claim="With 1000 examples and batch size 200 an epoch is 5 iterations (optimizer "
    "steps); training changes the parameters, never the hyperparameters.",
    formula="iterations per epoch = ⌈N / batch size⌉",
    code=("gradkit.train.model", "Model.fit"),
    test=TEST,
)
def nn_hyper(quick: bool) -> Finding:
    X, y, _, _ = image_subset(1000, 1, seed=0)
    counts = {}
    model = None
    for batch_size, epochs in ((200, 3), (300, 2)):
        gk.manual_seed(0)
        model = gk.Model(mlp(784, [32]))
        opt = _CountingSGD(model.parameters(), lr=0.1)
        model.compile(optimizer=opt, loss="cross_entropy")
        before = [p.detach().numpy().copy() for p in model.parameters()]
        model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)
        changed = all(
            not np.array_equal(b, p.detach().numpy()) for b, p in zip(before, model.parameters())
        )
        counts[batch_size] = dict(
            epochs=epochs, steps=opt.steps, changed=changed, lr_after=opt.param_groups[0]["lr"]
        )
    n_params = sum(p.numel() for p in model.parameters())
    c200, c300 = counts[200], counts[300]
    checks = [
        Check(
            "1000 examples in batches of 200: 5 iterations per epoch",
            f"{c200['steps']} optimizer steps in {c200['epochs']} epochs = "
            f"{c200['steps'] / c200['epochs']:g} per epoch",
            c200["steps"] == 5 * c200["epochs"],
        ),
        Check(
            "a last partial batch is one more iteration (⌈1000/300⌉ = 4)",
            f"batch 300: {c300['steps']} steps in {c300['epochs']} epochs",
            c300["steps"] == 4 * c300["epochs"],
        ),
        Check(
            "training changes parameters, not hyperparameters",
            f"all {n_params} parameters changed: {c200['changed']}; learning rate still "
            f"{c200['lr_after']:g}",
            c200["changed"] and c200["lr_after"] == 0.1,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        sizes = [25, 50, 100, 200, 300, 500, 1000]
        ax.plot(sizes, [math.ceil(1000 / b) for b in sizes], marker="o")
        ax.scatter(
            list(counts),
            [c["steps"] / c["epochs"] for c in counts.values()],
            color="r",
            zorder=3,
            label="measured",
        )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="batch size",
            ylabel="iterations per epoch",
            title="N = 1000",
        )
        ax.legend()

    return Finding(checks, numbers={"counts": counts, "n_params": n_params}, draw=draw)


# ---------------------------------------------------------------------------- NN-SEARCH
class NetClassifier(ClassifierMixin, BaseEstimator):
    """A one-hidden-layer net as a scikit-learn classifier, for the searches.

    Hyperparameters: ``lr`` (the SGD step; it matters a lot) and ``width`` (hidden
    units; between 16 and 64 it barely matters here).
    """

    def __init__(self, lr: float = 0.1, width: int = 32, epochs: int = 4):
        self.lr = lr
        self.width = width
        self.epochs = epochs

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        gk.manual_seed(0)
        self.net_ = mlp(X.shape[1], [int(self.width)], len(self.classes_))
        opt = gk.optim.SGD(self.net_.parameters(), lr=float(self.lr))
        train(self.net_, X.astype(np.float32), y, epochs=self.epochs, optimizer=opt, batch_size=50)
        return self

    def predict(self, X):
        return self.classes_[predict(self.net_, X.astype(np.float32)).argmax(1)]


@experiment(
    "NN-SEARCH",
    group="NN",
    title="Random search vs grid search",
    claim="With the same budget, random search beats grid search when one "
    "hyperparameter matters much more than the others: the grid tries only a few values "
    "of it.",
    formula="9 trials: grid 3 × 3 (3 learning rates) vs 9 random (9 learning rates)",
    code=("gradkit.ml.model_selection", "RandomizedSearchCV"),
    test=TEST,
)
def nn_search(quick: bool) -> Finding:
    from scipy.stats import loguniform, randint

    from gradkit.ml.model_selection import GridSearchCV, RandomizedSearchCV, ShuffleSplit

    X, y, Xt, yt = image_subset(1000 if quick else 2000, 1000 if quick else 5000, seed=0)
    cv = ShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
    widths = [16, 40, 64]
    # Where the grid's three learning rates fall is luck: average over placements of
    # the same 4-decade range, and over random search's seeds in each.
    lows = [1e-4, 3e-4, 1e-3] if quick else [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3]
    seeds = range(2 if quick else 6)
    grids, randoms = [], []
    for low in lows:
        lrs = [low, low * 1e2, low * 1e4]
        grid = GridSearchCV(NetClassifier(), {"lr": lrs, "width": widths}, cv=cv, refit=False)
        grids.append(grid.fit(X, y))
        for s in seeds:
            space = {"lr": loguniform(low, low * 1e4), "width": randint(16, 65)}
            search = RandomizedSearchCV(
                NetClassifier(), space, n_iter=9, cv=cv, refit=False, random_state=s
            )
            randoms.append((low, search.fit(X, y)))

    def test_score(search):
        return NetClassifier(**search.best_params_).fit(X, y).score(Xt, yt)

    grid_val = float(np.mean([g.best_score_ for g in grids]))
    rand_val = float(np.mean([r.best_score_ for _, r in randoms]))
    grid_test = float(np.mean([test_score(g) for g in grids]))
    rand_test = float(np.mean([test_score(r) for _, r in randoms]))
    # How much each hyperparameter matters, from the grids: spread along each axis.
    lr_effect = float(
        np.mean(
            [np.ptp(np.reshape(g.cv_results_["mean_test_score"], (3, 3)).max(1)) for g in grids]
        )
    )
    width_effect = float(
        np.mean(
            [np.ptp(np.reshape(g.cv_results_["mean_test_score"], (3, 3)), 1).max() for g in grids]
        )
    )
    checks = [
        Check(
            "the learning rate matters much more than the width",
            f"validation accuracy range along lr {pct(lr_effect)}, along width at most "
            f"{pct(width_effect)} (mean over the grids)",
            lr_effect > 3 * width_effect,
        ),
        Check(
            "random search beats grid search with the same 9 trials",
            f"mean over {len(lows)} range placements ({len(seeds)} random seeds each): best "
            f"validation accuracy grid {pct(grid_val)}, random {pct(rand_val)}; test "
            f"accuracy of the chosen configs grid {pct(grid_test)}, random {pct(rand_test)}",
            rand_test > grid_test + 0.01 and rand_val > grid_val,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        g = grids[0].cv_results_
        ax.scatter(
            g["param_lr"],
            g["param_width"],
            c=g["mean_test_score"],
            marker="s",
            s=120,
            vmin=0,
            vmax=1,
            label="grid",
        )
        r = randoms[0][1].cv_results_
        sc = ax.scatter(
            r["param_lr"],
            r["param_width"],
            c=r["mean_test_score"],
            marker="o",
            s=60,
            vmin=0,
            vmax=1,
            edgecolors="k",
            label="random (seed 0)",
        )
        fig.colorbar(sc, ax=ax, label="validation accuracy")
        ax.set(xscale="log", xlabel="learning rate", ylabel="hidden units", title="9 trials each")
        ax.legend()

    return Finding(
        checks,
        numbers={
            "grid_val": grid_val,
            "random_val": rand_val,
            "grid_test": grid_test,
            "random_test": rand_test,
            "lr_effect": lr_effect,
            "width_effect": width_effect,
            "grid_best_lr": [g.best_params_["lr"] for g in grids],
        },
        draw=draw,
    )
