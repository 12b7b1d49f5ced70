"""Keras's convolution layers (concepts CNN-CONV, CNN-PAD, CNN-STRIDE, CNN-SIZE):
``Conv1D``, ``Conv2D``, ``Conv2DTranspose``, ``DepthwiseConv2D``, ``SeparableConv2D``.

Kernels keep Keras's layout, ``(*kernel_size, C_in/groups, filters)`` (a transposed
convolution's is ``(*kernel_size, filters, C_in)``), and images are channels-last by
default; the math runs on gradkit's im2col kernels (see :mod:`._conv_ops`).
"""

from __future__ import annotations

import numbers

from gradkit.keras import activations, constraints, initializers, regularizers
from gradkit.keras.layers._args import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from gradkit.keras.layers._common import KERNEL_BIAS, as_float, serialized, serialized_attributes
from gradkit.keras.layers._conv_ops import conv, conv_transpose, transpose_crops
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
from gradkit.ops.shape import reshape


def _filters(owner: str, filters) -> int:
    if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters <= 0:
        raise ValueError(
            "Invalid value for argument `filters`. Expected a strictly positive value. "
            f"Received filters={filters!r} ({owner})"
        )
    return int(filters)


def conv_output_length(size, kernel: int, stride: int, padding: str, dilation: int):
    """Output length along one axis: ⌊(L − F)/S⌋ + 1 for ``"valid"``, ⌈L/S⌉ for
    ``"same"`` and ``"causal"`` (F = D·(k − 1) + 1)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    return -(-size // stride)


class _Conv(Layer):
    """Shared argument handling, weights and shapes of the forward convolutions."""

    rank = 2
    _kernel_names = ("kernel",)

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
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
        owner = type(self).__name__
        rank = self.rank
        self.filters = None if filters is None else _filters(owner, filters)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or groups <= 0:
            raise ValueError(
                f"The number of groups must be a positive integer. Received: groups={groups!r}."
            )
        self.groups = int(groups)
        if self.filters is not None and self.filters % self.groups:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, filters={self.filters}."
            )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2, max_ndim=rank + 2)

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape) -> int:
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs a known channel axis, got "
                f"input shape {tuple(input_shape)} (data_format={self.data_format!r})"
            )
        if channels % self.groups:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of "
                f"groups. Received groups={self.groups}, but the input has {channels} "
                f"channels (full input shape is {tuple(input_shape)})."
            )
        return channels

    def _add_bias(self, size: int) -> None:
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        else:
            self.bias = None

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self._add_bias(self.filters)
        self.input_spec = InputSpec(
            min_ndim=self.rank + 2, max_ndim=self.rank + 2, axes={self._channel_axis: channels}
        )

    def call(self, inputs):
        out = conv(
            self.name,
            as_float(self, inputs),
            self.kernel,
            self.bias,
            self.strides,
            self.padding,
            self.dilation_rate,
            self.groups,
            self.data_format,
        )
        return self.activation(out)

    def _spatial_out(self, sizes):
        return [
            conv_output_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(sizes, self.kernel_size, self.strides, self.dilation_rate)
        ]

    def _out_channels(self) -> int:
        return self.filters

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            spatial = self._spatial_out(input_shape[1:-1])
            return (input_shape[0], *spatial, self._out_channels())
        spatial = self._spatial_out(input_shape[2:])
        return (input_shape[0], self._out_channels(), *spatial)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "use_bias": self.use_bias,
            **serialized_attributes(self, "activation", *KERNEL_BIAS),
        }


class Conv1D(_Conv):
    """1-d convolution (concept CNN-CONV) over ``(batch, steps, channels)``:

    y[n, t, o] = b[o] + Σ_(c ∈ group(o)) Σ_i kernel[i, c, o] · x_pad[n, S·t + D·i, c]

    ``padding`` is ``"valid"``, ``"same"`` (⌈L/S⌉ outputs) or ``"causal"`` (F − 1
    zeros before the sequence: output t depends on inputs ≤ t). Kernel
    ``(kernel_size, C_in/groups, filters)``.
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, **kwargs) -> None:  # fmt: skip
        super().__init__(
            filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs
        )


class Conv2D(_Conv):
    """2-d convolution (concepts CNN-CONV, CNN-PAD, CNN-STRIDE) over ``(batch, H, W,
    channels)``:

    y[n, y, x, o] = b[o] + Σ_(c ∈ group(o)) Σ_(i, j) kernel[i, j, c, o] ·
    x_pad[n, S_h·y + D_h·i, S_w·x + D_w·j, c]

    Output size per axis ⌊(L − F)/S⌋ + 1 (``"valid"``) or ⌈L/S⌉ (``"same"``, the odd
    padding zero after), F = D·(k − 1) + 1. Kernel ``(kh, kw, C_in/groups, filters)``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import keras
    >>> conv = keras.layers.Conv2D(8, 3, strides=2, padding="same")
    >>> conv(np.zeros((1, 28, 28, 1), "float32")).shape, conv.kernel.shape
    ((1, 14, 14, 8), (3, 3, 1, 8))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, **kwargs) -> None:  # fmt: skip
        super().__init__(
            filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs
        )


class Conv2DTranspose(_Conv):
    """Transposed 2-d convolution (the gradient of ``Conv2D`` with respect to its input,
    used to upsample). Kernel ``(kh, kw, filters, C_in)``.

    Output size per axis (F = D·(k − 1) + 1): L·S for ``"same"`` and (L − 1)·S +
    max(F, S) for ``"valid"``; with ``output_padding`` p, (L − 1)·S + F + p − 2·pad
    with Keras's split of the padding.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1),
        **kwargs,
    ) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         **kwargs)  # fmt: skip
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = standardize_tuple(
                output_padding, 2, "output_padding", allow_zero=True
            )
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(
                        "Strides must be greater than output padding. Received strides="
                        f"{self.strides}, output_padding={self.output_padding}."
                    )

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: channels})

    def call(self, inputs):
        out = conv_transpose(
            self.name,
            as_float(self, inputs),
            self.kernel,
            self.bias,
            self.strides,
            self.padding,
            self.output_padding,
            self.dilation_rate,
            self.data_format,
        )
        return self.activation(out)

    def _spatial_out(self, sizes):
        pads = self.output_padding or (None, None)
        out = []
        for n, k, s, d, p in zip(sizes, self.kernel_size, self.strides, self.dilation_rate, pads):
            if n is None:
                out.append(None)
                continue
            before, after = transpose_crops(n, k, s, d, self.padding, p)
            out.append((n - 1) * s + d * (k - 1) + 1 - before - after)
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = self.output_padding
        return config


class DepthwiseConv2D(_Conv):
    """Depthwise 2-d convolution: each input channel c is convolved with its own
    ``depth_multiplier`` filters, output channel c·M + m:

    y[n, y, x, c·M + m] = b[c·M + m] + Σ_(i, j) kernel[i, j, c, m] · x_pad[n, S·y + D·i,
    S·x + D·j, c]

    Kernel ``(kh, kw, C_in, depth_multiplier)``, bias ``(C_in · depth_multiplier,)``.
    """

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(
            None, kernel_size, strides, padding, data_format, dilation_rate, 1,
            activation=activation, use_bias=use_bias, kernel_initializer=depthwise_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs,
        )  # fmt: skip
        self.depth_multiplier = _filters(type(self).__name__, depth_multiplier)
        self._channels = None

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self._channels = channels
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self._add_bias(channels * self.depth_multiplier)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: channels})

    def call(self, inputs):
        kh, kw, c, m = self.kernel.shape
        out = conv(
            self.name,
            as_float(self, inputs),
            reshape(self.kernel, kh, kw, 1, c * m),
            self.bias,
            self.strides,
            self.padding,
            self.dilation_rate,
            c,
            self.data_format,
        )
        return self.activation(out)

    def _out_channels(self):
        return None if self._channels is None else self._channels * self.depth_multiplier

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("filters", "groups"):
            del config[key]
        renamed = {
            "kernel_initializer": "depthwise_initializer",
            "kernel_regularizer": "depthwise_regularizer",
            "kernel_constraint": "depthwise_constraint",
        }
        config = {renamed.get(k, k): v for k, v in config.items()}
        config["depth_multiplier"] = self.depth_multiplier
        return config


class SeparableConv2D(_Conv):
    """Depthwise-separable 2-d convolution: a depthwise convolution (each input channel
    with its own ``depth_multiplier`` filters, strided and dilated) followed by a 1 × 1
    pointwise convolution mixing the C_in·M channels into ``filters``.

    Weights ``depthwise_kernel (kh, kw, C_in, M)``, ``pointwise_kernel (1, 1, C_in·M,
    filters)``, ``bias (filters,)``.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        depth_multiplier=1,
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(
            filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
            activation=activation, use_bias=use_bias, bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint, **kwargs,
        )  # fmt: skip
        self.depth_multiplier = _filters(type(self).__name__, depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            name="depthwise_kernel",
        )
        self.pointwise_kernel = self.add_weight(
            shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            name="pointwise_kernel",
        )
        self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: channels})

    def call(self, inputs):
        kh, kw, c, m = self.depthwise_kernel.shape
        depthwise = reshape(self.depthwise_kernel, kh, kw, 1, c * m)
        x = conv(self.name, as_float(self, inputs), depthwise, None, self.strides, self.padding,
                 self.dilation_rate, c, self.data_format)  # fmt: skip
        x = conv(self.name, x, self.pointwise_kernel, self.bias, (1, 1), "valid", (1, 1), 1,
                 self.data_format)  # fmt: skip
        return self.activation(x)

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            del config[key]
        config["depth_multiplier"] = self.depth_multiplier
        config.update(
            serialized(
                self,
                depthwise_initializer=self.depthwise_initializer,
                pointwise_initializer=self.pointwise_initializer,
                depthwise_regularizer=self.depthwise_regularizer,
                pointwise_regularizer=self.pointwise_regularizer,
                depthwise_constraint=self.depthwise_constraint,
                pointwise_constraint=self.pointwise_constraint,
            )
        )
        return config
