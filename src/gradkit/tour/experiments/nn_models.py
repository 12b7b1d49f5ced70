"""Using trained networks: transfer learning (NN-TRANSFER), the Keras-style high-level
API (NN-SEQ-API) and learned representations (NN-REPR)."""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.tour.experiments._nn_common import image_subset, mlp, pct, predict, train
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_nn_models.py"


# ---------------------------------------------------------------------------- NN-TRANSFER
def _lenet_like() -> nn.Sequential:
    """Two conv blocks (the reusable features) and a Linear head."""
    features = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        *(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2)),
        *(nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2)),
        nn.Flatten(),
    )
    return nn.Sequential(features, nn.Linear(256, 10))


@experiment(
    "NN-TRANSFER",
    group="NN",
    title="Transfer learning",
    claim="A network pretrained on MNIST, its head replaced and fine-tuned, learns "
    "Fashion-MNIST from a handful of labelled images better than the same network "
    "trained from scratch.",
    formula="θ = θ_pretrained (features, frozen or fine-tuned) ∪ θ_head (new)",
    code=("gradkit.models.transfer", "replace_head"),
    test=TEST,
)
def nn_transfer(quick: bool) -> Finding:
    from gradkit.models.transfer import freeze, replace_head, trainable_parameters

    Xm, ym, _, _ = image_subset(3000 if quick else 10000, 1, seed=0)
    gk.manual_seed(0)
    pretrained = _lenet_like()
    train(
        pretrained,
        Xm,
        ym,
        epochs=2 if quick else 3,
        batch_size=32,
        optimizer=gk.optim.Adam(pretrained.parameters(), lr=2e-3),
    )
    state = pretrained.state_dict()
    n_labelled, subsets = 20, (5 if quick else 10)
    scores: dict[str, list[float]] = {"scratch": [], "frozen": [], "fine-tuned": []}
    for s in range(subsets):
        X, y, Xt, yt = image_subset(n_labelled, 1000 if quick else 5000, seed=100 + s, fashion=True)
        for mode in scores:
            gk.manual_seed(1)
            net = _lenet_like()
            if mode != "scratch":
                net.load_state_dict(state)
                replace_head(net, 10)
            if mode == "frozen":
                freeze(net[0])
            opt = gk.optim.Adam(trainable_parameters(net), lr=2e-3)
            train(net, X, y, epochs=30, batch_size=32, optimizer=opt)
            scores[mode].append(float((predict(net, Xt).argmax(1) == yt).mean()))
    mean = {k: float(np.mean(v)) for k, v in scores.items()}
    gain = {k: mean[k] - mean["scratch"] for k in ("frozen", "fine-tuned")}
    wins = {k: int(sum(a > b for a, b in zip(scores[k], scores["scratch"]))) for k in gain}
    checks = [
        Check(
            "fine-tuning an MNIST-pretrained net beats training from scratch with little data",
            f"Fashion-MNIST from {n_labelled} labelled images, mean test accuracy over "
            f"{subsets} draws: scratch {pct(mean['scratch'])}, pretrained + fine-tuned "
            f"{pct(mean['fine-tuned'])} (better in {wins['fine-tuned']}/{subsets}), frozen "
            f"features + new head {pct(mean['frozen'])} (better in {wins['frozen']}/{subsets})",
            gain["fine-tuned"] > 0.01 and wins["fine-tuned"] > subsets / 2,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.boxplot(list(scores.values()))
        ax.set_xticks(range(1, 4), list(scores))
        ax.set(
            ylabel="Fashion-MNIST test accuracy",
            title=f"{n_labelled} labelled images, {subsets} draws",
        )

    return Finding(
        checks,
        numbers={
            "scores": scores,
            "mean": mean,
            "gain": gain,
            "wins": wins,
            "n_labelled": n_labelled,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-SEQ-API
class HookRecorder(gk.train.Callback):
    """Writes down every hook ``fit`` calls, in order, and the learning rate per epoch."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lrs: list[float] = []

    def on_train_begin(self, logs=None):
        self.calls.append("on_train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append("on_epoch_begin")
        self.lrs.append(self.model.optimizer.param_groups[0]["lr"])

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append("on_train_batch_begin")

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append("on_train_batch_end")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append("on_epoch_end")

    def on_train_end(self, logs=None):
        self.calls.append("on_train_end")


def expected_hook_order(epochs: int, steps: int) -> list[str]:
    """Keras' order of the training hooks."""
    batch = ["on_train_batch_begin", "on_train_batch_end"] * steps
    epoch = ["on_epoch_begin", *batch, "on_epoch_end"]
    return ["on_train_begin", *(epoch * epochs), "on_train_end"]


@experiment(
    "NN-SEQ-API",
    group="NN",
    title="The Keras-style API",
    claim="Sequential, compile, fit, evaluate, predict, summary, History and callbacks "
    "work as in Keras, with Keras' order of callback hooks.",
    formula="model.compile(optimizer, loss, metrics); model.fit(x, y, epochs, batch_size)",
    code=("gradkit.train.model", "Sequential"),
    test=TEST,
)
def nn_seq_api(quick: bool) -> Finding:
    X, y, Xt, yt = image_subset(1000 if quick else 10000, 1000 if quick else 10000, seed=0)
    epochs, batch_size = 5, 100
    gk.manual_seed(0)
    model = gk.Sequential([nn.Dense(64, activation="relu", input_shape=[784]), nn.Dense(10)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    recorder = HookRecorder()
    schedule = gk.train.LearningRateScheduler(lambda epoch, lr: 4e-3 * 0.5**epoch)
    history = model.fit(
        X,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_split=0.2,
        callbacks=[schedule, recorder],
        verbose=0,
    )
    loss, acc = model.evaluate(Xt, yt, batch_size=500)
    probs = model.predict(Xt, batch_size=500)
    acc_from_predict = float((probs.argmax(1) == yt).mean())
    text = model.summary(print_fn=None)
    n_params = sum(p.numel() for p in model.parameters())
    steps = -(-int(len(X) * 0.8) // batch_size)
    expected = expected_hook_order(epochs, steps)
    keys = sorted(history.history)
    checks = [
        Check(
            "callbacks are called in Keras' order",
            f"{len(recorder.calls)} hook calls: {recorder.calls[:4]} … {recorder.calls[-2:]}; "
            f"matches Keras' order: {recorder.calls == expected}",
            recorder.calls == expected,
        ),
        Check(
            "fit returns a History of every epoch, with validation metrics",
            f"keys {keys}, {len(history.epoch)} epochs; val_accuracy "
            f"{[round(v, 3) for v in history.history['val_accuracy']]}",
            keys == ["accuracy", "learning_rate", "loss", "val_accuracy", "val_loss"]
            and all(len(v) == epochs for v in history.history.values())
            and model.history is history,
        ),
        Check(
            "evaluate and predict agree",
            f"evaluate → loss {loss:.3f}, accuracy {pct(acc)}; argmax of predict "
            f"{pct(acc_from_predict)}; predict shape {probs.shape}",
            abs(acc - acc_from_predict) < 1e-9 and probs.shape == (len(Xt), 10) and acc > 0.75,
        ),
        Check(
            "a callback changes training: LearningRateScheduler sets each epoch's rate",
            f"learning rates seen at epoch start {recorder.lrs}",
            np.allclose(recorder.lrs, [4e-3 * 0.5**e for e in range(epochs)]),
        ),
        Check(
            "summary() lists the layers and counts the parameters",
            f"{n_params:,} parameters (784·64 + 64 + 64·10 + 10 = 50,890) in the summary: "
            f"{f'{n_params:,}' in text}",
            n_params == 50_890 and "50,890" in text and text.count("Dense") == 2,
        ),
    ]

    def draw(fig):
        from gradkit import plot

        plot.history(history, ax=fig.add_subplot(1, 1, 1))

    return Finding(
        checks,
        numbers={
            "hook_calls": len(recorder.calls),
            "hooks_match_keras": recorder.calls == expected,
            "history": history.history,
            "evaluate": [loss, acc],
            "predict_accuracy": acc_from_predict,
            "n_params": n_params,
            "lrs": recorder.lrs,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-REPR
@experiment(
    "NN-REPR",
    group="NN",
    title="Learned representations",
    claim="Hidden layers learn features: in the last hidden layer of a trained net the "
    "classes separate far better than in the raw pixels or in an untrained net.",
    formula="h = g(W₂ g(W₁ x + b₁) + b₂), then PCA to 2-D",
    code=("gradkit.ml.decomposition", "PCA"),
    test=TEST,
)
def nn_repr(quick: bool) -> Finding:
    from gradkit.ml.decomposition import PCA
    from gradkit.ml.metrics import silhouette_score
    from gradkit.ml.neighbors import KNeighborsClassifier

    X, y, Xt, yt = image_subset(2000 if quick else 10000, 1000 if quick else 5000, seed=0)

    def hidden(net, data):
        net.eval()
        with gk.no_grad():
            return net[:-1](gk.tensor(data)).numpy().astype(np.float64)  # up to the head

    gk.manual_seed(0)
    untrained = mlp(784, [128, 32])
    gk.manual_seed(0)
    trained = mlp(784, [128, 32])
    train(
        trained,
        X,
        y,
        epochs=5 if quick else 10,
        optimizer=gk.optim.Adam(trained.parameters(), lr=1e-3),
    )
    spaces = {
        "raw pixels": (X.astype(np.float64), Xt.astype(np.float64)),
        "untrained net": (hidden(untrained, X), hidden(untrained, Xt)),
        "trained net": (hidden(trained, X), hidden(trained, Xt)),
    }
    result, embedded = {}, {}
    for name, (tr, te) in spaces.items():
        embedded[name] = PCA(n_components=2).fit(tr).transform(te)  # for the picture
        knn = KNeighborsClassifier(n_neighbors=5).fit(tr, y).score(te, yt)
        result[name] = dict(
            dims=tr.shape[1],
            silhouette=float(silhouette_score(te, yt)),
            silhouette_pca2=float(silhouette_score(embedded[name], yt)),
            knn=float(knn),
        )
    raw, rnd, lrn = result["raw pixels"], result["untrained net"], result["trained net"]
    checks = [
        Check(
            "in the trained net's last hidden layer the classes cluster",
            "silhouette of the digit classes: "
            + ", ".join(f"{k} ({v['dims']}-D) {v['silhouette']:+.2f}" for k, v in result.items())
            + "; in the 2-D PCA: "
            + ", ".join(f"{v['silhouette_pca2']:+.2f}" for v in result.values()),
            lrn["silhouette"] > raw["silhouette"] + 0.1
            and lrn["silhouette"] > rnd["silhouette"] + 0.1,
        ),
        Check(
            "32 learned features classify about as well as 784 pixels; 32 random ones do not",
            "5-NN test accuracy: " + ", ".join(f"{k} {pct(v['knn'])}" for k, v in result.items()),
            lrn["knn"] > raw["knn"] - 0.05 and lrn["knn"] > rnd["knn"] + 0.15,
        ),
    ]

    def draw(fig):
        from gradkit import plot

        for i, name in enumerate(("raw pixels", "trained net")):
            ax = fig.add_subplot(1, 2, i + 1)
            plot.embedding(embedded[name], labels=yt, ax=ax)
            ax.set_title(f"PCA of {name}")

    return Finding(checks, numbers={"spaces": result}, draw=draw)
