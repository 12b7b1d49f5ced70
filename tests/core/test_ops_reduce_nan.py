"""T-AUTODIFF: gradients of max/min reductions over NaN, as PyTorch gives them.
``max()``/``min()`` of every element share the gradient among the NaNs (its
evenly_distribute_backward); ``amax``/``amin`` and ``max(dim)`` give a reduction that
met a NaN a NaN gradient (amax) or route it to the NaN (max(dim)). Oracle: torch, on
float32 and float64, with a random upstream gradient."""

import warnings

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

X = np.array([[1.0, np.nan, 3.0, 3.0], [np.nan, 0.0, 3.0, np.nan], [2.0, 2.0, -1.0, 0.5]])

REDUCTIONS = {
    "max()": lambda x: x.max(),
    "min()": lambda x: x.min(),
    "torch.max(x)": lambda x: (torch if isinstance(x, torch.Tensor) else gk).max(x),
    "amax()": lambda x: x.amax(),
    "amin(dim=0)": lambda x: x.amin(dim=0),
    "amax(dim=1, keepdim)": lambda x: x.amax(dim=1, keepdim=True),
    "max(dim=1).values": lambda x: x.max(dim=1).values,
    "min(dim=0).values": lambda x: x.min(dim=0).values,
}


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rows", [slice(0, 3), slice(2, 3)], ids=["with-nan", "no-nan"])
def test_reduction_gradient_over_nan_matches_torch(name, dtype, rows):
    fn = REDUCTIONS[name]
    x0 = X[rows].astype(dtype)
    results = []
    for lib in (torch, gk):
        x = lib.tensor(x0, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no NumPy warning may leak out
            y = fn(x)
            g = np.random.default_rng(0).normal(size=tuple(y.shape)).astype(dtype)
            y.backward(lib.tensor(g))
        results.append((y.detach().numpy(), x.grad.numpy()))
    (want_y, want_g), (got_y, got_g) = results
    np.testing.assert_array_equal(got_y, want_y)
    np.testing.assert_allclose(got_g, want_g, rtol=1e-6, equal_nan=True)
