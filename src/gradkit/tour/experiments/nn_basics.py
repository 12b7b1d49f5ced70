"""Neurons, perceptrons, multi-layer perceptrons, backpropagation and activations
(NN-NEURON, NN-PERCEPTRON, NN-MLP, NN-BACKPROP, NN-ACT)."""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.nn import functional as F
from gradkit.tour.experiments._nn_common import (
    accuracy,
    image_subset,
    linears,
    mlp,
    pct,
    predict,
    train,
)
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_nn_basics.py"
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([0, 1, 1, 0])


# ---------------------------------------------------------------------------- NN-NEURON
@experiment(
    "NN-NEURON",
    group="NN",
    title="The linear unit",
    claim="One neuron y = w·x + b fitted by gradient descent recovers a linear law; "
    "the bias is a weight on a constant input 1.",
    formula="y = w·x + b = [w, b]·[x, 1]",
    code=("gradkit.nn.linear", "Dense"),
    test=TEST,
)
def nn_neuron(quick: bool) -> Finding:
    from gradkit import keras

    rng = np.random.default_rng(0)
    n = 200 if quick else 2000
    w_true, b_true = np.array([2.0, -3.0, 0.5]), 1.0
    X = rng.normal(size=(n, 3)).astype(np.float32)
    y = (X @ w_true + b_true + 0.05 * rng.normal(size=n)).astype(np.float32)[:, None]
    # The seed's Keras example, with only the import changed.
    gk.manual_seed(0)
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[3])])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit(X, y, epochs=50 if quick else 200, verbose=0)
    kernel, bias = model.get_weights()
    w_fit, b_fit = kernel.ravel().astype(float), float(bias[0])
    # Least squares on [x, 1] (the bias as the weight of a constant input) is the exact
    # minimiser of the same loss.
    X1 = np.hstack([X, np.ones((n, 1), np.float32)]).astype(float)
    exact = np.linalg.lstsq(X1, y.astype(float), rcond=None)[0].ravel()
    # A bias-free neuron on [x, 1] learns the bias as its fourth weight.
    gk.manual_seed(0)
    no_bias = gk.Sequential([nn.Dense(1, use_bias=False, input_shape=[4])])
    no_bias.compile(optimizer="sgd", loss="mse")
    no_bias.fit(X1.astype(np.float32), y, epochs=50 if quick else 200, verbose=0)
    w4 = no_bias.get_weights()[0].ravel().astype(float)

    err_truth = float(np.abs(np.append(w_fit, b_fit) - np.append(w_true, b_true)).max())
    err_exact = float(np.abs(np.append(w_fit, b_fit) - exact).max())
    err_bias = float(np.abs(w4 - exact).max())
    checks = [
        Check(
            "Keras' one-neuron example fits w and b of a linear law",
            f"fitted w = {np.round(w_fit, 3).tolist()}, b = {b_fit:.3f} (true "
            f"{w_true.tolist()}, {b_true}); max error {err_truth:.3f}, vs least squares "
            f"{err_exact:.1e}",
            err_truth < 0.05 and err_exact < 0.01,
        ),
        Check(
            "the bias is a weight on a constant input 1",
            f"bias-free neuron on [x, 1]: weights {np.round(w4, 3).tolist()}, max "
            f"difference from [w, b] of least squares {err_bias:.1e}",
            err_bias < 0.01,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.semilogy(history.history["loss"])
        ax.set(xlabel="epoch", ylabel="MSE", title="Dense(units=1, input_shape=[3])")
        ax2 = fig.add_subplot(1, 2, 2)
        names = ["w₁", "w₂", "w₃", "b"]
        pos = np.arange(4)
        ax2.bar(pos - 0.2, np.append(w_true, b_true), 0.4, label="true")
        ax2.bar(pos + 0.2, np.append(w_fit, b_fit), 0.4, label="fitted")
        ax2.set_xticks(pos, names)
        ax2.legend()

    return Finding(
        checks,
        numbers={
            "w": w_fit.tolist(),
            "b": b_fit,
            "w_true": w_true.tolist(),
            "b_true": b_true,
            "err_truth": err_truth,
            "err_exact": err_exact,
            "err_bias_as_weight": err_bias,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-PERCEPTRON
def _perceptron_epochs(X: np.ndarray, y: np.ndarray, epochs: int) -> tuple[list[int], object]:
    """Train a Perceptron one epoch at a time; training mistakes after each epoch."""
    from gradkit.ml.linear_model import Perceptron

    clf = Perceptron(random_state=0)
    mistakes = []
    for _ in range(epochs):
        clf.partial_fit(X, y, classes=np.unique(y))
        mistakes.append(int((clf.predict(X) != y).sum()))
    return mistakes, clf


@experiment(
    "NN-PERCEPTRON",
    group="NN",
    title="The perceptron",
    claim="The perceptron rule converges (no mistakes left) on linearly separable data "
    "and can never classify XOR.",
    formula="on a mistake: w ← w + η y x, b ← b + η y",
    code=("gradkit.ml.linear_model", "Perceptron"),
    test=TEST,
)
def nn_perceptron(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_blobs

    X, y = make_blobs(
        n_samples=200 if quick else 2000,
        centers=[[-1, -1], [1, 1]],
        cluster_std=0.45,
        random_state=0,
    )
    epochs = 20 if quick else 100
    sep_mistakes, sep_clf = _perceptron_epochs(X, y, epochs)
    # XOR with a little noise around the four corners, many points.
    rng = np.random.default_rng(0)
    corners = rng.integers(0, 4, 200 if quick else 2000)
    Xx = XOR_X[corners] + 0.1 * rng.normal(size=(len(corners), 2))
    yx = XOR_Y[corners]
    xor_mistakes, xor_clf = _perceptron_epochs(Xx, yx, epochs)
    best_xor = 1 - min(xor_mistakes) / len(yx)
    converged_at = next((i + 1 for i, m in enumerate(sep_mistakes) if m == 0), None)
    checks = [
        Check(
            "on linearly separable data the perceptron converges",
            f"training mistakes per epoch {sep_mistakes[:5]}…; none left from epoch "
            f"{converged_at} on, and none after {epochs} epochs",
            converged_at is not None
            and sep_mistakes[-1] == 0
            and all(m == 0 for m in sep_mistakes[converged_at - 1 :]),
        ),
        Check(
            "on XOR it cannot: no line separates the classes",
            f"best training accuracy over {epochs} epochs {pct(best_xor)} (a line gets at "
            f"most 3 of XOR's 4 corners); mistakes still {xor_mistakes[-1]} at the end",
            best_xor <= 0.8 and xor_mistakes[-1] > 0,
        ),
    ]

    def draw(fig):
        from gradkit import plot

        ax = fig.add_subplot(1, 2, 1)
        plot.decision_boundary(sep_clf, X, y, ax=ax)
        ax.set_title("separable: converges")
        ax2 = fig.add_subplot(1, 2, 2)
        plot.decision_boundary(xor_clf, Xx, yx, ax=ax2)
        ax2.set_title("XOR: cannot")

    return Finding(
        checks,
        numbers={
            "separable_mistakes": sep_mistakes,
            "converged_epoch": converged_at,
            "xor_mistakes": xor_mistakes,
            "xor_best_accuracy": best_xor,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-MLP
@experiment(
    "NN-MLP",
    group="NN",
    title="Multi-layer perceptron",
    claim="A hidden layer with a non-linear activation learns XOR and a real dataset; "
    "without non-linear activations a deep net is one linear map and fails XOR.",
    formula="z = W x + b, a = g(z), layer after layer",
    code=("gradkit.nn.containers", "Sequential"),
    test=TEST,
)
def nn_mlp(quick: bool) -> Finding:
    def fit_xor(act):
        gk.manual_seed(0)
        net = mlp(2, [8, 8, 8], 2, act=act)
        opt = gk.optim.Adam(net.parameters(), lr=0.05)
        train(net, XOR_X, XOR_Y, epochs=300, optimizer=opt, batch_size=4)
        return net, accuracy(net, XOR_X, XOR_Y)

    tanh_net, xor_tanh = fit_xor(nn.Tanh)
    linear_net, xor_linear = fit_xor(nn.Identity)
    # The identity-activated deep net is exactly one affine map: compose its layers.
    W, b = np.eye(2), np.zeros(2)
    for layer in linears(linear_net):
        Wl = layer.weight.detach().numpy().astype(float)
        W, b = Wl @ W, Wl @ b + layer.bias.detach().numpy()
    grid = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    collapse = float(np.abs(predict(linear_net, grid) - (grid @ W.T + b)).max())

    X, y, Xt, yt = image_subset(2000 if quick else 10000, 1000 if quick else 10000, seed=0)
    gk.manual_seed(0)
    net = mlp(784, [128])
    train(net, X, y, epochs=5 if quick else 10, optimizer=gk.optim.Adam(net.parameters(), lr=1e-3))
    mnist_acc = accuracy(net, Xt, yt)
    checks = [
        Check(
            "an MLP with a non-linear hidden layer learns XOR",
            f"2-8-8-8-2 tanh net: XOR accuracy {pct(xor_tanh)}",
            xor_tanh == 1.0,
        ),
        Check(
            "an MLP learns a real dataset",
            f"784-128-10 ReLU net on {len(X)} MNIST digits: test accuracy {pct(mnist_acc)}",
            mnist_acc > 0.85,
        ),
        Check(
            "without non-linear activations a deep net is linear and fails XOR",
            f"same net with identity activations: XOR accuracy {pct(xor_linear)}; it equals "
            f"one affine map to {collapse:.1e}",
            xor_linear <= 0.75 and collapse < 1e-4,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        u = np.linspace(-0.5, 1.5, 101, dtype=np.float32)
        gx, gy = np.meshgrid(u, u)
        pts = np.column_stack([gx.ravel(), gy.ravel()])
        p = predict(tanh_net, pts).argmax(1).reshape(gx.shape)
        ax.contourf(gx, gy, p, alpha=0.3, levels=[-0.5, 0.5, 1.5])
        ax.scatter(XOR_X[:, 0], XOR_X[:, 1], c=XOR_Y, s=80, edgecolors="k")
        ax.set(title=f"tanh MLP on XOR ({pct(xor_tanh)})", xlabel="x₁", ylabel="x₂")

    return Finding(
        checks,
        numbers={
            "xor_tanh": xor_tanh,
            "xor_linear": xor_linear,
            "linear_collapse_error": collapse,
            "mnist_acc": mnist_acc,
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-BACKPROP
@experiment(
    "NN-BACKPROP",
    group="NN",
    title="Forward and backward propagation",
    claim="Training is the 4-step loop batch → forward → backprop → update; fit() runs "
    "exactly that loop, and backprop's gradients are the true derivatives.",
    formula="δₗ = (Wₗ₊₁ᵀ δₗ₊₁) ⊙ g′(zₗ), ∂L/∂Wₗ = δₗ aₗ₋₁ᵀ",
    code=("gradkit.train.model", "Model.fit"),
    test=TEST,
)
def nn_backprop(quick: bool) -> Finding:
    from gradkit.autograd import gradcheck

    X, y, _, _ = image_subset(512 if quick else 4096, 1, seed=0)
    epochs, batch = 3, 64

    def fresh():
        gk.manual_seed(0)
        return mlp(784, [32, 32])

    # fit() ...
    model = gk.Model(fresh())
    model.compile(optimizer=lambda p: gk.optim.SGD(p, lr=0.3), loss="cross_entropy")
    hist = model.fit(X, y, epochs=epochs, batch_size=batch, shuffle=False, verbose=0)
    # ... and the loop written out.
    net = fresh()
    opt = gk.optim.SGD(net.parameters(), lr=0.3)
    steps = 0
    for _ in range(epochs):
        for start in range(0, len(X), batch):
            xb, yb = gk.tensor(X[start : start + batch]), gk.tensor(y[start : start + batch])  # 1
            loss = F.cross_entropy(net(xb), yb)  # 2 forward
            opt.zero_grad()
            loss.backward()  # 3 backprop
            opt.step()  # 4 update
            steps += 1
    diff = max(
        float(np.abs(a.detach().numpy() - b.detach().numpy()).max())
        for a, b in zip(model.parameters(), net.parameters())
    )
    # Backprop against central finite differences in float64 on a small net.
    gk.manual_seed(0)
    small = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    xs = gk.tensor(np.random.default_rng(0).normal(size=(6, 5)))
    ys = gk.tensor(np.array([0, 1, 2, 0, 1, 2]))
    params = list(small.parameters())

    def loss_of(*ps):
        h = F.tanh(F.linear(xs, ps[0], ps[1]))
        return F.cross_entropy(F.linear(h, ps[2], ps[3]), ys)

    grads_ok = gradcheck(loss_of, *params, eps=1e-6, atol=1e-7, rtol=1e-5, raise_exception=False)
    checks = [
        Check(
            "fit() runs the same batch → forward → backprop → update loop",
            f"{steps} steps by hand and by fit(): largest weight difference {diff:.1e}",
            diff == 0.0,
        ),
        Check(
            "backpropagation computes the true gradient",
            f"gradcheck against central differences (float64): "
            f"{'passed' if grads_ok else 'failed'}",
            bool(grads_ok),
        ),
        Check(
            "the loop lowers the loss",
            f"epoch losses {[round(v, 3) for v in hist.history['loss']]}",
            hist.history["loss"][-1] < hist.history["loss"][0],
        ),
    ]

    def draw(fig):
        from gradkit import plot

        plot.history(hist, ax=fig.add_subplot(1, 1, 1))

    return Finding(
        checks,
        numbers={
            "steps": steps,
            "max_weight_difference": diff,
            "gradcheck": bool(grads_ok),
            "loss": hist.history["loss"],
        },
        draw=draw,
    )


# ---------------------------------------------------------------------------- NN-ACT
ACTIVATIONS = {
    "binary step": F.binary_step,
    "linear": F.identity,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "ReLU": F.relu,
    "leaky ReLU": lambda z: F.leaky_relu(z, 0.01),
    "swish": lambda z: F.swish(z, 1.0),
    "softsign": F.softsign,
    "GELU": F.gelu,
}
LAYERS = {
    "binary step": nn.BinaryStep(),
    "linear": nn.Identity(),
    "sigmoid": nn.Sigmoid(),
    "tanh": nn.Tanh(),
    "ReLU": nn.ReLU(),
    "leaky ReLU": nn.LeakyReLU(0.01),
    "swish": nn.Swish(1.0),
    "softsign": nn.Softsign(),
    "GELU": nn.GELU(),
}


def _derivative(fn, z: np.ndarray) -> np.ndarray:
    t = gk.tensor(z, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


@experiment(
    "NN-ACT",
    group="NN",
    title="Activation functions",
    claim="Each activation exists as a function and a layer with its derivative; tanh "
    "is zero-centred with derivative up to 1 (sigmoid's ¼) and converges faster; ReLU "
    "gives sparse activations and trains faster; at the kink relu′(0) = 0, leaky′(0) = ε.",
    formula="σ′ = σ(1 − σ) ≤ ¼, tanh′ = 1 − tanh² ≤ 1, relu′(z) = [z > 0]",
    code=("gradkit.nn.functional.activation", "relu"),
    test=TEST,
    note="Leaky ReLU is not differentiable at 0 (the seed text says it is): its one-sided "
    "slopes there are ε and 1. Frameworks pick a value by convention; PyTorch's "
    "leaky′(0) = ε and relu′(0) = 0.",
)
def nn_act(quick: bool) -> Finding:
    z = np.linspace(-4, 4, 161)
    z = z[np.abs(z) > 1e-9]  # away from the kinks
    derivs, fd_err, layer_err = {}, {}, {}
    h = 1e-6
    for name, fn in ACTIVATIONS.items():
        d = _derivative(fn, z)
        derivs[name] = d
        fd = (fn(gk.tensor(z + h)).numpy() - fn(gk.tensor(z - h)).numpy()) / (2 * h)
        fd_err[name] = float(np.abs(d - fd).max())
        layer_err[name] = float(
            np.abs(LAYERS[name](gk.tensor(z)).numpy() - fn(gk.tensor(z)).numpy()).max()
        )
    peak = {
        name: float(_derivative(ACTIVATIONS[name], np.zeros(1))[0]) for name in ("tanh", "sigmoid")
    }
    # softmax (vector-valued): Jacobian diag(s) − s sᵀ; maxout: max over groups.
    v = np.array([0.5, -1.0, 2.0, 0.0])
    s = F.softmax(gk.tensor(v), dim=0).numpy()
    jac = np.stack([_derivative(lambda t, i=i: F.softmax(t, dim=0)[i], v) for i in range(4)])
    softmax_err = float(np.abs(jac - (np.diag(s) - np.outer(s, s))).max())
    maxout = nn.Maxout(2)(gk.tensor(v[None])).numpy().ravel().tolist()
    # The kink, as PyTorch defines it, and the one-sided slopes of leaky ReLU.
    zero = np.zeros(1)
    relu0 = float(_derivative(F.relu, zero)[0])
    leaky0 = float(_derivative(ACTIVATIONS["leaky ReLU"], zero)[0])
    eps = 1e-7
    left = float((0 - F.leaky_relu(gk.tensor([-eps]), 0.01).numpy()[0]) / eps)
    right = float(F.leaky_relu(gk.tensor([eps]), 0.01).numpy()[0] / eps)

    # On data: same 3-hidden-layer net (Xavier), SGD, by activation.
    X, y, Xt, yt = image_subset(2000 if quick else 8000, 1000 if quick else 5000, seed=0)
    epochs = 3 if quick else 6
    runs = {}
    for name, act in (("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh), ("ReLU", nn.ReLU)):
        gk.manual_seed(0)
        net = mlp(784, [64, 64, 64], act=act, init="xavier")
        log = train(net, X, y, epochs=epochs, optimizer=gk.optim.SGD(net.parameters(), lr=0.05))
        hidden = net[:2]  # first Linear + activation
        with gk.no_grad():
            a = hidden(gk.tensor(Xt)).numpy()
        runs[name] = dict(
            loss=log["loss"],
            acc=accuracy(net, Xt, yt),
            mean_activation=float(a.mean()),
            zeros=float((a == 0).mean()),
        )
    sig, tnh, rel = runs["sigmoid"], runs["tanh"], runs["ReLU"]
    checks = [
        Check(
            "every activation's derivative (autograd) is right, as a function and a layer",
            f"{len(ACTIVATIONS)} activations: largest gap to central differences "
            f"{max(fd_err.values()):.1e}, layer vs function {max(layer_err.values()):.1e}; "
            f"softmax Jacobian {softmax_err:.1e}; maxout(2) of {v.tolist()} = {maxout}",
            max(fd_err.values()) < 1e-5
            and max(layer_err.values()) == 0
            and softmax_err < 1e-12
            and maxout == [0.5, 2.0],
        ),
        Check(
            "tanh's derivative peaks at 1, sigmoid's at ¼",
            f"tanh′(0) = {peak['tanh']:g}, σ′(0) = {peak['sigmoid']:g}; largest on [−4, 4]: "
            f"{derivs['tanh'].max():.3f} and {derivs['sigmoid'].max():.3f}",
            peak["tanh"] == 1.0
            and peak["sigmoid"] == 0.25
            and derivs["tanh"].max() <= 1.0
            and derivs["sigmoid"].max() <= 0.25,
        ),
        Check(
            "tanh is zero-centred, sigmoid is not",
            f"mean first-layer activation on test digits: tanh {tnh['mean_activation']:+.2f}, "
            f"sigmoid {sig['mean_activation']:+.2f}",
            abs(tnh["mean_activation"]) < 0.15 and sig["mean_activation"] > 0.3,
        ),
        Check(
            "tanh converges faster than sigmoid",
            f"training loss after {epochs} epochs of SGD: tanh {tnh['loss'][-1]:.3f}, "
            f"sigmoid {sig['loss'][-1]:.3f}",
            tnh["loss"][-1] < 0.8 * sig["loss"][-1],
        ),
        Check(
            "ReLU gives sparse activations",
            f"exact zeros in the first hidden layer: ReLU {pct(rel['zeros'])}, tanh "
            f"{pct(tnh['zeros'])}",
            rel["zeros"] > 0.3 and tnh["zeros"] == 0,
        ),
        Check(
            "ReLU trains faster than sigmoid",
            f"training loss after {epochs} epochs: ReLU {rel['loss'][-1]:.3f}, sigmoid "
            f"{sig['loss'][-1]:.3f} (tanh {tnh['loss'][-1]:.3f})",
            rel["loss"][-1] < 0.5 * sig["loss"][-1],
        ),
        Check(
            "at the kink relu′(0) = 0 and leaky′(0) = ε (PyTorch's convention)",
            f"relu′(0) = {relu0:g}, leaky′(0) = {leaky0:g} with ε = 0.01; leaky's one-sided "
            f"slopes at 0: {left:.3g} and {right:.3g}",
            relu0 == 0.0 and abs(leaky0 - 0.01) < 1e-9 and abs(right - left) > 0.5,
        ),
    ]

    def draw(fig):
        from gradkit import plot

        plot.activations(names=list(ACTIVATIONS), ax=fig.add_subplot(1, 2, 1))
        ax = fig.add_subplot(1, 2, 2)
        for name, run in runs.items():
            ax.plot(range(1, epochs + 1), run["loss"], marker="o", label=name)
        ax.set(xlabel="epoch", ylabel="training loss", title="3 hidden layers, SGD")
        ax.legend()

    return Finding(
        checks,
        numbers={
            "finite_difference_error": fd_err,
            "max_derivative": {k: float(v.max()) for k, v in derivs.items()},
            "derivative_at_0": peak,
            "relu_grad_at_0": relu0,
            "leaky_grad_at_0": leaky0,
            "leaky_one_sided": [left, right],
            "training": runs,
        },
        draw=draw,
    )
