"""Keras's ``MultiHeadAttention`` (concepts ATT-DOT, ATT-MHA) with Keras's
weight layout: projection kernels ``(d, heads, key_dim)`` with biases ``(heads,
key_dim)`` in sub-layers ``query``, ``key``, ``value``, and an output kernel ``(heads,
value_dim, d_out)`` with bias ``(d_out,)`` in ``attention_output``."""

from __future__ import annotations

import math
import numbers

from gradkit.backend import xp
from gradkit.keras import activations, constraints, initializers, regularizers
from gradkit.keras.layers._common import (
    KERNEL_BIAS,
    SeededDraws,
    as_float,
    check_seed,
    serialized_attributes,
)
from gradkit.keras.src.layer import Layer
from gradkit.nn.functional.attention import scaled_dot_product_attention
from gradkit.ops.elementwise import where
from gradkit.ops.nn import softmax
from gradkit.ops.shape import permute, reshape
from gradkit.tensor import Tensor

#: What Keras puts in place of a masked score before the softmax (float32).
_LARGE_NEGATIVE = -1e9


class _HeadsDense(Layer):
    """A projection to or from heads: ``(..., d) → (..., heads, dim)`` with kernel
    ``(d, heads, dim)`` and bias ``(heads, dim)``, or ``(..., heads, dim) → (..., d)``
    with kernel ``(heads, dim, d)`` and bias ``(d,)`` (Keras's ``EinsumDense`` forms
    ``abc,cde->abde`` and ``abcd,cde->abe``)."""

    def __init__(self, kernel_shape, bias_shape, to_heads: bool, activation=None, *,
                 kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                 kernel_constraint, bias_constraint, **kwargs) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.kernel_shape, self.bias_shape = tuple(kernel_shape), bias_shape
        self.to_heads = to_heads
        self.activation = activations.get(activation)
        self._init = (kernel_initializer, bias_initializer, kernel_regularizer,
                      bias_regularizer, kernel_constraint, bias_constraint)  # fmt: skip

    def build(self, input_shape) -> None:
        k_init, b_init, k_reg, b_reg, k_con, b_con = self._init
        self.kernel = self.add_weight(
            shape=self.kernel_shape, name="kernel", initializer=k_init, regularizer=k_reg,
            constraint=k_con,
        )  # fmt: skip
        self.bias = None
        if self.bias_shape is not None:
            self.bias = self.add_weight(
                shape=self.bias_shape, name="bias", initializer=b_init, regularizer=b_reg,
                constraint=b_con,
            )  # fmt: skip

    def call(self, inputs):
        if self.to_heads:
            d, n, h = self.kernel_shape
            y = inputs.matmul(reshape(self.kernel, d, n * h))
            y = reshape(y, *inputs.shape[:-1], n, h)
        else:
            n, h, d = self.kernel_shape
            y = reshape(inputs, *inputs.shape[:-2], n * h).matmul(reshape(self.kernel, n * h, d))
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)


class MultiHeadAttention(Layer):
    """Multi-head attention (concepts ATT-DOT, ATT-MHA):

        Q = query · W_q + b_q,  K = key · W_k + b_k,  V = value · W_v + b_v   (per head)
        A = softmax(Q Kᵀ / √key_dim  masked),   O = A V
        output = Σ_heads O · W_o + b_o

    A masked score is replaced by −10⁹ before the softmax. As in Keras 3, a query whose
    keys are all masked gets weights 0 (it attends to nothing) when the layer has
    ``dropout`` or is asked for the scores (Keras's masked softmax zeroes masked
    weights), and uniform weights otherwise (Keras's fused attention only adds the
    −10⁹ mask).

    Parameters
    ----------
    num_heads, key_dim : int
    value_dim : int, optional
        Defaults to ``key_dim``.
    dropout : float
        Dropout on the attention weights in training.
    use_bias : bool
    output_shape : int or tuple, optional
        Last axis of the output; defaults to the query's.
    attention_axes : None
        Attention runs over every axis between the batch and the features (flattened
        together); other choices are not supported.
    use_gate : bool
        Multiply O by sigmoid(query · W_g + b_g) before the output projection.

    Call arguments
    --------------
    ``query (B, T, d_q)``, ``value (B, S, d_v)``, ``key (B, S, d_k)`` (defaults to
    value), ``attention_mask (B, T, S)`` (True: may attend), ``return_attention_scores``
    (also return A ``(B, heads, T, S)``), ``training``, ``use_causal_mask`` (query t
    attends to keys ≤ t). The Keras masks of query, value and key (e.g. from
    ``Embedding(mask_zero=True)``) are applied too.
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias: bool = True,
        output_shape=None,
        attention_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate: bool = False,
        seed=None,
        **kwargs,
    ) -> None:
        for key in ("sliding_window", "flash_attention"):
            if kwargs.pop(key, None) not in (None, False):
                raise ValueError(f"MultiHeadAttention: `{key}` is not supported by gradkit.keras")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for name, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(
                    f"MultiHeadAttention: `{name}` must be a positive int, got {value!r}"
                )
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(
                f"Invalid value for argument `dropout`: expected a float in [0, 1], got {dropout}"
            )
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        if output_shape is not None and not isinstance(output_shape, numbers.Integral):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        if attention_axes is not None:
            raise ValueError(
                "MultiHeadAttention: gradkit.keras attends over all axes between the batch "
                f"and the features (attention_axes=None); got attention_axes={attention_axes!r}"
            )
        self.attention_axes = None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.use_gate = bool(use_gate)
        self.seed = check_seed("MultiHeadAttention", seed)
        self._draws = SeededDraws(seed)
        self.supports_masking = True

    def _dense(self, name, kernel_shape, bias_shape, to_heads, activation=None):
        return _HeadsDense(
            kernel_shape, bias_shape if self.use_bias else None, to_heads, activation,
            name=name, dtype=self.dtype, kernel_initializer=self.kernel_initializer,
            bias_initializer=self.bias_initializer, kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer, kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint,
        )  # fmt: skip

    def build(self, query_shape, value_shape, key_shape=None) -> None:
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={tuple(value_shape)} and key_shape={tuple(key_shape)}"
            )
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) < 3 or shape[-1] is None:
                raise ValueError(
                    f"Layer '{self.name}' (MultiHeadAttention): `{name}` must have shape "
                    f"(batch, steps..., features) with known features, got {tuple(shape)}"
                )
        n, hk, hv = self.num_heads, self.key_dim, self.value_dim
        self.query_dense = self._dense("query", (query_shape[-1], n, hk), (n, hk), True)
        self.query_dense.build(query_shape)
        self.key_dense = self._dense("key", (key_shape[-1], n, hk), (n, hk), True)
        self.key_dense.build(key_shape)
        if self.use_gate:
            self.gate_dense = self._dense("gate", (query_shape[-1], n, hv), (n, hv), True,
                                          "sigmoid")  # fmt: skip
            self.gate_dense.build(query_shape)
        self.value_dense = self._dense("value", (value_shape[-1], n, hv), (n, hv), True)
        self.value_dense.build(value_shape)
        out = self._output_shape
        out = query_shape[-1] if out is None else out
        if not isinstance(out, numbers.Integral):
            if len(out) != 1:
                raise ValueError(
                    f"MultiHeadAttention: output_shape must be an int or a 1-tuple, got {out}"
                )
            out = out[0]
        self._out_dim = int(out)
        self.output_dense = self._dense("attention_output", (n, hv, self._out_dim),
                                        (self._out_dim,), False)  # fmt: skip
        self.output_dense.build((*query_shape[:-1], n, hv))

    # ------------------------------------------------------------------ masks
    @staticmethod
    def _flat_mask(mask, batch, length):
        m = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
        return m.astype(bool).reshape(batch, length)

    def _attention_mask(self, b, t, s, masks, attention_mask, use_causal_mask):
        """The (B, T, S) mask of allowed (query, key) pairs: the explicit mask AND the
        Keras masks of query (B, T), value and key (B, S) AND the causal mask, or None."""
        q_mask, v_mask, k_mask = masks
        mask = None
        if q_mask is not None:
            mask = self._flat_mask(q_mask, b, t)[:, :, None]
        for m in (v_mask, k_mask):
            if m is not None:
                m = self._flat_mask(m, b, s)[:, None, :]
                mask = m if mask is None else mask & m
        if use_causal_mask:
            causal = xp.tril(xp.ones((t, s), dtype=bool))[None]
            mask = causal if mask is None else mask & causal
        if attention_mask is not None:
            a = (
                attention_mask._data
                if isinstance(attention_mask, Tensor)
                else (xp.asarray(attention_mask))
            )
            if a.size not in (t * s, b * t * s):
                raise ValueError(
                    f"Layer '{self.name}' (MultiHeadAttention): attention_mask of shape "
                    f"{a.shape} does not match (batch, query steps, key steps) = ({b}, {t}, {s})"
                )
            a = a.astype(bool).reshape(-1, t, s)
            mask = a if mask is None else mask & a
        return None if mask is None else xp.broadcast_to(mask, (b, t, s))

    # ------------------------------------------------------------------ call
    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores: bool = False,
        training=None,
        use_causal_mask: bool = False,
    ):
        key_given = key is not None
        query, value, key = (as_float(self, t) for t in (query, value, key))
        key = value if key is None else key
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key_given and key is not value:
            key_mask = getattr(key, "_keras_mask", None)
        b = query.shape[0]
        t = math.prod(query.shape[1:-1])
        s = math.prod(value.shape[1:-1])
        mask = self._attention_mask(
            b, t, s, (query_mask, value_mask, key_mask), attention_mask, use_causal_mask
        )
        n = self.num_heads
        q = permute(reshape(self.query_dense(query), b, t, n, self.key_dim), 0, 2, 1, 3)
        k = permute(reshape(self.key_dense(key), b, s, n, self.key_dim), 0, 2, 1, 3)
        v = permute(reshape(self.value_dense(value), b, s, n, self.value_dim), 0, 2, 1, 3)
        scale = 1.0 / math.sqrt(self.key_dim)
        scores = None
        if not return_attention_scores and self.dropout == 0.0:
            # Keras's fused path: an additive −10⁹ mask, nothing zeroed afterwards
            attn_mask = None
            if mask is not None:
                attn_mask = Tensor(xp.where(mask[:, None], 0.0, _LARGE_NEGATIVE).astype(q.dtype))
            out = scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=scale)
        else:
            logits = (q * scale).matmul(k.swapaxes(-1, -2))
            if mask is not None:
                keep = Tensor(mask[:, None])
                logits = where(keep, logits, Tensor(xp.asarray(_LARGE_NEGATIVE, logits.dtype)))
                scores = where(keep, softmax(logits, -1), Tensor(xp.zeros((), logits.dtype)))
            else:
                scores = softmax(logits, -1)
            weights = scores
            if training and self.dropout > 0.0:
                weights = weights * self._draws.dropout_mask(
                    weights.shape, self.dropout, weights.dtype
                )
            out = weights.matmul(v)
        out = permute(out, 0, 2, 1, 3)  # (B, T, heads, value_dim)
        out = reshape(out, *query.shape[:-1], n, self.value_dim)
        if self.use_gate:
            out = out * self.gate_dense(query)
        output = self.output_dense(out)
        if return_attention_scores:
            return output, scores
        return output

    def compute_mask(self, inputs, previous_mask):
        return getattr(inputs, "_keras_mask", None)

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        out_dim = self._output_shape if self._output_shape is not None else query_shape[-1]
        if not isinstance(out_dim, numbers.Integral) and out_dim is not None:
            out_dim = out_dim[0]
        return (*query_shape[:-1], out_dim)

    def compute_output_spec(self, query, value, key=None, return_attention_scores=False,
                            **kwargs):  # fmt: skip
        from gradkit.keras.src.keras_tensor import KerasTensor

        out = KerasTensor(self.compute_output_shape(query.shape, value.shape), dtype=self.dtype)
        if not return_attention_scores:
            return out
        t = None if None in query.shape[1:-1] else math.prod(query.shape[1:-1])
        s = None if None in value.shape[1:-1] else math.prod(value.shape[1:-1])
        return out, KerasTensor((query.shape[0], self.num_heads, t, s), dtype=self.dtype)

    def get_config(self) -> dict:
        out = self._output_shape
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "output_shape": list(out) if isinstance(out, tuple) else out,
            "attention_axes": self.attention_axes,
            **serialized_attributes(self, *KERNEL_BIAS),
            "seed": self.seed,
        }
