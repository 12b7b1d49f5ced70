"""T-TENSOR: broadcasting in forward and backward, property-based against NumPy and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradkit as gk

torch = pytest.importorskip("torch")

OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "maximum": (gk.maximum, torch.maximum),
}


@settings(max_examples=60, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4),
    op=st.sampled_from(sorted(OPS)),
    seed=st.integers(0, 2**16),
)
def test_broadcast_forward_and_backward_match_torch(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(s) + (3.0 if op == "div" else 0.0) for s in shapes.input_shapes)
    gk_fn, th_fn = OPS[op]
    ga, gb = gk.tensor(a, requires_grad=True), gk.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, ref = gk_fn(ga, gb), th_fn(ta, tb)
    assert out.shape == shapes.result_shape == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    assert ga.grad.shape == a.shape and gb.grad.shape == b.shape
    np.testing.assert_allclose(ga.grad.detach().numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.grad.detach().numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
    data=st.data(),
)
def test_reductions_keepdims_roundtrip(shape, data):
    """Reducing over any axis subset and broadcasting back gives the input's gradient shape."""
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1))
    keep = data.draw(st.booleans())
    x = np.random.default_rng(0).standard_normal(shape)
    g = gk.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    out = g.sum(axis=tuple(axes), keepdims=keep) * g.mean()
    ref = t.sum(dim=tuple(axes), keepdim=keep) * t.mean()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    up = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(up)
    ref.backward(torch.tensor(up))
    np.testing.assert_allclose(g.grad.detach().numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
