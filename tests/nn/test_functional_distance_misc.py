"""Norms, distances and the smaller functional forms against PyTorch: ``normalize``,
``cosine_similarity``, ``pairwise_distance``, ``cdist``, the vector norm's gradient at
zero, ``one_hot``, ``embedding(max_norm=)``, ``linear``, ``bilinear``, ``dropout``'s
signature, integer pooling, and the gradient of a float attention mask (concepts
T-TENSOR, RNN-EMBED, CNN-POOL, ATT-DOT)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.autograd import gradcheck, gradgradcheck
from gradkit.ops.pnorm import vector_norm
from parity import assert_parity, random_inputs, requires_torch, torch

TF = None if torch is None else torch.nn.functional


@requires_torch
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
@pytest.mark.parametrize("dim", [1, -1, (0, 2)])
def test_vector_norm_parity(p, dim):
    assert_parity(
        lambda x: vector_norm(x, p, dim),
        lambda x: torch.linalg.vector_norm(x, p, dim),
        random_inputs([(3, 4, 5)]),
    )


@requires_torch
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 1.5, 0.5, float("inf"), 0.0])
def test_vector_norm_gradient_at_zero_and_ties_is_torchs(p):
    """A zero vector gets gradient 0 (not NaN), ties of the ∞-norm share it equally, and
    zero entries of a p < 1 norm get 0, as in PyTorch."""
    x = np.array([[0.0, 0.0, 0.0], [3.0, -3.0, 1.0], [0.0, 2.0, -1.0]])
    assert_parity(lambda t: vector_norm(t, p, 1), lambda t: torch.linalg.vector_norm(t, p, 1), [x])


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
def test_vector_norm_gradcheck_and_double_backward(p):
    x = gk.tensor(random_inputs([(3, 4)], seed=4)[0], requires_grad=True)
    assert gradcheck(lambda t: vector_norm(t, p, 1), x)
    if p != float("inf"):
        assert gradgradcheck(lambda t: vector_norm(t, p, 1), x)


@requires_torch
@pytest.mark.parametrize(
    "p, dim, eps", [(2.0, 1, 1e-12), (1.0, -1, 1e-12), (3.0, 0, 1e-12), (2.0, 1, 10.0)]
)
def test_normalize_parity(p, dim, eps):
    """x / max(‖x‖_p, ε): eps=10 exercises the clamped branch (gradient 1/ε)."""
    x = random_inputs([(4, 5, 3)])[0]
    x[0] = 0.0  # a zero vector: finite gradient
    assert_parity(
        lambda t: F.normalize(t, p, dim, eps), lambda t: TF.normalize(t, p, dim, eps), [x]
    )


@requires_torch
@pytest.mark.parametrize(
    "shapes, dim",
    [(((4, 5), (4, 5)), 1), (((2, 3, 4), (2, 3, 4)), 2), (((3, 5), (1, 5)), 1),
     (((3, 4), (3, 4)), 0)],
)  # fmt: skip
def test_cosine_similarity_parity(shapes, dim):
    """Each vector is normalized first (PyTorch's formula), inputs broadcast."""
    assert_parity(
        lambda a, b: F.cosine_similarity(a, b, dim),
        lambda a, b: TF.cosine_similarity(a, b, dim),
        random_inputs(shapes, seed=5),
    )


@requires_torch
def test_cosine_similarity_tiny_vectors_match_torch():
    """Norms below eps are raised to eps in value only; the gradient is the norm's
    (PyTorch clamps outside autograd), so tiny vectors get PyTorch's gradient."""
    a = np.array([[1e-10, -2e-10, 3e-10], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    b = np.array([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [2e-9, 1e-9, 0.0]])
    assert_parity(
        lambda x, y: F.cosine_similarity(x, y, 1, 1e-8),
        lambda x, y: TF.cosine_similarity(x, y, 1, 1e-8),
        [a, b],
        atol=1e-6,
        rtol=1e-9,
    )


@requires_torch
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_parity(p, keepdim):
    for shapes in (((4, 5), (4, 5)), ((2, 3, 4), (3, 4)), ((5,), (5,))):
        assert_parity(
            lambda a, b: F.pairwise_distance(a, b, p, 1e-6, keepdim),
            lambda a, b: TF.pairwise_distance(a, b, p, 1e-6, keepdim),
            random_inputs(shapes, seed=6),
        )


@requires_torch
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5])
def test_cdist_parity(p):
    for shapes in (((5, 3), (4, 3)), ((2, 5, 3), (2, 6, 3)), ((2, 5, 3), (6, 3))):
        assert_parity(
            lambda a, b: F.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p),
            random_inputs(shapes, seed=8),
        )  # fmt: skip


def test_distances_gradcheck():
    a, b = (gk.tensor(v, requires_grad=True) for v in random_inputs([(3, 4), (3, 4)], seed=9))
    assert gradcheck(lambda x, y: F.cosine_similarity(x, y), a, b)
    assert gradcheck(lambda x, y: F.pairwise_distance(x, y), a, b)
    assert gradcheck(lambda x, y: F.cdist(x, y), a, b)
    assert gradcheck(lambda x: F.normalize(x, dim=0), a)
    assert gradgradcheck(lambda x, y: F.cosine_similarity(x, y), a, b)


def test_distance_errors():
    with pytest.raises(ValueError, match="do not broadcast"):
        F.cosine_similarity(gk.ones(3, 4), gk.ones(2, 4))
    with pytest.raises(ValueError, match="same number of columns"):
        F.cdist(gk.ones(3, 4), gk.ones(2, 5))
    with pytest.raises(TypeError, match="floating-point"):
        F.normalize(gk.tensor([1, 2]), dim=0)


# ------------------------------------------------------------------ one_hot, embedding
@requires_torch
def test_one_hot_matches_torch():
    """T-TENSOR: int64 output, inferred or given class count."""
    idx = np.array([[0, 2], [1, 4]])
    for n in (-1, 6):
        ours, theirs = F.one_hot(gk.tensor(idx), n), TF.one_hot(torch.tensor(idx), n)
        assert ours.dtype == np.int64 and theirs.dtype == torch.int64
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_one_hot_errors_are_pytorchs():
    with pytest.raises(RuntimeError, match="only applicable to index tensor"):
        F.one_hot(gk.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(gk.tensor([0, -1]), 3)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(gk.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="empty tensor"):
        F.one_hot(gk.tensor(np.zeros(0, dtype=np.int64)))


@requires_torch
def test_embedding_max_norm_renormalizes_like_torch():
    """RNN-EMBED: with max_norm the looked-up rows are rescaled in place first (the weight
    changes), then looked up; gradients flow to the rescaled rows."""
    w = random_inputs([(6, 4)], seed=11)[0] * 2
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    for norm_type in (2.0, 1.0):
        gw, tw = gk.tensor(w.copy(), requires_grad=True), torch.tensor(w.copy(), requires_grad=True)
        ours = F.embedding(gk.tensor(idx), gw, max_norm=1.5, norm_type=norm_type)
        theirs = TF.embedding(torch.tensor(idx), tw, max_norm=1.5, norm_type=norm_type)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(gw.data, tw.detach().numpy(), rtol=1e-12)
        up = np.random.default_rng(0).standard_normal(ours.shape)
        ours.backward(up)
        theirs.backward(torch.tensor(up))
        np.testing.assert_allclose(gw.grad.data, tw.grad.numpy(), rtol=1e-12)
    assert not np.allclose(gw.data, w)  # rows 0, 1, 2, 5 were too long: changed in place
    with pytest.raises(NotImplementedError, match="scale_grad_by_freq"):
        F.embedding(gk.tensor(idx), gw, scale_grad_by_freq=True)


@requires_torch
def test_embedding_padding_idx_parity():
    w = random_inputs([(5, 3)], seed=12)[0]
    idx = np.array([0, 3, 3, 1])
    assert_parity(
        lambda t: F.embedding(gk.tensor(idx), t, padding_idx=3),
        lambda t: TF.embedding(torch.tensor(idx), t, padding_idx=3),
        [w],
    )


# ------------------------------------------------------------------ linear, bilinear, dropout
@requires_torch
def test_linear_and_bilinear_parity():
    x, w, b = random_inputs([(2, 3, 4), (5, 4), (5,)], seed=13)
    assert_parity(F.linear, TF.linear, [x, w, b])
    assert_parity(F.linear, TF.linear, [x, w])
    x1, x2, a, c = random_inputs([(2, 3, 4), (2, 3, 6), (5, 4, 6), (5,)], seed=14)
    assert_parity(F.bilinear, TF.bilinear, [x1, x2, a, c])
    assert_parity(F.bilinear, TF.bilinear, [x1[0], x2[0], a])
    t = [gk.tensor(v, requires_grad=True) for v in (x1[0], x2[0], a, c)]
    assert gradcheck(F.bilinear, *t)
    with pytest.raises(ValueError, match="does not match"):
        F.bilinear(gk.ones(2, 3), gk.ones(2, 6), gk.ones(5, 4, 6))


@requires_torch
def test_dropout_signature_matches_torch():
    """F.dropout(input, p, training, inplace) in PyTorch's order; not training it is the
    identity; p = 1 zeroes everything."""
    ours = list(inspect.signature(F.dropout).parameters)[:4]
    assert ours == list(inspect.signature(TF.dropout).parameters)[:4]
    x = gk.ones(100)
    assert F.dropout(x, 0.5, False) is x
    assert F.dropout(x, 1.0).tolist() == [0.0] * 100
    kept = F.dropout(x, 0.25, True).data
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.75)}
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)


# ------------------------------------------------------------------ pooling on integers
@requires_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8])
def test_integer_max_pool_does_not_overflow(dtype):
    """CNN-POOL: padded max pooling of integer tensors pads with the dtype's minimum (−∞
    overflowed); values and indices equal PyTorch's, dtype kept."""
    low = np.iinfo(dtype).min
    x = np.random.default_rng(0).integers(low, np.iinfo(dtype).max, (2, 3, 5, 6), endpoint=True)
    x = x.astype(dtype)
    x[0, 0] = low  # an all-minimum plane: the padding must not win the index
    ours, oi = F.max_pool2d(gk.tensor(x), 3, 2, 1, return_indices=True)
    theirs, ti = TF.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(oi.data, ti.numpy())


@requires_torch
def test_integer_avg_pool_truncates_like_torch():
    """CNN-POOL: integer average pooling stays int64 and rounds toward zero (C++ integer
    division), with and without counting the padding."""
    x = np.random.default_rng(1).integers(-50, 50, (2, 2, 5, 5))
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=3, padding=1, count_include_pad=False)):  # fmt: skip
        ours, theirs = F.avg_pool2d(gk.tensor(x), **kw), TF.avg_pool2d(torch.tensor(x), **kw)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    with pytest.raises(TypeError, match="not implemented for dtype bool"):
        F.max_pool2d(gk.tensor(np.ones((1, 1, 2, 2), dtype=bool)), 2)


# ------------------------------------------------------------------ attention mask gradient
@requires_torch
@pytest.mark.parametrize("mask_shape", [(4, 6), (2, 1, 4, 6), (6,)])
def test_float_attention_mask_gets_its_gradient(mask_shape):
    """ATT-DOT: a float attn_mask that requires grad gets ∂L/∂M (it got none), equal to
    PyTorch's, along with the query, key and value gradients."""
    arrays = random_inputs([(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), mask_shape], seed=15)
    assert_parity(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m),
        arrays,
    )


def test_float_attention_mask_gradcheck_and_double_backward():
    q, k, v, m = (
        gk.tensor(a, requires_grad=True)
        for a in random_inputs([(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 3), (3, 5)], seed=16)
    )
    fn = lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m)  # noqa: E731
    assert gradcheck(fn, q, k, v, m)
    assert gradgradcheck(fn, q, k, v, m)
    # a mask that needs no gradient is still a constant, as before
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=m.detach())
    assert out.shape == (1, 2, 3, 3)


@requires_torch
def test_top_level_forms_exist_as_in_torch():
    """T-TENSOR: ``torch.cdist``, ``torch.cosine_similarity``, ... are top-level names."""
    for name in ("bilinear", "cdist", "celu", "cosine_similarity", "hardshrink",
                 "pairwise_distance", "prelu", "rrelu", "selu", "threshold"):  # fmt: skip
        assert hasattr(torch, name)
        assert getattr(gk, name) is getattr(F, name)
