"""The FFT convolution (concept T-FFT) against PyTorch's conv2d: second derivatives
through ``create_graph`` with every option, a dilation along the width only, and float32
gradients as the op returns them (read on non-leaf inputs, whose gradients are not
cast)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from parity import requires_torch, torch

OPTIONS = {
    "plain": {},
    "s2-p1-d21-g2": {"stride": 2, "padding": 1, "dilation": (2, 1), "groups": 2},
    "d12-p21": {"dilation": (1, 2), "padding": (2, 1)},
}


def _arrays(groups, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 4, 7, 8))
    w = rng.standard_normal((4, 4 // groups, 3, 2))
    b = rng.standard_normal(4)
    return [a.astype(dtype) for a in (x, w, b)]


@requires_torch
@pytest.mark.parametrize("name", list(OPTIONS))
def test_fft_conv_second_derivatives_match_torch(name):
    """T-FFT: d/d(x, w, b) of |∂L/∂x|² + |∂L/∂w|² with L = Σ y², y = conv2d(x, w, b) by
    FFT: the create_graph branch records the gradients as graph ops, for each option."""
    kw = OPTIONS[name]
    arrays = _arrays(kw.get("groups", 1))
    g_in = [gk.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = F.conv2d(*g_in, algorithm="fft", **kw)
    t_y = torch.nn.functional.conv2d(*t_in, **kw)
    np.testing.assert_allclose(y.detach().numpy(), t_y.detach().numpy(), atol=1e-10)
    gx, gw = gk.autograd.grad((y * y).sum(), g_in[:2], create_graph=True)
    t_gx, t_gw = torch.autograd.grad((t_y * t_y).sum(), t_in[:2], create_graph=True)
    ((gx * gx).sum() + (gw * gw).sum()).backward()
    ((t_gx * t_gx).sum() + (t_gw * t_gw).sum()).backward()
    for k, (g, t) in enumerate(zip(g_in, t_in)):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-8,
                                   err_msg=str(k))  # fmt: skip


@requires_torch
@pytest.mark.parametrize("name", list(OPTIONS))
def test_fft_conv_float32_gradients_stay_float32(name):
    """T-FFT: float32 input gives float32 output and float32 gradients of x and w (as
    torch's), close to torch's values."""
    kw = OPTIONS[name]
    arrays = _arrays(kw.get("groups", 1), seed=1, dtype=np.float32)
    leaves = [gk.tensor(a, requires_grad=True) for a in arrays]
    g_in = [t * 1 for t in leaves]
    for t in g_in:
        t.retain_grad()
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = F.conv2d(*g_in, algorithm="fft", **kw)
    t_y = torch.nn.functional.conv2d(*t_in, **kw)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.detach().numpy(), t_y.detach().numpy(), atol=1e-4)
    u = np.random.default_rng(2).standard_normal(y.shape).astype(np.float32)
    y.backward(u)
    t_y.backward(torch.tensor(u))
    for k, (g, t) in enumerate(zip(g_in, t_in)):
        assert g.grad.dtype == np.float32, k
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), atol=1e-4, err_msg=str(k))


@requires_torch
@pytest.mark.parametrize("which", [0, 1], ids=["x-only", "w-only"])
def test_fft_conv_second_derivative_with_one_input_requiring_grad(which):
    """T-FFT: create_graph when only x or only w requires a gradient (the forward then
    keeps only the other one): d/d(input) of |∂L/∂input|², L = Σ y², as torch."""
    arrays = _arrays(1, seed=3)[:2]
    g_in = [gk.tensor(a, requires_grad=i == which) for i, a in enumerate(arrays)]
    t_in = [torch.tensor(a, requires_grad=i == which) for i, a in enumerate(arrays)]
    y = F.conv2d(*g_in, padding=1, algorithm="fft")
    t_y = torch.nn.functional.conv2d(*t_in, padding=1)
    (g,) = gk.autograd.grad((y * y).sum(), [g_in[which]], create_graph=True)
    (t_g,) = torch.autograd.grad((t_y * t_y).sum(), [t_in[which]], create_graph=True)
    (g * g).sum().backward()
    (t_g * t_g).sum().backward()
    np.testing.assert_allclose(g_in[which].grad.numpy(), t_in[which].grad.numpy(), rtol=1e-9,
                               atol=1e-8)  # fmt: skip
