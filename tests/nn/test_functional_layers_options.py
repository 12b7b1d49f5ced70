"""NN-DROPOUT, NN-BATCHNORM, NN-LAYERNORM, RNN-EMBED, NN-NEURON, ATT-DOT (issue 24): the
options and edges of ``gradkit.nn.functional``'s layers, distances and attention that the
parity tests leave out — defaults (``p``, ``momentum``, ``eps``, ``norm_type``,
``training``), ``inplace=True``, bounds PyTorch accepts (p = 0, two values per channel,
padding_idx = −num, a norm exactly at max_norm), array and list indices, and errors that
name the argument. Oracle: PyTorch 2.13 in float64 and closed forms."""

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(7)


def _close(a, b, rtol=1e-12, atol=1e-12):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- NN-DROPOUT
def test_nn_dropout_default_p_is_one_half_and_generator_is_used():
    x = gk.ones(2000, dtype=gk.float64)
    a = F.dropout(x, generator=gk.Generator().manual_seed(4)).numpy()
    gk.manual_seed(0)
    b = F.dropout(x, generator=gk.Generator().manual_seed(4)).numpy()
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) == {0.0, 2.0} and abs((a == 0).mean() - 0.5) < 0.04


def test_nn_dropout_p_zero_and_one():
    x = gk.tensor(RNG.normal(size=(3, 4)).astype(np.float32))
    assert F.dropout(x, 0.0) is x
    zeros = F.dropout(x, 1.0)
    assert zeros.dtype == np.float32 and not zeros.numpy().any()
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


def test_nn_dropout_inplace_writes_the_input_like_torch():
    """NN-DROPOUT: ``inplace=True`` returns the input tensor itself, scaled by the mask,
    and the gradient through it is mask / (1 − p), as in PyTorch."""
    x0 = RNG.uniform(1.0, 2.0, (50, 4))
    plain = gk.tensor(x0.copy())
    out = F.dropout(plain, 0.3, inplace=True)
    assert out is plain and plain._version == 1
    mask = plain.numpy() != 0
    np.testing.assert_allclose(plain.numpy(), np.where(mask, x0 / 0.7, 0.0), rtol=1e-15)
    leaf = gk.tensor(x0.copy(), requires_grad=True)
    h = leaf * 1.0
    assert F.dropout(h, 0.3, inplace=True) is h
    h.sum().backward()
    kept = h.detach().numpy() != 0
    np.testing.assert_allclose(leaf.grad.numpy(), kept / 0.7, rtol=1e-15)
    t = torch.tensor(x0.copy())
    assert TF.dropout(t, 0.3, inplace=True) is t
    with pytest.raises(RuntimeError, match="^dropout_: In-place operation on a leaf"):
        F.dropout(gk.tensor(x0, requires_grad=True), 0.3, inplace=True)
    not_training = gk.tensor(x0.copy())
    assert F.dropout(not_training, 0.3, training=False, inplace=True) is not_training
    np.testing.assert_array_equal(not_training.numpy(), x0)


def test_nn_dropout_integer_input_is_a_clear_error():
    """NN-DROPOUT: PyTorch refuses integer input when training (it cannot hold the scaled
    values); gradkit says so instead of failing inside."""
    with pytest.raises(TypeError, match="^dropout: expected a floating-point input"):
        F.dropout(gk.tensor([1, 2, 3]), 0.5)
    with pytest.raises(RuntimeError):
        TF.dropout(torch.tensor([1, 2, 3]), 0.5)
    ints = gk.tensor([1, 2, 3])
    assert F.dropout(ints, 0.5, training=False) is ints


# ---------------------------------------------------------------- NN-BATCHNORM
def _bn_pair(x, c, **kw):
    rm, rv = RNG.normal(size=c), RNG.uniform(0.5, 2.0, c)
    ours = (gk.tensor(rm.copy()), gk.tensor(rv.copy()))
    theirs = (torch.tensor(rm.copy()), torch.tensor(rv.copy()))
    y = F.batch_norm(gk.tensor(x), *ours, **kw)
    z = TF.batch_norm(torch.tensor(x), *theirs, **kw)
    return y, z, ours, theirs


@pytest.mark.parametrize("kw", [{}, {"training": True}, {"training": True, "momentum": 0.3},
                                {"eps": 0.5}, {"training": True, "eps": 0.5}])  # fmt: skip
def test_nn_batchnorm_defaults_match_torch(kw):
    """NN-BATCHNORM: eval by default (running statistics used), momentum 0.1 and
    eps 1e-5 by default; training updates the running statistics as PyTorch does."""
    x = RNG.normal(size=(4, 3, 5)) * 1e-3  # small variance: eps shows
    y, z, ours, theirs = _bn_pair(x, 3, **kw)
    _close(y, z)
    for a, b in zip(ours, theirs):
        _close(a, b, rtol=1e-14)


def test_nn_batchnorm_two_values_per_channel_train():
    x = RNG.normal(size=(2, 3))
    y, z, ours, theirs = _bn_pair(x, 3, training=True)
    _close(y, z)
    for a, b in zip(ours, theirs):
        _close(a, b, rtol=1e-14)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(gk.tensor(x[:1]), None, None, training=True)


def test_nn_batchnorm_float32_input_with_float64_statistics_stays_float32():
    x = RNG.normal(size=(4, 3)).astype(np.float32)
    rm, rv = gk.tensor(RNG.normal(size=3)), gk.tensor(RNG.uniform(0.5, 2, 3))
    y = F.batch_norm(gk.tensor(x), rm, rv)
    assert y.dtype == np.float32
    want = (x - rm.numpy()) / np.sqrt(rv.numpy() + 1e-5)
    _close(y, want, rtol=1e-6, atol=1e-6)


def test_nn_batchnorm_errors_name_the_statistic():
    x = gk.tensor(RNG.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"^batch_norm: running_mean has shape \(2,\)"):
        F.batch_norm(x, gk.zeros(2), gk.ones(3))
    with pytest.raises(ValueError, match=r"^batch_norm: running_var has shape \(4,\)"):
        F.batch_norm(x, gk.zeros(3), gk.ones(4))
    for rm, rv in ((gk.zeros(3), None), (None, gk.ones(3)), (None, None)):
        with pytest.raises(ValueError, match="needed in eval mode"):
            F.batch_norm(x, rm, rv)


# ---------------------------------------------------------------- NN-LAYERNORM
@pytest.mark.parametrize(("shape", "norm", "kw"), [((2, 4), 4, {}), ((4,), (4,), {}),
                                                   ((2, 3, 4), (3, 4), {"eps": 0.25})])  # fmt: skip
def test_nn_layernorm_default_eps_and_whole_input(shape, norm, kw):
    """NN-LAYERNORM: eps 1e-5 by default (and the given eps is used); normalizing over all
    axes of the input (ndim == len(normalized_shape)) is allowed."""
    x = RNG.normal(size=shape) * 1e-3
    a, b = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, z = (
        F.layer_norm(a, norm, **kw),
        TF.layer_norm(b, (norm,) if isinstance(norm, int) else norm, **kw),
    )
    _close(y, z, rtol=1e-10, atol=1e-10)


def test_nn_layernorm_shape_errors():
    x = gk.tensor(RNG.normal(size=(2, 3)))
    for norm in (4, (2, 3, 1), (3, 3)):
        with pytest.raises(ValueError, match="does not end with normalized_shape"):
            F.layer_norm(x, norm)


# ---------------------------------------------------------------- RNN-EMBED
def test_rnn_embed_indices_as_arrays_and_lists():
    w = gk.tensor(RNG.normal(size=(5, 3)))
    want = w.numpy()[[4, 0, 2]]
    for idx in ([4, 0, 2], np.array([4, 0, 2]), np.array([4, 0, 2], dtype=np.uint8)):
        _close(F.embedding(idx, w), want)
    with pytest.raises(TypeError, match="expected integer indices"):
        F.embedding(np.array([1.0]), w)


def test_rnn_embed_out_of_range_errors_name_the_index():
    w = gk.tensor(RNG.normal(size=(5, 3)))
    with pytest.raises(IndexError, match="index -1 is out of range for 5 embeddings"):
        F.embedding(gk.tensor([0, -1, 7]), w)
    with pytest.raises(IndexError, match="index 5 is out of range for 5 embeddings"):
        F.embedding(gk.tensor([0, 5]), w)
    with pytest.raises(IndexError, match="index 9 is out of range"):
        F.embedding(gk.tensor([1, 9]), w)


@pytest.mark.parametrize("padding_idx", [-5, -1, 4])
def test_rnn_embed_padding_idx_bounds(padding_idx):
    wt = RNG.normal(size=(5, 3))
    a, b = gk.tensor(wt.copy(), requires_grad=True), torch.tensor(wt.copy(), requires_grad=True)
    idx = np.array([[0, 4, 1], [4, 2, 0]])
    y = F.embedding(gk.tensor(idx), a, padding_idx=padding_idx)
    z = TF.embedding(torch.tensor(idx), b, padding_idx=padding_idx)
    _close(y, z)
    y.sum().backward()
    z.sum().backward()
    _close(a.grad, b.grad)
    for bad in (5, -6):
        with pytest.raises(ValueError, match="padding_idx"):
            F.embedding(gk.tensor(idx), a, padding_idx=bad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kw", [{"max_norm": 1.0}, {"max_norm": 1.5, "norm_type": 1.0}])
def test_rnn_embed_max_norm_default_norm_type_and_boundary(dtype, kw):
    """RNN-EMBED: rows are renormalized under the 2-norm by default; a row whose norm is
    exactly max_norm is left alone (PyTorch renormalizes only norm > max_norm)."""
    wt = RNG.normal(size=(6, 4)).astype(dtype)
    wt[1] = [1.0, 0.0, 0.0, 0.0] if "norm_type" not in kw else [1.5, 0.0, 0.0, 0.0]
    ours, theirs = gk.tensor(wt.copy()), torch.tensor(wt.copy())
    idx = np.array([1, 3, 0, 3, 5])
    y = F.embedding(gk.tensor(idx), ours, **kw)
    z = TF.embedding(torch.tensor(idx), theirs, **kw)
    # float32: the norm's summation order may differ from PyTorch's by an ulp
    tol = 0.0 if dtype == np.float64 else 3e-7
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tol, atol=0)
    np.testing.assert_allclose(y.numpy(), z.numpy(), rtol=tol, atol=0)
    np.testing.assert_array_equal(ours.numpy()[1], wt[1])  # exactly at max_norm: untouched
    assert ours.dtype == dtype


def test_rnn_embed_scale_grad_by_freq_is_refused():
    with pytest.raises(NotImplementedError, match="scale_grad_by_freq"):
        F.embedding(gk.tensor([0]), gk.ones(2, 2), scale_grad_by_freq=True)


# ---------------------------------------------------------------- one_hot
def test_one_hot_takes_arrays_and_lists():
    for idx in ([2, 0, 1], np.array([2, 0, 1])):
        got = F.one_hot(idx, 4)
        want = TF.one_hot(torch.tensor([2, 0, 1]), 4)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(
        F.one_hot([2, 0, 1]).numpy(), np.eye(3, dtype=np.int64)[[2, 0, 1]]
    )
    for bad in (-2, -3):
        with pytest.raises(RuntimeError, match="num_classes should be -1 or non-negative"):
            F.one_hot(gk.tensor([0, 1]), bad)


# ---------------------------------------------------------------- distances
X34 = RNG.normal(size=(3, 4)) * 0.1  # norms below 1: eps and p show
Y34 = RNG.normal(size=(3, 4)) * 0.1


@pytest.mark.parametrize(
    ("name", "args"),
    [("normalize", (X34,)), ("cosine_similarity", (X34, Y34)),
     ("pairwise_distance", (X34, Y34)), ("cdist", (X34, Y34))],
)  # fmt: skip
def test_distance_defaults_match_torch(name, args):
    """NN-NEURON: p = 2, dim = 1, eps = 1e-12 (normalize) / 1e-6 (pairwise_distance),
    keepdim False by default; numpy arrays are accepted as tensors."""
    tfn = torch.cdist if name == "cdist" else getattr(TF, name)
    want = tfn(*(torch.tensor(a) for a in args))
    _close(getattr(F, name)(*(gk.tensor(a) for a in args)), want, rtol=1e-14, atol=1e-15)
    _close(getattr(F, name)(*args), want, rtol=1e-14, atol=1e-15)


def test_normalize_tiny_vector_uses_eps():
    x = np.array([[3e-13, 4e-13], [3.0, 4.0]])
    _close(F.normalize(gk.tensor(x)), TF.normalize(torch.tensor(x)), rtol=1e-14)


@pytest.mark.parametrize("name", ["normalize", "cosine_similarity", "pairwise_distance", "cdist"])
def test_distance_integer_input_errors_name_the_function(name):
    ints = gk.tensor([[1, 2], [3, 4]])
    floats = gk.tensor([[1.0, 2.0], [3.0, 4.0]])
    calls = [(ints,)] if name == "normalize" else [(ints, floats), (floats, ints)]
    for args in calls:
        with pytest.raises(TypeError, match=rf"^{name}: expected floating-point inputs"):
            getattr(F, name)(*args)


def test_cosine_similarity_broadcasts_either_side():
    """x1 and x2 are broadcast before the norms: a size-1 ``dim`` counts each copy."""
    one = RNG.normal(size=(1, 4))
    col = RNG.normal(size=(3, 1))
    for a, b in ((one, Y34), (Y34, one), (col, Y34), (Y34, col)):
        _close(F.cosine_similarity(gk.tensor(a), gk.tensor(b)),
               TF.cosine_similarity(torch.tensor(a), torch.tensor(b)), rtol=1e-14)  # fmt: skip


def test_pairwise_distance_zero_dim_and_cdist_p_zero():
    _close(F.pairwise_distance(gk.tensor(1.0), gk.tensor(3.0)),
           TF.pairwise_distance(torch.tensor(1.0), torch.tensor(3.0)))  # fmt: skip
    a = np.array([[0.0, 1, 2], [1, 1, 0]])
    b = np.array([[0.0, 1, 0], [3, 1, 2]])
    _close(
        F.cdist(gk.tensor(a), gk.tensor(b), p=0), torch.cdist(torch.tensor(a), torch.tensor(b), p=0)
    )
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        F.cdist(gk.tensor(a[0]), gk.tensor(b))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        F.cdist(gk.tensor(a), gk.tensor(b[0]))
    with pytest.raises(ValueError, match="non-negative p"):
        F.cdist(gk.tensor(a), gk.tensor(b), p=-1.0)


# ---------------------------------------------------------------- ATT-DOT
def _qkv(dtype=np.float64):
    r = np.random.default_rng(9)
    return [r.normal(size=(2, 5, 4)).astype(dtype) for _ in range(3)]


@pytest.mark.parametrize("grad_mask", [False, True])
def test_att_dot_masks_keep_the_query_dtype(grad_mask):
    """ATT-DOT: a bool mask, or a float64 mask (with or without requires_grad), on float32
    queries gives float32 attention equal to PyTorch's with the mask in float32."""
    q, k, v = _qkv(np.float32)
    allowed = np.tril(np.ones((5, 5), dtype=bool))
    fmask = np.where(allowed, 0.0, -1e9) + np.random.default_rng(1).normal(size=(5, 5))
    want_b = TF.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)), torch.tensor(allowed))
    want_f = TF.scaled_dot_product_attention(
        *map(torch.tensor, (q, k, v)), torch.tensor(fmask.astype(np.float32))
    )
    if not grad_mask:
        got = F.scaled_dot_product_attention(*map(gk.tensor, (q, k, v)), gk.tensor(allowed))
        assert got.dtype == np.float32
        _close(got, want_b, rtol=1e-5, atol=1e-6)
    m = gk.tensor(fmask, requires_grad=grad_mask)
    got = F.scaled_dot_product_attention(*map(gk.tensor, (q, k, v)), m)
    assert got.dtype == np.float32
    _close(got, want_f, rtol=1e-5, atol=1e-6)
    if grad_mask:
        up = np.random.default_rng(2).normal(size=(2, 5, 4))
        got.backward(gk.tensor(up.astype(np.float32)))
        mt = torch.tensor(fmask.astype(np.float32), requires_grad=True)
        z = TF.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)), mt)
        z.backward(torch.tensor(up.astype(np.float32)))
        assert m.grad.dtype == np.float64  # a leaf's gradient has the leaf's dtype
        _close(m.grad, mt.grad.double(), rtol=1e-4, atol=1e-6)


def test_att_dot_dropout_p_bounds_and_use():
    """ATT-DOT: dropout_p in [0, 1); it is applied on every path (causal, plain, and a
    float mask that requires grad)."""
    q, k, v = (gk.tensor(a) for a in _qkv())
    for bad in (1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match=r"dropout_p must be in \[0, 1\)"):
            F.scaled_dot_product_attention(q, k, v, dropout_p=bad)
    mask = gk.tensor(np.zeros((5, 5)), requires_grad=True)
    for kw in ({"is_causal": True}, {}, {"attn_mask": mask}):
        plain = F.scaled_dot_product_attention(q, k, v, **kw).detach().numpy()
        gk.manual_seed(0)
        dropped = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, **kw).detach().numpy()
        assert not np.allclose(plain, dropped)


def test_att_dot_shape_errors():
    q, k, v = (gk.tensor(a) for a in _qkv())
    with pytest.raises(ValueError, match="query/key feature sizes"):
        F.scaled_dot_product_attention(q, gk.tensor(np.ones((2, 5, 3))), v)
    with pytest.raises(ValueError, match="key/value lengths"):
        F.scaled_dot_product_attention(q, k, gk.tensor(np.ones((2, 4, 4))))
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((5, 5), bool), is_causal=True)


def test_nn_batchnorm_eval_double_backward_uses_the_forwards_statistics():
    """NN-BATCHNORM: an in-place update of the running statistics after an eval-mode
    forward (a training step in between) does not change that forward's second-order
    gradient (PyTorch refuses the update's effect; gradkit keeps the forward's values)."""
    x0 = RNG.normal(size=(4, 3))
    w0 = RNG.uniform(0.5, 1.5, 3)

    def grad2(update: bool):
        x = gk.tensor(x0.copy(), requires_grad=True)
        w = gk.tensor(w0.copy(), requires_grad=True)
        rm, rv = gk.tensor(np.array([0.1, -0.2, 0.3])), gk.tensor(np.array([1.5, 0.5, 2.0]))
        y = F.batch_norm(x, rm, rv, weight=w)
        if update:
            F.batch_norm(gk.tensor(x0 * 5.0), rm, rv, training=True, momentum=0.9)
        (gw,) = gk.autograd.grad((y * y).sum(), [w], create_graph=True)
        (gx,) = gk.autograd.grad(gw.sum(), [x])
        return gw.detach().numpy(), gx.numpy()

    for a, b in zip(grad2(False), grad2(True)):
        np.testing.assert_allclose(a, b, rtol=1e-14)
