"""RNN-LSTM, RNN-GRU: cells start from PyTorch's initialisation, U(−1/√H, 1/√H) for every
weight and bias (the layers' rule; a cell built on uninitialised memory would not fail
any parity test that copies weights in)."""

import math

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn


@pytest.mark.parametrize("cell", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cell_parameters_are_uniform_within_the_pytorch_bound(cell):
    gk.manual_seed(0)
    hidden = 64
    m = cell(32, hidden)
    bound = 1.0 / math.sqrt(hidden)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.all(np.abs(values) <= bound)
    # uniform on [−b, b]: mean 0, standard deviation b/√3 (thousands of draws)
    assert abs(values.mean()) < 0.05 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    gk.manual_seed(0)
    again = np.concatenate([p.detach().numpy().ravel() for p in cell(32, hidden).parameters()])
    np.testing.assert_array_equal(values, again)
