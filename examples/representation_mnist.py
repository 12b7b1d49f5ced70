"""Representation learning: the last hidden layer of a trained MLP (NN-REPR).

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 GRADKIT_DATA=../shared/data \
    python examples/representation_mnist.py

Trains an MLP 784-256-64-10 on MNIST, takes the 64 ReLU activations of the last hidden
layer on the 10,000 test digits, and projects them with PCA (fitted on the first 5,000
test digits) to 2 and 10 dimensions. The same is done for the raw pixels and for the
hidden layer of the *untrained* network (same architecture, random weights). A learned
representation shows up as classes that separate in a few principal directions:

- kNN accuracy (k = 5): neighbours from the first 5,000 test digits, scored on the other
  5,000, in the 2-D and 10-D PCA spaces;
- silhouette score of the digit classes in the 2-D PCA space (2,000 digits).

Saves ``examples/out/representation_pca.png``: the 2-D PCA of raw pixels (left) and of
the trained hidden layer (right), 2,000 test digits coloured by class.
"""

import time
from pathlib import Path

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.data import load_mnist
from gradkit.ml.decomposition import PCA
from gradkit.ml.metrics import silhouette_score
from gradkit.ml.neighbors import KNeighborsClassifier
from gradkit.nn import functional as F
from gradkit.optim import Adam
from gradkit.tensor import Tensor, no_grad
from gradkit.utils.image import write_png

OUT = Path(__file__).resolve().parent / "out"
PALETTE = np.array(
    [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
     [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]],
) / 255.0  # fmt: skip


def hidden_features(net: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """Activations of the last hidden layer (every layer but the output Linear)."""
    net.eval()
    h = Tensor(x)
    with no_grad():
        for layer in list(net)[:-1]:
            h = layer(h)
    return h.data.astype(np.float64)


def separation(feats: np.ndarray, y: np.ndarray, n_fit: int) -> dict[str, float]:
    """kNN accuracy in the 2-D and 10-D PCA spaces (PCA and neighbours from the first
    ``n_fit`` rows, scored on the rest) and the 2-D silhouette of the classes."""
    out = {}
    for k in (2, 10):
        pca = PCA(n_components=k).fit(feats[:n_fit])
        z = pca.transform(feats)
        knn = KNeighborsClassifier(n_neighbors=5).fit(z[:n_fit], y[:n_fit])
        out[f"knn_{k}d"] = float(knn.score(z[n_fit:], y[n_fit:]))
        if k == 2:
            m = min(len(z), 2000)
            out["silhouette_2d"] = float(silhouette_score(z[:m], y[:m]))
            out["_z2"] = z
    return out


def scatter(z: np.ndarray, y: np.ndarray, size: int = 360, dot: int = 2) -> np.ndarray:
    """A (size, size, 3) white canvas with one coloured square per point."""
    img = np.ones((size, size, 3))
    lo, hi = np.percentile(z, 0.5, axis=0), np.percentile(z, 99.5, axis=0)
    pix = np.clip((z - lo) / (hi - lo) * (size - 2 * dot - 1) + dot, dot, size - dot - 1)
    cols, rows = pix[:, 0].astype(int), (size - 1 - pix[:, 1]).astype(int)
    for dr in range(-dot, dot + 1):
        for dc in range(-dot, dot + 1):
            img[rows + dr, cols + dc] = PALETTE[y]
    return img


def main() -> None:
    OUT.mkdir(exist_ok=True)
    x, y = load_mnist("train", flatten=True)
    xt, yt = load_mnist("test", flatten=True)
    gk.manual_seed(0)
    net = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10)
    )
    untrained = hidden_features(net, xt)
    opt = Adam(list(net.parameters()), lr=1e-3)
    rng = np.random.default_rng(0)
    t = time.time()
    for _ in range(5):
        net.train()
        order = rng.permutation(len(x))
        for start in range(0, len(x), 128):
            idx = order[start : start + 128]
            loss = F.cross_entropy(net(Tensor(x[idx])), Tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    net.eval()
    with no_grad():
        acc = (net(Tensor(xt)).data.argmax(axis=1) == yt).mean()
    print(f"MLP 784-256-64-10: test accuracy {acc:.4f} after 5 epochs ({time.time() - t:.0f} s)")

    n_fit = 5000
    rows = {
        "raw pixels (784)": separation(xt.astype(np.float64), yt, n_fit),
        "untrained hidden (64)": separation(untrained, yt, n_fit),
        "trained hidden (64)": separation(hidden_features(net, xt), yt, n_fit),
    }
    print(f"{'features':24s} {'kNN 2-D PCA':>12s} {'kNN 10-D PCA':>13s} {'silhouette 2-D':>15s}")
    for name, r in rows.items():
        print(f"{name:24s} {r['knn_2d']:12.4f} {r['knn_10d']:13.4f} {r['silhouette_2d']:15.4f}")

    m = 2000
    left = scatter(rows["raw pixels (784)"]["_z2"][:m], yt[:m])
    right = scatter(rows["trained hidden (64)"]["_z2"][:m], yt[:m])
    gap = np.ones((left.shape[0], 8, 3))
    path = write_png(OUT / "representation_pca.png", np.concatenate([left, gap, right], axis=1))
    print(f"scatter (left: raw pixels, right: trained hidden layer): {path}")


if __name__ == "__main__":
    main()
