"""Options, boundary inputs and errors of the gathers and scatters (concepts T-TENSOR,
T-AUTODIFF): tied maxima sharing the gradient, products with zero contributors,
``value=`` with ``reduce=``, 0-d inputs and 0-d indices, broadcasting masks and indices,
and errors that name the op. Values and every input gradient (under a random upstream
gradient) against PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops.index import take_distinct

torch = pytest.importorskip("torch")


def _run(lib, fn, arrays):
    """fn on lib's tensors (float arrays require grad); (value, grads) as arrays."""
    ins = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *ins)
    up = (
        np.random.default_rng(5)
        .standard_normal(tuple(out.shape))
        .astype(out.detach().numpy().dtype)
    )
    out.backward(lib.tensor(up))
    grads = [None if t.grad is None else t.grad.numpy() for t in ins if t.requires_grad]
    return out.detach().numpy(), grads


def _same(fn, *arrays, rtol=1e-12):
    ours, theirs = _run(gk, fn, arrays), _run(torch, fn, arrays)
    assert ours[0].shape == theirs[0].shape
    assert ours[0].dtype == theirs[0].dtype
    np.testing.assert_allclose(ours[0], theirs[0], rtol=rtol, atol=rtol)
    for a, b in zip(ours[1], theirs[1]):
        b = np.zeros_like(a) if b is None else b
        assert a is not None and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


# ---------------------------------------------------------------- scatter_reduce
TIE_X = np.array([[2.0, 1.0, 5.0, 0.5], [0.0, 3.0, 3.0, 1.0]])
TIE_SRC = np.array([[2.0, 2.0, 3.0, 1.0], [3.0, 3.0, 0.0, 7.0]])
TIE_IDX = [[0, 0, 2, 1], [1, 1, 0, 3]]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["amax", "amin", "mean", "sum"])
def test_t_autodiff_scatter_reduce_ties_share_the_gradient(reduce, include_self, dtype):
    """T-AUTODIFF: contributors tied at the max/min (x among them when include_self)
    split the gradient evenly, as PyTorch; mean divides by the contributor count.
    Without self, x is moved away from the results: PyTorch then still counts an x
    equal to the result as a tie (see the next test)."""
    _same(
        lambda L, x, s: x.scatter_reduce(
            1, L.tensor(TIE_IDX), s, reduce, include_self=include_self
        ),
        (TIE_X if include_self else TIE_X - 50.0).astype(dtype),
        TIE_SRC.astype(dtype),
        rtol=1e-12 if dtype == np.float64 else 1e-6,
    )


def test_t_autodiff_scatter_reduce_excluded_self_takes_no_share_of_a_tie():
    """T-AUTODIFF: with include_self=False only the src contributors share a tie, so the
    gradient sums to the upstream one (closed form). PyTorch 2.13 also counts an x equal
    to the result, and hands src 1/3 each here: gradkit keeps the true subgradient."""
    x = gk.tensor([2.0, 7.0], requires_grad=True)
    s = gk.tensor([2.0, 2.0, 1.0], requires_grad=True)
    y = x.scatter_reduce(0, gk.tensor([0, 0, 1]), s, "amax", include_self=False)
    assert y.tolist() == [2.0, 1.0]
    y.backward(gk.tensor([6.0, 10.0]))
    assert s.grad.tolist() == [3.0, 3.0, 10.0] and x.grad.tolist() == [0.0, 0.0]


PROD_X = np.array([[0.0, 2.0, 3.0, 4.0], [1.0, 5.0, 0.0, 2.0], [0.0, 1.0, 1.5, 1.0]])
PROD_SRC = np.array([[0.0, 3.0, 2.0], [4.0, 0.0, 0.0], [3.0, 2.0, 0.5]])
PROD_IDX = [[0, 0, 1], [2, 2, 3], [0, 0, 3]]


@pytest.mark.parametrize("include_self", [True, False])
def test_t_autodiff_scatter_reduce_prod_with_zero_contributors(include_self):
    """T-AUTODIFF: a product with one zero contributor sends the others' product to the
    zero and 0 elsewhere; two zeros send 0 everywhere (zeros in x and in src)."""
    _same(
        lambda L, x, s: x.scatter_reduce(
            1, L.tensor(PROD_IDX), s, "prod", include_self=include_self
        ),
        PROD_X,
        PROD_SRC,
    )


def test_t_autodiff_scatter_reduce_gradient_to_src_alone():
    """T-AUTODIFF: only src requiring grad (x constant) for every reduction."""
    for reduce in ("sum", "prod", "mean", "amax"):
        for lib in (gk, torch):
            x = lib.tensor(PROD_X)
            s = lib.tensor(PROD_SRC + 1.0, requires_grad=True)
            x.scatter_reduce(1, lib.tensor(PROD_IDX), s, reduce).sum().backward()
            if lib is gk:
                ours = s.grad.numpy()
            else:
                np.testing.assert_allclose(ours, s.grad.numpy(), rtol=1e-12)


def test_t_tensor_integer_scatter_reduce_amax_amin_without_self():
    x = np.array([5, -7, 9], dtype=np.int64)
    src = np.array([2, -3, 4, 1], dtype=np.int64)
    idx = [0, 0, 1, 1]
    for reduce in ("amax", "amin", "prod", "mean"):
        ours = gk.tensor(x).scatter_reduce(
            0, gk.tensor(idx), gk.tensor(src), reduce, include_self=False
        )
        ref = torch.tensor(x).scatter_reduce(
            0, torch.tensor(idx), torch.tensor(src), reduce, include_self=False
        )
        assert ours.tolist() == ref.tolist() and ours.dtype == np.int64


# ---------------------------------------------------------------- scatter options
IDX = [[0, 0, 2], [3, 3, 3]]


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("reduce", ["multiply", "add"])
def test_t_tensor_scatter_value_with_reduce(reduce):
    """T-TENSOR: a scalar value combined with reduce= (PyTorch's scatter(value, reduce))."""
    x = np.random.default_rng(1).standard_normal((2, 4)).astype(np.float32)
    ours = gk.tensor(x).scatter(1, gk.tensor(IDX), 2.5, reduce=reduce)
    ref = torch.tensor(x).scatter(1, torch.tensor(IDX), 2.5, reduce=reduce)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)
    ours = gk.tensor(x).scatter(1, gk.tensor(IDX), value=2.5, reduce=reduce)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)


def test_t_tensor_scatter_value_keyword():
    _same(lambda L, x: x.scatter(1, L.tensor([[2, 0], [1, 3]]), value=-1.5), np.ones((2, 4)))
    with pytest.raises(TypeError, match="src .* or value"):
        gk.ones((2, 4)).scatter(1, gk.tensor([[0]]))


def test_t_tensor_scalar_written_into_an_integer_tensor_is_truncated():
    for lib in (gk, torch):
        x = lib.zeros((2, 2), dtype=lib.int64)
        a = x.index_fill(0, lib.tensor([1]), 2.7)
        b = x.scatter(0, lib.tensor([[1, 0]]), 2.7)
        assert a.tolist() == [[0, 0], [2, 2]] and b.tolist() == [[0, 2], [2, 0]]
        assert str(a.dtype).endswith("int64") and str(b.dtype).endswith("int64")


# ---------------------------------------------------------------- 0-d tensors and indices
def test_t_tensor_zero_d_index_on_a_vector_counts_as_1d():
    """T-TENSOR: PyTorch treats a 0-d index like a 1-element vector."""
    v, s = np.array([1.0, 2.0, 3.0]), np.array(5.0)
    _same(lambda L, x: L.gather(x, 0, L.tensor(1)), v)
    _same(lambda L, x, y: x.scatter(0, L.tensor(1), y), v, s)
    _same(lambda L, x, y: x.scatter_add(0, L.tensor(2), y), v, s)
    _same(lambda L, x, y: x.scatter_reduce(0, L.tensor(2), y, "amax"), v, s)
    _same(lambda L, x: x.scatter(0, L.tensor(0), 4.0), v)
    _same(lambda L, x: x.reshape(1, 3).index_select(0, L.tensor(0)), v)
    _same(lambda L, x: x.reshape(3, 1).index_fill(1, L.tensor(0), 3.0), v)


def test_t_tensor_zero_d_inputs():
    """T-TENSOR: 0-d x behaves as shape (1,) and the result is 0-d again."""
    a, s = np.array(3.0), np.array(4.0)
    _same(lambda L, x, y: x.scatter(0, L.tensor(0), y), a, s)
    _same(lambda L, x, y: x.scatter(0, L.tensor([0]), y.reshape(1)), a, s)
    _same(lambda L, x, y: x.scatter_add(0, L.tensor(0), y), a, s)
    _same(lambda L, x, y: x.scatter_reduce(0, L.tensor(0), y, "sum", include_self=False), a, s)
    _same(lambda L, x: x.scatter(0, L.tensor(0), 2.0), a)
    _same(lambda L, x: L.gather(x, 0, L.tensor([0])), a)
    _same(lambda L, x: x.masked_select(L.tensor(True)), a)
    _same(lambda L, x, y: x.masked_scatter(L.tensor(True), y.reshape(1)), a, s)
    _same(lambda L, x: x.index_select(0, L.tensor([0])), a)
    _same(lambda L, x, y: x.index_copy(0, L.tensor([0]), y.reshape(1)), a, s)
    _same(lambda L, x, y: x.index_copy(0, L.tensor([0]), y), a, s)
    _same(lambda L, x, y: x.index_add(0, L.tensor([0]), y), a, s)
    _same(lambda L, x: x.index_fill(0, L.tensor([0]), 3.0), a)
    for call, message in (
        (lambda L, x: L.gather(x, 0, L.tensor(1)), "gather"),
        (lambda L, x: x.scatter(0, L.tensor(1), 2.0), "scatter"),
        (lambda L, x: x.index_select(0, L.tensor([1])), "index_select"),
    ):
        with pytest.raises((RuntimeError, IndexError), match=rf"^{message}\(\): index 1 "):
            call(gk, gk.tensor(3.0))
        with pytest.raises((RuntimeError, IndexError)):
            call(torch, torch.tensor(3.0))


# ---------------------------------------------------------------- shapes and broadcasting
M = np.random.default_rng(2).standard_normal((3, 4))


@pytest.mark.parametrize(
    "fn, arrays",
    [
        (lambda L, x: L.gather(x, 1, L.tensor([[0, 1, 2, 3, 0, 1]])), [M]),  # longer along dim
        (lambda L, x: L.take(x, L.tensor([-12, 11, -1])), [M]),
        (lambda L, x: L.take_along_dim(x, L.tensor([[1, 5], [7, 0]])), [M]),  # flattened
        (lambda L, x: L.take_along_dim(x[:1], L.tensor([[1, 0], [3, 3], [2, 2]]), 1), [M]),
        (
            lambda L, x: L.take_along_dim(
                x.reshape(1, 3, 4), L.tensor([[[1], [0]], [[2], [2]]]), 1
            ),
            [M],
        ),
        (lambda L, x: x.masked_select(L.tensor([True, False, True, True])), [M]),
        (lambda L, x, s: x[0].masked_scatter(L.tensor(M > 0), s), [M, M]),
        (
            lambda L, x, s: x.masked_scatter(L.tensor(M > 0), s.reshape(-1)[: int((M > 0).sum())]),
            [M, M],
        ),
        (lambda L, x, s: x.index_copy(0, L.tensor([2, 0]), s[:2]), [M, M]),
        (lambda L, x: x.index_select(0, L.tensor([], dtype=L.int64)), [M]),
        (lambda L, x, s: x.index_add(1, L.tensor([1]), s[:, :1], alpha=3), [M, M]),
    ],
)
def test_t_tensor_shapes_and_broadcasting_match_torch(fn, arrays):
    _same(fn, *arrays)


def test_t_tensor_masked_select_of_a_vector():
    _same(lambda L, v: v.masked_select(L.tensor([True, False, True, True])), M[0])


def test_t_tensor_scalar_out_of_an_integer_dtypes_range_is_refused():
    for lib, error in ((gk, OverflowError), (torch, RuntimeError)):
        for call in (
            lambda x, L=lib: x.scatter(0, L.tensor([1]), 300),
            lambda x, L=lib: x.index_fill(0, L.tensor([1]), 300),
        ):
            with pytest.raises(error, match="int8"):
                call(lib.zeros(3, dtype=lib.int8))


def test_t_tensor_index_from_a_list_or_array():
    """Python lists and NumPy arrays work as index and mask (an empty list is an empty
    integer index)."""
    x = gk.tensor(M)
    assert x.index_select(0, []).shape == (0, 4)
    mask = M > 0
    want = M[mask]
    np.testing.assert_array_equal(x.masked_select(mask).numpy(), want)
    np.testing.assert_array_equal(x.masked_select(mask.tolist()).numpy(), want)
    np.testing.assert_array_equal(
        x.gather(1, [[1], [0], [3]]).numpy()[:, 0], M[[0, 1, 2], [1, 0, 3]]
    )


def test_t_tensor_index_fill_value_tensor_of_another_dtype():
    """T-TENSOR: a float64 0-d value into a float32 tensor keeps float32 (PyTorch)."""
    ours = gk.zeros((2, 2)).index_fill(0, gk.tensor([1]), gk.tensor(2.5, dtype=gk.float64))
    ref = torch.zeros(2, 2).index_fill(0, torch.tensor([1]), torch.tensor(2.5, dtype=torch.float64))
    assert ours.dtype == np.float32 and ours.tolist() == ref.tolist()


def test_t_autodiff_take_distinct_is_gather():
    """T-AUTODIFF: the gather for distinct indices (sort orders) equals torch.gather."""
    order = np.argsort(M, axis=1)
    for lib in (gk, torch):
        x = lib.tensor(M, requires_grad=True)
        y = take_distinct(x, 1, order) if lib is gk else torch.gather(x, 1, torch.tensor(order))
        up = np.random.default_rng(3).standard_normal(M.shape)
        y.backward(lib.tensor(up))
        if lib is gk:
            ours = (y.detach().numpy(), x.grad.numpy())
    np.testing.assert_array_equal(ours[0], y.detach().numpy())
    np.testing.assert_array_equal(ours[1], x.grad.numpy())


# ---------------------------------------------------------------- errors
def _f(lib, *shape):
    return lib.zeros(shape)


ERRORS = [
    ("gather", lambda L: L.gather(_f(L, 2, 4), 1, L.tensor([[0.5]])), "gather()"),
    (
        "gather",
        lambda L: L.gather(_f(L, 2, 4), 1, L.tensor([[4]])),
        "gather(): index 4 is out of bounds for dimension 1 with size 4",
    ),
    (
        "gather",
        lambda L: L.gather(_f(L, 2, 4), 1, L.tensor([[0], [1], [0]])),
        "gather(): Expected index",
    ),
    ("gather", lambda L: L.gather(_f(L, 2, 4), 1, L.tensor([0, 1, 0])), "gather(): Index tensor"),
    ("take", lambda L: L.take(_f(L, 2, 4), L.tensor([0.5])), "take()"),
    ("take", lambda L: L.take(_f(L, 2, 4), L.tensor([-9, 0])), "index -9 on a tensor of 8"),
    ("take", lambda L: L.take(_f(L, 2, 4), L.tensor([0, 8])), "index 8 on a tensor of 8"),
    ("take", lambda L: L.take(_f(L, 2, 4), L.tensor([-8, 9])), "index 9 on a tensor of 8"),
    (
        "take_along_dim",
        lambda L: L.take_along_dim(_f(L, 2, 4), L.tensor([[0.5]]), 1),
        "take_along_dim()",
    ),
    ("scatter", lambda L: _f(L, 2, 4).scatter(1, L.tensor([[0.5]]), 1.0), "scatter()"),
    (
        "scatter",
        lambda L: _f(L, 2, 4).scatter(1, L.tensor([[0.5]]), 1.0, reduce="add"),
        "scatter()",
    ),
    (
        "scatter",
        lambda L: _f(L, 2, 4).scatter(1, L.tensor([[5]]), 1.0),
        "scatter(): index 5 is out of bounds for dimension 1 with size 4",
    ),
    (
        "scatter",
        lambda L: _f(L, 2, 4).scatter(1, L.tensor([[0]]), L.ones((1, 1), dtype=L.float64)),
        "scatter(): Expected self.dtype to be equal to src.dtype",
    ),
    (
        "scatter",
        lambda L: _f(L, 3).scatter(0, L.tensor([0, 1]), L.tensor(5.0)),
        "scatter(): Expected index",
    ),
    (
        "scatter_add",
        lambda L: _f(L, 2, 4).scatter_add(1, L.tensor([[0.5]]), L.ones((1, 1))),
        "scatter_add()",
    ),
    (
        "scatter_add",
        lambda L: _f(L, 2, 4).scatter_add(0, L.tensor([[3]]), L.ones((1, 1))),
        "scatter_add(): index 3 is out of bounds for dimension 0 with size 2",
    ),
    (
        "scatter_reduce",
        lambda L: _f(L, 2, 4).scatter_reduce(1, L.tensor([[0.5]]), L.ones((1, 1)), "sum"),
        "scatter_reduce()",
    ),
    ("index_select", lambda L: _f(L, 2, 4).index_select(1, L.tensor([0.5])), "index_select()"),
    (
        "index_select",
        lambda L: _f(L, 2, 4).index_select(1, L.tensor([0, -1])),
        "index_select(): index -1 is out of range",
    ),
    (
        "index_select",
        lambda L: _f(L, 2, 4).index_select(1, L.tensor([4, 0])),
        "index_select(): index 4 is out of range",
    ),
    (
        "index_add",
        lambda L: _f(L, 2, 4).index_add(0, L.tensor([0.5]), L.ones((1, 4))),
        "index_add()",
    ),
    (
        "index_add",
        lambda L: _f(L, 2, 4).index_add(0, L.tensor([0]), L.ones((1, 4), dtype=L.float64)),
        "index_add(): Expected self.dtype to be equal to source.dtype",
    ),
    (
        "index_add",
        lambda L: _f(L, 2).index_add(0, L.tensor([0, 1]), L.tensor(5.0)),
        "index_add(): source of shape",
    ),
    (
        "index_add",
        lambda L: _f(L, 3, 4).index_add(0, L.tensor([1]), L.tensor(5.0)),
        "index_add(): source of shape",
    ),
    (
        "index_copy",
        lambda L: _f(L, 2, 4).index_copy(0, L.tensor([0.5]), L.ones((1, 4))),
        "index_copy()",
    ),
    (
        "index_copy",
        lambda L: _f(L, 2, 4).index_copy(0, L.tensor([0]), L.ones((2, 4))),
        "index_copy(): source of shape",
    ),
    (
        "index_copy",
        lambda L: _f(L, 2, 4).index_copy(0, L.tensor([0]), L.ones((1, 4), dtype=L.float64)),
        "index_copy(): Expected self.dtype to be equal to source.dtype",
    ),
    ("index_fill", lambda L: _f(L, 2, 4).index_fill(0, L.tensor([0.5]), 1.0), "index_fill()"),
    (
        "masked_select",
        lambda L: _f(L, 2, 4).masked_select(L.tensor([1, 0, 1, 0])),
        "masked_select: expected BoolTensor",
    ),
    (
        "masked_select",
        lambda L: _f(L, 2, 4).masked_select(L.tensor([True, False])),
        "masked_select: mask of shape",
    ),
    (
        "masked_scatter",
        lambda L: _f(L, 2, 4).masked_scatter(L.tensor([1, 0, 1, 0]), L.ones(8)),
        "masked_scatter: expected BoolTensor",
    ),
    (
        "masked_scatter",
        lambda L: _f(L, 2, 4).masked_scatter(L.tensor([True, False]), L.ones(8)),
        "masked_scatter: mask of shape",
    ),
    (
        "masked_scatter",
        lambda L: _f(L, 2, 4).masked_scatter(L.ones((2, 4)).bool(), L.ones(8, dtype=L.float64)),
        "masked_scatter(): Expected self.dtype to be equal to source.dtype",
    ),
    (
        "masked_scatter",
        lambda L: _f(L, 2, 4).masked_scatter(L.ones((2, 4)).bool(), L.ones(7)),
        "masked_scatter: Number of elements of source (7) < number of ones in mask (8)",
    ),
]


@pytest.mark.parametrize("op, call, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_t_tensor_errors_name_the_op_and_the_problem(op, call, message):
    """Bad arguments raise where PyTorch raises, with a message naming the op."""
    with pytest.raises((RuntimeError, IndexError)) as ours:
        call(gk)
    text = str(ours.value)
    assert message in text and (op == "take" or text.startswith(op)), text
    with pytest.raises((RuntimeError, IndexError)):
        call(torch)


def test_t_tensor_masked_scatter_source_of_exactly_the_mask_count():
    x = gk.zeros((2, 4))
    mask = gk.tensor([[True, False, True, False], [False, True, True, True]])
    out = x.masked_scatter(mask, gk.arange(5.0))
    assert out.tolist() == [[0, 0, 1, 0], [0, 2, 3, 4]]
    with pytest.raises(RuntimeError, match="masked_scatter_: mask of shape"):
        gk.zeros(4).masked_scatter_(gk.tensor(M > 0), gk.ones(12))
