"""Architecture as JSON: a module's class and the arguments it was built with.

``Module`` records the arguments of each construction (``_init_args``); nested modules,
lists and dicts of them are serialized recursively. Rebuilding imports classes only from
the ``gradkit`` package or from ``custom_objects`` (Keras' convention), so loading a file
never runs code named by the file.
"""

from __future__ import annotations

import importlib

import numpy as np

from gradkit.nn.module import Module

_MODULE_KEY = "__module__"


def module_config(module: Module) -> dict:
    """``{"class": "gradkit.nn.linear.Linear", "args": [...], "kwargs": {...}}``."""
    init = getattr(module, "_init_args", None)
    cls = type(module)
    if init is None:
        raise ValueError(
            f"{cls.__name__} did not record its constructor arguments, so its architecture "
            "cannot be saved; use save_weights() and rebuild it in code."
        )
    args, kwargs = init
    return {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "args": [_encode(a, cls) for a in args],
        "kwargs": {k: _encode(v, cls) for k, v in kwargs.items()},
    }


def _encode(value, owner):
    if isinstance(value, Module):
        return {_MODULE_KEY: module_config(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(v, owner) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[str(k), _encode(v, owner)] for k, v in value.items()]}
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, type) and issubclass(value, np.generic):
        return {"__dtype__": np.dtype(value).name}
    raise ValueError(
        f"{owner.__name__} was built with an argument of type {type(value).__name__} "
        f"({value!r}) that cannot be stored as JSON; use save_weights() instead."
    )


def module_from_config(config: dict, custom_objects: dict) -> Module:
    cls = _resolve_class(config["class"], custom_objects)
    args = [_decode(a, custom_objects) for a in config.get("args", [])]
    kwargs = {k: _decode(v, custom_objects) for k, v in config.get("kwargs", {}).items()}
    return cls(*args, **kwargs)


def _decode(value, custom_objects):
    if isinstance(value, list):
        return [_decode(v, custom_objects) for v in value]
    if isinstance(value, dict):
        if _MODULE_KEY in value:
            return module_from_config(value[_MODULE_KEY], custom_objects)
        if "__dtype__" in value:
            return np.dtype(value["__dtype__"]).type
        if "__dict__" in value:
            return {k: _decode(v, custom_objects) for k, v in value["__dict__"]}
    return value


def _resolve_class(path: str, custom_objects: dict):
    name = path.rsplit(".", 1)[-1]
    if name in custom_objects:
        return custom_objects[name]
    if path in custom_objects:
        return custom_objects[path]
    module_name, _, qualname = path.rpartition(".")
    if not module_name.startswith("gradkit."):
        raise ValueError(
            f"The model file names class {path!r}, which is not part of gradkit; pass it in "
            f"custom_objects={{'{name}': {name}}}."
        )
    try:
        cls = getattr(importlib.import_module(module_name), qualname)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"The model file names unknown class {path!r}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise ValueError(f"{path!r} in the model file is not an nn.Module class")
    return cls
