"""The fused ops behind ``F.embedding`` (concept RNN-EMBED) and ``F.linear`` (concept
T-AUTODIFF): values, every input gradient under a random upstream gradient, and second
derivatives against PyTorch, with repeated and padding indices, both backward paths of
the embedding (one-hot product and sort + segment sum), 1-D and 3-D linear inputs, with
and without bias, and gradients asked for only some of the inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as gF
from gradkit.ops import embedding as emb_mod

torch = pytest.importorskip("torch")
tF = torch.nn.functional

W = np.random.default_rng(31).standard_normal((6, 3))
IDX = np.array([[1, 4, 1], [0, 5, 1]])


@pytest.fixture(params=["one_hot", "sorted"])
def backward_path(request, monkeypatch):
    """Both ways of summing rows: the one-hot matmul and the sort + reduceat."""
    if request.param == "sorted":
        monkeypatch.setattr(emb_mod, "_ONE_HOT_LIMIT", 0)
    return request.param


def _embed(lib, F, idx, padding_idx, order):
    """(value, grad W, and when order == 2 the second-order grad W) of a lookup."""
    w = lib.tensor(W, requires_grad=True)
    y = F.embedding(lib.tensor(idx), w, padding_idx=padding_idx)
    rng = np.random.default_rng(2)
    up = lib.tensor(rng.standard_normal(tuple(y.shape)))
    if order == 1:
        y.backward(up)
        return y.detach().numpy(), w.grad.numpy()
    up.requires_grad_(True)  # its gradient passes the padding mask of the double backward
    (g,) = lib.autograd.grad((y * y * up).sum(), [w], create_graph=True)
    (g * lib.tensor(rng.standard_normal(W.shape))).sum().backward()
    return g.detach().numpy(), w.grad.numpy(), up.grad.numpy()


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("padding_idx", [None, 1, -5])
@pytest.mark.parametrize("idx", [IDX, IDX[0], np.array([3]), np.zeros((2, 0), dtype=np.int64)])
def test_rnn_embed_values_and_gradients_match_torch(backward_path, idx, padding_idx, order):
    """RNN-EMBED: repeated rows add up their gradient, the padding row gets none (also
    at second order), on both backward paths."""
    ours = _embed(gk, gF, idx, padding_idx, order)
    if idx.size == 0 and order == 2:  # PyTorch 2.13 fails here (reshape of 0 elements)
        assert all(a.shape in (W.shape, idx.shape + (3,)) and not a.any() for a in ours)
        return
    theirs = _embed(torch, tF, idx, padding_idx, order)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_rnn_embed_index_add_rows_paths_agree():
    """RNN-EMBED: out[k] = Σ rows[i] over indices[i] = k, both paths (closed form)."""
    rng = np.random.default_rng(3)
    idx = np.array([4, 0, 4, 2, 4, 0])
    rows = rng.standard_normal((6, 2))
    want = np.zeros((5, 2))
    for i, k in enumerate(idx):
        want[k] += rows[i]
    np.testing.assert_allclose(emb_mod.index_add_rows(idx, rows, 5), want, rtol=1e-14)
    limit = emb_mod._ONE_HOT_LIMIT
    try:
        emb_mod._ONE_HOT_LIMIT = 0
        np.testing.assert_allclose(emb_mod.index_add_rows(idx, rows, 5), want, rtol=1e-14)
        out = emb_mod.index_add_rows(idx[:0], rows[:0], 5)
        assert out.shape == (5, 2) and not out.any()
    finally:
        emb_mod._ONE_HOT_LIMIT = limit
    assert emb_mod.index_add_rows(idx, rows.astype(np.float32), 5).dtype == np.float32


# ---------------------------------------------------------------- linear
LX = np.random.default_rng(41).standard_normal((2, 3, 4))
LW = np.random.default_rng(42).standard_normal((5, 4))
LB = np.random.default_rng(43).standard_normal(5)


def _linear(lib, F, x, w, b, needs, order):
    ts = [
        lib.tensor(a, requires_grad=n) if a is not None else None for a, n in zip((x, w, b), needs)
    ]
    y = F.linear(*ts[:2]) if b is None else F.linear(*ts)
    rng = np.random.default_rng(5)
    up = lib.tensor(rng.standard_normal(tuple(y.shape)))
    leaves = [t for t in ts if t is not None and t.requires_grad]
    if order == 1:
        y.backward(up)
        return [y.detach().numpy()] + [t.grad.numpy() for t in leaves]
    gs = lib.autograd.grad((y * y * up).sum(), leaves, create_graph=True)
    sum((g * lib.tensor(rng.standard_normal(tuple(g.shape)))).sum() for g in gs).backward()
    return [g.detach().numpy() for g in gs] + [t.grad.numpy() for t in leaves]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize(
    "x, b, needs",
    [
        (LX, LB, (True, True, True)),
        (LX, None, (True, True, None)),
        (LX[0, 0], LB, (True, True, True)),  # a 1-D input
        (LX, LB, (False, True, True)),
        (LX, LB, (True, False, False)),
        (LX, LB, (True, True, False)),
        (LX, LB, (False, False, True)),
    ],
)
def test_t_autodiff_linear_matches_torch(x, b, needs, order):
    """T-AUTODIFF: y = x Wᵀ + b; ∂x = G W, ∂W = Gᵀ x, ∂b = 1ᵀ G, and their derivatives."""
    ours = _linear(gk, gF, x, LW, b, needs, order)
    theirs = _linear(torch, tF, x, LW, b, needs, order)
    assert len(ours) == len(theirs)
    for a, c in zip(ours, theirs):
        assert a.shape == c.shape
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


def test_t_autodiff_linear_float32_and_plain_array_input():
    y = gF.linear(LX.astype(np.float32), gk.tensor(LW.astype(np.float32)))
    assert isinstance(y, gk.Tensor) and y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), LX @ LW.T, rtol=1e-5)


@pytest.mark.parametrize(
    "x, w, b",
    [
        (LX, LW[0], None),  # 1-D weight
        (LX[0, 0, 0], LW, None),  # 0-d input
        (LX[..., :3], LW, None),  # in-features differ
        (LX, LW, LB[:4]),  # bias of the wrong size
    ],
)
def test_t_autodiff_linear_shape_errors(x, w, b):
    """Refused with a message naming both shapes (PyTorch refuses all but the 1-D
    weight, which it reads as a single output without its dim)."""
    args = [x, w] + ([] if b is None else [b])
    with pytest.raises(ValueError, match="linear: .*does not match weight of shape"):
        gF.linear(*[gk.tensor(a) for a in args])
    if w.ndim == 2:
        with pytest.raises(RuntimeError):
            tF.linear(*[torch.tensor(a) for a in args])
