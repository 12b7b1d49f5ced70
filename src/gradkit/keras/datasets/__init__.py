"""``keras.datasets``: ``mnist`` and ``fashion_mnist``, read through gradkit's loaders
(``$GRADKIT_DATA``, then the user cache, else a download checked against SHA-256)."""

from gradkit.keras.datasets import fashion_mnist, mnist

__all__ = ["fashion_mnist", "mnist"]
