"""Saving and loading Keras models in gradkit's safe format (``gradkit.io``:
safetensors arrays + a JSON config; nothing is ever pickled).

``model.save(path)`` writes the weights (``model.weights`` order, as
``get_weights``), the architecture (``get_config`` in Keras 3's layout: class names,
layer configs, functional nodes), the build shapes and the compile settings.
``keras.models.load_model(path)`` rebuilds the model from the config, loads the
weights and recompiles. ``save_weights``/``load_weights`` write/read the weights alone.

File names: ``.keras`` and ``.weights.h5`` are accepted so Keras programs run
unchanged, but the files are gradkit/safetensors files, not Keras' zip or HDF5
files; real Keras cannot read them and gradkit refuses Keras' own files with a clear
error.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from gradkit import io
from gradkit.keras.src import tree
from gradkit.keras.src.input_layer import InputLayer
from gradkit.keras.src.keras_tensor import KerasTensor
from gradkit.keras.src.layer import Layer
from gradkit.keras.src.ops_layer import TensorOp
from gradkit.keras.src.serialization import (
    CustomObjectScope,
    deserialize_keras_object,
    registered_objects,
    serialize_keras_object,
)

MODEL_FORMAT = "gradkit.keras.model/1"
WEIGHTS_FORMAT = "gradkit.keras.weights/1"


# ---------------------------------------------------------------------- layer configs
def _layer_table() -> dict:
    # keras.layers registers its namespace and model.py its model classes (Functional,
    # Model, Sequential) with serialization, so this module imports neither
    table = {
        name: obj
        for name, obj in registered_objects("layers").items()
        if isinstance(obj, type) and issubclass(obj, Layer)
    }
    table.update({"InputLayer": InputLayer, **registered_objects("models"),
                  "TensorOp": TensorOp})  # fmt: skip
    return table


def serialize_layer(layer) -> dict:
    config = serialize_keras_object(layer)
    build = layer.get_build_config() if layer.built else None
    if build is not None:
        config["build_config"] = _jsonable(build)
    return config


def _jsonable(value):
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def deserialize_layer(config: dict, custom_objects=None):
    layer = deserialize_keras_object(config, _layer_table(), custom_objects, "layer")
    build = config.get("build_config")
    if build and not layer.built:
        layer.build_from_config(build)
    return layer


# ---------------------------------------------------------------------- functional
def _node_key(layer, node) -> int:
    return layer._inbound_nodes.index(node)


def functional_config(model) -> dict:
    """Keras 3's functional config: layers with ``inbound_nodes`` whose KerasTensor
    arguments are ``{"class_name": "__keras_tensor__", "config": {"keras_history":
    [layer, node, tensor]}}``; ``input_layers``/``output_layers`` name the ends."""
    kept = {id(node) for nodes in model._nodes_by_depth.values() for node in nodes}

    def new_index(layer, node_index) -> int:
        nodes = [n for n in layer._inbound_nodes if id(n) in kept]
        return nodes.index(layer._inbound_nodes[node_index])

    def encode(value):
        if isinstance(value, KerasTensor):
            history = value._keras_history
            return {
                "class_name": "__keras_tensor__",
                "config": {
                    "shape": list(value.shape),
                    "dtype": value.dtype,
                    "keras_history": [
                        history.operation.name,
                        new_index(history.operation, history.node_index),
                        history.tensor_index,
                    ],  # fmt: skip
                },
            }
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, np.ndarray):
            return value.tolist()
        return value

    layer_configs = []
    for layer in model._operations:
        config = serialize_layer(layer)
        config["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in kept or node.is_input:
                continue
            nodes.append({"args": encode(list(node.call_args)), "kwargs": encode(node.call_kwargs)})
        config["inbound_nodes"] = nodes
        layer_configs.append(config)

    def ends(struct):
        def ref(x):
            history = x._keras_history
            return [history.operation.name, new_index(history.operation, history.node_index),
                    history.tensor_index]  # fmt: skip

        if isinstance(struct, KerasTensor):
            return ref(struct)
        if isinstance(struct, dict):
            return {k: ref(v) for k, v in struct.items()}
        return [ref(x) for x in struct]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": ends(model._inputs_struct),
        "output_layers": ends(model._outputs_struct),
    }


def functional_from_config(cls, config: dict, custom_objects=None):
    """Rebuild a functional model: create the layers, then replay their nodes in an
    order where every input already exists."""
    Functional = registered_objects("models")["Functional"]  # noqa: N806

    layers, pending = {}, []
    for layer_config in config["layers"]:
        layer = deserialize_keras_object(layer_config, _layer_table(), custom_objects, "layer")
        layers[layer_config["name"]] = layer
        pending.append((layer, list(layer_config.get("inbound_nodes", []))))

    def tensor_of(ref):
        name, node_index, tensor_index = ref
        layer = layers[name]
        if node_index >= len(layer._inbound_nodes):
            raise KeyError(name)
        return layer._inbound_nodes[node_index].outputs[tensor_index]

    def decode(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return tensor_of(value["config"]["keras_history"])
        if isinstance(value, (list, tuple)):
            return [decode(v) for v in value]
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        return value

    progress = True
    while progress and any(nodes for _, nodes in pending):
        progress = False
        for layer, nodes in pending:
            while nodes:
                node = nodes[0]
                try:
                    args = decode(node.get("args", []))
                    kwargs = decode(node.get("kwargs", {}))
                except KeyError:
                    break
                layer(*args, **kwargs)
                nodes.pop(0)
                progress = True
    if any(nodes for _, nodes in pending):
        raise ValueError("Functional config is inconsistent: some layer calls have no inputs")

    def ends(struct):
        if isinstance(struct, dict):
            return {k: tensor_of(v) for k, v in struct.items()}
        if struct and not isinstance(struct[0], list):
            return tensor_of(struct)
        return [tensor_of(v) for v in struct]

    inputs, outputs = ends(config["input_layers"]), ends(config["output_layers"])
    target = Functional if cls.__name__ in ("Model", "Functional") else cls
    if target is Functional:
        return Functional(inputs=inputs, outputs=outputs, name=config.get("name"),
                          trainable=config.get("trainable", True))  # fmt: skip
    return target(inputs=inputs, outputs=outputs, name=config.get("name"))


# ---------------------------------------------------------------------- files
def _check_not_keras_native(path) -> None:
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        raise ValueError(
            f"{path} is a zip archive, i.e. a model saved by Keras itself; gradkit.keras reads "
            "only files written by gradkit.keras (rebuild the model in code and copy the "
            "weights with set_weights)"
        )
    if head.startswith(b"\x89HDF"):
        raise ValueError(
            f"{path} is an HDF5 file written by Keras/h5py; gradkit.keras reads only files "
            "written by gradkit.keras's save()/save_weights()"
        )


def _prepare_path(filepath, overwrite: bool) -> Path:
    path = Path(os.fspath(filepath))
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; give a file name")
    return path


def save_model(model, filepath, overwrite: bool = True, **kwargs) -> None:
    """Write ``model`` (architecture, weights, compile settings) to ``filepath``."""
    if kwargs.pop("save_format", None) not in (None, "keras", "gradkit"):
        raise ValueError("gradkit.keras saves in one format: pass no save_format")
    if kwargs:
        raise ValueError(f"Unrecognized arguments for save(): {sorted(kwargs)}")
    path = _prepare_path(filepath, overwrite)
    config = {
        "format": MODEL_FORMAT,
        "model": serialize_layer(model),
        "compile_config": model.get_compile_config() if model.compiled else None,
    }
    state = {"weights": [np.array(w._data) for w in model.weights]}
    optimizer = getattr(model, "optimizer", None)
    if getattr(optimizer, "built", False) and hasattr(optimizer, "get_weights"):
        state["optimizer"] = optimizer.get_weights()
    io.save(state, path, config=config)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Rebuild a model written by ``model.save``: architecture, weights, compile
    settings (``compile=False`` skips recompiling)."""
    path = Path(os.fspath(filepath))
    if not path.exists():
        raise FileNotFoundError(f"No file or directory found at {path}")
    _check_not_keras_native(path)
    state, config, _ = io.load_checkpoint(path)
    if not config or config.get("format") != MODEL_FORMAT:
        raise ValueError(
            f"{path} holds weights but no gradkit.keras model config (written by "
            "save_weights?); build the model in code and call load_weights() instead"
        )
    with CustomObjectScope(custom_objects or {}):
        model = deserialize_layer(config["model"], custom_objects)
        _set_weights(model, state["weights"], path)
        compile_config = config.get("compile_config")
        if compile and compile_config:
            model.compile_from_config(compile_config)
            optimizer_state = state.get("optimizer")
            if optimizer_state is not None and hasattr(model.optimizer, "build"):
                model.optimizer.build(model.trainable_weights)
                if len(optimizer_state) == len(model.optimizer.variables):
                    model.optimizer.set_weights(optimizer_state)
    return model


def _set_weights(model, weights, path) -> None:
    if len(model.weights) != len(weights):
        raise ValueError(
            f"{path}: the file has {len(weights)} weight arrays but model '{model.name}' has "
            f"{len(model.weights)} weights; was it saved from a different architecture?"
        )
    model.set_weights(weights)


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Write ``model.get_weights()`` (and the weights' paths) to ``filepath``."""
    name = os.fspath(filepath)
    if not name.endswith((".weights.h5", ".weights.safetensors", ".safetensors")):
        raise ValueError(
            f"The filename must end in `.weights.h5` (or `.safetensors`). Received: filepath={name}"
        )
    path = _prepare_path(filepath, overwrite)
    paths = [getattr(w, "path", str(i)) for i, w in enumerate(model.weights)]
    io.save({"weights": model.get_weights()}, path,
            config={"format": WEIGHTS_FORMAT, "paths": paths})  # fmt: skip


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Load weights written by ``save_weights`` or ``save`` into a built model."""
    path = Path(os.fspath(filepath))
    if not path.exists():
        raise FileNotFoundError(f"No file or directory found at {path}")
    _check_not_keras_native(path)
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' is not built yet; call it on data or build() it before "
            "load_weights()"
        )
    state, config, _ = io.load_checkpoint(path)
    if not isinstance(state, dict) or "weights" not in state:
        raise ValueError(f"{path} was not written by gradkit.keras save_weights()/save()")
    weights = state["weights"]
    if skip_mismatch:
        targets = model.weights
        for target, value in zip(targets, weights):
            if tuple(target.shape) == tuple(np.shape(value)):
                target._data[...] = value
        return
    _set_weights(model, weights, path)


def model_from_json(json_string: str, custom_objects=None):
    import json

    return deserialize_layer(json.loads(json_string), custom_objects)


__all__ = ["load_model", "load_weights", "save_model", "save_weights", "tree"]
