"""Options of the in-place gathers and scatters (concepts T-TENSOR, T-AUTODIFF):
``scatter_(value=, reduce=)``, ``scatter_reduce_(include_self=False)``, ``index_add_``
with and without ``alpha``, tensor values of ``index_fill_``, broadcast masks of
``masked_scatter_``, 0-d tensors — the storage written under ``no_grad`` and the
gradients through a non-leaf, against PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

X = np.random.default_rng(51).standard_normal((3, 4))
S = np.random.default_rng(52).standard_normal((3, 4))
IDX = [[0, 0, 2], [3, 1, 3]]
MASK = [[True, False, True, True], [False, False, True, False], [True, True, False, False]]

CASES = {
    "scatter_src": lambda L, t, s: t.scatter_(1, L.tensor([[2, 0], [1, 3]]), s[:2, :2]),
    "scatter_value_kw": lambda L, t, s: t.scatter_(0, L.tensor([[2, 0, 1, 1]]), value=-3.5),
    "scatter_value_add": lambda L, t, s: t.scatter_(1, L.tensor(IDX), 1.5, reduce="add"),
    "scatter_src_multiply": lambda L, t, s: t.scatter_(
        1, L.tensor(IDX), s[:2, :3], reduce="multiply"
    ),
    "scatter_add_": lambda L, t, s: t.scatter_add_(0, L.tensor([[2, 2, 0, 1]]), s[:1]),
    "scatter_reduce_sum_noself": lambda L, t, s: t.scatter_reduce_(
        1, L.tensor(IDX), s[:2, :3], "sum", include_self=False
    ),
    "scatter_reduce_mean": lambda L, t, s: t.scatter_reduce_(1, L.tensor(IDX), s[:2, :3], "mean"),
    "scatter_reduce_prod_noself": lambda L, t, s: t.scatter_reduce_(
        1, L.tensor(IDX), s[:2, :3], "prod", include_self=False
    ),
    "index_add_": lambda L, t, s: t.index_add_(0, L.tensor([2, 0, 2]), s),
    "index_add_alpha": lambda L, t, s: t.index_add_(1, L.tensor([3, 3]), s[:, :2], alpha=-2.0),
    "index_copy_dim0": lambda L, t, s: t.index_copy_(0, L.tensor([2, 0]), s[:2]),
    "index_fill_tensor": lambda L, t, s: t.index_fill_(1, L.tensor([0, 2]), s[0, 0]),
    "index_fill_number": lambda L, t, s: t.index_fill_(0, L.tensor([1]), 4.25),
    "masked_scatter_": lambda L, t, s: t.masked_scatter_(L.tensor(MASK), s),
    "masked_scatter_broadcast": lambda L, t, s: t.masked_scatter_(L.tensor(MASK[0]), s),
}


def _no_grad(lib, fn):
    t = lib.tensor(X.copy())
    view = t[1:]
    with lib.no_grad():
        out = fn(lib, t, lib.tensor(S))
    assert out is t
    return t.numpy().copy(), view.numpy().copy()


def _through_non_leaf(lib, fn):
    x = lib.tensor(X, requires_grad=True)
    s = lib.tensor(S, requires_grad=True)
    t = x * 1.0
    fn(lib, t, s)
    t.backward(lib.tensor(np.random.default_rng(9).standard_normal(X.shape)))
    return (
        t.detach().numpy(),
        x.grad.numpy(),
        np.zeros(S.shape) if s.grad is None else s.grad.numpy(),
    )


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("name", list(CASES))
def test_t_tensor_inplace_index_ops_write_the_storage_like_torch(name):
    for a, b in zip(_no_grad(gk, CASES[name]), _no_grad(torch, CASES[name])):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", [n for n in CASES if "multiply" not in n and "add" != n[-3:]])
def test_t_autodiff_inplace_index_ops_through_a_non_leaf_match_torch(name):
    if name == "scatter_value_add":
        pytest.skip("PyTorch has no gradient for scatter(reduce=)")
    for a, b in zip(_through_non_leaf(gk, CASES[name]), _through_non_leaf(torch, CASES[name])):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_t_tensor_inplace_index_ops_on_0d_tensors():
    for lib in (gk, torch):
        t = lib.tensor(2.0)
        t.scatter_(0, lib.tensor(0), lib.tensor(5.0))
        t.scatter_add_(0, lib.tensor(0), lib.tensor(1.5))
        t.index_add_(0, lib.tensor([0]), lib.tensor(0.25), alpha=2)
        t.index_fill_(0, lib.tensor([0]), lib.tensor(t.item() + 1.0))
        t.masked_scatter_(lib.tensor(True), lib.tensor([t.item() * 2.0, 0.0]))
        t.index_copy_(0, lib.tensor([0]), lib.tensor([t.item() - 1.0]))
        assert t.shape == () and t.item() == 15.0


def test_t_tensor_inplace_index_ops_need_src_or_value():
    with pytest.raises(TypeError, match="scatter_\\(\\) needs src"):
        gk.zeros((2, 2)).scatter_(0, gk.tensor([[0]]))
    with pytest.raises(RuntimeError, match="masked_scatter_: mask of shape"):
        gk.zeros(4).masked_scatter_(gk.tensor([MASK[0]] * 2), gk.ones(8))


OPS = {
    "scatter_": lambda L, t, s: t.scatter_(1, L.tensor([[2, 0], [1, 3]]), s[:2, :2]),
    "scatter_add_": lambda L, t, s: t.scatter_add_(0, L.tensor([[2, 2, 0, 1]]), s[:1]),
    "scatter_reduce_": lambda L, t, s: t.scatter_reduce_(1, L.tensor(IDX), s[:2, :3], "amax"),
    "index_add_": lambda L, t, s: t.index_add_(0, L.tensor([2, 0, 2]), s, alpha=0.5),
    "index_copy_": lambda L, t, s: t.index_copy_(0, L.tensor([2, 0]), s[:2]),
    "index_fill_": lambda L, t, s: t.index_fill_(1, L.tensor([0, 2]), s[1, 1]),
    "masked_scatter_": lambda L, t, s: t.masked_scatter_(L.tensor(MASK), s),
}


@pytest.mark.parametrize("name", list(OPS))
def test_t_autodiff_inplace_into_a_constant_records_the_source(name):
    """T-AUTODIFF: writing a source that requires grad into a tensor that does not makes
    the tensor require grad, and the source gets its gradient (PyTorch)."""
    res = []
    for lib in (gk, torch):
        t = lib.tensor(X.copy())
        s = lib.tensor(S, requires_grad=True)
        OPS[name](lib, t, s)
        assert t.requires_grad
        t.backward(lib.tensor(np.random.default_rng(4).standard_normal(X.shape)))
        res.append((t.detach().numpy(), s.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", list(OPS))
def test_t_tensor_inplace_errors_name_the_op(name):
    """A float index and a leaf that requires grad are refused, naming the in-place op."""
    bad_index = {
        "scatter_": lambda L, t, s: t.scatter_(1, L.tensor([[0.5]]), s[:1, :1]),
        "scatter_add_": lambda L, t, s: t.scatter_add_(1, L.tensor([[0.5]]), s[:1, :1]),
        "scatter_reduce_": lambda L, t, s: t.scatter_reduce_(
            1, L.tensor([[0.5]]), s[:1, :1], "sum"
        ),
        "index_add_": lambda L, t, s: t.index_add_(0, L.tensor([0.5]), s[:1]),
        "index_copy_": lambda L, t, s: t.index_copy_(0, L.tensor([0.5]), s[:1]),
        "index_fill_": lambda L, t, s: t.index_fill_(0, L.tensor([0.5]), 1.0),
        "masked_scatter_": lambda L, t, s: t.masked_scatter_(L.tensor([[1, 0, 1, 0]]), s),
    }[name]
    with pytest.raises(RuntimeError, match=f"^{name.rstrip('_')}"):
        bad_index(gk, gk.tensor(X.copy()), gk.tensor(S))
    with pytest.raises(RuntimeError, match=f"^{name}: In-place operation on a leaf"):
        OPS[name](gk, gk.tensor(X, requires_grad=True), gk.tensor(S))


@pytest.mark.parametrize("name", ["index_add_", "index_copy_"])
def test_t_tensor_inplace_source_shape_and_dtype_are_checked(name):
    """A source that would broadcast over the slices, or of another dtype, is refused
    (PyTorch too) before anything is written."""
    for lib in (gk, torch):
        t = lib.zeros((2, 4))
        call = getattr(t, name)
        with pytest.raises((RuntimeError, IndexError)):
            call(0, lib.tensor([0, 1]), lib.ones((1, 4)))
        with pytest.raises((RuntimeError, IndexError)):
            call(0, lib.tensor([0]), lib.ones((1, 4), dtype=lib.float64))
        assert t.tolist() == [[0.0] * 4] * 2
    with pytest.raises(RuntimeError, match=f"^{name}\\(\\): source of shape"):
        getattr(gk.zeros((2, 4)), name)(0, gk.tensor([0, 1]), gk.ones((1, 4)))


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_t_tensor_inplace_scatter_value_keyword_with_reduce():
    for reduce in ("add", "multiply"):
        res = []
        for lib in (gk, torch):
            t = lib.tensor(X.copy())
            t.scatter_(1, lib.tensor(IDX), value=1.5, reduce=reduce)
            u = lib.tensor(X, requires_grad=True) * 1.0
            u.scatter_(1, lib.tensor(IDX), value=1.5, reduce=reduce)
            res.append((t.numpy(), u.detach().numpy()))
        for a, b in zip(*res):
            np.testing.assert_allclose(a, b, rtol=1e-14)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_t_tensor_inplace_scatter_reduce_records_and_names_itself():
    """scatter_(reduce=) into a constant with a source that requires grad is recorded
    (PyTorch marks the result as requiring grad); on a leaf it is refused by name."""
    for lib in (gk, torch):
        t = lib.zeros((2, 4))
        t.scatter_(1, lib.tensor(IDX), lib.ones((2, 3), requires_grad=True), reduce="add")
        assert t.requires_grad and t.tolist() == [[2, 0, 1, 0], [0, 1, 0, 2]]
    with pytest.raises(RuntimeError, match="^scatter_: In-place operation on a leaf"):
        gk.zeros((2, 4), requires_grad=True).scatter_(1, gk.tensor(IDX), 1.0, reduce="add")
