"""``model.summary()`` prints Keras 3's table: same text as real Keras for the same
models (layer names, shapes, parameter counts, "Connected to", totals)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("Keras is not on its torch backend", allow_module_level=True)

from gradkit import keras as gk_keras  # noqa: E402


def _sequential(lib):
    return lib.Sequential(
        [
            lib.Input((16,)),
            lib.layers.Dense(32, activation="relu"),
            lib.layers.BatchNormalization(),
            lib.layers.Dropout(0.2),
            lib.layers.Dense(10, activation="softmax"),
        ]
    )


def _functional(lib):
    a = lib.Input((3,), name="a")
    b = lib.Input((5,), name="b")
    shared = lib.layers.Dense(4, name="shared")
    left = shared(a)
    right = shared(lib.layers.Dense(3)(b))
    merged = lib.layers.Concatenate()([left, right])
    out1 = lib.layers.Dense(1, name="out1")(merged)
    out2 = lib.layers.Dense(2, name="out2")(right)
    return lib.Model([a, b], [out1, out2], name="two_heads")


def _conv(lib):
    return lib.Sequential(
        [
            lib.Input((28, 28, 1)),
            lib.layers.Conv2D(8, 3, activation="relu"),
            lib.layers.MaxPooling2D(2),
            lib.layers.Flatten(),
            lib.layers.Dense(10),
        ],
        name="convnet",
    )


def _summary(lib, build, compiled=False, **kwargs):
    lib.backend.clear_session()
    model = build(lib)
    if compiled:
        model.compile(optimizer="adam", loss="mse")
        x = np.zeros((2, 16), np.float32)
        model.fit(x, np.zeros((2, 10), np.float32), verbose=0)
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "".join(lines)


@pytest.mark.parametrize("build", [_sequential, _functional, _conv], ids=lambda f: f.__name__)
@pytest.mark.parametrize("line_length", [None, 120])
def test_summary_text_matches_keras(build, line_length):
    """NN-CAPACITY: the same summary text, character for character."""
    expected = _summary(keras, build, line_length=line_length)
    got = _summary(gk_keras, build, line_length=line_length)
    assert got == expected


def test_summary_with_optimizer_and_trainable_column():
    expected = _summary(keras, _sequential, compiled=True, show_trainable=True)
    got = _summary(gk_keras, _sequential, compiled=True, show_trainable=True)
    assert got == expected


def test_unbuilt_summary():
    def unbuilt(lib):
        return lib.Sequential([lib.layers.Dense(4), lib.layers.Dense(1)])

    assert _summary(gk_keras, unbuilt) == _summary(keras, unbuilt)


def _subclassed(lib):
    class Net(lib.Model):
        def __init__(self):
            super().__init__()
            self.dense = lib.layers.Dense(2)
            self.norm = lib.layers.BatchNormalization()
            self.out = lib.layers.Dense(1)

        def call(self, x, training=None):
            return self.out(self.norm(self.dense(x), training=training))

    model = Net()
    model(np.ones((2, 3), np.float32))
    return model


def test_subclassed_model_summary_matches_keras():
    """Shapes of an eagerly built subclassed model come from the build shapes, as Keras
    shows them."""
    assert _summary(gk_keras, _subclassed) == _summary(keras, _subclassed)
