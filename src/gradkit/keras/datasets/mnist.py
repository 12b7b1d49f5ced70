"""``keras.datasets.mnist``: the MNIST digits as Keras returns them."""

from __future__ import annotations

import numpy as np


def load_data(path: str = "mnist.npz"):
    """``((x_train, y_train), (x_test, y_test))``: uint8 images of shape
    ``(60000, 28, 28)``/``(10000, 28, 28)`` with values 0–255 and uint8 labels 0–9,
    as ``keras.datasets.mnist.load_data()``. ``path`` is accepted for compatibility;
    the files come from ``$GRADKIT_DATA``, the user cache or a checked download."""
    from gradkit.data.datasets import load_mnist

    return _split(load_mnist)


def _split(loader):
    out = []
    for split in ("train", "test"):
        images, labels = loader(split, normalize=False, download=True)
        out.append((np.array(images, dtype=np.uint8), np.array(labels, dtype=np.uint8)))
    return tuple(out)
