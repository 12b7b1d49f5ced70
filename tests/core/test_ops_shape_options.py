"""T-TENSOR (issue 24): the shape ops of ``gradkit.ops.shape`` with every option they take —
negative dims, ``dim=``/``axis=`` spellings, tuples and lists for sizes, ``-1`` entries,
uneven splits, empty pieces, dtype promotion in ``cat``/``stack`` — against PyTorch 2.13 in
float64 (value and gradient of a random projection), plus the errors PyTorch raises."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

X = np.random.default_rng(5).normal(size=(2, 3, 4))


def _outs(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _run(lib, fn, arrays):
    leaves = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    outs = _outs(fn(lib, *leaves))
    total = None
    for i, o in enumerate(outs):
        g = np.random.default_rng(i).normal(size=tuple(o.shape))
        term = (o * lib.tensor(g)).sum()
        total = term if total is None else total + term
    total.backward()
    grads = [np.zeros(()) if t.grad is None else t.grad.numpy().copy() for t in leaves]
    return [o.detach().numpy().copy() for o in outs], grads


# name: (fn(lib, *tensors), arrays)
CASES = {
    "reshape_tuple": (lambda L, x: x.reshape((4, -1)), [X]),
    "reshape_list": (lambda L, x: x.reshape([3, 8]), [X]),
    "reshape_varargs": (lambda L, x: x.reshape(-1, 2, 2), [X]),
    "reshape_same": (lambda L, x: x.reshape(2, 3, 4) * 1.0, [X]),
    "view": (lambda L, x: x.view(6, 4), [X]),
    "flatten": (lambda L, x: x.flatten(), [X]),
    "flatten_start": (lambda L, x: x.flatten(1), [X]),
    "flatten_end": (lambda L, x: x.flatten(0, 1), [X]),
    "flatten_neg": (lambda L, x: x.flatten(-2, -1), [X]),
    "flatten_one": (lambda L, x: x.flatten(1, 1), [X]),
    "flatten_0d": (lambda L, x: x.sum().flatten(), [X]),
    "flatten_1d": (lambda L, x: x[0, 0].flatten(), [X]),
    "getitem_int_apart": (lambda L, x: x[0, :, L.tensor([3, 0, 3])], [X]),
    "getitem_int_apart_neg": (lambda L, x: x[L.tensor([1, 0]), 1:, -1], [X]),
    "permute": (lambda L, x: x.permute(2, 0, 1), [X]),
    "permute_tuple": (lambda L, x: x.permute((1, 2, 0)), [X]),
    "permute_neg": (lambda L, x: x.permute(-1, -3, -2), [X]),
    "permute_dims_kw": (lambda L, x: L.permute(x, dims=(2, 1, 0)), [X]),
    "permute_identity": (lambda L, x: x.permute(0, 1, 2) * 1.0, [X]),
    "transpose": (lambda L, x: x.transpose(0, 2), [X]),
    "transpose_neg": (lambda L, x: x.transpose(-1, -2), [X]),
    "transpose_same": (lambda L, x: x.transpose(1, -2) * 1.0, [X]),
    "swapaxes": (lambda L, x: L.swapaxes(x, 0, -1), [X]),
    "mT": (lambda L, x: x.mT, [X]),
    "broadcast_to": (lambda L, x: L.broadcast_to(x[:, :1], (5, 2, 3, 4)), [X]),
    "broadcast_same": (lambda L, x: L.broadcast_to(x, (2, 3, 4)) * 1.0, [X]),
    "expand_minus1": (lambda L, x: x[:, :1].expand(-1, 3, -1), [X]),
    "expand_lead": (lambda L, x: x[0].expand(2, 2, -1, 4), [X]),
    "expand_as": (lambda L, x: x[:1].expand_as(x), [X]),
    "squeeze_all": (lambda L, x: x[:, :1, None].squeeze(), [X]),
    "squeeze_dim": (lambda L, x: x[:, :1, None].squeeze(1), [X]),
    "squeeze_neg": (lambda L, x: x[:, :1, None].squeeze(-2), [X]),
    "squeeze_tuple": (lambda L, x: x[:, :1, None].squeeze((1, 2)), [X]),
    "squeeze_not_one": (lambda L, x: x[:, :1, None].squeeze(0), [X]),
    "unsqueeze": (lambda L, x: x.unsqueeze(1), [X]),
    "unsqueeze_end": (lambda L, x: x.unsqueeze(-1), [X]),
    "unsqueeze_neg": (lambda L, x: x.unsqueeze(-4), [X]),
    "unsqueeze_last": (lambda L, x: x.unsqueeze(3), [X]),
    "cat": (lambda L, x, y: L.cat([x, y], 1), [X, X[:, :2]]),
    "cat_neg": (lambda L, x, y: L.cat((x, y), dim=-1), [X, X[..., :1]]),
    "cat_last": (lambda L, x, y: L.cat([x, y], dim=2), [X, X[..., :3]]),
    "cat_empty": (lambda L, x: L.cat([x[0, 0], L.zeros(0, dtype=x.dtype), x[1, 1]]), [X]),
    "stack": (lambda L, x, y: L.stack([x, y]), [X, -X]),
    "stack_dim": (lambda L, x, y: L.stack([x, y], dim=2), [X, -X]),
    "stack_end": (lambda L, x, y: L.stack([x, y], dim=-1), [X, -X]),
    "stack_neg": (lambda L, x, y: L.stack([x, y], dim=-4), [X, -X]),
    "split_int": (lambda L, x: x.split(3, dim=2), [X]),
    "split_exact": (lambda L, x: x.split(2, 2), [X]),
    "split_sizes": (lambda L, x: x.split([1, 0, 3], -1), [X]),
    "split_big": (lambda L, x: x.split(5, 1), [X]),
    "split_one": (lambda L, x: x.split(1), [X]),
    "chunk": (lambda L, x: x.chunk(3, 2), [X]),
    "chunk_neg": (lambda L, x: x.chunk(2, dim=-2), [X]),
    "chunk_more": (lambda L, x: x.chunk(5, 1), [X]),
    "chunk_default": (lambda L, x: x.chunk(2), [X]),
    "chunk_one": (lambda L, x: x.chunk(1, 1), [X]),
    "split_first_only": (lambda L, x: x.split(3, dim=2)[0], [X]),
    "split_last_only": (lambda L, x: x.split(3, dim=2)[1], [X]),
    "unbind_keeps_size_one": (lambda L, x: x[:, :1].unbind(0), [X]),
    "unbind_size_one_dim": (lambda L, x: x[:, :1].unbind(2)[3], [X]),
    "unbind": (lambda L, x: x.unbind(), [X]),
    "unbind_dim": (lambda L, x: x.unbind(2), [X]),
    "unbind_neg": (lambda L, x: x.unbind(-2), [X]),
    "movedim": (lambda L, x: L.movedim(x, 0, -1), [X]),
    "movedim_many": (lambda L, x: L.movedim(x, (0, 2), (2, 0)), [X]),
    "movedim_lists": (lambda L, x: L.movedim(x, [0, 1], [1, 2]), [X]),
    "moveaxis": (lambda L, x: L.moveaxis(x, -1, 0), [X]),
    "ravel": (lambda L, x: x.ravel(), [X]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_t_tensor_shape_op_options_match_torch(name):
    fn, arrays = CASES[name]
    ours, theirs = _run(gk, fn, arrays), _run(torch, fn, arrays)
    assert [o.shape for o in ours[0]] == [o.shape for o in theirs[0]]
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)


def test_t_tensor_axis_spellings():
    """T-TENSOR: NumPy's ``axis=`` is accepted for ``dim=`` (not both)."""
    x = gk.tensor(X)
    np.testing.assert_array_equal(gk.cat([x, x], axis=2).numpy(), np.concatenate([X, X], 2))
    np.testing.assert_array_equal(gk.stack([x, x], axis=1).numpy(), np.stack([X, X], 1))
    np.testing.assert_array_equal(x[:, :1].squeeze(axis=1).numpy(), X[:, 0])
    np.testing.assert_array_equal(x.unsqueeze(axis=-1).numpy(), X[..., None])
    assert [p.shape for p in gk.split(x, 2, axis=2)] == [(2, 3, 2)] * 2
    assert [p.shape for p in gk.chunk(x, 2, axis=-1)] == [(2, 3, 2)] * 2
    with pytest.raises(TypeError, match="either dim= or axis="):
        gk.cat([x, x], dim=1, axis=2)
    with pytest.raises(TypeError, match="either dim= or axis="):
        x.squeeze(1, axis=1)
    np.testing.assert_array_equal(gk.cat([x, x], dim=0, axis=1).numpy(), np.concatenate([X, X], 1))


@pytest.mark.parametrize(
    ("dtypes", "want"),
    [(("float32", "int64"), "float32"), (("int64", "float64"), "float64"),
     (("int32", "int64"), "int64"), (("bool", "int64"), "int64"),
     (("bool", "bool"), "bool"), (("float32", "float64"), "float64"),
     (("uint8", "bool"), "uint8")],
)  # fmt: skip
def test_t_tensor_cat_and_stack_promote_like_torch(dtypes, want):
    arrays = [np.ones(3, dtype=d) for d in dtypes]
    for op in ("cat", "stack"):
        got = getattr(gk, op)([gk.tensor(a) for a in arrays])
        ref = getattr(torch, op)([torch.tensor(a) for a in arrays])
        assert str(got.dtype) == want == str(ref.dtype).removeprefix("torch.")


def test_t_tensor_cat_stack_accept_arrays_and_empty_pieces():
    got = gk.cat([np.ones((1, 2)), gk.zeros(1, 2, dtype=gk.float64)])
    np.testing.assert_array_equal(got.numpy(), [[1, 1], [0, 0]])
    assert gk.cat([gk.zeros(0), gk.zeros(0)]).shape == (0,)
    assert gk.split(gk.zeros(0, 3), 2)[0].shape == (0, 3)
    assert gk.unbind(gk.zeros(0, 3)) == ()


def test_t_tensor_0d_inputs():
    s = gk.tensor(2.0)
    assert s.flatten().shape == (1,) and s.permute().shape == () and s.unsqueeze(0).shape == (1,)
    assert s.transpose().shape == () and gk.movedim(s, (), ()).shape == ()
    assert s.squeeze().shape == ()


def test_t_tensor_shape_errors_match_torch():
    x = gk.tensor(X)
    t = torch.tensor(X)
    bad = [
        (lambda L, x: x.flatten(2, 1), "start_dim cannot come after end_dim"),
        (lambda L, x: x.permute(0, 1), "number of dims"),
        (lambda L, x: x.permute(0, 1, 1), "duplicate dims|repeated dim"),
        (lambda L, x: L.cat([x[0, 0, 0], x[0, 0, 0]]), "zero-dimensional tensor"),
        (lambda L, x: L.cat([x, x[0]]), "same number of dimensions"),
        (lambda L, x: L.cat([x, x[:, :2]], 2), "Sizes of tensors must match except in dimension 2"),
        (lambda L, x: L.stack([x, x[:1]]), "stack expects each tensor to be equal size"),
        (lambda L, x: x.split(-1), "non-negative|split_size"),
        (lambda L, x: x.split(0), "split_size can only be 0"),
        (lambda L, x: x.split([1, 1], 1), "sum exactly to 3"),
        (lambda L, x: x.split([4, -1], 1), "non-negative|sum exactly"),
        (lambda L, x: x.chunk(0), "greater than 0"),
        (lambda L, x: x.sum().chunk(2), "at least a 1-dimensional tensor"),
        (lambda L, x: x.sum().unbind(), "has no dimensions"),
        (lambda L, x: L.movedim(x, (0, 1), (1,)), "same number|movedim"),
        (lambda L, x: L.movedim(x, (0, 0), (1, 2)), "repeated dim|multiple times"),
        (lambda L, x: x.reshape(5, 5), "shape"),
        (lambda L, x: L.broadcast_to(x, (3, 3, 4)), "broadcast|expanded size|match"),
        (lambda L, x: x.unsqueeze(4), "Dimension out of range|out of range"),
        (lambda L, x: x.squeeze(3), "Dimension out of range|out of range"),
        (lambda L, x: L.cat([x, x], 3), "Dimension out of range|out of range"),
    ]
    for fn, pattern in bad:
        with pytest.raises((RuntimeError, IndexError, ValueError, TypeError), match=pattern):
            fn(gk, x)
        with pytest.raises((RuntimeError, IndexError, ValueError, TypeError)):
            fn(torch, t)
    with pytest.raises(TypeError, match="transpose\\(\\) needs both"):
        x.transpose(0)
    with pytest.raises(TypeError, match="missing required argument 'dim'"):
        x.unsqueeze()
    with pytest.raises(TypeError, match="expects a sequence of tensors"):
        gk.cat(x)
    with pytest.raises(ValueError, match="non-empty list"):
        gk.stack([])
    with pytest.raises(TypeError, match="unexpected keywords"):
        gk.permute(x, order=(0, 1, 2))
    with pytest.raises(RuntimeError, match="a 0-d tensor cannot be split"):
        gk.split(gk.tensor(1.0), 1)


@pytest.mark.parametrize("width", [1, (1, 2), ((0, 1), (2, 0), (1, 1))])
@pytest.mark.parametrize("value", [0.0, -3.5])
def test_t_tensor_pad_numpy_widths(width, value):
    """T-TENSOR: ``gk.pad``'s NumPy-style widths and constant value; the gradient is the
    centre of the upstream gradient."""
    a = gk.tensor(X, requires_grad=True)
    y = gk.ops.shape.pad(a, width, value)
    np.testing.assert_array_equal(y.detach().numpy(), np.pad(X, width, constant_values=value))
    g = np.random.default_rng(0).normal(size=y.shape)
    y.backward(gk.tensor(g))
    w = np.broadcast_to(np.asarray(width), (3, 2))
    centre = tuple(slice(b, n - a_) for (b, a_), n in zip(w, g.shape))
    np.testing.assert_array_equal(a.grad.numpy(), g[centre])


V = np.random.default_rng(6).normal(size=4)
M = np.random.default_rng(7).normal(size=(3, 4))

# ops.layout: name: (fn(lib, *tensors), arrays)
LAYOUT = {
    "repeat": (lambda L, x: x.repeat(2, 1, 3), [X]),
    "repeat_lead": (lambda L, x: x.repeat(2, 1, 1, 2), [X]),
    "repeat_tuple": (lambda L, x: x.repeat((1, 2, 1)), [X]),
    "tile_short": (lambda L, x: L.tile(x, (2,)), [X]),
    "tile_long": (lambda L, x: L.tile(x, (2, 1, 1, 2)), [X]),
    "repeat_interleave_flat": (lambda L, x: x.repeat_interleave(2), [X]),
    "repeat_interleave_dim": (lambda L, x: x.repeat_interleave(3, dim=1), [X]),
    "repeat_interleave_neg": (lambda L, x: x.repeat_interleave(2, dim=-1), [X]),
    "repeat_interleave_counts": (
        lambda L, x: x.repeat_interleave(L.tensor([1, 0, 2]), dim=1), [X]),
    "repeat_interleave_one_count": (
        lambda L, x: x.repeat_interleave(L.tensor([2]), dim=0), [X]),
    "repeat_interleave_size": (
        lambda L, x: x.repeat_interleave(2, dim=0, output_size=4), [X]),
    "flip": (lambda L, x: x.flip(0), [X]),
    "flip_many": (lambda L, x: x.flip(0, -1), [X]),
    "flip_dims_kw": (lambda L, x: L.flip(x, dims=(1, 2)), [X]),
    "fliplr": (lambda L, x: L.fliplr(x), [X]),
    "flipud": (lambda L, x: L.flipud(x), [X]),
    "roll_flat": (lambda L, x: x.roll(5), [X]),
    "roll_dim": (lambda L, x: x.roll(1, 2), [X]),
    "roll_neg": (lambda L, x: x.roll(-2, -1), [X]),
    "roll_many": (lambda L, x: x.roll((1, -1), (0, 1)), [X]),
    "narrow": (lambda L, x: x.narrow(2, 1, 2), [X]),
    "narrow_neg_start": (lambda L, x: x.narrow(-1, -3, 3), [X]),
    "narrow_empty": (lambda L, x: L.cat([x.narrow(1, 3, 0), x[:, :1]], 1), [X]),
    "narrow_full": (lambda L, x: x.narrow(0, 0, 2), [X]),
    "unflatten": (lambda L, x: x.unflatten(2, (2, 2)), [X]),
    "unflatten_minus1": (lambda L, x: x.unflatten(-1, (-1, 2)), [X]),
    "unflatten_first": (lambda L, x: x.unflatten(1, (3, 1)), [X]),
    "atleast_1d": (lambda L, x: L.atleast_1d(x.sum()), [X]),
    "atleast_2d": (lambda L, v, x: L.atleast_2d(v, x.sum(), x), [V, X]),
    "atleast_3d": (lambda L, v, m, x: L.atleast_3d(v, m, x.sum(), x), [V, M, X]),
    "hstack": (lambda L, x, m: L.hstack([x[0], m, m[:, :1]]), [X, M]),
    "hstack_1d": (lambda L, v, x: L.hstack([v, x.sum(), v]), [V, X]),
    "vstack": (lambda L, v, m: L.vstack([v, m, v]), [V, M]),
    "dstack": (lambda L, v, m: L.dstack([m, m]), [V, M]),
    "dstack_1d": (lambda L, v: L.dstack([v, v]), [V]),
    "column_stack": (lambda L, v, m: L.column_stack([v[:3], m, v[:3]]), [V, M]),
    "column_stack_0d": (lambda L, v: L.column_stack([v.sum(), v.sum()]), [V]),
    "meshgrid_ij": (lambda L, v, m: L.meshgrid(v, m[0, :3], indexing="ij"), [V, M]),
    "meshgrid_xy": (lambda L, v, m: L.meshgrid(v, m[0, :3], m[1], indexing="xy"), [V, M]),
    "meshgrid_list": (lambda L, v, m: L.meshgrid([v, m[:, 0]], indexing="ij"), [V, M]),
    "meshgrid_one_xy": (lambda L, v: L.meshgrid(v, indexing="xy"), [V]),
    "meshgrid_0d": (lambda L, v: L.meshgrid(v.sum(), v, indexing="ij"), [V]),
    "unfold": (lambda L, x: x.unfold(2, 2, 1), [X]),
    "unfold_step": (lambda L, x: x.unfold(-1, 2, 2), [X]),
    "unfold_gap": (lambda L, x: x.unfold(2, 1, 3), [X]),
    "unfold_dim0": (lambda L, x: x.unfold(0, 2, 1), [X]),
    "unfold_full": (lambda L, x: x.unfold(1, 3, 5), [X]),
    "unfold_0d": (lambda L, x: x.sum().unfold(0, 1, 1), [X]),
    "view_as": (lambda L, x, m: x.view_as(m.repeat(2, 1)), [X, M]),
    "reshape_as": (lambda L, x, m: x.reshape_as(m.repeat(1, 2)), [X, M]),
    "contiguous": (lambda L, x: x.transpose(0, 1).contiguous() * 1.0, [X]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(LAYOUT))
def test_t_tensor_layout_op_options_match_torch(name):
    fn, arrays = LAYOUT[name]
    ours, theirs = _run(gk, fn, arrays), _run(torch, fn, arrays)
    assert [o.shape for o in ours[0]] == [o.shape for o in theirs[0]]
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=1e-15)


def test_t_tensor_repeat_interleave_of_a_0d_tensor_is_numpys():
    """T-TENSOR: a 0-d tensor repeats as shape (1,) (NumPy's np.repeat; PyTorch 2.13
    raises an IndexError here)."""
    a = gk.tensor(2.0, requires_grad=True)
    y = a.repeat_interleave(3, dim=0)
    np.testing.assert_array_equal(y.detach().numpy(), np.repeat(np.float64(2.0), 3, axis=0))
    (y * gk.tensor([1.0, 2.0, 4.0])).sum().backward()
    assert a.grad.item() == 7.0


def test_t_tensor_repeat_interleave_of_counts():
    counts = np.array([2, 0, 3])
    np.testing.assert_array_equal(
        gk.repeat_interleave(gk.tensor(counts)).numpy(),
        torch.repeat_interleave(torch.tensor(counts)).numpy(),
    )


def test_t_tensor_layout_errors_match_torch():
    x, t = gk.tensor(X), torch.tensor(X)
    bad = [
        (lambda L, x: x.repeat(2, 2), "can not be smaller"),
        (lambda L, x: x.repeat(1, -1, 1), "negative dimension"),
        (lambda L, x: x.repeat_interleave(L.tensor([1, 2]), dim=1), "same size as input"),
        (lambda L, x: x.repeat_interleave(L.tensor([[1, 2, 3]]), dim=1), "same size as input"),
        (lambda L, x: x.repeat_interleave(L.tensor([1, -1, 1]), dim=1), "non-negative"),
        (lambda L, x: x.repeat_interleave(2, dim=0, output_size=5), "output_size"),
        (lambda L, x: x.repeat_interleave(L.tensor([1.0, 2.0, 1.0]), dim=1), "integer|Long|int"),
        (lambda L, x: L.repeat_interleave(L.tensor([[1, 2]])), "1-D|1D|dim"),
        (lambda L, x: L.repeat_interleave(L.tensor([1.0, 2.0])), "integer|Long|int"),
        (lambda L, x: x.roll((1, 2)), "roll|shifts"),
        (lambda L, x: x.roll((1, 2), (0,)), "must align"),
        (lambda L, x: x.narrow(2, 5, 0), "start out of range"),
        (lambda L, x: x.narrow(2, -5, 1), "start out of range"),
        (lambda L, x: x.narrow(2, 3, 2), "exceeds dimension size"),
        (lambda L, x: x.narrow(2, 0, -1), "non-negative|negative"),
        (lambda L, x: x.sum().narrow(0, 0, 1), "0-dim"),
        (lambda L, x: x.unflatten(2, (3, 2)), "multiply up|don't multiply"),
        (lambda L, x: x.unflatten(2, (-1, -1)), "multiply up|only one dimension"),
        (lambda L, x: x.unflatten(2, (-1, 3)), "multiply up|don't multiply"),
        (lambda L, x: x.unflatten(2, (0, -1)), "multiply up|don't multiply|ambiguous"),
        (lambda L, x: x.unflatten(2, ()), "non-empty"),
        (lambda L, x: L.meshgrid(x, indexing="ij"), "0D or 1D"),
        (lambda L, x: L.meshgrid(x[0, 0], indexing="ab"), "indexing"),
        (lambda L, x: x.unfold(2, 5, 1), "maximum size"),
        (lambda L, x: x.unfold(2, -1, 1), "maximum size|size"),
        (lambda L, x: x.unfold(2, 2, 0), "step is 0"),
        (lambda L, x: L.hstack(x), "sequence|expected|Tensor"),
    ]
    for fn, pattern in bad:
        with pytest.raises((RuntimeError, IndexError, ValueError, TypeError), match=pattern):
            fn(gk, x)
        with pytest.raises((RuntimeError, IndexError, ValueError, TypeError)):
            fn(torch, t)
    with pytest.raises(RuntimeError, match="non-empty TensorList"):
        gk.meshgrid(indexing="ij")
    with pytest.raises(TypeError, match="vstack\\(\\) expects a sequence"):
        gk.vstack(x)


SECOND_ORDER = {
    "reshape": lambda L, x: x.reshape(4, 6),
    "permute": lambda L, x: x.permute(1, 2, 0),
    "expand": lambda L, x: x[:, :1].expand(2, 3, 4),
    "getitem_basic": lambda L, x: x[1, 1:, ::2],
    "getitem_repeated": lambda L, x: x[:, L.tensor([0, 2, 0, 0])],
    "getitem_mask": lambda L, x: x[L.tensor(X > 0)],
    "split_unused": lambda L, x: x.split([1, 3], dim=2)[1],
    "cat": lambda L, x: L.cat([x, x[:, :1] * 2.0], 1),
    "stack": lambda L, x: L.stack([x, x * 3.0], 1),
    "unbind": lambda L, x: x.unbind(1)[2],
}


def _second_order(lib, fn):
    x = lib.tensor(X.copy(), requires_grad=True)
    y = fn(lib, x)
    w = lib.tensor(np.random.default_rng(1).normal(size=tuple(y.shape)))
    (g,) = lib.autograd.grad((y * y * w).sum(), [x], create_graph=True)
    v = lib.tensor(np.random.default_rng(2).normal(size=X.shape))
    (g * v).sum().backward()
    return g.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_t_tensor_shape_ops_second_order_match_torch(name):
    """T-TENSOR: the backward of every shape op is itself differentiable (its adjoint:
    reshape back, inverse permutation, sum over the broadcast, scatter of the index,
    zeros for an unused split piece), as in PyTorch."""
    for a, b in zip(
        _second_order(gk, SECOND_ORDER[name]), _second_order(torch, SECOND_ORDER[name])
    ):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_t_tensor_pad_second_order():
    x = gk.tensor(X, requires_grad=True)
    y = gk.ops.shape.pad(x, ((1, 0), (0, 2), (1, 1)), 5.0)
    (g,) = gk.autograd.grad((y * y).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 2 * X)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(X.shape, 2.0))


def test_t_tensor_basic_index_is_a_view_advanced_is_a_copy():
    """T-TENSOR: x[0] shares storage (an in-place change reaches x); x[idx] with a tensor
    index is a copy (PyTorch)."""
    for lib in (gk, torch):
        x = lib.tensor(X.copy())
        x[0].add_(1.0)
        x[lib.tensor([1])].add_(100.0)
        np.testing.assert_array_equal(x.numpy(), X + np.array([1.0, 0.0])[:, None, None])


def test_t_tensor_numpy_extensions():
    """T-TENSOR: ``permute()``/``transpose()`` with no dims reverse the axes (NumPy's
    transpose); ``pad`` fills with 0 by default (numpy.pad)."""
    x = gk.tensor(X)
    np.testing.assert_array_equal(gk.permute(x).numpy(), X.transpose())
    np.testing.assert_array_equal(x.transpose().numpy(), X.transpose())
    np.testing.assert_array_equal(gk.ops.shape.pad(x, 1).numpy(), np.pad(X, 1))


def test_t_tensor_cat_errors_name_the_tensor_and_sizes():
    x = gk.tensor(X)
    with pytest.raises(
        RuntimeError, match=r"Expected size 4 but got size 3 for tensor number 2 in the list"
    ):
        gk.cat([x, x, x[..., :3]], 1)
    with pytest.raises(RuntimeError, match=r"Expected size 3 but got size 2 for tensor number 1"):
        gk.cat([x, x[:, :2, :1]], 2)
    with pytest.raises(TypeError, match=r"^cat\(\) expects a sequence of tensors"):
        gk.cat(x)
    with pytest.raises(ValueError, match=r"^stack\(\): expected a non-empty list"):
        gk.stack([])
    with pytest.raises(TypeError, match=r"^stack\(\) expects a sequence"):
        gk.stack(x)
    with pytest.raises(ValueError, match=r"^cat\(\): expected a non-empty list"):
        gk.cat([])
