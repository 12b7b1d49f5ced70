"""Process-wide Keras state: automatic names, the float type, the layer call context.

Names follow Keras 3: the first ``Dense`` is ``dense``, then ``dense_1``, ``dense_2``,
...; ``clear_session()`` starts the counters again. The call context carries the
``training`` flag from an outer ``Layer.__call__`` to the layers it calls.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

_state: dict = {"uids": defaultdict(int), "floatx": "float32", "epsilon": 1e-7}
_state["image_data_format"] = "channels_last"
_call_context: list = [None]  # the CallContext of the outermost layer call in progress


def to_snake_case(name: str) -> str:
    """``"Conv2DTranspose"`` → ``"conv2d_transpose"`` (Keras' rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def uniquify(name: str) -> str:
    """``name`` the first time, then ``name_1``, ``name_2``, ... (per process)."""
    uids = _state["uids"]
    unique = f"{name}_{uids[name]}" if name in uids else name
    uids[name] += 1
    return unique


def auto_name(class_name: str) -> str:
    return uniquify(to_snake_case(class_name))


def get_uid(prefix: str = "") -> int:
    """A counter per prefix: 1, 2, 3, ... (``keras.backend.get_uid``)."""
    _state["uids"][prefix] += 1
    return _state["uids"][prefix]


def clear_session(free_memory: bool = True) -> None:
    """Reset the automatic layer names (``dense``, ``dense_1``, ...) and the call state."""
    _state["uids"] = defaultdict(int)
    _call_context[0] = None


def floatx() -> str:
    """The default float type of weights and layer computations (``"float32"``)."""
    return _state["floatx"]


def set_floatx(value: str) -> None:
    """Set the default float type: ``"float32"`` or ``"float64"``."""
    if value not in ("float32", "float64"):
        raise ValueError(
            f"Unknown floatx type {value!r}; gradkit.keras supports 'float32' and 'float64'"
        )
    _state["floatx"] = value


def epsilon() -> float:
    """The fuzz factor used in losses and metrics (``1e-7``)."""
    return _state["epsilon"]


def set_epsilon(value: float) -> None:
    _state["epsilon"] = float(value)


def image_data_format() -> str:
    """Always ``"channels_last"``: images are ``(batch, height, width, channels)``."""
    return _state["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}"
        )
    _state["image_data_format"] = data_format


def backend() -> str:
    """The backend's name: ``"gradkit"``."""
    return "gradkit"


def standardize_dtype(dtype) -> str:
    """A dtype as Keras spells it (``"float32"``, ``"int64"``, ``"bool"``); None gives
    ``floatx()``."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, dict):  # a serialized DTypePolicy
        dtype = dtype.get("config", {}).get("name", floatx())
    name = getattr(dtype, "name", dtype)
    try:
        return np.dtype(name).name
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype!r}") from None


class CallContext:
    """What an outer layer call hands down: the entry layer and the ``training`` flag."""

    def __init__(self, entry_layer) -> None:
        self.entry_layer = entry_layer
        self.training = None


__all__ = [
    "backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
    "set_epsilon", "set_floatx", "set_image_data_format", "standardize_dtype",
]  # fmt: skip
