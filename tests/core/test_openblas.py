"""gradkit.openblas.axpby against the NumPy expression it replaces, on the BLAS path
(large contiguous float arrays) and on every ufunc fallback."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit import openblas


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [100, 50_000], ids=["ufunc", "blas"])
@pytest.mark.parametrize("alpha,beta", [(0.3, 0.9), (1.0, 1.0), (-0.01, 1.0), (1.0, 0.5)])
def test_axpby_matches_numpy(dtype, size, alpha, beta):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(size).astype(dtype).reshape(-1, 10)
    y = rng.standard_normal(size).astype(dtype).reshape(-1, 10)
    expected = alpha * x.astype(np.float64) + beta * y.astype(np.float64)
    out = openblas.axpby(alpha, x, beta, y, np.empty_like(y))
    assert out is y and y.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(y, expected, rtol=tol, atol=tol)


def test_axpby_falls_back_on_strided_and_mixed_inputs():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 800, 100))
    for x, y in [
        (a[:, ::2].copy(), b[:, ::2]),  # strided destination
        (a[:, ::2], b[:, ::2].copy()),  # strided source
        (a.astype(np.float32), b.copy()),  # float32 into float64
    ]:
        expected = 0.5 * x + 2.0 * y
        openblas.axpby(0.5, x, 2.0, y)
        np.testing.assert_allclose(y, expected, rtol=1e-6)


def test_numpys_openblas_is_found_where_numpy_bundles_one():
    import ctypes

    fn = openblas.symbol("openblas_get_num_threads", ctypes.c_int, [])
    if fn is None:
        pytest.skip("NumPy is not built against a bundled OpenBLAS here")
    assert openblas._axpby_routine(np.dtype(np.float32)) is not None
    assert openblas._axpby_routine(np.dtype(np.int64)) is None
