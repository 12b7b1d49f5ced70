"""Views at their edges (issue 24; T-GRAPH, T-AUTODIFF), against PyTorch in float64: a
basic-index slice is a view, so an in-place change through it rewrites its base (value
and gradient) and bumps the version PyTorch checks at backward; ``permute()``/
``transpose()`` with no dims reverse every dim (NumPy's meaning), gradient included."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

A = np.random.default_rng(5).uniform(0.5, 1.5, (3, 4))
G = np.random.default_rng(6).normal(size=(3, 4))


@pytest.mark.parametrize(
    "index", [(slice(1, 3),), (1,), (slice(None), slice(0, 4, 2)), (Ellipsis, 2)]
)
def test_t_graph_inplace_through_a_basic_index_rewrites_the_base(index):
    out = []
    for lib in (gk, torch):
        x = lib.tensor(A.copy(), requires_grad=True)
        h = x * 2.0
        v = h[index]
        v.mul_(lib.tensor(3.0, dtype=lib.float64))
        (h * lib.tensor(G)).sum().backward()
        out.append((h.detach().numpy(), x.grad.numpy()))
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


def test_t_graph_inplace_through_a_slice_is_seen_by_a_saved_base():
    for lib in (gk, torch):
        x = lib.tensor(A.copy(), requires_grad=True)
        h = x.exp()  # exp saves its output, h
        h[1:].add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            h.sum().backward()


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
def test_permute_and_transpose_without_dims_reverse_every_dim(shape):
    a = np.random.default_rng(8).normal(size=shape)
    rev = tuple(reversed(range(len(shape))))
    for call in (lambda t: t.permute(), lambda t: t.transpose(), lambda t: gk.permute(t)):
        x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        y, u = call(x), t.permute(*rev)
        assert tuple(y.shape) == tuple(u.shape)
        np.testing.assert_array_equal(y.detach().numpy(), u.detach().numpy())
        w = np.random.default_rng(9).normal(size=tuple(u.shape))
        y.backward(gk.tensor(w))
        u.backward(torch.tensor(w))
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
