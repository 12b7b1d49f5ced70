"""Gradients of gradients (``create_graph=True``) through the convolution, pooling,
unpooling and resampling ops (concepts CNN-CONV, CNN-POOL, T-FFT, T-AUTODIFF).

Four checks:

* ``gradgradcheck`` in float64 for every op and option (stride, padding, dilation,
  groups, transposed, FFT, ``ceil_mode``, ``return_indices``, ...): backprop through the
  recorded backward against central differences of the first gradients. Each op's
  output is squared, so the upstream gradient depends on the inputs and the backward
  of the backward (with respect to that gradient) is exercised too;
* third derivatives: gradgradcheck of a function that itself takes a recorded gradient;
* the first gradients from the recorded (Tensor) backward equal those of the fused NumPy
  backward, ties of max pooling included (the two branches are different code);
* PyTorch parity (skipped without torch): the gradient of the squared gradient norm per
  op, and a small CNN's gradient-norm penalty against ``torch.autograd.grad``.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.autograd import gradgradcheck

RNG = np.random.default_rng(20240612)


def _normal(*shape):
    return RNG.standard_normal(shape)


def _t(array):
    return gk.tensor(np.asarray(array))


def _F(lib):
    return F if lib is gk else lib.nn.functional


def _sq(lib, y):
    return y * y


def _unpool_case(pool_kernel, pool_stride, unpool, one_d=False):
    """max_pool (with indices) → square → max_unpool → square, for ``lib``."""

    def fn(lib, x):
        f = _F(lib)
        if one_d:
            y, idx = f.max_pool1d(x, pool_kernel, pool_stride, return_indices=True)
        else:
            y, idx = f.max_pool2d(x, pool_kernel, pool_stride, return_indices=True)
        size = tuple(x.shape[2:])
        return _sq(lib, unpool(f, y * y, idx, size))

    return fn


X = _normal(2, 4, 6, 5)  # (N, C, H, W) shared by most cases
X1 = _normal(2, 4, 9)  # (N, C, L)
XP = _normal(2, 3, 7, 6)  # pooling input

# name -> (fn(lib, *tensors), input arrays); every input is differentiated. fn runs with
# lib = gradkit or torch, so the same case serves gradgradcheck and the parity test.
CASES = {
    # conv2d: stride × padding × dilation × groups × bias
    "conv2d": (lambda lib, x, w, b: _sq(lib, _F(lib).conv2d(x, w, b)),
               [X, _normal(3, 4, 3, 3), _normal(3)]),
    "conv2d_s2_p1_g2": (lambda lib, x, w, b: _sq(lib, _F(lib).conv2d(x, w, b, 2, 1, groups=2)),
                        [X, _normal(4, 2, 3, 3), _normal(4)]),
    "conv2d_same_d2": (lambda lib, x, w: _sq(lib, _F(lib).conv2d(x, w, None, 1, "same", 2)),
                       [X, _normal(2, 4, 3, 2)]),
    "conv2d_mixed": (lambda lib, x, w, b: _sq(
        lib, _F(lib).conv2d(x, w, b, (2, 1), (1, 2), (1, 2), groups=2)),
        [X, _normal(6, 2, 2, 3), _normal(6)]),
    "conv2d_depthwise": (lambda lib, x, w: _sq(lib, _F(lib).conv2d(x, w, None, 1, 1, groups=4)),
                         [X, _normal(4, 1, 3, 3)]),
    "conv2d_unbatched": (lambda lib, x, w: _sq(lib, _F(lib).conv2d(x, w, padding=1)),
                         [X[0], _normal(2, 4, 3, 3)]),
    # conv1d
    "conv1d": (lambda lib, x, w, b: _sq(lib, _F(lib).conv1d(x, w, b, 2, 1, 2, groups=2)),
               [X1, _normal(4, 2, 3), _normal(4)]),
    "conv1d_unbatched": (lambda lib, x, w: _sq(lib, _F(lib).conv1d(x, w, padding="same")),
                         [X1[0], _normal(3, 4, 4)]),
    # transposed: output_padding below the stride, and at or above it with dilation
    "conv_transpose2d_s2": (lambda lib, x, w, b: _sq(
        lib, _F(lib).conv_transpose2d(x, w, b, 2, 1, 1)),
        [X, _normal(4, 3, 3, 3), _normal(3)]),
    "conv_transpose2d_d2_op1": (lambda lib, x, w: _sq(
        lib, _F(lib).conv_transpose2d(x, w, None, 1, 1, 1, dilation=2)),
        [X, _normal(4, 2, 3, 3)]),
    "conv_transpose2d_mixed": (lambda lib, x, w, b: _sq(
        lib, _F(lib).conv_transpose2d(x, w, b, (2, 1), (0, 1), (1, 0), 2, (1, 2))),
        [X, _normal(4, 2, 2, 3), _normal(4)]),
    # maximum pooling
    "max_pool2d": (lambda lib, x: _sq(lib, _F(lib).max_pool2d(x, 2)), [XP]),
    "max_pool2d_ceil_pad": (lambda lib, x: _sq(lib, _F(lib).max_pool2d(x, 3, 2, 1, ceil_mode=True)),
                            [XP]),
    "max_pool2d_overlap_dilated": (lambda lib, x: _sq(lib, _F(lib).max_pool2d(x, 2, 1, 0, 2)),
                                   [XP]),
    "max_pool2d_rect": (lambda lib, x: _sq(lib, _F(lib).max_pool2d(x, (2, 3), (1, 2), (1, 0))),
                        [XP]),
    "max_pool2d_indices": (lambda lib, x: _sq(
        lib, _F(lib).max_pool2d(x, 3, 1, ceil_mode=True, return_indices=True)[0]), [XP]),
    "max_pool1d": (lambda lib, x: _sq(lib, _F(lib).max_pool1d(x, 3, 2, 1, ceil_mode=True)), [X1]),
    # average pooling
    "avg_pool2d": (lambda lib, x: _sq(lib, _F(lib).avg_pool2d(x, 2)), [XP]),
    "avg_pool2d_ceil_pad": (lambda lib, x: _sq(lib, _F(lib).avg_pool2d(x, 3, 2, 1, ceil_mode=True)),
                            [XP]),
    "avg_pool2d_exclude_pad": (lambda lib, x: _sq(
        lib, _F(lib).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)), [XP]),
    "avg_pool2d_divisor": (lambda lib, x: _sq(
        lib, _F(lib).avg_pool2d(x, (2, 3), 1, divisor_override=4)), [XP]),
    "avg_pool1d": (lambda lib, x: _sq(lib, _F(lib).avg_pool1d(x, 4, 2, 2, ceil_mode=True)), [X1]),
    # adaptive pooling: bins that tile the input and bins that overlap
    "adaptive_max_pool2d_tiled": (lambda lib, x: _sq(lib, _F(lib).adaptive_max_pool2d(x, (7, 2))),
                                  [XP]),
    "adaptive_max_pool2d": (lambda lib, x: _sq(lib, _F(lib).adaptive_max_pool2d(x, (3, 4))), [XP]),
    "adaptive_max_pool2d_indices": (lambda lib, x: _sq(
        lib, _F(lib).adaptive_max_pool2d(x, (4, 5), return_indices=True)[0]), [XP]),
    "adaptive_max_pool1d": (lambda lib, x: _sq(lib, _F(lib).adaptive_max_pool1d(x, 4)), [X1]),
    "adaptive_avg_pool2d_global": (lambda lib, x: _sq(lib, _F(lib).adaptive_avg_pool2d(x, 1)),
                                   [XP]),
    "adaptive_avg_pool2d_tiled": (lambda lib, x: _sq(lib, _F(lib).adaptive_avg_pool2d(x, (7, 3))),
                                  [XP]),
    "adaptive_avg_pool2d": (lambda lib, x: _sq(lib, _F(lib).adaptive_avg_pool2d(x, (3, 4))), [XP]),
    "adaptive_avg_pool1d": (lambda lib, x: _sq(lib, _F(lib).adaptive_avg_pool1d(x, 4)), [X1]),
    # nearest-neighbour resampling
    "interpolate_size": (lambda lib, x: _sq(lib, _F(lib).interpolate(x, size=(9, 4))), [XP]),
    "interpolate_scale": (lambda lib, x: _sq(lib, _F(lib).interpolate(x, scale_factor=2)), [XP]),
    "upsample_module": (lambda lib, x: _sq(lib, lib.nn.Upsample(scale_factor=(2, 1))(x)), [XP]),
    # unpooling (overlapping windows repeat an index: the one copy that lands is kept)
    "max_unpool2d": (_unpool_case(2, 2, lambda f, y, i, s: f.max_unpool2d(y, i, 2, 2, 0, s)),
                     [XP]),
    "max_unpool1d": (_unpool_case(2, 2, lambda f, y, i, s: f.max_unpool1d(y, i, 2, 2, 0, s),
                                  one_d=True), [X1]),
}  # fmt: skip

# gradkit only: the FFT path (torch has one algorithm) and repeated unpooling indices,
# where PyTorch's backward gives every copy the gradient (see ``MaxUnpool2d``)
GK_CASES = {
    "conv2d_fft": (lambda lib, x, w, b: _sq(lib, F.conv2d(x, w, b, padding=1, algorithm="fft")),
                   [X, _normal(3, 4, 3, 3), _normal(3)]),
    "conv2d_fft_s2_d2_g2": (lambda lib, x, w: _sq(
        lib, F.conv2d(x, w, None, 2, (2, 1), 2, groups=2, algorithm="fft")),
        [X, _normal(4, 2, 2, 3)]),
    "conv2d_fft_auto_9x9": (lambda lib, x, w: _sq(lib, F.conv2d(x, w, padding=4)),
                            [_normal(1, 2, 9, 10), _normal(2, 2, 9, 9)]),
    "max_unpool2d_repeated": (_unpool_case(3, 1, lambda f, y, i, s: f.max_unpool2d(
        y, i, 3, 1, 0, s)), [XP]),
    "max_unpool1d_repeated": (_unpool_case(3, 2, lambda f, y, i, s: f.max_unpool1d(
        y, i, 3, 2, 0, s), one_d=True), [X1]),
}  # fmt: skip

ALL = {**CASES, **GK_CASES}


def _gk_fn(name):
    fn, _ = ALL[name]
    return lambda *xs: fn(gk, *xs)


@pytest.mark.parametrize("name", sorted(ALL))
def test_gradgradcheck(name):
    """CNN-CONV / CNN-POOL second derivatives against finite differences (float64)."""
    assert gradgradcheck(_gk_fn(name), *[_t(a) for a in ALL[name][1]], atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize(
    "name", ["conv2d_s2_p1_g2", "conv_transpose2d_mixed", "conv2d_fft", "max_pool2d_ceil_pad",
             "avg_pool2d_ceil_pad", "adaptive_max_pool2d", "max_unpool2d_repeated"],
)  # fmt: skip
def test_third_derivatives(name):
    """The recorded backward of a recorded backward: gradgradcheck of the squared norm
    of the first gradients, whose gradient needs the op's second derivatives recorded."""
    fn = _gk_fn(name)

    def grad_norm(*xs):
        with gk.enable_grad():  # gradcheck evaluates fn under no_grad
            firsts = gk.autograd.grad(fn(*xs).sum(), list(xs), create_graph=True)
            return sum((g * g).sum() for g in firsts)

    assert gradgradcheck(grad_norm, *[_t(a) for a in ALL[name][1]], atol=1e-6, rtol=1e-4)


def _first_grads(fn, arrays, create_graph):
    inputs = [gk.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*inputs)
    v = gk.tensor(np.random.default_rng(5).standard_normal(out.shape).astype(out.dtype))
    return gk.autograd.grad(out, inputs, v, create_graph=create_graph)


TIES = np.random.default_rng(3).integers(0, 3, (2, 3, 7, 6)).astype(np.float64)
NEG_INF = np.full((1, 1, 5, 5), -np.inf)
TIE_CASES = {
    "max_pool2d_ties": (lambda x: F.max_pool2d(x, 3, 1, 1, ceil_mode=True), [TIES]),
    "max_pool2d_ties_dilated": (lambda x: F.max_pool2d(x, 2, 1, 0, 2), [TIES]),
    "adaptive_max_pool2d_ties": (lambda x: F.adaptive_max_pool2d(x, (4, 5)), [TIES]),
    "max_pool2d_all_neg_inf": (lambda x: F.max_pool2d(x, 3, 2, 1), [NEG_INF]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ALL) + sorted(TIE_CASES))
def test_recorded_backward_gives_the_plain_first_gradient(name):
    """create_graph runs each op's Tensor branch; its first gradients must be the fused
    NumPy branch's (gradgradcheck alone would not see a wrong but consistent gradient),
    the first of tied maxima taking the gradient in both."""
    fn, arrays = TIE_CASES[name] if name in TIE_CASES else (_gk_fn(name), ALL[name][1])
    plain = _first_grads(fn, arrays, False)
    recorded = _first_grads(fn, arrays, True)
    for i, (a, b) in enumerate(zip(plain, recorded)):
        assert b.requires_grad or name in TIE_CASES, f"input {i}: gradient not recorded"
        np.testing.assert_allclose(b.detach().numpy(), a.numpy(), rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_under_create_graph():
    """The recorded gradients of a float32 CNN stay float32 and match the plain ones."""
    rng = np.random.default_rng(1)
    x = gk.tensor(rng.standard_normal((2, 3, 8, 8)).astype(np.float32), requires_grad=True)
    w = gk.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    wt = gk.tensor(rng.standard_normal((4, 2, 2, 2)).astype(np.float32), requires_grad=True)

    def loss_of():
        h = F.max_pool2d(F.conv2d(x, w, padding=1), 2)
        h = F.conv_transpose2d(F.avg_pool2d(h, 2, 1, 1), wt, stride=2)
        return (F.adaptive_max_pool2d(h, 3) ** 2).sum()

    plain = gk.autograd.grad(loss_of(), [x, w, wt])
    grads = gk.autograd.grad(loss_of(), [x, w, wt], create_graph=True)
    for a, b in zip(plain, grads):
        assert b.dtype == np.float32 and b.requires_grad
        np.testing.assert_allclose(b.detach().numpy(), a.numpy(), rtol=1e-5, atol=1e-5)
    second = gk.autograd.grad(sum((g * g).sum() for g in grads), [x, w, wt])
    assert all(s.dtype == np.float32 and np.isfinite(s.numpy()).all() for s in second)


def test_second_backward_without_create_graph_runs_the_numpy_branch():
    """``backward()`` of a recorded gradient (no create_graph) walks the grad ops'
    backwards on plain arrays; it must give what the recorded walk gives."""
    fn, arrays = _gk_fn("conv_transpose2d_mixed"), ALL["conv_transpose2d_mixed"][1]
    results = []
    for create_graph in (False, True):
        inputs = [gk.tensor(a, requires_grad=True) for a in arrays]
        firsts = gk.autograd.grad(fn(*inputs).sum(), inputs, create_graph=True)
        penalty = sum((g * g).sum() for g in firsts)
        results.append(gk.autograd.grad(penalty, inputs, create_graph=create_graph))
    for a, b in zip(*results):
        np.testing.assert_allclose(b.detach().numpy(), a.numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- PyTorch parity
def _penalty_grads(lib, leaves, loss):
    """∂L/∂θ with create_graph, then ∂P/∂θ for P = Σ‖∂L/∂θ‖² (θ = the leaves), as
    NumPy arrays."""
    firsts = lib.autograd.grad(loss, leaves, create_graph=True)
    penalty = sum((g * g).sum() for g in firsts)
    seconds = lib.autograd.grad(penalty, leaves)
    plain = [[np.array(g.detach().numpy()) for g in gs] for gs in (firsts, seconds)]
    return plain[0], plain[1], float(loss.detach().numpy())


def _compare(ours, ref, atol=1e-10):
    np.testing.assert_allclose(ours[2], ref[2], rtol=1e-12, atol=atol, err_msg="loss")
    for kind, a, b in (("first", ours[0], ref[0]), ("second", ours[1], ref[1])):
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.shape == y.shape, f"{kind} grad {i}: {x.shape} vs {y.shape}"
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=atol, err_msg=f"{kind} grad {i}")
    assert any(np.abs(s).max() > 1e-3 for s in ours[1]), "second derivatives all ~0: no test"


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_norm_penalty_matches_torch(name):
    """∂/∂θ Σ‖∂L/∂θ‖² with L = ⟨v, op(θ)⟩, against torch.autograd.grad (float64)."""
    torch = pytest.importorskip("torch")
    fn, arrays = CASES[name]

    def run(lib):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *leaves)
        v = lib.tensor(np.random.default_rng(9).standard_normal(tuple(out.shape)))
        return _penalty_grads(lib, leaves, (out * v).sum())

    _compare(run(gk), run(torch))


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, stride=1, groups=2), nn.ReLU(), nn.AvgPool2d(2, ceil_mode=True),
        nn.Flatten(), nn.Linear(6 * 2 * 2, 5),
    ).double()  # fmt: skip


def test_cnn_gradient_penalty_matches_torch():
    """Conv2d + ReLU + MaxPool2d + Conv2d (groups) + AvgPool2d + Linear, cross-entropy;
    the first gradients w.r.t. input and parameters with create_graph, the penalty
    ‖∂L/∂x‖² + Σ‖∂L/∂θ‖², and its gradient w.r.t. input and parameters vs PyTorch."""
    torch = pytest.importorskip("torch")
    ours, ref = _cnn(gk), _cnn(torch)
    with torch.no_grad():
        for p, q in zip(ours.parameters(), ref.parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy()))
    rng = np.random.default_rng(4)
    x, target = rng.standard_normal((3, 3, 11, 11)), np.array([1, 4, 0])

    def run(lib, model):
        xt = lib.tensor(x, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(model(xt), lib.tensor(target))
        return _penalty_grads(lib, [xt, *model.parameters()], loss)

    _compare(run(gk, ours), run(torch, ref))


MASK_CASES = ["conv2d_s2_p1_g2", "conv_transpose2d_mixed", "conv1d"]
MASKS = [(True, False, False), (False, True, True), (False, True, False), (True, False, True)]


def _mask_id(mask):
    return "".join(c for c, k in zip("xwb", mask) if k)


def _masked_penalty_grads(lib, fn, arrays, mask):
    """The penalty gradients with only the inputs in ``mask`` requiring grad (a frozen
    input, frozen weights as in WGAN-GP, ...)."""
    inputs = [lib.tensor(a, requires_grad=m) for a, m in zip(arrays, mask)]
    out = fn(lib, *inputs)
    v = lib.tensor(np.random.default_rng(9).standard_normal(tuple(out.shape)))
    leaves = [t for t, m in zip(inputs, mask) if m]
    return _penalty_grads(lib, leaves, (out * v).sum())


@pytest.mark.parametrize("mask", MASKS, ids=_mask_id)
@pytest.mark.parametrize("name", MASK_CASES)
def test_penalty_with_frozen_inputs_matches_torch(name, mask):
    """Only some of (x, W, b) require grad: each gradient op saves and records what its
    needed gradients use, and nothing else."""
    torch = pytest.importorskip("torch")
    fn, arrays = CASES[name]
    _compare(*(_masked_penalty_grads(lib, fn, arrays, mask) for lib in (gk, torch)))


@pytest.mark.parametrize("mask", MASKS, ids=_mask_id)
def test_fft_second_derivatives_equal_the_direct_path(mask):
    """T-FFT: the FFT convolution's recorded gradients are the direct path's."""
    arrays = [X, _normal(4, 2, 2, 3), _normal(4)]

    def conv(algorithm):
        return lambda lib, x, w, b: _sq(
            lib, F.conv2d(x, w, b, 2, (2, 1), 2, groups=2, algorithm=algorithm)
        )

    fft, direct = (_masked_penalty_grads(gk, conv(a), arrays, mask) for a in ("fft", "direct"))
    _compare(fft, direct, atol=1e-9)
