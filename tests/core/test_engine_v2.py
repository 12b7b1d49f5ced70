"""Engine v2 (T-GRAPH, T-AUTODIFF, T-NOGRAD): mutation checks by memory, NumPy interop
that keeps the graph, multi-output nodes, ``autograd.grad`` on intermediate tensors,
hooks under ``create_graph``. Closed forms and finite differences; no PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk


def f64(values, grad=False):
    return gk.tensor(np.asarray(values, dtype=np.float64), requires_grad=grad)


def test_a_change_to_a_value_saved_as_a_view_is_refused():
    """Linear keeps its input as a reshaped view; changing the input after forward must
    still be caught (an identity check alone would miss it)."""
    lin = gk.nn.Linear(3, 2)
    x = gk.randn(2, 4, 3)
    y = lin(x).sum()
    x.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_a_change_through_data_is_not_seen_but_through_detach_is():
    w = f64([1.0, 2.0], grad=True)
    v = f64([3.0, 4.0])
    y = (w * v).sum()
    v.data.add_(1.0)  # PyTorch: .data changes are invisible to autograd
    y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 5.0])
    y = (w * v).sum()
    v.detach().add_(1.0)
    with pytest.raises(RuntimeError, match="version"):
        y.backward()


def test_an_optimizer_step_between_forward_and_backward_is_refused():
    net = gk.nn.Linear(3, 2)
    opt = gk.optim.SGD(net.parameters(), lr=0.1)
    loss = net(gk.randn(4, 3)).pow(2).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="inplace"):
        loss.backward()


def test_in_place_on_a_zero_dim_result_changes_it():
    """A full reduction's value is held as a NumPy scalar; ``+=`` must still change it."""
    total = gk.ones(3).sum()
    with gk.no_grad():
        total += 1.0
    assert total.item() == 4.0


def test_numpy_calls_on_tensors_are_recorded_ops():
    x = f64([0.5, -1.0, 2.0], grad=True)
    y = np.exp(x) * np.ones(3) + np.where(x.detach().numpy() > 0, x, 0.0)
    assert isinstance(y, gk.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, -1.0, 2.0]) + [1.0, 0.0, 1.0])
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(x)
    with pytest.raises(TypeError, match="no gradkit counterpart"):
        np.cumsum(x)


def test_split_is_one_node_and_unused_pieces_get_zero_gradient():
    x = f64(np.arange(12.0).reshape(4, 3), grad=True)
    a, b, c = x.split([1, 2, 1])
    assert a.grad_fn is b.grad_fn is c.grad_fn
    (b * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0] * 3, [2] * 3, [2] * 3, [0] * 3])


def test_grad_with_respect_to_an_intermediate_tensor():
    x = f64([1.0, 2.0], grad=True)
    h = x * 3.0
    y = (h * h).sum()
    (gh,) = gk.autograd.grad(y, h, retain_graph=True)
    np.testing.assert_allclose(gh.numpy(), 2 * 3.0 * np.array([1.0, 2.0]))
    assert x.grad is None  # grad() accumulates nothing
    unused = f64([1.0], grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        gk.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = gk.autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.numpy(), 18.0 * np.array([1.0, 2.0]))


def test_hessian_vector_product_and_third_derivative():
    x = f64([0.3, -0.7], grad=True)
    (g,) = gk.autograd.grad((x**4).sum(), x, create_graph=True)  # 4x³
    (h,) = gk.autograd.grad(g.sum(), x, create_graph=True)  # 12x²
    (t,) = gk.autograd.grad(h.sum(), x)  # 24x
    np.testing.assert_allclose(h.detach().numpy(), 12 * np.array([0.3, -0.7]) ** 2)
    np.testing.assert_allclose(t.numpy(), 24 * np.array([0.3, -0.7]))


def test_hooks_and_retain_grad_see_the_gradient_and_can_replace_it():
    x = f64([1.0, 2.0], grad=True)
    h = x * 2.0
    h.retain_grad()
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 10.0)
    (h * h).sum().backward()
    np.testing.assert_allclose(seen[0], [4.0, 8.0])
    np.testing.assert_allclose(x.grad.numpy(), [80.0, 160.0])
    handle.remove()


def test_gradients_are_typed_and_shaped():
    a = f64([1.0], grad=True)
    with pytest.raises(TypeError, match="Tensor or None"):
        a.grad = 0.0
    with pytest.raises(RuntimeError, match="shape"):
        a.grad = f64([1.0, 2.0])


def test_create_graph_through_a_fused_op_that_refuses_says_which():
    lstm = gk.nn.LSTM(2, 3)
    x = gk.randn(4, 1, 2, requires_grad=True)
    out, _ = lstm(x)
    with pytest.raises(RuntimeError, match="double backward"):
        gk.autograd.grad(out.sum(), x, create_graph=True)


def test_t_cache_ops_save_only_what_backward_needs():
    """T-CACHE: forward values are cached on the op's context for backward, and only
    those: nothing under ``no_grad``; a product keeps just the operand whose partner
    needs a gradient; a changed cached value is refused at backward."""
    from gradkit.ops.elementwise import Mul

    w = f64([1.0, 2.0], grad=True)
    x = f64([3.0, 4.0])
    seen = []
    original = Mul.forward

    def spy(ctx, a, b):
        out = original(ctx, a, b)
        seen.append(dict(ctx.__dict__))
        return out

    Mul.forward = staticmethod(spy)
    try:
        with gk.no_grad():
            w * x
        y = (w * x).sum()
    finally:
        Mul.forward = staticmethod(original)
    assert seen[0] == {}  # no_grad: nothing cached
    assert list(seen[1]) == ["b"] and seen[1]["b"] is x._data  # only x, for ∂/∂w
    y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 4.0])


def test_T_CACHE_in_place_on_a_saved_constant_keeps_the_value_backward_needs():
    """``y.mul_(c)`` with ``y`` needing no gradient: Mul saved ``y`` for ``∂/∂c``, and the
    write into ``y`` must not change that saved value (PyTorch: ``c.grad == y_before``)."""
    y = gk.ones(3)
    c = gk.tensor([2.0, 3.0, 4.0], requires_grad=True)
    y.mul_(c)
    y.sum().backward()
    np.testing.assert_array_equal(c.grad.numpy(), [1.0, 1.0, 1.0])

    y = gk.ones(3)
    c = gk.tensor([2.0, 3.0, 4.0], requires_grad=True)
    y *= c  # y is now c: d/dc sum(y²) = 2c
    (y * y).sum().backward()
    np.testing.assert_array_equal(c.grad.numpy(), [4.0, 6.0, 8.0])

    y = gk.ones(3, dtype=gk.float64)
    c = gk.tensor([2.0, 3.0, 4.0], dtype=gk.float64, requires_grad=True)
    y.mul_(c)
    (g,) = gk.autograd.grad((y * c).sum(), c, create_graph=True)  # y·c = c²: 2c
    np.testing.assert_array_equal(g.detach().numpy(), [4.0, 6.0, 8.0])
    (gg,) = gk.autograd.grad(g.sum(), c)
    np.testing.assert_array_equal(gg.numpy(), [2.0, 2.0, 2.0])


def test_T_CACHE_the_mutation_log_stays_bounded_and_says_when_it_forgot(monkeypatch):
    """Thousands of in-place writes to distinct buffers (a one-hot tensor built per
    step, as the char-RNN tutorial does) must not crash or grow the log without bound;
    a node older than the forgotten history warns instead of passing silently."""
    from gradkit.autograd.function import MutationLog, _log

    monkeypatch.setattr(MutationLog, "max_ranges", 256)
    w = f64([1.0, 2.0], grad=True)
    old = (w * f64([3.0, 4.0])).sum()  # Mul saved the constant: recorded before the flood
    buffers = [gk.zeros(4) for _ in range(5000)]
    for t in buffers:
        t[0] = 1.0
    assert len(_log.entries) <= 5000 and _log.floor > 0
    with pytest.warns(RuntimeWarning, match="may go unnoticed"):
        old.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 4.0])
    x = f64([1.0, 2.0])
    y = (w * x).sum()  # recorded after the flood: still fully checked
    x.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
