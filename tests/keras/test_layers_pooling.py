"""Pooling layers against real Keras 3 (torch backend) and, where that backend is known
to be wrong, against Keras's definition (concepts CNN-POOL, CNN-INVARIANCE)."""

from __future__ import annotations

import numpy as np
import pytest
from layers_harness import check_layer, gk_keras, keras, randn

import gradkit as gk

KL, GL = keras.layers, gk_keras.layers


def _case(name, shape, **kwargs):
    return name, kwargs, shape


CASES = [
    _case("MaxPooling2D", (2, 6, 7, 3)),
    _case("MaxPooling2D", (2, 7, 8, 3), pool_size=3, strides=2),
    _case("MaxPooling2D", (2, 7, 8, 3), pool_size=(2, 3), strides=(1, 2), padding="same"),
    _case("MaxPooling2D", (2, 7, 8, 3), pool_size=3, padding="same", strides=2),
    _case("MaxPooling2D", (2, 3, 7, 8), data_format="channels_first", padding="same"),
    _case("MaxPooling1D", (2, 9, 3)),
    _case("MaxPooling1D", (2, 9, 3), pool_size=4, strides=3, padding="same"),
    _case("AveragePooling2D", (2, 6, 7, 3), pool_size=2),
    _case("AveragePooling2D", (2, 7, 8, 3), pool_size=(3, 2), strides=(2, 1)),
    # "same" with the padding split evenly on both sides of every axis
    _case("AveragePooling2D", (2, 7, 7, 3), pool_size=3, strides=1, padding="same"),
    _case("AveragePooling2D", (2, 7, 9, 3), pool_size=3, strides=2, padding="same"),
    _case("AveragePooling2D", (2, 3, 7, 7), pool_size=3, strides=1, padding="same",
          data_format="channels_first"),
    _case("AveragePooling1D", (2, 9, 3), pool_size=2),
    _case("AveragePooling1D", (2, 9, 3), pool_size=3, strides=2, padding="same"),
    _case("GlobalAveragePooling2D", (2, 5, 6, 3)),
    _case("GlobalAveragePooling2D", (2, 3, 5, 6), data_format="channels_first", keepdims=True),
    _case("GlobalMaxPooling2D", (2, 5, 6, 3)),
    _case("GlobalMaxPooling2D", (2, 5, 6, 3), keepdims=True),
    _case("GlobalAveragePooling1D", (2, 7, 3)),
    _case("GlobalMaxPooling1D", (2, 3, 7), data_format="channels_first"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES)
def test_pooling_layer_matches_keras(name, kwargs, shape):  # CNN-POOL, CNN-POOL
    check_layer(getattr(GL, name)(**kwargs), getattr(KL, name)(**kwargs), randn(*shape))


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES)
def test_symbolic_output_shape_matches_keras(name, kwargs, shape):
    k_out = getattr(KL, name)(**kwargs)(keras.Input(shape[1:]))
    g_out = getattr(GL, name)(**kwargs)(gk_keras.Input(shape[1:]))
    assert g_out.shape == tuple(k_out.shape)


def _average_pool_reference(x, pool, strides):
    """Keras's "same" average pooling written out: ⌈L/S⌉ windows, padding P =
    max(0, (⌈L/S⌉ − 1)·S + k − L) split ⌊P/2⌋ before, the rest after, and each window's
    mean taken over its real inputs only."""
    n, h, w, c = x.shape
    out_hw = [-(-size // s) for size, s in zip((h, w), strides)]
    before = [
        max(0, (o - 1) * s + k - size) // 2 for o, s, k, size in zip(out_hw, strides, pool, (h, w))
    ]
    out = np.zeros((n, *out_hw, c), np.float64)
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            r0, c0 = i * strides[0] - before[0], j * strides[1] - before[1]
            rows = slice(max(r0, 0), min(r0 + pool[0], h))
            cols = slice(max(c0, 0), min(c0 + pool[1], w))
            out[:, i, j] = x[:, rows, cols].mean(axis=(1, 2))
    return out


@pytest.mark.parametrize(
    ("shape", "pool", "strides"),
    [
        ((2, 5, 6, 3), (2, 2), (1, 1)),
        ((2, 5, 7, 2), (4, 3), (1, 2)),
        ((1, 6, 6, 1), (3, 3), (2, 2)),
    ],
)
def test_average_pooling_same_excludes_uneven_padding(shape, pool, strides):  # CNN-POOL
    """Where the "same" padding is uneven (the odd element after), Keras 3.15's torch
    backend pads by replicating the edge and averages the copies in (keras-team/keras
    #18452, fixed upstream by #23233); Keras's definition, that of its TensorFlow and JAX
    backends, leaves the padding out of the mean. gradkit follows the definition."""
    x = randn(*shape)
    layer = GL.AveragePooling2D(pool, strides=strides, padding="same")
    got = layer(x).detach().numpy()
    np.testing.assert_allclose(got, _average_pool_reference(x, pool, strides), atol=1e-6)


def test_global_average_pooling_1d_leaves_masked_steps_out():
    x = randn(2, 5, 3)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    expected = keras.layers.GlobalAveragePooling1D()(x, mask=mask)
    got = GL.GlobalAveragePooling1D()(x, mask=gk.tensor(mask))
    np.testing.assert_allclose(got.numpy(), np.asarray(expected), atol=1e-6)


def test_bad_input_errors():
    with pytest.raises(ValueError, match=r"max_pool.*expected ndim=4, found ndim=3.*\(4, 4, 1\)"):
        GL.MaxPooling2D(name="max_pool")(np.zeros((4, 4, 1), np.float32))
    with pytest.raises(ValueError, match=r"height axis is too small"):
        GL.MaxPooling2D(3)(np.zeros((1, 2, 4, 1), np.float32))
    with pytest.raises(ValueError, match=r"padding.*\('valid', 'same'\).*'causal'"):
        GL.AveragePooling1D(2, padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        GL.MaxPooling2D((2, 0))
