"""Keras's recurrent cells (concepts RNN-CELL, RNN-LSTM, RNN-GRU): one time step of
``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell`` with Keras's weight layout.

A cell's :meth:`call` is the step written with gradkit ops (the composed reference the
``keras.layers.RNN`` loop runs); :meth:`fused` runs a whole sequence through gradkit's
fused recurrent ops (:mod:`gradkit.ops.rnn`) when the cell's activations are the ones
those ops implement. The fused ops take PyTorch's layout, ``W_ih (G·u, in)`` with gate
blocks (i, f, g, o) for the LSTM and (r, z, n) for the GRU; Keras's kernels are
``(in, G·u)`` with gate blocks (i, f, c, o) and (z, r, h), so the LSTM maps by a
transpose and the GRU by a transpose and a swap of its first two blocks.
"""

from __future__ import annotations

import numbers

from gradkit.backend import xp
from gradkit.keras import activations, constraints, initializers, regularizers
from gradkit.keras.layers._common import SeededDraws, check_seed, serialized
from gradkit.keras.src.layer import Layer
from gradkit.ops.rnn import gru_layer, lstm_layer, rnn_layer
from gradkit.ops.shape import concatenate, split
from gradkit.tensor import Tensor


def _units(owner: str, units) -> int:
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
        raise ValueError(
            "Received an invalid value for argument `units`, expected a positive integer, "
            f"got {units!r} ({owner})."
        )
    return int(units)


class _Cell(Layer):
    """Arguments, weights, dropout masks and config shared by the three cells."""

    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.units = _units(type(self).__name__, units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = check_seed(type(self).__name__, seed)
        self._draws = SeededDraws(seed)
        self.state_size = self.units
        self.output_size = self.units
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _kernels(self, input_dim: int) -> None:
        g = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, g), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )  # fmt: skip
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, g), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )  # fmt: skip

    def _bias(self, shape, initializer=None) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=shape, name="bias", initializer=initializer or self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )  # fmt: skip

    # ------------------------------------------------------------------ dropout
    def set_dropout_masks(self, batch: int, input_dim: int, dtype, training) -> None:
        """Draw this sequence's masks: one for the inputs, one for h_{t−1}, each shared
        by every step (Keras's variational dropout); none outside training."""
        self._dropout_mask = self._recurrent_dropout_mask = None
        if not training:
            return
        if 0.0 < self.dropout:
            self._dropout_mask = self._draws.dropout_mask((batch, input_dim), self.dropout, dtype)
        if 0.0 < self.recurrent_dropout:
            self._recurrent_dropout_mask = self._draws.dropout_mask(
                (batch, self.units), self.recurrent_dropout, dtype
            )

    def reset_dropout_masks(self) -> None:
        self._dropout_mask = self._recurrent_dropout_mask = None

    def _dropped(self, inputs, h_prev):
        if self._dropout_mask is not None:
            inputs = inputs * self._dropout_mask
        if self._recurrent_dropout_mask is not None:
            h_prev = h_prev * self._recurrent_dropout_mask
        return inputs, h_prev

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [Tensor(xp.zeros((batch_size, d), dtype=self.compute_dtype)) for d in sizes]

    def fusable(self) -> bool:
        """Whether :meth:`fused` computes this cell exactly (no recurrent dropout)."""
        return self._recurrent_dropout_mask is None

    def _zeros(self, n: int, like) -> Tensor:
        return Tensor(xp.zeros(n, dtype=like.dtype))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            **serialized(
                self,
                activation=self.activation,
                kernel_initializer=self.kernel_initializer,
                recurrent_initializer=self.recurrent_initializer,
                bias_initializer=self.bias_initializer,
                kernel_regularizer=self.kernel_regularizer,
                recurrent_regularizer=self.recurrent_regularizer,
                bias_regularizer=self.bias_regularizer,
                kernel_constraint=self.kernel_constraint,
                recurrent_constraint=self.recurrent_constraint,
                bias_constraint=self.bias_constraint,
            ),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class SimpleRNNCell(_Cell):
    """One step of a fully connected recurrent layer (concept RNN-CELL):

        h_t = activation(x_t · kernel + bias + h_{t−1} · recurrent_kernel)

    Weights ``kernel (in, units)``, ``recurrent_kernel (units, units)``, ``bias
    (units,)``.
    """

    _FUSED = {"tanh", "relu", "softsign"}

    def build(self, input_shape) -> None:
        self._kernels(input_shape[-1])
        self._bias((self.units,))

    def call(self, inputs, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        inputs, prev = self._dropped(inputs, prev)
        h = inputs.matmul(self.kernel)
        if self.bias is not None:
            h = h + self.bias
        output = self.activation(h + prev.matmul(self.recurrent_kernel))
        return output, [output] if isinstance(states, (list, tuple)) else output

    def fusable(self) -> bool:
        return super().fusable() and activations.serialize(self.activation) in self._FUSED

    def fused(self, x, states):
        """The whole time-major sequence ``x (T, B, in)``: (outputs (T, B, u), [h_T])."""
        bias = self.bias if self.bias is not None else self._zeros(self.units, x)
        out, h = rnn_layer(
            x, states[0], self.kernel.T, self.recurrent_kernel.T, bias,
            self._zeros(self.units, x), nonlinearity=activations.serialize(self.activation),
        )  # fmt: skip
        return out, [h]


def _unit_forget_bias(cell):
    """Keras's LSTM bias initializer with ``unit_forget_bias``: the forget gate's block
    starts at 1, the others from ``bias_initializer``."""

    def initialize(shape, dtype=None):
        u = cell.units
        init = cell.bias_initializer
        parts = [init((u,), dtype=dtype), initializers.get("ones")((u,), dtype=dtype),
                 init((2 * u,), dtype=dtype)]  # fmt: skip
        return Tensor(xp.concatenate([p._data if isinstance(p, Tensor) else p for p in parts]))

    return initialize


class LSTMCell(_Cell):
    """One step of a long short-term memory layer (concept RNN-LSTM), gates i, f, c, o:

        [i, f, c̃, o] = x_t · kernel + h_{t−1} · recurrent_kernel + bias
        i, f, o ← recurrent_activation(·),  c̃ ← activation(c̃)
        c_t = f ⊙ c_{t−1} + i ⊙ c̃,   h_t = o ⊙ activation(c_t)

    Weights ``kernel (in, 4u)``, ``recurrent_kernel (u, 4u)``, ``bias (4u,)``, each in
    gate blocks (i, f, c, o). ``unit_forget_bias`` starts the forget block of the bias
    at 1. States ``[h, c]``.
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, **kwargs) -> None:  # fmt: skip
        kwargs.pop("implementation", None)
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, **kwargs)  # fmt: skip
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape) -> None:
        self._kernels(input_shape[-1])
        init = _unit_forget_bias(self) if self.unit_forget_bias else None
        self._bias((4 * self.units,), init)

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states
        inputs, h_prev = self._dropped(inputs, h_prev)
        z = inputs.matmul(self.kernel) + h_prev.matmul(self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        zi, zf, zc, zo = split(z, self.units, -1)
        rec = self.recurrent_activation
        c = rec(zf) * c_prev + rec(zi) * self.activation(zc)
        h = rec(zo) * self.activation(c)
        return h, [h, c]

    def fusable(self) -> bool:
        return (
            super().fusable()
            and activations.serialize(self.activation) in ("tanh", "softsign")
            and self.recurrent_activation is activations.sigmoid
        )

    def fused(self, x, states):
        g = 4 * self.units
        bias = self.bias if self.bias is not None else self._zeros(g, x)
        out, h, c = lstm_layer(
            x, states[0], states[1], self.kernel.T, self.recurrent_kernel.T, bias,
            self._zeros(g, x), activation=activations.serialize(self.activation),
        )  # fmt: skip
        return out, [h, c]

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


def _zrh_to_rzn(w, u: int):
    """Keras's GRU gate blocks (z, r, h) along the last axis → PyTorch's (r, z, n)."""
    z, r, h = split(w, u, -1)
    return concatenate([r, z, h], -1)


class GRUCell(_Cell):
    """One step of a gated recurrent unit (concept RNN-GRU), gates z (update), r (reset),
    h (candidate):

        z = σ(x W_z + b_z + h_{t−1} U_z + b'_z),   r = σ(x W_r + b_r + h_{t−1} U_r + b'_r)
        h̃ = activation(x W_h + b_h + r ⊙ (h_{t−1} U_h + b'_h))        (reset_after=True)
        h̃ = activation(x W_h + b_h + (r ⊙ h_{t−1}) U_h)               (reset_after=False)
        h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃

    Weights ``kernel (in, 3u)``, ``recurrent_kernel (u, 3u)`` in blocks (z, r, h), and
    ``bias``: ``(2, 3u)`` (input bias b, recurrent bias b') with ``reset_after=True``,
    ``(3u,)`` otherwise.
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 reset_after: bool = True, **kwargs) -> None:  # fmt: skip
        kwargs.pop("implementation", None)
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, **kwargs)  # fmt: skip
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def build(self, input_shape) -> None:
        self._kernels(input_shape[-1])
        self._bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))

    def call(self, inputs, states, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        u = self.units
        x_in, h_in = self._dropped(inputs, h_prev)
        if self.bias is None:
            b_in = b_rec = None
        elif self.reset_after:
            b_in, b_rec = self.bias[0], self.bias[1]
        else:
            b_in, b_rec = self.bias, None
        x = x_in.matmul(self.kernel)
        if b_in is not None:
            x = x + b_in
        x_z, x_r, x_h = split(x, u, -1)
        k_zr, k_h = self.recurrent_kernel[:, : 2 * u], self.recurrent_kernel[:, 2 * u :]
        rec = h_in.matmul(k_zr)
        if b_rec is not None:
            rec = rec + b_rec[: 2 * u]
        rec_z, rec_r = split(rec, u, -1)
        z = self.recurrent_activation(x_z + rec_z)
        r = self.recurrent_activation(x_r + rec_r)
        if self.reset_after:
            rec_h = h_in.matmul(k_h)
            if b_rec is not None:
                rec_h = rec_h + b_rec[2 * u :]
            rec_h = r * rec_h
        else:
            rec_h = (r * h_in).matmul(k_h)
        hh = self.activation(x_h + rec_h)
        h = z * h_prev + (1 - z) * hh
        return h, [h] if isinstance(states, (list, tuple)) else h

    def fusable(self) -> bool:
        return (
            super().fusable()
            and self.reset_after
            and self.activation is activations.tanh
            and self.recurrent_activation is activations.sigmoid
        )

    def fused(self, x, states):
        u = self.units
        if self.bias is None:
            b_ih = b_hh = self._zeros(3 * u, x)
        else:
            b_ih, b_hh = _zrh_to_rzn(self.bias[0], u), _zrh_to_rzn(self.bias[1], u)
        out, h = gru_layer(
            x, states[0], _zrh_to_rzn(self.kernel, u).T,
            _zrh_to_rzn(self.recurrent_kernel, u).T, b_ih, b_hh,
        )  # fmt: skip
        return out, [h]

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config
