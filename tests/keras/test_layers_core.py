"""Core layers against real Keras 3 (torch backend): Dense, Activation, Dropout, Lambda,
Embedding, Rescaling, Identity (concepts NN-NEURON, NN-MLP, NN-DROPOUT, RNN-EMBED)."""

from __future__ import annotations

import numpy as np
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


@pytest.mark.parametrize("activation", ["relu", "softmax", "gelu", "selu", "swish", "elu"])
def test_activation_layer_matches_keras(activation):  # NN-ACT
    check_layer(GL.Activation(activation), KL.Activation(activation), randn(3, 5))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("ReLU", {}),
        ("ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}),
        ("LeakyReLU", {}),
        ("LeakyReLU", {"negative_slope": 0.05}),
        ("ELU", {"alpha": 0.7}),
        ("Softmax", {}),
        ("Softmax", {"axis": 1}),
        ("Softmax", {"axis": (1, 2)}),
        ("PReLU", {}),
        ("PReLU", {"shared_axes": [1], "alpha_initializer": "ones"}),
    ],
)
def test_activation_layers_match_keras(name, kwargs):  # NN-ACT
    check_layer(getattr(GL, name)(**kwargs), getattr(KL, name)(**kwargs), randn(2, 3, 4))


def test_softmax_with_mask_matches_keras():  # NN-ACT
    mask = np.array([[1, 1, 0, 0], [0, 0, 0, 0]], bool)
    check_layer(GL.Softmax(), KL.Softmax(), randn(2, 4), call_kwargs={"mask": mask})


def test_dropout_is_identity_in_inference_and_at_rate_zero():  # NN-DROPOUT
    check_layer(GL.Dropout(0.4), KL.Dropout(0.4), randn(4, 5), training=(False, None))
    check_layer(GL.Dropout(0.0), KL.Dropout(0.0), randn(4, 5), training=(True,))


def test_dropout_in_training_scales_survivors_and_honours_noise_shape():  # NN-DROPOUT
    x = np.ones((200, 6, 5), np.float32)
    y = GL.Dropout(0.25, seed=0)(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    z = GL.Dropout(0.5, noise_shape=(None, 1, 5), seed=1)(x, training=True).numpy()
    assert (z == z[:, :1, :]).all()  # the same features dropped at every step
    a = GL.Dropout(0.5, seed=7)(x, training=True).numpy()
    b = GL.Dropout(0.5, seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="rate"):
        GL.Dropout(1.5)
    with pytest.raises(ValueError, match="noise_shape"):
        GL.Dropout(0.5, noise_shape=(None, 2))(x, training=True)


def test_embedding_matches_keras_and_masks_zero():  # RNN-EMBED
    tokens = np.array([[1, 4, 0], [7, 0, 0]], np.int64)
    out = check_layer(GL.Embedding(8, 3), KL.Embedding(8, 3), tokens)
    assert out[0].shape == (2, 3, 3)
    layer = GL.Embedding(8, 3, mask_zero=True)
    np.testing.assert_array_equal(layer(tokens)._keras_mask.numpy(), tokens != 0)
    assert [w.path for w in layer.weights] == [f"{layer.name}/embeddings"]
    with pytest.raises(ValueError, match=r"token id 8 is outside \[0, 8\)"):
        layer(np.array([[8]]))


def test_rescaling_identity_masking_lambda_match_keras():
    x = randn(3, 4, 2)
    check_layer(GL.Rescaling(1 / 255.0, offset=-0.5), KL.Rescaling(1 / 255.0, offset=-0.5), x)
    check_layer(GL.Rescaling([1.0, 2.0]), KL.Rescaling([1.0, 2.0]), x)
    check_layer(GL.Identity(), KL.Identity(), x)
    x[0, 1] = 0.0
    check_layer(GL.Masking(), KL.Masking(), x)
    np.testing.assert_array_equal(GL.Masking()(x)._keras_mask.numpy(), x.any(-1))
    check_layer(GL.Lambda(lambda t: t * 2 + 1), KL.Lambda(lambda t: t * 2 + 1), x)


def test_lambda_passes_arguments_and_output_shape():
    layer = GL.Lambda(lambda t, k: t[:, :k], arguments={"k": 2}, output_shape=(2, 2))
    out = layer(gk_keras.Input((4, 2)))
    assert out.shape == (None, 2, 2)
    assert layer(randn(3, 4, 2)).shape == (3, 2, 2)


@pytest.mark.parametrize(
    ("mode", "ids"),
    [("one_hot", [3, 0, 1]), ("one_hot", [[3], [0]]), ("multi_hot", [[0, 1, 1], [2, 2, 0]]),
     ("count", [[0, 1, 1], [2, 2, 0]])],
)  # fmt: skip
def test_category_encoding_matches_keras(mode, ids):
    ids = np.array(ids)
    expected = KL.CategoryEncoding(4, output_mode=mode)(ids)
    got = GL.CategoryEncoding(4, output_mode=mode)(ids)
    np.testing.assert_array_equal(got.numpy(), np.asarray(expected))


def test_unknown_strings_list_the_valid_choices():
    with pytest.raises(ValueError, match="activation.*'rellu'.*Valid names:.*relu"):
        GL.Dense(3, activation="rellu")
    with pytest.raises(ValueError, match="initializer.*'glorot'.*Valid names:.*glorot_uniform"):
        GL.Dense(3, kernel_initializer="glorot")
    with pytest.raises(ValueError, match="regularizer.*'l3'"):
        GL.Dense(3, kernel_regularizer="l3")
    with pytest.raises(ValueError, match="output_mode.*'one_hot'"):
        GL.CategoryEncoding(3, output_mode="hot")


def test_dense_bad_input_names_layer_and_shapes():
    dense = GL.Dense(3, name="head")
    with pytest.raises(ValueError, match=r"head.*expected min_ndim=2, found ndim=1.*\(4,\)"):
        dense(np.zeros(4, np.float32))
    dense(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"head.*axis -1.*value 4.*\(2, 5\)"):
        dense(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="units"):
        GL.Dense(0)


def test_regularizers_add_losses():
    dense = GL.Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
    dense.build((None, 3))
    dense.set_weights([np.ones((3, 2), np.float32), np.zeros(2, np.float32)])
    y = dense(np.ones((4, 3), np.float32))
    losses = [float(v.detach().numpy()) for v in dense.losses]
    k = KL.Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
    k.build((None, 3))
    k.set_weights([np.ones((3, 2), np.float32), np.zeros(2, np.float32)])
    k(np.ones((4, 3), np.float32))
    assert sorted(losses) == pytest.approx(sorted(float(v.detach()) for v in k.losses), rel=1e-6)
    assert y.shape == (4, 2)


def test_integer_inputs_are_promoted_to_the_layer_dtype():
    ids = np.arange(12).reshape(2, 2, 3) % 4
    for layer, x in [
        (GL.Dense(2), ids[:, 0]),
        (GL.Conv1D(2, 1), ids),
        (GL.LSTM(2), ids),
        (GL.BatchNormalization(), ids),
        (GL.LayerNormalization(), ids),
        (GL.GlobalAveragePooling1D(), ids),
    ]:
        y = layer(x)
        assert y.dtype == np.float32, type(layer).__name__
        np.testing.assert_allclose(y.detach().numpy(), layer(x.astype(np.float32)).detach().numpy())


@pytest.mark.parametrize(
    ("name", "args", "shape"),
    [("SpatialDropout1D", (0.5,), (3, 4, 5)), ("SpatialDropout2D", (0.5,), (3, 4, 4, 5)),
     ("GaussianNoise", (0.3,), (3, 4)), ("GaussianDropout", (0.3,), (3, 4))],
)  # fmt: skip
def test_noise_layers_are_identity_in_inference(name, args, shape):  # NN-DROPOUT
    check_layer(getattr(GL, name)(*args), getattr(KL, name)(*args), randn(*shape),
                training=(None, False))  # fmt: skip


def test_noise_layers_in_training():  # NN-DROPOUT
    x = np.ones((400, 3, 6), np.float32)
    y = GL.SpatialDropout1D(0.5, seed=0)(x, training=True).numpy()
    assert (y == y[:, :1]).all() and abs((y == 0).mean() - 0.5) < 0.05
    img = np.ones((300, 2, 2, 4), np.float32)
    z = GL.SpatialDropout2D(0.5, seed=0)(img, training=True).numpy()
    assert (z == z[:, :1, :1]).all()
    n = GL.GaussianNoise(0.5, seed=1)(x, training=True).numpy() - 1
    assert abs(n.std() - 0.5) < 0.02 and abs(n.mean()) < 0.02
    d = GL.GaussianDropout(0.2, seed=1)(x, training=True).numpy()
    assert abs(d.mean() - 1) < 0.02 and abs(d.std() - 0.5) < 0.02  # √(0.2/0.8)


def test_activity_regularization_matches_keras():  # NN-L1L2
    x = randn(4, 3)
    g, k = GL.ActivityRegularization(l1=0.1, l2=0.01), KL.ActivityRegularization(l1=0.1, l2=0.01)
    np.testing.assert_array_equal(g(x).numpy(), x)
    k(x)
    assert float(g.losses[0].detach().numpy()) == pytest.approx(float(k.losses[0]), rel=1e-6)
