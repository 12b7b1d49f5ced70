"""Pooling options no other test reaches (concepts CNN-POOL, CNN-SIZE): integer inputs
(−∞ padding as the dtype's minimum, averages rounded toward zero), 1-d pooling's defaults,
1-tuple spellings and unbatched inputs with indices. Oracle: PyTorch (exact for integers,
float64 forward and gradients otherwise)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as gF
from gradkit.autograd import gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch

F = None if torch is None else torch.nn.functional

INT_CASES = [
    dict(kernel_size=2, stride=1, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 1), ceil_mode=True),
]


def _ints(dtype, seed=0, shape=(2, 2, 5, 6)):
    return np.random.default_rng(seed).integers(-9, 10, shape).astype(dtype)


@requires_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
@pytest.mark.parametrize("kw", INT_CASES, ids=str)
def test_integer_max_pool2d_matches_torch(kw, dtype):
    """CNN-POOL on integers: the padding never wins, the indices are PyTorch's."""
    x = _ints(dtype) - 20  # every value negative: a 0 padding would win
    out, idx = gF.max_pool2d(gk.tensor(x), **kw, return_indices=True)
    t_out, t_idx = F.max_pool2d(torch.tensor(x), **kw, return_indices=True)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.data, t_out.numpy())
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


@requires_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 3])
@pytest.mark.parametrize("kw", INT_CASES, ids=str)
def test_integer_avg_pool2d_matches_torch(kw, divisor_override, count_include_pad, dtype):
    """CNN-POOL on integers: the sum divided and rounded toward zero, as PyTorch does."""
    x = _ints(dtype, seed=1)
    opts = dict(kw, count_include_pad=count_include_pad, divisor_override=divisor_override)
    out = gF.avg_pool2d(gk.tensor(x), **opts)
    # PyTorch has no int32 average pooling: its int64 result is the oracle for both
    expected = F.avg_pool2d(torch.tensor(x.astype(np.int64)), **opts).numpy()
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.data, expected)


@requires_torch
def test_pool1d_defaults_match_torch():
    """CNN-POOL: stride defaults to the kernel, no padding, floor mode, pad counted."""
    (x,) = random_inputs([(2, 3, 11)], seed=2)
    assert_parity(lambda a: gF.max_pool1d(a, 3), lambda a: F.max_pool1d(a, 3), [x])
    assert_parity(lambda a: gF.avg_pool1d(a, 3), lambda a: F.avg_pool1d(a, 3), [x])
    kw = dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)  # counts the padding
    assert_parity(lambda a: gF.avg_pool1d(a, **kw), lambda a: F.avg_pool1d(a, **kw), [x])


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,)),
        dict(kernel_size=(2,), stride=(1,), padding=(1,), ceil_mode=True),
    ],
    ids=str,
)
def test_max_pool1d_one_tuples_and_unbatched_indices(kw):
    """1-tuples spell the same options; unbatched (C, L) input keeps its shape, and the
    indices index L."""
    (x,) = random_inputs([(3, 10)], seed=3)
    assert_parity(lambda a: gF.max_pool1d(a, **kw), lambda a: F.max_pool1d(a, **kw), [x])
    out, idx = gF.max_pool1d(gk.tensor(x), **kw, return_indices=True)
    t_out, t_idx = F.max_pool1d(torch.tensor(x), **kw, return_indices=True)
    assert out.shape == tuple(t_out.shape) and idx.shape == tuple(t_idx.shape)
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


@requires_torch
def test_avg_pool1d_one_tuples_and_exclude_pad():
    (x,) = random_inputs([(2, 3, 9)], seed=4)
    kw = dict(kernel_size=(3,), stride=(2,), padding=(1,), count_include_pad=False)
    assert_parity(lambda a: gF.avg_pool1d(a, **kw), lambda a: F.avg_pool1d(a, **kw), [x])


@requires_torch
def test_max_pool2d_unbatched_indices_match_torch():
    (x,) = random_inputs([(2, 5, 6)], seed=5)
    out, idx = gF.max_pool2d(gk.tensor(x), 2, return_indices=True)
    t_out, t_idx = F.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(out.data, t_out.numpy())
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


def test_pool1d_rejects_two_tuples():
    x = gk.zeros(1, 1, 8)
    with pytest.raises(ValueError, match="kernel_size must be an int or a 1-tuple"):
        gF.max_pool1d(x, (2, 2))
    with pytest.raises(ValueError, match="stride must be an int or a 1-tuple"):
        gF.avg_pool1d(x, 2, stride=(1, 1))


@pytest.mark.parametrize(
    "fn, shape, kw, error, match",
    [
        ("max_pool2d", (1, 1, 2, 5), dict(kernel_size=3, stride=1, ceil_mode=True), ValueError,
         "max_pool2d: the height axis is too small"),
        ("avg_pool2d", (1, 1, 5, 2), dict(kernel_size=3, stride=1, ceil_mode=True), ValueError,
         "avg_pool2d: the width axis is too small"),
        ("max_pool2d", (1, 1, 4, 4), dict(kernel_size=2, stride=(1, 0)), ValueError,
         "max_pool2d: kernel_size, stride and dilation must be positive"),
        ("max_pool2d", (1, 1, 4, 4), dict(kernel_size=(0, 2)), ValueError,
         "max_pool2d: kernel_size, stride and dilation must be positive"),
        ("max_pool2d", (1, 1, 4, 4), dict(kernel_size=2, dilation=(0, 1)), ValueError,
         "max_pool2d: kernel_size, stride and dilation must be positive"),
        ("avg_pool2d", (1, 1, 4, 4), dict(kernel_size=2, padding=(0, -1)), ValueError,
         "avg_pool2d: padding .* must be at most half"),
        ("avg_pool2d", (1, 1, 4, 4), dict(kernel_size=(3, 2), padding=(1, 2)), ValueError,
         "avg_pool2d: padding .* must be at most half"),
        ("avg_pool2d", (1, 4, 4), dict(kernel_size=2, stride=(1, 1, 1)), ValueError, "`stride`"),
        ("max_pool2d", (1, 1, 4, 4), dict(kernel_size=(2, 2, 2)), ValueError, "`kernel_size`"),
        ("max_pool2d", (1, 1, 4, 4), dict(kernel_size=2, padding=(1, 1, 1)), ValueError,
         "`padding`"),
        ("max_pool2d", (1, 1, 4, 4), dict(kernel_size=2, dilation=(1, 1, 1)), ValueError,
         "`dilation`"),
        ("avg_pool2d", (4, 4), dict(kernel_size=2), ValueError,
         r"avg_pool2d: expected input \(N, C, H, W\)"),
        ("max_pool1d", (4,), dict(kernel_size=2), ValueError,
         r"max_pool1d: expected input \(N, C, L\)"),
        ("avg_pool1d", (1, 1, 1, 4), dict(kernel_size=2), ValueError,
         r"avg_pool1d: expected input \(N, C, L\)"),
        ("max_pool1d", (1, 1, 8), dict(kernel_size=2, padding=(1, 1)), ValueError,
         "padding must be an int or a 1-tuple"),
        ("max_pool1d", (1, 1, 8), dict(kernel_size=2, dilation=(1, 1)), ValueError,
         "dilation must be an int or a 1-tuple"),
    ],
)  # fmt: skip
def test_pool_errors_name_the_op_and_argument(fn, shape, kw, error, match):
    with pytest.raises(error, match=match):
        getattr(gF, fn)(gk.zeros(*shape), **kw)


def test_pool_rejects_bool_input():
    with pytest.raises(TypeError, match="max_pool2d: not implemented for dtype bool"):
        gF.max_pool2d(gk.tensor(np.ones((1, 1, 4, 4), bool)), 2)


def _penalty_matches_torch(gk_fn, th_fn, x):
    """create_graph first gradient, then the gradient of its squared norm, vs PyTorch."""
    gx, tx = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_out, t_out = gk_fn(gx), th_fn(tx)
    (g1,) = gk.autograd.grad((g_out * g_out).sum(), [gx], create_graph=True)
    (t1,) = torch.autograd.grad((t_out * t_out).sum(), [tx], create_graph=True)
    np.testing.assert_allclose(g1.data, t1.detach().numpy(), atol=1e-12)
    (g1 * g1 * g1).sum().backward()
    (t1 * t1 * t1).sum().backward()
    np.testing.assert_allclose(gx.grad.data, tx.grad.numpy(), atol=1e-10)


POOL_DOUBLE = [
    ("max_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool2d", dict(kernel_size=2, stride=1, dilation=2)),
    ("max_pool2d", dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 0))),
    ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("avg_pool2d", dict(kernel_size=(2, 3), stride=1, divisor_override=5)),
    ("max_pool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool1d", dict(kernel_size=4, stride=2, padding=2, ceil_mode=True)),
]


@requires_torch
@pytest.mark.parametrize("name, kw", POOL_DOUBLE, ids=[f"{n}-{k}" for n, k in POOL_DOUBLE])
def test_pool_double_backward_matches_torch(name, kw):
    """CNN-POOL second derivatives (the recorded scatter of max pooling, AvgPoolGrad)."""
    shape = (2, 2, 7) if name.endswith("1d") else (2, 2, 7, 6)
    (x,) = random_inputs([shape], seed=30)
    _penalty_matches_torch(
        lambda a: getattr(gF, name)(a, **kw), lambda a: getattr(F, name)(a, **kw), x
    )


def test_max_pool_recorded_backward_with_ties_padding_and_minus_inf():
    """The recorded (create_graph) routing equals the fused backward's: the first
    maximum among real inputs, nothing for an all −∞ window."""
    x = np.random.default_rng(31).integers(0, 3, (1, 2, 5, 5)).astype(np.float64)
    x[0, 1] = -np.inf
    x[0, 0, :2, :2] = -np.inf
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
    up = np.random.default_rng(32).standard_normal(gF.max_pool2d(gk.tensor(x), **kw).shape)
    grads = []
    for create_graph in (False, True):
        xt = gk.tensor(x, requires_grad=True)
        (g,) = gk.autograd.grad(
            gF.max_pool2d(xt, **kw), [xt], gk.tensor(up), create_graph=create_graph
        )
        grads.append(g.detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=0, atol=1e-14)
    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        F.max_pool2d(tx, **kw).backward(torch.tensor(up))
        np.testing.assert_allclose(grads[1], tx.grad.numpy(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_pool_third_derivatives(name):
    (x,) = random_inputs([(1, 2, 5, 5)], seed=33)
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)

    def grad_norm(x):
        with gk.enable_grad():
            y = getattr(gF, name)(x, **kw)
            (g,) = gk.autograd.grad((y * y * y).sum(), [x], create_graph=True)
            return (g * g).sum()

    assert gradgradcheck(grad_norm, gk.tensor(x), atol=1e-6, rtol=1e-4)


def test_max_pool_recorded_backward_skips_nan_windows_like_the_fused_one():
    """A window whose maximum is NaN matches no input: the recorded (create_graph)
    routing must drop it exactly as the fused backward does, not scatter its gradient
    to some index. (PyTorch gives it to the NaN element; see the issue-24 report.)"""
    x = np.random.default_rng(34).standard_normal((1, 2, 4, 4))
    x[0, 0, 1, 1] = np.nan
    up = np.random.default_rng(35).standard_normal((1, 2, 2, 2))
    grads = []
    for create_graph in (False, True):
        xt = gk.tensor(x, requires_grad=True)
        (g,) = gk.autograd.grad(
            gF.max_pool2d(xt, 2), [xt], gk.tensor(up), create_graph=create_graph
        )
        grads.append(g.detach().numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


@requires_torch
def test_avg_pool1d_unbatched_matches_torch():
    (x,) = random_inputs([(3, 9)], seed=36)
    kw = dict(kernel_size=3, stride=2, padding=1)
    assert_parity(lambda a: gF.avg_pool1d(a, **kw), lambda a: F.avg_pool1d(a, **kw), [x])


@pytest.mark.parametrize(
    "fn, kw, name",
    [
        ("max_pool1d", dict(kernel_size=2, stride=(1, 1)), "stride"),
        ("avg_pool1d", dict(kernel_size=(2, 2)), "kernel_size"),
        ("avg_pool1d", dict(kernel_size=2, padding=(1, 1)), "padding"),
        ("max_pool1d", dict(kernel_size=2, padding=(1, 1)), "padding"),
    ],
)
def test_pool1d_two_tuples_are_named(fn, kw, name):
    with pytest.raises(ValueError, match=f"^{name} must be an int or a 1-tuple"):
        getattr(gF, fn)(gk.zeros(1, 1, 8), **kw)


@requires_torch
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_avg_pool2d_sums_without_overflow_or_rounding(dtype):
    """Integer averages are summed exactly in int64: int32 windows whose sum passes
    2³¹, int64 windows whose sum is not exact in float64."""
    rng = np.random.default_rng(37)
    big = 2**30 if dtype == np.int32 else 2**60
    x = (big - rng.integers(0, 1000, (1, 2, 4, 4))).astype(dtype)
    x[0, 1] *= -1
    out = gF.avg_pool2d(gk.tensor(x), 2, padding=1, count_include_pad=False)
    expected = F.avg_pool2d(
        torch.tensor(x.astype(np.int64)), 2, padding=1, count_include_pad=False
    ).numpy()
    np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize(
    "fn, kw",
    [
        ("avg_pool2d", dict(kernel_size=2, divisor_override=3)),
        ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ("max_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ],
    ids=str,
)
def test_float32_stays_float32_forward_and_inside_the_graph(fn, kw):
    """No float64 leaks: the output and the gradient reaching an intermediate float32
    tensor (seen by a hook, before any cast at the leaf) are float32."""
    x = gk.tensor(np.random.default_rng(38).standard_normal((1, 2, 5, 5)).astype(np.float32))
    x.requires_grad = True
    seen = []
    h = x * 1.0
    h.register_hook(lambda g: seen.append(g.dtype))
    y = getattr(gF, fn)(h, **kw)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == np.float32 and seen == [np.float32]


@requires_torch
def test_avg_pool2d_unbatched_matches_torch():
    (x,) = random_inputs([(2, 5, 6)], seed=39)
    kw = dict(kernel_size=2, stride=1, padding=1)
    assert_parity(lambda a: gF.avg_pool2d(a, **kw), lambda a: F.avg_pool2d(a, **kw), [x])


def test_floor_mode_too_small_axis_is_named():
    with pytest.raises(ValueError, match="max_pool2d: the height axis is too small"):
        gF.max_pool2d(gk.zeros(1, 1, 2, 5), 3)
    with pytest.raises(ValueError, match="avg_pool2d: the width axis is too small"):
        gF.avg_pool2d(gk.zeros(1, 1, 5, 2), 3)


@requires_torch
@pytest.mark.parametrize("fn", ["max_pool2d", "avg_pool2d"])
def test_unbatched_size_one_axes_are_kept(fn):
    """Only the added batch axis is removed from an unbatched result: one channel and
    one output row stay."""
    (x,) = random_inputs([(1, 2, 4)], seed=40)
    assert_parity(lambda a: getattr(gF, fn)(a, 2), lambda a: getattr(F, fn)(a, 2), [x])
