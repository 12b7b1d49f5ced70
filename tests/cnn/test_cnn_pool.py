"""Pooling, upsampling and padding layers against PyTorch and finite differences:
CNN-POOL and CNN-INVARIANCE (max pooling's local translation invariance)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck
from gradkit.nn.padding import ZeroPad2d
from gradkit.nn.pool import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from gradkit.nn.upsample import Upsample
from gradkit.ops.interpolation import interpolate
from gradkit.ops.pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from gradkit.ops.resample import adaptive_avg_pool2d
from parity import assert_parity, random_inputs, requires_torch, torch

F = None if torch is None else torch.nn.functional

# kernel × stride (None = kernel, 1, 2) × padding (0, 1) × (odd, even) input × batch 1 and > 1
POOL_GRID = list(itertools.product((2, 3), (None, 1, 2), (0, 1), ((7, 7), (8, 6)), (1, 3)))


def _id(case):
    k, s, p, hw, n = case
    return f"k{k}-s{s}-p{p}-{hw[0]}x{hw[1]}-n{n}"


@requires_torch
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("case", POOL_GRID, ids=_id)
def test_max_pool2d_parity(case, dilation):
    """CNN-POOL: max pooling forward and gradient equal PyTorch's."""
    k, s, p, hw, n = case
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=dilation)
    assert_parity(
        lambda x: max_pool2d(x, **kw), lambda x: F.max_pool2d(x, **kw), random_inputs([(n, 2, *hw)])
    )


@requires_torch
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("case", POOL_GRID, ids=_id)
def test_avg_pool2d_parity(case, count_include_pad):
    """CNN-POOL: average pooling (with and without counting the padding) equals PyTorch."""
    k, s, p, hw, n = case
    kw = dict(kernel_size=k, stride=s, padding=p, count_include_pad=count_include_pad)
    assert_parity(
        lambda x: avg_pool2d(x, **kw), lambda x: F.avg_pool2d(x, **kw), random_inputs([(n, 2, *hw)])
    )


@requires_torch
@pytest.mark.parametrize("case", POOL_GRID[::3], ids=_id)
def test_pool1d_parity(case):
    k, s, p, hw, n = case
    x = random_inputs([(n, 2, hw[0] + hw[1])])
    kw = dict(kernel_size=k, stride=s, padding=p)
    assert_parity(
        lambda x: max_pool1d(x, **kw, dilation=2), lambda x: F.max_pool1d(x, **kw, dilation=2), x
    )
    assert_parity(lambda x: avg_pool1d(x, **kw), lambda x: F.avg_pool1d(x, **kw), x)


@requires_torch
def test_avg_pool_divisor_override():
    assert_parity(
        lambda x: avg_pool2d(x, 3, 2, 1, divisor_override=5),
        lambda x: F.avg_pool2d(x, 3, 2, 1, divisor_override=5),
        random_inputs([(2, 3, 7, 6)]),
    )


@requires_torch
@pytest.mark.parametrize("output_size", [1, 2, (3, 5), (4, None), 7], ids=str)
@pytest.mark.parametrize("hw", [(8, 7), (6, 6)])
def test_adaptive_avg_pool2d_parity(output_size, hw):
    """Global (output 1), tiling and uneven bins all match PyTorch's bins."""
    assert_parity(
        lambda x: adaptive_avg_pool2d(x, output_size),
        lambda x: F.adaptive_avg_pool2d(x, output_size),
        random_inputs([(2, 3, *hw)]),
    )


@requires_torch
@pytest.mark.parametrize(
    "kw", [dict(scale_factor=2), dict(scale_factor=(3, 2)), dict(size=(5, 7)), dict(size=(3, 4))],
    ids=str,
)  # fmt: skip
def test_upsample_nearest_parity(kw):
    assert_parity(
        lambda x: interpolate(x, **kw),
        lambda x: F.interpolate(x, **kw),
        random_inputs([(2, 3, 4, 5)]),
    )


@requires_torch
@pytest.mark.parametrize("padding", [1, (1, 0, 2, 3)], ids=str)
def test_zero_pad2d_parity(padding):
    layer, ref = ZeroPad2d(padding), torch.nn.ZeroPad2d(padding)
    assert_parity(layer, ref, random_inputs([(2, 3, 4, 5)]))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: max_pool2d(x, 3, 2, 1),
        lambda x: max_pool2d(x, 2, 1, dilation=2),
        lambda x: max_pool2d(x, 2),
        lambda x: avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        lambda x: avg_pool2d(x, 2),
        lambda x: adaptive_avg_pool2d(x, (2, 3)),
        lambda x: interpolate(x, scale_factor=2),
        lambda x: max_pool1d(x.reshape(2, 2, 20), 3, 2, 1),
        lambda x: avg_pool1d(x.reshape(2, 2, 20), 3, 2, 1),
    ],
    ids=["max-k3s2p1", "max-dil2", "max-tiled", "avg-k3s2p1", "avg-tiled", "adaptive",
         "upsample", "max1d", "avg1d"],
)  # fmt: skip
def test_pool_gradcheck(fn):
    """T-AUTODIFF: pooling gradients by central differences (distinct values, so the
    max is never tied)."""
    x = np.random.default_rng(0).permutation(80).reshape(2, 2, 4, 5) / 10.0
    assert gradcheck(fn, gk.tensor(x, requires_grad=True))


@requires_torch
def test_max_pool_ties_go_to_first_maximum_like_pytorch():
    """All-equal windows (ReLU zeros): the gradient goes to the first element only."""
    x = np.zeros((1, 1, 4, 4))
    assert_parity(lambda t: max_pool2d(t, 2), lambda t: F.max_pool2d(t, 2), [x])
    assert_parity(lambda t: max_pool2d(t, 3, 1, 1), lambda t: F.max_pool2d(t, 3, 1, 1), [x])


def test_two_by_two_pooling_halves_each_side():
    """CNN-POOL: a 2×2 window with stride 2 maps 6×6 to 3×3 (max and average)."""
    x = gk.arange(36.0).reshape(1, 1, 6, 6)
    np.testing.assert_array_equal(
        MaxPool2d(2)(x).data[0, 0], [[7, 9, 11], [19, 21, 23], [31, 33, 35]]
    )
    np.testing.assert_array_equal(
        AvgPool2d(2)(x).data[0, 0], [[3.5, 5.5, 7.5], [15.5, 17.5, 19.5], [27.5, 29.5, 31.5]]
    )


def test_max_pooling_local_translation_invariance():
    """CNN-INVARIANCE: shift a feature map by one pixel. The raw map always changes, but
    a k×k max pool's output stays exactly the same whenever the maximum moves inside its
    window: for a single feature at a random column that happens with probability
    (k − 1)/k (1/2 for 2×2, 3/4 for 4×4)."""
    rng = np.random.default_rng(0)
    n = 2000
    x = np.zeros((n, 1, 16, 16), np.float32)
    x[np.arange(n), 0, rng.integers(0, 16, n), rng.integers(0, 16, n)] = rng.uniform(1, 2, n)
    shifted = np.zeros_like(x)
    shifted[..., 1:] = x[..., :-1]  # one pixel to the right

    def unchanged(fn):
        a, b = fn(gk.tensor(x)).data, fn(gk.tensor(shifted)).data
        return np.mean(np.all(a == b, axis=(1, 2, 3)))

    assert unchanged(lambda t: t) == 0.0
    assert unchanged(lambda t: max_pool2d(t, 2)) == pytest.approx(1 / 2, abs=0.04)
    assert unchanged(lambda t: max_pool2d(t, 4)) == pytest.approx(3 / 4, abs=0.04)
    # the invariance comes from pooling *with* downsampling: stride 1 just shifts too
    assert unchanged(lambda t: max_pool2d(t, 2, stride=1)) == 0.0


def test_pool_errors_name_the_problem():
    x = gk.randn(1, 1, 4, 4)
    with pytest.raises(ValueError, match="half the kernel"):
        max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="too small"):
        max_pool2d(x, 5)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        max_pool2d(gk.randn(4), 2)
    with pytest.raises(ValueError, match="unknown mode"):
        Upsample(scale_factor=2, mode="lanczos")


def test_layers_and_reprs():
    x = gk.randn(2, 3, 8, 8)
    assert MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert MaxPool1d(2)(gk.randn(2, 3, 9)).shape == (2, 3, 4)
    assert AvgPool1d(3, 1, 1)(gk.randn(2, 3, 9)).shape == (2, 3, 9)
    assert AdaptiveAvgPool2d(1)(x).shape == (2, 3, 1, 1)
    assert Upsample(scale_factor=2)(x).shape == (2, 3, 16, 16)
    assert ZeroPad2d(1)(x).shape == (2, 3, 10, 10)
    assert MaxPool2d(2)(gk.randn(3, 8, 8)).shape == (3, 4, 4)
    expected = "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(MaxPool2d(2)) == expected
    assert repr(AdaptiveAvgPool2d(1)) == "AdaptiveAvgPool2d(output_size=1)"


def test_pool_keeps_float32():
    x = gk.randn(2, 3, 8, 8, requires_grad=True)
    fns = [
        lambda t: max_pool2d(t, 2),
        lambda t: avg_pool2d(t, 3, 1, 1),
        lambda t: adaptive_avg_pool2d(t, 3),
        lambda t: interpolate(t, scale_factor=2),
    ]
    for fn in fns:
        out = fn(x)
        out.backward(np.ones(out.shape, np.float32))
        assert out.dtype == x.grad.dtype == np.float32
        x.grad = None
