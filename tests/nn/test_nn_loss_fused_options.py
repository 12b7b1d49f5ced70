"""Fused losses (issue 24; L-CCE, L-XENT, L-COST): every option of cross_entropy (class
indices and probabilities), nll_loss, binary_cross_entropy(_with_logits) — weight,
ignore_index, label_smoothing, pos_weight, each reduction, (C,), (N, C) and (N, C, d1, d2)
layouts — against PyTorch in float64: the loss, the gradient of every float input, and the
second derivatives (create_graph)."""

import itertools
import warnings

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-10, atol=1e-12)


def run(fn, tfn, floats, consts=(), second=True):
    """fn(*tensors, *consts) against tfn: the loss, first and second derivatives of each
    float input (the second as ∂(Σ v·∂L/∂x)/∂inputs; ``second=False`` for a loss linear
    in its input, whose gradient is a constant)."""
    xs = [gk.tensor(a, requires_grad=True) for a in floats]
    ts = [torch.tensor(a, requires_grad=True) for a in floats]
    cs = [gk.tensor(c) if isinstance(c, np.ndarray) else c for c in consts]
    tc = [torch.tensor(c) if isinstance(c, np.ndarray) else c for c in consts]
    y, u = fn(*xs, *cs), tfn(*ts, *tc)
    assert tuple(y.shape) == tuple(u.shape)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **TOL)
    w = np.array(RNG.normal(size=tuple(u.shape)))  # float64 also when 0-d
    gs = gk.autograd.grad(y, xs, gk.tensor(w), create_graph=True)
    gt = torch.autograd.grad(u, ts, torch.tensor(w), create_graph=True)
    for a, b in zip(gs, gt):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **TOL)
    # the fused first backward (no create_graph)
    xs2 = [gk.tensor(a, requires_grad=True) for a in floats]
    fn(*xs2, *cs).backward(gk.tensor(w))
    for a, b in zip(xs2, gt):
        np.testing.assert_allclose(a.grad.numpy(), b.detach().numpy(), **TOL)
    if not second:
        return
    # second derivatives: v · ∂L/∂x differentiated again
    vs = [RNG.normal(size=a.shape) for a in floats]
    s = sum((g * gk.tensor(v)).sum() for g, v in zip(gs, vs))
    st = sum((g * torch.tensor(v)).sum() for g, v in zip(gt, vs))
    hs = gk.autograd.grad(s, xs, allow_unused=True, materialize_grads=True)
    ht = torch.autograd.grad(st, ts, allow_unused=True, materialize_grads=True)
    for a, b in zip(hs, ht):
        np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)


SHAPES = [(5,), (4, 5), (3, 5, 2, 3)]
REDUCTIONS = ["mean", "sum", "none"]


def class_targets(shape, ignore=False):
    tshape = () if len(shape) == 1 else shape[:1] + shape[2:]
    t = RNG.integers(0, shape[0] if len(shape) == 1 else shape[1], size=tshape)
    if ignore and t.ndim:
        t.flat[::3] = 2  # the ignored class index
    return np.asarray(t)


@pytest.mark.parametrize("shape, reduction", itertools.product(SHAPES, REDUCTIONS))
@pytest.mark.parametrize(
    "opts",
    [{}, {"weight": True}, {"ignore_index": 2}, {"label_smoothing": 0.2},
     {"weight": True, "ignore_index": 2, "label_smoothing": 0.1}],
)  # fmt: skip
def test_cross_entropy_class_indices_match_torch(shape, reduction, opts):
    c = shape[0] if len(shape) == 1 else shape[1]
    x = RNG.normal(size=shape) * 3
    t = class_targets(shape, "ignore_index" in opts)
    kw = dict(opts, reduction=reduction)
    if kw.pop("weight", False):
        wt = RNG.uniform(0.2, 2.0, size=c)
        run(
            lambda a: F.cross_entropy(a, gk.tensor(t), weight=gk.tensor(wt), **kw),
            lambda a: TF.cross_entropy(a, torch.tensor(t), weight=torch.tensor(wt), **kw),
            [x],
        )
    else:
        run(
            lambda a: F.cross_entropy(a, gk.tensor(t), **kw),
            lambda a: TF.cross_entropy(a, torch.tensor(t), **kw),
            [x],
        )


def test_cross_entropy_with_every_row_ignored_is_nan_like_torch():
    x, t = RNG.normal(size=(3, 4)), np.array([1, 1, 1])
    y = F.cross_entropy(gk.tensor(x), gk.tensor(t), ignore_index=1)
    u = TF.cross_entropy(torch.tensor(x), torch.tensor(t), ignore_index=1)
    assert np.isnan(float(y)) and np.isnan(float(u))
    y = F.cross_entropy(gk.tensor(x), gk.tensor(t), ignore_index=1, reduction="sum")
    assert float(y) == 0.0


@pytest.mark.parametrize("shape, reduction", itertools.product(SHAPES, REDUCTIONS))
@pytest.mark.parametrize(
    "opts",
    [{}, {"weight": True}, {"label_smoothing": 0.3}, {"weight": True, "label_smoothing": 0.1}],
)
def test_cross_entropy_probabilities_match_torch(shape, reduction, opts):
    c = shape[0] if len(shape) == 1 else shape[1]
    x = RNG.normal(size=shape) * 2
    axis = 0 if len(shape) == 1 else 1
    p = RNG.uniform(size=shape)
    p = p / p.sum(axis=axis, keepdims=True)
    kw = dict(opts, reduction=reduction)
    if kw.pop("weight", False):
        wt = RNG.uniform(0.2, 2.0, size=c)
        run(
            lambda a, b: F.cross_entropy(a, b, weight=gk.tensor(wt), **kw),
            lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(wt), **kw),
            [x, p],
        )
    else:
        run(
            lambda a, b: F.cross_entropy(a, b, **kw),
            lambda a, b: TF.cross_entropy(a, b, **kw),
            [x, p],
        )


@pytest.mark.parametrize("shape, reduction", itertools.product(SHAPES, REDUCTIONS))
@pytest.mark.parametrize(
    "opts", [{}, {"weight": True}, {"ignore_index": 2}, {"weight": True, "ignore_index": 2}]
)
def test_nll_loss_matches_torch(shape, reduction, opts):
    c = shape[0] if len(shape) == 1 else shape[1]
    x = RNG.normal(size=shape)
    t = class_targets(shape, "ignore_index" in opts)
    kw = dict(opts, reduction=reduction)
    if kw.pop("weight", False):
        wt = RNG.uniform(0.2, 2.0, size=c)
        run(
            lambda a: F.nll_loss(a, gk.tensor(t), weight=gk.tensor(wt), **kw),
            lambda a: TF.nll_loss(a, torch.tensor(t), weight=torch.tensor(wt), **kw),
            [x],
            second=False,
        )
    else:
        run(
            lambda a: F.nll_loss(a, gk.tensor(t), **kw),
            lambda a: TF.nll_loss(a, torch.tensor(t), **kw),
            [x],
            second=False,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [False, True])
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_with_logits_options_match_torch(reduction, weight, pos_weight):
    x = RNG.normal(size=(4, 3)) * 4
    x[0, 0], x[0, 1] = 40.0, -40.0  # far tails: no overflow
    y = RNG.uniform(size=(4, 3))
    kw = {"reduction": reduction}
    extra_gk, extra_t = {}, {}
    if weight:
        wt = RNG.uniform(0.2, 2.0, size=(4, 1))
        extra_gk["weight"], extra_t["weight"] = gk.tensor(wt), torch.tensor(wt)
    if pos_weight:
        pw = np.array([0.5, 2.0, 3.0])
        extra_gk["pos_weight"], extra_t["pos_weight"] = gk.tensor(pw), torch.tensor(pw)
    run(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, **kw, **extra_gk),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, **kw, **extra_t),
        [x, y],
    )
    # the logits alone (the targets constant)
    run(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, **kw, **extra_gk),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, **kw, **extra_t),
        [x],
        [y],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [False, True])
def test_binary_cross_entropy_options_match_torch(reduction, weight):
    x = RNG.uniform(0.05, 0.95, size=(4, 3))
    y = RNG.uniform(size=(4, 3))
    kw = {"reduction": reduction}
    if weight:
        wt = RNG.uniform(0.2, 2.0, size=(3,))
        kw_gk, kw_t = dict(kw, weight=gk.tensor(wt)), dict(kw, weight=torch.tensor(wt))
    else:
        kw_gk = kw_t = kw
    # second derivatives against the closed form below: PyTorch's double backward of
    # this loss is off by up to ~1e-10 relative (measured against 40-digit mpmath)
    run(
        lambda a, b: F.binary_cross_entropy(a, b, **kw_gk),
        lambda a, b: TF.binary_cross_entropy(a, b, **kw_t),
        [x, y],
        second=False,
    )
    run(
        lambda a, b: F.binary_cross_entropy(a, b, **kw_gk),
        lambda a, b: TF.binary_cross_entropy(a, b, **kw_t),
        [x],
        [y],
        second=False,
    )
    # L = −w[y ln x + (1 − y) ln(1 − x)] · s; with q = x(1 − x):
    # ∂²L/∂x² = w s [q − (x − y)(1 − 2x)] / q², ∂²L/∂x∂y = −w s / q, ∂²L/∂y² = 0
    wt_arr = wt if weight else np.ones(3)
    s = {"mean": 1 / x.size, "sum": 1.0, "none": 1.0}[reduction]
    a, b = gk.tensor(x, requires_grad=True), gk.tensor(y, requires_grad=True)
    loss = F.binary_cross_entropy(a, b, **kw_gk)
    ga, gb = gk.autograd.grad(loss, [a, b], gk.tensor(np.ones(loss.shape)), create_graph=True)
    vx, vy = RNG.normal(size=x.shape), RNG.normal(size=x.shape)
    hx, hy = gk.autograd.grad((ga * gk.tensor(vx)).sum() + (gb * gk.tensor(vy)).sum(), [a, b])
    q = x * (1 - x)
    dxx, dxy = wt_arr * s * (q - (x - y) * (1 - 2 * x)) / q**2, -wt_arr * s / q
    np.testing.assert_allclose(hx.numpy(), vx * dxx + vy * dxy, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hy.numpy(), vx * dxy, rtol=1e-12, atol=1e-14)


def test_binary_cross_entropy_clamps_at_zero_and_one_like_torch():
    # ln 0 is clamped to −100 and the gradient's denominator to 1e-12, as in PyTorch
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.3])
    for reduction in REDUCTIONS:
        a, t = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        b, s = gk.tensor(y, requires_grad=True), torch.tensor(y, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # ln 0 is clamped quietly, as in PyTorch
            lo = F.binary_cross_entropy(a, b, reduction=reduction)
        lt = TF.binary_cross_entropy(t, s, reduction=reduction)
        np.testing.assert_allclose(lo.detach().numpy(), lt.detach().numpy(), **TOL)
        w = np.ones(tuple(lt.shape))
        lo.backward(gk.tensor(w))
        lt.backward(torch.tensor(w))
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL)
        # ∂L/∂y: PyTorch gives −logit(x) (±inf at x = 0 or 1); gradkit differentiates the
        # clamped loss it computes, max(ln(1 − x), −100) − max(ln x, −100)
        scale = 1 / x.size if reduction == "mean" else 1.0
        with np.errstate(divide="ignore"):
            want = (np.maximum(np.log1p(-x), -100) - np.maximum(np.log(x), -100)) * scale
        np.testing.assert_allclose(b.grad.numpy(), want, **TOL)
        np.testing.assert_allclose(b.grad.numpy()[4:], s.grad.numpy()[4:], **TOL)
        # the recorded backward (create_graph) clamps the same way
        a, b = gk.tensor(x, requires_grad=True), gk.tensor(y, requires_grad=True)
        lo = F.binary_cross_entropy(a, b, reduction=reduction)
        _, gb = gk.autograd.grad(lo, [a, b], gk.tensor(w), create_graph=True)
        np.testing.assert_allclose(gb.detach().numpy(), want, **TOL)


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_target_ignored_gives_nan_loss_and_zero_gradient_like_torch(name, weighted):
    """L-CCE: with every target equal to ignore_index the mean is 0/0 = nan, and the
    gradient is 0, first and second order (it was 0 · ∞ = nan in the ignored rows)."""
    x = RNG.normal(size=(4, 5))
    t = np.full(4, 2)
    kw_gk = {"ignore_index": 2}
    kw_t = {"ignore_index": 2}
    if weighted:
        wt = RNG.uniform(0.2, 2.0, size=5)
        kw_gk["weight"], kw_t["weight"] = gk.tensor(wt), torch.tensor(wt)
    a, b = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lo = getattr(F, name)(a, gk.tensor(t), **kw_gk)
    lt = getattr(TF, name)(b, torch.tensor(t), **kw_t)
    assert np.isnan(lo.item()) and np.isnan(lt.item())
    (ga,) = gk.autograd.grad(lo, [a], create_graph=True)
    (gt,) = torch.autograd.grad(lt, [b])
    np.testing.assert_array_equal(ga.detach().numpy(), gt.numpy())
    lo.backward()
    np.testing.assert_array_equal(a.grad.numpy(), gt.numpy())
