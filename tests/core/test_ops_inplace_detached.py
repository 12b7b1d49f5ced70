"""T-GRAPH (issue 24): a tensor that kept ``retain_grad()`` and was then cut from the
graph by ``detach_()`` can still be changed in place by an argument that requires grad;
its new grad_fn retains the gradient. (PyTorch 2.13 stops with an internal assert here, so
the oracle is the closed form.)"""

import numpy as np

import gradkit as gk

X = np.array([1.0, 2.0, -0.5])
W = np.array([3.0, 4.0, 0.25])


def test_t_graph_retain_grad_after_detach_then_an_inplace_op():
    x = gk.tensor(X, requires_grad=True)
    w = gk.tensor(W, requires_grad=True)
    y = x * 2.0
    y.retain_grad()
    y.detach_()
    assert not y.requires_grad and y.grad_fn is None
    y.add_(w)  # y = 2x + w, a new non-leaf that depends on w only
    assert y.requires_grad
    (y * y).sum().backward()
    # L = Σ y², y = 2x + w (x cut off): ∂L/∂y = 2y, ∂L/∂w = 2y, x gets nothing
    np.testing.assert_array_equal(y.grad.numpy(), 2 * (2 * X + W))
    np.testing.assert_array_equal(w.grad.numpy(), 2 * (2 * X + W))
    assert x.grad is None
