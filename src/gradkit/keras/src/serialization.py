"""Configs of Keras objects as JSON-able dicts, in Keras 3's layout::

    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {"seed": None}, "registered_name": None}

``deserialize_keras_object`` rebuilds an object from that dict by looking its class up
in the tables it is given, then in ``custom_objects``, then in the classes registered
with ``keras.saving.register_keras_serializable``. Nothing is ever unpickled.
"""

from __future__ import annotations

import inspect
import types

_GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
_GLOBAL_CUSTOM_NAMES: dict[object, str] = {}


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: make a custom class or function known to ``from_config`` and
    ``load_model`` under ``"package>name"`` (and its plain name)."""

    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj.__name__}: a class needs a get_config() method to be "
                "serializable"
            )
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = key
        return obj

    return decorator


def get_registered_name(obj) -> str:
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


class CustomObjectScope:
    """``with keras.saving.CustomObjectScope({"MyLayer": MyLayer}):`` makes those names
    known to every deserialization inside the block."""

    def __init__(self, custom_objects: dict | None = None) -> None:
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _SCOPES.append(self.custom_objects)
        return self

    def __exit__(self, *exc) -> None:
        _SCOPES.pop()


_SCOPES: list[dict] = []
custom_object_scope_alias = CustomObjectScope


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects=None):
    scopes = reversed(_SCOPES)
    tables = (custom_objects or {}, *scopes, _GLOBAL_CUSTOM_OBJECTS, module_objects or {})
    for table in tables:
        if name in table:
            return table[name]
    for key, obj in _GLOBAL_CUSTOM_OBJECTS.items():
        if key.split(">", 1)[-1] == name:
            return obj
    return None


# Name tables that lower modules look classes up in without importing the modules that
# define them (which import those lower modules): ``keras.layers`` registers its
# namespace ("layers"), ``model`` its model classes ("models"). A registered dict stays
# live, so names added to it later are found too.
_TABLES: dict[str, list[dict]] = {}


def register_objects(table: str, objects: dict) -> None:
    """Make the names in ``objects`` (kept by reference) part of ``table``."""
    _TABLES.setdefault(table, []).append(objects)


def registered_objects(table: str) -> dict:
    """The names registered in ``table`` (later registrations win)."""
    merged: dict = {}
    for objects in _TABLES.get(table, ()):
        merged.update(objects)
    return merged


def _public_module(obj) -> str:
    module = type(obj).__module__ if not inspect.isclass(obj) else obj.__module__
    if module.startswith("gradkit.keras"):
        parts = module.split(".")
        parts = [p for p in parts[2:] if p != "src"]
        return ".".join(["keras", *parts[:1]]) if parts else "keras"
    return module


def serialize_keras_object(obj):
    """A JSON-able description of ``obj`` (None, plain values, functions, objects with
    ``get_config``)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, types.FunctionType):
        registered = _GLOBAL_CUSTOM_NAMES.get(obj)
        return {
            "module": obj.__module__.replace("gradkit.keras.src", "keras").replace(
                "gradkit.keras", "keras"
            ),
            "class_name": "function",
            "config": obj.__name__,
            "registered_name": registered or obj.__name__,
        }
    if hasattr(obj, "get_config"):
        cls = type(obj)
        return {
            "module": _public_module(obj),
            "class_name": cls.__name__,
            "config": obj.get_config(),
            "registered_name": _GLOBAL_CUSTOM_NAMES.get(cls),
        }
    raise TypeError(
        f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no get_config()"
    )


def deserialize_keras_object(config, module_objects=None, custom_objects=None, kind="object"):
    """Rebuild what :func:`serialize_keras_object` described."""
    if config is None or isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(_unknown(kind, config, module_objects))
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret {kind} config: {config!r}")
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "function":
        name = config.get("registered_name") or inner
        obj = get_registered_object(name, custom_objects, module_objects)
        if obj is None:
            obj = get_registered_object(inner, custom_objects, module_objects)
        if obj is None:
            raise ValueError(_unknown(kind, inner, module_objects))
        return obj
    name = config.get("registered_name") or class_name
    cls = get_registered_object(name, custom_objects, module_objects)
    if cls is None:
        cls = get_registered_object(class_name, custom_objects, module_objects)
    if cls is None:
        raise ValueError(_unknown(kind, class_name, module_objects))
    with CustomObjectScope(custom_objects or {}):
        if hasattr(cls, "from_config"):
            return cls.from_config(inner)
        return cls(**inner)


def _unknown(kind: str, name, module_objects) -> str:
    valid = sorted(k for k in (module_objects or {}) if isinstance(k, str))
    hint = f" Valid names: {', '.join(valid)}." if valid else ""
    return (
        f"Could not interpret {kind} identifier: {name!r}.{hint} A custom {kind} must be "
        "passed in custom_objects or registered with "
        "keras.saving.register_keras_serializable()."
    )
