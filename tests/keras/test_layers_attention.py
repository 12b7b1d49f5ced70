"""MultiHeadAttention against real Keras 3 (torch backend): projections, masks (explicit,
causal, from Embedding(mask_zero=True)), attention scores, cross-attention, gates
(concepts ATT-DOT, ATT-MHA)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from layers_harness import check_layer, gk_keras, keras, randn

KL, GL = keras.layers, gk_keras.layers


def _pair(**kwargs):
    return GL.MultiHeadAttention(**kwargs), KL.MultiHeadAttention(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_heads": 2, "key_dim": 3},
        {"num_heads": 3, "key_dim": 4, "value_dim": 2, "output_shape": 5},
        {"num_heads": 2, "key_dim": 3, "use_bias": False},
        {"num_heads": 2, "key_dim": 3, "use_gate": True},
    ],
)
def test_self_attention_matches_keras(kwargs):  # ATT-MHA
    x = randn(2, 5, 6)
    check_layer(*_pair(**kwargs), x, call_kwargs={"value": x})


def test_cross_attention_with_key_matches_keras():  # ATT-MHA
    q, v, k = randn(2, 4, 6), randn(2, 7, 3, seed=1), randn(2, 7, 5, seed=2)
    check_layer(*_pair(num_heads=2, key_dim=4), q, call_kwargs={"value": v, "key": k})


def test_masks_and_scores_match_keras():  # ATT-DOT
    q, v = randn(2, 4, 6), randn(2, 5, 6, seed=1)
    mask = np.ones((2, 4, 5), bool)
    mask[0, :, 3:] = False
    mask[1, 2, 1:] = False
    for scores in (False, True):
        check_layer(*_pair(num_heads=2, key_dim=3), q,
                    call_kwargs={"value": v, "attention_mask": mask,
                                 "return_attention_scores": scores})  # fmt: skip


@pytest.mark.parametrize("scores", [False, True])
def test_query_with_every_key_masked_matches_keras(scores):  # ATT-DOT
    """Keras 3 gives such a query uniform weights on its fused path and zero weights when
    it computes the scores (or has dropout); gradkit follows both. Only the values are
    compared: for that row torch's fused CPU kernel returns S (the number of keys) times
    the gradient of the same softmax written out in float32, which gradkit does not copy."""
    q, v = randn(2, 4, 6), randn(2, 5, 6, seed=1)
    mask = np.ones((2, 4, 5), bool)
    mask[1, 2, :] = False
    check_layer(*_pair(num_heads=2, key_dim=3), q, grad=False,
                call_kwargs={"value": v, "attention_mask": mask,
                             "return_attention_scores": scores})  # fmt: skip


def test_causal_mask_matches_keras():  # ATT-DOT
    x = randn(2, 5, 4)
    check_layer(*_pair(num_heads=2, key_dim=3), x,
                call_kwargs={"value": x, "use_causal_mask": True})  # fmt: skip
    check_layer(*_pair(num_heads=2, key_dim=3), x,
                call_kwargs={"value": x, "use_causal_mask": True,
                             "return_attention_scores": True})  # fmt: skip


def test_embedding_masks_reach_attention():  # ATT-DOT
    tokens = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    k_emb, g_emb = KL.Embedding(6, 4, mask_zero=True), GL.Embedding(6, 4, mask_zero=True)
    k_emb(torch.from_numpy(tokens))
    g_emb(tokens)
    g_emb.set_weights(k_emb.get_weights())
    k_mha, g_mha = KL.MultiHeadAttention(2, 3), GL.MultiHeadAttention(2, 3)
    k_x, g_x = k_emb(torch.from_numpy(tokens)), g_emb(tokens)
    k_out, k_scores = k_mha(k_x, k_x, return_attention_scores=True)
    g_mha(g_x, g_x)
    g_mha.set_weights(k_mha.get_weights())
    g_out, g_scores = g_mha(g_x, g_x, return_attention_scores=True)
    np.testing.assert_allclose(g_scores.detach().numpy(), k_scores.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(g_out.detach().numpy(), k_out.detach().numpy(), atol=1e-5)


def test_weight_layout_and_order():  # ATT-MHA
    g, k = _pair(num_heads=2, key_dim=3, value_dim=4, name="mha")
    q, v = randn(1, 5, 6), randn(1, 7, 8)
    g(q, v)
    k(q, v)
    assert [(w.path, w.shape) for w in g.weights] == [(w.path, tuple(w.shape)) for w in k.weights]


def test_dropout_only_in_training():
    layer = GL.MultiHeadAttention(2, 3, dropout=0.5, seed=3)
    x = randn(2, 5, 4)
    a = layer(x, x).detach().numpy()
    np.testing.assert_array_equal(layer(x, x, training=False).detach().numpy(), a)
    assert not np.allclose(layer(x, x, training=True).detach().numpy(), a)


def test_symbolic_call_and_bad_input():
    q, v = gk_keras.Input((5, 6)), gk_keras.Input((7, 6))
    out, scores = GL.MultiHeadAttention(2, 3)(q, v, return_attention_scores=True)
    assert out.shape == (None, 5, 6) and scores.shape == (None, 2, 5, 7)
    with pytest.raises(ValueError, match="attention_axes"):
        GL.MultiHeadAttention(2, 3, attention_axes=(1,))
    with pytest.raises(ValueError, match=r"attention_mask of shape \(2, 3\).*\(2, 5, 7\)"):
        GL.MultiHeadAttention(2, 3)(randn(2, 5, 6), randn(2, 7, 6),
                                    attention_mask=np.ones((2, 3), bool))  # fmt: skip
    with pytest.raises(ValueError, match="num_heads"):
        GL.MultiHeadAttention(0, 3)
