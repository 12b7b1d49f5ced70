"""Keras's recurrent layers (concepts RNN-CELL, RNN-LSTM, RNN-GRU, RNN-BPTT): the
generic ``RNN`` over a cell, and ``SimpleRNN``, ``LSTM``, ``GRU``.

A call runs the cell over the time axis of a ``(batch, steps, features)`` input. When
the cell has the activations gradkit's fused recurrent ops implement (tanh/sigmoid, the
defaults), no Keras mask is given and no recurrent dropout is active, the whole sequence
goes through one fused op (input projections for all steps in one matmul, hand-written
backpropagation through time); otherwise the layer loops over the steps with the cell's
:meth:`call`, Keras's own definition. With a mask, a masked step leaves the states
unchanged and repeats the previous output (zeros with ``zero_output_for_mask``).
"""

from __future__ import annotations

from gradkit.backend import xp
from gradkit.keras.layers._common import as_float
from gradkit.keras.layers.rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from gradkit.keras.src import tree
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer, UnrecognizedArgumentError
from gradkit.keras.src.serialization import (
    deserialize_keras_object,
    registered_objects,
    serialize_keras_object,
)
from gradkit.ops.elementwise import where
from gradkit.ops.shape import permute, stack
from gradkit.tensor import Tensor


def _state_sizes(cell) -> list[int]:
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


class RNN(Layer):
    """Run a recurrent cell over a sequence.

    Parameters
    ----------
    cell : Layer
        Has ``call(inputs, states)`` → ``(output, new_states)`` and ``state_size``.
    return_sequences : bool
        Return every step's output ``(batch, steps, units)``, not only the last one.
    return_state : bool
        Also return the final states: ``[output, *states]``.
    go_backwards : bool
        Process the sequence from its last step; the returned sequence is in processing
        order (reversed), as in Keras.
    stateful : bool
        Start each call from the final states of the previous one (``reset_states()``
        zeroes them); the batch size must stay the same.
    unroll : bool
        Accepted and ignored (the loop is the same either way).
    zero_output_for_mask : bool
        Masked steps output zeros instead of repeating the last output.

    Shape
    -----
    Input ``(batch, steps, features)``; output ``(batch, units)`` or, with
    ``return_sequences``, ``(batch, steps, units)``; states ``(batch, units)`` each.
    """

    def __init__(
        self,
        cell,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            raise ValueError(
                "RNN: stacked cells (a list of cells) are not supported by gradkit.keras; "
                "stack RNN layers with return_sequences=True instead"
            )
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(
                "Argument `cell` should have a `call` method and a `state_size` attribute. "
                f"Received: cell={cell!r}"
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3, max_ndim=3)
        self.states = None

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        if sequences_shape[-1] is None:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs a known feature axis, got "
                f"input shape {tuple(sequences_shape)}"
            )
        if not self.cell.built:
            self.cell.build((sequences_shape[0], sequences_shape[-1]))
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. "
                    "Found dynamic batch size: sequence.shape="
                    f"{tuple(sequences_shape)}; pass batch_size= to keras.Input"
                )
            self.states = self.get_initial_state(sequences_shape[0])

    def reset_states(self) -> None:
        """Zero the states a ``stateful`` layer carries between calls."""
        if self.states is not None:
            self.states = [Tensor(xp.zeros_like(s._data)) for s in self.states]

    reset_state = reset_states

    def get_initial_state(self, batch_size):
        """The cell's ``get_initial_state(batch_size)``, else zeros ``(batch, n)`` for each
        entry of its ``state_size``."""
        if hasattr(type(self.cell), "get_initial_state"):
            return self.cell.get_initial_state(batch_size)
        dtype = xp.dtype(self.cell.compute_dtype)
        return [Tensor(xp.zeros((batch_size, n), dtype=dtype)) for n in _state_sizes(self.cell)]

    def _initial_state(self, sequences, initial_state):
        batch = sequences.shape[0]
        if initial_state is None:
            if self.stateful:
                if self.states[0].shape[0] != batch:
                    raise ValueError(
                        "If an RNN is stateful, the batch size of the input sequences must be "
                        f"the same as the batch size of the initial state.\n- Expected batch "
                        f"size: {self.states[0].shape[0]}\n- Received batch size: {batch}"
                    )
                return list(self.states)
            return self.get_initial_state(batch)
        states = (
            list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        )
        sizes = _state_sizes(self.cell)
        if len(states) != len(sizes) or any(
            tuple(s.shape) != (batch, n) for s, n in zip(states, sizes)
        ):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects {len(sizes)} initial "
                f"state(s) of shapes {[(batch, n) for n in sizes]}, got "
                f"{[tuple(s.shape) for s in states]}"
            )
        return [s if isinstance(s, Tensor) else Tensor(xp.asarray(s)) for s in states]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        sequences = as_float(self, sequences)
        states = self._initial_state(sequences, initial_state)
        cell = self.cell
        masks = hasattr(cell, "set_dropout_masks")
        if masks:
            cell.set_dropout_masks(sequences.shape[0], sequences.shape[-1], sequences.dtype,
                                   training)  # fmt: skip
        try:
            if mask is None and getattr(cell, "fusable", lambda: False)():
                output, outputs, states = self._fused(sequences, states)
            else:
                output, outputs, states = self._loop(sequences, states, mask, training)
        finally:
            if masks:
                cell.reset_dropout_masks()
        if self.stateful:
            self.states = [Tensor(s.detach()._data.copy()) for s in states]
        result = outputs if self.return_sequences else output
        if self.return_state:
            return [result, *states]
        return result

    def _fused(self, sequences, states):
        x = sequences
        if self.cell._dropout_mask is not None:
            x = x * self.cell._dropout_mask.unsqueeze(1)
        if self.go_backwards:
            x = x[:, ::-1]
        out, states = self.cell.fused(permute(x, 1, 0, 2), states)
        outputs = permute(out, 1, 0, 2) if self.return_sequences else None
        return states[0], outputs, states

    def _loop(self, sequences, states, mask, training):
        """Keras's step loop: output_t, states_t = cell(x_t, states_{t−1}); at a masked
        step the states stay and the output repeats the previous one (or is zero)."""
        steps = sequences.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        kwargs = (
            {"training": training} if getattr(self.cell, "_call_has_training_arg", False) else {}
        )
        if mask is not None:
            mask = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
            mask = mask.astype(bool)
        outputs, prev = [], None
        for t in order:
            output, new_states = self.cell(sequences[:, t], states, **kwargs)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            if mask is not None:
                keep = Tensor(mask[:, t : t + 1])
                if prev is None:
                    prev = Tensor(xp.zeros(output.shape, dtype=output.dtype))
                fallback = (
                    Tensor(xp.zeros(output.shape, dtype=output.dtype))
                    if self.zero_output_for_mask
                    else prev
                )
                output = where(keep, output, fallback)
                new_states = [where(keep, n, s) for n, s in zip(new_states, states)]
            states, prev = new_states, output
            if self.return_sequences:
                outputs.append(output)
        return prev, (stack(outputs, 1) if self.return_sequences else None), states

    def compute_mask(self, inputs, previous_mask):
        mask = tree.flatten(previous_mask)[0] if previous_mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(_state_sizes(self.cell))
        return output_mask

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        size = getattr(self.cell, "output_size", None) or _state_sizes(self.cell)[0]
        out = (batch, steps, size) if self.return_sequences else (batch, size)
        if self.return_state:
            return [out, *[(batch, n) for n in _state_sizes(self.cell)]]
        return out

    def get_config(self) -> dict:
        config = {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        if type(self) is RNN:
            config["cell"] = serialize_keras_object(self.cell)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if cls is RNN:
            table = {
                name: obj for name, obj in registered_objects("layers").items() if name[0].isupper()
            }
            config["cell"] = deserialize_keras_object(config["cell"], table, kind="layer")
        return cls(**config)


_RNN_KEYS = (
    "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
    "zero_output_for_mask", "name", "trainable", "dtype", "activity_regularizer",
    "input_shape", "input_dim", "autocast",
)  # fmt: skip


class _CellRNN(RNN):
    """SimpleRNN/LSTM/GRU: the cell is built from the layer's own arguments."""

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units, **kwargs) -> None:
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _RNN_KEYS}
        cell_dtype = layer_kwargs.get("dtype")
        try:
            trainable = layer_kwargs.get("trainable", True)
            cell = self.cell_class(
                units, name=self.cell_name, dtype=cell_dtype, trainable=trainable, **kwargs
            )
        except UnrecognizedArgumentError as exc:
            raise UnrecognizedArgumentError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{str(exc).split(': ', 1)[-1]}"
            ) from None
        super().__init__(cell, **layer_kwargs)

    def __getattr__(self, name: str):
        if name not in ("cell", "_modules", "_parameters", "_buffers") and not name.startswith(
            "__"
        ):
            modules = self.__dict__.get("_modules", {})
            cell = modules.get("cell")
            if cell is not None and name in cell.__dict__:
                return cell.__dict__[name]
        return super().__getattr__(name)

    def get_config(self) -> dict:
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**super().get_config(), **cell_config}


class SimpleRNN(_CellRNN):
    """Fully connected recurrent layer (concept RNN-CELL):
    h_t = activation(x_t · kernel + bias + h_{t−1} · recurrent_kernel).

    Arguments are :class:`RNN`'s and :class:`~.rnn_cells.SimpleRNNCell`'s (``units``,
    ``activation="tanh"``, ``use_bias``, initializers, regularizers, constraints,
    ``dropout``, ``recurrent_dropout``, ``seed``). Weights (under ``simple_rnn_cell``):
    ``kernel (in, u)``, ``recurrent_kernel (u, u)``, ``bias (u,)``.
    """

    def get_config(self) -> dict:
        config = super().get_config()
        del config["seed"]  # as Keras's SimpleRNN config
        return config


class LSTM(_CellRNN):
    """Long short-term memory layer (concept RNN-LSTM), Keras's gate order i, f, c, o.

    Arguments are :class:`RNN`'s and :class:`~.rnn_cells.LSTMCell`'s (``units``,
    ``activation="tanh"``, ``recurrent_activation="sigmoid"``, ``unit_forget_bias``,
    ...). Weights (under ``lstm_cell``): ``kernel (in, 4u)``, ``recurrent_kernel
    (u, 4u)``, ``bias (4u,)``; ``return_state`` gives ``[output, h, c]``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import keras
    >>> lstm = keras.layers.LSTM(8, return_sequences=True)
    >>> lstm(np.zeros((2, 5, 3), "float32")).shape, [w.shape for w in lstm.get_weights()]
    ((2, 5, 8), [(3, 32), (8, 32), (32,)])
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"


class GRU(_CellRNN):
    """Gated recurrent unit layer (concept RNN-GRU), Keras's gate order z, r, h and
    ``reset_after=True`` by default.

    Arguments are :class:`RNN`'s and :class:`~.rnn_cells.GRUCell`'s. Weights (under
    ``gru_cell``): ``kernel (in, 3u)``, ``recurrent_kernel (u, 3u)``, ``bias (2, 3u)``
    (``(3u,)`` with ``reset_after=False``).
    """

    cell_class = GRUCell
    cell_name = "gru_cell"
