"""T-TENSOR: shape ops with PyTorch's semantics — dims checked like PyTorch's (an
out-of-range dim is an IndexError, never a silent wrap), squeeze/cat/stack rules, and
the rearranging ops (repeat, flip, roll, tril, diagonal, meshgrid, unfold, ...), each
against float64 finite differences and PyTorch (value, gradient under a random upstream
gradient, output dtype). Indexing has its own module, test_indexing.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch

# (id, gradkit fn, torch fn, input shapes); every op runs as gk_fn(*tensors)
CASES = [
    ("repeat", lambda a: a.repeat(2, 1, 3), lambda a: a.repeat(2, 1, 3), [(2, 3)]),
    ("repeat-tuple", lambda a: a.repeat((2, 2)), lambda a: a.repeat((2, 2)), [(2, 3)]),
    ("tile", lambda a: gk.tile(a, (2,)), lambda a: torch.tile(a, (2,)), [(2, 3)]),
    ("tile-more", lambda a: a.tile(2, 1, 2), lambda a: a.tile(2, 1, 2), [(2, 3)]),
    (
        "repeat_interleave-int",
        lambda a: a.repeat_interleave(2, dim=1),
        lambda a: a.repeat_interleave(2, dim=1),
        [(2, 3)],
    ),
    (
        "repeat_interleave-flat",
        lambda a: gk.repeat_interleave(a, 3),
        lambda a: torch.repeat_interleave(a, 3),
        [(2, 2)],
    ),
    (
        "repeat_interleave-tensor",
        lambda a: gk.repeat_interleave(a, gk.tensor([2, 0, 1]), dim=0),
        lambda a: torch.repeat_interleave(a, torch.tensor([2, 0, 1]), dim=0),
        [(3, 2)],
    ),
    ("flip", lambda a: a.flip(0, 2), lambda a: a.flip(0, 2), [(2, 3, 4)]),
    ("flip-dims", lambda a: gk.flip(a, dims=[-1]), lambda a: torch.flip(a, dims=[-1]), [(2, 3)]),
    ("fliplr", gk.fliplr, lambda a: torch.fliplr(a), [(3, 4)]),
    ("flipud", gk.flipud, lambda a: torch.flipud(a), [(3, 4)]),
    ("roll-flat", lambda a: gk.roll(a, 2), lambda a: torch.roll(a, 2), [(3, 4)]),
    (
        "roll-dims",
        lambda a: gk.roll(a, (1, -2), (0, 1)),
        lambda a: torch.roll(a, (1, -2), (0, 1)),
        [(3, 4)],
    ),
    ("roll-neg-dim", lambda a: a.roll(5, -1), lambda a: a.roll(5, -1), [(2, 3)]),
    ("tril", lambda a: a.tril(), lambda a: a.tril(), [(4, 3)]),
    ("tril-k", lambda a: gk.tril(a, -1), lambda a: torch.tril(a, -1), [(2, 3, 4)]),
    ("triu", lambda a: a.triu(), lambda a: a.triu(), [(3, 4)]),
    ("triu-k", lambda a: gk.triu(a, diagonal=1), lambda a: torch.triu(a, diagonal=1), [(2, 4, 3)]),
    ("narrow", lambda a: a.narrow(1, 1, 2), lambda a: a.narrow(1, 1, 2), [(2, 4)]),
    ("narrow-neg", lambda a: gk.narrow(a, -1, -3, 2), lambda a: torch.narrow(a, -1, -3, 2), [(4,)]),
    ("unflatten", lambda a: a.unflatten(1, (2, -1)), lambda a: a.unflatten(1, (2, -1)), [(3, 6)]),
    ("movedim", lambda a: a.movedim(0, -1), lambda a: a.movedim(0, -1), [(2, 3, 4)]),
    (
        "movedim-many",
        lambda a: gk.movedim(a, (0, 1), (2, 0)),
        lambda a: torch.movedim(a, (0, 1), (2, 0)),
        [(2, 3, 4)],
    ),
    ("moveaxis", lambda a: gk.moveaxis(a, 2, 0), lambda a: torch.moveaxis(a, 2, 0), [(2, 3, 4)]),
    ("diagonal", lambda a: a.diagonal(), lambda a: a.diagonal(), [(3, 4)]),
    (
        "diagonal-offset-dims",
        lambda a: gk.diagonal(a, 1, 0, 2),
        lambda a: torch.diagonal(a, 1, 0, 2),
        [(3, 2, 4)],
    ),
    ("diagonal-below", lambda a: a.diagonal(-2), lambda a: a.diagonal(-2), [(4, 3)]),
    ("diag_embed", lambda a: a.diag_embed(), lambda a: a.diag_embed(), [(2, 3)]),
    (
        "diag_embed-offset",
        lambda a: gk.diag_embed(a, 1, 0, 2),
        lambda a: torch.diag_embed(a, 1, 0, 2),
        [(2, 3)],
    ),
    ("diag-1d", lambda a: gk.diag(a, -1), lambda a: torch.diag(a, -1), [(3,)]),
    ("diag-2d", lambda a: a.diag(1), lambda a: a.diag(1), [(3, 4)]),
    ("trace", lambda a: a.trace(), lambda a: a.trace(), [(3, 4)]),
    ("hstack", lambda a, b: gk.hstack([a, b]), lambda a, b: torch.hstack([a, b]), [(2,), (3,)]),
    (
        "hstack-2d",
        lambda a, b: gk.hstack([a, b]),
        lambda a, b: torch.hstack([a, b]),
        [(2, 1), (2, 3)],
    ),
    ("vstack", lambda a, b: gk.vstack([a, b]), lambda a, b: torch.vstack([a, b]), [(3,), (2, 3)]),
    ("dstack", lambda a, b: gk.dstack([a, b]), lambda a, b: torch.dstack([a, b]), [(3,), (3,)]),
    (
        "column_stack",
        lambda a, b, c: gk.column_stack([a, b, c]),
        lambda a, b, c: torch.column_stack([a, b, c]),
        [(2,), (2, 3), (2,)],
    ),
    (
        "meshgrid-ij",
        lambda a, b: gk.meshgrid(a, b, indexing="ij")[0] * gk.meshgrid(a, b)[1],
        lambda a, b: torch.prod(torch.stack(torch.meshgrid(a, b, indexing="ij")), 0),
        [(2,), (3,)],
    ),
    (
        "meshgrid-xy",
        lambda a, b, c: gk.stack(gk.meshgrid([a, b, c], indexing="xy")),
        lambda a, b, c: torch.stack(torch.meshgrid([a, b, c], indexing="xy")),
        [(2,), (3,), (4,)],
    ),
    ("unfold", lambda a: a.unfold(0, 3, 2), lambda a: a.unfold(0, 3, 2), [(7, 2)]),
    ("unfold-overlap", lambda a: a.unfold(-1, 3, 1), lambda a: a.unfold(-1, 3, 1), [(2, 5)]),
    ("view_as", lambda a, b: a.view_as(b), lambda a, b: a.view_as(b), [(2, 3), (3, 2)]),
    ("reshape_as", lambda a, b: a.reshape_as(b), lambda a, b: a.reshape_as(b), [(6,), (3, 2)]),
    ("expand_as", lambda a, b: a.expand_as(b), lambda a, b: a.expand_as(b), [(3, 1), (2, 3, 4)]),
    ("flatten-range", lambda a: a.flatten(1, 2), lambda a: a.flatten(1, 2), [(2, 3, 4, 5)]),
    ("squeeze-tuple", lambda a: a.squeeze((1, 3)), lambda a: a.squeeze((1, 3)), [(2, 1, 3, 1)]),
    ("squeeze-non1", lambda a: a.squeeze(0), lambda a: a.squeeze(0), [(2, 1, 3)]),
    ("squeeze-0d", lambda a: a.squeeze(0), lambda a: a.squeeze(0), [()]),
    ("unsqueeze-0d", lambda a: a.unsqueeze(-1), lambda a: a.unsqueeze(-1), [()]),
    ("cat-dim", lambda a, b: gk.cat([a, b], dim=-1), lambda a, b: torch.cat([a, b], -1),
     [(2, 1), (2, 3)]),
    (
        "cat-empty-1d",
        lambda a, b: gk.cat([a, b, a], 0),
        lambda a, b: torch.cat([a, b, a], 0),
        [(2, 3), (0,)],
    ),
    ("stack-neg", lambda a, b: gk.stack((a, b), dim=-1), lambda a, b: torch.stack((a, b), -1),
     [(2, 3), (2, 3)]),
    ("swapdims", lambda a: a.swapdims(0, 2), lambda a: a.swapdims(0, 2), [(2, 3, 4)]),
    ("mT", lambda a: a.mT, lambda a: a.mT, [(2, 3, 4)]),
    ("contiguous", lambda a: a.permute(1, 0).contiguous(), lambda a: a.mT.contiguous(), [(2, 3)]),
]  # fmt: skip
IDS = [c[0] for c in CASES]


def _torch_dtype(t) -> np.dtype:
    return np.dtype(str(t.dtype).replace("torch.", ""))


@pytest.mark.parametrize("name, gk_fn, torch_fn, shapes", CASES, ids=IDS)
def test_shape_op_gradcheck(name, gk_fn, torch_fn, shapes):
    """T-AUTODIFF: each op's backward matches float64 central differences."""
    arrays = random_inputs(shapes, seed=3)
    assert gradcheck(gk_fn, *[gk.tensor(a) for a in arrays], atol=1e-6, rtol=1e-4)


@requires_torch
@pytest.mark.parametrize("name, gk_fn, torch_fn, shapes", CASES, ids=IDS)
def test_shape_op_torch_parity(name, gk_fn, torch_fn, shapes):
    """Value and every input gradient equal PyTorch's (float64), and the output dtype is
    PyTorch's for float32 and int64 inputs."""
    arrays = random_inputs(shapes, seed=5)
    assert_parity(gk_fn, torch_fn, arrays)
    for dtype in (np.float32, np.int64):
        ins = [(a * 3).astype(dtype) for a in arrays]
        out_gk = gk_fn(*[gk.tensor(a) for a in ins])
        out_th = torch_fn(*[torch.tensor(a) for a in ins])
        assert out_gk.dtype == _torch_dtype(out_th), (name, dtype)
        np.testing.assert_array_equal(out_gk.numpy(), out_th.numpy())


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: a.flip(0, 1),
        lambda a: gk.tril(a, 1),
        lambda a: a.roll(1, 1) * a,
        lambda a: a.diagonal() * a.diag_embed().sum(),
        lambda a: a.repeat(2, 2) * a.tile(2, 2),
        lambda a: a.unfold(1, 2, 1) ** 2,
    ],
    ids=["flip", "tril", "roll", "diagonal", "repeat", "unfold"],
)
def test_shape_op_double_backward(fn):
    """create_graph=True through the rearranging ops (their backward is recorded)."""
    (a,) = random_inputs([(3, 3)], seed=2)
    assert gradgradcheck(lambda x: fn(x) * fn(x), gk.tensor(a))


# ---------------------------------------------------------------- dims, PyTorch's way
DIM_ERRORS = [
    ("squeeze", (2, 1, 3, 1), lambda m, x: x.squeeze(5)),
    ("squeeze-neg", (2, 1, 3, 1), lambda m, x: x.squeeze(-5)),
    ("squeeze-tuple", (2, 1, 3, 1), lambda m, x: x.squeeze((1, 7))),
    ("squeeze-0d", (), lambda m, x: x.squeeze(1)),
    ("unsqueeze", (2, 3), lambda m, x: x.unsqueeze(3)),
    ("unsqueeze-neg", (2, 3), lambda m, x: x.unsqueeze(-4)),
    ("cat", (2, 3), lambda m, x: m.cat([x, x], dim=5)),
    ("stack", (2, 3), lambda m, x: m.stack([x, x], dim=3)),
    ("transpose", (2, 3), lambda m, x: x.transpose(0, 2)),
    ("permute", (2, 3), lambda m, x: x.permute(0, 2)),
    ("flatten", (2, 3), lambda m, x: x.flatten(0, 2)),
    ("split", (2, 3), lambda m, x: x.split(1, 2)),
    ("chunk", (2, 3), lambda m, x: x.chunk(2, -3)),
    ("unbind", (2, 3), lambda m, x: x.unbind(2)),
    ("movedim", (2, 3), lambda m, x: x.movedim(2, 0)),
    ("narrow", (2, 3), lambda m, x: x.narrow(2, 0, 1)),
    ("flip", (2, 3), lambda m, x: x.flip(2)),
    ("roll", (2, 3), lambda m, x: x.roll(1, 2)),
    ("diagonal", (2, 3), lambda m, x: x.diagonal(0, 0, 2)),
    ("unflatten", (2, 3), lambda m, x: x.unflatten(2, (1, 3))),
    ("unfold", (2, 3), lambda m, x: x.unfold(2, 1, 1)),
    ("repeat_interleave", (2, 3), lambda m, x: x.repeat_interleave(2, dim=2)),
    ("sum-0d", (), lambda m, x: x.squeeze(-2)),
]


@requires_torch
@pytest.mark.parametrize("shape, fn", [c[1:] for c in DIM_ERRORS], ids=[c[0] for c in DIM_ERRORS])
def test_out_of_range_dim_is_index_error(shape, fn):
    """An out-of-range dim raises IndexError with PyTorch's message (it used to wrap:
    squeeze(5) on a 4-D tensor squeezed dim 1, cat(axis=5) on 2-D joined axis 1)."""
    a = np.zeros(shape)
    with pytest.raises(IndexError) as th:
        fn(torch, torch.tensor(a))
    with pytest.raises(IndexError) as ours:
        fn(gk, gk.tensor(a))
    assert str(ours.value) == str(th.value)


def test_cat_axis_keyword_and_dim_checks():
    a, b = gk.zeros(2, 3), gk.ones(2, 3)
    assert gk.cat([a, b], axis=1).shape == (2, 6)
    assert gk.concatenate([a, b], dim=-2).shape == (4, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        gk.cat([a, b], axis=5)
    with pytest.raises(TypeError, match="either dim= or axis="):
        gk.cat([a, b], dim=1, axis=0)


def test_cat_and_stack_errors_name_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(2, 4\)"):
        gk.cat([gk.zeros(2, 3), gk.zeros(2, 4)])
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(2,\)"):
        gk.cat([gk.zeros(2, 3), gk.zeros(2)])
    with pytest.raises(RuntimeError, match=r"\[2, 3\] at entry 0 and \[3, 2\] at entry 1"):
        gk.stack([gk.zeros(2, 3), gk.zeros(3, 2)])
    with pytest.raises(RuntimeError, match="zero-dimensional tensor"):
        gk.cat([gk.tensor(1.0), gk.tensor(2.0)])
    with pytest.raises(ValueError, match="non-empty"):
        gk.stack([])


@requires_torch
@pytest.mark.parametrize(
    "dtypes",
    [("float32", "float64"), ("int64", "float32"), ("int32", "int64"), ("bool", "uint8"),
     ("float64", "int8"), ("bool", "float32")],
)  # fmt: skip
def test_cat_stack_promote_like_torch(dtypes):
    """cat/stack promote mixed dtypes as PyTorch does (an integer tensor meeting float32
    stays float32, not NumPy's float64)."""
    arrays = [np.ones((2, 2), dtype=d) for d in dtypes]
    for op in ("cat", "stack"):
        ours = getattr(gk, op)([gk.tensor(a) for a in arrays])
        theirs = getattr(torch, op)([torch.tensor(a) for a in arrays])
        assert ours.dtype == _torch_dtype(theirs), (op, dtypes)


def test_cat_promotion_keeps_the_float_gradient():
    """A float32 tensor concatenated with an int64 one still gets its gradient."""
    a = gk.tensor(np.ones((2, 2), np.float32), requires_grad=True)
    out = gk.cat([a, gk.tensor(np.ones((1, 2), np.int64))])
    assert out.dtype == np.float32
    (out * gk.tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [[0, 1], [2, 3]])


def test_squeeze_and_split_rules():
    x = gk.zeros(2, 1, 3, 1)
    assert x.squeeze(0).shape == (2, 1, 3, 1)  # not size 1: left alone
    assert x.squeeze((1, 3)).shape == (2, 3)
    assert x.squeeze(axis=1).shape == (2, 3, 1)
    assert gk.tensor(1.0).squeeze(0).shape == ()
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.squeeze((1, 1))
    assert [p.shape for p in gk.zeros(0).split(2)] == [(0,)]
    assert [p.shape[0] for p in gk.zeros(5).chunk(4)] == [2, 2, 1]
    with pytest.raises(RuntimeError, match="sum exactly to 5"):
        gk.zeros(5).split([2, 2])
    with pytest.raises(RuntimeError, match="greater than 0"):
        gk.zeros(5).chunk(0)
    with pytest.raises(IndexError, match="no dimensions"):
        gk.tensor(1.0).unbind(0)
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        gk.zeros(2, 3).flatten(1, 0)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        gk.zeros(2, 3).permute(1, 1)


def test_new_op_errors_are_clear():
    x = gk.zeros(2, 3)
    with pytest.raises(RuntimeError, match="can not be smaller"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match="same size as input along dim"):
        x.repeat_interleave(gk.tensor([1, 2, 3]), dim=0)
    with pytest.raises(RuntimeError, match="non-negative"):
        x.repeat_interleave(-1, dim=0)
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        gk.roll(x, (1, 2), (0,))
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        x.narrow(1, 2, 2)
    with pytest.raises(RuntimeError, match="don't multiply up"):
        x.unflatten(1, (2, 2))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        gk.tril(gk.zeros(3))
    with pytest.raises(RuntimeError, match="Supports 1D or 2D"):
        gk.diag(gk.zeros(2, 2, 2))
    with pytest.raises(RuntimeError, match="maximum size"):
        gk.zeros(2).unfold(0, 3, 1)
    with pytest.raises(RuntimeError, match=">= 2-d"):
        gk.fliplr(gk.zeros(3))
    with pytest.raises(ValueError, match="indexing must be"):
        gk.meshgrid(gk.zeros(2), indexing="yx")


def test_results_are_copies_or_views_as_in_torch():
    """flip/roll/tril return new storage (an in-place change leaves x alone); narrow,
    diagonal and movedim are views (a change under no_grad reaches x), as in PyTorch."""
    x = gk.tensor(np.arange(9.0).reshape(3, 3))
    for copy in (x.flip(0), x.roll(1), x.tril(), x.repeat(1, 1), gk.diag(x)):
        copy.zero_()
    np.testing.assert_array_equal(x.numpy(), np.arange(9.0).reshape(3, 3))
    x.diagonal().fill_(-1.0)
    x.narrow(0, 0, 1).fill_(7.0)
    x.unfold(1, 1, 2).mul_(10.0)  # windows that do not overlap: a writeable view
    expected = np.arange(9.0).reshape(3, 3)
    np.fill_diagonal(expected, -1.0)
    expected[0] = 7.0
    expected[:, ::2] *= 10.0
    np.testing.assert_array_equal(x.numpy(), expected)
    assert x._version > 0
    with pytest.raises(RuntimeError, match="share memory"):
        x.unfold(1, 2, 1).zero_()  # overlapping windows: PyTorch's result depends on the
        # order it visits elements (for mul_, add_), so gradkit refuses the write


@requires_torch
def test_torch_agrees_on_views_and_copies():
    """The same program in PyTorch leaves the same values in x."""
    x = torch.arange(9.0).reshape(3, 3)
    for copy in (x.flip(0), x.roll(1), x.tril(), x.repeat(1, 1), torch.diag(x)):
        copy.zero_()
    x.diagonal().fill_(-1.0)
    x.narrow(0, 0, 1).fill_(7.0)
    x.unfold(1, 1, 2).mul_(10.0)
    ours = gk.tensor(np.arange(9.0).reshape(3, 3))
    for copy in (ours.flip(0), ours.roll(1), ours.tril(), ours.repeat(1, 1), gk.diag(ours)):
        copy.zero_()
    ours.diagonal().fill_(-1.0)
    ours.narrow(0, 0, 1).fill_(7.0)
    ours.unfold(1, 1, 2).mul_(10.0)
    np.testing.assert_array_equal(ours.numpy(), x.numpy())


def test_trace_of_integer_matrix_is_int64():
    assert gk.tensor(np.arange(6, dtype=np.int32).reshape(2, 3)).trace().dtype == np.int64
    assert int(gk.tensor(np.arange(6).reshape(2, 3)).trace()) == 4


def test_repeat_interleave_counts_alone():
    np.testing.assert_array_equal(gk.repeat_interleave(gk.tensor([1, 0, 2])).numpy(), [0, 2, 2])
