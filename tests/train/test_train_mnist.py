"""NN-MLP on real data: the MNIST MLP of issue 3 trained with fit()."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from gradkit.data.datasets import load_mnist


@pytest.mark.slow
def test_nn_mlp_mnist_reaches_98_percent():
    """784-256-128-10 MLP, ReLU, dropout, Adam, fit(): ≥ 98.0% test accuracy within 10
    epochs; the learning rate follows a cosine from 2e-3 through LearningRateScheduler, and
    the last 10% of the training set is the validation split (the test set is only used
    for the final number)."""
    gk.manual_seed(0)
    x_train, y_train = load_mnist("train", flatten=True)
    x_test, y_test = load_mnist("test", flatten=True)
    model = gk.Sequential(
        [
            nn.Linear(784, 256),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(128, 10),
        ]
    )
    model.compile(
        optimizer=functools.partial(gk.optim.Adam, lr=2e-3),
        loss="cross_entropy",
        metrics=["accuracy"],
    )
    decay = gk.train.LearningRateScheduler(
        lambda epoch, lr: 2e-3 * 0.5 * (1 + math.cos(math.pi * epoch / 10))
    )
    history = model.fit(
        x_train,
        y_train,
        epochs=10,
        batch_size=128,
        validation_split=0.1,
        callbacks=[decay],
        verbose=0,
        seed=0,
    )
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=1000)
    print(f"MNIST MLP: {len(history.epoch)} epochs, test accuracy {accuracy:.4f}")
    assert len(history.epoch) == 10 and history.history["val_accuracy"][-1] > 0.97
    assert accuracy >= 0.98
    assert np.isfinite(loss)
