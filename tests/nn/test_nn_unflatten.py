"""nn.Unflatten against torch.nn.Unflatten (forward and input gradient, random upstream
gradient via the shared parity harness), the Flatten round trip, and bad arguments.
Concept CNN-FC (the reshape between dense and convolutional layers)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from parity import assert_parity, random_inputs, requires_torch, torch

CASES = [
    # (input shape, dim, unflattened_size)
    ((4, 50), 1, (2, 5, 5)),
    ((4, 50), -1, (5, 10)),
    ((3, 12, 7), 1, (3, -1)),
    ((3, 12, 7), -2, (2, 2, 3)),
    ((6, 5), 0, (2, 3)),
    ((2, 8), 1, (8,)),
]


@requires_torch
@pytest.mark.parametrize(("shape", "dim", "sizes"), CASES, ids=[str(c) for c in CASES])
def test_unflatten_matches_torch(shape, dim, sizes):
    assert_parity(nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes), random_inputs([shape]))


def test_unflatten_inverts_flatten_inside_sequential():
    x = gk.tensor(np.random.default_rng(0).standard_normal((3, 2, 4, 5)))
    net = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 4, 5)))
    np.testing.assert_array_equal(net(x).data, x.data)
    assert "unflattened_size=(2, 4, 5)" in repr(net)


@pytest.mark.parametrize("sizes", [(), (2, -1, -1), (0, 5), (-2, 5)])
def test_unflatten_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="unflattened_size"):
        nn.Unflatten(1, sizes)


def test_unflatten_rejects_size_mismatch_and_bad_dim():
    x = gk.zeros(2, 10)
    with pytest.raises(ValueError, match=r"cannot be unflattened into \(3, 3\)"):
        nn.Unflatten(1, (3, 3))(x)
    with pytest.raises(ValueError, match="cannot be unflattened"):
        nn.Unflatten(1, (3, -1))(x)
    with pytest.raises(IndexError, match="out of range"):
        nn.Unflatten(2, (2, 1))(x)
