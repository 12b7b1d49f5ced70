"""Every option of the triangle and diagonal ops (concepts T-TENSOR, T-AUTODIFF):
``diagonal``/``tril``/``triu`` offsets past the matrix, swapped and negative dims,
``diag_embed`` offsets and dims, ``diag`` both ways, integer ``trace``, the view
semantics of ``diagonal``, and derivatives to third order — against PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

X = np.random.default_rng(21).standard_normal((2, 3, 4))
M = np.random.default_rng(22).standard_normal((3, 5))
V = np.random.default_rng(23).standard_normal((2, 3))

CASES = {
    "tril_default": (lambda L, m: L.tril(m), M),
    "tril_pos": (lambda L, m: m.tril(2), M),
    "tril_neg_batched": (lambda L, x: L.tril(x, diagonal=-1), X),
    "tril_past": (lambda L, m: m.tril(-4), M),
    "triu_default": (lambda L, x: x.triu(), X),
    "triu_pos": (lambda L, m: L.triu(m, 1), M),
    "triu_neg": (lambda L, m: m.triu(diagonal=-2), M),
    "triu_past": (lambda L, m: m.triu(6), M),
    "diagonal_default": (lambda L, m: m.diagonal(), M),
    "diagonal_pos": (lambda L, m: L.diagonal(m, 2), M),
    "diagonal_neg": (lambda L, m: m.diagonal(offset=-1), M),
    "diagonal_past": (lambda L, m: L.cat([m.diagonal(7), m[0]]), M),
    "diagonal_past_neg": (lambda L, m: L.cat([m.diagonal(-3), m[0]]), M),
    "diagonal_dims": (lambda L, x: x.diagonal(1, 0, 2), X),
    "diagonal_swapped": (lambda L, x: L.diagonal(x, offset=1, dim1=2, dim2=0), X),
    "diagonal_neg_dims": (lambda L, x: x.diagonal(-1, -1, -2), X),
    "diagonal_last_two": (lambda L, x: x.diagonal(0, 1, 2), X),
    "diag_embed_default": (lambda L, v: L.diag_embed(v), V),
    "diag_embed_offset": (lambda L, v: v.diag_embed(offset=-2), V),
    "diag_embed_dims": (lambda L, v: L.diag_embed(v, 1, 0, 2), V),
    "diag_embed_swapped": (lambda L, v: v.diag_embed(2, dim1=-1, dim2=0), V),
    "diag_embed_mid": (lambda L, v: L.diag_embed(v, dim1=1, dim2=2), V),
    "diag_embed_1d": (lambda L, v: L.diag_embed(v[0], -1), V),
    "diag_embed_3d": (lambda L, x: L.diag_embed(x, 1, 0, 3), X),
    "diag_1d_pos": (lambda L, v: L.diag(v[0], 2), V),
    "diag_1d": (lambda L, v: v[1].diag(), V),
    "diag_2d_neg": (lambda L, m: L.diag(m, diagonal=-1), M),
    "diag_2d": (lambda L, m: m.diag(), M),
    "trace": (lambda L, m: m.trace(), M),
    "trace_tall": (lambda L, m: L.trace(m.T), M),
}


def _run(lib, fn, a, order):
    x = lib.tensor(a, requires_grad=True)
    y = fn(lib, x)
    rng = np.random.default_rng(6)
    w = lib.tensor(rng.standard_normal(tuple(y.shape)))
    if order == 1:
        (y * w).sum().backward()
        return y.detach().numpy(), x.grad.numpy()
    v = lib.tensor(rng.standard_normal(a.shape))
    (g,) = lib.autograd.grad((y * y * y * w).sum(), [x], create_graph=True)
    (h,) = lib.autograd.grad((g * v).sum(), [x], create_graph=True)
    (h * v).sum().backward()
    return g.detach().numpy(), h.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("order", [1, 3])
@pytest.mark.parametrize("name", list(CASES))
def test_t_tensor_diagonal_ops_match_torch(name, order):
    fn, a = CASES[name]
    ours, theirs = _run(gk, fn, a, order), _run(torch, fn, a, order)
    for p, q in zip(ours, theirs):
        assert p.shape == q.shape
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-13)


def test_t_tensor_diagonal_dtypes():
    for lib in (gk, torch):
        i = lib.tensor([[1, 2], [3, 4]])
        assert str(i.trace().dtype).endswith("int64") and i.trace().item() == 5
        u = lib.tensor(np.array([[200, 1], [3, 100]], dtype=np.uint8))
        assert str(u.trace().dtype).split(".")[-1] == "int64" and u.trace().item() == 300
        f = lib.tensor(M.astype(np.float32))
        assert str(f.trace().dtype).endswith("float32")
        assert str(f.tril().dtype).endswith("float32") and str(i.triu().dtype).endswith("int64")
    np.testing.assert_allclose(gk.tensor(M).trace().item(), np.trace(M), rtol=1e-14)


def test_t_tensor_diagonal_is_a_writeable_view():
    """T-TENSOR: writing into diagonal() reaches the matrix (PyTorch); diag() copies."""
    for lib in (gk, torch):
        m = lib.zeros((3, 4))
        with lib.no_grad():
            m.diagonal(1)[...] = 1.0
            m.diag(-1)[...] = 5.0
        assert m.tolist() == [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]


def test_t_tensor_triangle_errors_name_the_op():
    with pytest.raises(RuntimeError, match="^tril: input tensor must have at least 2"):
        gk.tril(gk.zeros(3))
    with pytest.raises(RuntimeError, match="^triu: input tensor must have at least 2"):
        gk.triu(gk.zeros(3), 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda L: L.tril(L.zeros(3)),
        lambda L: L.triu(L.zeros(3)),
        lambda L: L.diagonal(L.zeros(3)),
        lambda L: L.diagonal(L.zeros((2, 2)), 0, 1, -1),
        lambda L: L.diag_embed(L.zeros(3), 0, 1, -1),
        lambda L: L.diag_embed(L.zeros(()), 0),
        lambda L: L.diag(L.zeros((2, 2, 2))),
        lambda L: L.trace(L.zeros(3)),
        lambda L: L.trace(L.zeros((2, 2, 2))),
    ],
)
def test_t_tensor_diagonal_errors(call):
    with pytest.raises((RuntimeError, IndexError)):
        call(torch)
    with pytest.raises(
        (RuntimeError, IndexError),
        match="tril|triu|diagonal|diag|trace|identical|Dimension out of range",
    ):
        call(gk)
