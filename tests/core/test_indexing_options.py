"""T-TENSOR: index forms not wrapped in a tuple (a bare list, integer tensor, 0-d
tensor, bool and uint8 masks), repeated entries accumulating their gradient, ints at the
edge of the range on PyTorch's fully advanced path, view versus copy under in-place
changes of a non-leaf, and the errors of the fully advanced path — against PyTorch.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

X = np.random.default_rng(71).standard_normal((3, 4, 5))
X4 = np.random.default_rng(72).standard_normal((3, 4, 5, 6))

INDEXES = {
    "bare-list": lambda L: [2, 0, 2],
    "bare-tensor": lambda L: L.tensor([0, 0, 2]),
    "bare-2d-tensor": lambda L: L.tensor([[1, 1], [0, 2]]),
    "bare-0d-int": lambda L: L.tensor(1),
    "bare-0d-true": lambda L: L.tensor(True),
    "bare-0d-false": lambda L: L.tensor(False),
    "int,0d-true": lambda L: (1, L.tensor(True)),
    "bare-mask": lambda L: L.tensor([True, False, True]),
    "bare-uint8-mask": lambda L: L.tensor(np.array([1, 0, 1], dtype=np.uint8)),
    "int,repeated-tensor": lambda L: (1, L.tensor([0, 0, 2])),
    "tensor,repeated,int": lambda L: (L.tensor([2, 2]), 1),
    "minus-n,slice,tensor": lambda L: (-3, slice(None), L.tensor([0, 4, 4])),
    "n-1,slice,tensor": lambda L: (2, slice(None), L.tensor([1, 1])),
    "int,slice,tensor,None": lambda L: (0, slice(None), L.tensor([3, 3]), None),
    "int,slice,2d,1d-tensors": lambda L: (1, slice(None), L.tensor([[0], [4]]), L.tensor([1, 2])),
}


@pytest.mark.parametrize("name", list(INDEXES))
def test_t_tensor_index_forms_value_and_gradient_match_torch(name):
    res = []
    for lib in (gk, torch):
        x = lib.tensor(X4 if name.startswith("int,slice,2d") else X, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's uint8-mask deprecation
            y = x[INDEXES[name](lib)]
        w = np.random.default_rng(3).standard_normal(tuple(y.shape))
        (y * lib.tensor(w)).sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy()))
    (a, ga), (b, gb) = res
    assert a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(ga, gb, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize(
    "index, is_view",
    [
        (lambda L: 1, True),
        (lambda L: (1, slice(1, 3)), True),
        (lambda L: L.tensor(1), True),
        (lambda L: (1, [0, 2]), False),
        (lambda L: L.tensor([1, 2]), False),
        (lambda L: [1], False),
    ],
)
def test_t_tensor_in_place_change_of_an_indexed_non_leaf(index, is_view):
    """A basic index is a view: changing it in place changes the base and its gradient;
    an advanced index is a copy and leaves them alone (PyTorch)."""
    res = []
    for lib in (gk, torch):
        a = lib.tensor(X[0], requires_grad=True)
        b = a * 2.0
        v = b[index(lib)]
        v.mul_(3.0)
        (b * lib.tensor(X[1])).sum().backward()
        res.append((b.detach().numpy(), a.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-15)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-15)
    assert np.array_equal(res[1][0], X[0] * 2.0) != is_view


@pytest.mark.parametrize(
    "x, index, message",
    [
        (X, lambda L: (3, slice(None), L.tensor([0])), "index 3 is out of bounds for dimension 0"),
        (X, lambda L: (-4, slice(None), L.tensor([0])), "index -4 is out of bounds"),
        (
            X4,
            lambda L: (1, slice(None), L.tensor([0, 1]), L.tensor([0, 1, 2])),
            r"shape mismatch: indexing tensors could not be broadcast together with shapes "
            r"\[2\], \[3\]",
        ),
        (
            X,
            lambda L: L.tensor([0.0, 1.0]),
            "tensors used as indices must be long, int, byte or bool",
        ),
        (X, lambda L: (1, slice(None), L.tensor(np.ones((4, 5), dtype=bool))), "too many indices"),
        (X4, lambda L: (Ellipsis, 1, slice(None), L.tensor([0]), Ellipsis), "single ellipsis"),
    ],
)
def test_t_tensor_fully_advanced_index_errors(x, index, message):
    """Refused as PyTorch refuses them; two ellipses are refused as in NumPy and Python
    (PyTorch 2.13 accepts them)."""
    with pytest.raises(IndexError, match=message):
        gk.tensor(x)[index(gk)]
    if "ellipsis" not in message:
        with pytest.raises(IndexError):
            torch.tensor(x)[index(torch)]
