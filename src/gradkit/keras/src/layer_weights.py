"""Weights and losses of a Keras layer (mixed into ``keras.Layer``): ``add_weight``,
``weights`` in Keras' order, ``get_weights``/``set_weights``, ``count_params``,
``losses`` (``add_loss`` terms and regularization penalties)."""

from __future__ import annotations

import numpy as np

from gradkit.keras import constraints as constraints_module
from gradkit.keras import initializers, regularizers
from gradkit.keras.src import tree
from gradkit.keras.src.variables import Variable
from gradkit.tensor import Tensor, no_grad

_NAME_SCOPE: list[str] = []  # names of the layers whose build/call is running


def _is_trainable(weight) -> bool:
    return weight.trainable if isinstance(weight, Variable) else bool(weight.requires_grad)


def _dtype_name(dtype) -> str:
    from gradkit.keras.src.backend import standardize_dtype

    return standardize_dtype(dtype)


class WeightsMixin:
    """The weight and loss bookkeeping of :class:`~gradkit.keras.src.layer.Layer`."""

    # ------------------------------------------------------------------ weights
    def _owns_variable(self, variable) -> bool:
        return any(v is variable for v in self._trainable_variables) or any(
            v is variable for v in self._non_trainable_variables
        )

    def _track_variable(self, variable: Variable) -> None:
        target = self._trainable_variables if variable.trainable else self._non_trainable_variables
        target.append(variable)
        key = variable.name
        params = self.__dict__["_parameters"]
        suffix = 1
        while key in params or key in self.__dict__["_modules"] or key in self.__dict__["_buffers"]:
            key = f"{variable.name}_{suffix}"
            suffix += 1
        params[key] = variable

    def add_weight(
        self,
        *args,
        shape=None,
        initializer=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer=None,
        constraint=None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
    ) -> Variable:
        """Create a weight, track it on this layer and return it.

        Parameters
        ----------
        shape : tuple of int
            Default ``()``.
        initializer : str, initializer or callable
            Default ``"glorot_uniform"`` for floats, ``"zeros"`` otherwise.
        dtype : str, optional
            Default: the layer's dtype.
        trainable : bool
            Non-trainable weights are updated by the layer itself (``assign``).
        regularizer, constraint : optional
            The penalty added to ``layer.losses``; the projection applied after each
            optimizer step.
        name : str, optional
            The weight's name (``"kernel"``); its ``path`` is ``"<layer>/<name>"``.
        """
        self._check_super_called()
        if args:
            if len(args) > 3:
                raise TypeError(
                    f"add_weight() takes at most 3 positional arguments but {len(args)} were given."
                )
            if isinstance(args[0], str):
                raise ValueError(
                    "`name` must be passed as a keyword argument. Received: "
                    f"add_weight('{args[0]}', ...). Use: add_weight(shape=..., name='{args[0]}')."
                )
            shape = args[0]
            if len(args) > 1:
                initializer = args[1]
            if len(args) > 2:
                dtype = args[2]
        shape = () if shape is None else shape
        try:
            shape = tuple(int(d) for d in shape)
        except TypeError:
            raise ValueError(
                f"Layer '{self.name}': add_weight needs a fully known shape (ints), got {shape!r}"
            ) from None
        dtype = _dtype_name(dtype) if dtype is not None else self._dtype
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        init = initializers.get(initializer)
        variable = Variable(
            initializer=init,
            shape=shape,
            dtype=dtype,
            trainable=trainable,
            autocast=autocast,
            aggregation=aggregation,
            name=name,
        )
        scope = _NAME_SCOPE if _NAME_SCOPE and _NAME_SCOPE[-1] == self.name else [self.name]
        variable.path = "/".join([*scope, variable.name])
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints_module.get(constraint)
        variable.overwrite_with_gradient = overwrite_with_gradient
        self._track_variable(variable)
        return variable

    add_variable = add_weight

    @property
    def _layers(self) -> list:
        """The tracked sub-layers in tracking order (found through plain Module
        containers too)."""
        found, seen = [], set()

        def walk(module):
            for child in module._modules.values():
                if child is None or id(child) in seen:
                    continue
                seen.add(id(child))
                if isinstance(child, WeightsMixin):
                    found.append(child)
                else:
                    walk(child)

        walk(self)
        return found

    def _foreign_parameters(self) -> list:
        """gradkit Parameters that are not Keras variables of a layer: those assigned
        to this layer directly and those inside plain (non-Keras) sub-modules."""
        own = {id(v) for v in self._trainable_variables + self._non_trainable_variables}
        params = [p for p in self._parameters.values() if p is not None and id(p) not in own]

        def walk(module):
            for child in module._modules.values():
                if child is None or isinstance(child, WeightsMixin):
                    continue
                params.extend(p for p in child._parameters.values() if p is not None)
                walk(child)

        walk(self)
        return params

    @property
    def weights(self) -> list:
        """All weights in Keras' order (own trainable, own non-trainable, then each
        sub-layer's weights), each once."""
        out, seen = [], set()
        candidates = [
            *self._trainable_variables,
            *self._non_trainable_variables,
            *self._foreign_parameters(),
        ]
        for layer in self._layers:
            candidates.extend(layer.weights)
        for weight in candidates:
            if id(weight) not in seen:
                seen.add(id(weight))
                out.append(weight)
        return out

    variables = weights

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for w in self.weights if _is_trainable(w)]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not _is_trainable(w)]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of ``weights`` as NumPy arrays."""
        return [np.array(w._data) for w in self.weights]

    def set_weights(self, weights) -> None:
        """Overwrite ``weights`` (same count, same shapes) from NumPy arrays."""
        layer_weights = self.weights
        weights = list(weights)
        if len(layer_weights) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(layer_weights)} "
                "weights."
            )
        arrays = []
        for variable, value in zip(layer_weights, weights):
            array = value._data if isinstance(value, Tensor) else np.asarray(value)
            if tuple(variable.shape) != tuple(array.shape):
                label = getattr(variable, "path", "")
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(variable.shape)} is not compatible "
                    f"with provided weight shape {tuple(array.shape)}"
                    + (f" (weight '{label}')." if label else ".")
                )
            arrays.append(array)
        with no_grad():
            for variable, array in zip(layer_weights, arrays):
                if isinstance(variable, Variable):
                    variable.assign(array)
                else:
                    np.copyto(variable._data, array, casting="unsafe")

    def count_params(self) -> int:
        """The number of scalars in ``weights``."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer "
                "isn't built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss) -> None:
        """Record a scalar loss tensor (from ``call``); ``fit`` adds ``layer.losses``."""
        for x in tree.flatten(loss):
            if not isinstance(x, Tensor):
                raise ValueError(
                    "`add_loss()` can only be called from inside `build()` or `call()`, on a "
                    f"tensor input. Received invalid value: {x!r}"
                )
            self._losses.append(x)

    def _flatten_layers(self, include_self: bool = True) -> list:
        layers, seen = ([self] if include_self else []), {id(self)}
        stack = list(self._layers)
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            layers.append(layer)
            stack[:0] = layer._layers
        return layers

    @property
    def losses(self) -> list:
        """Losses from ``add_loss`` in this layer and its sub-layers (from the latest
        call), then the regularization penalties of the trainable weights."""
        losses = []
        for layer in self._flatten_layers():
            losses.extend(layer._losses)
        for weight in self.trainable_weights:
            regularizer = getattr(weight, "regularizer", None)
            if regularizer is not None:
                losses.append(regularizer(weight))
        return losses

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers():
            layer._losses.clear()
