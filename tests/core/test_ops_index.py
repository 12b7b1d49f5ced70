"""Gathers and scatters with PyTorch's semantics (concepts T-TENSOR, T-AUTODIFF):
gather, scatter, scatter_add, scatter_reduce, index_select/add/copy/fill, masked_select,
masked_scatter, take, take_along_dim, nonzero/argwhere, and the in-place forms under
PyTorch's in-place rules. Values, dtypes and gradients against PyTorch; float64
gradcheck and gradgradcheck.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch

I_GATHER = np.array([[0, 2, 2], [1, 0, 3], [3, 3, 1]])  # repeats: gradients accumulate
I_SCATTER = np.array([[2, 0, 1], [1, 3, 0]])  # distinct along dim 1 in each row
I_REPEAT = np.array([[0, 0, 2], [3, 3, 3]])  # repeated targets
I_SELECT = np.array([2, 0, 2])
ZEROS = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])  # zeros among scatter_reduce's sources
MASK = np.array(
    [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
)


def _lib(x):
    return gk if isinstance(x, gk.Tensor) else torch


def _i(x, index):
    return gk.tensor(index) if isinstance(x, gk.Tensor) else torch.tensor(index)


# (id, fn on one library's tensors, input shapes): the same fn runs on both libraries
CASES = [
    ("gather-dim1", lambda x: x.gather(1, _i(x, I_GATHER)), [(3, 4)]),
    ("gather-dim0-smaller", lambda x: _lib(x).gather(x, 0, _i(x, I_GATHER[:2, :2] % 3)), [(3, 4)]),
    ("gather-3d", lambda x: x.gather(-1, _i(x, np.array([[[1, 0]], [[2, 2]]]))), [(2, 3, 3)]),
    ("take_along_dim", lambda x: _lib(x).take_along_dim(x, _i(x, I_GATHER), 1), [(3, 4)]),
    (
        "take_along_dim-broadcast",
        lambda x: x.take_along_dim(_i(x, np.array([[3, 0]])), 1),
        [(3, 4)],
    ),
    (
        "take_along_dim-flat",
        lambda x: _lib(x).take_along_dim(x, _i(x, np.array([7, 0, 7]))),
        [(3, 4)],
    ),
    ("take", lambda x: _lib(x).take(x, _i(x, np.array([[11, -1], [0, 5]]))), [(3, 4)]),
    ("index_select", lambda x: x.index_select(1, _i(x, I_SELECT)), [(3, 4)]),
    ("index_select-dim0", lambda x: _lib(x).index_select(x, 0, _i(x, I_SELECT)), [(3, 4)]),
    ("masked_select", lambda x: x.masked_select(_i(x, MASK)), [(3, 4)]),
    ("masked_select-broadcast", lambda x: _lib(x).masked_select(x, _i(x, MASK)), [(4,)]),
    ("scatter-src", lambda x, s: x.scatter(1, _i(x, I_SCATTER), s), [(2, 4), (2, 3)]),
    ("scatter-src-larger", lambda x, s: x.scatter(1, _i(x, I_SCATTER), s), [(2, 4), (3, 5)]),
    ("scatter-value", lambda x: x.scatter(1, _i(x, I_SCATTER), 0.5), [(2, 4)]),
    (
        "scatter-reduce-add",
        lambda x, s: x.scatter(1, _i(x, I_REPEAT), s, reduce="add"),
        [(2, 4), (2, 3)],
    ),
    ("scatter_add", lambda x, s: x.scatter_add(1, _i(x, I_REPEAT), s), [(2, 4), (2, 3)]),
    (
        "scatter_add-dim0",
        lambda x, s: _lib(x).scatter_add(x, 0, _i(x, I_REPEAT.T % 2), s),
        [(2, 2), (3, 2)],
    ),
    (
        "scatter_reduce-sum",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "sum"),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-sum-noself",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "sum", include_self=False),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-mean",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "mean"),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-mean-noself",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "mean", include_self=False),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-amax",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "amax"),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-amin-noself",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "amin", include_self=False),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-prod",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "prod"),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-prod-noself",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s, "prod", include_self=False),
        [(2, 4), (2, 3)],
    ),
    (
        "scatter_reduce-prod-zeros",
        lambda x, s: x.scatter_reduce(1, _i(x, I_REPEAT), s * _i(x, ZEROS), "prod"),
        [(2, 4), (2, 3)],
    ),
    ("index_add", lambda x, s: x.index_add(1, _i(x, I_SELECT), s), [(3, 4), (3, 3)]),
    (
        "index_add-alpha",
        lambda x, s: _lib(x).index_add(x, 0, _i(x, I_SELECT), s, alpha=-2.0),
        [(3, 4), (3, 4)],
    ),
    ("index_copy", lambda x, s: x.index_copy(1, _i(x, np.array([3, 0])), s), [(3, 4), (3, 2)]),
    ("index_fill", lambda x: x.index_fill(1, _i(x, I_SELECT), -1.5), [(3, 4)]),
    (
        "index_fill-tensor-value",
        lambda x, v: x.index_fill(0, _i(x, np.array([1])), v),
        [(3, 4), ()],
    ),
    ("masked_scatter", lambda x, s: x.masked_scatter(_i(x, MASK), s), [(3, 4), (8,)]),
    (
        "masked_scatter-broadcast",
        lambda x, s: x.masked_scatter(_i(x, MASK[:1]), s),
        [(3, 4), (2, 4)],
    ),
]
IDS = [c[0] for c in CASES]


@requires_torch
@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("name, fn, shapes", CASES, ids=IDS)
def test_torch_parity(name, fn, shapes):
    """T-TENSOR: value, shape, dtype and every input gradient equal PyTorch's."""
    arrays = random_inputs(shapes, seed=21)
    # PyTorch has no gradient for scatter(reduce=) and a broken one when src is larger
    # than index; there only the forward is compared (gradcheck covers the gradient)
    assert_parity(fn, fn, arrays, grad=name not in ("scatter-src-larger", "scatter-reduce-add"))
    ours = fn(*[gk.tensor(a) for a in arrays])
    assert ours.dtype.name == str(fn(*[torch.tensor(a) for a in arrays]).dtype)[6:]


@pytest.mark.parametrize("name, fn, shapes", CASES, ids=IDS)
def test_gradcheck(name, fn, shapes):
    """T-AUTODIFF: gradients match float64 central differences."""
    if "amax" in name or "amin" in name:
        pytest.skip("piecewise: finite differences cross the max; parity covers it")
    arrays = random_inputs(shapes, seed=23)
    assert gradcheck(fn, *[gk.tensor(a) for a in arrays], atol=1e-6, rtol=1e-4)


GRADGRAD = [c for c in CASES if "prod" not in c[0] and "amax" not in c[0] and "amin" not in c[0]]


@pytest.mark.parametrize("name, fn, shapes", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(name, fn, shapes):
    """T-AUTODIFF: their backward is made of indexing ops, so it differentiates again."""
    arrays = random_inputs(shapes, seed=25)
    assert gradgradcheck(lambda *xs: fn(*xs) ** 2, *[gk.tensor(a) for a in arrays],
                         atol=1e-6, rtol=1e-4)  # fmt: skip


def test_scatter_reduce_prod_refuses_double_backward():
    x = gk.tensor([[1.0, 2.0]], requires_grad=True)
    y = x.scatter_reduce(1, gk.tensor([[0, 0]]), x * 3, "prod")
    with pytest.raises(RuntimeError, match="does not support double backward"):
        gk.autograd.grad(y.sum(), [x], create_graph=True)


@requires_torch
@pytest.mark.parametrize("as_tuple", [False, True])
@pytest.mark.parametrize("data", [np.array([[0, 1.5], [2, 0]]), np.array(3.0), np.array(0.0),
                                  np.zeros((2, 0)), np.array([True, False, True])])  # fmt: skip
def test_nonzero_matches_torch(data, as_tuple):
    """T-TENSOR: nonzero/argwhere shapes and int64 dtype, 0-d and empty inputs included."""
    ours = gk.nonzero(gk.tensor(data), as_tuple=as_tuple)
    ref = torch.nonzero(torch.tensor(data), as_tuple=as_tuple)
    if as_tuple:
        assert len(ours) == len(ref)
        for o, r in zip(ours, ref):
            assert o.dtype == np.int64 and o.tolist() == r.tolist()
    else:
        assert ours.shape == tuple(ref.shape) and ours.dtype == np.int64
        assert ours.tolist() == ref.tolist()
        assert gk.argwhere(gk.tensor(data)).tolist() == torch.argwhere(torch.tensor(data)).tolist()


def test_integer_scatters_and_gathers():
    """T-TENSOR: integer tensors gather, scatter and reduce without a graph, keeping dtype."""
    x = gk.tensor([5, 7, 9])
    idx = gk.tensor([0, 0, 1])
    src = gk.tensor([2, 3, 4])
    assert x.scatter_reduce(0, idx, src, "mean").tolist() == [3, 5, 9]  # PyTorch rounds down
    assert x.scatter_reduce(0, idx, -src, "mean", include_self=False).tolist() == [-3, -4, 9]
    assert x.scatter_add(0, idx, src).tolist() == [10, 11, 9]
    assert x.gather(0, gk.tensor([2, 2])).dtype == np.int64


# ---------------------------------------------------------------- in-place forms
INPLACE = [
    ("scatter_", lambda t, s: t.scatter_(1, gk.tensor(I_SCATTER), s), "scatter"),
    ("scatter_-value", lambda t, s: t.scatter_(1, gk.tensor(I_SCATTER), 2.5), "scatter"),
    (
        "scatter_-reduce",
        lambda t, s: t.scatter_(1, gk.tensor(I_REPEAT), s, reduce="multiply"),
        "scatter",
    ),
    ("scatter_add_", lambda t, s: t.scatter_add_(1, gk.tensor(I_REPEAT), s), "scatter_add"),
    (
        "scatter_reduce_",
        lambda t, s: t.scatter_reduce_(1, gk.tensor(I_REPEAT), s, "amax"),
        "scatter_reduce",
    ),
    ("index_add_", lambda t, s: t.index_add_(1, gk.tensor([2, 0, 2]), s, alpha=2), "index_add"),
    ("index_copy_", lambda t, s: t.index_copy_(1, gk.tensor([3, 1, 0]), s), "index_copy"),
    ("index_fill_", lambda t, s: t.index_fill_(1, gk.tensor([3, 1]), -7.0), "index_fill"),
    ("masked_scatter_", lambda t, s: t.masked_scatter_(gk.tensor(MASK[:2]), s), "masked_scatter"),
]


def _out_of_place(name):
    return {
        "scatter_": lambda t, s: t.scatter(1, gk.tensor(I_SCATTER), s),
        "scatter_-value": lambda t, s: t.scatter(1, gk.tensor(I_SCATTER), 2.5),
        "scatter_-reduce": lambda t, s: t.scatter(1, gk.tensor(I_REPEAT), s, reduce="multiply"),
        "scatter_add_": lambda t, s: t.scatter_add(1, gk.tensor(I_REPEAT), s),
        "scatter_reduce_": lambda t, s: t.scatter_reduce(1, gk.tensor(I_REPEAT), s, "amax"),
        "index_add_": lambda t, s: t.index_add(1, gk.tensor([2, 0, 2]), s, alpha=2),
        "index_copy_": lambda t, s: t.index_copy(1, gk.tensor([3, 1, 0]), s),
        "index_fill_": lambda t, s: t.index_fill(1, gk.tensor([3, 1]), -7.0),
        "masked_scatter_": lambda t, s: t.masked_scatter(gk.tensor(MASK[:2]), s),
    }[name]


def _data():
    x, s = random_inputs([(2, 4), (2, 3)], seed=27)
    return x, s


@pytest.mark.parametrize("name, call, _", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_under_no_grad_mutates_and_bumps_version(name, call, _):
    """T-TENSOR: the storage changes (views see it), the result is the tensor itself and
    equals the out-of-place op; the version counter moves."""
    x, s = _data()
    expected = _out_of_place(name)(gk.tensor(x), gk.tensor(s)).numpy()
    t = gk.tensor(x.copy(), requires_grad=True)
    with gk.no_grad():
        view = t[0]
        before = t._version
        out = call(t, gk.tensor(s))
    assert out is t and t._version > before
    # the in-place sums add into x directly, the out-of-place ones add a scattered sum
    np.testing.assert_allclose(t.detach().numpy(), expected, rtol=1e-15, atol=1e-15)
    np.testing.assert_array_equal(view.numpy(), t.detach().numpy()[0])


@pytest.mark.parametrize("name, call, _", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_on_leaf_requiring_grad_is_refused(name, call, _):
    x, s = _data()
    with pytest.raises(RuntimeError, match="leaf"):
        call(gk.tensor(x, requires_grad=True), gk.tensor(s))


@pytest.mark.parametrize("name, call, _", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_on_non_leaf_is_differentiable(name, call, _):
    """T-AUTODIFF: on a non-leaf the change is recorded; gradients to the original input
    and to the source equal those of the out-of-place op."""
    x, s = _data()

    def via_inplace(a, b):
        t = a * 1.0
        call(t, b)
        return t

    assert gradcheck(via_inplace, gk.tensor(x), gk.tensor(s), atol=1e-6, rtol=1e-4)
    a, b = gk.tensor(x, requires_grad=True), gk.tensor(s, requires_grad=True)
    up = np.random.default_rng(3).standard_normal((2, 4))
    via_inplace(a, b).backward(up)
    a2, b2 = gk.tensor(x, requires_grad=True), gk.tensor(s, requires_grad=True)
    _out_of_place(name)(a2 * 1.0, b2).backward(up)
    np.testing.assert_allclose(a.grad.numpy(), a2.grad.numpy())
    if b2.grad is not None:
        np.testing.assert_allclose(b.grad.numpy(), b2.grad.numpy())


def test_inplace_scatter_on_a_view_rewrites_the_base():
    """T-AUTODIFF: an in-place scatter into a view of a non-leaf reaches the base's graph."""
    a = gk.tensor(np.arange(8.0).reshape(2, 4), requires_grad=True)
    b = a * 2.0
    b[1].scatter_(0, gk.tensor([0, 3]), gk.tensor([100.0, 200.0], dtype=gk.float64))
    assert b.tolist() == [[0, 2, 4, 6], [100, 10, 12, 200]]
    b.sum().backward()
    assert a.grad.tolist() == [[2, 2, 2, 2], [0, 2, 2, 0]]


def test_saved_tensor_changed_in_place_is_detected():
    """T-CACHE: an in-place index_fill_ of a tensor an earlier op saved makes backward
    refuse, naming the in-place change."""
    a = gk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 1.0
    c = b * b  # saves b
    b.index_fill_(0, gk.tensor([1]), 0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda x: x.gather(1, gk.tensor([[0, 4]])),
            RuntimeError,
            "index 4 is out of bounds for dimension 1 with size 4",
        ),
        (lambda x: x.gather(1, gk.tensor([[-1, 0]])), RuntimeError, "index -1 is out of bounds"),
        (lambda x: x.gather(1, gk.tensor([0, 1])), RuntimeError, "same number of dimensions"),
        (lambda x: x.gather(1, gk.tensor([[0], [1], [0]])), RuntimeError, "no larger than self"),
        (
            lambda x: x.gather(2, gk.tensor([[0]])),
            IndexError,
            r"Dimension out of range .*but got 2",
        ),
        (lambda x: x.gather(1, gk.tensor([[0.5]])), RuntimeError, "Expected dtype int64 for index"),
        (
            lambda x: x.scatter(1, gk.tensor([[0, 1]]), gk.ones((1, 1))),
            RuntimeError,
            "no larger than src",
        ),
        (
            lambda x: x.scatter(1, gk.tensor([[0]]), gk.ones((1, 1), dtype=gk.float64)),
            RuntimeError,
            "dtype",
        ),
        (
            lambda x: x.scatter_reduce(1, gk.tensor([[0]]), gk.ones((1, 1)), "max"),
            RuntimeError,
            "reduce argument",
        ),
        (lambda x: x.index_select(1, gk.tensor([4])), IndexError, "index 4 is out of range"),
        (lambda x: x.index_select(1, gk.tensor([[0]])), IndexError, "vector"),
        (lambda x: x.index_add(0, gk.tensor([0]), gk.ones((2, 4))), RuntimeError, "does not match"),
        (
            lambda x: x.index_fill(0, gk.tensor([0]), gk.ones(2)),
            RuntimeError,
            "0-dimensional value",
        ),
        (lambda x: x.masked_select(gk.tensor([1, 0, 1, 0])), RuntimeError, "expected BoolTensor"),
        (
            lambda x: x.masked_scatter(gk.ones((2, 4)).bool(), gk.ones(3)),
            RuntimeError,
            "Number of elements of source",
        ),
        (lambda x: x.take(gk.tensor([8])), IndexError, "tried to access index 8 on a tensor of 8"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(gk.zeros((2, 4)))


def test_0d_gather_and_index_ops():
    x = gk.tensor(3.0, requires_grad=True)
    y = x.gather(0, gk.tensor(0))
    assert y.shape == () and y.item() == 3.0
    y.backward()
    assert x.grad.item() == 1.0
    assert gk.tensor(3.0).scatter(0, gk.tensor(0), 5.0).item() == 5.0
