"""Core Keras layers (concepts NN-NEURON, NN-MLP, NN-DROPOUT, RNN-EMBED): ``Dense``,
``Activation``, ``Dropout``, ``Lambda``, ``Embedding``, ``Rescaling``, ``Identity``."""

from __future__ import annotations

import inspect
import numbers

from gradkit.backend import xp
from gradkit.keras import activations, constraints, initializers, regularizers
from gradkit.keras.layers._common import (
    KERNEL_BIAS,
    SeededDraws,
    as_float,
    check_seed,
    serialized,
    serialized_attributes,
)
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object
from gradkit.ops.embedding import Embedding as _EmbeddingOp
from gradkit.tensor import Tensor


def _positive_int(owner: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer. "
            f"Received: {name}={value!r} ({owner})"
        )
    return int(value)


class Dense(Layer):
    """Densely connected layer (concept NN-NEURON): y = activation(x · kernel + bias).

    Parameters
    ----------
    units : int
        Output features.
    activation : str or callable, optional
        None is the identity.
    use_bias : bool
    kernel_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"`` and ``"zeros"``.
    kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
    bias_constraint : optional

    Shape
    -----
    Input ``(batch, ..., in)``, kernel ``(in, units)``, bias ``(units,)``, output
    ``(batch, ..., units)``: the last axis is contracted, leading axes are kept.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import keras
    >>> layer = keras.layers.Dense(4, activation="relu")
    >>> layer(np.ones((2, 3), dtype="float32")).shape
    (2, 4)
    >>> [w.shape for w in layer.get_weights()]
    [(3, 4), (4,)]
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape) -> None:
        in_features = input_shape[-1]
        if in_features is None:
            raise ValueError(
                f"Layer '{self.name}' (Dense) needs a known last axis to build its kernel, "
                f"got input shape {tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(in_features, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_features})

    def call(self, inputs):
        x = as_float(self, inputs).matmul(self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            **serialized_attributes(self, "activation", *KERNEL_BIAS),
        }


class Activation(Layer):
    """Apply an activation function: y = activation(x) (``"relu"``, ``"softmax"``, a
    callable, ...)."""

    def __init__(self, activation, **kwargs) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), **serialized(self, activation=self.activation)}


class Dropout(Layer):
    """Inverted dropout (concept NN-DROPOUT): in training each element is zeroed with
    probability ``rate`` and the survivors are scaled by 1/(1 − rate); at inference the
    identity.

    Parameters
    ----------
    rate : float in [0, 1]
    noise_shape : tuple, optional
        The shape of the binary mask, broadcast against the input (``None`` entries take
        the input's size): ``(batch, 1, features)`` drops the same features at every
        time step.
    seed : int, optional
        Draw from a generator of the layer's own, seeded with it.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value "
                f"between 0 and 1. Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = check_seed("Dropout", seed)
        self._draws = SeededDraws(seed)
        self.supports_masking = True
        self._build_at_init()

    def _mask_shape(self, shape):
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape):
            raise ValueError(
                f"Layer '{self.name}' (Dropout): noise_shape {self.noise_shape} must have "
                f"one entry per axis of the input {tuple(shape)}"
            )
        out = tuple(n if d is None else d for d, n in zip(self.noise_shape, shape))
        if any(d not in (1, n) for d, n in zip(out, shape)):
            raise ValueError(
                f"Layer '{self.name}' (Dropout): noise_shape {self.noise_shape} does not "
                f"broadcast to the input shape {tuple(shape)}"
            )
        return out

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        mask = self._draws.dropout_mask(self._mask_shape(inputs.shape), self.rate, inputs.dtype)
        return inputs * mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        noise = None if self.noise_shape is None else list(self.noise_shape)
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": noise}


class Lambda(Layer):
    """Wrap a function of tensors as a layer: y = function(x, **arguments).

    ``function`` may take ``mask`` and ``training`` keywords; it receives them when it
    does. ``output_shape`` (a shape without the batch axis, or a function of the input
    shape) spares the symbolic probe run. A lambda is saved by name only: register a
    named function with ``keras.saving.register_keras_serializable`` to reload it.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: `function` must be callable, got {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        params = inspect.signature(function).parameters
        self._fn_takes = {k for k in ("mask", "training") if k in params}
        self.supports_masking = mask is not None
        self._build_at_init()

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if "mask" in self._fn_takes:
            kwargs["mask"] = mask
        if "training" in self._fn_takes:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, previous_mask):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            return self._probe_output_spec(args, kwargs)
        from gradkit.keras.src.keras_tensor import KerasTensor

        shape = tuple(args[0].shape)
        if callable(self._output_shape):
            out = tuple(self._output_shape(shape))
        else:
            out = (shape[0], *tuple(self._output_shape))
        return KerasTensor(out, dtype=self.compute_dtype)

    def get_config(self) -> dict:
        output_shape = self._output_shape
        if callable(output_shape):
            output_shape = serialize_keras_object(output_shape)
        elif output_shape is not None:
            output_shape = list(output_shape)
        return {
            **super().get_config(),
            "function": serialize_keras_object(self.function),
            "output_shape": output_shape,
            "arguments": self.arguments,
            "mask": serialize_keras_object(self.mask) if callable(self.mask) else self.mask,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["function"] = deserialize_keras_object(config["function"], kind="function")
        if isinstance(config.get("output_shape"), dict):
            config["output_shape"] = deserialize_keras_object(config["output_shape"])
        if isinstance(config.get("mask"), dict):
            config["mask"] = deserialize_keras_object(config["mask"])
        return cls(**config)


class Embedding(Layer):
    """Look up a dense vector per integer token (concept RNN-EMBED):
    y[..., :] = embeddings[x[...], :].

    Parameters
    ----------
    input_dim : int
        Vocabulary size (largest index + 1).
    output_dim : int
        Vector size.
    embeddings_initializer : default ``"uniform"`` (U(−0.05, 0.05))
    mask_zero : bool
        Index 0 is padding: the output's Keras mask is ``x != 0`` and downstream
        recurrent layers skip those steps.

    Shape
    -----
    Input ``(batch, ...)`` integers in [0, input_dim), weight ``embeddings (input_dim,
    output_dim)``, output ``(batch, ..., output_dim)``.
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero: bool = False,
        weights=None,
        **kwargs,
    ) -> None:
        input_length = kwargs.pop("input_length", None)
        del input_length  # accepted and ignored, as Keras 3 does
        super().__init__(**kwargs)
        self.input_dim = _positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights
        self.autocast = False

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
            name="embeddings",
        )
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)

    def _indices(self, inputs):
        idx = inputs._data
        if idx.dtype.kind == "f":
            if not xp.all(idx == xp.floor(idx)):
                raise ValueError(
                    f"Layer '{self.name}' (Embedding) takes integer token ids, got "
                    f"non-integer values of dtype {idx.dtype}"
                )
            idx = idx.astype(xp.int64)
        elif idx.dtype.kind not in "iu":
            raise TypeError(
                f"Layer '{self.name}' (Embedding) takes integer token ids, got dtype {idx.dtype}"
            )
        if idx.size and (idx.min() < 0 or idx.max() >= self.input_dim):
            bad = int(idx.min() if idx.min() < 0 else idx.max())
            raise ValueError(
                f"Layer '{self.name}' (Embedding): token id {bad} is outside [0, "
                f"{self.input_dim}) (input_dim={self.input_dim}); input shape {tuple(idx.shape)}"
            )
        return idx

    def call(self, inputs):
        return _EmbeddingOp.apply(self.embeddings, indices=self._indices(inputs), padding_idx=None)

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return Tensor(inputs._data != 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "mask_zero": self.mask_zero,
            **serialized(
                self,
                embeddings_initializer=self.embeddings_initializer,
                embeddings_regularizer=self.embeddings_regularizer,
                embeddings_constraint=self.embeddings_constraint,
            ),
        }


class Rescaling(Layer):
    """y = x · scale + offset (e.g. ``Rescaling(1/255)`` maps pixels to [0, 1]);
    ``scale`` and ``offset`` may be arrays broadcast against the input."""

    def __init__(self, scale, offset=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self._build_at_init()

    def _constant(self, value, like):
        if isinstance(value, (list, tuple)) or hasattr(value, "shape"):
            return Tensor(xp.asarray(value, dtype=like.dtype))
        return value

    def call(self, inputs):
        if inputs.dtype.kind != "f":
            inputs = inputs.to(xp.dtype(self.compute_dtype))
        return inputs * self._constant(self.scale, inputs) + self._constant(self.offset, inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        def plain(v):
            return xp.asarray(v).tolist() if hasattr(v, "shape") else v

        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}


class Identity(Layer):
    """y = x (a placeholder that keeps the Keras mask)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class Masking(Layer):
    """Mark time steps whose features all equal ``mask_value`` as padding: those steps
    are set to 0 and the output's Keras mask (``any(x != mask_value, axis=-1)``) makes
    downstream recurrent layers and pooling skip them."""

    def __init__(self, mask_value=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self._build_at_init()

    def _keep(self, inputs):
        return xp.any(inputs._data != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self._keep(inputs)
        out = inputs * Tensor(keep[..., None].astype(inputs.dtype))
        out._keras_mask = Tensor(keep)
        return out

    def compute_mask(self, inputs, previous_mask=None):
        return Tensor(self._keep(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}


_ENCODINGS = ("multi_hot", "one_hot", "count")


class CategoryEncoding(Layer):
    """Encode integer category ids in [0, num_tokens) as vectors of length
    ``num_tokens``: ``"one_hot"`` (one id per sample, or a trailing axis of 1),
    ``"multi_hot"`` (1 for every id present in the sample's last axis) or ``"count"``
    (how often each id occurs, optionally weighted by ``count_weights``)."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _ENCODINGS:
            raise ValueError(f"Unknown arg for output_mode: {output_mode!r}; valid: {_ENCODINGS}")
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not "
                "known beforehand, use the IntegerLookup layer instead."
            )
        self.num_tokens = _positive_int("CategoryEncoding", "num_tokens", num_tokens)
        if sparse:
            raise ValueError("CategoryEncoding: sparse outputs are not supported by gradkit")
        self.output_mode, self.sparse = output_mode, False
        self._build_at_init()

    def call(self, inputs, count_weights=None):
        ids = inputs._data
        if ids.dtype.kind == "f":
            ids = ids.astype(xp.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_tokens):
            raise ValueError(
                f"Layer '{self.name}' (CategoryEncoding): ids must be in [0, "
                f"{self.num_tokens}), got values from {ids.min()} to {ids.max()}"
            )
        dtype = xp.dtype(self.compute_dtype)
        if ids.ndim == 0:
            ids = ids[None]
        eye = xp.eye(self.num_tokens, dtype=dtype)
        if self.output_mode == "one_hot":
            if ids.ndim > 1 and ids.shape[-1] == 1:
                ids = ids[..., 0]
            return Tensor(eye[ids])
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "`count_weights` is not used when `output_mode` is not `'count'`. Received "
                "`count_weights` with output_mode=" + repr(self.output_mode)
            )
        hot = eye[ids]  # (..., k, num_tokens)
        if self.output_mode == "count":
            if count_weights is not None:
                w = (
                    count_weights._data
                    if isinstance(count_weights, Tensor)
                    else xp.asarray(count_weights)
                )
                hot = hot * w.astype(dtype)[..., None]
            return Tensor(hot.sum(axis=-2))
        return Tensor(hot.max(axis=-2))

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return (*input_shape, self.num_tokens)
        return (*input_shape[:-1], self.num_tokens)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }
