"""Bad input to the Keras facade gets Keras's kind of error (issue #17/#19): unknown
strings list the valid names, wrong ranks and shapes name the layer and the shapes,
bad layer arguments name the argument and the value."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit import keras
from gradkit.keras import layers


def _model():
    return keras.Sequential([keras.Input((4,)), layers.Dense(2)])


def _compiled():
    model = _model()
    model.compile("sgd", "mse")
    return model


def _dense_built():
    layer = layers.Dense(2)
    layer(np.ones((1, 4), np.float32))
    return layer


ONES_X, ONES_Y = np.ones((8, 4), np.float32), np.ones((8, 2), np.float32)

CASES = [
    (lambda: _model().compile(optimizer="adamz", loss="mse"), r"Could not interpret optimizer identifier: 'adamz'. Valid names: .*adam"),
    (lambda: _model().compile(optimizer="adam", loss="msez"), r"Could not interpret loss identifier: 'msez'. Valid names"),
    (lambda: layers.Dense(2, activation="relux"), r"Could not interpret activation function identifier: 'relux'. Valid names"),
    (lambda: layers.Conv2D(2, 3, padding="full"), r"The `padding` argument must be one of \('valid', 'same'\). Received: 'full'"),
    (lambda: layers.Dense(2, kernel_initializer="nope"), r"Could not interpret initializer identifier: 'nope'. Valid names"),
    (lambda: layers.Dense(0), r"expected a positive integer. Received: units=0 \(Dense\)"),
    (lambda: layers.Conv2D(0, 3), r"Expected a strictly positive value. Received filters=0 \(Conv2D\)"),
    (lambda: layers.Conv2D(2, 0), r"The `kernel_size` argument must be a tuple of 2 integers. Received kernel_size=0"),
    (lambda: layers.Dropout(1.5), r"Expected a float value between 0 and 1. Received: rate=1.5"),
    (lambda: layers.Dense(2, foo=1), r"Unrecognized keyword arguments passed to Dense: \{'foo': 1\}"),
    (lambda: layers.Conv2D(2, 3, data_format="nchw"), r"must be one of \('channels_last', 'channels_first'\). Received: data_format='nchw'"),
    (lambda: layers.Conv2D(2, 3)(np.ones((4, 8, 8), np.float32)), r"is incompatible with the layer: expected min_ndim=4, found ndim=3. Full shape received: \(4, 8, 8\)"),
    (lambda: layers.LSTM(3)(np.ones((4, 5), np.float32)), r"layer 'lstm.*' is incompatible with the layer: expected min_ndim=3, found ndim=2"),
    (lambda: _compiled().fit(np.ones((8, 5)), ONES_Y, verbose=0), r"is incompatible with the layer: expected shape=\(None, 4\), found shape=\(8, 5\)"),
    (lambda: _model().predict(np.ones((3, 7))), r"expected shape=\(None, 4\), found shape=\(3, 7\)"),
    (lambda: _dense_built().set_weights([np.ones((3, 2)), np.ones(2)]), r"weight shape \(4, 2\) is not compatible with provided weight shape \(3, 2\)"),
    (lambda: _dense_built().set_weights([np.ones((4, 2))]), r"with a weight list of length 1, but the layer was expecting 2 weights"),
    (lambda: keras.utils.to_categorical([0, 5], num_classes=3), r"label 5 is out of range for num_classes=3"),
    (lambda: _compiled().fit(ONES_X, ONES_Y, batch_size=0, verbose=0), r"fit: `batch_size` must be an int >= 1, got 0"),
    (lambda: _compiled().fit(ONES_X, ONES_Y, epochs=-1, verbose=0), r"fit: `epochs` must be an int >= 0, got -1"),
    (lambda: _model().fit(ONES_X, ONES_Y, verbose=0), r"You must call `compile\(\)` before using the model"),
    (lambda: _compiled().fit(ONES_X, ONES_Y, validation_split=1.5, verbose=0), r"`validation_split` must be a real number in \[0.0, 1.0\), got 1.5"),
    (lambda: keras.Input(shape=(-1,)), r"Argument `shape` must be a tuple of non-negative ints or None, got \(-1,\)"),
    (lambda: layers.MultiHeadAttention(num_heads=0, key_dim=2), r"`num_heads` must be a positive int, got 0"),
    (lambda: layers.Reshape((5,))(np.ones((2, 4), np.float32)), r"the total size of the new array must be unchanged: input_shape = \(4,\), target_shape = \(5,\)"),
    (lambda: layers.Concatenate()([np.ones((2, 3), np.float32), np.ones((3, 3), np.float32)]), r"requires inputs with matching shapes except for the concatenation axis"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", CASES, ids=range(len(CASES)))
def test_keras_bad_input_is_refused_with_the_reason(call, message):
    with pytest.raises(ValueError, match=message):
        call()
