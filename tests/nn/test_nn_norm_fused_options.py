"""Fused normalization ops (issue 24; NN-BATCHNORM, and layer norm): batch_norm in
training and eval, layer_norm over one or several trailing axes, with and without the
affine weight and bias, each input wanting a gradient alone or together, against PyTorch
in float64 (values, gradients, second derivatives) and float32.

The fused paths write into reused scratch buffers: each test runs two different inputs of
one shape in turn, checking both, so a result left over from an earlier call is seen."""

import itertools

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TOL = dict(rtol=1e-10, atol=1e-12)

# which of (x, weight, bias) want a gradient
NEEDS = [(True, True, True), (True, False, False), (False, True, False), (False, False, True)]


def check(fn, tfn, arrays, needs, second=True, tol=TOL):
    """fn(*tensors) against tfn: values, gradients of the inputs in ``needs`` and, with
    ``second``, the second derivatives of Σ v ⊙ ∂L/∂(inputs)."""
    gs = [None if a is None else gk.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    ts = [None if a is None else torch.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    y, u = fn(*gs), tfn(*ts)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **tol)
    rng = np.random.default_rng(int(abs(arrays[0]).sum() * 1000) % 2**32)
    w = rng.normal(size=u.shape).astype(arrays[0].dtype)
    want = [t for t in ts if t is not None and t.requires_grad]
    mine = [t for t in gs if t is not None and t.requires_grad]
    if not want:
        return
    # the fused backward
    y.backward(gk.tensor(w))
    gt = torch.autograd.grad(u, want, torch.tensor(w), create_graph=second)
    for a, b in zip(mine, gt):
        np.testing.assert_allclose(a.grad.numpy(), b.detach().numpy(), **tol)
    if not second:
        return
    # the composed backward (create_graph) and the second derivatives
    gs2 = [None if a is None else gk.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    mine2 = [t for t in gs2 if t is not None and t.requires_grad]
    g2 = gk.autograd.grad(fn(*gs2), mine2, gk.tensor(w), create_graph=True)
    for a, b in zip(g2, gt):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **tol)
    vs = [rng.normal(size=t.shape) for t in mine2]
    s = sum((g * gk.tensor(v)).sum() for g, v in zip(g2, vs))
    st = sum((g * torch.tensor(v)).sum() for g, v in zip(gt, vs))
    if not s.requires_grad:  # the gradient does not depend on the inputs: it is linear
        if st.requires_grad:  # PyTorch records it anyway; its second derivatives are 0
            ht = torch.autograd.grad(st, want, allow_unused=True, materialize_grads=True)
            for b in ht:
                np.testing.assert_array_equal(b.numpy(), 0.0)
        return
    h = gk.autograd.grad(s, mine2, allow_unused=True, materialize_grads=True)
    ht = torch.autograd.grad(st, want, allow_unused=True, materialize_grads=True)
    for a, b in zip(h, ht):
        np.testing.assert_allclose(a.numpy(), b.numpy(), **tol)


def bn(lib, rm, rv, **kw):
    """batch_norm of gradkit (lib=gk) or PyTorch with these running statistics."""
    fn = F.batch_norm if lib is gk else TF.batch_norm
    return lambda a, w, c: fn(a, lib.tensor(rm), lib.tensor(rv), w, c, **kw)


def inputs(shape, c, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=shape) * 2 + 1).astype(dtype)
    return x, rng.uniform(0.5, 2.0, size=c).astype(dtype), rng.normal(size=c).astype(dtype)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 2)])
@pytest.mark.parametrize("affine, needs", list(itertools.product([True, False], NEEDS)))
def test_batch_norm_training_matches_torch(shape, affine, needs):
    if not affine and not needs[0]:
        pytest.skip("without weight and bias only x can want a gradient")
    for seed in (0, 1):
        x, wt, b = inputs(shape, shape[1], seed)
        rm, rv = np.zeros(shape[1]), np.ones(shape[1])
        kw = dict(training=True, momentum=0.3, eps=1e-3)
        check(
            bn(gk, rm, rv, **kw),
            bn(torch, rm, rv, **kw),
            [x, wt if affine else None, b if affine else None],
            needs,
        )


@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 4, 2)])
@pytest.mark.parametrize("affine, needs", list(itertools.product([True, False], NEEDS)))
def test_batch_norm_eval_matches_torch(shape, affine, needs):
    if not affine and not needs[0]:
        pytest.skip("without weight and bias only x can want a gradient")
    for seed in (0, 1):
        x, wt, b = inputs(shape, shape[1], seed)
        rng = np.random.default_rng(seed + 5)
        rm, rv = rng.normal(size=shape[1]), rng.uniform(0.5, 2, size=shape[1])
        check(
            bn(gk, rm, rv, eps=1e-4),
            bn(torch, rm, rv, eps=1e-4),
            [x, wt if affine else None, b if affine else None],
            needs,
        )


@pytest.mark.parametrize("shape, norm", [((4, 6), 6), ((3, 2, 5), (5,)), ((2, 3, 2, 4), (2, 4))])
@pytest.mark.parametrize("affine, needs", list(itertools.product([True, False], NEEDS)))
def test_layer_norm_matches_torch(shape, norm, affine, needs):
    if not affine and not needs[0]:
        pytest.skip("without weight and bias only x can want a gradient")
    nshape = (norm,) if isinstance(norm, int) else norm
    for seed in (0, 1):
        x, wt, b = inputs(shape, nshape, seed)
        check(
            lambda a, w, c: F.layer_norm(a, norm, w, c, eps=1e-3),
            lambda a, w, c: TF.layer_norm(a, nshape, w, c, eps=1e-3),
            [x, wt if affine else None, b if affine else None],
            needs,
        )


def test_layer_norm_default_eps_matches_torch():
    x, wt, b = inputs((3, 4), 4, 2)
    x[0] = 1.0 + 1e-4 * np.arange(4)  # a near-constant row: ε dominates its variance
    check(
        lambda a, w, c: F.layer_norm(a, 4, w, c),
        lambda a, w, c: TF.layer_norm(a, (4,), w, c),
        [x, wt, b],
        (True, True, True),
    )


def layer5(lib):
    """layer_norm over a last axis of 5 with weight and bias each one value repeated."""
    fn = F.layer_norm if lib is gk else TF.layer_norm
    return lambda a, w, c: fn(a, (5,), w[:1].expand(5), c[:1].expand(5))


@pytest.mark.parametrize("which", ["batch_train", "batch_eval", "layer"])
def test_norms_in_float32_match_torch(which):
    for seed in (0, 1):
        x, wt, b = inputs((4, 3, 5), 3, seed, np.float32)
        rm, rv = np.zeros(3, np.float32), np.full(3, 1.5, np.float32)
        if which == "layer":
            fn, tfn = layer5(gk), layer5(torch)
        else:
            train = which == "batch_train"
            fn, tfn = bn(gk, rm, rv, training=train), bn(torch, rm, rv, training=train)
        check(fn, tfn, [x, wt, b], (True, True, True), second=False, tol=dict(rtol=2e-5, atol=2e-5))
        a = gk.tensor(x, requires_grad=True)
        assert fn(a, gk.tensor(wt), gk.tensor(b)).dtype == gk.float32
