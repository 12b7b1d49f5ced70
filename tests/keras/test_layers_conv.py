"""Convolution layers against real Keras 3 (torch backend): Conv1D, Conv2D,
Conv2DTranspose, DepthwiseConv2D, SeparableConv2D (concepts CNN-CONV, CNN-PAD,
CNN-STRIDE, CNN-SIZE)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from layers_harness import check_layer, gk_keras, keras, randn

KL, GL = keras.layers, gk_keras.layers


def _pair(name, *args, shape, **kwargs):
    return name, args, kwargs, shape


CONV2D = [
    _pair("Conv2D", 4, 3, shape=(2, 7, 8, 3)),
    _pair("Conv2D", 4, (2, 3), padding="same", shape=(2, 7, 8, 3)),
    _pair("Conv2D", 4, 3, strides=2, padding="same", shape=(2, 8, 7, 3)),
    _pair("Conv2D", 4, (3, 2), strides=(2, 3), shape=(2, 9, 8, 3)),
    _pair("Conv2D", 4, 3, dilation_rate=2, padding="same", shape=(2, 9, 8, 3)),
    _pair("Conv2D", 6, 3, groups=2, activation="relu", shape=(2, 7, 8, 4)),
    _pair("Conv2D", 4, 3, use_bias=False, data_format="channels_first", shape=(2, 3, 7, 8)),
    _pair("Conv2D", 4, 2, strides=2, padding="same", data_format="channels_first",
          shape=(2, 3, 7, 8)),
    _pair("Conv1D", 5, 3, shape=(2, 9, 3)),
    _pair("Conv1D", 5, 4, padding="same", strides=2, shape=(2, 9, 3)),
    _pair("Conv1D", 5, 3, padding="causal", dilation_rate=2, shape=(2, 9, 3)),
    _pair("Conv1D", 4, 3, groups=2, data_format="channels_first", shape=(2, 4, 9)),
    _pair("Conv2DTranspose", 4, 3, shape=(2, 5, 6, 3)),
    _pair("Conv2DTranspose", 4, 3, strides=2, padding="same", shape=(2, 5, 6, 3)),
    _pair("Conv2DTranspose", 4, (2, 3), strides=(2, 3), shape=(2, 5, 6, 3)),
    _pair("Conv2DTranspose", 4, 3, strides=2, output_padding=1, shape=(2, 5, 6, 3)),
    _pair("Conv2DTranspose", 4, 4, strides=2, padding="same", data_format="channels_first",
          shape=(2, 3, 5, 6)),
    _pair("Conv2DTranspose", 4, 3, dilation_rate=2, padding="same", shape=(2, 5, 6, 3)),
    _pair("DepthwiseConv2D", 3, shape=(2, 7, 8, 3)),
    _pair("DepthwiseConv2D", 3, depth_multiplier=2, strides=2, padding="same",
          shape=(2, 7, 8, 3)),
    _pair("DepthwiseConv2D", (2, 3), depth_multiplier=2, data_format="channels_first",
          shape=(2, 3, 7, 8)),
    _pair("SeparableConv2D", 5, 3, shape=(2, 7, 8, 3)),
    _pair("SeparableConv2D", 5, 3, depth_multiplier=2, strides=2, padding="same",
          activation="tanh", shape=(2, 7, 8, 3)),
]  # fmt: skip


def _ids(cases):
    return [f"{name}-{args}-{kwargs}" for name, args, kwargs, _ in cases]


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), CONV2D, ids=_ids(CONV2D))
def test_conv_layer_matches_keras(name, args, kwargs, shape):  # CNN-CONV, CNN-PAD, CNN-STRIDE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_layer(getattr(GL, name)(*args, **kwargs), getattr(KL, name)(*args, **kwargs),
                    randn(*shape))  # fmt: skip


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), CONV2D, ids=_ids(CONV2D))
def test_symbolic_output_shape_matches_keras(name, args, kwargs, shape):  # CNN-SIZE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        k_out = getattr(KL, name)(*args, **kwargs)(keras.Input(shape[1:]))
    g_out = getattr(GL, name)(*args, **kwargs)(gk_keras.Input(shape[1:]))
    assert g_out.shape == tuple(k_out.shape)


def test_weight_names_and_layouts():
    conv = GL.Conv2D(8, (3, 5), name="c")
    conv(np.zeros((1, 9, 9, 2), np.float32))
    assert [(w.path, w.shape) for w in conv.weights] == [
        ("c/kernel", (3, 5, 2, 8)),
        ("c/bias", (8,)),
    ]
    sep = GL.SeparableConv2D(6, 3, depth_multiplier=2, name="s")
    sep(np.zeros((1, 9, 9, 4), np.float32))
    assert [(w.path, w.shape) for w in sep.weights] == [
        ("s/depthwise_kernel", (3, 3, 4, 2)),
        ("s/pointwise_kernel", (1, 1, 8, 6)),
        ("s/bias", (6,)),
    ]


def test_bad_input_errors_name_layer_and_shapes():
    conv = GL.Conv2D(4, 3, name="conv_a")
    with pytest.raises(ValueError, match=r"conv_a.*expected min_ndim=4, found ndim=3.*\(5, 5, 3\)"):
        conv(np.zeros((5, 5, 3), np.float32))
    conv(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"conv_a.*axis -1.*value 3.*\(1, 5, 5, 2\)"):
        conv(np.zeros((1, 5, 5, 2), np.float32))
    with pytest.raises(ValueError, match=r"height axis is too small.*W input size 2"):
        GL.Conv2D(4, 3)(np.zeros((1, 2, 5, 3), np.float32))
    with pytest.raises(ValueError, match="padding.*'valid', 'same'.*'full'"):
        GL.Conv2D(4, 3, padding="full")
    causal = r"padding.*one of \('valid', 'same'\)\. Received: 'causal'"
    with pytest.raises(ValueError, match=causal):
        GL.Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="Could not interpret activation.*'rellu'.*relu"):
        GL.Conv2D(4, 3, activation="rellu")
    with pytest.raises(ValueError, match="groups"):
        GL.Conv2D(5, 3, groups=2)
    with pytest.raises(ValueError, match="data_format"):
        GL.Conv2D(4, 3, data_format="NHWC")
    with pytest.raises(ValueError, match="strides > 1.*dilation_rate > 1"):
        GL.Conv2D(4, 3, strides=2, dilation_rate=2)
