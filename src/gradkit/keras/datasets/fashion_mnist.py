"""``keras.datasets.fashion_mnist``: Fashion-MNIST as Keras returns it."""

from __future__ import annotations

from gradkit.keras.datasets.mnist import _split


def load_data():
    """``((x_train, y_train), (x_test, y_test))``: uint8 28×28 images and uint8 labels
    0–9 (class names in ``gradkit.data.datasets.FASHION_CLASSES``)."""
    from gradkit.data.datasets import load_fashion_mnist

    return _split(load_fashion_mnist)
