"""Adaptive pooling options and boundary inputs against PyTorch (CNN-POOL): ``None`` and
NumPy-int entries in ``output_size``, unbatched inputs, NaN maxima in overlapping bins,
1-d ``return_indices``, the gradient of shared maxima and the error messages."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops.resample import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _x(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("size", [(None, 3), (2, None), (np.int64(3), 2), [4, 3], np.int64(3)])
def test_adaptive_output_size_spellings(size):
    """CNN-POOL: None keeps that input size; NumPy ints and lists are accepted."""
    x = _x((1, 2, 5, 7))
    tsize = tuple(None if s is None else int(s) for s in size) if np.ndim(size) else int(size)
    for gk_fn, th_fn in (
        (adaptive_avg_pool2d, F.adaptive_avg_pool2d),
        (adaptive_max_pool2d, F.adaptive_max_pool2d),
    ):
        want = th_fn(torch.tensor(x), tsize).numpy()
        got = gk_fn(gk.tensor(x), size).numpy()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("size", [(2, 3), (1, 1), (2, 1), (1, 2), (5, 7), (3, 7)])
def test_adaptive_unbatched_2d(size):
    """CNN-POOL: a (C, H, W) input comes back (C, Ho, Wo) on every path (global mean,
    tiled, separable)."""
    x = _x((2, 5, 7), 1)
    for gk_fn, th_fn in (
        (adaptive_avg_pool2d, F.adaptive_avg_pool2d),
        (adaptive_max_pool2d, F.adaptive_max_pool2d),
    ):
        want = th_fn(torch.tensor(x), size).numpy()
        got = gk_fn(gk.tensor(x), size).numpy()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    out, idx = adaptive_max_pool2d(gk.tensor(x), size, return_indices=True)
    ref, ref_idx = F.adaptive_max_pool2d(torch.tensor(x), size, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
    np.testing.assert_allclose(out.numpy(), ref.numpy())


@pytest.mark.parametrize("shape", [(2, 9), (1, 2, 9)])
def test_adaptive_1d_return_indices_unbatched(shape):
    """CNN-POOL: adaptive_max_pool1d's indices and values, batched or not, and the
    unbatched 1-d average."""
    x = np.round(_x(shape, 2), 1)
    for size in (4, 3):
        out, idx = adaptive_max_pool1d(gk.tensor(x), size, return_indices=True)
        ref, ref_idx = F.adaptive_max_pool1d(torch.tensor(x), size, return_indices=True)
        assert tuple(idx.shape) == tuple(ref_idx.shape)
        np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
        avg = adaptive_avg_pool1d(gk.tensor(x), size).numpy()
        np.testing.assert_allclose(avg, F.adaptive_avg_pool1d(torch.tensor(x), size).numpy())


def test_adaptive_max_nan_in_overlapping_bins():
    """CNN-POOL: a NaN is the maximum of its bin, a later NaN over an earlier one, in
    PyTorch's index order; bins that overlap (5 → 3) share it."""
    x = _x((1, 1, 5, 5), 3)
    x[0, 0, 1, 2] = np.nan
    x[0, 0, 2, 1] = np.nan
    x[0, 0, 4, 4] = np.nan
    for size in ((3, 3), (2, 3), (3, 2)):
        out, idx = adaptive_max_pool2d(gk.tensor(x), size, return_indices=True)
        ref, ref_idx = F.adaptive_max_pool2d(torch.tensor(x), size, return_indices=True)
        np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
        np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_adaptive_max_ties_first_index():
    """CNN-POOL: tied maxima in a bin give the first in row-major order."""
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 3, 0] = x[0, 0, 0, 3] = x[0, 0, 4, 4] = 1.0
    for size in ((3, 3), (2, 2), (4, 3)):
        _, idx = adaptive_max_pool2d(gk.tensor(x), size, return_indices=True)
        _, ref_idx = F.adaptive_max_pool2d(torch.tensor(x), size, return_indices=True)
        np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())


def test_adaptive_max_shared_maximum_gradient():
    """CNN-POOL: overlapping bins that share a maximum each add their gradient to it
    (float32 kept), first and second order."""
    x = np.array([[[[0.0, 1.0, 5.0, 2.0, 0.5]]]], np.float32)  # bins of 5 → 3: [0,2) [1,4) [3,5)
    x = np.repeat(x, 3, axis=2)
    w = _x((1, 1, 2, 3), 4).astype(np.float32)
    t = torch.tensor(x, requires_grad=True)
    (F.adaptive_max_pool2d(t, (2, 3)) * torch.tensor(w)).sum().backward()
    g = gk.tensor(x, requires_grad=True)
    (adaptive_max_pool2d(g, (2, 3)) * gk.tensor(w)).sum().backward()
    assert g.grad.dtype == gk.float32
    np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    g2 = gk.tensor(x, requires_grad=True)
    (gr,) = gk.autograd.grad(
        (adaptive_max_pool2d(g2, (2, 3)) * gk.tensor(w)).sum(), g2, create_graph=True
    )
    np.testing.assert_allclose(gr.numpy(), t.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("fn", "shape", "size", "match"),
    [
        (adaptive_avg_pool2d, (1, 1, 4, 4), (0, 2), "adaptive_avg_pool2d: output_size"),
        (adaptive_max_pool2d, (1, 1, 4, 4), (2, 2, 2), "adaptive_max_pool2d: output_size"),
        (adaptive_avg_pool1d, (1, 1, 4), 0, "adaptive_avg_pool1d: output_size"),
        (adaptive_max_pool1d, (1, 1, 4), (2, 2), "adaptive_max_pool1d: output_size"),
        (adaptive_avg_pool2d, (1, 1, 4, 4), 2.0, "adaptive_avg_pool2d: output_size"),
        (adaptive_avg_pool2d, (1, 1, 4, 4), "2", "adaptive_avg_pool2d: output_size"),
        (adaptive_avg_pool2d, (4, 4), 2, "adaptive_avg_pool2d: expected"),
        (adaptive_max_pool2d, (4, 4), 2, "adaptive_max_pool2d: expected"),
        (adaptive_avg_pool1d, (1, 1, 1, 4), 2, "adaptive_avg_pool1d: expected"),
        (adaptive_max_pool1d, (1, 1, 1, 4), 2, "adaptive_max_pool1d: expected"),
    ],
)
def test_adaptive_errors_name_the_function(fn, shape, size, match):
    """CNN-POOL: a bad output_size or input rank is refused naming the function."""
    with pytest.raises(ValueError, match="^" + match):
        fn(gk.ones(*shape), size)
