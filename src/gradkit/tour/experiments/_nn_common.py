"""What the NN group's experiments share: seeded subsets of the real datasets, a
multi-layer perceptron builder and the plain PyTorch-style training loop.

The loop is the one a PyTorch user writes (batch → forward → loss → ``backward()`` →
``step()``, concept NN-BACKPROP); ``Model.fit`` runs the same loop, and the NN-BACKPROP
experiment shows the two give bit-identical weights.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.data.datasets import load_mnist1d

Array = np.ndarray


@functools.lru_cache(maxsize=4)
def _split(name: str, split: str) -> tuple[Array, Array]:
    from gradkit.data.datasets import load_fashion_mnist, load_mnist

    loader = load_fashion_mnist if name == "fashion-mnist" else load_mnist
    X, y = loader(split, flatten=True, normalize=False)  # uint8: 4× less to keep
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def image_subset(
    n_train: int, n_test: int, *, seed: int = 0, fashion: bool = False
) -> tuple[Array, Array, Array, Array]:
    """``n_train`` random images of the training split and ``n_test`` of the test split
    of MNIST (or Fashion-MNIST) as float32 rows of 784 pixels in [0, 1], with labels."""
    name = "fashion-mnist" if fashion else "mnist"
    X, y = _split(name, "train")
    Xt, yt = _split(name, "test")
    rng = np.random.default_rng(seed)
    i = np.sort(rng.choice(len(X), n_train, replace=False))
    j = np.sort(rng.choice(len(Xt), n_test, replace=False))
    scale = np.float32(1 / 255)
    return X[i].astype(np.float32) * scale, y[i].copy(), Xt[j].astype(np.float32) * scale, yt[j]


@functools.lru_cache(maxsize=1)
def mnist1d() -> tuple[Array, Array, Array, Array]:
    """MNIST-1D (Greydanus 2020): 4,000 training and 1,000 test signals of length 40 in
    10 classes (float32, int64), cached."""
    return (*load_mnist1d("train"), *load_mnist1d("test"))


def mlp(
    n_in: int,
    widths: Sequence[int],
    n_out: int = 10,
    *,
    act: Callable[[], nn.Module] = nn.ReLU,
    init: str | None = None,
    gain: float = 1.0,
    batchnorm: bool = False,
    dropout: float = 0.0,
) -> nn.Sequential:
    """Linear → [BatchNorm1d] → act → [Dropout] for each width, then a Linear head.

    ``init``: None keeps PyTorch's default; ``"he"`` (kaiming normal, fan_in),
    ``"xavier"`` (Glorot uniform), ``"small"`` (N(0, 0.01²)), ``"large"`` (N(0, 1)) or
    ``"zeros"`` set every weight (head included), times ``gain``; biases then start at 0.
    """
    layers: list[nn.Module] = []
    linears = []
    d = n_in
    for w in widths:
        linears.append(nn.Linear(d, w))
        layers.append(linears[-1])
        if batchnorm:
            layers.append(nn.BatchNorm1d(w))
        layers.append(act())
        if dropout:
            layers.append(nn.Dropout(dropout))
        d = w
    linears.append(nn.Linear(d, n_out))
    layers.append(linears[-1])
    if init is not None:
        for layer in linears:
            _initialise(layer, init, gain)
    return nn.Sequential(*layers)


def _initialise(layer: nn.Linear, scheme: str, gain: float) -> None:
    w = layer.weight
    if scheme == "he":
        nn.init.kaiming_normal_(w, nonlinearity="relu")
    elif scheme == "xavier":
        nn.init.xavier_uniform_(w)
    elif scheme == "small":
        nn.init.normal_(w, 0.0, 0.01)
    elif scheme == "large":
        nn.init.normal_(w, 0.0, 1.0)
    elif scheme == "zeros":
        nn.init.zeros_(w)
    else:
        raise ValueError(f"unknown init scheme {scheme!r}")
    if gain != 1.0:
        with gk.no_grad():
            w.mul_(gain)
    nn.init.zeros_(layer.bias)


def linears(net: nn.Module) -> list[nn.Linear]:
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


def train(
    net: nn.Module,
    X: Array,
    y: Array,
    *,
    epochs: int,
    optimizer: gk.optim.Optimizer,
    batch_size: int = 64,
    seed: int = 0,
    clip: float | None = None,
    loss_fn: Callable = nn.functional.cross_entropy,
    penalty: Callable[[], gk.Tensor] | None = None,
    after_epoch: Callable[[int], None] | None = None,
) -> dict[str, list[float]]:
    """Mini-batch training: per batch forward, loss (+ ``penalty()``), backward,
    optional ``clip_grad_norm_(max_norm=clip)``, step. Returns the mean training loss of
    each epoch and the largest gradient norm seen per epoch (before clipping). Stops
    early, padding with NaN, once the loss is not finite (the run has diverged); the
    overflow warnings of a diverging run are silenced, its numbers tell the story."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _train(
            net, X, y, epochs, optimizer, batch_size, seed, clip, loss_fn, penalty, after_epoch
        )


def _train(net, X, y, epochs, optimizer, batch_size, seed, clip, loss_fn, penalty, after_epoch):
    rng = np.random.default_rng(seed)
    params = [p for p in net.parameters() if p.requires_grad]
    losses: list[float] = []
    grad_max: list[float] = []
    for epoch in range(epochs):
        net.train()
        order = rng.permutation(len(X))
        total, biggest = 0.0, 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            loss = loss_fn(net(gk.tensor(X[idx])), gk.tensor(y[idx]))
            if penalty is not None:
                loss = loss + penalty()
            optimizer.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(params, math.inf if clip is None else clip)
            biggest = max(biggest, float(norm))
            optimizer.step()
            total += float(loss.item()) * len(idx)
        losses.append(total / len(X))
        grad_max.append(biggest)
        if after_epoch is not None:
            after_epoch(epoch)
        if not math.isfinite(losses[-1]):
            losses += [math.nan] * (epochs - epoch - 1)
            grad_max += [math.nan] * (epochs - epoch - 1)
            break
    net.eval()
    return {"loss": losses, "grad_norm": grad_max}


def predict(net: nn.Module, X: Array) -> Array:
    """Logits of ``net`` on ``X`` in eval mode, without building a graph."""
    net.eval()
    with gk.no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return net(gk.tensor(X)).numpy()


def accuracy(net: nn.Module, X: Array, y: Array) -> float:
    return float((predict(net, X).argmax(1) == y).mean())


def mean_loss(net: nn.Module, X: Array, y: Array) -> float:
    net.eval()
    with gk.no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return float(nn.functional.cross_entropy(net(gk.tensor(X)), gk.tensor(y)).item())


def finite_max(values) -> float:
    """The largest value, ``inf`` if any is not finite (a diverged run)."""
    v = np.asarray(values, dtype=float)
    return float(v.max()) if np.isfinite(v).all() else math.inf


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"
