"""Order statistics with PyTorch's ``(values, indices)`` results (concepts T-TENSOR,
T-AUTODIFF): max/min with a dim, sort, argsort, msort, topk, kthvalue, median,
nanmedian, mode. Values, indices, dtypes and gradients against PyTorch, float64
gradcheck, ties, NaN and 0-d tensors.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch

TIES = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 0.0, 5.0]])
DUPS = np.array([[2.0, 1.0, 2.0, 2.0, 1.0, 3.0], [0.5, 0.5, -1.0, 4.0, -1.0, 0.5]])
NAN = np.array([[4.0, np.nan, 3.0, 2.0], [1.0, 0.0, 2.0, -1.0]])


def _lib(x):
    return gk if isinstance(x, gk.Tensor) else torch


# (id, call on a gradkit or torch tensor returning a result, inputs: shapes or arrays)
CASES = [
    ("max-dim", lambda x: x.max(1), [(3, 4)]),
    ("max-dim-keepdim", lambda x: x.max(0, keepdim=True), [(3, 4)]),
    (
        "max-fn-dim-kw",
        lambda x: _lib(x).max(x, dim=-1),
        [(2, 3, 4)],
    ),
    ("max-dim-ties", lambda x: x.max(1), [TIES]),
    ("min-dim", lambda x: x.min(-1), [(3, 4)]),
    ("min-dim-ties", lambda x: x.min(0), [TIES]),
    ("max-dim-nan", lambda x: x.max(1), [NAN]),
    ("max-0d", lambda x: x.max(0), [()]),
    ("sort", lambda x: x.sort(), [(3, 5)]),
    ("sort-dim0-desc", lambda x: x.sort(0, descending=True), [(4, 3)]),
    ("sort-stable-ties", lambda x: x.sort(stable=True), [DUPS]),
    ("sort-stable-ties-desc", lambda x: x.sort(dim=1, descending=True, stable=True), [DUPS]),
    ("sort-nan", lambda x: x.sort(stable=True), [NAN]),
    ("sort-nan-desc", lambda x: x.sort(descending=True, stable=True), [NAN]),
    ("sort-0d", lambda x: x.sort(), [()]),
    ("topk", lambda x: x.topk(2), [(3, 5)]),
    ("topk-smallest-dim0", lambda x: x.topk(3, dim=0, largest=False), [(4, 3)]),
    ("topk-all", lambda x: x.topk(5), [(2, 5)]),
    ("kthvalue", lambda x: x.kthvalue(2), [(3, 5)]),
    ("kthvalue-dim0-keep", lambda x: x.kthvalue(3, 0, True), [(4, 3)]),
    ("median-dim", lambda x: x.median(1), [(3, 5)]),
    ("median-dim-even", lambda x: x.median(0), [(4, 3)]),
    ("median-dim-ties", lambda x: x.median(1), [DUPS]),
    ("median-dim-nan", lambda x: x.median(1), [NAN]),
    ("nanmedian-dim", lambda x: x.nanmedian(1), [NAN]),
    ("mode", lambda x: x.mode(), [DUPS]),
    ("mode-dim0-keep", lambda x: x.mode(0, keepdim=True), [DUPS]),
    ("mode-distinct", lambda x: x.mode(1), [(3, 4)]),
]
IDS = [c[0] for c in CASES]


def _arrays(inputs, seed):
    shapes = [s for s in inputs if not isinstance(s, np.ndarray)]
    drawn = iter(random_inputs(shapes, seed=seed))
    return [s if isinstance(s, np.ndarray) else next(drawn) for s in inputs]


@requires_torch
@pytest.mark.parametrize("name, call, inputs", CASES, ids=IDS)
def test_values_indices_and_gradient_match_torch(name, call, inputs):
    """T-TENSOR: a named (values, indices) tuple whose values, indices (int64) and value
    gradient (under a random upstream gradient) equal PyTorch's, ties and NaN included."""
    arrays = _arrays(inputs, seed=11)
    ours = call(gk.tensor(arrays[0]))
    ref = call(torch.tensor(arrays[0]))
    assert type(ours).__name__ == type(ref).__name__
    values, indices = ours  # unpacks like torch.return_types
    assert values is ours.values and indices is ours[1]
    np.testing.assert_array_equal(indices.numpy(), ref.indices.numpy())
    assert indices.dtype == np.int64 and values.dtype == np.float64
    assert_parity(lambda a: call(a).values, lambda a: call(a).values, arrays)


FULL = [
    ("max-all", lambda x: x.max(), [TIES]),
    ("min-all", lambda x: x.min(), [TIES]),
    ("median-all-odd", lambda x: x.median(), [(3, 3)]),
    ("median-all-even", lambda x: x.median(), [(2, 3)]),
    ("median-all-ties", lambda x: x.median(), [DUPS]),
    ("median-all-nan", lambda x: x.median(), [NAN]),
    ("nanmedian-all", lambda x: x.nanmedian(), [NAN]),
    ("msort", lambda x: x.msort(), [(4, 3)]),
    ("sort-values-fn", lambda x: _lib(x).sort(x, 0)[0], [(3, 2)]),
    ("max-elementwise", lambda x: _lib(x).max(x, x * -0.5 + 0.1), [(4, 3)]),
    ("min-elementwise-other", lambda x: _lib(x).min(x, other=x * 0.5), [(4, 3)]),
]


@requires_torch
@pytest.mark.parametrize("name, call, inputs", FULL, ids=[f[0] for f in FULL])
def test_single_tensor_results_match_torch(name, call, inputs):
    """T-TENSOR: results that are plain tensors (no dim, msort, elementwise max/min):
    value, dtype and gradient equal PyTorch's; ``x.max()`` and ``x.median()`` share the
    gradient among ties exactly as PyTorch does."""
    arrays = _arrays(inputs, seed=13)
    ours, ref = call(gk.tensor(arrays[0])), call(torch.tensor(arrays[0]))
    assert isinstance(ours, gk.Tensor) and ours.dtype.name == str(ref.dtype)[6:]
    assert_parity(call, call, arrays)


GRADCHECK = [
    ("max-dim", lambda x: x.max(1).values),
    ("min-dim-keep", lambda x: x.min(0, True)[0]),
    ("sort", lambda x: x.sort(1, descending=True).values),
    ("topk", lambda x: x.topk(2, 0).values),
    ("kthvalue", lambda x: x.kthvalue(2).values),
    ("median-dim", lambda x: x.median(1).values),
    ("median-all", lambda x: x.median()),
    ("msort", lambda x: x.msort()),
]


@pytest.mark.parametrize("name, fn", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_gradcheck(name, fn):
    """T-AUTODIFF: the value gradients match float64 central differences."""
    (a,) = random_inputs([(4, 5)], seed=17)
    assert gradcheck(fn, gk.tensor(a), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("name, fn", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_gradgradcheck(name, fn):
    """T-AUTODIFF: the gradient of a function of the sorted values differentiates again."""
    (a,) = random_inputs([(4, 5)], seed=19)
    assert gradgradcheck(lambda x: fn(x) ** 2, gk.tensor(a), atol=1e-6, rtol=1e-4)


def test_max_with_dim_unpacks_indices_not_values():
    """The issue's defect: ``_, idx = gk.max(x, 1)`` on a 2-row batch must give indices."""
    x = gk.tensor([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05]])
    _, idx = gk.max(x, 1)
    assert idx.tolist() == [1, 0] and idx.dtype == np.int64
    values, indices = x.max(dim=1, keepdim=True)
    assert values.shape == (2, 1) and indices.shape == (2, 1)
    assert isinstance(x.max(), gk.Tensor) and x.max().shape == ()


def test_tied_gradients_follow_torch_rules():
    """T-AUTODIFF: max(dim) sends the gradient to the one index it returns (the first
    maximum); max() and amax share it equally among ties."""
    x = gk.tensor(TIES, requires_grad=True)
    x.max(1).values.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0]]
    x.grad = None
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0, 0, 0], [1 / 3, 1 / 3, 0, 1 / 3]])
    x.grad = None
    x.amax(1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5, 0], [1 / 3, 1 / 3, 0, 1 / 3]])


def test_integer_inputs_keep_their_dtype():
    x = gk.tensor([[3, 1, 2], [0, 5, 5]])
    values, indices = x.sort(1, descending=True)
    assert values.dtype == np.int64 and values.tolist() == [[3, 2, 1], [5, 5, 0]]
    assert indices.tolist() == [[0, 2, 1], [1, 2, 0]]
    assert x.max(1).values.tolist() == [3, 5] and x.mode(1).values.tolist() == [1, 5]
    assert gk.argsort(x, 1).tolist() == [[1, 2, 0], [0, 1, 2]]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x: x.max(2), IndexError, r"Dimension out of range .*\[-2, 1\], but got 2"),
        (lambda x: x.sort(-3), IndexError, "but got -3"),
        (lambda x: x.topk(5), RuntimeError, "selected index k out of range"),
        (lambda x: x.kthvalue(0), RuntimeError, "selected number k out of range"),
        (lambda x: x.max(dim=(0, 1)), TypeError, "amax"),
        (lambda x: x[:, :0].max(1), IndexError, "Expected reduction dim 1 to have non-zero"),
        (lambda x: x.median(5), IndexError, "but got 5"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(gk.zeros((2, 4)))


def test_return_types_are_exposed():
    r = gk.tensor([1.0, 2.0]).max(0)
    assert isinstance(r, gk.return_types.max) and r._fields == ("values", "indices")
    assert gk.aminmax(gk.tensor([1.0, 2.0]))._fields == ("min", "max")
