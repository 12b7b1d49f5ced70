"""PyTorch's pre-0.4 spellings still used by tutorials (T-TENSOR): ``autograd.Variable``
and the typed constructors, compared with PyTorch's behaviour."""

from __future__ import annotations

import numpy as np
import pytest
from tests.parity import requires_torch, torch

import gradkit as gk


@requires_torch
@pytest.mark.parametrize(
    "name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor"]
)
def test_typed_constructors_match_pytorch(name):
    values = [1, 0, 2]
    ours, theirs = getattr(gk, name)(values), getattr(torch, name)(values)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    assert getattr(gk, name)(2, 3).shape == tuple(getattr(torch, name)(2, 3).shape)
    assert isinstance(ours, getattr(gk, name))
    other = ours.float() if name == "DoubleTensor" else ours.double()
    assert not isinstance(other, getattr(gk, name))


def test_variable_is_a_tensor_sharing_storage():
    t = gk.randn(3)
    v = gk.autograd.Variable(t)
    assert isinstance(v, gk.Tensor) and isinstance(t, gk.autograd.Variable)
    assert v is not t and not v.requires_grad
    v.data[0] = 5.0
    assert t[0].item() == 5.0  # shares storage, as torch's Variable(t) does
    w = gk.autograd.Variable(t, requires_grad=True)
    assert w.requires_grad and w.is_leaf and not t.requires_grad
