"""The autograd engine: graph building and freeing, accumulation, no_grad, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import count_nodes, graph_str


def test_t_tensor_defaults_and_attributes():
    """T-TENSOR: float lists become float32, numpy arrays keep their dtype."""
    t = gk.tensor([[1.0, 2.0, 3.0]])
    assert t.dtype == np.float32 and t.shape == (1, 3) and t.ndim == 2
    assert t.size == 3 and t.size() == (1, 3) and t.size(1) == 3
    assert t.T.shape == (3, 1)
    assert gk.tensor(np.zeros(2)).dtype == np.float64
    assert gk.tensor([1, 2]).dtype == np.int64
    assert gk.tensor(2.5).item() == 2.5
    np.testing.assert_array_equal(t.numpy(), [[1, 2, 3]])
    assert gk.zeros(2, 3).shape == (2, 3) and gk.ones((4,)).dtype == np.float32
    assert gk.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert gk.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert gk.zeros_like(t).shape == t.shape and gk.randn(3, 2).dtype == np.float32


def test_t_autodiff_chain_rule_closed_form():
    """T-AUTODIFF: dL/dw = dL/da · da/dz · dz/dw for L = σ(w·x + b)."""
    w = gk.tensor([0.5, -1.0], requires_grad=True)
    b = gk.tensor(0.1, requires_grad=True)
    x = gk.tensor([2.0, 3.0])
    z = (w * x).sum() + b
    a = z.sigmoid()
    a.backward()
    s = 1 / (1 + np.exp(-(0.5 * 2 - 3 + 0.1)))
    np.testing.assert_allclose(
        w.grad.detach().numpy(), s * (1 - s) * np.array([2.0, 3.0]), rtol=1e-6
    )
    np.testing.assert_allclose(b.grad.detach().numpy(), s * (1 - s), rtol=1e-6)


def test_long_chain_does_not_hit_recursion_limit():
    """A 10,000-op chain backpropagates (iterative topological sort)."""
    x = gk.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001**10_000, rtol=1e-3)


def test_gradients_accumulate_across_backward_calls():
    x = gk.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [3 + 2, 3 + 4])


def test_graph_is_freed_unless_retained():
    x = gk.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [4.0, 8.0])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_shared_subexpression_and_diamond():
    x = gk.tensor([1.0, -2.0], requires_grad=True)
    h = x * 2
    y = (h * h + h).sum()  # dy/dx = (2h + 1)·2
    y.backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), (2 * np.array([2.0, -4.0]) + 1) * 2)


def test_backward_skips_inputs_that_do_not_require_grad():
    calls = []

    class Spy(gk.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            calls.append(ctx.needs_input_grad)
            return g, None

    a = gk.tensor([1.0], requires_grad=True)
    b = gk.tensor([2.0])
    Spy.apply(a, b).sum().backward()
    assert calls == [(True, False)] and b.grad is None


def test_t_nograd_and_detach():
    """T-NOGRAD: no graph is recorded inside no_grad, nor through detach()."""
    x = gk.tensor([1.0], requires_grad=True)
    with gk.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None

    @gk.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert gk.is_grad_enabled()
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad


def test_leaf_grads_are_independent_arrays():
    """Two leaves fed the same upstream array get separate .grad buffers."""
    a = gk.tensor([1.0, 2.0], requires_grad=True)
    b = gk.tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(np.ones(2, dtype=np.float32))
    a.grad.data *= 10
    np.testing.assert_allclose(b.grad.detach().numpy(), [1.0, 1.0])


def test_retain_grad_on_intermediate():
    x = gk.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.detach().numpy(), [6.0, 12.0])


def test_t_hadamard_shape_error_names_both_shapes():
    """T-HADAMARD: element-wise ops need equal or broadcastable shapes."""
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
        gk.ones(2, 3) * gk.ones(4)
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        gk.ones(2, 3) @ gk.ones(4, 5)
    with pytest.raises(ValueError, match="reshape"):
        gk.ones(6).reshape(4, 2)


def test_backward_errors_are_clear():
    with pytest.raises(RuntimeError, match="one-element"):
        (gk.ones(3, requires_grad=True) * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        gk.ones(1).backward()
    with pytest.raises(RuntimeError, match="floating point"):
        gk.tensor([1, 2], requires_grad=True)
    x = gk.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="In-place"):
        x.zero_()


def test_t_graph_printable():
    """T-GRAPH: the recorded graph can be printed and counted."""
    w = gk.tensor([1.0, 2.0], requires_grad=True)
    x = gk.tensor([3.0, 4.0])
    loss = ((w * x).sum() - 1.0) ** 2
    text = graph_str(loss)
    assert text.splitlines()[0] == "PowScalarBackward"
    assert "MulBackward" in text and "leaf (2,) float32" in text
    assert count_nodes(loss) == 4


def test_float32_stays_float32_through_ops():
    x = gk.randn(4, 3, requires_grad=True)
    y = ((x * 2.0 + 1.0) / 3.0) ** 2
    y = gk.log_softmax(y @ gk.randn(3, 2), axis=1).mean()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_manual_seed_is_deterministic():
    gk.manual_seed(7)
    a = gk.randn(5)
    gk.manual_seed(7)
    np.testing.assert_array_equal(a.detach().numpy(), gk.randn(5).detach().numpy())


def test_import_loads_numpy_only():
    """`import gradkit` must not pull in torch, scipy, sklearn or matplotlib."""
    code = (
        "import sys, gradkit; "
        "bad = [m for m in ('torch', 'scipy', 'sklearn', 'matplotlib') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
