"""Keras's layer wrappers (concepts RNN-BI, RNN-SHAPES): ``Bidirectional`` runs a
recurrent layer forwards and backwards and merges the two; ``TimeDistributed`` applies a
layer to every time step."""

from __future__ import annotations

from gradkit.keras.layers.convolutional import _Conv
from gradkit.keras.layers.core import Activation, Dense, Embedding, Rescaling
from gradkit.keras.layers.normalization import LayerNormalization
from gradkit.keras.layers.pooling import _GlobalPooling, _Pooling
from gradkit.keras.layers.reshaping import Flatten, Reshape
from gradkit.keras.src.keras_tensor import KerasTensor
from gradkit.keras.src.layer import Layer
from gradkit.keras.src.serialization import (
    deserialize_keras_object,
    registered_objects,
    serialize_keras_object,
)
from gradkit.ops.shape import concatenate, reshape, stack
from gradkit.tensor import Tensor

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _layer_table() -> dict:
    # the keras.layers namespace, registered by the package (which imports this module)
    return {name: obj for name, obj in registered_objects("layers").items() if name[:1].isupper()}


def _clone(layer, **overrides):
    """A fresh layer of the same class and config (no weights carried over)."""
    config = {**layer.get_config(), **overrides}
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Run a recurrent layer over the sequence in both directions and merge the outputs
    (concept RNN-BI).

    The forward copy (``forward_<name>``) reads steps 0..T−1, the backward copy
    (``backward_<name>``, ``go_backwards=True``) reads T−1..0; with
    ``return_sequences`` the backward outputs are flipped back to the input's time
    order before merging.

    Parameters
    ----------
    layer : RNN
        ``LSTM``, ``GRU``, ``SimpleRNN`` or ``RNN``; copied from its config.
    merge_mode : {"concat", "sum", "mul", "ave", None}
        How to combine the two outputs; None returns both.
    backward_layer : RNN, optional
        Use this layer (with ``go_backwards=True``) as the backward direction.

    Weights: the forward layer's, then the backward layer's. ``return_state`` gives
    ``[output, *forward_states, *backward_states]``.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer!r}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` instance. Received: "
                f"{backward_layer!r}"
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
                f"{_MERGE_MODES}"
            )
        if not hasattr(layer, "go_backwards"):
            raise ValueError(
                f"Bidirectional wraps a recurrent layer (with go_backwards), got "
                f"{type(layer).__name__}"
            )
        super().__init__(**kwargs)
        base = layer.name.removeprefix("forward_")
        self.forward_layer = _clone(layer, name=f"forward_{base}")
        if backward_layer is None:
            back = layer.name.removeprefix("backward_")
            backward_layer = _clone(layer, name=f"backward_{back}", go_backwards=True)
        self.backward_layer = backward_layer
        fw, bw = self.forward_layer, self.backward_layer
        if fw.go_backwards == bw.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` "
                f"value. Received: forward_layer.go_backwards {fw.go_backwards}, "
                f"backward_layer.go_backwards={bw.go_backwards}"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fw, attr) != getattr(bw, attr):
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value "
                    f'for attribute "{attr}", got "{getattr(fw, attr)}" for forward layer '
                    f'and "{getattr(bw, attr)}" for backward layer'
                )
        for sub in (fw, bw):
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = fw.stateful
        self.return_sequences = fw.return_sequences
        self.return_state = fw.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        self.forward_layer.build(sequences_shape)
        self.backward_layer.build(sequences_shape)
        if self._initial_weights:
            self.set_weights(self._initial_weights)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            output = concatenate([y, y_rev], -1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return [*output, *states] if self.merge_mode is None else [output, *states]
        return output

    def reset_states(self) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def compute_mask(self, inputs, previous_mask):
        mask = previous_mask if self.return_sequences else None
        outputs = [mask, mask] if self.merge_mode is None else [mask]
        if self.return_state:
            n = (
                len(self.forward_layer.cell.state_size)
                if isinstance(self.forward_layer.cell.state_size, (list, tuple))
                else 1
            )
            outputs += [None] * (2 * n)
        return outputs if len(outputs) > 1 else outputs[0]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        out = self.forward_layer.compute_output_shape(sequences_shape)
        if self.return_state:
            out, states = out[0], list(out[1:])
        if self.merge_mode == "concat":
            out = (*out[:-1], out[-1] * 2)
        shapes = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return [*shapes, *states, *states]
        return shapes if self.merge_mode is None else out

    def get_config(self) -> dict:
        config = {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": serialize_keras_object(self.forward_layer),
        }
        if self.backward_layer.name != f"backward_{self.forward_layer.name[len('forward_') :]}":
            config["backward_layer"] = serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        table = _layer_table()
        config["layer"] = deserialize_keras_object(config["layer"], table, kind="layer")
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_keras_object(
                config["backward_layer"], table, kind="layer"
            )
        return cls(**config)


#: Layers that treat each sample on its own, so TimeDistributed may fold the time axis
#: into the batch and call them once (same result as one call per step, far faster).
_PER_SAMPLE = (Dense, Activation, _Conv, _Pooling, _GlobalPooling, Flatten, Reshape,
               LayerNormalization, Embedding, Rescaling)  # fmt: skip


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step of a ``(batch, steps, ...)`` input (concept
    RNN-SHAPES): y[:, t] = layer(x[:, t]) with the same weights at every step.

    Layers that act on each sample independently (Dense, convolutions, pooling, ...)
    run once on the ``(batch·steps, ...)`` fold of the input; others (batch
    normalization, which pools statistics over the batch) run once per step, as Keras
    does.
    """

    def __init__(self, layer, **kwargs) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer!r}"
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _step_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"Layer '{self.name}' (TimeDistributed) expects an input of shape (batch, "
                f"steps, ...) with at least 3 axes, received input shape {tuple(input_shape)}"
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape) -> None:
        if not self.layer.built:
            self.layer.build(self._step_shape(input_shape))

    def call(self, inputs, training=None, mask=None):
        if inputs.ndim < 3:
            self._step_shape(inputs.shape)
        b, t = inputs.shape[:2]
        kwargs = {}
        if self.layer._call_has_training_arg:
            kwargs["training"] = training
        if isinstance(self.layer, _PER_SAMPLE):
            y = self.layer(reshape(inputs, b * t, *inputs.shape[2:]), **kwargs)
            return reshape(y, b, t, *y.shape[1:])
        steps = []
        for i in range(t):
            step_kwargs = dict(kwargs)
            if mask is not None and self.layer._call_has_mask_arg:
                step_kwargs["mask"] = Tensor(mask._data[:, i])
            steps.append(self.layer(inputs[:, i], **step_kwargs))
        return stack(steps, 1)

    def compute_output_spec(self, *args, **kwargs):
        x = args[0]
        step = KerasTensor(self._step_shape(x.shape), dtype=x.dtype)
        inner = self.layer.compute_output_spec(step)
        return KerasTensor((x.shape[0], x.shape[1], *inner.shape[1:]), dtype=inner.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], _layer_table(), kind="layer")
        return cls(**config)
