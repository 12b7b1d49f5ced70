"""Keras's regularization layers beyond ``Dropout`` (concept NN-DROPOUT, NN-L1L2):
``SpatialDropout1D/2D`` (whole feature maps dropped), ``GaussianNoise``,
``GaussianDropout`` and ``ActivityRegularization``. All are the identity at inference."""

from __future__ import annotations

import math
import numbers

from gradkit.backend import xp
from gradkit.keras import regularizers
from gradkit.keras.layers._args import standardize_data_format
from gradkit.keras.layers._common import SeededDraws, check_seed
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
from gradkit.tensor import Tensor


def _rate(owner: str, rate) -> float:
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
        raise ValueError(
            "Invalid value received for argument `rate`. Expected a float value between 0 "
            f"and 1. Received: rate={rate!r} ({owner})"
        )
    return float(rate)


class _Random(Layer):
    def __init__(self, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seed = check_seed(type(self).__name__, seed)
        self._draws = SeededDraws(seed)
        self.supports_masking = True
        self._build_at_init()

    def compute_output_shape(self, input_shape):
        return input_shape


class _SpatialDropout(_Random):
    rank = 1

    def __init__(self, rate, data_format=None, seed=None, **kwargs) -> None:
        super().__init__(seed, **kwargs)
        self.rate = _rate(type(self).__name__, rate)
        self.data_format = standardize_data_format(data_format) if self.rank == 2 else None
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1]) + (1,) * self.rank
        return (shape[0],) + (1,) * self.rank + (shape[-1],)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        mask = self._draws.dropout_mask(self._noise_shape(inputs.shape), self.rate, inputs.dtype)
        return inputs * mask

    def get_config(self) -> dict:
        # Keras's spatial dropout config has no "trainable"
        config = {"name": self.name, "dtype": self.dtype_policy, "rate": self.rate,
                  "seed": self.seed}  # fmt: skip
        if self.rank == 2:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of a ``(batch, steps, channels)`` input: each channel is
    zeroed at every step with probability ``rate`` (survivors scaled by 1/(1 − rate))."""

    def __init__(self, rate, seed=None, **kwargs) -> None:
        super().__init__(rate, None, seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole feature maps of an image batch: each channel of each sample is
    zeroed everywhere with probability ``rate``."""

    rank = 2


class GaussianNoise(_Random):
    """In training, add N(0, stddev²) noise: y = x + ε."""

    def __init__(self, stddev, seed=None, **kwargs) -> None:
        super().__init__(seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or stddev < 0:
            raise ValueError(
                f"Invalid value received for argument `stddev`. Expected a float value >= 0. "
                f"Received: stddev={stddev!r}"
            )
        self.stddev = float(stddev)

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = self._draws.rng().normal(0.0, self.stddev, inputs.shape)
        return inputs + Tensor(noise.astype(inputs.dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Random):
    """In training, multiply by N(1, rate/(1 − rate)) noise (a dropout of the same
    variance without zeros)."""

    def __init__(self, rate, seed=None, **kwargs) -> None:
        super().__init__(seed, **kwargs)
        self.rate = _rate("GaussianDropout", rate)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1.0:
            return inputs * Tensor(xp.zeros(inputs.shape, dtype=inputs.dtype))
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = self._draws.rng().normal(1.0, stddev, inputs.shape)
        return inputs * Tensor(noise.astype(inputs.dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class ActivityRegularization(Layer):
    """The identity that adds l1·Σ|y| + l2·Σy² (per sample, averaged over the batch) of
    its output to the model's losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs) -> None:
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
