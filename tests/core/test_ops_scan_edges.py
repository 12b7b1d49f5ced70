"""Scans at their edges (issue 24; T-AUTODIFF), against PyTorch: ``logcumsumexp`` with
-inf inputs (no warnings, the same NaN PyTorch gives) and with an upstream gradient of
exact zeros and tiny values (no cancellation), and the second derivative of ``prod`` of a
float32 tensor with a zero (stays float32)."""

import warnings

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")


def logcumsumexp_grad(lib, x, g):
    t = lib.tensor(x, requires_grad=True)
    y = lib.logcumsumexp(t, 0)
    y.backward(lib.tensor(g))
    return y.detach().numpy(), t.grad.numpy()


def test_logcumsumexp_with_minus_inf_inputs_matches_torch_without_warnings():
    x = np.array([-np.inf, -np.inf, 0.5, 2.0, -np.inf, 1.0])
    g = np.array([0.3, -0.2, 1e-9, 0.0, 0.0, -0.7])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = logcumsumexp_grad(gk, x, g)
    for a, b in zip(ours, logcumsumexp_grad(torch, x, g)):
        np.testing.assert_allclose(a, b, rtol=1e-13, equal_nan=True)


def test_logcumsumexp_gradient_with_zero_and_tiny_upstream_matches_torch():
    # ∂L/∂x_i = Σ_{k≥i} g_k exp(x_i − y_k): the zero entries of g add nothing, so the
    # tiny one is not lost in a difference of two large sums
    x = np.array([3.0, -2.0, 0.5, 4.0, 1.0, 2.5])
    g = np.array([1e-9, 0.0, 0.0, 0.0, 0.0, 0.0])
    ours, theirs = logcumsumexp_grad(gk, x, g)[1], logcumsumexp_grad(torch, x, g)[1]
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)
    np.testing.assert_allclose(ours, [1e-9, 0, 0, 0, 0, 0], rtol=1e-13, atol=0)


def test_prod_second_derivative_of_float32_with_a_zero_stays_float32_like_torch():
    a = np.array([[1.5, 0.0, 2.25], [0.7, 1.3, -0.4]], dtype=np.float32)
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = []
    for lib in (gk, torch):
        x = lib.tensor(a, requires_grad=True)
        (gx,) = lib.autograd.grad(x.prod(1).sum(), x, create_graph=True)
        (gx * lib.tensor(w)).sum().backward()
        out.append((gx, x.grad))
    (gx, xg), (tgx, txg) = out
    assert gx.dtype == gk.float32 and xg.dtype == gk.float32
    np.testing.assert_array_equal(gx.detach().numpy(), tgx.detach().numpy())
    np.testing.assert_allclose(xg.numpy(), txg.numpy(), rtol=1e-6)
