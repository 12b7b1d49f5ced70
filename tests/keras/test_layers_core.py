"""Core layers against real Keras 3 (torch backend): Dense, Activation, Dropout, Lambda,
Embedding, Rescaling, Identity (concepts NN-NEURON, NN-MLP, NN-DROPOUT, RNN-EMBED)."""

from __future__ import annotations

import pytest
from layers_harness import check_layer, gk_keras, keras, randn

KL, GL = keras.layers, gk_keras.layers


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"activation": "relu"}, {"use_bias": False, "activation": "tanh"}],
)
def test_dense_matches_keras(kwargs):  # NN-NEURON
    check_layer(GL.Dense(5, **kwargs), KL.Dense(5, **kwargs), randn(4, 3))


def test_dense_on_rank3_contracts_last_axis():  # NN-NEURON
    layers = GL.Dense(2, activation="sigmoid"), KL.Dense(2, activation="sigmoid")
    check_layer(*layers, randn(2, 3, 4))
