"""``keras.utils``: seeding, label encoding and small array helpers."""

# Slice K1
from gradkit.keras.src.backend import clear_session
from gradkit.keras.src.serialization import (
    custom_object_scope_alias as custom_object_scope,
)
from gradkit.keras.src.serialization import (
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from gradkit.keras.utils.dataset import PyDataset, Sequence
from gradkit.keras.utils.numerical import normalize, set_random_seed, to_categorical
from gradkit.keras.utils.progbar import Progbar

__all__ = [
    "Progbar", "PyDataset", "Sequence", "clear_session", "custom_object_scope",
    "get_registered_name", "get_registered_object", "normalize", "register_keras_serializable",
    "set_random_seed", "to_categorical",
]  # fmt: skip
