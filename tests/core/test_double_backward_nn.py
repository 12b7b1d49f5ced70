"""Gradients of gradients (``create_graph=True``) through the neural-network ops:
activations, softmax family, reductions, linear, losses, normalization, embedding,
dropout and attention (concept T-AUTODIFF, the "double backprop" of gradient penalties).

Three checks per op:

* ``gradgradcheck`` in float64: backprop through the recorded backward against central
  differences of the first gradients (no oracle library needed);
* the first gradients from the recorded (Tensor) backward equal those of the plain NumPy
  backward, because the two branches are different code;
* PyTorch parity: the gradient of the squared gradient norm Σ‖∂L/∂θ‖² with respect to
  inputs and parameters, against ``torch.autograd.grad`` in float64.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.autograd import gradgradcheck
from gradkit.ops.activation import GELUDerivative
from gradkit.ops.attention import PackedSelfAttention
from gradkit.ops.embedding import EmbeddingBackward
from gradkit.ops.nn import Softmax

RNG = np.random.default_rng(20240611)


def _normal(*shape, scale=1.0):
    return RNG.standard_normal(shape) * scale


def _uniform(lo, hi, *shape):
    return RNG.uniform(lo, hi, shape)


def _t(array):
    # contiguous: gradcheck perturbs inputs through a flat view, which a strided array lacks
    return gk.tensor(np.array(array, order="C"))


# Constants shared by the cases below (float64; integer class targets).
X = _normal(4, 5)
X3 = _normal(3, 5, 2)
X4 = _normal(4, 3, 2, 2)
TARGET = np.array([1, 0, 4, 2])
TARGET_IGNORED = np.array([1, -100, 4, 2])
TARGET3 = np.array([[0, 4], [2, 2], [1, 3]])
CLASS_W = _uniform(0.5, 2.0, 5)
PROBS = RNG.dirichlet(np.ones(5), 4)
P01 = _uniform(0.1, 0.9, 4, 3)
Y01 = _uniform(0.0, 1.0, 4, 3)
BIN_W = _uniform(0.5, 2.0, 3)
POS_W = _uniform(0.5, 3.0, 3)
SIGNS = np.where(RNG.random((4, 3)) < 0.5, -1.0, 1.0)
GAMMA, BETA = _uniform(0.5, 1.5, 3), _normal(3)
RUN_MEAN, RUN_VAR = _normal(3), _uniform(0.5, 2.0, 3)
LN_W, LN_B = _uniform(0.5, 1.5, 2, 2), _normal(2, 2)
EMB_IDX = np.array([[1, 2, 2], [0, 5, 1]])


def _dropped(x, p=0.3, seed=7):
    gk.manual_seed(seed)  # the same mask on every call, so finite differences see one map
    return F.dropout(x, p)


def _seeded(fn, *args, **kwargs):
    gk.manual_seed(3)  # a fixed attention-dropout mask
    return fn(*args, **kwargs)


# name -> (fn, input arrays); every float input is differentiated (targets included)
GRADGRAD_CASES = {
    # activations (inputs are standard normal: kinks at 0 or ±1 are almost surely missed)
    "relu": (F.relu, [X]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1) * x, [X]),
    "elu": (lambda x: F.elu(x, alpha=1.3), [X]),
    "gelu": (F.gelu, [X]),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), [X]),
    "silu": (F.silu, [X]),
    "swish": (lambda x: F.swish(x, beta=1.7), [X]),
    "softsign": (F.softsign, [X]),
    "softplus": (F.softplus, [X]),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=2.0), [X]),
    "binary_step": (lambda x: F.binary_step(x) + x * x, [X]),
    "sigmoid": (F.sigmoid, [X]),
    "tanh": (F.tanh, [X]),
    "softmax": (lambda x: F.softmax(x, dim=1), [X]),
    "softmax_axis0": (lambda x: F.softmax(x, dim=0), [X3]),
    "log_softmax": (lambda x: F.log_softmax(x, dim=1), [X3]),
    "maxout": (lambda x: F.maxout(x, 3, dim=1) ** 2, [X4]),
    # the GELU derivative op: gradgradcheck on it is a third-order check of GELU
    "gelu_derivative": (lambda x: GELUDerivative.apply(x), [X]),
    "gelu_tanh_derivative": (lambda x: GELUDerivative.apply(x, approximate="tanh"), [X]),
    # reductions
    "sum": (lambda x: x.sum(dim=1) ** 2, [X3]),
    "mean": (lambda x: x.mean(axis=(0, 2)) ** 2, [X3]),
    "var": (lambda x: x.var(dim=1), [X3]),
    "var_all": (lambda x: x.var(correction=0), [X3]),
    "std": (lambda x: x.std(dim=2, keepdim=True), [X3]),
    "max": (lambda x: x.max(dim=1).values ** 2, [X3]),
    "min": (lambda x: x.min() * x, [X3]),
    "logsumexp": (lambda x: x.logsumexp(dim=1), [X3]),
    "logsumexp_keepdim": (lambda x: x.logsumexp(axis=(0, 2), keepdims=True), [X3]),
    "logsumexp_all": (lambda x: x.logsumexp(), [X3]),
    # linear
    "linear": (
        lambda x, w, b: F.linear(x, w, b) ** 2, [X3.transpose(0, 2, 1), _normal(3, 5), _normal(3)]
    ),
    "linear_no_bias": (lambda x, w: F.linear(x, w).tanh(), [X, _normal(2, 5)]),
    # losses (logits and probabilities differentiated, float targets too)
    "mse": (lambda x, y: F.mse_loss(x, y), [X, _normal(4, 5)]),
    "l1": (lambda x, y: F.l1_loss(x, y) * F.l1_loss(x, y), [X, _normal(4, 5)]),
    "ce": (lambda x: F.cross_entropy(x, _t(TARGET)), [X]),
    "ce_sum": (lambda x: F.cross_entropy(x, _t(TARGET), reduction="sum"), [X]),
    "ce_none": (lambda x: F.cross_entropy(x, _t(TARGET), reduction="none"), [X]),
    "ce_ignore": (lambda x: F.cross_entropy(x, _t(TARGET_IGNORED)), [X]),
    "ce_weight_smooth": (
        lambda x: F.cross_entropy(x, _t(TARGET_IGNORED), CLASS_W, label_smoothing=0.1), [X]
    ),
    "ce_weight_none": (
        lambda x: F.cross_entropy(x, _t(TARGET), CLASS_W, reduction="none"), [X]
    ),
    "ce_3d": (lambda x: F.cross_entropy(x, _t(TARGET3), label_smoothing=0.2), [X3]),
    "ce_vector": (lambda x: F.cross_entropy(x, _t(np.array(3))), [X[0]]),
    "ce_probs": (
        lambda x, p: F.cross_entropy(x, p, CLASS_W, label_smoothing=0.2), [X, PROBS]
    ),
    "ce_probs_none": (lambda x, p: F.cross_entropy(x, p, reduction="none"), [X, PROBS]),
    "nll": (lambda x: F.nll_loss(F.log_softmax(x, dim=1), _t(TARGET_IGNORED)), [X]),
    "nll_weight_none": (
        lambda x: F.nll_loss(x * x, _t(TARGET), CLASS_W, reduction="none"), [X]
    ),
    "bce": (lambda p, y: F.binary_cross_entropy(p, y), [P01, Y01]),
    "bce_weight_sum": (
        lambda p, y: F.binary_cross_entropy(p, y, BIN_W, reduction="sum"), [P01, Y01]
    ),
    "bce_logits": (lambda x, y: F.binary_cross_entropy_with_logits(x, y), [X[:, :3], Y01]),
    "bce_logits_weights": (
        lambda x, y: F.binary_cross_entropy_with_logits(
            x, y, BIN_W, reduction="none", pos_weight=POS_W
        ),
        [X[:, :3], Y01],
    ),
    "soft_margin": (lambda x: F.soft_margin_loss(x, _t(SIGNS)), [X[:, :3]]),
    "logistic": (lambda x: F.logistic_loss(x, _t(SIGNS), reduction="sum"), [X[:, :3]]),
    "squared_hinge": (lambda x: F.squared_hinge_loss(x, _t(SIGNS)), [X[:, :3]]),
    # normalization
    "batch_norm_train": (
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True) ** 2, [X4, GAMMA, BETA]
    ),
    "batch_norm_train_2d": (
        lambda x, w: F.batch_norm(x, None, None, w, None, training=True).sin(), [X[:, :3], GAMMA]
    ),
    "batch_norm_train_no_affine": (
        lambda x: F.batch_norm(x, None, None, training=True).tanh(), [X4]
    ),
    "batch_norm_eval": (
        lambda x, w, b: F.batch_norm(x, _t(RUN_MEAN), _t(RUN_VAR), w, b) ** 2,
        [X4, GAMMA, BETA],
    ),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (2, 2), w, b) ** 2, [X4, LN_W, LN_B]),
    "layer_norm_no_affine": (lambda x: F.layer_norm(x, 2).sin(), [X4]),
    # embedding and dropout
    "embedding": (lambda w: F.embedding(_t(EMB_IDX), w) ** 3, [_normal(6, 3)]),
    "embedding_padding": (
        lambda w: F.embedding(_t(EMB_IDX), w, padding_idx=2).sin(), [_normal(6, 3)]
    ),
    "embedding_backward": (
        lambda g: EmbeddingBackward.apply(g, indices=EMB_IDX, num=6, padding_idx=1) ** 2,
        [_normal(2, 3, 4)],
    ),
    "dropout": (lambda x: _dropped(x).tanh(), [X]),
    # attention
    "sdpa": (
        F.scaled_dot_product_attention, [_normal(2, 3, 4), _normal(2, 5, 4), _normal(2, 5, 3)]
    ),
    "sdpa_bool_mask": (
        lambda q, k, v: F.scaled_dot_product_attention(
            q, k, v, attn_mask=np.arange(5)[None, :] <= np.arange(3)[:, None] + 1
        ),
        [_normal(2, 3, 4), _normal(2, 5, 4), _normal(2, 5, 3)],
    ),
    "sdpa_heads_padding_mask": (
        lambda q, k, v: F.scaled_dot_product_attention(
            q, k, v, attn_mask=np.array([[True] * 5, [True] * 3 + [False] * 2])[:, None, None]
        ),
        [_normal(2, 2, 3, 4), _normal(2, 2, 5, 4), _normal(2, 2, 5, 3)],
    ),
    "sdpa_causal_self": (
        lambda q: F.scaled_dot_product_attention(q, q, q, is_causal=True), [_normal(2, 4, 4)]
    ),
    "sdpa_dropout": (
        lambda q, k, v: _seeded(F.scaled_dot_product_attention, q, k, v, dropout_p=0.3),
        [_normal(2, 3, 4), _normal(2, 5, 4), _normal(2, 5, 3)],
    ),
    "packed_self_attention": (
        lambda a: PackedSelfAttention.apply(a, mask=None, scale=0.5, num_heads=2),
        [_normal(2, 3, 12)],
    ),
    "packed_self_attention_causal_dropout": (
        lambda a: _seeded(
            PackedSelfAttention.apply,
            a, mask=np.triu(np.full((3, 3), -np.inf), 1), scale=0.5, num_heads=2, dropout_p=0.3,
        ),
        [_normal(2, 3, 12)],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(GRADGRAD_CASES))
def test_gradgradcheck(name):
    fn, arrays = GRADGRAD_CASES[name]
    assert gradgradcheck(fn, *[_t(a) for a in arrays], atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(GRADGRAD_CASES))
def test_recorded_backward_gives_the_plain_first_gradient(name):
    """create_graph runs each op's Tensor branch; its first gradients must be those of the
    NumPy branch (gradgradcheck alone would not see a wrong but consistent gradient)."""
    fn, arrays = GRADGRAD_CASES[name]
    inputs = [gk.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*inputs)
    v = gk.tensor(RNG.standard_normal(out.shape))
    plain = gk.autograd.grad(out, inputs, v, retain_graph=True, allow_unused=True)
    recorded = gk.autograd.grad(out, inputs, v, create_graph=True, allow_unused=True)
    for i, (a, b) in enumerate(zip(plain, recorded)):
        assert (a is None) == (b is None), f"input {i}"
        if a is not None:
            np.testing.assert_allclose(b.detach().numpy(), a.numpy(), rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_under_create_graph():
    """The Tensor branches keep float32 work in float32 and agree with the plain branch."""
    x = gk.tensor(X4.astype(np.float32), requires_grad=True)
    w = gk.tensor(GAMMA.astype(np.float32), requires_grad=True)
    lw = gk.tensor(LN_W.astype(np.float32), requires_grad=True)
    h = F.batch_norm(x, None, None, w, None, training=True)
    h = F.gelu(F.layer_norm(h, (2, 2), lw))
    loss = F.cross_entropy(F.softplus(h.reshape(4, 12)), gk.tensor(np.array([0, 3, 11, 5])))
    plain = gk.autograd.grad(loss, [x, w, lw], retain_graph=True)
    grads = gk.autograd.grad(loss, [x, w, lw], create_graph=True)
    for a, b in zip(plain, grads):
        assert b.dtype == np.float32 and b.requires_grad
        np.testing.assert_allclose(b.detach().numpy(), a.numpy(), rtol=1e-4, atol=1e-6)
    second = gk.autograd.grad(sum((g * g).sum() for g in grads), [x, w, lw])
    assert all(s.dtype == np.float32 and np.isfinite(s.numpy()).all() for s in second)


def test_softmax_third_derivative_matches_finite_differences():
    """Recorded backward of a recorded backward: gradgradcheck of x ↦ ∂⟨v, softmax⟩/∂x."""
    v = gk.tensor(_normal(3, 4))

    def first_grad(x):
        with gk.enable_grad():  # gradgradcheck runs fn once under no_grad for the shape
            (g,) = gk.autograd.grad(Softmax.apply(x, axis=1), [x], v, create_graph=True)
        return g

    assert gradgradcheck(first_grad, _t(_normal(3, 4)), atol=1e-6, rtol=1e-4)


def test_gradient_penalty_descends():
    """WGAN-GP pattern without an oracle: a few gradient steps on the penalty
    (‖∇ₓ f(x)‖ − 1)² of an MLP with LayerNorm lower it."""
    gk.manual_seed(0)
    net = gk.nn.Sequential(
        gk.nn.Linear(3, 16), gk.nn.Tanh(), gk.nn.LayerNorm(16), gk.nn.Softplus(),
        gk.nn.Linear(16, 1),
    ).double()  # fmt: skip
    x = gk.tensor(_normal(32, 3), requires_grad=True)
    opt = gk.optim.SGD(net.parameters(), lr=0.05)

    def penalty():
        (gx,) = gk.autograd.grad(net(x).sum(), [x], create_graph=True)
        return ((((gx * gx).sum(dim=1) + 1e-12).sqrt() - 1) ** 2).mean()

    start = float(penalty().item())
    for _ in range(20):
        opt.zero_grad()
        penalty().backward()
        opt.step()
    assert float(penalty().item()) < 0.5 * start


# ---------------------------------------------------------------- PyTorch parity
def _penalty_grads(lib, leaves, loss, penalty_of=None):
    """∂L/∂θ with create_graph, then ∂P/∂θ for the penalty P (default Σ‖∂L/∂θ‖²), θ the
    leaves; unused leaves give zeros. Returns NumPy arrays."""
    firsts = lib.autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
    used = [g for g in firsts if g is not None]
    penalty = sum((g * g).sum() for g in used) if penalty_of is None else penalty_of(used)
    seconds = lib.autograd.grad(penalty, leaves, allow_unused=True)

    def plain(gs):
        return [
            np.zeros(tuple(t.shape)) if g is None else np.array(g.detach().numpy())
            for g, t in zip(gs, leaves)
        ]

    return plain(firsts), plain(seconds), float(loss.detach().numpy())


def _compare(ours, ref, atol=1e-10):
    np.testing.assert_allclose(ours[2], ref[2], rtol=1e-12, atol=atol, err_msg="loss")
    for kind, a, b in (("first", ours[0], ref[0]), ("second", ours[1], ref[1])):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=atol, err_msg=f"{kind} grad {i}")
    assert any(np.abs(s).max() > 1e-3 for s in ours[1]), "second derivatives all ~0: no test"


def _assert_parity(torch, build, arrays, penalty_of=None):
    """``build(lib, *leaves)`` → scalar loss, leaves made from ``arrays`` (float64)."""

    def run(lib):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        return _penalty_grads(lib, leaves, build(lib, *leaves), penalty_of)

    _compare(run(gk), run(torch))


def _F(lib):
    return gk.nn.functional if lib is gk else lib.nn.functional


def _softplus_mish(lib, z):
    return z * _F(lib).softplus(z).tanh()


def _selu(lib, z):
    if lib is gk:  # gradkit has no selu: λ·elu(z, α)
        return 1.0507009873554804934193349852946 * F.elu(z, alpha=1.6732632423543772848170429916717)
    return lib.nn.functional.selu(z)


def _mish(lib, z):
    return _softplus_mish(lib, z) if lib is gk else lib.nn.functional.mish(z)


def _hardtanh(lib, z):
    return z.clamp(-1.0, 1.0) if lib is gk else lib.nn.functional.hardtanh(z)


ACTIVATIONS = {
    "relu": lambda lib, z: _F(lib).relu(z),
    "leaky_relu": lambda lib, z: _F(lib).leaky_relu(z, 0.1),
    "elu": lambda lib, z: _F(lib).elu(z, alpha=1.3),
    "selu": _selu,
    "gelu": lambda lib, z: _F(lib).gelu(z),
    "gelu_tanh": lambda lib, z: _F(lib).gelu(z, approximate="tanh"),
    "softplus": lambda lib, z: _F(lib).softplus(z),
    "softplus_beta_threshold": lambda lib, z: _F(lib).softplus(z, beta=2.0, threshold=1.0),
    "silu": lambda lib, z: _F(lib).silu(z),
    "mish": _mish,
    "hardtanh": _hardtanh,
    "softsign": lambda lib, z: _F(lib).softsign(z),
    "sigmoid": lambda lib, z: z.sigmoid(),
    "tanh": lambda lib, z: z.tanh(),
    "log_softmax": lambda lib, z: _F(lib).log_softmax(z, dim=1),
    "softmax": lambda lib, z: _F(lib).softmax(z, dim=1),
    "logsumexp": lambda lib, z: z.logsumexp(dim=1),
}
R = _normal(6, 4)  # the random upstream weights of Σ r ⊙ f


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient_penalty_matches_torch(name):
    torch = pytest.importorskip("torch")
    act = ACTIVATIONS[name]

    def build(lib, x, w, b):
        y = act(lib, _F(lib).linear(x, w, b))
        r = lib.tensor(R if y.ndim == 2 else R[:, 0])
        return (y * r).sum()

    _assert_parity(torch, build, [_normal(6, 5), _normal(4, 5, scale=0.7), _normal(4)])


def _ce_case(**kw):
    def loss(lib, z):
        kw2 = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        target = kw2.pop("target")
        return _F(lib).cross_entropy(z, target, **kw2)

    return loss


def _targets_case(name, target, **kw):
    def loss(lib, z):
        extra = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        return getattr(_F(lib), name)(z, lib.tensor(target), **extra)

    return loss


def _hinge(lib, z, squared):
    if lib is gk:
        loss = F.squared_hinge_loss if squared else F.hinge_loss
        return loss(z, gk.tensor(SIGNS_6))
    margin = (1.0 - lib.tensor(SIGNS_6) * z).clamp(min=0.0)
    return (margin * margin).mean() if squared else margin.mean()


SIGNS_6 = np.where(RNG.random((6, 4)) < 0.5, -1.0, 1.0)
CE_TARGET = np.array([0, 3, 1, 1, 2, 0])
CE_IGNORED = np.array([0, -100, 1, 3, 2, -100])
W4 = _uniform(0.5, 2.0, 4)
PROBS_6 = RNG.dirichlet(np.ones(4), 6)
Y01_6 = _uniform(0.0, 1.0, 6, 4)
FLOAT_TARGET = _normal(6, 4)

LOSSES = {
    "mse": _targets_case("mse_loss", FLOAT_TARGET),
    "mse_sum": _targets_case("mse_loss", FLOAT_TARGET, reduction="sum"),
    "l1": _targets_case("l1_loss", FLOAT_TARGET),
    "cross_entropy": _ce_case(target=CE_TARGET),
    "cross_entropy_sum": _ce_case(target=CE_TARGET, reduction="sum"),
    "cross_entropy_none": _ce_case(target=CE_TARGET, reduction="none"),
    "cross_entropy_weight": _ce_case(target=CE_TARGET, weight=W4),
    "cross_entropy_ignore_index": _ce_case(target=CE_IGNORED),
    "cross_entropy_label_smoothing": _ce_case(target=CE_TARGET, label_smoothing=0.15),
    "cross_entropy_all_options": _ce_case(
        target=CE_IGNORED, weight=W4, label_smoothing=0.1, ignore_index=-100
    ),
    "cross_entropy_all_options_none": _ce_case(
        target=CE_IGNORED, weight=W4, label_smoothing=0.1, reduction="none"
    ),
    "cross_entropy_probs": _ce_case(target=PROBS_6, weight=W4, label_smoothing=0.2),
    "nll": lambda lib, z: _F(lib).nll_loss(
        _F(lib).log_softmax(z, dim=1), lib.tensor(CE_IGNORED), weight=lib.tensor(W4)
    ),
    "nll_none": lambda lib, z: _F(lib).nll_loss(
        _F(lib).log_softmax(z, dim=1), lib.tensor(CE_TARGET), reduction="none"
    ),
    "binary_cross_entropy": lambda lib, z: _F(lib).binary_cross_entropy(
        z.sigmoid(), lib.tensor(Y01_6), weight=lib.tensor(W4)
    ),
    "binary_cross_entropy_with_logits": _targets_case(
        "binary_cross_entropy_with_logits", Y01_6
    ),
    "binary_cross_entropy_with_logits_weights": _targets_case(
        "binary_cross_entropy_with_logits", Y01_6, weight=W4, pos_weight=_uniform(0.5, 3, 4),
        reduction="sum",
    ),
    "soft_margin": _targets_case("soft_margin_loss", SIGNS_6),
    "hinge": lambda lib, z: _hinge(lib, z, squared=False),
    "squared_hinge": lambda lib, z: _hinge(lib, z, squared=True),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_gradient_penalty_matches_torch(name):
    """Loss of tanh(linear(x)) · 3 (logits in (−3, 3)); the penalty's gradient reaches x,
    W and b through the loss's recorded backward."""
    torch = pytest.importorskip("torch")
    loss = LOSSES[name]

    def build(lib, x, w, b):
        out = loss(lib, _F(lib).linear(x, w, b).tanh() * 3.0)
        return out if out.ndim == 0 else (out * lib.tensor(R[:, 0][: out.shape[0]])).sum()

    _assert_parity(torch, build, [_normal(6, 5), _normal(4, 5, scale=0.7), _normal(4)])


def test_loss_target_gradients_match_torch():
    """Float targets are differentiable: mse, soft cross-entropy and BCE with logits."""
    torch = pytest.importorskip("torch")

    def build(lib, z, y, p, t):
        F_ = _F(lib)
        return (
            F_.mse_loss(z.tanh(), y)
            + F_.cross_entropy(z, p.softmax(dim=1), label_smoothing=0.1)
            + F_.binary_cross_entropy_with_logits(z, t.sigmoid(), pos_weight=lib.tensor(W4))
        )

    _assert_parity(torch, build, [_normal(6, 4), _normal(6, 4), _normal(6, 4), _normal(6, 4)])


NORMS = {
    "batch_norm_train": lambda lib, x, w, b: _F(lib).batch_norm(
        x, None, None, w, b, training=True
    ),
    "batch_norm_train_running_stats": lambda lib, x, w, b: _F(lib).batch_norm(
        x, lib.tensor(RUN_MEAN.copy()), lib.tensor(RUN_VAR.copy()), w, b, training=True,
        momentum=0.3,
    ),
    "batch_norm_eval": lambda lib, x, w, b: _F(lib).batch_norm(
        x, lib.tensor(RUN_MEAN), lib.tensor(RUN_VAR), w, b, training=False
    ),
    "layer_norm": lambda lib, x, w, b: _F(lib).layer_norm(
        x.transpose(1, 3), (2, 3), w.reshape(1, 3).expand(2, 3), b.reshape(1, 3).expand(2, 3)
    ),
    "layer_norm_no_affine": lambda lib, x, w, b: _F(lib).layer_norm(x, (3, 2, 2)) * w.sum(),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(NORMS))
def test_normalization_gradient_penalty_matches_torch(name):
    torch = pytest.importorskip("torch")
    norm = NORMS[name]
    r = _normal(4, 3, 2, 2)

    def build(lib, x, w, b):
        y = norm(lib, x, w, b)
        return (y.tanh() * lib.tensor(r if y.shape == r.shape else r.transpose(0, 3, 2, 1))).sum()

    _assert_parity(torch, build, [_normal(4, 3, 2, 2, scale=2.0), GAMMA, BETA])


def test_embedding_and_dropout_gradient_penalty_match_torch():
    torch = pytest.importorskip("torch")
    idx = np.array([[1, 2, 2, 4], [0, 5, 1, 2]])
    mask = _dropped(gk.ones(2, 4, 3, dtype=gk.float64)).numpy()  # 0 or 1/(1 − p)
    r = _normal(2, 4, 3)

    def build(lib, emb, w):
        e = _F(lib).embedding(lib.tensor(idx), emb, padding_idx=2)
        h = _F(lib).linear(e, w).tanh()
        h = _dropped(h) if lib is gk else h * lib.tensor(mask)
        return (h * lib.tensor(r)).sum()

    _assert_parity(torch, build, [_normal(6, 3), _normal(3, 3)])


@pytest.mark.parametrize("masked", ["none", "bool", "causal"])
def test_attention_gradient_penalty_matches_torch(masked):
    torch = pytest.importorskip("torch")
    mask = RNG.random((3, 5)) < 0.7
    mask[:, 0] = True
    r = _normal(2, 3, 3)

    def build(lib, q, k, v):
        kw = {"attn_mask": lib.tensor(mask)} if masked == "bool" else {}
        if masked == "causal":
            kw = {"is_causal": True}
            k, v = k[:, :3], v[:, :3]
        out = _F(lib).scaled_dot_product_attention(q, k, v, **kw)
        return (out * lib.tensor(r)).sum()

    _assert_parity(torch, build, [_normal(2, 3, 4), _normal(2, 5, 4), _normal(2, 5, 3)])


def test_multihead_self_attention_gradient_penalty_matches_torch():
    """The packed self-attention op (one projection GEMM, need_weights=False) against
    torch's module with the same weights (there with need_weights=True: its fused CPU
    attention kernel has no double backward)."""
    torch = pytest.importorskip("torch")
    E, heads = 6, 2
    x, r = _normal(2, 4, E), _normal(2, 4, E)
    weights = [_normal(3 * E, E, scale=0.4), _normal(3 * E), _normal(E, E, scale=0.4), _normal(E)]

    def run(lib):
        mha = lib.nn.MultiheadAttention(E, heads, batch_first=True).double()
        params = [mha.in_proj_weight, mha.in_proj_bias, mha.out_proj.weight, mha.out_proj.bias]
        with lib.no_grad():
            for p, a in zip(params, weights):
                p.copy_(lib.tensor(a))
        xt = lib.tensor(x, requires_grad=True)
        out, _ = mha(xt, xt, xt, need_weights=lib is not gk)
        return _penalty_grads(lib, [xt, *params], (out * lib.tensor(r)).sum())

    _compare(run(gk), run(torch))


def _mlp_loss(lib, x, w1, b1, w2, b2, ln_w, ln_b, w3, b3, y):
    F_ = _F(lib)
    h = F_.linear(x, w1, b1).tanh()
    h = F_.softplus(F_.linear(h, w2, b2))
    h = F_.layer_norm(h, (h.shape[-1],), ln_w, ln_b)
    return F_.cross_entropy(F_.linear(h, w3, b3), lib.tensor(y), label_smoothing=0.05)


def _mlp_arrays():
    return [
        _normal(8, 5), _normal(7, 5, scale=0.5), _normal(7, scale=0.1),
        _normal(6, 7, scale=0.5), _normal(6, scale=0.1),
        _uniform(0.5, 1.5, 6), _normal(6, scale=0.1), _normal(3, 6, scale=0.5), _normal(3),
    ]  # fmt: skip


MLP_Y = np.array([0, 2, 1, 1, 0, 2, 2, 1])


def test_mlp_double_backprop_matches_torch():
    """Double backprop (Drucker & LeCun; the WGAN-GP penalty): L + λ(‖∇ₓL‖ − 1)² + Σ‖∇_θL‖²
    through Linear, tanh, softplus, LayerNorm and cross-entropy; its gradient with respect
    to the input and every parameter equals PyTorch's."""
    torch = pytest.importorskip("torch")

    def penalty_of(grads):
        gx, *gparams = grads
        norm = ((gx * gx).sum(dim=1) + 1e-12).sqrt()
        return 10.0 * ((norm - 1.0) ** 2).mean() + sum((g * g).sum() for g in gparams)

    def build(lib, *ts):
        return _mlp_loss(lib, *ts, MLP_Y)

    _assert_parity(torch, build, _mlp_arrays(), penalty_of)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_mlp_modules_backward_create_graph_matches_torch():
    """The same pattern with modules and ``backward(create_graph=True)``: .grad keeps the
    graph, the penalty on it is backpropagated, and .grad accumulates both, as in PyTorch."""
    torch = pytest.importorskip("torch")
    arrays = _mlp_arrays()
    x = arrays[0]

    def run(lib):
        lib.manual_seed(0)
        net = lib.nn.Sequential(
            lib.nn.Linear(5, 7), lib.nn.Tanh(), lib.nn.Linear(7, 6), lib.nn.Softplus(),
            lib.nn.LayerNorm(6), lib.nn.Linear(6, 3),
        ).double()  # fmt: skip
        params = list(net.parameters())
        with lib.no_grad():
            for p, a in zip(params, arrays[1:]):
                p.copy_(lib.tensor(a))
        xt = lib.tensor(x, requires_grad=True)
        loss = _F(lib).cross_entropy(net(xt), lib.tensor(MLP_Y))
        loss.backward(create_graph=True)
        penalty = sum((p.grad * p.grad).sum() for p in params) + (xt.grad**2).sum()
        penalty.backward()
        return [p.grad.detach().numpy().copy() for p in [xt, *params]]

    for ours, ref in zip(run(gk), run(torch)):
        np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-10)


def test_composed_gelu_derivative_formula():
    """GELU'(x) and GELU''(x) from the op against the closed forms Φ + xφ and φ(2 − x²)."""
    x = np.linspace(-4, 4, 33)
    phi = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    xt = gk.tensor(x, requires_grad=True)
    d = GELUDerivative.apply(xt)
    np.testing.assert_allclose(d.detach().numpy(), cdf + x * phi, rtol=1e-13, atol=1e-15)
    (d2,) = gk.autograd.grad(d.sum(), [xt])
    np.testing.assert_allclose(d2.numpy(), phi * (2 - x * x), rtol=1e-13, atol=1e-15)
