"""``keras.saving``: save/load models (gradkit's safe format) and register custom
objects for deserialization."""

from gradkit.keras.src.saving import load_model, load_weights, save_model, save_weights
from gradkit.keras.src.serialization import (
    CustomObjectScope,
    deserialize_keras_object,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)

custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict:
    """The registry filled by ``register_keras_serializable`` (editable)."""
    from gradkit.keras.src.serialization import _GLOBAL_CUSTOM_OBJECTS

    return _GLOBAL_CUSTOM_OBJECTS


__all__ = [
    "CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
    "get_custom_objects", "get_registered_name", "get_registered_object", "load_model",
    "load_weights", "register_keras_serializable", "save_model", "save_weights",
    "serialize_keras_object",
]  # fmt: skip
