"""One harness for every op and layer: run the same computation in gradkit and PyTorch on
identical float64 inputs and compare the forward value and every input gradient under a
random upstream gradient (never ``.sum()``, which hides transposes)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

try:
    import torch
except ImportError:  # PyTorch is an optional oracle: its tests skip, the others still run
    torch = None

#: Marks a test that needs PyTorch. It is skipped where torch is not installed, so the
#: torch-free tests of the same module (gradchecks, composed references, error messages)
#: still collect and run. A module whose every test needs torch uses
#: ``torch = pytest.importorskip("torch")`` instead.
requires_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch (the parity oracle) is not installed"
)


def random_inputs(shapes, seed=0, positive=False, dtype=np.float64):
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        a = rng.standard_normal(shape)
        if positive:
            a = np.abs(a) + 0.5
        arrays.append(a.astype(dtype))
    return arrays


def assert_parity(gk_fn, torch_fn, arrays, *, atol=1e-9, rtol=1e-7, seed=1, grad=True):
    """Forward and backward of ``gk_fn`` match ``torch_fn`` on ``arrays``."""
    if torch is None:
        pytest.skip("PyTorch (the parity oracle) is not installed")
    gk_in = [gk.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    th_in = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    gk_out = gk_fn(*gk_in)
    th_out = torch_fn(*th_in)
    np.testing.assert_allclose(
        gk_out.data, th_out.detach().numpy(), atol=atol, rtol=rtol, err_msg="forward"
    )
    assert gk_out.shape == tuple(th_out.shape), (gk_out.shape, th_out.shape)
    if not grad:
        return
    upstream = np.random.default_rng(seed).standard_normal(gk_out.shape)
    gk_out.backward(upstream.astype(gk_out.dtype))
    th_out.backward(torch.tensor(upstream, dtype=th_out.dtype))
    for i, (g, t) in enumerate(zip(gk_in, th_in)):
        if not t.requires_grad:
            continue
        expected = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
        actual = np.zeros(g.shape) if g.grad is None else g.grad.data
        np.testing.assert_allclose(actual, expected, atol=atol, rtol=rtol, err_msg=f"grad {i}")
