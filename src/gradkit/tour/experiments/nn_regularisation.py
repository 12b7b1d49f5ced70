"""Fighting over-fitting and sizing a net: dropout (NN-DROPOUT), L1/L2 penalties
(NN-L1L2), early stopping (NN-EARLYSTOP) and capacity, deep vs shallow (NN-CAPACITY)."""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.tour.experiments._nn_common import (
    accuracy,
    image_subset,
    linears,
    mean_loss,
    mlp,
    mnist1d,
    pct,
    predict,
    train,
)
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_nn_regularisation.py"


# ---------------------------------------------------------------------------- NN-DROPOUT
@experiment(
    "NN-DROPOUT",
    group="NN",
    title="Dropout",
    claim="Dropping units with probability p while training narrows the train/test gap; "
    "too little does little and too much under-fits; the test-time net approximates the "
    "average of the weight-sharing sub-networks.",
    formula="train: y = m ⊙ x / (1 − p), m ~ Bernoulli(1 − p); test: y = x",
    code=("gradkit.nn.dropout", "Dropout"),
    test=TEST,
    note="p is the probability of dropping a unit (PyTorch, Keras); TensorFlow 1's "
    "keep_prob is 1 − p. So a higher dropout rate means fewer active units, not more "
    "as the seed text says.",
)
def nn_dropout(quick: bool) -> Finding:
    X, y, Xt, yt = image_subset(500 if quick else 2000, 2000 if quick else 5000, seed=0)
    epochs = 20 if quick else 40
    rates = [0.0, 0.1, 0.5, 0.9]
    runs, nets = {}, {}
    for p in rates:
        gk.manual_seed(0)
        net = mlp(784, [128, 128], dropout=p)
        train(
            net,
            X,
            y,
            epochs=epochs,
            batch_size=50,
            optimizer=gk.optim.Adam(net.parameters(), lr=1e-3),
        )
        nets[p] = net
        tr, te = mean_loss(net, X, y), mean_loss(net, Xt, yt)
        runs[p] = dict(
            train_loss=tr,
            test_loss=te,
            gap=te - tr,
            train_acc=accuracy(net, X, y),
            test_acc=accuracy(net, Xt, yt),
        )
    # The mechanism: inverted scaling in training, identity at test time.
    gk.manual_seed(1)
    layer = nn.Dropout(0.8)
    ones = gk.ones(100_000)
    out = layer(ones).numpy()
    dropped, kept_value, mean_out = float((out == 0).mean()), float(out.max()), float(out.mean())
    layer.eval()
    identity = bool((layer(ones).numpy() == 1).all())
    # Sub-network average: 50 random masks (train mode) vs the test-time net.
    net = nets[0.5]
    logits = []
    net.train()
    with gk.no_grad():
        for _ in range(50):
            logits.append(net(gk.tensor(Xt)).numpy())
    probs = np.exp(np.stack(logits) - np.stack(logits).max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    ensemble = probs.mean(0).argmax(1)
    single = float(np.mean([(p.argmax(1) == yt).mean() for p in probs]))
    ensemble_acc = float((ensemble == yt).mean())
    test_pred = predict(net, Xt).argmax(1)
    agree = float((test_pred == ensemble).mean())

    r0, r1, r5, r9 = runs[0.0], runs[0.1], runs[0.5], runs[0.9]
    checks = [
        Check(
            "dropout narrows the train/test gap",
            f"test − train loss: p=0 {r0['gap']:.3f}, p=0.5 {r5['gap']:.3f}; test accuracy "
            f"{pct(r0['test_acc'])} → {pct(r5['test_acc'])}",
            r5["gap"] < 0.8 * r0["gap"],
        ),
        Check(
            "too little dropout has little effect",
            f"p=0.1: gap {r1['gap']:.3f}, test accuracy {pct(r1['test_acc'])} (p=0: "
            f"{r0['gap']:.3f}, {pct(r0['test_acc'])})",
            abs(r1["test_acc"] - r0["test_acc"]) < 0.015 and r1["gap"] > r5["gap"],
        ),
        Check(
            "too much dropout under-fits",
            f"p=0.9: training accuracy {pct(r9['train_acc'])}, test {pct(r9['test_acc'])} "
            f"(p=0.5: {pct(r5['train_acc'])}, {pct(r5['test_acc'])})",
            r9["train_acc"] < r5["train_acc"] - 0.05 and r9["test_acc"] < r5["test_acc"],
        ),
        Check(
            "p is the drop probability; kept units are scaled by 1/(1 − p); off at test time",
            f"Dropout(0.8) in training: {pct(dropped)} zeroed, kept units = {kept_value:g}, "
            f"mean {mean_out:.3f}; in eval mode the identity: {identity}",
            abs(dropped - 0.8) < 0.01
            and abs(kept_value - 5.0) < 1e-5
            and abs(mean_out - 1) < 0.03
            and identity,
        ),
        Check(
            "the test-time net approximates the average of the sub-networks",
            f"p=0.5 net: averaged over 50 masks {pct(ensemble_acc)} (one mask "
            f"{pct(single)} on average); test-time net agrees with the average on "
            f"{pct(agree)} of digits",
            agree > 0.95 and ensemble_acc > single,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(rates, [runs[p]["train_acc"] for p in rates], marker="o", label="train")
        ax.plot(rates, [runs[p]["test_acc"] for p in rates], marker="o", label="test")
        ax.set(
            xlabel="drop probability p",
            ylabel="accuracy",
            title=f"784-128-128-10 on {len(X)} digits",
        )
        ax.legend()

    return Finding(
        checks,
        numbers={
            "runs": {str(p): r for p, r in runs.items()},
            "dropped_fraction": dropped,
            "kept_value": kept_value,
            "ensemble_acc": ensemble_acc,
            "single_mask_acc": single,
            "agreement": agree,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-L1L2
@experiment(
    "NN-L1L2",
    group="NN",
    title="L1 and L2 regularisation",
    claim="Weight norms shrink as the penalty λ grows; L2 (weight decay) scales the "
    "weights down each step, L1 drives many to zero; too large a λ under-fits.",
    formula="L + λ‖W‖₂² (weight decay: w ← w − η(∇L + λw))  or  L + λ‖W‖₁",
    code=("gradkit.optim.sgd", "SGD"),
    test=TEST,
)
def nn_l1l2(quick: bool) -> Finding:
    X, y, Xt, yt = image_subset(500 if quick else 2000, 2000 if quick else 5000, seed=0)
    epochs = 15 if quick else 30
    lams = [0.0, 1e-4, 1e-3, 1e-2, 1e-1]  # L2
    lams1 = [0.0, 1e-5, 1e-4, 1e-3, 1e-2]  # L1: Σ|w| is far larger than ½‖w‖², so smaller λ
    l2, l1 = {}, {}
    for lam, lam1 in zip(lams, lams1):
        gk.manual_seed(0)
        net = mlp(784, [64])
        opt = gk.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=lam)
        train(net, X, y, epochs=epochs, batch_size=50, optimizer=opt)
        W = np.concatenate([m.weight.detach().numpy().ravel() for m in linears(net)])
        l2[lam] = dict(norm=float(np.linalg.norm(W)), test_error=1 - accuracy(net, Xt, yt))
        gk.manual_seed(0)
        net = mlp(784, [64])
        weights = [m.weight for m in linears(net)]
        opt = gk.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        train(
            net,
            X,
            y,
            epochs=epochs,
            batch_size=50,
            optimizer=opt,
            penalty=lambda lam1=lam1, weights=weights: lam1 * sum(w.abs().sum() for w in weights),
        )
        W = np.concatenate([w.detach().numpy().ravel() for w in weights])
        l1[lam1] = dict(
            norm=float(np.abs(W).sum()),
            near_zero=float((np.abs(W) < 1e-3).mean()),
            test_error=1 - accuracy(net, Xt, yt),
        )
    # One step of weight decay on a zero loss gradient: w ← (1 − ηλ) w.
    w = gk.nn.Parameter(gk.ones(3))
    opt = gk.optim.SGD([w], lr=0.1, weight_decay=0.5)
    (w * 0).sum().backward()
    opt.step()
    decay = w.detach().numpy().tolist()

    def decreasing(values):
        return all(b < a for a, b in zip(values, values[1:]))

    l2_norms = [l2[lam]["norm"] for lam in lams]
    l1_norms = [l1[lam]["norm"] for lam in lams1]
    zeros = [l1[lam]["near_zero"] for lam in lams1]
    err2 = [l2[lam]["test_error"] for lam in lams]
    err1 = [l1[lam]["test_error"] for lam in lams1]
    checks = [
        Check(
            "L2: the weight norm shrinks as λ grows",
            "‖W‖₂ for λ = " + ", ".join(f"{lam:g}: {v:.2f}" for lam, v in zip(lams, l2_norms)),
            decreasing(l2_norms),
        ),
        Check(
            "weight decay multiplies the weights by (1 − ηλ) each step",
            f"ones after one step with zero gradient, η = 0.1, λ = 0.5: {decay}",
            np.allclose(decay, 0.95, rtol=0, atol=1e-7),
        ),
        Check(
            "L1: the weights' ‖W‖₁ shrinks and more of them reach zero as λ grows",
            f"λ = {lams1}: ‖W‖₁ "
            + ", ".join(f"{v:.0f}" for v in l1_norms)
            + "; weights with |w| < 10⁻³: "
            + ", ".join(pct(z) for z in zeros),
            decreasing(l1_norms) and max(zeros[1:]) > 0.3 and zeros[-1] > 5 * zeros[0],
        ),
        Check(
            "too large a λ under-fits",
            "test error, L2 by λ: "
            + ", ".join(f"{lam:g}: {pct(a)}" for lam, a in zip(lams, err2))
            + "; L1: "
            + ", ".join(f"{lam:g}: {pct(a)}" for lam, a in zip(lams1, err1)),
            err2[-1] > min(err2) + 0.05 and err1[-1] > min(err1) + 0.05,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        xs = [max(lam, 1e-5) for lam in lams]
        xs1 = [max(lam, 1e-6) for lam in lams1]
        ax.plot(xs, np.array(l2_norms) / l2_norms[0], marker="o", label="L2: ‖W‖₂")
        ax.plot(xs1, np.array(l1_norms) / l1_norms[0], marker="o", label="L1: ‖W‖₁")
        ax.set(xscale="log", xlabel="λ (0 drawn at the left end)", ylabel="norm / norm at λ = 0")
        ax.legend()
        ax2 = fig.add_subplot(1, 2, 2)
        ax2.plot(xs, err2, marker="o", label="L2")
        ax2.plot(xs1, err1, marker="o", label="L1")
        ax2.set(xscale="log", xlabel="λ", ylabel="test error")
        ax2.legend()

    return Finding(
        checks,
        numbers={
            "lams_l2": lams,
            "lams_l1": lams1,
            "l2": {str(k): v for k, v in l2.items()},
            "l1": {str(k): v for k, v in l1.items()},
            "decay_step": decay,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-EARLYSTOP
class _Snapshot(gk.train.Callback):
    """Records per-epoch predictions on a pool, and the weights at the end of training
    before EarlyStopping (listed after this callback) restores the best ones."""

    def __init__(self, pool: np.ndarray) -> None:
        self.pool = pool
        self.correct: list[np.ndarray] = []

    def on_epoch_end(self, epoch, logs=None):
        self.correct.append(self.model.predict(self.pool, batch_size=1000).argmax(1))

    def on_train_end(self, logs=None):
        self.final_weights = self.model.get_weights()


@experiment(
    "NN-EARLYSTOP",
    group="NN",
    title="Early stopping",
    claim="Training stops once the validation loss has not improved for `patience` "
    "epochs, and the weights of the best epoch are restored; the stopping point must be "
    "chosen on a validation set, never the test set.",
    formula="stop at epoch t when min_{s ≤ t} val(s) = min_{s ≤ t − patience} val(s)",
    code=("gradkit.train.callbacks", "EarlyStopping"),
    test=TEST,
    note="The seed text stops on the test set. The test set must stay unseen: choosing "
    "the epoch by its score makes that score optimistic (measured here), so early "
    "stopping monitors a validation set split from the training data.",
)
def nn_earlystop(quick: bool) -> Finding:
    X, y, Xt, yt = image_subset(600 if quick else 3000, 2000 if quick else 10000, seed=0)
    n_val = len(X) // 5
    Xtr, ytr, Xval, yval = X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    gk.manual_seed(0)
    model = gk.Model(mlp(784, [256, 256]))
    model.compile(
        optimizer=lambda p: gk.optim.Adam(p, lr=2e-3), loss="cross_entropy", metrics=["accuracy"]
    )
    patience, max_epochs = 3, 60
    snap = _Snapshot(Xt)
    stop = gk.train.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    hist = model.fit(
        Xtr,
        ytr,
        epochs=max_epochs,
        batch_size=50,
        validation_data=(Xval, yval),
        callbacks=[snap, stop],
        verbose=0,
    )
    val = hist.history["val_loss"]
    best = int(np.argmin(val))
    ran = len(val)
    restored_val = model.evaluate(Xval, yval, batch_size=1000, return_dict=True)["loss"]
    restored_test = model.evaluate(Xt, yt, batch_size=1000, return_dict=True)["loss"]
    best_weights = model.get_weights()
    model.set_weights(snap.final_weights)
    final_test = model.evaluate(Xt, yt, batch_size=1000, return_dict=True)["loss"]
    model.set_weights(best_weights)
    # The leak: pick the epoch on half of the test pool, score it on the other half.
    correct = np.stack([c == yt for c in snap.correct])  # (epochs, pool)
    rng = np.random.default_rng(0)
    optimism = []
    for _ in range(200):
        a = rng.permutation(len(yt))
        A, B = a[: len(a) // 2], a[len(a) // 2 :]
        e = int(correct[:, A].mean(1).argmax())
        optimism.append(correct[e, A].mean() - correct[e, B].mean())
    optimism = float(np.mean(optimism))
    checks = [
        Check(
            "training stops `patience` epochs after the best validation loss",
            f"best val_loss {val[best]:.4f} at epoch {best + 1}; stopped after epoch {ran} "
            f"of {max_epochs} (patience {patience})",
            ran == best + 1 + patience and ran < max_epochs,
        ),
        Check(
            "the best epoch's weights are restored",
            f"val_loss after training {restored_val:.4f} = best {val[best]:.4f} (last epoch "
            f"{val[-1]:.4f}); test loss restored {restored_test:.4f}, last epoch's weights "
            f"{final_test:.4f}",
            abs(restored_val - val[best]) < 1e-4 and val[-1] > val[best],
        ),
        Check(
            "stopping on the test set makes the test score optimistic",
            f"epoch chosen on one half of the test digits scores {pct(optimism)} better "
            f"there than on the other half (mean of 200 random halvings)",
            optimism > 0,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        epochs = range(1, ran + 1)
        ax.plot(epochs, hist.history["loss"], marker="o", label="training loss")
        ax.plot(epochs, val, marker="o", label="validation loss")
        ax.axvline(best + 1, color="g", ls="--", label="best (restored)")
        ax.axvline(ran, color="r", ls=":", label="stopped")
        ax.set(xlabel="epoch", ylabel="loss", title=f"EarlyStopping(patience={patience})")
        ax.legend()

    return Finding(
        checks,
        numbers={
            "best_epoch": best + 1,
            "epochs_run": ran,
            "patience": patience,
            "val_loss": val,
            "restored_val_loss": restored_val,
            "restored_test_loss": restored_test,
            "final_test_loss": final_test,
            "test_selection_optimism": optimism,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-CAPACITY
@experiment(
    "NN-CAPACITY",
    group="NN",
    title="Capacity: deep vs shallow",
    claim="A deeper net reaches an accuracy with fewer parameters than a shallow one.",
    formula="parameters of Linear(m, n) = m·n + n",
    code=("gradkit.train.summary", "summarize"),
    test=TEST,
)
def nn_capacity(quick: bool) -> Finding:
    X, y, Xt, yt = mnist1d()
    epochs, lr = (25, 5e-3) if quick else (40, 3e-3)
    shapes = {"shallow": [[128], [256], [512]], "deep": [[32, 32], [64, 64]]}
    if not quick:
        shapes = {
            "shallow": [[32], [64], [128], [256], [512], [1024]],
            "deep": [[32, 32], [64, 64], [32, 32, 32], [64, 64, 64]],
        }
    results = {}
    for kind, widths_list in shapes.items():
        for widths in widths_list:
            gk.manual_seed(0)
            model = gk.Model(mlp(40, widths))
            model.compile(
                optimizer=lambda p, lr=lr: gk.optim.Adam(p, lr=lr),
                loss="cross_entropy",
                metrics=["accuracy"],
            )
            model.fit(X, y, epochs=epochs, batch_size=100, verbose=0, seed=0)
            summary = model.summary(input_shape=(40,), print_fn=None)
            counted = sum(p.numel() for p in model.parameters())
            acc = model.evaluate(Xt, yt, batch_size=1000, return_dict=True)["accuracy"]
            results["-".join(map(str, widths))] = dict(
                kind=kind, params=counted, acc=acc, summary_ok=f"{counted:,}" in summary
            )
    deep = {k: r for k, r in results.items() if r["kind"] == "deep"}
    shallow = {k: r for k, r in results.items() if r["kind"] == "shallow"}
    name, best_deep = max(deep.items(), key=lambda kv: kv[1]["acc"])
    # The fewest parameters that reach the best deep net's accuracy (less half a point),
    # deep vs shallow; a shallow net that never reaches it needs more than the biggest.
    target = best_deep["acc"] - 0.005

    def fewest(nets):
        reaching = [(r["params"], k) for k, r in nets.items() if r["acc"] >= target]
        return min(reaching) if reaching else None

    deep_min, shallow_min = fewest(deep), fewest(shallow)
    biggest = max(r["params"] for r in shallow.values())
    best_shallow = max(shallow.items(), key=lambda kv: kv[1]["acc"])
    checks = [
        Check(
            "a deeper net reaches an accuracy with fewer parameters than a shallow one",
            f"MNIST-1D, test accuracy ≥ {pct(target)}: deep {deep_min[1]} with "
            f"{deep_min[0]:,} parameters; "
            + (
                f"shallow needs {shallow_min[0]:,} ({shallow_min[1]})"
                if shallow_min
                else f"no shallow net up to {biggest:,} parameters reaches it (best "
                f"{best_shallow[0]}: {pct(best_shallow[1]['acc'])})"
            ),
            (shallow_min[0] if shallow_min else biggest) > 3 * deep_min[0],
        ),
        Check(
            "summary() counts the parameters",
            "summary's total equals Σ numel for every model: "
            + str(all(r["summary_ok"] for r in results.values())),
            all(r["summary_ok"] for r in results.values()),
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        for kind, marker in (("shallow", "o"), ("deep", "s")):
            pts = sorted(
                (r["params"], r["acc"], k) for k, r in results.items() if r["kind"] == kind
            )
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=kind)
            for p in pts:
                ax.annotate(p[2], (p[0], p[1]), fontsize=7)
        ax.set(xscale="log", xlabel="parameters", ylabel="test accuracy", title="MNIST-1D")
        ax.legend()

    numbers = {
        "results": results,
        "target": target,
        "deep_min": deep_min,
        "shallow_min": shallow_min,
    }
    return Finding(checks, numbers=numbers, draw=draw)
