"""Keras's activation layers (concept NN-ACT): ``ReLU``, ``LeakyReLU``, ``ELU``,
``PReLU`` and ``Softmax`` (with a Keras mask), over the functions of
``keras.activations``."""

from __future__ import annotations

import numbers
import warnings

from gradkit.backend import xp
from gradkit.keras import activations, constraints, initializers, regularizers
from gradkit.keras.layers._common import serialized
from gradkit.keras.src.layer import Layer
from gradkit.ops.elementwise import where
from gradkit.ops.nn import softmax
from gradkit.ops.reduce import logsumexp
from gradkit.tensor import Tensor


class _Elementwise(Layer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self._build_at_init()

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_Elementwise):
    """y = min(max(x, 0), max_value) for x ≥ threshold, negative_slope·(x − threshold)
    below it."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                "max_value of a ReLU layer cannot be a negative value. Received: "
                f"max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be None or a negative value. "
                f"Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                "threshold of a ReLU layer cannot be None or a negative value. Received: "
                f"threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs):
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(_Elementwise):
    """y = x for x ≥ 0, negative_slope·x otherwise (default slope 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn(
                "Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2
            )
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative "
                f"value. Expected a float. Received: negative_slope={negative_slope}"
            )
        self.negative_slope = float(negative_slope)

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """y = x for x > 0, α(eˣ − 1) otherwise."""

    def __init__(self, alpha=1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """y = exp(x) / Σ exp(x) along ``axis`` (an int or several axes). With a mask, the
    masked positions get −10⁹ before the softmax and 0 after."""

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            m = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
            m = m > 0.5 if m.dtype != bool else m
            if m.ndim > inputs.ndim or any(
                a != 1 and a != b for a, b in zip(m.shape[::-1], inputs.shape[::-1])
            ):
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs` and must not have more "
                    f"dimensions. Received: inputs.shape={tuple(inputs.shape)}, "
                    f"mask.shape={m.shape}"
                )
            keep = Tensor(m)
            inputs = where(keep, inputs, Tensor(xp.asarray(-1e9, dtype=inputs.dtype)))
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            axes = tuple(self.axis)
            out = (inputs - logsumexp(inputs, dim=axes, keepdim=True)).exp()
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            out = softmax(inputs, axis)
        if mask is not None:
            out = where(keep, out, Tensor(xp.zeros((), dtype=out.dtype)))
        return out

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """Parametric ReLU: y = x for x ≥ 0, α ⊙ x otherwise, with a learned ``alpha`` of the
    input's shape (batch axis excluded) — size 1 along ``shared_axes``."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, numbers.Integral):
            self.shared_axes = [int(shared_axes)]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(
                f"Layer '{self.name}' (PReLU) needs known sizes on the axes that are not "
                f"shared, got input shape {tuple(input_shape)}"
            )
        self.alpha = self.add_weight(
            shape=tuple(shape), name="alpha", initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
        )  # fmt: skip

    def call(self, inputs):
        return activations.relu(inputs) - self.alpha * activations.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            **serialized(
                self,
                alpha_initializer=self.alpha_initializer,
                alpha_regularizer=self.alpha_regularizer,
                alpha_constraint=self.alpha_constraint,
            ),
            "shared_axes": self.shared_axes,
        }
