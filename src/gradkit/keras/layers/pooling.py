"""Keras's pooling layers (concepts CNN-POOL, CNN-INVARIANCE):
``MaxPooling1D/2D``, ``AveragePooling1D/2D`` (see :mod:`._pool_ops` for the window and
``"same"`` padding rules) and ``GlobalAveragePooling1D/2D``, ``GlobalMaxPooling1D/2D``."""

from __future__ import annotations

from gradkit.keras.layers._args import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from gradkit.keras.layers._common import as_float
from gradkit.keras.layers._pool_ops import pool
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
from gradkit.tensor import Tensor


class _Pooling(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size")
        strides = self.pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, self.rank, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._build_at_init()

    def call(self, inputs):
        return pool(
            self.name,
            inputs,
            self.kind,
            self.pool_size,
            self.strides,
            self.padding,
            self.data_format,
        )

    def compute_output_shape(self, input_shape):
        first = 1 if self.data_format == "channels_last" else 2
        shape = list(input_shape)
        for axis, k, s in zip(range(first, first + self.rank), self.pool_size, self.strides):
            n = shape[axis]
            if n is not None:
                shape[axis] = -(-n // s) if self.padding == "same" else (n - k) // s + 1
        return tuple(shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` steps: y[n, t, c] = max_i x[n, S·t + i, c]
    (``"same"`` pads with −∞). Input ``(batch, steps, channels)``."""

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling):
    """Max over ``pool_size`` windows (concepts CNN-POOL, CNN-INVARIANCE):
    y[n, y, x, c] = max_(i, j) x[n, S_h·y + i, S_w·x + j, c]; ``strides`` defaults to
    ``pool_size``; ``"same"`` gives ⌈L/S⌉ windows, padded with −∞.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import keras
    >>> keras.layers.MaxPooling2D()(np.zeros((1, 28, 28, 8), "float32")).shape
    (1, 14, 14, 8)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):  # fmt: skip
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over windows of ``pool_size`` steps; with ``"same"`` the padding is not
    counted in a window's mean. Input ``(batch, steps, channels)``."""

    rank = 1
    kind = "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over ``pool_size`` windows (concept CNN-POOL); with ``"same"`` each window's
    sum is divided by the number of real (non-padding) inputs in it, as Keras and
    TensorFlow define it."""

    kind = "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    rank = 2
    kind = "avg"

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._build_at_init()

    def _axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs, mask=None):
        axes = self._axes()
        if self.kind != "max":
            inputs = as_float(self, inputs)
        if self.kind == "max":
            return inputs.amax(dim=axes, keepdim=self.keepdims)
        if mask is not None and self.rank == 1:
            # mean over the unmasked steps only
            weights = Tensor(mask._data.astype(inputs.dtype))
            weights = (
                weights.unsqueeze(-1)
                if self.data_format == "channels_last"
                else (weights.unsqueeze(1))
            )
            total = (inputs * weights).sum(dim=axes, keepdim=self.keepdims)
            return total / weights.sum(dim=axes, keepdim=self.keepdims)
        return inputs.mean(dim=axes, keepdim=self.keepdims)

    def compute_mask(self, inputs, previous_mask):
        return None

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the time axis: ``(batch, steps, C)`` → ``(batch, C)`` (``keepdims``:
    ``(batch, 1, C)``); masked steps (a Keras mask from ``Embedding(mask_zero=True)``)
    are left out of the mean."""

    rank = 1

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(data_format, keepdims, **kwargs)
        self.supports_masking = True


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over H and W (concept CNN-POOL): ``(batch, H, W, C)`` → ``(batch, C)``."""


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the time axis: ``(batch, steps, C)`` → ``(batch, C)``."""

    rank = 1
    kind = "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over H and W: ``(batch, H, W, C)`` → ``(batch, C)``."""

    kind = "max"
