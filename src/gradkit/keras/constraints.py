"""Weight constraints with Keras 3's names: ``constraint(w) -> w'``, applied to a weight
after every optimizer update.

``MaxNorm(m, axis)``: rescale slices whose L2 norm over ``axis`` exceeds m;
``MinMaxNorm(lo, hi, rate, axis)``: pull the norm towards [lo, hi]; ``NonNeg``: w·[w≥0];
``UnitNorm(axis)``: w / ‖w‖. Norms use ε = 1e-7 as Keras does.
"""

from __future__ import annotations

from gradkit.keras.src.backend import epsilon, to_snake_case
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object


class Constraint:
    """Base class: subclasses implement ``__call__(w)``."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _norm(w, axis):
    return ((w * w).sum(dim=axis, keepdim=True)).sqrt()


class MaxNorm(Constraint):
    def __init__(self, max_value: float = 2.0, axis=0) -> None:
        self.max_value, self.axis = float(max_value), axis

    def __call__(self, w):
        norms = _norm(w, self.axis)
        desired = norms.clip(0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0) -> None:
        self.min_value, self.max_value = float(min_value), float(max_value)
        self.rate, self.axis = float(rate), axis

    def __call__(self, w):
        norms = _norm(w, self.axis)
        desired = self.rate * norms.clip(self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class NonNeg(Constraint):
    def __call__(self, w):
        return w * (w >= 0).to(w.dtype)


class UnitNorm(Constraint):
    def __init__(self, axis=0) -> None:
        self.axis = axis

    def __call__(self, w):
        return w / (epsilon() + _norm(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
ALL_OBJECTS = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
ALL_OBJECTS_DICT: dict = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})


def serialize(constraint) -> dict:
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, ALL_OBJECTS_DICT, custom_objects, "constraint")


def get(identifier):
    """A constraint from a name, a config dict, a class, an instance or a callable."""
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj):
        raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
    return obj


__all__ = [
    "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "deserialize", "get",
    "serialize",
]  # fmt: skip
