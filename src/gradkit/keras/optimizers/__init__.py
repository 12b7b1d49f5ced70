"""``keras.optimizers``: Keras 3's optimizers (their update formulas, defaults and
names) over gradkit weights, plus ``schedules``."""

from gradkit.keras.optimizers import schedules
from gradkit.keras.optimizers.optimizer import Optimizer
from gradkit.keras.optimizers.rules import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    RMSprop,
)
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object

ALL_OBJECTS_DICT = {
    cls.__name__.lower(): cls
    for cls in (SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop)  # fmt: skip
}
ALL_OBJECTS_DICT.update(
    {cls.__name__: cls for cls in (SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop)}
)


def serialize(optimizer) -> dict:
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, ALL_OBJECTS_DICT, custom_objects, "optimizer")


def get(identifier):
    """An optimizer from a name (``"adam"``, ``"SGD"``: Keras' defaults), a config dict or
    an instance. Unknown names raise ValueError listing the valid ones."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = ALL_OBJECTS_DICT.get(identifier) or ALL_OBJECTS_DICT.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret optimizer identifier: {identifier!r}. Valid names: "
                f"{', '.join(sorted(k for k in ALL_OBJECTS_DICT if k.islower()))}."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r} (expected a name such as "
        "'adam', a keras.optimizers.Optimizer or a config dict)"
    )


__all__ = [
    "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Optimizer", "RMSprop",
    "deserialize", "get", "schedules", "serialize",
]  # fmt: skip
