"""Every layer's config: JSON-serializable, ``from_config`` rebuilds an equal layer
(same weights layout, same outputs after ``set_weights``), and the keys and plain values
agree with real Keras 3's ``get_config`` (so saved models read the same)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from layers_harness import gk_keras, keras, randn

KL, GL = keras.layers, gk_keras.layers

LAYERS = [
    ("Dense", (4,), {"units": 3, "activation": "relu", "kernel_regularizer": "l2"}),
    ("Activation", (4,), {"activation": "tanh"}),
    ("Dropout", (4,), {"rate": 0.3, "noise_shape": [None, 1], "seed": 2}),
    ("Embedding", None, {"input_dim": 6, "output_dim": 2, "mask_zero": True}),
    ("Rescaling", (4,), {"scale": 0.5, "offset": 1.0}),
    ("Masking", (3, 4), {"mask_value": 1.0}),
    ("Flatten", (2, 3), {}),
    ("Reshape", (6,), {"target_shape": [2, 3]}),
    ("Permute", (2, 3), {"dims": [2, 1]}),
    ("RepeatVector", (3,), {"n": 2}),
    ("UpSampling2D", (3, 3, 2), {"size": (2, 1), "interpolation": "bilinear"}),
    ("ZeroPadding2D", (3, 3, 2), {"padding": ((1, 0), (0, 2))}),
    ("Cropping2D", (5, 5, 2), {"cropping": ((1, 0), (0, 2))}),
    ("Conv1D", (7, 3), {"filters": 4, "kernel_size": 3, "padding": "causal"}),
    ("Conv2D", (6, 6, 2), {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}),
    ("Conv2DTranspose", (4, 4, 2), {"filters": 3, "kernel_size": 3, "strides": 2}),
    ("DepthwiseConv2D", (6, 6, 2), {"kernel_size": 3, "depth_multiplier": 2}),
    ("SeparableConv2D", (6, 6, 2), {"filters": 3, "kernel_size": 3}),
    ("MaxPooling2D", (6, 6, 2), {"pool_size": 3, "strides": 2, "padding": "same"}),
    ("AveragePooling1D", (6, 2), {"pool_size": 2}),
    ("GlobalAveragePooling2D", (4, 4, 2), {"keepdims": True}),
    ("GlobalMaxPooling1D", (4, 2), {}),
    ("BatchNormalization", (4, 3), {"momentum": 0.9, "epsilon": 1e-4}),
    ("LayerNormalization", (4, 3), {"epsilon": 1e-5}),
    ("Normalization", (3,), {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}),
    ("SimpleRNN", (5, 3), {"units": 4, "return_sequences": True}),
    ("LSTM", (5, 3), {"units": 4, "go_backwards": True, "dropout": 0.1}),
    ("GRU", (5, 3), {"units": 4, "reset_after": False, "return_state": True}),
    ("MultiHeadAttention", None, {"num_heads": 2, "key_dim": 3, "dropout": 0.1}),
    ("Concatenate", None, {"axis": 1}),
    ("Dot", None, {"axes": [1, 1], "normalize": True}),
    ("ReLU", (4,), {"max_value": 6.0}),
    ("LeakyReLU", (4,), {"negative_slope": 0.1}),
    ("Softmax", (4,), {"axis": -1}),
    ("PReLU", (3, 4), {"shared_axes": [1]}),
    ("CategoryEncoding", None, {"num_tokens": 5, "output_mode": "count"}),
    ("SpatialDropout2D", (3, 3, 2), {"rate": 0.2, "data_format": "channels_last"}),
    ("GaussianNoise", (4,), {"stddev": 0.1, "seed": 1}),
]

WRAPPERS = [
    ("Bidirectional", lambda L: L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum")),
    ("TimeDistributed", lambda L: L.TimeDistributed(L.Dense(2, activation="relu"))),
]


@pytest.mark.parametrize(("name", "make"), WRAPPERS, ids=[n for n, _ in WRAPPERS])
def test_wrapper_config_round_trip_and_keys(name, make):
    layer = make(GL)
    x = randn(2, 4, 3)
    out = layer(x)
    config = json.loads(json.dumps(layer.get_config()))
    clone = getattr(GL, name).from_config(config)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).detach().numpy(), out.detach().numpy())
    assert set(config) <= set(make(KL).get_config())


def _inputs(name, shape):
    if name == "Embedding":
        return np.array([[1, 2, 0]])
    if name == "CategoryEncoding":
        return np.array([[1, 2, 2]])
    if name == "MultiHeadAttention":
        return randn(2, 4, 3)
    if name in ("Concatenate", "Dot"):
        return [randn(2, 3), randn(2, 3, seed=1)]
    return randn(2, *shape)


def _call(layer, name, x):
    if name == "MultiHeadAttention":
        return layer(x, x)
    return layer(x)


@pytest.mark.parametrize(("name", "shape", "kwargs"), LAYERS, ids=[n for n, _, _ in LAYERS])
def test_config_round_trip(name, shape, kwargs):
    layer = getattr(GL, name)(**kwargs)
    x = _inputs(name, shape)
    out = _call(layer, name, x)
    config = json.loads(json.dumps(layer.get_config()))
    clone = getattr(GL, name).from_config(config)
    _call(clone, name, x)
    clone.set_weights(layer.get_weights())
    again = _call(clone, name, x)
    for a, b in zip(out if isinstance(out, list) else [out], again if isinstance(again, list)
                    else [again]):  # fmt: skip
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "shape", "kwargs"), LAYERS, ids=[n for n, _, _ in LAYERS])
def test_config_agrees_with_keras(name, shape, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k_config = getattr(KL, name)(**kwargs).get_config()
    g_config = getattr(GL, name)(**kwargs).get_config()
    missing = set(g_config) - set(k_config)
    assert not missing, f"keys Keras does not have: {missing}"
    for key, value in g_config.items():
        if key == "name" or isinstance(value, dict):
            continue
        if key.endswith("initializer") or key.endswith("regularizer") or key == "cell":
            continue
        assert _plain(value) == _plain(k_config[key]), key
