"""The functional API against real Keras 3: a model with two inputs, a shared layer and
two outputs gives the same outputs and, after 20 SGD steps on the same batches, the same
weights and losses (concepts NN-SEQ-API, NN-BACKPROP); plus graph bookkeeping (layer
order, nested models, operators on symbolic tensors)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("Keras is not on its torch backend", allow_module_level=True)

from gradkit import keras as gk_keras  # noqa: E402


def _two_heads(lib):
    a = lib.Input((6,), name="a")
    b = lib.Input((4,), name="b")
    shared = lib.layers.Dense(5, activation="tanh", name="shared")
    left = shared(a)
    right = shared(lib.layers.Dense(6, activation="relu", name="pre_b")(b))
    merged = lib.layers.Concatenate(name="concat")([left, right])
    out1 = lib.layers.Dense(1, name="out1")(merged)
    out2 = lib.layers.Dense(3, activation="softmax", name="out2")(right)
    return lib.Model(inputs=[a, b], outputs=[out1, out2], name="two_heads")


def _data(n=80):
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((n, 6)).astype(np.float32)
    xb = rng.standard_normal((n, 4)).astype(np.float32)
    y1 = rng.standard_normal((n, 1)).astype(np.float32)
    y2 = rng.integers(0, 3, (n,))
    return [xa, xb], [y1, y2]


def test_two_inputs_shared_layer_two_outputs_matches_keras():
    """20 SGD steps (batch 4, no shuffling) from the same weights: same outputs, same
    weights, same per-output losses as Keras."""
    k_model, g_model = _two_heads(keras), _two_heads(gk_keras)
    assert [w.shape for w in g_model.weights] == [tuple(w.shape) for w in k_model.weights]
    g_model.set_weights(k_model.get_weights())
    x, y = _data()
    for k_out, g_out in zip(k_model.predict(x, verbose=0), g_model.predict(x, verbose=0)):
        np.testing.assert_allclose(g_out, k_out, rtol=1e-5, atol=1e-6)
    histories = []
    for model in (k_model, g_model):
        model.compile(
            optimizer=model_lib(model).optimizers.SGD(learning_rate=0.05, momentum=0.9),
            loss=["mse", "sparse_categorical_crossentropy"],
            loss_weights=[1.0, 0.5],
            metrics=[["mae"], ["accuracy"]],
        )
        histories.append(model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0))
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights()):
        np.testing.assert_allclose(g_w, k_w, rtol=1e-5, atol=1e-6)
    k_hist, g_hist = histories[0].history, histories[1].history
    assert sorted(g_hist) == sorted(k_hist)
    for key in ("loss", "out1_loss", "out2_loss", "out1_mae", "out2_accuracy"):
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-5)
    k_eval = k_model.evaluate(x, y, verbose=0, return_dict=True)
    g_eval = g_model.evaluate(x, y, verbose=0, return_dict=True)
    for key in k_eval:
        np.testing.assert_allclose(g_eval[key], k_eval[key], rtol=1e-5)


def model_lib(model):
    return gk_keras if type(model).__module__.startswith("gradkit") else keras


def test_layer_order_and_weights_order_match_keras():
    k_model, g_model = _two_heads(keras), _two_heads(gk_keras)
    assert [layer.name for layer in g_model.layers] == [layer.name for layer in k_model.layers]
    assert [type(layer).__name__ for layer in g_model.layers] == [
        type(layer).__name__ for layer in k_model.layers
    ]
    assert [w.path.split("/")[-2:] for w in g_model.weights] == [
        w.path.split("/")[-2:] for w in k_model.weights
    ]
    assert g_model.count_params() == k_model.count_params()


def test_dict_inputs_and_outputs():
    a = gk_keras.Input((3,), name="a")
    b = gk_keras.Input((2,), name="b")
    h = gk_keras.layers.Concatenate()([a, b])
    model = gk_keras.Model(
        {"a": a, "b": b},
        {"score": gk_keras.layers.Dense(1, name="score")(h), "cls": gk_keras.layers.Dense(2)(h)},
    )
    x = {"a": np.ones((5, 3), np.float32), "b": np.zeros((5, 2), np.float32)}
    out = model.predict(x, verbose=0)
    assert set(out) == {"score", "cls"} and out["score"].shape == (5, 1)
    model.compile("adam", {"score": "mse", "cls": "mse"})
    history = model.fit(x, {"score": np.ones((5, 1)), "cls": np.zeros((5, 2))}, epochs=1, verbose=0)
    assert {"loss", "score_loss", "cls_loss"} <= set(history.history)


def test_nested_model_as_layer_and_operators():
    inner_in = gk_keras.Input((4,))
    inner = gk_keras.Model(inner_in, gk_keras.layers.Dense(2, name="inner_dense")(inner_in),
                           name="inner")  # fmt: skip
    x = gk_keras.Input((4,))
    y = inner(x) * 2.0 + 1.0
    z = y[:, :1] - inner(x)[:, 1:]
    outer = gk_keras.Model(x, z)
    data = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    k = inner.get_layer("inner_dense").get_weights()
    expected_inner = data @ k[0] + k[1]
    expected = (expected_inner * 2.0 + 1.0)[:, :1] - expected_inner[:, 1:]
    np.testing.assert_allclose(outer.predict(data, verbose=0), expected, rtol=1e-5)
    assert outer.count_params() == inner.count_params() == 10
    assert z.shape == (None, 1)


def test_subclassed_model_tracks_layers_and_trains():
    class Net(gk_keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [gk_keras.layers.Dense(8, activation="relu") for _ in range(2)]
            self.head = gk_keras.layers.Dense(1)

        def call(self, inputs, training=None):
            for block in self.blocks:
                inputs = block(inputs)
            return self.head(inputs)

    gk_keras.utils.set_random_seed(1)
    net = Net()
    x = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    net.compile(optimizer=gk_keras.optimizers.Adam(0.02), loss="mse")
    first = net.fit(x, y, epochs=1, verbose=0).history["loss"][0]
    last = net.fit(x, y, epochs=30, verbose=0).history["loss"][-1]
    assert last < first / 4
    assert len(net.layers) == 3 and len(net.weights) == 6


def test_shape_inference_for_unknown_axes():
    x = gk_keras.Input((None, 5))
    y = gk_keras.layers.Dense(3)(x)
    assert y.shape == (None, None, 3)
    pooled = gk_keras.layers.GlobalAveragePooling1D()(y)
    assert pooled.shape == (None, 3)
