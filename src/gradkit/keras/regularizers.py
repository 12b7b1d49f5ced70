"""Weight penalties with Keras 3's names: ``regularizer(weight) -> scalar Tensor``.

``L1(l1)``: l1 · Σ|w|; ``L2(l2)``: l2 · Σ w² (no ½); ``L1L2(l1, l2)``: both. The
penalties of a layer's weights appear in ``layer.losses`` and are added to the loss by
``fit``.
"""

from __future__ import annotations

import math

import numpy as np

from gradkit.keras.src.backend import to_snake_case
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object


def _factor(name: str, value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"Argument `{name}` must be a float, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Argument `{name}` must be a non-negative finite float, got {value}")
    return float(value)


class Regularizer:
    """Base class: subclasses implement ``__call__(x)`` returning a scalar."""

    def __call__(self, x):
        return 0.0 * x.sum()

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """l1 · Σ|x| + l2 · Σ x² (both default 0, as in Keras)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = _factor("l1", l1), _factor("l2", l2)

    def __call__(self, x):
        penalty = 0.0 * x.sum()
        if self.l1:
            penalty = penalty + self.l1 * x.abs().sum()
        if self.l2:
            penalty = penalty + self.l2 * (x * x).sum()
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 · Σ|x| (default ``l1=0.01``)."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _factor("l1", l1)

    def __call__(self, x):
        return self.l1 * x.abs().sum()

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 · Σ x² (default ``l2=0.01``)."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _factor("l2", l2)

    def __call__(self, x):
        return self.l2 * (x * x).sum()

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """factor · mean of |off-diagonal entries| of the Gram matrix of the L2-normalised
    rows (``mode="rows"``) or columns (``mode="columns"``) of a 2-D weight."""

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        if mode not in ("rows", "columns"):
            raise ValueError(f"Invalid value for argument `mode`: {mode!r} (rows or columns)")
        self.factor, self.mode = _factor("factor", factor), mode

    def __call__(self, x):
        if x.ndim != 2:
            raise ValueError(
                f"Inputs to OrthogonalRegularizer must have rank 2. Received: shape={x.shape}"
            )
        if self.mode == "columns":
            x = x.transpose(0, 1)
        x = x / ((x * x).sum(dim=1, keepdim=True) + 1e-12).sqrt()
        size = x.shape[0]
        off_diagonal = 1.0 - np.eye(size, dtype=x.dtype)
        off = ((x @ x.transpose(0, 1)) * off_diagonal).abs().sum()
        return self.factor * off / (size * (size - 1))

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

ALL_OBJECTS = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
ALL_OBJECTS_DICT: dict = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})


def serialize(regularizer) -> dict:
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, ALL_OBJECTS_DICT, custom_objects, "regularizer")


def get(identifier):
    """A regularizer from a name (``"l2"`` → ``L2(0.01)``, ``"l1_l2"`` → ``L1L2()``), a
    config dict, a class, an instance or a callable; None gives None."""
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj):
        raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
    return obj


__all__ = [
    "L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get",
    "serialize",
]  # fmt: skip
