"""Functional forms of layers, activations and losses (``gradkit.nn.functional``,
imported as ``F`` like ``torch.nn.functional``)."""

from gradkit.nn.functional.activation import *  # noqa: F403
from gradkit.nn.functional.activation import __all__ as _activation_all
from gradkit.nn.functional.attention import *  # noqa: F403
from gradkit.nn.functional.attention import __all__ as _attention_all
from gradkit.nn.functional.distance import *  # noqa: F403
from gradkit.nn.functional.distance import __all__ as _distance_all
from gradkit.nn.functional.layers import *  # noqa: F403
from gradkit.nn.functional.layers import __all__ as _layers_all
from gradkit.nn.functional.loss import *  # noqa: F403
from gradkit.nn.functional.loss import __all__ as _loss_all
from gradkit.ops.conv import conv1d, conv2d, conv_output_size, conv_transpose2d
from gradkit.ops.interpolation import interpolate
from gradkit.ops.padding import pad
from gradkit.ops.pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from gradkit.ops.resample import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)
from gradkit.ops.unpool import max_unpool1d, max_unpool2d

__all__ = [
    *_activation_all,
    *_attention_all,
    *_distance_all,
    *_layers_all,
    *_loss_all,
    "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "conv1d", "conv2d",
    "conv_output_size", "conv_transpose2d", "interpolate", "max_pool1d", "max_pool2d",
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "adaptive_max_pool2d", "max_unpool1d",
    "max_unpool2d", "pad",
]  # fmt: skip
