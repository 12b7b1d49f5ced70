"""Data and small training helpers shared by the CNN, RNN and ATT tour experiments.

Not an experiments module (it registers nothing); the underscore keeps it out of the
report's group list but ``load_all`` imports it harmlessly.
"""

from __future__ import annotations

import functools

import numpy as np

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.data import load_mnist
from gradkit.models import LeNet5


def mnist_subset(n_train: int, n_test: int, seed: int = 0):
    """``n_train`` MNIST training digits and ``n_test`` test digits drawn without
    replacement: (X (n, 1, 28, 28) float32 in [0, 1], y), (X_test, y_test)."""
    X, y = load_mnist("train")
    Xt, yt = load_mnist("test")
    rng = np.random.default_rng(seed)
    i = rng.choice(len(X), n_train, replace=False)
    j = rng.choice(len(Xt), n_test, replace=False)
    return (X[i][:, None], y[i]), (Xt[j][:, None], yt[j])


def first_test_digit(label: int) -> np.ndarray:
    """The first MNIST test image of ``label``, (28, 28) float32 in [0, 1]."""
    Xt, yt = load_mnist("test")
    return Xt[int(np.flatnonzero(yt == label)[0])].copy()


def predict(net, X, batch: int = 500) -> np.ndarray:
    """Arg-max class of ``net`` on X in evaluation mode, batch by batch."""
    was = net.training
    net.eval()
    out = []
    with gk.no_grad():
        for i in range(0, len(X), batch):
            out.append(net(gk.tensor(X[i : i + batch])).numpy().argmax(-1))
    net.train(was)
    return np.concatenate(out)


def train_classifier(net, X, y, *, epochs: int, lr: float, batch: int = 64, seed: int = 0):
    """Mini-batch Adam on cross-entropy; returns the mean loss of each epoch."""
    opt = gk.optim.Adam(net.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        perm, total = rng.permutation(len(X)), 0.0
        for i in range(0, len(X), batch):
            b = perm[i : i + batch]
            loss = F.cross_entropy(net(gk.tensor(X[b])), gk.tensor(y[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(b)
        losses.append(total / len(X))
    return losses


@functools.lru_cache(maxsize=2)
def trained_lenet(quick: bool):
    """LeNet-5 (ReLU, max pooling) trained briefly on an MNIST subset, shared by the
    CNN-FC, CNN-ARCH and CNN-INVARIANCE experiments: (net, test X, test y, epoch losses,
    test accuracy). 2,000 digits × 3 epochs in quick mode, 12,000 × 4 in full."""
    n_train, n_test, epochs = (2000, 1000, 3) if quick else (12000, 5000, 4)
    (X, y), (Xt, yt) = mnist_subset(n_train, n_test, seed=0)
    gk.manual_seed(0)
    net = LeNet5()
    losses = train_classifier(net, X, y, epochs=epochs, lr=2e-3, seed=0)
    acc = float((predict(net, Xt) == yt).mean())
    net.eval()
    return net, Xt, yt, losses, acc
