"""``to_categorical``, ``normalize`` and ``set_random_seed`` as in ``keras.utils``."""

from __future__ import annotations

import random

import numpy as np

import gradkit


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and gradkit's generator
    (weight initialization, dropout, ``fit`` shuffling), as Keras seeds everything."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed!r} (of type "
            f"{type(seed)})"
        )
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % (2**32))
    gradkit.manual_seed(seed)


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class labels: shape ``(*x.shape, num_classes)`` (a
    trailing axis of size 1 is dropped first), float32.

    Examples
    --------
    >>> to_categorical([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    x = np.asarray(getattr(x, "_data", x))
    if x.dtype.kind == "f":
        if not np.all(np.isfinite(x)) or not np.all(x == np.round(x)):
            raise ValueError("to_categorical: labels must be whole numbers (class indices)")
        x = x.astype("int64")
    elif x.dtype.kind not in "iub":
        raise ValueError(f"to_categorical: labels must be integers, got dtype {x.dtype}")
    x = x.astype("int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(x.min())}")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise ValueError(
            f"to_categorical: label {int(x.max())} is out of range for num_classes={num_classes}"
        )
    out = np.zeros((x.size, num_classes), dtype="float32")
    out[np.arange(x.size), x] = 1.0
    return out.reshape((*shape, num_classes))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(getattr(x, "_data", x))
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
