"""The optimizers' in-place BLAS updates equal the NumPy expressions on every layout."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.optim._inplace import axpy_, scale_


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.complex128])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided", "empty", "0-d"])
def test_axpy_and_scale_match_numpy(dtype, layout):
    rng = np.random.default_rng(0)
    shape = {"empty": (0, 3), "0-d": ()}.get(layout, (5, 4))
    y = rng.standard_normal(shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    if layout == "transposed":
        y, x = y.T, x.T
    elif layout == "strided":
        y, x = y[:, ::2], x[::2, :2][:, :]
        y = y[: x.shape[0]]
    # a fused multiply-add rounds once: the error bound is a few ulps of |y| + |αx|
    atol = 4 * np.finfo(dtype).eps * (np.abs(y) + 0.3 * np.abs(x)).max(initial=0)
    expected_axpy = y + dtype(-0.3) * x
    out = axpy_(y, x, -0.3)
    assert out is y
    np.testing.assert_allclose(y, expected_axpy, rtol=0, atol=atol)
    expected_scale = y * dtype(0.7)
    scale_(y, 0.7)
    np.testing.assert_allclose(y, expected_scale, rtol=4 * np.finfo(dtype).eps)


def test_axpy_mixed_dtypes_fall_back_to_numpy():
    y, x = np.ones(4, np.float64), np.full(4, 2, np.float32)
    axpy_(y, x, 0.5)
    np.testing.assert_array_equal(y, np.full(4, 2.0))
