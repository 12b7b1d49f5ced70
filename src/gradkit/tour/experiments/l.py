"""Tour group L: each loss on data against its closed form, and what makes it stable."""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_l.py"


def _binary_data(n: int, seed: int = 0):
    """Two overlapping Gaussian classes in 2-D: X (n, 2) float64, y in {−1, +1}."""
    from gradkit.ml.datasets import make_blobs

    X, labels = make_blobs(n, centers=[[-1.0, -1.0], [1.0, 1.0]], cluster_std=1.3,
                           random_state=seed)  # fmt: skip
    return X, np.where(labels == 1, 1.0, -1.0)


def _fit_linear(X, y, loss_fn, steps: int, lr: float):
    """Full-batch gradient descent on mean loss_fn(z = Xw + b, y) in float64; returns the
    scores z of the fitted model and the loss after each step."""
    w = gk.zeros(X.shape[1], dtype=gk.float64, requires_grad=True)
    b = gk.zeros(1, dtype=gk.float64, requires_grad=True)
    X_t, y_t = gk.tensor(X), gk.tensor(y)
    opt = gk.optim.SGD([w, b], lr=lr)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(X_t @ w + b, y_t)
        loss.backward()
        opt.step()
        history.append(float(loss))
    with gk.no_grad():
        return (X_t @ w + b).numpy(), history


def _margins_figure(fig, margins_data, title) -> None:
    m = np.linspace(-3, 3, 301)
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(m, np.log1p(np.exp(-m)), label="logistic ln(1 + e^(−yz))")
    ax.plot(m, np.maximum(0, 1 - m), label="hinge max(0, 1 − yz)")
    ax.plot(m, (m < 0).astype(float), "k:", label="0–1 loss")
    ax.set_xlabel("margin y·z")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    ax = fig.add_subplot(1, 2, 2)
    ax.hist(margins_data, bins=30, color="C7")
    ax.set_xlabel("margin y·z of the fitted model")
    ax.set_title(title, fontsize=10)


@experiment(
    "L-LSE",
    group="L",
    title="Least squared error",
    claim="The least-squares loss is ½(y − z)² per example (MSE is mean (y − ŷ)²); its "
    "gradient is the residual z − y, and minimising it by gradient descent reaches the "
    "least-squares solution.",
    formula="L = ½(y − z)²;  MSE = mean (y − ŷ)²;  ∂L/∂z = z − y",
    code=("gradkit.nn.functional.loss", "least_squares_loss"),
    test="tests/tour/test_l.py",
)
def l_lse(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_regression
    from gradkit.ml.linear_model import LinearRegression

    n = 200 if quick else 2000
    X, y = make_regression(n, 5, noise=10.0, random_state=0)
    X = X / X.std(axis=0)
    z, history = _fit_linear(X, y, gk.nn.functional.mse_loss, 300 if quick else 1000, 0.3)
    closed_lse = 0.5 * (y - z) ** 2
    ours = gk.nn.functional.least_squares_loss(gk.tensor(z), gk.tensor(y), reduction="none")
    err = float(np.max(np.abs(ours.numpy() - closed_lse)))
    mse = float(gk.nn.functional.mse_loss(gk.tensor(z), gk.tensor(y)))
    mse_err = abs(mse - np.mean((y - z) ** 2))
    zt = gk.tensor(z, requires_grad=True)
    gk.nn.functional.least_squares_loss(zt, gk.tensor(y), reduction="sum").backward()
    grad_err = float(np.max(np.abs(zt.grad.numpy() - (z - y))))
    exact = LinearRegression().fit(X, y).predict(X)
    gap = float(np.max(np.abs(z - exact)) / np.max(np.abs(exact)))
    return Finding(
        checks=[
            Check(
                "least_squares_loss = ½(y − z)² and mse_loss = mean (y − ŷ)² on data",
                f"{n} regression examples: max |ours − closed form| {err:.1e}; "
                f"MSE off by {mse_err:.1e}",
                err < 1e-9 and mse_err < 1e-9,
            ),
            Check(
                "the gradient of ½(y − z)² is the residual z − y",
                f"max |∂L/∂z − (z − y)| = {grad_err:.1e}",
                grad_err < 1e-12,
            ),
            Check(
                "gradient descent on the MSE reaches the least-squares solution",
                f"predictions differ from the normal-equation fit by {gap:.1e} (relative)",
                gap < 1e-6,
            ),
        ],
        numbers={
            "max_error": err,
            "grad_error": grad_err,
            "gap_to_lstsq": gap,
            "final_mse": history[-1],
        },  # fmt: skip
        draw=lambda fig: _draw_history(fig, history, "MSE during gradient descent", log=True),
    )


def _draw_history(fig, history, title, log=False) -> None:
    ax = fig.add_subplot()
    ax.plot(range(1, len(history) + 1), history)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    if log:
        ax.set_yscale("log")


@experiment(
    "L-LOGISTIC",
    group="L",
    title="Logistic loss",
    claim="For labels y ∈ {−1, +1} the logistic loss is ln(1 + exp(−y z)); it is the binary "
    "cross-entropy of the same model written with 0/1 labels, and it is evaluated "
    "without overflow for large margins.",
    formula="L = ln(1 + exp(−y z)) = BCE(σ(z), (y + 1)/2)",
    code=("gradkit.nn.functional.loss", "logistic_loss"),
    test=TEST,
    note="The seed text lost minus signs in several formulas; here the sign matters: "
    "ln(1 + exp(y z)) grows with the margin, and minimising it would push every point to "
    "the wrong side.",
)
def l_logistic(quick: bool) -> Finding:
    F = gk.nn.functional
    X, y = _binary_data(300 if quick else 3000)
    z, _ = _fit_linear(X, y, F.logistic_loss, 200 if quick else 1000, 0.5)
    ours = F.logistic_loss(gk.tensor(z), gk.tensor(y), reduction="none").numpy()
    err = float(np.max(np.abs(ours - np.log1p(np.exp(-y * z)))))
    bce = F.binary_cross_entropy_with_logits(gk.tensor(z), gk.tensor((y + 1) / 2),
                                             reduction="none").numpy()  # fmt: skip
    same_as_bce = float(np.max(np.abs(ours - bce)))
    big = F.logistic_loss(gk.tensor([-1000.0, 1000.0]), gk.tensor([1.0, 1.0]),
                          reduction="none").numpy()  # fmt: skip
    with np.errstate(over="ignore"):
        naive = np.log1p(np.exp(-np.array([-1000.0, 1000.0])))
    return Finding(
        checks=[
            Check(
                "logistic_loss = ln(1 + exp(−y z)) on data",
                f"{len(y)} points, fitted linear model: max |ours − closed form| {err:.1e}",
                err < 1e-12,
            ),
            Check(
                "it equals the binary cross-entropy with labels (y + 1)/2",
                f"max |logistic − BCE-with-logits| = {same_as_bce:.1e}",
                same_as_bce < 1e-12,
            ),
            Check(
                "large margins do not overflow",
                f"y z = −1000, +1000: ours {big[0]:g}, {big[1]:g}; naive ln(1 + e^(−yz)) "
                f"{naive[0]:g}, {naive[1]:g}",
                big[0] == 1000.0 and big[1] == 0.0 and np.isinf(naive[0]),
            ),
        ],
        numbers={"max_error": err, "vs_bce": same_as_bce, "large_margin_losses": big.tolist()},
        draw=lambda fig: _margins_figure(fig, y * z, "margins after fitting"),
    )


@experiment(
    "L-HINGE",
    group="L",
    title="Hinge loss",
    claim="The hinge loss max(0, 1 − y z) is zero for points classified beyond the margin "
    "(y z ≥ 1) and grows linearly inside it; its subgradient is −y there and 0 beyond.",
    formula="L = max(0, 1 − y z);  ∂L/∂z = −y if y z < 1 else 0",
    code=("gradkit.nn.functional.loss", "hinge_loss"),
    test=TEST,
)
def l_hinge(quick: bool) -> Finding:
    from gradkit.ml.svm import LinearSVC

    F = gk.nn.functional
    X, y = _binary_data(300 if quick else 3000, seed=1)
    svm = LinearSVC(C=1.0, loss="hinge", max_iter=20000, random_state=0).fit(X, y)
    z = svm.decision_function(X)
    zt = gk.tensor(z, requires_grad=True)
    losses = F.hinge_loss(zt, gk.tensor(y), reduction="none")
    losses.sum().backward()
    ours = losses.detach().numpy()
    err = float(np.max(np.abs(ours - np.maximum(0.0, 1 - y * z))))
    beyond = y * z >= 1
    zero_beyond = bool(np.all(ours[beyond] == 0))
    grad_ok = bool(np.array_equal(zt.grad.numpy(), np.where(y * z < 1, -y, 0.0)))
    return Finding(
        checks=[
            Check(
                "hinge_loss = max(0, 1 − y z) on a fitted linear SVM's scores",
                f"{len(y)} points: max |ours − closed form| {err:.1e}",
                err < 1e-12,
            ),
            Check(
                "points beyond the margin cost nothing",
                f"{int(beyond.sum())} of {len(y)} points have y z ≥ 1; all zero loss: "
                f"{zero_beyond}; mean loss of the rest "
                f"{float(ours[~beyond].mean()):.3f}",
                zero_beyond and beyond.any() and bool(np.all(ours[~beyond] > 0)),
            ),
            Check(
                "the subgradient is −y inside the margin and 0 beyond",
                f"backward equals −y·[y z < 1] for every point: {grad_ok}",
                grad_ok,
            ),
        ],
        numbers={"max_error": err, "beyond_margin": int(beyond.sum()), "n": len(y)},
        draw=lambda fig: _margins_figure(fig, y * z, "margins of a linear SVM"),
    )


@experiment(
    "L-XENT",
    group="L",
    title="Binary cross-entropy (log loss)",
    claim="Binary cross-entropy is −[y ln p + (1 − y) ln(1 − p)] with p = σ(z); computed "
    "from logits in one fused op it stays finite and exact where ln(σ(z)) in float32 "
    "gives infinity.",
    formula="L = −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = max(z, 0) − y z + ln(1 + e^(−|z|))",
    code=("gradkit.nn.functional.loss", "binary_cross_entropy_with_logits"),
    test=TEST,
    note="The seed text lost minus signs in several formulas; without the leading one this "
    "is the log-likelihood itself, which is ≤ 0 and grows as predictions improve: "
    "minimising it would drive the predictions away from the labels.",
)
def l_xent(quick: bool) -> Finding:
    F = gk.nn.functional
    X, y_pm = _binary_data(300 if quick else 3000, seed=2)
    y = (y_pm + 1) / 2
    z, _ = _fit_linear(X, y, F.binary_cross_entropy_with_logits, 200 if quick else 1000, 0.5)
    p = 1 / (1 + np.exp(-z))
    closed = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    ours = F.binary_cross_entropy_with_logits(gk.tensor(z), gk.tensor(y), reduction="none")
    err = float(np.max(np.abs(ours.numpy() - closed)))
    from_probs = F.binary_cross_entropy(gk.tensor(p), gk.tensor(y), reduction="none").numpy()
    probs_err = float(np.max(np.abs(from_probs - closed)))
    logits = gk.tensor([120.0, -120.0], dtype=gk.float32)
    target = gk.tensor([0.0, 1.0], dtype=gk.float32)
    fused = F.binary_cross_entropy_with_logits(logits, target, reduction="none").numpy()
    with np.errstate(over="ignore", divide="ignore"):
        sig = (1 / (1 + np.exp(-logits.numpy()))).astype(np.float32)
        naive = -(target.numpy() * np.log(sig) + (1 - target.numpy()) * np.log1p(-sig))
    return Finding(
        checks=[
            Check(
                "the fused loss equals −[y ln σ(z) + (1 − y) ln(1 − σ(z))] on data",
                f"{len(y)} points: from logits max error {err:.1e}, from probabilities "
                f"{probs_err:.1e}",
                err < 1e-12 and probs_err < 1e-12,
            ),
            Check(
                "from logits it stays finite where the composed form overflows (float32)",
                f"confidently wrong logits ±120: fused {fused.tolist()}, composed {naive.tolist()}",
                bool(np.allclose(fused, [120.0, 120.0])) and bool(np.all(np.isinf(naive))),
            ),
        ],
        numbers={"max_error": err, "fused_at_120": fused.tolist(), "naive_at_120": naive.tolist()},
        draw=lambda fig: _draw_xent(fig, y, p),
    )


def _draw_xent(fig, y, p) -> None:
    ax = fig.add_subplot(1, 2, 1)
    q = np.linspace(1e-3, 1 - 1e-3, 300)
    ax.plot(q, -np.log(q), label="y = 1: −ln p")
    ax.plot(q, -np.log(1 - q), label="y = 0: −ln(1 − p)")
    ax.set_xlabel("predicted p")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    ax = fig.add_subplot(1, 2, 2)
    ax.hist([p[y == 0], p[y == 1]], bins=20, label=["y = 0", "y = 1"])
    ax.set_xlabel("fitted p = σ(z)")
    ax.legend(fontsize=8)


@experiment(
    "L-CCE",
    group="L",
    title="Categorical cross-entropy with softmax",
    claim="Cross-entropy of logits is −Σ y_k ln softmax(z)_k, computed through a fused "
    "log-softmax that stays finite for large logits; its gradient is softmax(z) − y.",
    formula="L = −Σ_k y_k ln softmax(z)_k = logsumexp(z) − z_y;  ∂L/∂z = softmax(z) − y",
    code=("gradkit.nn.functional.loss", "cross_entropy"),
    test=TEST,
    note="The seed text lost minus signs in several formulas; here Σ y_k ln softmax(z)_k is "
    "a log-probability (≤ 0) and the loss is its negative, so that minimising it raises the "
    "probability of the true class.",
)
def l_cce(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_blobs

    F = gk.nn.functional
    gk.manual_seed(0)
    X, labels = make_blobs(300 if quick else 3000, centers=4, cluster_std=2.0, random_state=3)
    model = gk.nn.Linear(2, 4).double()
    opt = gk.optim.SGD(model.parameters(), lr=0.1)
    X_t, y_t = gk.tensor(X), gk.tensor(labels)
    for _ in range(100 if quick else 500):
        opt.zero_grad()
        F.cross_entropy(model(X_t), y_t).backward()
        opt.step()
    z = model(X_t).detach().numpy()
    onehot = np.eye(4)[labels]
    softmax = np.exp(z - z.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    closed = -(onehot * np.log(softmax)).sum(1)
    zt = gk.tensor(z, requires_grad=True)
    ours = F.cross_entropy(zt, y_t, reduction="none")
    ours.sum().backward()
    err = float(np.max(np.abs(ours.detach().numpy() - closed)))
    grad_err = float(np.max(np.abs(zt.grad.numpy() - (softmax - onehot))))
    big = gk.tensor([[1000.0, 0.0, -1000.0]], dtype=gk.float32)
    fused = float(F.cross_entropy(big, gk.tensor([1])))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(big.numpy())
        naive = float(-np.log(e / e.sum())[0, 1])
    accuracy = float(np.mean(z.argmax(1) == labels))
    return Finding(
        checks=[
            Check(
                "cross_entropy = −Σ y_k ln softmax(z)_k on data",
                f"{len(labels)} points, 4 classes (fitted accuracy {accuracy:.2f}): max "
                f"|ours − closed form| {err:.1e}",
                err < 1e-12,
            ),
            Check(
                "the gradient with respect to the logits is softmax(z) − y",
                f"max |∂L/∂z − (softmax − onehot)| = {grad_err:.1e}",
                grad_err < 1e-12,
            ),
            Check(
                "the fused log-softmax stays finite for large logits",
                f"logits (1000, 0, −1000), class 1: fused {fused:g}, softmax-then-log {naive}",
                fused == 1000.0 and not np.isfinite(naive),
            ),
        ],
        numbers={"max_error": err, "grad_error": grad_err, "fused_large": fused},
        draw=lambda fig: _draw_cce(fig, closed, labels),
    )


def _draw_cce(fig, losses, labels) -> None:
    ax = fig.add_subplot()
    ax.hist([losses[labels == k] for k in range(4)], bins=25, stacked=True,
            label=[f"class {k}" for k in range(4)])  # fmt: skip
    ax.set_xlabel("per-example cross-entropy −ln softmax(z)_y")
    ax.set_ylabel("examples")
    ax.legend(fontsize=8)


@experiment(
    "L-COST",
    group="L",
    title="The cost: per-example losses reduced by sum or mean",
    claim="The cost J(θ) sums (or averages) the per-example losses: reduction='none' gives "
    "one loss per example, 'sum' their total and 'mean' the total over n; the gradient "
    "of the sum is n times that of the mean.",
    formula="J(θ) = Σ_i L(h_θ(x_i), y_i)  (or (1/n) Σ_i)",
    code=("gradkit.nn.functional.loss", "mse_loss"),
    test=TEST,
)
def l_cost(quick: bool) -> Finding:
    F = gk.nn.functional
    X, y = _binary_data(256 if quick else 4096, seed=4)
    X_t, y_t = gk.tensor(X), gk.tensor((y + 1) / 2)
    n = len(y)
    w_init = np.array([0.3, -0.2])
    values, grads = {}, {}
    for reduction in ("none", "sum", "mean"):
        w = gk.tensor(w_init, requires_grad=True)
        loss = F.binary_cross_entropy_with_logits(X_t @ w, y_t, reduction=reduction)
        values[reduction] = loss.detach().numpy()
        if reduction != "none":
            loss.backward()
            grads[reduction] = w.grad.numpy()
    per = values["none"]
    sum_err = abs(float(values["sum"]) - per.sum())
    mean_err = abs(float(values["mean"]) - per.sum() / n)
    grad_ratio = grads["sum"] / grads["mean"]
    return Finding(
        checks=[
            Check(
                "'none' gives one loss per example; 'sum' and 'mean' reduce them",
                f"n = {n}: 'none' shape {per.shape}; |sum − Σ L_i| {sum_err:.1e}; "
                f"|mean − Σ L_i / n| {mean_err:.1e}",
                per.shape == (n,) and sum_err < 1e-9 and mean_err < 1e-12,
            ),
            Check(
                "the gradient of the summed cost is n times the mean's",
                f"∇J_sum / ∇J_mean = {grad_ratio.round(6).tolist()} (n = {n})",
                bool(np.allclose(grad_ratio, n, rtol=1e-12)),
            ),
        ],
        numbers={
            "n": n,
            "sum": float(values["sum"]),
            "mean": float(values["mean"]),
            "grad_ratio": grad_ratio.tolist(),
        },  # fmt: skip
        draw=lambda fig: _draw_cost(fig, per),
    )


def _draw_cost(fig, per) -> None:
    ax = fig.add_subplot()
    ax.plot(np.cumsum(per), label="running Σ L_i (reduction='sum' at the end)")
    ax.plot(np.cumsum(per) / np.arange(1, len(per) + 1), label="running mean")
    ax.set_xlabel("examples included")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
