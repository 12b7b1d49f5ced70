"""The ``keras.Layer`` base: naming, weights, build/call, training flag, masks, losses,
configs and the symbolic (functional) path (concepts NN-SEQ-API, T-CONST-VAR-PH)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("Keras is not on its torch backend", allow_module_level=True)

import gradkit as gk  # noqa: E402
from gradkit import keras as gk_keras  # noqa: E402


class Affine(gk_keras.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.input_spec = gk_keras.InputSpec(min_ndim=2)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), name="kernel", regularizer="l2"
        )
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.input_spec = gk_keras.InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def call(self, inputs, training=None):
        if training:
            self.count.assign_add(1.0)
        return inputs @ self.kernel + self.bias


def test_auto_names_and_clear_session():
    gk_keras.backend.clear_session()
    names = [Affine().name for _ in range(3)]
    assert names == ["affine", "affine_1", "affine_2"]
    gk_keras.utils.clear_session()
    assert Affine().name == "affine"
    with pytest.raises(ValueError, match="cannot contain"):
        Affine(name="a/b")


def test_build_on_first_call_weights_order_and_state_dict():
    layer = Affine(3)
    assert not layer.built and layer.weights == []
    out = layer(np.ones((4, 5)))
    assert isinstance(out, gk.Tensor) and out.dtype == np.float32 and out.shape == (4, 3)
    assert layer.built and layer._build_input_shape == (None, 5)
    assert [w.name for w in layer.weights] == ["kernel", "bias", "count"]
    assert [w.name for w in layer.trainable_weights] == ["kernel", "bias"]
    assert [w.name for w in layer.non_trainable_weights] == ["count"]
    assert layer.kernel.path == "affine/kernel" if layer.name == "affine" else True
    assert list(layer.state_dict()) == ["kernel", "count", "bias"]
    assert layer.count_params() == 5 * 3 + 3 + 1
    assert isinstance(layer.kernel, gk.nn.Parameter)


def test_training_flag_propagates_and_trainable_freezes():
    class Outer(gk_keras.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Affine(2)

        def call(self, inputs):
            return self.inner(inputs)

    outer = Outer()
    outer(np.ones((1, 3)), training=True)
    outer(np.ones((1, 3)))
    assert float(outer.inner.count.numpy()) == 1.0
    outer.trainable = False
    assert outer.trainable_weights == [] and len(outer.non_trainable_weights) == 3
    assert not outer.inner.kernel.requires_grad
    outer.trainable = True
    assert len(outer.trainable_weights) == 2 and outer.inner.kernel.requires_grad


def test_losses_collect_regularizers_and_add_loss():
    class Penalized(gk_keras.Layer):
        def call(self, inputs):
            self.add_loss(inputs.sum() * 0.0 + 1.5)
            return inputs

    layer = Affine(2)
    layer(np.ones((2, 3)))
    kernel = layer.kernel.numpy()
    np.testing.assert_allclose(
        float(layer.losses[0].detach().numpy()), 0.01 * (kernel**2).sum(), rtol=1e-6
    )
    p = Penalized()
    p(np.ones((2, 2)))
    p(np.ones((2, 2)))
    assert len(p.losses) == 1 and float(p.losses[0].numpy()) == 1.5
    act = gk_keras.layers.Dense(2, activity_regularizer="l1", kernel_initializer="ones")
    act(np.ones((4, 3)))
    np.testing.assert_allclose(
        float(act.losses[0].detach().numpy()), 0.01 * 3 * 2 * 4 / 4, rtol=1e-6
    )


def test_input_spec_errors_name_layer_and_shapes():
    layer = Affine(2, name="aff")
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"layer 'aff'.*axis -1.*value 3.*shape \(2, 4\)"):
        layer(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"layer 'aff'.*min_ndim=2, found ndim=1"):
        layer(np.ones(3))
    with pytest.raises(ValueError, match="Only input tensors"):
        layer(3.0)


def test_set_weights_errors_and_get_weights_copies():
    layer = Affine(2, name="aff2")
    layer(np.ones((1, 3)))
    weights = layer.get_weights()
    weights[0][...] = 7.0
    assert not np.allclose(layer.kernel.numpy(), 7.0)
    with pytest.raises(ValueError, match="layer 'aff2' with a weight list of length 1"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"aff2 weight shape \(3, 2\).*\(2, 2\)"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2), np.zeros(())])


def test_config_round_trip_and_unknown_kwargs():
    layer = Affine(4, name="cfg", trainable=False)
    config = layer.get_config()
    assert config["units"] == 4 and config["name"] == "cfg" and config["trainable"] is False
    clone = Affine.from_config(config)
    assert clone.units == 4 and clone.name == "cfg" and not clone.trainable
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Affine"):
        Affine(2, bogus=1)
    with pytest.raises(TypeError):  # also a TypeError, as Python would raise
        Affine(2, bogus=1)
    assert Affine(2, input_shape=(3,))._input_shape_arg == (3,)
    assert Affine(2, input_dim=5)._input_shape_arg == (5,)


def test_symbolic_call_records_nodes_and_infers_shapes():
    x = gk_keras.Input(shape=(None, 6), name="seq")
    layer = Affine(3)
    y = layer(x)
    assert isinstance(y, gk_keras.KerasTensor) and y.shape == (None, None, 3)
    assert y._keras_history.operation is layer and layer.input is x and layer.output is y
    assert layer.kernel.shape == (6, 3)
    with pytest.raises(TypeError, match="no values"):
        np.asarray(y)
    with pytest.raises(AttributeError, match="never been called"):
        _ = Affine().output


def test_masks_flow_through_layers():
    class MaskFirstColumn(gk_keras.Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, previous_mask=None):
            return inputs[:, :, 0] != 0

    class UsesMask(gk_keras.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True
            self.seen = None

        def call(self, inputs, mask=None):
            self.seen = mask
            return inputs

    x = np.array([[[1.0], [0.0], [2.0]]], np.float32)
    user = UsesMask()
    out = user(MaskFirstColumn()(x))
    assert user.seen is not None and user.seen.tolist() == [[True, False, True]]
    assert out._keras_mask.tolist() == [[True, False, True]]


def test_build_receives_shapes_by_argument_name():
    class TwoInputs(gk_keras.Layer):
        def build(self, query_shape, value_shape):
            self.shapes = (query_shape, value_shape)

        def call(self, query, value):
            return query + value.sum()

    layer = TwoInputs()
    layer(np.ones((2, 3)), np.ones((2, 4)))
    assert layer.shapes == ((2, 3), (2, 4))


def test_gradkit_module_interop():
    """A Keras layer is a gradkit Module: parameters(), state_dict(), autograd."""
    layer = Affine(2)
    x = gk.tensor(np.ones((3, 4), np.float32), requires_grad=True)
    layer(x).sum().backward()
    assert layer.kernel.grad.shape == (4, 2) and x.grad.shape == (3, 4)
    assert {p.shape for p in layer.parameters()} == {(4, 2), (2,), ()}


def test_initializer_statistics_match_keras_definitions():
    """NN-INIT: Keras' fan rules and variances (the draws come from gradkit's stream)."""
    shape = (64, 128)
    fan_in, fan_out = shape
    cases = {
        "glorot_uniform": (2.0 / (fan_in + fan_out)),
        "glorot_normal": (2.0 / (fan_in + fan_out)),
        "he_uniform": 2.0 / fan_in,
        "he_normal": 2.0 / fan_in,
        "lecun_normal": 1.0 / fan_in,
        "lecun_uniform": 1.0 / fan_in,
    }
    gk_keras.utils.set_random_seed(0)
    for name, variance in cases.items():
        values = gk_keras.initializers.get(name)(shape).numpy()
        assert abs(values.var() / variance - 1) < 0.05, name
        assert abs(values.mean()) < 0.01, name
    conv = gk_keras.initializers.GlorotUniform(seed=1)((3, 3, 8, 16)).numpy()
    limit = np.sqrt(6.0 / (3 * 3 * 8 + 3 * 3 * 16))
    assert conv.max() <= limit and conv.min() >= -limit and conv.max() > 0.9 * limit
    np.testing.assert_array_equal(
        gk_keras.initializers.RandomNormal(seed=3)((4,)).numpy(),
        gk_keras.initializers.RandomNormal(seed=3)((4,)).numpy(),
    )
    q = gk_keras.initializers.Orthogonal()((6, 4)).numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(
        gk_keras.initializers.Identity(2.0)((2, 3)).numpy(), 2 * np.eye(2, 3)
    )
    trunc = gk_keras.initializers.TruncatedNormal(stddev=1.0, seed=0)((10000,)).numpy()
    assert np.abs(trunc).max() <= 2.0
    with pytest.raises(ValueError, match="Could not interpret"):
        gk_keras.initializers.get("glorot_uniformm")


# Keras 3.15's sparsemax (every backend) takes τ = (Σ_support cumsum − 1)/k, so its
# outputs need not sum to 1; gradkit follows Martins & Astudillo (checked below).
@pytest.mark.parametrize("name", sorted(set(gk_keras.activations.ALL_OBJECTS_DICT) - {"sparsemax"}))
def test_activations_match_keras(name):
    """NN-ACT: every Keras 3 activation name, same values (and gradient) as Keras."""
    x = np.linspace(-4, 4, 24, dtype=np.float32).reshape(2, 12)
    kwargs = {"threshold": 0.5, "default_value": -1.0} if name == "threshold" else {}
    expected = keras.ops.convert_to_numpy(keras.activations.get(name)(x, **kwargs))
    got = gk_keras.activations.get(name)(x, **kwargs).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    xt = torch.tensor(x, requires_grad=True)
    keras.activations.get(name)(xt, **kwargs).sum().backward()
    xg = gk.tensor(x, requires_grad=True)
    gk_keras.activations.get(name)(xg, **kwargs).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert gk_keras.activations.serialize(gk_keras.activations.get(name)) == (
        keras.activations.serialize(keras.activations.get(name))
    )


def test_relu_options_and_bad_activation_name():
    x = np.linspace(-3, 9, 13, dtype=np.float32)
    for kwargs in (
        {"negative_slope": 0.1},
        {"max_value": 6.0},
        {"threshold": 1.0},
        {"negative_slope": 0.2, "max_value": 4.0, "threshold": 0.5},
    ):
        np.testing.assert_allclose(
            gk_keras.activations.relu(x, **kwargs).numpy(),
            keras.ops.convert_to_numpy(keras.activations.relu(x, **kwargs)),
            rtol=1e-6,
        )
    with pytest.raises(ValueError, match="Valid names: .*gelu.*relu"):
        gk_keras.activations.get("rellu")


def test_regularizers_match_keras():
    w = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    for name, kwargs in (
        ("L1", {"l1": 0.1}),
        ("L2", {"l2": 0.3}),
        ("L1L2", {"l1": 0.1, "l2": 0.2}),
        ("OrthogonalRegularizer", {"factor": 0.5}),
    ):
        expected = keras.ops.convert_to_numpy(getattr(keras.regularizers, name)(**kwargs)(w))
        got = getattr(gk_keras.regularizers, name)(**kwargs)(gk.tensor(w)).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert isinstance(gk_keras.regularizers.get("l2"), gk_keras.regularizers.L2)


def test_to_categorical_and_normalize_match_keras():
    labels = np.array([0, 2, 1, 2])
    np.testing.assert_array_equal(
        gk_keras.utils.to_categorical(labels), keras.utils.to_categorical(labels)
    )
    np.testing.assert_array_equal(
        gk_keras.utils.to_categorical(labels[:, None], 4),
        keras.utils.to_categorical(labels[:, None], 4),
    )
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(
        gk_keras.utils.normalize(x), keras.ops.convert_to_numpy(keras.utils.normalize(x)), rtol=1e-6
    )
    with pytest.raises(ValueError, match="out of range"):
        gk_keras.utils.to_categorical([3], num_classes=3)


def test_sparsemax_is_the_projection_onto_the_simplex():
    """NN-ACT: sparsemax(z) = argmin_p ‖p − z‖² over the simplex (Martins & Astudillo):
    outputs sum to 1, and equal the brute-force projection found by bisection on τ."""
    z = np.random.default_rng(0).standard_normal((5, 7)).astype(np.float64)
    out = gk_keras.activations.sparsemax(gk.tensor(z)).numpy()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)
    for row, got in zip(z, out):
        lo, hi = row.min() - 1, row.max()
        for _ in range(200):
            tau = (lo + hi) / 2
            lo, hi = (tau, hi) if np.maximum(row - tau, 0).sum() > 1 else (lo, tau)
        np.testing.assert_allclose(got, np.maximum(row - tau, 0), atol=1e-9)
    x = gk.tensor(z, requires_grad=True)
    w = np.arange(7.0)
    (gk_keras.activations.sparsemax(x) * gk.tensor(w)).sum().backward()
    support = out > 0
    for g, s in zip(x.grad.numpy(), support):  # Jacobian: diag(s) − s sᵀ/|s|
        np.testing.assert_allclose(g, s * (w - (w * s).sum() / s.sum()), atol=1e-9)
