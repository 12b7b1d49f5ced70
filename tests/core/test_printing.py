"""``repr(tensor)`` prints what PyTorch prints (T-TENSOR), so a tutorial's ``print(x)``
shows the same digits: 4 decimals, ``1.`` for integral floats, scientific notation past a
1000x spread, right alignment, and ``...`` summaries past 1000 elements."""

from __future__ import annotations

import numpy as np
import pytest
from tests.parity import requires_torch, torch

import gradkit as gk

RNG = np.random.default_rng(0)
CASES = [
    [1.0, 2.0, 3.0],
    [0.123456, 2.5],
    [1e-5, 1.0],
    [1e9, 1.0],
    [0.0, 0.0],
    [1.5, float("nan"), float("inf"), -float("inf")],
    [[1.0, 2.0], [3.5, 4.25]],
    [-1.0, 2.0],
    [1234.5678, 0.001],
    [[1e-3, 2.0], [3.0, -4.0]],
    3.14159,
    -2.0,
    [],
    RNG.standard_normal((3, 4, 5)),
    RNG.standard_normal((40, 40)),  # summarised
    RNG.standard_normal(2000) * 1e5,
    RNG.integers(-1000, 1000, (4, 7)),
    RNG.integers(0, 5, 2000),
    [True, False, True],
    [True, True],
]


@requires_torch
@pytest.mark.parametrize("value", CASES, ids=range(len(CASES)))
def test_T_TENSOR_repr_matches_pytorch(value):
    array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    expected = repr(torch.from_numpy(array.copy()))
    assert repr(gk.tensor(array)) == expected


def test_float64_and_grad_suffixes_are_kept():
    assert repr(gk.tensor([1.5], dtype=gk.float64)) == "tensor([1.5000], dtype=float64)"
    w = gk.tensor([1.0, 2.0], requires_grad=True)
    assert repr(w) == "tensor([1., 2.], requires_grad=True)"
    assert repr(w * 2).startswith("tensor([2., 4.], grad_fn=<Mul")
