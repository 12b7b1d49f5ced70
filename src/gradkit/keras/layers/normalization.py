"""Keras's normalization layers (concepts NN-BATCHNORM, NN-BATCHNORM, NN-NORM-DATA):
``BatchNormalization``, ``LayerNormalization`` and the preprocessing layer
``Normalization`` with ``adapt``."""

from __future__ import annotations

import itertools
import math
import numbers
import warnings

from gradkit.backend import xp
from gradkit.keras import constraints, initializers, regularizers
from gradkit.keras.layers._common import as_float, serialized
from gradkit.keras.src import backend as kbackend
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
from gradkit.ops.norm import Normalize
from gradkit.ops.norm import layer_norm as _layer_norm
from gradkit.ops.shape import permute
from gradkit.tensor import Tensor


def _check_axis(layer, axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}): axis {axis} is out of bounds for "
            f"an input of rank {ndim}"
        )
    return axis % ndim


class BatchNormalization(Layer):
    """Batch normalization over every axis but ``axis`` (concept NN-BATCHNORM):

        y = γ (x − μ) / √(σ² + ε) + β

    In training (``training=True`` and the layer trainable) μ and σ² are the batch's
    mean and biased variance and the moving statistics follow Keras's convention

        moving_mean ← moving_mean · momentum + μ · (1 − momentum)

    (the same for ``moving_variance`` with σ²); otherwise μ, σ² are the moving
    statistics. Weights, in Keras's order: ``gamma``, ``beta`` (trainable),
    ``moving_mean``, ``moving_variance`` (non-trainable), each ``(C,)``.

    Parameters
    ----------
    axis : int
        The feature axis, default −1 (channels-last); 1 for channels-first images.
    momentum : float
        Default 0.99 (PyTorch's momentum 0.1 is 1 − 0.9 in this convention).
    epsilon : float
        Default 1e-3.
    center, scale : bool
        Learn β, γ.
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized: bool = False,
        **kwargs,
    ) -> None:
        renorm = kwargs.pop("renorm", False)
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        if renorm:
            raise ValueError(
                "BatchNormalization: batch renormalization (renorm=True) is not supported "
                "by gradkit.keras"
            )
        super().__init__(**kwargs)
        if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
            raise TypeError(f"BatchNormalization: `axis` must be an int, got {axis!r}")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.synchronized = bool(synchronized)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        axis = _check_axis(self, self.axis, ndim)
        shape = (input_shape[axis],)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                shape=shape, name="gamma", initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            )  # fmt: skip
        if self.center:
            self.beta = self.add_weight(
                shape=shape, name="beta", initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            )  # fmt: skip
        self.moving_mean = self.add_weight(
            shape=shape, name="moving_mean", initializer=self.moving_mean_initializer,
            trainable=False,
        )  # fmt: skip
        self.moving_variance = self.add_weight(
            shape=shape, name="moving_variance", initializer=self.moving_variance_initializer,
            trainable=False,
        )  # fmt: skip
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: input_shape[axis]})

    def _masked_moments(self, inputs, axes, mask):
        """Mean and biased variance over ``axes`` of the unmasked positions (the mask
        has the input's shape less its last axis), as differentiable ops."""
        weight = Tensor(xp.broadcast_to(mask[..., None], inputs.shape).astype(inputs.dtype))
        count = weight.sum(dim=axes, keepdim=True) + kbackend.epsilon()
        mean = (inputs * weight).sum(dim=axes, keepdim=True) / count
        centered = (inputs - mean) * weight
        return mean, (centered * centered).sum(dim=axes, keepdim=True) / count

    def call(self, inputs, training=None, mask=None):
        inputs = as_float(self, inputs)
        x = inputs._data
        axis = self.axis % x.ndim
        axes = tuple(d for d in range(x.ndim) if d != axis)
        param_shape = tuple(x.shape[d] if d == axis else 1 for d in range(x.ndim))
        batch_stats = bool(training) and self.trainable
        if batch_stats and mask is not None:
            mask = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
            if mask.ndim != x.ndim - 1:
                raise ValueError(
                    "The mask provided should be one dimension less than the inputs. "
                    f"Received: mask.shape={mask.shape}, inputs.shape={x.shape}"
                )
            return self._masked_call(inputs, axes, param_shape, mask.astype(bool))
        if batch_stats:
            mean = x.mean(axis=axes, keepdims=True)
            var = x.var(axis=axes, keepdims=True)
            self._update_moving(mean, var)
        else:
            mean = self.moving_mean._data.reshape(param_shape).astype(x.dtype, copy=False)
            var = self.moving_variance._data.reshape(param_shape).astype(x.dtype, copy=False)
        params = [p for p in (self.gamma, self.beta) if p is not None]
        return Normalize.apply(
            inputs,
            *params,
            mean=mean,
            inv_std=1.0 / xp.sqrt(var + x.dtype.type(self.epsilon)),
            stat_axes=axes,
            param_axes=axes,
            param_shape=param_shape,
            has_weight=self.gamma is not None,
            has_bias=self.beta is not None,
            batch_stats=batch_stats,
        )

    def _update_moving(self, mean, var) -> None:
        m = self.momentum
        self.moving_mean.assign(self.moving_mean._data * m + mean.reshape(-1) * (1.0 - m))
        self.moving_variance.assign(self.moving_variance._data * m + var.reshape(-1) * (1.0 - m))

    def _masked_call(self, inputs, axes, param_shape, mask):
        mean, var = self._masked_moments(inputs, axes, mask)
        self._update_moving(mean._data, var._data)
        y = (inputs - mean) / (var + self.epsilon).sqrt()
        if self.gamma is not None:
            y = y * self.gamma.reshape(param_shape)
        if self.beta is not None:
            y = y + self.beta.reshape(param_shape)
        return y

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **serialized(
                self,
                beta_initializer=self.beta_initializer,
                gamma_initializer=self.gamma_initializer,
                moving_mean_initializer=self.moving_mean_initializer,
                moving_variance_initializer=self.moving_variance_initializer,
                beta_regularizer=self.beta_regularizer,
                gamma_regularizer=self.gamma_regularizer,
                beta_constraint=self.beta_constraint,
                gamma_constraint=self.gamma_constraint,
            ),
            "synchronized": self.synchronized,
        }


class LayerNormalization(Layer):
    """Layer normalization over the ``axis`` axes of each sample (concept NN-BATCHNORM):

        y = γ (x − μ) / √(σ² + ε) + β,   μ, σ² the mean and biased variance over ``axis``

    Weights ``gamma``, ``beta`` shaped like the normalized axes. ``epsilon`` defaults to
    1e-3. ``rms_scaling=True`` (deprecated in Keras) keeps Keras's formula
    y = γ x / √(σ² + ε) without centering.
    """

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center: bool = True,
        scale: bool = True,
        rms_scaling: bool = False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise TypeError(
                "Expected an int or a list/tuple of ints for the argument 'axis', but "
                f"received: {axis!r}"
            )
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        if self.rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated in Keras. This argument "
                "scales the input by the variance, not the root mean square.",
                UserWarning,
                stacklevel=2,
            )
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _axes(self, ndim: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        return sorted(_check_axis(self, a, ndim) for a in axes)

    def build(self, input_shape) -> None:
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[d] for d in axes)
        self.gamma = self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                shape=shape, name="gamma", initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            )  # fmt: skip
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                shape=shape, name="beta", initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            )  # fmt: skip

    def call(self, inputs):
        inputs = as_float(self, inputs)
        ndim = inputs.ndim
        axes = self._axes(ndim)
        rest = [d for d in range(ndim) if d not in axes]
        order = rest + axes
        x = permute(inputs, *order)  # the normalized axes last (a no-op when they are)
        shape = tuple(inputs.shape[d] for d in axes)
        if self.rms_scaling:
            dims = tuple(range(len(rest), ndim))
            var = x.var(dim=dims, keepdim=True, correction=0)
            y = x / (var + self.epsilon).sqrt() * self.gamma
        else:
            y = _layer_norm(x, shape, self.gamma, self.beta, self.epsilon)
        inverse = [order.index(d) for d in range(ndim)]
        return permute(y, *inverse)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            **serialized(
                self,
                beta_initializer=self.beta_initializer,
                gamma_initializer=self.gamma_initializer,
                beta_regularizer=self.beta_regularizer,
                gamma_regularizer=self.gamma_regularizer,
                beta_constraint=self.beta_constraint,
                gamma_constraint=self.gamma_constraint,
            ),
        }


class Normalization(Layer):
    """Standardize features with a fixed mean and variance (concept NN-NORM-DATA):
    y = (x − mean) / max(√variance, ε), or with ``invert=True`` x · max(√variance, ε) +
    mean, ε = ``keras.backend.epsilon()``.

    The statistics are per position of the ``axis`` axes (default −1: per feature;
    ``axis=None``: one scalar), given as ``mean=``/``variance=`` or computed from data by
    :meth:`adapt` (then kept as the non-trainable weights ``mean``, ``variance`` and
    ``count``).

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import keras
    >>> layer = keras.layers.Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]], "float32"))
    >>> layer(np.array([[1.0, 20.0]], "float32")).numpy()
    array([[0., 0.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, numbers.Integral):
            axis = (int(axis),)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True
        if (mean is None) != (variance is None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if xp.shape(mean) != xp.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same "
                    f"shape. Received: mean shape {xp.shape(mean)} and variance shape "
                    f"{xp.shape(variance)}"
                )
            if len(xp.shape(mean)) > len(self.axis):
                raise ValueError(
                    "The rank of `mean` must be less than or equal to the number of axes "
                    f"({len(self.axis)}). Received: mean shape {xp.shape(mean)} for axis "
                    f"{self.axis}"
                )
        self._fixed = None

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                f"ndim={ndim}, while axis={self.axis}"
            )
        keep = tuple(sorted(d % ndim for d in self.axis))
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have a known shape. Received "
                    f"axis={self.axis}, inputs.shape={tuple(input_shape)}, with unknown axis at "
                    f"index {d}"
                )
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(ndim))
        self._stat_shape = tuple(input_shape[d] for d in keep)
        self._adapt_shape = tuple(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=self._stat_shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._stat_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int64", initializer="zeros", trainable=False
            )
        else:
            stats = (self.input_mean, self.input_variance)
            self._fixed = tuple(self._aligned(v, ndim) for v in stats)

    def _aligned(self, value, ndim: int):
        """A given mean or variance broadcast to the kept axes, right-aligned."""
        a = xp.asarray(value, dtype=self.compute_dtype)
        shape = [1] * ndim
        for i in range(1, a.ndim + 1):
            shape[self._keep_axis[-i]] = a.shape[-i]
        return xp.broadcast_to(a.reshape(shape), self._broadcast_shape)

    def adapt(self, data) -> None:
        """Set ``mean`` and ``variance`` to the statistics of ``data`` over every axis
        but ``axis``: an array, a Tensor, or an iterable of batches (combined with the
        lack-of-fit sum-of-squares update, as Keras does)."""
        if isinstance(data, Tensor):
            data = data.detach().numpy()
        if isinstance(data, xp.ndarray):
            batches, shape = None, data.shape
        elif hasattr(data, "__iter__"):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError(
                    "adapt() received an empty iterable (no batches). Expected at least one "
                    "batch, e.g. layer.adapt([x])."
                )
            first = _batch_array(first)
            batches, shape = itertools.chain([first], iterator), first.shape
        else:
            raise TypeError(
                f"Unsupported data type: {type(data)}. `adapt` supports NumPy arrays, "
                "Tensors and iterables of batches."
            )
        if not self.built:
            self.build(tuple(shape))
        elif self.input_mean is not None:
            raise ValueError("adapt() cannot change a Normalization given mean= and variance=")
        else:
            self._check_adapt_shape(shape)
        if batches is None:
            total_mean = data.mean(axis=self._reduce_axis)
            total_var = data.var(axis=self._reduce_axis)
        else:
            total_mean = xp.zeros(self._stat_shape, dtype=self.compute_dtype)
            total_var = xp.zeros(self._stat_shape, dtype=self.compute_dtype)
            total = 0
            for batch in batches:
                batch = _batch_array(batch).astype(self.compute_dtype)
                self._check_adapt_shape(batch.shape)
                count = math.prod(batch.shape[d] for d in self._reduce_axis)
                total += count
                w = count / total
                mean = batch.mean(axis=self._reduce_axis)
                var = batch.var(axis=self._reduce_axis)
                new_mean = total_mean * (1.0 - w) + mean * w
                total_var = (total_var + (total_mean - new_mean) ** 2) * (1.0 - w) + (
                    var + (mean - new_mean) ** 2
                ) * w
                total_mean = new_mean
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_var)

    def _check_adapt_shape(self, shape) -> None:
        for d in self._keep_axis:
            if shape[d] != self._adapt_shape[d]:
                raise ValueError(
                    f"The layer was built with input_shape={self._adapt_shape}, but adapt() is "
                    f"being called with data with an incompatible shape, data.shape="
                    f"{tuple(shape)}"
                )

    def call(self, inputs):
        if inputs.dtype != xp.dtype(self.compute_dtype):
            inputs = inputs.to(xp.dtype(self.compute_dtype))
        if self._fixed is not None:
            mean, var = self._fixed
        else:
            mean = self.adapt_mean._data.reshape(self._broadcast_shape)
            var = self.adapt_variance._data.reshape(self._broadcast_shape)
        eps = xp.dtype(self.compute_dtype).type(kbackend.epsilon())
        std = Tensor(xp.maximum(xp.sqrt(var), eps))
        mean = Tensor(xp.asarray(mean))
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        def plain(v):
            return None if v is None else xp.asarray(v).tolist()

        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": plain(self.input_mean),
            "variance": plain(self.input_variance),
        }


def _batch_array(batch):
    """The features of one batch: an array, a Tensor, or the first item of an
    ``(x, y)`` pair."""
    if isinstance(batch, (tuple, list)):
        batch = batch[0]
    if isinstance(batch, Tensor):
        return batch.detach().numpy()
    return xp.asarray(batch)
