"""Max pooling over windows that hold NaN (T-AUTODIFF, CNN-POOL): PyTorch returns such a
window's last NaN as its index and routes the window's gradient there; gradkit must give
the same values, indices and gradients, first and second order."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")


def _input():
    x = np.arange(25, dtype=np.float64).reshape(1, 1, 5, 5)
    x[0, 0, 1, 1] = x[0, 0, 2, 3] = x[0, 0, 3, 3] = x[0, 0, 4, 0] = np.nan
    x[0, 0, 0, :2] = -np.inf
    return x


CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=2, stride=1, padding=1, dilation=1),
    dict(kernel_size=2, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=1, dilation=2),
]


def _run(lib, x0, upstream, kwargs, weight):
    x = lib.tensor(x0, requires_grad=True)
    y = lib.nn.functional.max_pool2d(x, **kwargs)
    idx = lib.nn.functional.max_pool2d(x, return_indices=True, **kwargs)[1]
    v = lib.tensor(upstream, requires_grad=True)
    (gx,) = lib.autograd.grad(y, x, v, create_graph=True)
    (gv,) = lib.autograd.grad((gx * lib.tensor(weight)).sum(), v)
    return [a.detach().numpy() for a in (y, idx, gx, gv)]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_max_pool2d_nan_window_routes_like_torch(kwargs):
    x0 = _input()
    rng = np.random.default_rng(0)
    y_shape = torch.nn.functional.max_pool2d(torch.tensor(x0), **kwargs).shape
    upstream = rng.normal(size=tuple(y_shape))
    weight = rng.normal(size=x0.shape)
    want = _run(torch, x0, upstream, kwargs, weight)
    got = _run(gk, x0, upstream, kwargs, weight)
    for name, a, b in zip(("output", "indices", "grad", "grad of grad"), want, got):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=0, equal_nan=True, err_msg=name)


def test_max_pool1d_nan_window_gradient_like_torch():
    x0 = np.array([[[1.0, np.nan, 3.0, np.nan, np.nan, 2.0, 0.0]]])
    out = []
    for lib in (torch, gk):
        x = lib.tensor(x0, requires_grad=True)
        lib.nn.functional.max_pool1d(x, 3, stride=2, padding=1).sum().backward()
        out.append(x.grad.numpy())
    np.testing.assert_array_equal(out[1], out[0])
