"""gk.get_num_threads / gk.set_num_threads steer NumPy's OpenBLAS, checked against
threadpoolctl's view of the same library."""

from __future__ import annotations

import os

import numpy as np
import pytest

import gradkit as gk

pytest.importorskip("threadpoolctl")
from threadpoolctl import threadpool_info  # noqa: E402


def _openblas_threads() -> int:
    """NumPy's OpenBLAS as threadpoolctl sees it (SciPy may have loaded its own)."""
    site = os.path.dirname(os.path.dirname(np.__file__))  # numpy.libs/ or numpy/.dylibs/
    libs = [
        i
        for i in threadpool_info()
        if i["internal_api"] == "openblas"
        and os.path.relpath(i["filepath"], site).startswith("numpy")
    ]
    if not libs:
        pytest.skip("NumPy is not built against a bundled OpenBLAS here")
    return libs[0]["num_threads"]


def test_set_num_threads_steers_numpys_openblas():
    before = gk.get_num_threads()
    assert before == _openblas_threads()
    try:
        for n in (2, 1, 3):
            gk.set_num_threads(n)
            assert gk.get_num_threads() == n == _openblas_threads()
        a = np.random.default_rng(0).standard_normal((64, 64))
        np.testing.assert_allclose(gk.tensor(a).matmul(gk.tensor(a)).numpy(), a @ a)
    finally:
        gk.set_num_threads(before)
    assert gk.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_set_num_threads_refuses_bad_counts(bad):
    with pytest.raises(ValueError, match="positive integer"):
        gk.set_num_threads(bad)
