"""Recurrent layers against real Keras 3 (torch backend): SimpleRNN, LSTM, GRU, RNN over
a cell, Bidirectional, TimeDistributed, with masks, initial states, go_backwards,
return_state and stateful calls (concepts RNN-CELL, RNN-LSTM, RNN-GRU, RNN-BI,
RNN-BPTT). The fused path (default activations) and the step loop (other activations,
masks, recurrent dropout) are both checked against Keras, and against each other in
float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from layers_harness import check_layer, gk_keras, keras, randn

import gradkit as gk

KL, GL = keras.layers, gk_keras.layers


def _case(name, **kwargs):
    return name, kwargs


CASES = [
    _case("SimpleRNN"),
    _case("SimpleRNN", return_sequences=True, go_backwards=True),
    _case("SimpleRNN", activation="relu", return_state=True),
    _case("SimpleRNN", activation="sigmoid", use_bias=False),  # the step loop
    _case("LSTM"),
    _case("LSTM", return_sequences=True, return_state=True),
    _case("LSTM", go_backwards=True, return_sequences=True),
    _case("LSTM", use_bias=False, unit_forget_bias=False),
    _case("LSTM", activation="relu", recurrent_activation="hard_sigmoid"),  # the step loop
    _case("LSTM", activation="softsign", return_state=True),
    _case("GRU"),
    _case("GRU", return_sequences=True, return_state=True),
    _case("GRU", go_backwards=True, return_sequences=True),
    _case("GRU", use_bias=False),
    _case("GRU", reset_after=False, return_sequences=True),  # the step loop
    _case("GRU", activation="relu"),  # the step loop
    _case("LSTM", dropout=0.5, recurrent_dropout=0.5),  # inference: no dropout
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_recurrent_layer_matches_keras(name, kwargs):  # RNN-LSTM, RNN-GRU, RNN-CELL, RNN-BPTT
    x = randn(3, 6, 4)
    check_layer(getattr(GL, name)(5, **kwargs), getattr(KL, name)(5, **kwargs), x,
                training=(None, False))  # fmt: skip


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_weight_names_order_and_shapes(name):  # RNN-LSTM
    g = getattr(GL, name)(4, name="rec")
    g(randn(2, 3, 5))
    k = getattr(KL, name)(4, name="rec")
    k(randn(2, 3, 5))
    assert [w.path for w in g.weights] == [w.path for w in k.weights]
    assert [w.shape for w in g.get_weights()] == [w.shape for w in k.get_weights()]


def test_lstm_unit_forget_bias_initializes_forget_block_to_one():  # RNN-LSTM
    layer = GL.LSTM(3)
    layer(randn(1, 2, 2))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0] * 3 + [1] * 3 + [0] * 6)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_initial_state_matches_keras(name):
    n_states = 2 if name == "LSTM" else 1
    states = [randn(3, 5, seed=10 + i) for i in range(n_states)]
    check_layer(getattr(GL, name)(5, return_sequences=True),
                getattr(KL, name)(5, return_sequences=True), randn(3, 4, 2),
                call_kwargs={"initial_state": states})  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("LSTM", {}), ("GRU", {"return_sequences": True}), ("SimpleRNN", {"go_backwards": True}),
     ("LSTM", {"return_sequences": True, "zero_output_for_mask": True})],
)  # fmt: skip
def test_mask_skips_steps_like_keras(name, kwargs):  # RNN-BPTT
    mask = np.ones((3, 6), bool)
    mask[0, 4:] = False
    mask[1, 1] = False
    check_layer(getattr(GL, name)(4, **kwargs), getattr(KL, name)(4, **kwargs), randn(3, 6, 2),
                call_kwargs={"mask": mask})  # fmt: skip


def test_embedding_mask_zero_feeds_the_lstm_mask():  # RNN-EMBED
    tokens = np.array([[3, 5, 2, 0, 0], [1, 4, 4, 2, 7]], np.int64)
    k_emb, g_emb = KL.Embedding(8, 3, mask_zero=True), GL.Embedding(8, 3, mask_zero=True)
    k_lstm, g_lstm = KL.LSTM(4), GL.LSTM(4)
    k_out = k_lstm(k_emb(torch.from_numpy(tokens)))
    g_emb(tokens)
    g_emb.set_weights(k_emb.get_weights())
    g_lstm(g_emb(tokens))
    g_lstm.set_weights(k_lstm.get_weights())
    g_out = g_lstm(g_emb(tokens))
    np.testing.assert_allclose(g_out.detach().numpy(), k_out.detach().numpy(), atol=1e-5)
    # the padded row ends at its last real token
    short = g_lstm(g_emb(tokens[:1, :3]))
    np.testing.assert_allclose(g_out.detach().numpy()[0], short.detach().numpy()[0], atol=1e-6)


def test_stateful_carries_states_between_calls():
    k, g = KL.GRU(3, stateful=True), GL.GRU(3, stateful=True)
    x1, x2 = randn(2, 4, 3), randn(2, 4, 3, seed=1)
    k(torch.from_numpy(x1))
    g(x1)
    g.set_weights(k.get_weights())
    k.reset_states()
    g.reset_states()
    outs = []
    for x in (x1, x2):
        outs.append(g(x).detach().numpy())
        np.testing.assert_allclose(outs[-1], k(torch.from_numpy(x)).detach().numpy(), atol=1e-5)
    assert not np.allclose(g(x1).detach().numpy(), outs[0])  # starts from the carried state
    g.reset_states()
    np.testing.assert_array_equal(g(x1).detach().numpy(), outs[0])
    with pytest.raises(ValueError, match="batch size"):
        g(randn(3, 4, 3))


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_fused_path_matches_the_step_loop_in_float64(name):  # RNN-BPTT
    """The composed reference beside the fused op: the same layer run through the cell's
    step loop (forced by an all-true mask) gives the same values and gradients."""
    x = randn(3, 7, 4).astype(np.float64)
    layer = getattr(GL, name)(5, return_sequences=True, dtype="float64")
    layer(x)
    fused_x = gk.tensor(x, requires_grad=True)
    loop_x = gk.tensor(x, requires_grad=True)
    r = gk.tensor(np.random.default_rng(2).standard_normal((3, 7, 5)))
    fused = layer(fused_x)
    (fused * r).sum().backward()
    fused_grads = [w.grad.numpy().copy() for w in layer.trainable_weights]
    layer.zero_grad()
    loop = layer(loop_x, mask=gk.tensor(np.ones((3, 7), bool)))
    (loop * r).sum().backward()
    np.testing.assert_allclose(fused.detach().numpy(), loop.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(fused_x.grad.numpy(), loop_x.grad.numpy(), atol=1e-12)
    for a, w in zip(fused_grads, layer.trainable_weights):
        np.testing.assert_allclose(a, w.grad.numpy(), atol=1e-12)


def test_recurrent_dropout_in_training_changes_output_but_not_inference():
    layer = GL.LSTM(4, dropout=0.3, recurrent_dropout=0.3, seed=1)
    x = randn(2, 5, 3)
    a = layer(x).detach().numpy()
    np.testing.assert_array_equal(layer(x, training=False).detach().numpy(), a)
    assert not np.allclose(layer(x, training=True).detach().numpy(), a)


@pytest.mark.parametrize(
    ("inner", "kwargs"),
    [("LSTM", {}), ("GRU", {"merge_mode": "sum"}), ("LSTM", {"merge_mode": "ave"}),
     ("SimpleRNN", {"merge_mode": "mul"}), ("GRU", {"merge_mode": None})],
)  # fmt: skip
@pytest.mark.parametrize(
    "inner_kwargs",
    [{}, {"return_sequences": True}, {"return_sequences": True, "return_state": True}],
)
def test_bidirectional_matches_keras(inner, kwargs, inner_kwargs):  # RNN-BI
    g = GL.Bidirectional(getattr(GL, inner)(3, **inner_kwargs), **kwargs)
    k = KL.Bidirectional(getattr(KL, inner)(3, **inner_kwargs), **kwargs)
    check_layer(g, k, randn(2, 5, 4))


def test_bidirectional_with_mask_and_weight_paths():  # RNN-BI
    mask = np.ones((2, 5), bool)
    mask[1, 3:] = False
    g = GL.Bidirectional(GL.LSTM(3, return_sequences=True, name="enc"), name="bi")
    k = KL.Bidirectional(KL.LSTM(3, return_sequences=True, name="enc"), name="bi")
    check_layer(g, k, randn(2, 5, 4), call_kwargs={"mask": mask})
    assert [w.path for w in g.weights] == [w.path for w in k.weights]


@pytest.mark.parametrize(
    ("make", "shape"),
    [(lambda L: L.Dense(3, activation="relu"), (2, 4, 5)),
     (lambda L: L.Conv2D(2, 3, padding="same"), (2, 3, 5, 5, 2)),
     (lambda L: L.BatchNormalization(), (4, 3, 5))],
)  # fmt: skip
def test_time_distributed_matches_keras(make, shape):  # RNN-SHAPES
    check_layer(GL.TimeDistributed(make(GL)), KL.TimeDistributed(make(KL)), randn(*shape),
                training=(False, True))  # fmt: skip


def test_symbolic_shapes_match_keras():
    for make in (
        lambda L: L.LSTM(3, return_sequences=True, return_state=True),
        lambda L: L.Bidirectional(L.GRU(3, return_sequences=True)),
        lambda L: L.Bidirectional(L.LSTM(3, return_state=True), merge_mode=None),
        lambda L: L.TimeDistributed(L.Dense(7)),
    ):
        k_out = make(KL)(keras.Input((5, 4)))
        g_out = make(GL)(gk_keras.Input((5, 4)))
        k_shapes = [
            tuple(t.shape) for t in (k_out if isinstance(k_out, (list, tuple)) else [k_out])
        ]
        g_shapes = [t.shape for t in (g_out if isinstance(g_out, (list, tuple)) else [g_out])]
        assert g_shapes == k_shapes


def test_bad_input_errors():
    with pytest.raises(ValueError, match=r"lstm_x.*expected min_ndim=3, found ndim=2.*\(2, 3\)"):
        GL.LSTM(3, name="lstm_x")(randn(2, 3))
    with pytest.raises(ValueError, match="units"):
        GL.GRU(0)
    with pytest.raises(ValueError, match="Could not interpret activation.*'tanhh'"):
        GL.LSTM(3, activation="tanhh")
    with pytest.raises(ValueError, match=r"initial state.*\(2, 3\)"):
        GL.GRU(3)(randn(2, 4, 2), initial_state=[randn(2, 4)])
    with pytest.raises(ValueError, match="merge mode"):
        GL.Bidirectional(GL.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="stateful=True.*batch size must be static"):
        GL.LSTM(2, stateful=True)(gk_keras.Input((3, 2)))


def _minimal_cell(base):
    class MinimalRNNCell(base.Layer):
        """The custom cell of Keras's RNN docstring."""

        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(
                shape=(self.units, self.units), name="recurrent_kernel"
            )

        def call(self, inputs, states):
            prev_output = states[0]
            h = inputs @ self.kernel
            output = h + prev_output @ self.recurrent_kernel
            return output, [output]

    return MinimalRNNCell


@pytest.mark.parametrize("kwargs", [{}, {"return_sequences": True, "go_backwards": True}])
def test_rnn_over_a_custom_cell_matches_keras(kwargs):  # RNN-CELL
    g = GL.RNN(_minimal_cell(gk_keras.layers)(4), **kwargs)
    k = KL.RNN(_minimal_cell(keras.layers)(4), **kwargs)
    check_layer(g, k, randn(2, 5, 3) * 0.5)


def test_layer_attributes_come_from_the_cell():
    lstm = GL.LSTM(3, activation="relu", dropout=0.2)
    assert (lstm.units, lstm.dropout) == (3, 0.2)
    assert lstm.activation is gk_keras.activations.relu
    with pytest.raises(ValueError, match="LSTM.*'foo'"):
        GL.LSTM(3, foo=1)
