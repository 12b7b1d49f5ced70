"""Shared helpers of the GEN and NLP tour experiments: cached MNIST subsets, an
autoencoder training loop through ``gradkit.train.Model``, and picture tiling."""

from __future__ import annotations

import functools

import numpy as np

import gradkit as gk
from gradkit.data import load_mnist
from gradkit.optim import Adam
from gradkit.train import Model


@functools.lru_cache(maxsize=8)
def mnist(n_train: int, n_test: int, binary: bool = False):
    """The first ``n_train`` training and ``n_test`` test digits, flattened to 784
    float32 pixels in [0, 1] (thresholded at 0.5 when ``binary``): (X, y, Xt, yt).
    Cached: several experiments share a subset."""
    X, y = load_mnist("train", normalize=False, flatten=True)
    Xt, yt = load_mnist("test", normalize=False, flatten=True)
    X, Xt = X[:n_train].astype(np.float32) / 255, Xt[:n_test].astype(np.float32) / 255
    if binary:
        X, Xt = (X > 0.5).astype(np.float32), (Xt > 0.5).astype(np.float32)
    for a in (X, Xt):
        a.flags.writeable = False
    return X, y[:n_train], Xt, yt[:n_test]


def fit_autoencoder(ae, x, epochs: int, lr: float, batch_size: int, seed: int = 0) -> list:
    """Train ``ae`` on (x, x) with Adam and its own loss (reconstruction + penalties);
    returns the per-epoch training loss and leaves ``ae`` in eval mode."""
    model = Model(ae)
    model.compile(optimizer=Adam(list(ae.parameters()), lr=lr), loss=ae.loss)
    history = model.fit(x, x, epochs=epochs, batch_size=batch_size, verbose=0, seed=seed)
    ae.eval()
    return [float(v) for v in history.history["loss"]]


def reconstruct(ae, x) -> np.ndarray:
    """x̂ for the rows (or images) of x, without building a graph."""
    with gk.no_grad():
        return ae.reconstruct(gk.tensor(np.ascontiguousarray(x))).detach().numpy()


def mse(a, b) -> float:
    """Mean squared error over all pixels."""
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def tile(rows, side: int = 28) -> np.ndarray:
    """Stack several (n, side·side) image batches into one picture: one batch per row
    of tiles, a one-pixel gap between tiles."""
    rows = [np.asarray(r).reshape(len(r), side, side) for r in rows]
    n = max(len(r) for r in rows)
    out = np.ones((len(rows) * (side + 1) - 1, n * (side + 1) - 1))
    for i, batch in enumerate(rows):
        for j, img in enumerate(batch):
            out[i * (side + 1) : i * (side + 1) + side, j * (side + 1) : j * (side + 1) + side] = (
                img
            )
    return out


def show(ax, picture, title: str) -> None:
    """A grey image on ``ax`` without ticks."""
    ax.imshow(picture, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
