"""Small autograd programs run unchanged in PyTorch and gradkit (``import gradkit as torch``).

T-GRAPH: in-place ops, views and version counters keep the recorded graph honest — an op
that overwrites a tensor saved for backward, or writes into a leaf that requires grad, is
refused with RuntimeError exactly where PyTorch refuses it; in-place writes into non-leaf
tensors and their views are themselves differentiable.
T-AUTODIFF: every gradient (leaves, ``retain_grad`` intermediates, hooks, accumulation)
equals PyTorch's within 1e-12 in float64.
T-NOGRAD: ``with no_grad():``, ``.data`` and ``.detach()`` cut the graph as PyTorch does;
``.data`` has its own version counter (a change through it is not noticed), ``detach()``
shares its source's counter (a change through it is).

Each program is ``prog(lib)`` with ``lib`` either ``torch`` or ``gradkit``. A program that
must work returns a dict of tensors, ``None`` grads or Python numbers; a program that must
raise does its set-up (which must not raise) and returns the one step PyTorch refuses, as
a zero-argument callable. Every expectation was checked by running torch 2.13 CPU.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(20240531)
A23 = _rng.standard_normal((2, 3))
B23 = _rng.standard_normal((2, 3))
G23 = _rng.standard_normal((2, 3))
A32 = _rng.standard_normal((3, 2))
A4 = _rng.standard_normal(4)
B4 = _rng.standard_normal(4)
G4 = _rng.standard_normal(4)
B2 = _rng.standard_normal(2)
B3 = _rng.standard_normal(3)
POS23 = np.abs(_rng.standard_normal((2, 3))) + 0.5
MASK23 = np.array([[True, False, True], [False, False, True]])

PROGRAMS: list[tuple[str, Callable, bool]] = []


def program(raises: bool = False):
    """Register ``prog`` in the table; ``raises`` is PyTorch's answer (checked below)."""

    def register(prog):
        PROGRAMS.append((prog.__name__, prog, raises))
        return prog

    return register


def leaf(lib, a):
    """A float64 leaf that requires grad, from a private copy of ``a``."""
    return lib.tensor(a.copy(), requires_grad=True)


def const(lib, a):
    return lib.tensor(a.copy())


# --------------------------------------------------------------------------------------
# Programs PyTorch refuses (RuntimeError at the returned step)
# --------------------------------------------------------------------------------------


@program(raises=True)
def leaf_add_(lib):
    w = leaf(lib, A23)
    return lambda: w.add_(1.0)


@program(raises=True)
def leaf_iadd_operator(lib):
    w = leaf(lib, A23)

    def step():
        v = w
        v += 1.0

    return step


@program(raises=True)
def leaf_zero_(lib):
    w = leaf(lib, A4)
    return lambda: w.zero_()


@program(raises=True)
def leaf_copy_(lib):
    w = leaf(lib, A4)
    src = const(lib, B4)
    return lambda: w.copy_(src)


@program(raises=True)
def leaf_setitem_slice(lib):
    w = leaf(lib, A4)

    def step():
        w[1:3] = 0.0

    return step


@program(raises=True)
def leaf_setitem_mask(lib):
    w = leaf(lib, A23)
    mask = const(lib, MASK23)

    def step():
        w[mask] = 0.0

    return step


@program(raises=True)
def leaf_slice_view_mul_(lib):
    w = leaf(lib, A4)
    return lambda: w[1:].mul_(2.0)


@program(raises=True)
def leaf_view_zero_(lib):
    w = leaf(lib, A23)
    return lambda: w.view(-1).zero_()


@program(raises=True)
def leaf_t_view_fill_(lib):
    w = leaf(lib, A23)
    return lambda: w.t()[0].fill_(3.0)


@program(raises=True)
def saved_input_add_(lib):
    """``w * x`` saves ``x`` for the grad of ``w``; changing ``x`` is caught at backward."""
    w = leaf(lib, A23)
    x = const(lib, B23)
    y = (w * x).sum()
    x.add_(100.0)
    return lambda: y.backward()


@program(raises=True)
def saved_matmul_input_mul_(lib):
    x = const(lib, A23)
    w = leaf(lib, A32)
    y = (x @ w).sum()
    x.mul_(2.0)
    return lambda: y.backward()


@program(raises=True)
def saved_exp_output_add_(lib):
    """``exp`` saves its output; ``y.add_(1)`` changes it."""
    x = leaf(lib, A23)
    y = x.exp()
    y.add_(1.0)
    return lambda: y.sum().backward()


@program(raises=True)
def saved_sigmoid_output_imul(lib):
    x = leaf(lib, A23)
    y = x.sigmoid()
    y *= 2.0
    return lambda: (y * const(lib, G23)).sum().backward()


@program(raises=True)
def saved_exp_output_masked_fill_(lib):
    x = leaf(lib, A23)
    y = x.exp()
    y.masked_fill_(const(lib, MASK23), 0.0)
    return lambda: y.sum().backward()


@program(raises=True)
def saved_pow_input_setitem(lib):
    """``h ** 2`` saves ``h``; ``h[0] = 0`` bumps ``h``'s version."""
    x = leaf(lib, A23)
    h = x * 1.0
    y = h.pow(2)
    h[0] = 0.0
    return lambda: y.sum().backward()


@program(raises=True)
def saved_input_changed_through_view(lib):
    """A write through a view of ``h`` bumps the version ``h`` shares with it."""
    x = leaf(lib, A23)
    h = x * 1.0
    y = h * h
    h.view(-1)[2:4].fill_(1.0)
    return lambda: y.sum().backward()


@program(raises=True)
def detach_shares_version_counter(lib):
    """``detach()`` shares storage and version counter: the change is noticed."""
    x = leaf(lib, A23)
    y = x.exp()
    y.detach().zero_()
    return lambda: y.sum().backward()


@program(raises=True)
def detach_of_input_shares_version_counter(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B23)
    h = x * 1.0
    y = (h * w).sum()
    h.detach().mul_(3.0)
    return lambda: y.backward()


@program(raises=True)
def second_backward_without_retain_graph(lib):
    x = leaf(lib, A23)
    y = (x * x * const(lib, G23)).sum()
    y.backward()
    return lambda: y.backward()


@program(raises=True)
def chunk_output_view_mul_(lib):
    """Views returned by a multi-output view op may not be modified in place."""
    x = leaf(lib, A23)
    h = x * 1.0
    first, _ = h.chunk(2, dim=0)
    return lambda: first.mul_(2.0)


@program(raises=True)
def unbind_output_view_add_(lib):
    x = leaf(lib, A23)
    h = x * 1.0
    cols = h.unbind(1)
    return lambda: cols[1].add_(1.0)


@program(raises=True)
def view_made_in_no_grad_modified_with_grad(lib):
    x = leaf(lib, A23)
    h = x * 1.0
    with lib.no_grad():
        v = h[0]
    return lambda: v.mul_(2.0)


# --------------------------------------------------------------------------------------
# Programs PyTorch runs
# --------------------------------------------------------------------------------------


@program()
def sgd_no_grad_isub(lib):
    p = leaf(lib, A23)
    x = const(lib, B23)
    lr = 0.1
    losses = []
    for _ in range(3):
        loss = ((p * x).sin() * const(lib, G23)).sum()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            p -= lr * p.grad
        p.grad.zero_()
    return {"p": p, "grad": p.grad, "losses": losses, "leaf": p.is_leaf, "rg": p.requires_grad}


@program()
def sgd_data_add_alpha(lib):
    p = leaf(lib, A4)
    lr = 0.05
    for _ in range(3):
        loss = (p.pow(2) * const(lib, G4)).sum() + p.exp().sum()
        loss.backward()
        p.data.add_(p.grad, alpha=-lr)
        p.grad = None
    return {"p": p, "grad": p.grad, "leaf": p.is_leaf}


@program()
def sgd_no_grad_views_of_leaf(lib):
    """In-place writes into views of a leaf are fine under no_grad."""
    w = leaf(lib, A23)
    with lib.no_grad():
        w[0, 1:].mul_(0.5)
        w.t()[2].add_(1.0)
        w[const(lib, MASK23)] = 0.25
    y = (w * const(lib, B23)).exp().sum()
    y.backward()
    return {"w": w, "grad": w.grad, "leaf": w.is_leaf, "rg": w.requires_grad}


@program()
def data_change_not_noticed(lib):
    """``.data`` has its own version counter: backward runs on the changed saved value."""
    x = leaf(lib, A23)
    y = x.exp()
    y.data.mul_(2.0)
    (y * const(lib, G23)).sum().backward()
    return {"y": y, "grad": x.grad}


@program()
def data_change_of_saved_input_not_noticed(lib):
    w = leaf(lib, A23)
    x = leaf(lib, B23)
    y = (w * x).sum()
    x.data.add_(100.0)
    y.backward()
    return {"y": y, "gw": w.grad, "gx": x.grad}


@program()
def data_is_a_detached_leaf(lib):
    x = leaf(lib, A23)
    h = x * 2.0
    d = h.data
    return {"d": d, "rg": d.requires_grad, "leaf": d.is_leaf, "h_rg": h.requires_grad}


@program()
def data_assignment(lib):
    w = leaf(lib, A4)
    w.data = const(lib, B4) * 3.0
    (w * const(lib, G4)).sum().backward()
    return {"w": w, "grad": w.grad, "leaf": w.is_leaf}


@program()
def detach_cuts_graph(lib):
    x = leaf(lib, A23)
    d = x.detach()
    y = (x * d * const(lib, G23)).sum()
    y.backward()
    return {"grad": x.grad, "d_rg": d.requires_grad}


@program()
def detach_modified_after_backward(lib):
    x = leaf(lib, A23)
    y = x.exp()
    (y * const(lib, G23)).sum().backward()
    y.detach().zero_()
    return {"y": y, "grad": x.grad}


@program()
def detach_requires_grad_(lib):
    x = leaf(lib, A23)
    d = x.detach().requires_grad_()
    (d * d * const(lib, G23)).sum().backward()
    return {"gd": d.grad, "gx": x.grad, "leaf": d.is_leaf}


@program()
def no_grad_result_is_constant(lib):
    x = leaf(lib, A23)
    with lib.no_grad():
        z = x * 2.0
        inner = lib.is_grad_enabled()
    y = (x * z * const(lib, G23)).sum()
    y.backward()
    return {"z": z, "z_rg": z.requires_grad, "inner": inner, "grad": x.grad}


@program()
def no_grad_inplace_on_leaf_then_use(lib):
    w = leaf(lib, A4)
    with lib.no_grad():
        w.mul_(2.0)
        w[0] = 1.0
        w.clamp_(-1.5, 1.5)
    (w.sin() * const(lib, G4)).sum().backward()
    return {"w": w, "grad": w.grad, "leaf": w.is_leaf}


@program()
def nonleaf_mul_(lib):
    x = leaf(lib, A23)
    h = x * 2.0
    h.mul_(3.0)
    h.sum().backward()
    return {"h": h, "grad": x.grad, "leaf": h.is_leaf}


@program()
def nonleaf_add_after_add(lib):
    """``x + 1`` saves nothing its backward needs, so changing the result is fine."""
    x = leaf(lib, A23)
    y = x + 1.0
    y.mul_(2.0)
    (y * const(lib, G23)).sum().backward()
    return {"y": y, "grad": x.grad}


@program()
def nonleaf_change_not_needed_by_backward(lib):
    x = leaf(lib, A23)
    y = x + 1.0
    z = y * 2.0
    y.add_(5.0)
    z.backward(const(lib, G23))
    return {"y": y, "z": z, "grad": x.grad}


@program()
def nonleaf_ops_chain(lib):
    x = leaf(lib, A23)
    w = lib.tensor(POS23.copy(), requires_grad=True)
    h = x * 1.0
    h.sub_(w, alpha=0.5)
    h.div_(w)
    h.pow_(2)
    h.clamp_(max=1.5)
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_augmented_operators(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B23)
    h = x * 1.0
    h *= w
    h /= 2.0
    h -= x
    h += w.exp()
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_masked_fill_(lib):
    x = leaf(lib, A23)
    h = x.exp() * 1.0
    h.masked_fill_(const(lib, MASK23), 0.0)
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "grad": x.grad}


@program()
def nonleaf_zero_then_add(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B23)
    h = x * 1.0
    h.zero_()
    h += w
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_copy_from_grad_tensor(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B23)
    h = x * 1.0
    h.copy_(w * 3.0)
    (h.sin() * const(lib, G23)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def clone_setitem_int(lib):
    x = leaf(lib, A23)
    y = x.clone()
    y[0] = 0.0
    (y * const(lib, G23)).sum().backward()
    return {"y": y, "grad": x.grad}


@program()
def clone_setitem_mask_from_grad_tensor(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B3)
    y = x.clone()
    y[const(lib, MASK23)] = w
    (y.exp() * const(lib, G23)).sum().backward()
    return {"y": y, "gx": x.grad, "gw": w.grad}


@program()
def clone_setitem_comparison_mask(lib):
    x = leaf(lib, A23)
    y = x.clone()
    y[x < 0] = 0.0
    (y * const(lib, G23)).sum().backward()
    return {"y": y, "grad": x.grad}


@program()
def nonleaf_setitem_int_array(lib):
    x = leaf(lib, A4)
    w = leaf(lib, B2)
    h = x * 1.0
    h[lib.tensor(np.array([0, 2]))] = w
    (h * const(lib, G4)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_setitem_broadcast_row(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B2)
    h = x * 2.0
    h[:, 1:] = w
    (h.tanh() * const(lib, G23)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_column_view_mul_(lib):
    x = leaf(lib, A23)
    h = x * 1.0
    h[:, 0].mul_(2.0)
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "grad": x.grad}


@program()
def nonleaf_flat_view_slice_add_(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B2)
    h = x * 1.0
    h.view(-1)[1:3].add_(w)
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_view_mul_by_grad_tensor(lib):
    x = leaf(lib, A23)
    w = leaf(lib, A32)
    h = x.exp() * 1.0
    v = h.view(3, 2)
    v.mul_(w)
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "v": v, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_reshape_is_view(lib):
    """``reshape`` of a contiguous tensor is a view: writes through it reach the base."""
    x = leaf(lib, A23)
    h = x * 1.0
    h.reshape(6)[::2].zero_()
    (h * const(lib, G23)).sum().backward()
    return {"h": h, "grad": x.grad}


@program()
def nonleaf_transpose_view_add_(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B2)
    h = x * 1.0
    h.transpose(0, 1)[1].add_(w)
    (h.sin() * const(lib, G23)).sum().backward()
    return {"h": h, "gx": x.grad, "gw": w.grad}


@program()
def nonleaf_unsqueeze_squeeze_views(lib):
    x = leaf(lib, A4)
    w = leaf(lib, B4)
    h = x * 1.0
    h.unsqueeze(1).mul_(w.unsqueeze(1))
    u = h.unsqueeze(0)
    u.squeeze(0)[1:].sub_(1.0)
    (u * const(lib, G4)).sum().backward()
    return {"h": h, "u": u, "gx": x.grad, "gw": w.grad}


@program()
def ops_on_t(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B23)
    xt = x.t()
    y = xt @ w
    z = (xt * xt.exp()).sum(0)
    loss = y.sum() * 0.5 + (z * const(lib, B2)).sum() + xt[2].sum()
    loss.backward()
    return {"y": y, "z": z, "gx": x.grad, "gw": w.grad}


@program()
def zeros_buffer_copy_from_grad_tensors(lib):
    x = leaf(lib, A23)
    w = leaf(lib, B3)
    buf = lib.zeros(3, 3, dtype=lib.float64)
    before = buf.requires_grad
    buf[0:2].copy_(x.sin())
    buf[2, :].copy_(w * 2.0)
    (buf * const(lib, np.arange(9.0).reshape(3, 3))).sum().backward()
    return {
        "buf": buf,
        "before": before,
        "after": buf.requires_grad,
        "leaf": buf.is_leaf,
        "gx": x.grad,
        "gw": w.grad,
    }


@program()
def split_chunk_unbind_read_only(lib):
    x = leaf(lib, A23)
    a, b = x.split([1, 2], dim=1)
    top, bottom = x.chunk(2, dim=0)
    r0, r1 = x.unbind(0)
    y = (a * 2.0).sum() + (b.exp() * const(lib, B23[:, 1:])).sum()
    y = y + (top * bottom).sum() + (r0 * r1.cos()).sum()
    y.backward()
    return {"y": y, "grad": x.grad}


@program()
def split_then_inplace_on_clone(lib):
    x = leaf(lib, A23)
    a, b = x.split(2, dim=1)
    a = a.clone()
    a.mul_(b.expand(2, 2))
    (a * const(lib, G23[:, :2])).sum().backward()
    return {"a": a, "grad": x.grad}


@program()
def retain_grad_intermediate(lib):
    x = leaf(lib, A23)
    h = x * 2.0
    h.retain_grad()
    y = (h.exp() * const(lib, G23)).sum()
    y.backward()
    return {"gh": h.grad, "gx": x.grad}


@program()
def retain_grad_then_inplace(lib):
    x = leaf(lib, A23)
    h = x * 2.0
    h.retain_grad()
    h.mul_(3.0)
    (h * h * const(lib, G23)).sum().backward()
    return {"gh": h.grad, "gx": x.grad}


@program()
def hook_on_leaf_scales_grad(lib):
    x = leaf(lib, A23)
    x.register_hook(lambda g: g * 2.0)
    (x.sin() * const(lib, G23)).sum().backward()
    return {"grad": x.grad}


@program()
def hook_on_intermediate(lib):
    x = leaf(lib, A23)
    h = x * 3.0
    seen = []
    h.register_hook(lambda g: seen.append(g.clone()))
    h.register_hook(lambda g: g + 1.0)
    (h.tanh() * const(lib, G23)).sum().backward()
    return {"seen": seen[0], "grad": x.grad}


@program()
def retain_graph_accumulates(lib):
    x = leaf(lib, A23)
    y = (x * x * const(lib, G23)).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    return {"first": first, "grad": x.grad}


@program()
def grad_zero_between_backwards(lib):
    x = leaf(lib, A4)
    (x.exp() * const(lib, G4)).sum().backward()
    x.grad.zero_()
    (x * x).sum().backward()
    return {"grad": x.grad}


@program()
def saved_tensor_modified_after_backward(lib):
    x = leaf(lib, A23)
    y = x.exp()
    (y * const(lib, G23)).sum().backward()
    y.add_(1.0)
    return {"y": y, "grad": x.grad}


@program()
def clone_before_inplace_keeps_saved(lib):
    x = leaf(lib, A23)
    y = x.exp()
    z = y.clone()
    z.add_(1.0)
    ((y + z) * const(lib, G23)).sum().backward()
    return {"z": z, "grad": x.grad}


# --------------------------------------------------------------------------------------
# Harness
# --------------------------------------------------------------------------------------


def _to_numpy(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return np.asarray([float(v) for v in value], dtype=np.float64)
    if hasattr(value, "detach"):
        return np.asarray(value.detach().numpy(), dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


def _run(lib, prog, raises: bool):
    """Run ``prog``; return ('raised', exc) or ('ok', dict of numpy arrays)."""
    result = prog(lib)
    if raises:
        assert callable(result), "a program that must raise returns its refused step"
        try:
            result()
        except RuntimeError as exc:
            return "raised", exc
        return "ok", None
    return "ok", {key: _to_numpy(value) for key, value in result.items()}


def test_program_table_size():
    """The table covers at least 30 programs, both refused and working ones."""
    assert len(PROGRAMS) >= 30
    assert len({name for name, _, _ in PROGRAMS}) == len(PROGRAMS)
    assert sum(raises for _, _, raises in PROGRAMS) >= 10


@pytest.mark.parametrize("name, prog, raises", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_t_graph_program_matches_torch(name, prog, raises):
    """T-GRAPH / T-AUTODIFF / T-NOGRAD: same refusals and same numbers as PyTorch."""
    torch_kind, torch_out = _run(torch, prog, raises)
    assert torch_kind == ("raised" if raises else "ok"), (
        f"{name}: PyTorch no longer {'raises' if raises else 'runs'}; fix the table"
    )
    gk_kind, gk_out = _run(gk, prog, raises)
    if raises:
        assert gk_kind == "raised", f"{name}: PyTorch raises RuntimeError, gradkit does not"
        assert str(gk_out), f"{name}: gradkit's RuntimeError has no message"
        return
    assert gk_out.keys() == torch_out.keys()
    for key, expected in torch_out.items():
        actual = gk_out[key]
        if expected is None:
            assert actual is None, f"{name}[{key}]: PyTorch gives None, gradkit {actual}"
            continue
        assert actual is not None, f"{name}[{key}]: gradkit gives None, PyTorch {expected}"
        assert actual.shape == expected.shape, (name, key, actual.shape, expected.shape)
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12, err_msg=f"{name}[{key}]")
