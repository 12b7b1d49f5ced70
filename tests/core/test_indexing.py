"""T-TENSOR: ``x[index]`` and ``x[index] = v`` follow PyTorch's indexing rule.

PyTorch applies ints (and 0-d integer tensors) as selects before the advanced indices,
so ``x[1, :, idx, 0:2]`` keeps idx's dim in place where NumPy moves it first. Each
index expression below is checked against PyTorch: the value, the gradient under a
random upstream gradient, and assignment (plain and recorded).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck, gradgradcheck
from gradkit.ops import indexing
from parity import requires_torch, torch

S = slice(None)
SHAPE = (3, 4, 5, 6)
_MASK2 = np.random.default_rng(0).random((3, 4)) > 0.5


class T:
    """An index entry that becomes a tensor (gradkit or torch) of ``value``."""

    def __init__(self, value) -> None:
        self.value = np.asarray(value)


def build(parts, lib):
    make = torch.tensor if lib == "torch" else gk.tensor
    return tuple(make(p.value) if isinstance(p, T) else p for p in parts)


def torch_index(x, parts, value=None):
    """x[parts] (or x[parts] = value) in PyTorch, quiet about its uint8-mask warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if value is None:
            return x[build(parts, "torch")]
        x[build(parts, "torch")] = value
        return x


# index expressions, including the ones where PyTorch's rule and NumPy's differ
INDEXES = {
    "int,slice,tensor,slice": (1, S, T([0, 2, 1]), slice(0, 2)),  # differs from NumPy
    "int,ellipsis,tensor": (1, Ellipsis, T([0, 2])),  # differs
    "int,None,tensor": (1, None, T([1, 0])),  # differs
    "0d-tensor,slice,tensor": (T(1), S, T([0, 3])),  # differs
    "int,slice,list": (1, S, [0, 1]),  # differs
    "int,slice,nested-list,int": (1, S, [[0, 1], [1, 2]], -1),  # differs
    "neg-int,slice,neg-tensor": (-1, S, T([-1, -2, 0])),  # differs
    "None,int,slice,tensor": (None, 1, S, T([0, 1, 1])),  # differs
    "int,slice,bool-mask": (1, S, T([True, False, True, True, False])),  # differs
    "int,slice,True": (1, S, True),  # differs
    "int,slice,False": (1, S, False),  # differs
    "tensor,slice,int": (T([0, 2]), S, 1),
    "ellipsis,int,tensor": (Ellipsis, 1, T([0, 2])),
    "tensor,None,tensor": (T([0, 1]), None, T([2, 3])),
    "tensor,int,tensor": (T([0, 1]), 1, T([2, 3])),
    "int,tensor,slice,int": (0, T([0, 3]), S, 1),
    "int,tensor,None,tensor": (1, T([0, 1]), None, T([2, 3])),
    "slice,tensor,slice,int": (S, T([3, 1]), S, 2),
    "2d-mask,int": (T(_MASK2), 1),
    "tensor,slice,2d-tensor": (T([[0, 1], [2, 0]]), S, T([1, 4])),
    "repeated-index": (T([0, 0, 2]),),
    "list": ([2, 0],),
    "basic": (1, slice(0, 3, 2), None, -1),
    "ellipsis-none": (Ellipsis, None, 2),
    "True": (True,),
    "tensor,True": (T([0, 1]), S, True),
    "uint8-mask": (T(np.array([1, 0, 1], dtype=np.uint8)),),
    "empty-list": ([],),
}
IDS = list(INDEXES)


@requires_torch
@pytest.mark.parametrize("parts", INDEXES.values(), ids=IDS)
def test_getitem_matches_torch(parts):
    """Value and gradient of x[index] equal PyTorch's."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(SHAPE)
    xt = torch.tensor(a, requires_grad=True)
    xg = gk.tensor(a, requires_grad=True)
    yt = torch_index(xt, parts)
    yg = xg[build(parts, "gk")]
    assert yg.shape == tuple(yt.shape)
    np.testing.assert_array_equal(yg.detach().numpy(), yt.detach().numpy())
    up = rng.standard_normal(yg.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt.backward(torch.tensor(up))
    yg.backward(gk.tensor(up))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("parts", INDEXES.values(), ids=IDS)
def test_setitem_matches_torch(parts):
    """x[index] = v writes the same elements as PyTorch, also when recorded (gradients
    of the result with respect to the original tensor and to v)."""
    if parts is INDEXES["repeated-index"]:
        pytest.skip("repeated indices make the written value order-dependent in PyTorch")
    rng = np.random.default_rng(2)
    a = rng.standard_normal(SHAPE)
    shape = tuple(torch_index(torch.tensor(a), parts).shape)
    v = rng.standard_normal(shape)
    plain_t, plain_g = torch.tensor(a), gk.tensor(a)
    torch_index(plain_t, parts, torch.tensor(v))
    plain_g[build(parts, "gk")] = gk.tensor(v)
    np.testing.assert_array_equal(plain_g.numpy(), plain_t.numpy())

    xt, vt = torch.tensor(a, requires_grad=True), torch.tensor(v, requires_grad=True)
    xg, vg = gk.tensor(a, requires_grad=True), gk.tensor(v, requires_grad=True)
    yt, yg = xt * 1.0, xg * 1.0
    torch_index(yt, parts, vt * 2.0)
    yg[build(parts, "gk")] = vg * 2.0
    up = rng.standard_normal(SHAPE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's uint8-mask deprecation
        yt.backward(torch.tensor(up))
    yg.backward(gk.tensor(up))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vg.grad.numpy(), vt.grad.numpy(), rtol=1e-12, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("parts", INDEXES.values(), ids=IDS)
def test_fully_advanced_form_is_torchs_rule(parts):
    """The fully advanced NumPy index (used where the rules differ) reproduces PyTorch's
    result for every expression, including those the fast path takes."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal(SHAPE)
    expected = torch_index(torch.tensor(a), parts).numpy()
    canon = [indexing._part(p) for p in build(parts, "gk")]
    if not any(isinstance(p, (np.ndarray, bool)) for p in canon):
        pytest.skip("no advanced index: basic indexing is the same in both libraries")
    consumed = sum(
        p.ndim if isinstance(p, np.ndarray) and p.dtype == bool else 1
        for p in canon
        if p is not None and p is not Ellipsis and not isinstance(p, bool)
    )
    full = indexing._fully_advanced(canon, SHAPE, len(SHAPE) - consumed)
    np.testing.assert_array_equal(a[full], expected)


def test_the_issue_example_keeps_the_advanced_dim_in_place():
    """x[1, :, idx, 0:2] on (2, 3, 4, 5) with idx of length k has shape (3, k, 2)."""
    x = gk.tensor(np.arange(120.0).reshape(2, 3, 4, 5))
    idx = gk.tensor([0, 2, 3])
    out = x[1, :, idx, 0:2]
    assert out.shape == (3, 3, 2)
    np.testing.assert_array_equal(out.numpy(), x.numpy()[1][:, [0, 2, 3], 0:2])


def test_indexing_gradcheck_and_double_backward():
    """T-AUTODIFF: gradients through a translated (fully advanced) index, to 2nd order."""
    a = gk.tensor(np.random.default_rng(4).standard_normal((3, 4, 5)))
    idx = gk.tensor([2, 0, 2])

    def fn(x):
        return x[1, :, idx] * x[0, :, idx]

    assert gradcheck(fn, a)
    assert gradgradcheck(fn, a)


def test_basic_index_stays_a_view():
    x = gk.tensor(np.zeros((3, 4)))
    x[1, 1:3].fill_(5.0)
    x[..., 0][2] = 7.0
    assert x.numpy()[1, 1:3].tolist() == [5.0, 5.0] and x.numpy()[2, 0] == 7.0


@pytest.mark.parametrize(
    "shape, index, message",
    [
        ((3, 4), (T([0.0, 1.0]),), "must be long, int, byte or bool"),
        ((3, 4), (0, 0, 0), "too many indices"),
        ((3, 4), (5,), "out of bounds"),
        ((3, 4, 5, 6), (1, S, T([0]), 9), "out of bounds"),  # on the fully advanced path
        ((3, 4), (T([True, False]),), "mask|boolean index"),
        ((3, 4), (Ellipsis, 0, Ellipsis), "single ellipsis"),
        ((3, 4), ("a",), "valid indices"),
    ],
    ids=["float-tensor", "too-many", "oob", "oob-translated", "mask-shape", "two-ellipsis", "str"],
)
def test_bad_indexes_raise_index_error(shape, index, message):
    x = gk.zeros(*shape)
    with pytest.raises(IndexError, match=message):
        x[build(index, "gk")]
    with pytest.raises(IndexError, match=message):
        x[build(index, "gk")] = 1.0
