"""Boundary inputs and options of the layout ops (concept T-TENSOR, T-AUTODIFF): 1-D and
0-d flips and rolls, zero repeats and zero-size windows, ``meshgrid(indexing="xy")`` of
two tensors, negative ``narrow`` starts, ``unflatten`` with a 1 among the sizes, the
``atleast_*d`` list spelling, views of ``unfold``, and second and third derivatives —
all against PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

X = np.random.default_rng(11).standard_normal((2, 3, 4))
V = np.random.default_rng(12).standard_normal(5)


def _run(lib, fn, arrays):
    ins = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *ins)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    rng = np.random.default_rng(4)
    loss = sum((o * lib.tensor(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
    loss.backward()
    grads = [np.zeros(a.shape) if t.grad is None else t.grad.numpy() for t, a in zip(ins, arrays)]
    return [o.detach().numpy() for o in outs], grads


CASES = {
    "flip_1d": (lambda L, v: v.flip(0), [V]),
    "flip_0d": (lambda L, v: v.sum().flip(0) * v[0], [V]),
    "flip_dims_kw_1d": (lambda L, v: L.flip(v, dims=[-1]), [V]),
    "flipud_1d": (lambda L, v: L.flipud(v), [V]),
    "roll_1d_dim": (lambda L, v: v.roll(2, 0), [V]),
    "roll_1d_flat": (lambda L, v: L.roll(v, -1), [V]),
    "meshgrid_xy_two": (lambda L, v, x: L.meshgrid(v, x[0, 0], indexing="xy"), [V, X]),
    "meshgrid_tuple_xy": (lambda L, v, x: L.meshgrid((v[:2], x[0, 0]), indexing="xy"), [V, X]),
    "narrow_start_minus_n": (lambda L, x: x.narrow(2, -4, 2), [X]),
    "repeat_zero": (lambda L, x: L.cat([x.repeat(0, 1, 1), x], 0), [X]),
    "repeat_tensor_count": (lambda L, x: x[0].repeat(L.tensor(2), 3), [X]),
    "unflatten_one": (lambda L, x: x.unflatten(2, (1, -1, 2)), [X]),
    "unflatten_last_one": (lambda L, x: x.unflatten(1, (3, 1)), [X]),
    "unfold_size_0": (lambda L, v: L.cat([v.unfold(0, 0, 1).reshape(-1), v]), [V]),
    "atleast_1d_tuple": (lambda L, v, x: L.atleast_1d((v.sum(), x)), [V, X]),
    "atleast_2d_tuple": (lambda L, v, x: L.atleast_2d((v.sum(), v)), [V, X]),
    "atleast_3d_tuple": (lambda L, v, x: L.atleast_3d((v, x[0])), [V, X]),
    "hstack_tuple": (lambda L, v: L.hstack((v, v)), [V]),
    "vstack_1d": (lambda L, v: L.vstack([v, v * 2.0]), [V]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_t_tensor_layout_boundary_cases_match_torch(name):
    fn, arrays = CASES[name]
    (ov, og), (tv, tg) = _run(gk, fn, arrays), _run(torch, fn, arrays)
    assert [a.shape for a in ov] == [b.shape for b in tv]
    for a, b in zip(ov + og, tv + tg):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)


def test_t_tensor_atleast_returns_the_tensor_itself_when_high_enough():
    x3 = gk.tensor(X)
    assert gk.atleast_1d(x3) is x3 and gk.atleast_2d(x3) is x3 and gk.atleast_3d(x3) is x3
    t3 = torch.tensor(X)
    assert torch.atleast_2d(t3) is t3
    m = gk.tensor(X[0])
    assert gk.atleast_2d(m) is m


def test_t_tensor_repeat_sizes_as_a_tensor_equal_the_tuple():
    """A gradkit extension (NumPy's tile takes an array): sizes as one integer tensor."""
    x = gk.tensor(X[0])
    np.testing.assert_array_equal(x.repeat(gk.tensor([2, 1, 3])).numpy(), x.repeat(2, 1, 3).numpy())


def test_t_tensor_unfold_view_is_writeable_only_without_overlap():
    """T-TENSOR: unfold is a view; writing through non-overlapping windows (step equal
    to size included) reaches the input, as in PyTorch. gradkit refuses writes into
    overlapping windows (PyTorch 2.13 lets a one-element write through)."""
    for lib in (gk, torch):
        x = lib.zeros(6)
        with lib.no_grad():
            u = x.unfold(0, 2, 2)
            u[1, 0] = 5.0
        assert x.tolist() == [0, 0, 5, 0, 0, 0]
    with pytest.raises(RuntimeError):
        gk.zeros(6).unfold(0, 2, 1)[1, 0] = 7.0


def test_t_tensor_layout_errors():
    x = gk.tensor(X)
    with pytest.raises(RuntimeError, match="0D or 1D"):
        gk.meshgrid(x[0], indexing="ij")
    with pytest.raises(RuntimeError):
        torch.meshgrid(torch.tensor(X[0]), indexing="ij")
    for lib in (gk, torch):
        with pytest.raises(RuntimeError, match="multiply up|don't multiply"):
            lib.tensor(X).unflatten(2, (1, 2))
    for op in ("hstack", "vstack", "dstack", "column_stack"):
        with pytest.raises(TypeError, match=f"^{op}\\(\\) expects a sequence"):
            getattr(gk, op)(t for t in (x, x))
        with pytest.raises(TypeError):
            getattr(torch, op)(t for t in (torch.tensor(X),))


def test_t_autodiff_unfold_gradient_keeps_float32():
    for lib in (gk, torch):
        x = lib.tensor(X.astype(np.float32), requires_grad=True)
        x.unfold(2, 2, 1).sum().backward()
        assert str(x.grad.dtype).endswith("float32")


HIGHER = {
    "flip_one_dim": lambda L, x: x.flip(1),
    "roll_flat": lambda L, x: x.roll(5),
    "roll_dims": lambda L, x: x.roll((1, -1), (0, 2)),
    "unfold": lambda L, x: x.unfold(2, 2, 1),
    "unfold_step": lambda L, x: x.unfold(1, 2, 1).unfold(0, 1, 2),
    "repeat": lambda L, x: x.repeat(1, 2, 1),
}


def _third(lib, fn):
    """(first, second, third) derivatives of sum(y³·w) along random directions."""
    x = lib.tensor(X.copy(), requires_grad=True)
    y = fn(lib, x)
    rng = np.random.default_rng(8)
    w = lib.tensor(rng.standard_normal(tuple(y.shape)))
    v = lib.tensor(rng.standard_normal(X.shape))
    (g,) = lib.autograd.grad((y * y * y * w).sum(), [x], create_graph=True)
    (h,) = lib.autograd.grad((g * v).sum(), [x], create_graph=True)
    (h * v).sum().backward()
    return g.detach().numpy(), h.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name", list(HIGHER))
def test_t_autodiff_layout_ops_differentiate_three_times_like_torch(name):
    for a, b in zip(_third(gk, HIGHER[name]), _third(torch, HIGHER[name])):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
