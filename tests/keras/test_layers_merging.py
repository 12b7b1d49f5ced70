"""Merge layers against real Keras 3 (torch backend): Add, Subtract, Multiply, Average,
Maximum, Minimum, Concatenate, Dot, and their functional forms in a two-branch graph
(concept NN-SEQ-API)."""

from __future__ import annotations

import numpy as np
import pytest
from layers_harness import check_layer, gk_keras, keras, randn

KL, GL = keras.layers, gk_keras.layers


@pytest.mark.parametrize("name", ["Add", "Multiply", "Average", "Maximum", "Minimum"])
@pytest.mark.parametrize("n", [2, 3])
def test_elementwise_merge_matches_keras(name, n):
    xs = [randn(3, 4, 5, seed=i) for i in range(n)]
    check_layer(getattr(GL, name)(), getattr(KL, name)(), xs)


def test_subtract_and_broadcast_match_keras():
    check_layer(GL.Subtract(), KL.Subtract(), [randn(3, 4), randn(3, 4, seed=1)])
    check_layer(GL.Add(), KL.Add(), [randn(3, 4, 5), randn(3, 1, 5, seed=1)])
    check_layer(GL.Multiply(), KL.Multiply(), [randn(3, 4, 5), randn(3, 5, seed=1)])


@pytest.mark.parametrize(
    ("axis", "shapes"),
    [(-1, [(2, 3, 4), (2, 3, 2)]), (1, [(2, 3, 4), (2, 1, 4), (2, 2, 4)]), (0, [(2, 3), (4, 3)])],
)
def test_concatenate_matches_keras(axis, shapes):
    xs = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    check_layer(GL.Concatenate(axis=axis), KL.Concatenate(axis=axis), xs)


@pytest.mark.parametrize(
    ("axes", "normalize", "shapes"),
    [
        (1, False, [(3, 4), (3, 4)]),
        (-1, True, [(3, 4), (3, 4)]),
        ((2, 2), False, [(3, 5, 4), (3, 6, 4)]),
        ((1, 2), False, [(3, 4), (3, 6, 4)]),
        ((2, 1), True, [(3, 5, 4), (3, 4, 2)]),
    ],
)
def test_dot_matches_keras(axes, normalize, shapes):
    xs = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    check_layer(GL.Dot(axes, normalize=normalize), KL.Dot(axes, normalize=normalize), xs)


def test_functional_forms_and_symbolic_shapes():
    for k_fn, g_fn, shapes in [
        (KL.add, GL.add, [(4,), (4,)]),
        (KL.concatenate, GL.concatenate, [(3, 4), (3, 2)]),
        (KL.dot, GL.dot, [(4,), (4,)]),
        (KL.maximum, GL.maximum, [(2, 4), (1, 4)]),
    ]:
        k_out = k_fn([keras.Input(s) for s in shapes])
        g_out = g_fn([gk_keras.Input(s) for s in shapes])
        assert g_out.shape == tuple(k_out.shape)


def test_masks_combine_like_keras():
    emb_k, emb_g = KL.Embedding(5, 3, mask_zero=True), GL.Embedding(5, 3, mask_zero=True)
    tokens = np.array([[1, 2, 0], [3, 0, 0]])
    a_k = emb_k(tokens)
    emb_g(tokens)
    emb_g.set_weights(emb_k.get_weights())
    a_g = emb_g(tokens)
    b = randn(2, 3, 3)
    m_k = KL.Add().compute_mask([a_k, a_k], [a_k._keras_mask, a_k._keras_mask])
    m_g = GL.Add()([a_g, a_g])._keras_mask
    np.testing.assert_array_equal(m_g.numpy(), np.asarray(m_k))
    c_k = KL.Concatenate().compute_mask([a_k, b], [a_k._keras_mask, None])
    c_g = GL.Concatenate()([a_g, b])._keras_mask
    np.testing.assert_array_equal(c_g.numpy(), np.asarray(c_k))


def test_bad_input_errors():
    with pytest.raises(ValueError, match=r"add_1.*incompatible shapes.*\(2, 3\).*\(2, 4\)"):
        GL.Add(name="add_1")([randn(2, 3), randn(2, 4)])
    with pytest.raises(ValueError, match=r"Concatenate.*matching shapes.*\(2, 3, 4\).*\(2, 2, 4\)"):
        GL.Concatenate()([randn(2, 3, 4), randn(2, 2, 4)])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        GL.Subtract()([randn(2, 3)] * 3)
    with pytest.raises(ValueError, match="list of inputs"):
        GL.Add()(randn(2, 3))
    with pytest.raises(ValueError, match=r"axis values 4 .* != 5"):
        GL.Dot(1)([randn(2, 4), randn(2, 5)])
    with pytest.raises(ValueError, match="different batch sizes"):
        GL.Multiply()([randn(2, 3), randn(3, 3)])
