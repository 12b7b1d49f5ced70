"""``keras.Model``, its functional form (``Functional``) and ``keras.Sequential``.

Three ways to make a model, as in Keras 3:

* functional: ``keras.Model(inputs, outputs)`` over KerasTensors (a ``Functional``);
* subclassing: ``class M(keras.Model)`` with layers assigned in ``__init__`` and a
  ``call(self, inputs, training=None)``;
* ``keras.Sequential([...])`` or ``.add()``, built as soon as the input shape is known
  (an ``Input``, ``input_shape=`` on the first layer, ``build()``, or the first data).

Training (``compile``/``fit``/``evaluate``/``predict``) comes from
:class:`~gradkit.keras.src.trainer.Trainer`; saving from
:mod:`gradkit.keras.src.saving`; the summary table from
:mod:`gradkit.keras.src.summary`.
"""

from __future__ import annotations

from gradkit.keras.src import tree
from gradkit.keras.src.functional import GraphMixin
from gradkit.keras.src.input_layer import InputLayer
from gradkit.keras.src.keras_tensor import KerasTensor
from gradkit.keras.src.layer import Layer, UnrecognizedArgumentError
from gradkit.keras.src.saving import (
    deserialize_layer,
    functional_config,
    functional_from_config,
    load_weights,
    save_model,
    save_weights,
    serialize_layer,
)
from gradkit.keras.src.serialization import register_objects, serialize_keras_object
from gradkit.keras.src.summary import print_summary
from gradkit.keras.src.trainer import Trainer


def _functional_args(args, kwargs) -> bool:
    return len(args) == 2 or ("outputs" in kwargs and (args or "inputs" in kwargs))


class Model(Trainer, GraphMixin, Layer):
    """A layer with training and saving: functional (``Model(inputs, outputs,
    name=...)``) or subclassed (override ``call``).

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import keras
    >>> inputs = keras.Input(shape=(3,))
    >>> outputs = keras.layers.Dense(2)(inputs)
    >>> model = keras.Model(inputs, outputs)
    >>> model.predict(np.ones((4, 3)), verbose=0).shape
    (4, 2)
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_args(args, kwargs):
            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs) -> None:
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if len(args) > 2:
            raise TypeError(f"Model() takes inputs and outputs, got {len(args)} positional args")
        allowed = {"name", "trainable", "dtype", "autocast"}
        unknown = {k: v for k, v in kwargs.items() if k not in allowed}
        if unknown:
            raise UnrecognizedArgumentError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {unknown}"
            )
        Layer.__init__(self, **kwargs)
        Trainer._init_trainer(self)
        object.__setattr__(self, "_is_graph_network", False)
        if (inputs is None) != (outputs is None):
            raise ValueError(
                "A functional model needs both `inputs` and `outputs`: "
                "keras.Model(inputs=inputs, outputs=outputs)"
            )
        if inputs is not None:
            self._init_graph(inputs, outputs)

    def call(self, inputs, training=None, mask=None):
        if self._is_graph_network:
            return self._run_graph(inputs, training=training)
        raise NotImplementedError(
            f"Model {type(self).__name__} does not have a `call()` method implemented: "
            "subclasses of keras.Model define call(self, inputs, training=None)"
        )

    def _maybe_build(self, args, kwargs) -> None:
        if self.built:
            return
        shapes = self._shapes_for(lambda input_shape: None, args, kwargs)
        shape = next(iter(shapes.values()), None)
        object.__setattr__(self, "_build_shapes_dict", {"input_shape": shape})
        from gradkit.keras.src.layer import _batchless

        object.__setattr__(self, "_build_input_shape", _batchless(shape))
        object.__setattr__(self, "built", True)

    def build(self, input_shape=None) -> None:
        """Create a subclassed model's weights by running it once on zeros of
        ``input_shape`` (``None`` axes become small sizes)."""
        if self._is_graph_network:
            return
        if input_shape is None:
            raise ValueError(f"Model '{self.name}': build() needs an input_shape, e.g. (None, 784)")
        object.__setattr__(self, "built", True)
        spec = tree.map_shape_structure(lambda s: KerasTensor(s), input_shape)
        self._probe_output_spec((spec,), {})

    # ------------------------------------------------------------------ layers
    @property
    def layers(self) -> list:
        """The model's layers: graph order for functional models, tracking order for
        subclassed ones."""
        if self._is_graph_network:
            return GraphMixin.layers.fget(self)
        return self._layers

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name`` (or at position ``index`` of ``layers``)."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: "
                f"{[layer.name for layer in self.layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    @property
    def inputs(self):
        if not self._is_graph_network:
            return None
        return GraphMixin.inputs.fget(self)

    @property
    def outputs(self):
        if not self._is_graph_network:
            return None
        return GraphMixin.outputs.fget(self)

    def _assert_input_compatibility(self, first) -> None:
        if self._is_graph_network:
            GraphMixin._assert_input_compatibility(self, first)
        else:
            Layer._assert_input_compatibility(self, first)

    # ------------------------------------------------------------------ summary
    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range=None,
    ) -> None:
        """Print the layer table in Keras 3's layout (layer and type, output shape,
        parameter count, connections for non-sequential graphs) and the totals."""
        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    # ------------------------------------------------------------------ config / saving
    def get_config(self) -> dict:
        if self._is_graph_network:
            return functional_config(self)
        config = Layer.get_config(self)
        config.pop("name", None) if type(self).get_config is Model.get_config else None
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            return functional_from_config(cls, config, custom_objects)
        return super().from_config(config)

    def save(self, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
        """Save architecture, weights and compile settings in gradkit's safe format (see
        :func:`gradkit.keras.src.saving.save_model`)."""
        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save ``get_weights()`` in gradkit's safe format (``.weights.h5`` names it)."""
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights written by ``save_weights`` or ``save``."""
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs) -> str:
        import json

        return json.dumps(serialize_keras_object(self), **kwargs)


class Functional(Model):
    """A model defined as a graph of layers: ``keras.Model(inputs, outputs)``."""

    def __init__(self, inputs, outputs, name=None, **kwargs) -> None:
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)


class Sequential(Model):
    """A linear stack of layers.

    Examples
    --------
    >>> from gradkit import keras
    >>> from gradkit.keras import layers
    >>> model = keras.Sequential([layers.Dense(units=1, input_shape=[3])])
    >>> model.compile(optimizer="sgd", loss="mean_squared_error")
    >>> model.count_params()
    4
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None) -> None:
        super().__init__(trainable=trainable, name=name)
        object.__setattr__(self, "_functional", None)
        object.__setattr__(self, "_layer_list", [])
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    def add(self, layer, rebuild: bool = True) -> None:
        """Append ``layer`` (or the InputLayer of a ``keras.Input`` tensor)."""
        if not self._layer_list and getattr(layer, "_input_shape_arg", None) is not None:
            self.add(InputLayer(shape=layer._input_shape_arg), rebuild=False)
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            origin = layer._keras_history.operation
            if isinstance(origin, InputLayer):
                layer = origin
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer)})"
            )
        if any(existing.name == layer.name for existing in self._layer_list):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name."
            )
        if (
            isinstance(layer, InputLayer)
            and self._layer_list
            and isinstance(self._layer_list[0], InputLayer)
        ):
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input "
                f"shape {self._layer_list[0].batch_shape}. You cannot add a different Input "
                "layer to it."
            )
        self._layer_list.append(layer)
        self.__dict__["_modules"][layer.name] = layer
        if rebuild:
            self._maybe_rebuild()
        else:
            object.__setattr__(self, "built", False)
            object.__setattr__(self, "_functional", None)

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layer_list.pop()
        self.__dict__["_modules"].pop(layer.name, None)
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        object.__setattr__(self, "built", False)
        object.__setattr__(self, "_functional", None)
        if not self._layer_list:
            return
        first = self._layer_list[0]
        if isinstance(first, InputLayer) and len(self._layer_list) > 1:
            self.build(first.batch_shape)

    def _maybe_build(self, args, kwargs) -> None:
        Layer._maybe_build(self, args, kwargs)

    def build(self, input_shape=None) -> None:
        """Build the stack for inputs of ``input_shape`` (batch axis first)."""
        if not self._layer_list:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. "
                "Call `model.add(layer)`."
            )
        first = self._layer_list[0]
        if isinstance(first, InputLayer):
            inputs = first.output
        else:
            if input_shape is None or not tree.is_shape_tuple(input_shape):
                raise ValueError(
                    f"Sequential model '{self.name}' needs a single input shape to be built, "
                    f"got {input_shape!r}"
                )
            input_shape = (None, *tuple(input_shape)[1:])
            layer = InputLayer(batch_shape=input_shape)
            self._layer_list.insert(0, layer)
            modules = self.__dict__["_modules"]
            rest = dict(modules)
            modules.clear()
            modules[layer.name] = layer
            modules.update(rest)
            inputs = layer.output
        x = inputs
        for layer in self._layer_list[1:]:
            x = layer(x)
        functional = Functional(inputs=inputs, outputs=x)
        object.__setattr__(self, "_functional", functional)
        object.__setattr__(self, "built", True)

    def call(self, inputs, training=None, mask=None):
        if self._functional is not None:
            return self._functional._run_graph(inputs, training=training)
        for layer in self.layers:
            inputs = layer(inputs)
        return inputs

    def _assert_input_compatibility(self, first) -> None:
        if self._functional is not None:
            functional = self._functional
            saved = functional.name
            object.__setattr__(functional, "name", self.name)
            try:
                functional._check_input_shapes(functional._flat_inputs(first))
            finally:
                object.__setattr__(functional, "name", saved)

    @property
    def layers(self) -> list:
        return [layer for layer in self._layer_list if not isinstance(layer, InputLayer)]

    @property
    def _layers(self) -> list:
        return list(self._layer_list)

    @property
    def inputs(self):
        return self._functional.inputs if self._functional is not None else None

    @property
    def outputs(self):
        return self._functional.outputs if self._functional is not None else None

    @property
    def input(self):
        return self._functional.input if self._functional is not None else None

    @property
    def output(self):
        return self._functional.output if self._functional is not None else None

    @property
    def input_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has not yet been built.")
        return self._functional.input_shape

    @property
    def output_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has not yet been built.")
        return self._functional.output_shape

    def get_config(self) -> dict:
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype_policy,
            "layers": [serialize_layer(layer) for layer in self._layer_list],
        }
        if self._build_input_shape is not None and not isinstance(self._layer_list[0], InputLayer):
            config["build_input_shape"] = list(self._build_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects), rebuild=False)
        model._maybe_rebuild()
        shape = config.get("build_input_shape")
        if not model.built and shape is not None:
            model.build(tuple(shape))
        return model


# saving and summary find the model classes here instead of importing this module
register_objects("models", {"Functional": Functional, "Model": Model, "Sequential": Sequential})
