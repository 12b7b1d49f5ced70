"""Training phenomena of the canon, measured: vanishing gradients, dying ReLUs, the
epoch/iteration vocabulary, constants/variables/placeholders, devices."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from gradkit.nn.utils import dead_unit_fraction, grad_norms


def _deep_net(activation, depth=10, width=32, batch_norm=False, seed=0):
    gk.manual_seed(seed)
    layers = []
    for _ in range(depth):
        layers.append(nn.Linear(width, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(activation())
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def _first_over_last(net) -> float:
    norms = list(grad_norms(net).values())
    return norms[0] / norms[-2]  # first hidden weight vs last hidden weight


def test_nn_vanish_sigmoid_gradients_shrink_with_depth():
    """NN-VANISH: in a 10-layer sigmoid net the first layer's gradient is orders of
    magnitude smaller than the last hidden layer's (σ' ≤ 1/4 per layer); with ReLU or with
    batch normalization it is not."""
    x = gk.tensor(np.random.default_rng(0).standard_normal((64, 32)).astype(np.float32))
    ratios = {}
    for name, act, bn in [
        ("sigmoid", nn.Sigmoid, False),
        ("relu", nn.ReLU, False),
        ("sigmoid+bn", nn.Sigmoid, True),
    ]:
        net = _deep_net(act, batch_norm=bn)
        net(x).pow(2).mean().backward()
        ratios[name] = _first_over_last(net)
    assert ratios["sigmoid"] < 1e-3
    assert ratios["relu"] > 100 * ratios["sigmoid"]
    assert ratios["sigmoid+bn"] > 100 * ratios["sigmoid"]


def test_nn_dying_relu_large_negative_bias_and_leaky_fix():
    """NN-DYING-RELU: a large negative bias kills most ReLU units (zero output and zero
    gradient for every sample); leaky ReLU keeps a gradient flowing through them."""
    gk.manual_seed(0)
    layer = nn.Linear(20, 100)
    with gk.no_grad():
        layer.bias.fill_(-5.0)
    x = gk.tensor(np.random.default_rng(1).standard_normal((256, 20)).astype(np.float32))
    z = layer(x)
    assert dead_unit_fraction(z) > 0.9
    nn.functional.relu(z).sum().backward()
    relu_grad = np.abs(layer.weight.grad.detach().numpy()).sum(axis=1)
    layer.zero_grad()
    nn.functional.leaky_relu(layer(x), 0.01).sum().backward()
    leaky_grad = np.abs(layer.weight.grad.detach().numpy()).sum(axis=1)
    dead = (z.detach().numpy() <= 0).all(axis=0)
    assert np.all(relu_grad[dead] == 0)
    assert np.all(leaky_grad[dead] > 0)


def test_nn_hyper_iterations_per_epoch():
    """NN-HYPER: 1000 examples with batch size 200 are 5 iterations per epoch."""
    x = np.random.default_rng(0).standard_normal((1000, 3)).astype(np.float32)
    y = x.sum(axis=1)
    loader = gk.data.DataLoader(gk.data.TensorDataset(gk.tensor(x), gk.tensor(y)), batch_size=200)
    assert len(loader) == 5
    model = gk.Sequential([nn.Dense(1, input_shape=[3])])
    model.compile(optimizer="sgd", loss="mse")
    steps = []
    counter = gk.train.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    model.fit(x, y, epochs=3, batch_size=200, callbacks=[counter], verbose=0)
    assert steps == [0, 1, 2, 3, 4] * 3


def test_t_const_var_ph_constants_variables_placeholders():
    """T-CONST-VAR-PH: constants are tensors without grad, variables are Parameters
    (trainable leaves), and a model's input is a placeholder fed with any batch."""
    constant = gk.tensor([2.0, 3.0])
    variable = nn.Parameter(gk.tensor([1.0, 1.0]))
    assert variable.requires_grad and variable.is_leaf and not constant.requires_grad
    (variable * constant).sum().backward()
    np.testing.assert_array_equal(variable.grad.detach().numpy(), [2.0, 3.0])
    assert constant.grad is None
    model = nn.Linear(2, 1)
    for batch in (1, 7):
        assert model(gk.zeros(batch, 2)).shape == (batch, 1)


def test_t_device_cpu_backend_and_clear_error_for_gpu():
    """T-DEVICE: the NumPy backend runs on the CPU; asking for a GPU names the valid
    devices instead of failing later."""
    t = gk.ones(3)
    assert t.device == "cpu" and t.to("cpu") is t
    model = nn.Linear(3, 2).to("cpu")
    assert model.weight.device == "cpu"
    with pytest.raises(RuntimeError, match=r"device 'cuda' is not available.*\['cpu'\]"):
        t.to("cuda")
    with pytest.raises(RuntimeError, match="not available"):
        model.to("cuda:0")
