"""Normalization layers against real Keras 3 (torch backend): BatchNormalization in
training and inference (with Keras's momentum convention), LayerNormalization,
Normalization with adapt (concepts NN-BATCHNORM, NN-BATCHNORM, NN-NORM-DATA)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from layers_harness import check_layer, gk_keras, keras, randn

import gradkit as gk

KL, GL = keras.layers, gk_keras.layers


def _bn_weights(c, seed=5):
    rng = np.random.default_rng(seed)
    return [
        (1 + 0.3 * rng.standard_normal(c)).astype(np.float32),
        (0.2 * rng.standard_normal(c)).astype(np.float32),
        (0.5 * rng.standard_normal(c)).astype(np.float32),
        (0.5 + rng.random(c)).astype(np.float32),
    ]


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({}, (6, 4)),
        ({}, (4, 5, 6, 3)),
        ({"axis": 1}, (4, 3, 5, 6)),
        ({"center": False, "momentum": 0.9, "epsilon": 1e-5}, (5, 7, 3)),
        ({"scale": False}, (5, 7, 3)),
    ],
)
def test_batch_normalization_matches_keras(kwargs, shape):  # NN-BATCHNORM
    c = shape[kwargs.get("axis", -1)]
    weights = _bn_weights(c)
    weights = [w for w, keep in zip(weights, [kwargs.get("scale", True),
               kwargs.get("center", True), True, True]) if keep]  # fmt: skip
    x = randn(*shape) * 2 + 0.5
    check_layer(GL.BatchNormalization(**kwargs), KL.BatchNormalization(**kwargs), x,
                training=(False, True, None), weights=weights)  # fmt: skip


def test_batch_normalization_moving_statistics_follow_keras_momentum():  # NN-BATCHNORM
    k, g = KL.BatchNormalization(momentum=0.8), GL.BatchNormalization(momentum=0.8)
    x0 = randn(8, 3)
    k(torch.from_numpy(x0))
    g(x0)
    for seed in range(3):
        x = randn(8, 3, seed=seed) * 3 + 1
        k(torch.from_numpy(x), training=True)
        g(x, training=True)
    for gw, kw in zip(g.get_weights(), k.get_weights()):
        np.testing.assert_allclose(gw, kw, rtol=1e-5, atol=1e-6)
    assert [w.name for w in g.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.trainable for w in g.weights] == [True, True, False, False]
    # momentum 0.8 keeps 80% of the old statistic: one step from (0, 1)
    fresh = GL.BatchNormalization(momentum=0.8)
    fresh(x0, training=True)
    np.testing.assert_allclose(fresh.moving_mean.numpy(), 0.2 * x0.mean(0), rtol=1e-5)
    np.testing.assert_allclose(fresh.moving_variance.numpy(), 0.8 + 0.2 * x0.var(0), rtol=1e-5)


def test_batch_normalization_frozen_uses_moving_statistics():
    k, g = KL.BatchNormalization(), GL.BatchNormalization()
    weights = _bn_weights(3)
    k.build((None, 3))
    k.set_weights(weights)
    g.build((None, 3))
    g.set_weights(weights)
    k.trainable = g.trainable = False
    x = randn(6, 3)
    out_k = k(torch.from_numpy(x), training=True).detach().numpy()
    out_g = g(x, training=True).detach().numpy()
    np.testing.assert_allclose(out_g, out_k, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g.moving_mean.numpy(), weights[2])


def test_batch_normalization_with_mask():  # NN-BATCHNORM
    x = randn(4, 6, 3)
    mask = np.ones((4, 6), bool)
    mask[:, 4:] = False
    weights = _bn_weights(3)
    k, g = KL.BatchNormalization(), GL.BatchNormalization()
    k.build((None, 6, 3))
    k.set_weights(weights)
    g.build((None, 6, 3))
    g.set_weights(weights)
    xt = torch.from_numpy(x).requires_grad_(True)
    out_k = k(xt, training=True, mask=torch.from_numpy(mask))
    xg = gk.tensor(x, requires_grad=True)
    out_g = g(xg, training=True, mask=gk.tensor(mask))
    np.testing.assert_allclose(out_g.detach().numpy(), out_k.detach().numpy(), atol=1e-5)
    r = randn(4, 6, 3, seed=9)
    (out_k * torch.from_numpy(r)).sum().backward()
    (out_g * gk.tensor(r)).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), atol=1e-5)
    for gw, kw in zip(g.get_weights(), k.get_weights()):
        np.testing.assert_allclose(gw, kw, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({}, (4, 6)),
        ({}, (3, 5, 6)),
        ({"axis": [1, 2]}, (3, 4, 5)),
        ({"axis": [-2, -1]}, (3, 2, 4, 5)),
        ({"center": False, "epsilon": 1e-6}, (3, 5, 6)),
        ({"rms_scaling": True}, (3, 5, 6)),
    ],
)
@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`:UserWarning")
def test_layer_normalization_matches_keras(kwargs, shape):  # NN-BATCHNORM
    rng = np.random.default_rng(3)
    k = KL.LayerNormalization(**kwargs)
    k.build((None, *shape[1:]))
    weights = [(1 + 0.2 * rng.standard_normal(w.shape)).astype(np.float32) for w in k.weights]
    x = randn(*shape) * 1.5 + 0.3
    check_layer(GL.LayerNormalization(**kwargs), k, x, weights=weights)


@pytest.mark.parametrize(
    ("axis", "shape"), [(1, (3, 4, 5)), ([1, 2], (3, 4, 5, 2)), ([-1, 1], (3, 4, 5))]
)
def test_layer_normalization_over_inner_axes(axis, shape):  # NN-BATCHNORM
    """Axes that are not the trailing ones: Keras 3.15's torch backend hands them to
    torch's layer_norm as if they were trailing (it raises, or normalizes the wrong axes
    when the sizes happen to agree), so the reference is the formula itself."""
    layer = GL.LayerNormalization(axis=axis)
    x = randn(*shape) * 2 + 1
    layer(x)
    rng = np.random.default_rng(1)
    gamma = (1 + 0.3 * rng.standard_normal(layer.gamma.shape)).astype(np.float32)
    beta = (0.3 * rng.standard_normal(layer.beta.shape)).astype(np.float32)
    layer.set_weights([gamma, beta])
    axes = sorted(a % len(shape) for a in ([axis] if isinstance(axis, int) else axis))
    param_shape = [shape[d] if d in axes else 1 for d in range(len(shape))]
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=tuple(axes), keepdims=True)
    var = x64.var(axis=tuple(axes), keepdims=True)
    expected = (x64 - mean) / np.sqrt(var + 1e-3) * gamma.reshape(param_shape) + beta.reshape(
        param_shape
    )
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("axis", "shape"), [(-1, (20, 3)), (None, (20, 3)), ((1, 2), (8, 3, 2))])
def test_normalization_adapt_matches_keras(axis, shape):  # NN-NORM-DATA
    data = randn(*shape) * 4 + 2
    k, g = KL.Normalization(axis=axis), GL.Normalization(axis=axis)
    k.adapt(data)
    g.adapt(data)
    for gw, kw in zip(g.get_weights(), k.get_weights()):
        np.testing.assert_allclose(gw, kw, rtol=1e-5, atol=1e-6)
    x = randn(5, *shape[1:], seed=4)
    np.testing.assert_allclose(g(x).detach().numpy(), k(x).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_normalization_adapt_over_batches_and_invert():  # NN-NORM-DATA
    data = randn(30, 4) * 3 - 1
    batches = [data[:7], data[7:20], data[20:]]
    g = GL.Normalization()  # Keras adapts over an iterable only with TensorFlow installed
    g.adapt(iter(batches))
    np.testing.assert_allclose(g.adapt_mean.numpy(), data.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g.adapt_variance.numpy(), data.var(0), rtol=1e-5, atol=1e-5)
    k_inv = KL.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    g_inv = GL.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    x = randn(3, 2)
    np.testing.assert_allclose(g_inv(x).detach().numpy(), k_inv(x).detach().numpy(), rtol=1e-6)
    check_layer(GL.Normalization(mean=2.0, variance=3.0), KL.Normalization(mean=2.0, variance=3.0),
                x)  # fmt: skip


def test_bad_arguments():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        GL.Normalization(mean=1.0)
    with pytest.raises(ValueError, match=r"batch_normalization.*axis 3 is out of bounds"):
        GL.BatchNormalization(axis=3, name="batch_normalization")(np.zeros((2, 3), np.float32))
    bn = GL.BatchNormalization(name="bn")
    bn(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"bn.*axis -1.*value 3.*\(2, 4\)"):
        bn(np.zeros((2, 4), np.float32))
    norm = GL.Normalization()
    norm.adapt(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match="incompatible shape"):
        norm.adapt(np.zeros((4, 2), np.float32))
