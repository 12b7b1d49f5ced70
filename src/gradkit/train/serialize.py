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


def module_from_config(config: dict, custom_objects: dict, source="The model file") -> Module:
    """Rebuild a module from :func:`module_config`'s dict; a malformed entry raises a
    ``ValueError`` naming ``source`` and what is wrong."""
    if not isinstance(config, dict) or not isinstance(config.get("class"), str):
        raise ValueError(
            f"{source}: a module entry of the config must be an object with a 'class' "
            f"string, 'args' list and 'kwargs' object; got {_short(config)}"
        )
    args, kwargs = config.get("args", []), config.get("kwargs", {})
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise ValueError(
            f"{source}: {config['class']}'s 'args' must be a list and 'kwargs' an object; "
            f"got {_short(args)} and {_short(kwargs)}"
        )
    cls = _resolve_class(config["class"], custom_objects, source)
    args = [_decode(a, custom_objects, source) for a in args]
    kwargs = {k: _decode(v, custom_objects, source) for k, v in kwargs.items()}
    try:
        return cls(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{source}: can't build {config['class']} from the stored arguments: {exc}"
        ) from None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _decode(value, custom_objects, source):
    if isinstance(value, list):
        return [_decode(v, custom_objects, source) for v in value]
    if isinstance(value, dict):
        if _MODULE_KEY in value:
            return module_from_config(value[_MODULE_KEY], custom_objects, source)
        if "__dtype__" in value:
            try:
                return np.dtype(value["__dtype__"]).type
            except TypeError:
                raise ValueError(
                    f"{source}: unknown dtype {_short(value['__dtype__'])} in the config"
                ) from None
        if "__dict__" in value:
            items = value["__dict__"]
            if not isinstance(items, list) or not all(
                isinstance(i, list) and len(i) == 2 for i in items
            ):
                raise ValueError(f"{source}: a '__dict__' entry must be a list of [key, value]")
            return {k: _decode(v, custom_objects, source) for k, v in items}
    return value


def _resolve_class(path: str, custom_objects: dict, source="The model file"):
    name = path.rsplit(".", 1)[-1]
    if name in custom_objects:
        return custom_objects[name]
    if path in custom_objects:
        return custom_objects[path]
    module_name, _, qualname = path.rpartition(".")
    if not module_name.startswith("gradkit."):
        raise ValueError(
            f"{source} names class {path!r}, which is not part of gradkit; pass it in "
            f"custom_objects={{'{name}': {name}}}."
        )
    try:
        cls = getattr(importlib.import_module(module_name), qualname)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{source} names unknown class {path!r}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise ValueError(f"{source}: {path!r} is not an nn.Module class")
    return cls
