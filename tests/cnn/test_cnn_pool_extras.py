"""The rest of PyTorch's pooling API against PyTorch and finite differences (CNN-POOL):
``ceil_mode``, ``return_indices``, max unpooling and adaptive max / 1-d average pooling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn as nn
import gradkit.nn.functional as gF
from gradkit.autograd import gradcheck
from gradkit.ops.pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from gradkit.ops.resample import adaptive_avg_pool1d, adaptive_max_pool1d, adaptive_max_pool2d
from gradkit.ops.unpool import max_unpool1d, max_unpool2d
from parity import assert_parity, random_inputs, requires_torch, torch

tnn = None if torch is None else torch.nn
F = None if torch is None else torch.nn.functional


def _floor_size(size, k, s, p, d=1):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _valid(hw, k, s, p, d=1):
    """The combinations PyTorch accepts: padding ≤ k/2 and a non-empty floor output."""
    return 2 * p <= k and all(_floor_size(n, k, s, p, d) >= 1 for n in hw)


# kernel × stride × padding × dilation × (odd × even, even × odd) input; every case runs
# with ceil_mode False and True
GRID = [
    c
    for c in itertools.product((2, 3), (1, 2, 3), (0, 1), (1, 2), ((7, 8), (6, 5)))
    if _valid(c[4], *c[:4])
]


def _id(case):
    k, s, p, d, hw = case
    return f"k{k}-s{s}-p{p}-d{d}-{hw[0]}x{hw[1]}"


def _overhangs(size, k, s, p, d=1):
    """Does the last ceil_mode window reach past the end of the padded input?"""
    n = torch.nn.functional.max_pool1d(torch.zeros(1, 1, size), k, s, p, d, ceil_mode=True).shape[
        -1
    ]
    return (n - 1) * s + d * (k - 1) + 1 > size + 2 * p


@requires_torch
def test_grid_has_windows_hanging_over_the_end():
    """The ceil_mode cases below are not all equal to floor mode: many hang over."""
    hanging = [c for c in GRID if any(_overhangs(n, *c[:4]) for n in c[4])]
    assert len(hanging) >= len(GRID) // 3


@requires_torch
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("case", GRID, ids=_id)
def test_max_pool2d_ceil_mode_and_indices_parity(case, ceil_mode):
    """CNN-POOL: values, gradients and return_indices equal PyTorch's, ceil_mode included."""
    k, s, p, d, hw = case
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    (x,) = random_inputs([(2, 3, *hw)])
    assert_parity(lambda t: max_pool2d(t, **kw), lambda t: F.max_pool2d(t, **kw), [x])
    out, idx = max_pool2d(gk.tensor(x), **kw, return_indices=True)
    ref, ref_idx = F.max_pool2d(torch.tensor(x), **kw, return_indices=True)
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(idx.detach().numpy(), ref_idx.numpy())
    np.testing.assert_array_equal(out.detach().numpy(), ref.numpy())


@requires_torch
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("case", [c for c in GRID if c[3] == 1], ids=_id)
def test_avg_pool2d_ceil_mode_parity(case, ceil_mode, count_include_pad):
    """The divisor of a window hanging over the end counts the padding (when asked) but
    never the overhang, as in PyTorch."""
    k, s, p, _, hw = case
    kw = dict(
        kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode, count_include_pad=count_include_pad
    )
    assert_parity(
        lambda t: avg_pool2d(t, **kw), lambda t: F.avg_pool2d(t, **kw), random_inputs([(2, 3, *hw)])
    )


@requires_torch
def test_avg_pool2d_ceil_mode_divisor_override():
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, divisor_override=4)
    assert_parity(
        lambda t: avg_pool2d(t, **kw),
        lambda t: F.avg_pool2d(t, **kw),
        random_inputs([(2, 2, 6, 8)]),
    )


def test_ceil_mode_overhang_by_hand():
    """3×3 input, 2×2 windows, stride 2: ceil_mode keeps the partial last row and column,
    whose averages divide by the real inputs only (2, 2 and 1)."""
    x = gk.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(
        avg_pool2d(x, 2, ceil_mode=True).detach().numpy()[0, 0], [[2, 3.5], [6.5, 8]]
    )
    np.testing.assert_array_equal(
        max_pool2d(x, 2, ceil_mode=True).detach().numpy()[0, 0], [[4, 5], [7, 8]]
    )
    assert max_pool2d(x, 2).shape == (1, 1, 1, 1)
    # the last window may not start in the right padding: 4 + 1 padding, k 2, s 2 → 3, not 4
    assert max_pool2d(gk.randn(1, 1, 4, 4), 2, 2, 1, ceil_mode=True).shape == (1, 1, 3, 3)
    if torch is not None:  # and PyTorch agrees
        assert F.max_pool2d(torch.randn(1, 1, 4, 4), 2, 2, 1, ceil_mode=True).shape == (1, 1, 3, 3)


@requires_torch
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize(
    "k, s, p, d", [(2, None, 0, 1), (3, 2, 1, 1), (3, 2, 1, 2), (2, 3, 1, 1), (4, 3, 2, 1)]
)
def test_pool1d_ceil_mode_and_indices_parity(k, s, p, d, ceil_mode):
    (x,) = random_inputs([(2, 3, 11)])
    kw = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode)
    assert_parity(
        lambda t: max_pool1d(t, **kw, dilation=d), lambda t: F.max_pool1d(t, **kw, dilation=d), [x]
    )
    for cip in (True, False):
        assert_parity(
            lambda t, cip=cip: avg_pool1d(t, **kw, count_include_pad=cip),
            lambda t, cip=cip: F.avg_pool1d(t, **kw, count_include_pad=cip),
            [x],
        )
    _, idx = max_pool1d(gk.tensor(x), **kw, dilation=d, return_indices=True)
    _, ref = F.max_pool1d(torch.tensor(x), **kw, dilation=d, return_indices=True)
    np.testing.assert_array_equal(idx.detach().numpy(), ref.numpy())
    _, idx = max_pool1d(gk.tensor(x[0]), **kw, dilation=d, return_indices=True)  # unbatched
    np.testing.assert_array_equal(idx.detach().numpy(), ref.numpy()[0])


@requires_torch
def test_indices_of_ties_nan_and_minus_inf_match_pytorch():
    """Ties take the first maximum in row-major order, a NaN window the last NaN, and an
    all −∞ window its first real input (never a padding position)."""
    x = np.random.default_rng(0).integers(0, 2, (2, 2, 7, 7)).astype(np.float64)
    x[0, 0, 1, 1] = x[0, 0, 0, 4] = np.nan
    x[1, 1, 3:, 3:] = x[1, 0, :3, :3] = -np.inf
    cases = [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=2, stride=1, padding=1, dilation=2),
    ]
    for kw in cases:
        out, idx = max_pool2d(gk.tensor(x), **kw, return_indices=True)
        ref, ref_idx = F.max_pool2d(torch.tensor(x), **kw, return_indices=True)
        np.testing.assert_array_equal(idx.detach().numpy(), ref_idx.numpy(), err_msg=str(kw))
        np.testing.assert_array_equal(out.detach().numpy(), ref.numpy())
    out, idx = adaptive_max_pool2d(gk.tensor(x), (3, 4), return_indices=True)
    ref, ref_idx = F.adaptive_max_pool2d(torch.tensor(x), (3, 4), return_indices=True)
    np.testing.assert_array_equal(idx.detach().numpy(), ref_idx.numpy())
    np.testing.assert_array_equal(out.detach().numpy(), ref.numpy())
    inf = np.full((1, 1, 4, 5), -np.inf)  # the gradient too goes to a real input
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
    assert_parity(lambda t: max_pool2d(t, **kw), lambda t: F.max_pool2d(t, **kw), [inf])


# ---------------------------------------------------------------- max unpooling
UNPOOL_CASES = [  # kernel, stride, padding, input (H, W)
    (2, None, 0, (6, 6)),
    (2, None, 0, (7, 5)),  # odd sizes: output_size recovers the dropped row/column
    (3, 2, 1, (7, 8)),
    (2, 1, 0, (5, 6)),  # overlapping windows share a maximum
    (3, 3, 1, (8, 7)),
]


def _repeats(idx) -> bool:
    """Do some windows share their maximum (an index repeated within a plane)?"""
    idx = np.asarray(idx)
    return any(len(np.unique(row)) < len(row) for row in idx.reshape(np.prod(idx.shape[:2]), -1))


def _unpool_parity(gk_fn, th_fn, arrays, idx):
    """PyTorch parity of values and gradients; where an index repeats, PyTorch's backward
    hands the gradient to every copy although only one lands, so there the gradient is
    checked by finite differences instead (see test_unpool_repeated_index_gradient)."""
    repeats = _repeats(idx)
    assert_parity(gk_fn, th_fn, arrays, grad=not repeats)
    if repeats:
        assert gradcheck(gk_fn, *[gk.tensor(a, requires_grad=True) for a in arrays])


@requires_torch
@pytest.mark.parametrize("k, s, p, hw", UNPOOL_CASES, ids=str)
def test_max_unpool2d_parity(k, s, p, hw):
    """Unpooling PyTorch's own pooled values and indices gives PyTorch's result and
    gradient, with the default and an explicit output size."""
    (x,) = random_inputs([(2, 3, *hw)])
    y, idx = F.max_pool2d(torch.tensor(x), k, s, p, return_indices=True)
    gk_idx = gk.tensor(idx.numpy())
    for size in (None, hw, (2, 3, *hw)):
        try:
            F.max_unpool2d(y, idx, k, s, p, size)
        except RuntimeError:  # an index past the default size: PyTorch refuses too
            with pytest.raises(ValueError, match="indices must lie in"):
                max_unpool2d(gk.tensor(y.numpy()), gk_idx, k, s, p, size)
            continue
        _unpool_parity(
            lambda t, size=size: max_unpool2d(t, gk_idx, k, s, p, size),
            lambda t, size=size: F.max_unpool2d(t, idx, k, s, p, size),
            [y.numpy()],
            idx,
        )


@requires_torch
@pytest.mark.parametrize("k, s, p, hw", UNPOOL_CASES, ids=str)
def test_pool_unpool_round_trip_parity(k, s, p, hw):
    """x → max_pool2d (indices) → max_unpool2d: the maxima return to their places, the
    rest is zero, and the gradient w.r.t. x equals PyTorch's through both ops."""
    (x,) = random_inputs([(2, 3, *hw)])

    def gk_fn(t):
        y, idx = max_pool2d(t, k, s, p, return_indices=True)
        return max_unpool2d(y, idx, k, s, p, output_size=t.shape)

    def th_fn(t):
        y, idx = F.max_pool2d(t, k, s, p, return_indices=True)
        return F.max_unpool2d(y, idx, k, s, p, output_size=t.shape)

    _, idx = F.max_pool2d(torch.tensor(x), k, s, p, return_indices=True)
    _unpool_parity(gk_fn, th_fn, [x], idx.numpy())
    out = gk_fn(gk.tensor(x)).detach().numpy()
    kept = out != 0
    assert kept.sum() == sum(len(np.unique(row)) for row in idx.numpy().reshape(6, -1))
    np.testing.assert_array_equal(out[kept], x[kept])


@requires_torch
def test_unpool_repeated_index_gradient():
    """Two stride-1 windows share the maximum 9 of x = [1, 9, 2]: unpooling writes it once,
    so d out[1] / d y = (1, 0) for the pair (finite differences agree), where PyTorch's
    backward returns (1, 1)."""
    x = np.array([[[1.0, 9.0, 2.0]]])
    y, idx = F.max_pool1d(torch.tensor(x), 2, 1, return_indices=True)
    assert idx.tolist() == [[[1, 1]]]
    upstream = np.array([[[0.5, 3.0, 7.0]]])
    t = y.detach().requires_grad_()
    F.max_unpool1d(t, idx, 2, 1, output_size=(3,)).backward(torch.tensor(upstream))
    assert t.grad.tolist() == [[[3.0, 3.0]]]
    g = gk.tensor(y.numpy(), requires_grad=True)
    out = max_unpool1d(g, gk.tensor(idx.numpy()), 2, 1, output_size=(3,))
    np.testing.assert_array_equal(out.detach().numpy(), [[[0, 9, 0]]])
    out.backward(upstream)
    assert g.grad.detach().numpy().sum() == 3.0 and sorted(g.grad.detach().numpy().ravel()) == [
        0.0,
        3.0,
    ]
    assert gradcheck(lambda t: max_unpool1d(t, gk.tensor(idx.numpy()), 2, 1, output_size=(3,)), g)


@requires_torch
def test_max_unpool1d_and_unbatched_parity():
    (x,) = random_inputs([(2, 3, 11)])
    y, idx = F.max_pool1d(torch.tensor(x), 3, 2, 1, return_indices=True)
    gk_idx = gk.tensor(idx.numpy())
    for size in ((11,), (2, 3, 11)):  # the default length 9 misses index 10
        _unpool_parity(
            lambda t, size=size: max_unpool1d(t, gk_idx, 3, 2, 1, size),
            lambda t, size=size: F.max_unpool1d(t, idx, 3, 2, 1, size),
            [y.numpy()],
            idx,
        )
    y2, idx2 = F.max_pool2d(torch.tensor(random_inputs([(3, 6, 6)])[0]), 2, return_indices=True)
    assert_parity(
        lambda t: max_unpool2d(t, gk.tensor(idx2.numpy()), 2),
        lambda t: F.max_unpool2d(t, idx2, 2),
        [y2.numpy()],
    )


# ---------------------------------------------------------------- adaptive pooling
ADAPTIVE_2D = [
    ((7, 5), 3),
    ((5, 5), 2),
    ((8, 6), (3, 4)),
    ((3, 4), (5, 7)),  # output larger than the input
    ((6, 7), (None, 3)),
    ((8, 6), (4, 3)),  # bins that tile the input
]


@requires_torch
@pytest.mark.parametrize("hw, size", ADAPTIVE_2D, ids=str)
def test_adaptive_max_pool2d_parity(hw, size):
    """Bins ⌊i·H/out⌋ … ⌈(i + 1)·H/out⌉ − 1 on sizes that do not divide (and outputs larger
    than the input, and tiling bins): values, gradients and indices equal PyTorch's, ties
    included."""
    (x,) = random_inputs([(2, 3, *hw)])
    for a in (x, np.round(x)):  # rounded: many ties inside each bin
        assert_parity(
            lambda t: adaptive_max_pool2d(t, size), lambda t: F.adaptive_max_pool2d(t, size), [a]
        )
        _, idx = adaptive_max_pool2d(gk.tensor(a), size, return_indices=True)
        _, ref = F.adaptive_max_pool2d(torch.tensor(a), size, return_indices=True)
        np.testing.assert_array_equal(idx.detach().numpy(), ref.numpy())


@requires_torch
@pytest.mark.parametrize("length, size", [(7, 3), (5, 8), (10, 4), (9, 1), (6, (6,))], ids=str)
def test_adaptive_pool1d_parity(length, size):
    (x,) = random_inputs([(2, 3, length)])
    assert_parity(
        lambda t: adaptive_max_pool1d(t, size), lambda t: F.adaptive_max_pool1d(t, size), [x]
    )
    assert_parity(
        lambda t: adaptive_avg_pool1d(t, size), lambda t: F.adaptive_avg_pool1d(t, size), [x]
    )
    _, idx = adaptive_max_pool1d(gk.tensor(np.round(x)), size, return_indices=True)
    _, ref = F.adaptive_max_pool1d(torch.tensor(np.round(x)), size, return_indices=True)
    np.testing.assert_array_equal(idx.detach().numpy(), ref.numpy())
    assert_parity(  # unbatched (C, L)
        lambda t: adaptive_max_pool1d(t, size), lambda t: F.adaptive_max_pool1d(t, size), [x[0]]
    )


# ---------------------------------------------------------------- finite differences
def _unpool_through_pool(t):
    y, idx = max_pool2d(t, 3, 2, 1, return_indices=True)
    return max_unpool2d(y * y, idx, 3, 2, 1, output_size=t.shape[2:])


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: max_pool2d(x, 3, 2, 1, ceil_mode=True),
        lambda x: max_pool2d(x, 2, 3, ceil_mode=True),
        lambda x: avg_pool2d(x, 3, 2, 1, ceil_mode=True),
        lambda x: avg_pool2d(x, 2, 3, 1, ceil_mode=True, count_include_pad=False),
        lambda x: max_pool1d(x.reshape(2, 2, 20), 3, 2, 1, ceil_mode=True),
        lambda x: avg_pool1d(x.reshape(2, 2, 20), 3, 2, 1, ceil_mode=True),
        lambda x: max_unpool2d(x, gk.tensor(np.arange(80).reshape(2, 2, 4, 5) % 37), 3, 2),
        _unpool_through_pool,
        lambda x: adaptive_max_pool2d(x, (3, 2)),
        lambda x: adaptive_max_pool2d(x, (6, 7)),
        lambda x: adaptive_max_pool2d(x, (2, 5)),
        lambda x: adaptive_max_pool1d(x.reshape(2, 2, 20), 7),
        lambda x: adaptive_avg_pool1d(x.reshape(2, 2, 20), 7),
    ],
    ids=["max-ceil-k3s2p1", "max-ceil-k2s3", "avg-ceil-k3s2p1", "avg-ceil-nopad-count",
         "max1d-ceil", "avg1d-ceil", "unpool", "pool-unpool", "adaptive-max", "adaptive-max-up",
         "adaptive-max-tiled", "adaptive-max1d", "adaptive-avg1d"],
)  # fmt: skip
def test_pool_extras_gradcheck(fn):
    """T-AUTODIFF: the new ops' gradients by central differences (distinct values, so no
    maximum is tied)."""
    x = np.random.default_rng(0).permutation(80).reshape(2, 2, 4, 5) / 10.0
    assert gradcheck(fn, gk.tensor(x, requires_grad=True))


# ---------------------------------------------------------------- layers and errors
@requires_torch
def test_layers_match_pytorch_and_reprs():
    (x,) = random_inputs([(2, 3, 7, 7)])
    (x1,) = random_inputs([(2, 3, 9)])
    pairs = [
        ("MaxPool2d", (3, 2, 1, 1, False, True), x),
        ("MaxPool1d", (2, None, 0, 1, False, True), x1),
        ("AvgPool2d", (2, None, 0, True, False), x),
        ("AvgPool1d", (3, 2, 1, True, False), x1),
        ("AdaptiveMaxPool2d", ((3, None),), x),
        ("AdaptiveMaxPool1d", (4,), x1),
        ("AdaptiveAvgPool1d", (4,), x1),
    ]
    for name, args, a in pairs:
        layer, ref = getattr(nn, name)(*args), getattr(tnn, name)(*args)
        assert repr(layer) == repr(ref)
        assert_parity(layer, ref, [a])
    for name, args in [("MaxUnpool2d", ((2, 3), 1, 1)), ("MaxUnpool1d", (3, 2, 1))]:
        assert repr(getattr(nn, name)(*args)) == repr(getattr(tnn, name)(*args))
    assert repr(nn.MaxPool2d(2)) == repr(tnn.MaxPool2d(2))


@requires_torch
def test_layers_return_indices_and_unpool():
    (x,) = random_inputs([(2, 3, 7, 7)])
    y, idx = nn.MaxPool2d(2, return_indices=True, ceil_mode=True)(gk.tensor(x))
    ref_y, ref_idx = tnn.MaxPool2d(2, return_indices=True, ceil_mode=True)(torch.tensor(x))
    np.testing.assert_array_equal(idx.detach().numpy(), ref_idx.numpy())
    out = nn.MaxUnpool2d(2)(y, idx, output_size=(7, 7))
    ref = tnn.MaxUnpool2d(2)(ref_y, ref_idx, output_size=(7, 7))
    np.testing.assert_array_equal(out.detach().numpy(), ref.numpy())
    (x1,) = random_inputs([(2, 3, 9)])
    y, idx = nn.MaxPool1d(3, 2, return_indices=True)(gk.tensor(x1))
    ref_y, ref_idx = tnn.MaxPool1d(3, 2, return_indices=True)(torch.tensor(x1))
    out = nn.MaxUnpool1d(3, 2)(y, idx, output_size=(9,))
    np.testing.assert_array_equal(
        out.detach().numpy(), tnn.MaxUnpool1d(3, 2)(ref_y, ref_idx, (9,)).numpy()
    )
    y, idx = nn.AdaptiveMaxPool2d(3, return_indices=True)(gk.tensor(x))
    np.testing.assert_array_equal(
        idx.detach().numpy(), F.adaptive_max_pool2d(torch.tensor(x), 3, True)[1].numpy()
    )


def test_exports():
    for name in ("MaxUnpool1d", "MaxUnpool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
                 "AdaptiveAvgPool1d"):  # fmt: skip
        assert name in nn.__all__ and getattr(nn, name) is getattr(gk.nn.pool, name)
    for name in ("max_unpool1d", "max_unpool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
                 "adaptive_avg_pool1d"):  # fmt: skip
        assert name in gF.__all__ and callable(getattr(gF, name))


def test_new_ops_keep_float32():
    x = gk.randn(2, 3, 7, 7, requires_grad=True)
    fns = [
        lambda t: max_pool2d(t, 2, ceil_mode=True),
        lambda t: avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda t: adaptive_max_pool2d(t, 3),
        lambda t: max_unpool2d(*max_pool2d(t, 2, return_indices=True), 2, output_size=(7, 7)),
    ]
    for fn in fns:
        out = fn(x)
        out.backward(np.ones(out.shape, np.float32))
        assert out.dtype == x.grad.dtype == np.float32
        x.grad = None


def test_errors_name_the_problem():
    y, idx = max_pool2d(gk.arange(50.0).reshape(1, 2, 5, 5), 2, return_indices=True)
    with pytest.raises(ValueError, match=r"output_size .* incompatible.*between"):
        max_unpool2d(y, idx, 2, output_size=(7, 4))
    with pytest.raises(ValueError, match="output_size must have 2 entries"):
        max_unpool2d(y, idx, 2, output_size=(5, 5, 5))
    with pytest.raises(ValueError, match=r"indices shape \(1, 2, 2, 3\) does not match"):
        max_unpool2d(y, gk.tensor(np.zeros((1, 2, 2, 3), np.int64)), 2)
    with pytest.raises(ValueError, match="indices must be integers"):
        max_unpool2d(y, gk.tensor(np.zeros((1, 2, 2, 2))), 2)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 16\)"):
        max_unpool2d(y, idx, 2)  # index 18 = (3, 3) needs the 5×5 output_size
    with pytest.raises(ValueError, match="max_unpool1d: expected input"):
        max_unpool1d(y, idx, 2)
    with pytest.raises(ValueError, match="output_size must be a positive int or 2"):
        adaptive_max_pool2d(gk.randn(1, 2, 5, 5), (0, 2))
    with pytest.raises(ValueError, match="output_size must be a positive int or 2"):
        adaptive_max_pool2d(gk.randn(1, 2, 5, 5), (2, 2, 2))
    with pytest.raises(ValueError, match="output_size must be a positive int or 1"):
        adaptive_avg_pool1d(gk.randn(1, 2, 5), (2, 2))
    with pytest.raises(ValueError, match="half the kernel"):
        max_pool2d(gk.randn(1, 1, 4, 4), 2, padding=2, ceil_mode=True)
    with pytest.raises(ValueError, match="too small"):
        avg_pool2d(gk.randn(1, 1, 2, 2), 4, 1, ceil_mode=True)
