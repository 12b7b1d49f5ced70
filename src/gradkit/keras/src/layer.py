"""``keras.Layer``: the base class of every Keras layer and model, as a gradkit ``Module``.

The contract the concrete layers (``gradkit.keras.layers``) are written against
---------------------------------------------------------------------------------
Construction
    ``super().__init__(**kwargs)`` first. Accepted keywords: ``name`` (default: the
    snake-cased class name made unique per process, ``dense``, ``dense_1``, ...;
    ``keras.backend.clear_session()`` restarts the count), ``trainable``, ``dtype``
    (``"float32"`` default, ``"float64"``, or a serialized Keras ``DTypePolicy`` dict),
    ``autocast``, ``activity_regularizer``, and on a first layer ``input_shape=`` /
    ``input_dim=`` (kept as ``layer._input_shape_arg``, batch axis excluded, used by
    ``Sequential``; no deprecation warning). Any other keyword raises
    :class:`UnrecognizedArgumentError` (a ``ValueError`` as in Keras, also a
    ``TypeError``) naming the layer class and the keyword. A layer with no state calls
    ``self._build_at_init()`` at the end of its ``__init__`` (``built`` is then True at
    once, as Keras' ``Dropout``/``Activation`` are).

State
    ``build(self, input_shape)`` creates weights with ``self.add_weight(shape=...,
    initializer=..., name=..., trainable=..., regularizer=..., constraint=...)``, which
    returns a :class:`~gradkit.keras.src.variables.Variable` (a ``gradkit.nn.Parameter``
    registered on the Module under its name). ``input_shape`` includes the batch axis
    (``None`` when symbolic, the real size when built by an eager call). A ``build`` with
    several parameters named ``<arg>_shape`` receives the shape of each ``call``
    argument ``<arg>`` (``build(self, query_shape, value_shape)``). Calling ``build``
    marks the layer ``built`` (a subclass never sets ``self.built`` itself) and records
    ``layer._build_input_shape`` with the batch axis as None. Sub-layers assigned as
    attributes (also lists/tuples/dicts of layers, at assignment time) are tracked.

    ``weights`` is Keras' order: this layer's trainable variables in creation order,
    then its non-trainable ones, then each tracked sub-layer's ``weights`` in tracking
    order (deduplicated); ``trainable_weights``/``non_trainable_weights`` filter it
    (everything is non-trainable while ``layer.trainable`` is False).
    ``get_weights()``/``set_weights()`` use NumPy arrays in that order and check count
    and shapes, naming the layer. Non-trainable state (BatchNorm's moving statistics)
    is updated in ``call`` with ``variable.assign(new_value)``.

Calling
    ``call(self, inputs, training=None, mask=None)`` computes on gradkit Tensors
    (``inputs`` may be a Tensor or a list/tuple/dict of them). ``__call__`` converts
    NumPy inputs to Tensors (floats to the layer's compute dtype, float32), checks
    ``self.input_spec`` (a :class:`InputSpec` or a list of them; the error names the
    layer and the shapes), builds on the first call, resolves ``training`` (explicit
    argument > the outer layer call's value > ``call``'s default) and passes it only if
    ``call`` takes it, passes the input's ``_keras_mask`` as ``mask=`` if ``call``
    takes one, and sets ``_keras_mask`` on the outputs from ``compute_mask(inputs,
    previous_mask)`` when ``supports_masking``.

Symbolic calls (functional API)
    Called on :class:`KerasTensor` inputs the layer builds from the symbolic shapes,
    records a :class:`Node` and returns KerasTensor(s). Their shapes come from
    ``compute_output_shape(input_shape)`` when the layer overrides it; otherwise the
    layer's ``__call__`` is run, under ``no_grad`` with ``training=False``, on zero-filled
    batches where every unknown axis is 2 and then 3, and output axes that differ
    between the two runs become ``None``. A layer whose call changes state even with
    ``training=False`` (a stateful RNN) must override ``compute_output_shape``.

Config
    ``get_config()`` returns ``{"name", "trainable", "dtype"}`` (+ ``activity_regularizer``)
    merged, for a subclass that does not override it, with its constructor arguments;
    ``from_config(config)`` is ``cls(**config)``.
"""

from __future__ import annotations

import functools
import inspect
import json

import numpy as np

from gradkit.keras import regularizers
from gradkit.keras.src import backend as kbackend
from gradkit.keras.src import tree
from gradkit.keras.src.input_spec import InputSpec, assert_input_compatibility
from gradkit.keras.src.keras_tensor import KerasTensor, any_symbolic
from gradkit.keras.src.layer_symbolic import SymbolicMixin, _shape_of
from gradkit.keras.src.layer_weights import _NAME_SCOPE, WeightsMixin, _dtype_name
from gradkit.keras.src.variables import Variable
from gradkit.nn.module import Module
from gradkit.tensor import Tensor

_KERAS_ONLY_KEYS = ("quantization_config", "lora_rank", "lora_alpha")


class UnrecognizedArgumentError(ValueError, TypeError):
    """An unknown keyword passed to a layer or model constructor (Keras raises
    ValueError; Python would raise TypeError: both catch it)."""


class Layer(WeightsMixin, SymbolicMixin, Module):
    """Base class of Keras layers (see the module docstring for the full contract).

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import keras
    >>> class Scale(keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones",
    ...                                  name="w")
    ...     def call(self, inputs):
    ...         return inputs * self.w
    >>> layer = Scale()
    >>> layer(np.ones((2, 3))).shape, [w.shape for w in layer.weights]
    ((2, 3), [(3,)])
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_keras_build_wrapper", False):

            @functools.wraps(build)
            def build_wrapper(self, *args, **kw):
                _NAME_SCOPE.append(self.name)
                try:
                    build(self, *args, **kw)
                finally:
                    _NAME_SCOPE.pop()
                shapes = inspect.signature(build).bind(self, *args, **kw).arguments
                shapes.pop(next(iter(shapes)))  # self
                object.__setattr__(self, "_build_shapes_dict", dict(shapes))
                if len(shapes) == 1:
                    shape = next(iter(shapes.values()))
                    object.__setattr__(self, "_build_input_shape", _batchless(shape))
                object.__setattr__(self, "built", True)

            build_wrapper._keras_build_wrapper = True
            cls.build = build_wrapper

    def __init__(
        self,
        *,
        activity_regularizer=None,
        trainable: bool = True,
        dtype=None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs,
    ) -> None:
        Module.__init__(self)
        setattr_ = object.__setattr__
        setattr_(self, "_trainable_variables", [])
        setattr_(self, "_non_trainable_variables", [])
        setattr_(self, "_inbound_nodes", [])
        setattr_(self, "_outbound_nodes", [])
        setattr_(self, "_losses", [])
        setattr_(self, "_input_spec", None)
        setattr_(self, "_build_input_shape", None)
        setattr_(self, "_build_shapes_dict", None)
        setattr_(self, "built", False)
        if name is None:
            name = kbackend.auto_name(type(self).__name__)
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name!r} (of type {type(name)})"
            )
        self.name = name
        self._dtype = self._standardize_layer_dtype(dtype)
        self.autocast = bool(autocast)
        if not isinstance(trainable, bool):
            raise ValueError(
                f"Expected `trainable` to be a boolean. Received: trainable={trainable!r} "
                f"(of type {type(trainable)})"
            )
        setattr_(self, "_trainable", trainable)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        input_dim = kwargs.pop("input_dim", None)
        input_shape = (input_dim,) if input_dim is not None else kwargs.pop("input_shape", None)
        if input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            try:
                input_shape = tuple(None if d is None else int(d) for d in input_shape)
            except TypeError:
                raise ValueError(
                    f"{type(self).__name__}: `input_shape` must be a tuple of ints (without "
                    f"the batch axis), got {input_shape!r}"
                ) from None
            self._input_shape_arg = input_shape
        if kwargs:
            raise UnrecognizedArgumentError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        signature = inspect.signature(self.call)
        self._call_signature = signature
        self._call_has_training_arg = "training" in signature.parameters
        self._call_has_mask_arg = "mask" in signature.parameters
        self._supports_masking = type(self).compute_mask is not Layer.compute_mask

    @staticmethod
    def _standardize_layer_dtype(dtype) -> str:
        if dtype is None:
            return kbackend.floatx()
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name", kbackend.floatx())
        dtype = getattr(dtype, "name", dtype)
        if isinstance(dtype, str) and dtype.startswith("mixed_"):
            raise ValueError(
                f"dtype policy {dtype!r}: gradkit computes in float32 or float64 only; "
                "mixed precision is not supported"
            )
        return _dtype_name(dtype)

    def _build_at_init(self) -> None:
        """Mark a layer without state as built at construction (Keras' rule for
        layers that don't override ``build``)."""
        object.__setattr__(self, "built", True)

    def _check_super_called(self) -> None:
        if "_trainable_variables" not in self.__dict__:
            raise RuntimeError(
                f"In layer '{type(self).__name__}', you forgot to call `super().__init__()` "
                "as the first statement in the `__init__()` method. Go add it!"
            )

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        if "_trainable_variables" in d and not name.startswith("__"):
            if isinstance(value, Variable):
                if not self._owns_variable(value):
                    self._track_variable(value)
                object.__setattr__(self, name, value)
                return
            if isinstance(value, (list, tuple, dict)) and not isinstance(value, Module):
                items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
                modules = d["_modules"]
                for stale in [k for k in modules if k.startswith(f"{name}.")]:
                    del modules[stale]
                if items and all(isinstance(v, Module) for _, v in items):
                    for key, layer in items:
                        d["_modules"][f"{name}.{key}"] = layer
                elif items and all(isinstance(v, Variable) for _, v in items):
                    for _, var in items:
                        if not self._owns_variable(var):
                            self._track_variable(var)
        super().__setattr__(name, value)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (``"float32"``)."""
        return self._dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype

    @property
    def input_dtype(self) -> str:
        return self._dtype

    @property
    def dtype_policy(self) -> dict:
        return {
            "module": "keras",
            "class_name": "DTypePolicy",
            "config": {"name": self._dtype},
            "registered_name": None,
        }

    @property
    def trainable(self) -> bool:
        """Whether the optimizer updates this layer's weights (settable; applies to the
        layer's own trainable variables and to all sub-layers)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        object.__setattr__(self, "_trainable", value)
        for variable in self._trainable_variables:
            variable.trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def input_spec(self):
        return self._input_spec

    @input_spec.setter
    def input_spec(self, value) -> None:
        for spec in tree.flatten(value):
            if spec is not None and not isinstance(spec, InputSpec):
                raise TypeError(
                    f"Layer '{self.name}': input_spec must be an InputSpec or a list of "
                    f"them, got {spec!r}"
                )
        object.__setattr__(self, "_input_spec", value)

    @property
    def supports_masking(self) -> bool:
        return self._supports_masking

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        object.__setattr__(self, "_supports_masking", bool(value))

    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs; by default the input's mask passes through when the
        layer ``supports_masking``."""
        return previous_mask

    # ------------------------------------------------------------------ build
    def build(self, input_shape=None) -> None:
        """Create the layer's weights for inputs of ``input_shape`` (batch axis first).
        The base version only marks the layer built."""
        object.__setattr__(self, "built", True)
        if input_shape is not None and tree.is_shape_tuple(input_shape):
            object.__setattr__(self, "_build_input_shape", _batchless(input_shape))

    def _shapes_for(self, target, args, kwargs) -> dict:
        """Map the shapes of ``call``'s tensor arguments to the parameters of ``build``
        or ``compute_output_shape`` (Keras' rule)."""
        params = self._call_signature.parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        kwargs = {
            k: v for k, v in kwargs.items() if k in params or takes_any or k not in (
                "training", "mask")
        }  # fmt: skip
        try:
            bound = self._call_signature.bind(*args, **kwargs).arguments
        except TypeError as exc:
            raise TypeError(f"Layer '{self.name}': bad call arguments: {exc}") from None
        tensors = {}
        for key, value in bound.items():
            if key in ("mask", "training") or (
                self._call_signature.parameters[key].kind
                in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
            ):
                continue
            leaves = tree.flatten(value)
            if (
                leaves
                and all(
                    isinstance(x, (Tensor, KerasTensor, np.ndarray)) or x is None for x in leaves
                )
                and any(x is not None for x in leaves)
            ):
                tensors[key] = _shape_of(value)
        params = [
            p
            for p in inspect.signature(target).parameters.values()
            if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
        ]
        if len(params) <= 1:
            first = next(iter(tensors.values()), None)
            return {params[0].name: first} if params else {}
        out = {}
        for param in params:
            key = param.name[: -len("_shape")] if param.name.endswith("_shape") else None
            if key is not None and key in tensors:
                out[param.name] = tensors[key]
            elif param.default is inspect.Parameter.empty:
                raise ValueError(
                    f"Layer '{self.name}': {target.__name__}() takes argument "
                    f"'{param.name}', which does not match any tensor argument of call() "
                    f"({', '.join(f'{k}_shape' for k in tensors)})"
                )
        return out

    def _maybe_build(self, args, kwargs) -> None:
        if self.built:
            return
        shapes = self._shapes_for(self.build, args, kwargs)
        self.build(**shapes)
        object.__setattr__(self, "built", True)
        assert_input_compatibility(self.input_spec, args[0] if args else None, self.name)

    def get_build_config(self) -> dict | None:
        if self._build_shapes_dict is not None:
            built = self._build_shapes_dict
            shapes = {k: list(v) if isinstance(v, tuple) else v for k, v in built.items()}
            if len(shapes) == 1:
                return {"input_shape": next(iter(shapes.values()))}
            return {"shapes_dict": shapes}
        return None

    def build_from_config(self, config: dict | None) -> None:
        if not config:
            return
        if "input_shape" in config:
            shape = config["input_shape"]
            self.build(tuple(shape) if tree.is_shape_tuple(shape) else shape)
        elif "shapes_dict" in config:
            self.build(**{k: tuple(v) for k, v in config["shapes_dict"].items()})

    # ------------------------------------------------------------------ call
    def call(self, *args, **kwargs):
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a `call()` method implemented."
        )

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def _convert_input(self, x):
        if isinstance(x, (np.ndarray, np.generic)):
            x = Tensor(np.asarray(x))
        if isinstance(x, Tensor) and self.autocast and x.dtype.kind == "f":
            if x.dtype != np.dtype(self.compute_dtype):
                x = x.to(np.dtype(self.compute_dtype))
        return x

    def __call__(self, *args, **kwargs):
        self._check_super_called()
        if not args:
            params = list(self._call_signature.parameters)
            if params and params[0] in kwargs:
                args = (kwargs.pop(params[0]),)
            else:
                raise ValueError(
                    f"Layer '{self.name}' was called without inputs: pass the input tensor "
                    "as the first positional argument"
                )
        if any_symbolic(args, kwargs):
            return self._symbolic_call(args, kwargs)
        args = tree.map_structure(self._convert_input, args)
        kwargs = {
            k: (v if k == "training" else tree.map_structure(self._convert_input, v))
            for k, v in kwargs.items()
        }
        for leaf in tree.flatten(list(args)):
            if leaf is not None and not isinstance(leaf, Tensor):
                raise ValueError(
                    "Only input tensors may be passed as positional arguments. The following "
                    f"argument value should be passed as a keyword argument: {leaf!r} (of type "
                    f"{type(leaf)})"
                )
        self._assert_input_compatibility(args[0])
        context = kbackend._call_context[0]
        entry = context is None
        if entry:
            context = kbackend.CallContext(self)
            kbackend._call_context[0] = context
            self._clear_losses()
        try:
            if not self.built:
                self._maybe_build(args, kwargs)
            self._resolve_training(context, kwargs)
            first = args[0]
            previous_mask = tree.map_structure(lambda x: getattr(x, "_keras_mask", None), first)
            if self._call_has_mask_arg and kwargs.get("mask") is None:
                if any(m is not None for m in tree.flatten(previous_mask)):
                    kwargs["mask"] = previous_mask
            elif kwargs.get("mask") is not None:
                previous_mask = kwargs["mask"]
            if not self._call_has_mask_arg:
                kwargs.pop("mask", None)
            _NAME_SCOPE.append(self.name)
            try:
                outputs = Module.__call__(self, *args, **kwargs)
            finally:
                _NAME_SCOPE.pop()
            object.__setattr__(self, "built", True)
            if "_eager_output_shapes" not in self.__dict__:
                object.__setattr__(self, "_eager_output_shapes", tree.map_structure(
                    lambda t: tuple(t.shape) if isinstance(t, Tensor) else None, outputs
                ))  # fmt: skip
            if self.activity_regularizer is not None:
                for out in tree.flatten(outputs):
                    if isinstance(out, Tensor):
                        penalty = self.activity_regularizer(out)
                        if out.ndim > 0 and out.shape[0]:
                            penalty = penalty / out.shape[0]
                        self.add_loss(penalty)
            if self.supports_masking:
                self._set_mask_metadata(first, outputs, previous_mask)
        finally:
            if entry:
                kbackend._call_context[0] = None
        return outputs

    def _resolve_training(self, context, kwargs) -> None:
        if "training" in kwargs:
            value = kwargs["training"]
        elif context.training is not None:
            value = context.training
        else:
            param = self._call_signature.parameters.get("training")
            value = (
                None
                if param is None or param.default is inspect.Parameter.empty
                else (param.default)
            )
        context.training = value
        if self._call_has_training_arg and value is not None:
            kwargs["training"] = value
        elif not self._call_has_training_arg:
            kwargs.pop("training", None)

    def _set_mask_metadata(self, inputs, outputs, previous_mask) -> None:
        flat_outputs = [x for x in tree.flatten(outputs) if isinstance(x, Tensor)]
        if all(getattr(x, "_keras_mask", None) is not None for x in flat_outputs):
            return
        masks = self.compute_mask(inputs, previous_mask)
        if masks is None:
            return
        flat_masks = tree.flatten(masks)
        for tensor, mask in zip(flat_outputs, flat_masks):
            if getattr(tensor, "_keras_mask", None) is None and mask is not None:
                tensor._keras_mask = mask

    def _assert_input_compatibility(self, first) -> None:
        if self.input_spec:
            assert_input_compatibility(self.input_spec, first, self.name)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """``{"name", "trainable", "dtype"}`` plus, for a subclass that does not
        override this method, its constructor arguments."""
        self._check_super_called()
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_policy}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if type(self).get_config is Layer.get_config and type(self).__init__ is not (
            Layer.__init__
        ):
            config.update(self._auto_config())
        return config

    def _auto_config(self) -> dict:
        args, kw = self.__dict__.get("_init_args", ((), {}))
        try:
            bound = inspect.signature(type(self).__init__).bind(self, *args, **kw).arguments
        except TypeError:
            bound = dict(kw)
        bound.pop(next(iter(bound)), None)  # self
        extra = {}
        for key, value in bound.items():
            if inspect.signature(type(self).__init__).parameters[key].kind is (
                inspect.Parameter.VAR_KEYWORD
            ):
                extra.update(value)
            else:
                extra[key] = value
        extra = {k: v for k, v in extra.items() if k not in ("name", "trainable", "dtype")}
        try:
            json.dumps(extra)
        except TypeError:
            raise NotImplementedError(
                f"Layer {type(self).__name__} was created by passing non-serializable argument "
                "values in `__init__()`, and therefore the layer must override `get_config()` "
                "in order to be serializable."
            ) from None
        return extra

    @classmethod
    def from_config(cls, config: dict):
        """``cls(**config)`` (Keras-only keys left at their defaults are dropped, so
        configs written by real Keras load)."""
        config = dict(config)
        for key in _KERAS_ONLY_KEYS:
            if key in config and config[key] is None:
                del config[key]
        try:
            return cls(**config)
        except TypeError as exc:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {exc}"
            ) from exc

    # ------------------------------------------------------------------ repr
    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    __str__ = __repr__


def _batchless(shape):
    """A shape with its batch axis set to None (nested structures handled)."""
    if shape is None:
        return None
    if tree.is_shape_tuple(shape):
        shape = tuple(shape)
        return (None, *shape[1:]) if shape else shape
    if isinstance(shape, (list, tuple)):
        return type(shape)(_batchless(s) for s in shape)
    if isinstance(shape, dict):
        return {k: _batchless(v) for k, v in shape.items()}
    return shape


__all__ = ["InputSpec", "Layer", "UnrecognizedArgumentError"]
