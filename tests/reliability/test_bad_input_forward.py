"""Calling a layer or loss on the wrong input gets an error that names the layer and
quotes the shapes (issue #19; CNN-SIZE: the size formula with the actual numbers)."""

from __future__ import annotations

import pytest

import gradkit as gk
from gradkit import nn

CASES = [
    (lambda: nn.Conv2d(3, 4, 3)(gk.randn(1, 2, 8, 8)), ValueError, r"conv2d: input has 2 channels but the weight \(4, 3, 3, 3\) expects 3"),
    (lambda: nn.Conv2d(3, 4, 3)(gk.randn(8, 8)), ValueError, r"expected input \(N, C, H, W\) and a 4-d weight, got input shape \(8, 8\)"),
    (lambda: nn.Conv2d(3, 4, 5)(gk.randn(1, 3, 3, 3)), ValueError, r"N = \(W − F \+ 2P\)/S \+ 1 = \(3 − 5 \+ 2·0\)/1 \+ 1 = -1 < 1"),
    (lambda: nn.Linear(3, 4)(gk.randn(2, 5)), ValueError, r"linear: input of shape \(2, 5\) does not match weight of shape \(4, 3\)"),
    (lambda: nn.BatchNorm1d(3)(gk.randn(4, 5)), ValueError, r"BatchNorm1d: input of shape \(4, 5\) has 5 channels, expected num_features=3"),
    (lambda: nn.BatchNorm2d(3)(gk.randn(4, 3)), ValueError, r"BatchNorm2d: expected 4D input, got shape \(4, 3\)"),
    (lambda: nn.LSTM(3, 4)(gk.randn(5, 2, 6)), ValueError, r"LSTM: input has 6 features \(shape \(5, 2, 6\)\) but input_size is 3"),
    (lambda: nn.Embedding(5, 3)(gk.tensor([7])), IndexError, r"embedding: index 7 is out of range for 5 embeddings"),
    (lambda: nn.Embedding(5, 3)(gk.tensor([1.0])), TypeError, r"expected integer indices, got dtype float32; use .long\(\)"),
    (lambda: nn.MaxPool2d(5)(gk.randn(1, 1, 3, 3)), ValueError, r"max_pool2d: the height axis is too small"),
    (lambda: nn.CrossEntropyLoss()(gk.randn(4, 3), gk.tensor([0, 1, 2])), ValueError, r"input shape \(4, 3\) needs class-index target of shape \(4,\), got target shape \(3,\)"),
    (lambda: nn.CrossEntropyLoss()(gk.randn(2, 3), gk.tensor([0, 5])), IndexError, r"target 5 is out of bounds for 3 classes"),
    (lambda: nn.MSELoss()(gk.randn(4, 3), gk.randn(4, 2)), ValueError, r"mse_loss: input shape \(4, 3\) and target shape \(4, 2\) must be equal"),
    (lambda: nn.MultiheadAttention(8, 2)(*[gk.randn(3, 2, 6)] * 3), ValueError, r"MultiheadAttention: query has 6 features \(shape \(3, 2, 6\)\), embed_dim is 8"),
    (lambda: nn.LayerNorm(4)(gk.randn(2, 5)), ValueError, r"input of shape \(2, 5\) does not end with normalized_shape \(4,\)"),
    (lambda: nn.Flatten(3)(gk.randn(2, 3)), IndexError, r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 2))(gk.randn(1, 3)), ValueError, r"input of shape \(1, 4\) does not match weight of shape \(2, 5\)"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", CASES, ids=range(len(CASES)))
def test_wrong_input_names_the_layer_and_the_shapes(call, kind, message):
    with pytest.raises(kind, match=message):
        call()
