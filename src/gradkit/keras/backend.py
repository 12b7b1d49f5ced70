"""``keras.backend``: session state and global settings (names, float type, epsilon)."""

from gradkit.keras.src.backend import (  # noqa: F401
    backend,
    clear_session,
    epsilon,
    floatx,
    get_uid,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_dtype,
)
from gradkit.keras.src.keras_tensor import KerasTensor  # noqa: F401
from gradkit.keras.src.variables import Variable  # noqa: F401


def is_keras_tensor(x) -> bool:
    """Whether ``x`` is a symbolic KerasTensor."""
    return isinstance(x, KerasTensor)
