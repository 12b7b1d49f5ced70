"""Activations (issue 24; NN-ACT): every option (negative_slope, alpha, SELU/CELU scales,
GELU's approximate, swish's beta, softplus's beta and threshold, binary_step's threshold)
against PyTorch in float64: values, gradients and second derivatives (create_graph), at
the kinks and far out in both tails; the float32 paths (GELU's chunked erfc fit) against
PyTorch in float32."""

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

X = np.array([-30.0, -8.0, -2.5, -1.0, -0.3, 0.0, 0.2, 0.7, 1.5, 3.0, 9.0, 30.0])
G = np.random.default_rng(0).normal(size=X.shape)
V = np.random.default_rng(1).normal(size=X.shape)


def check(fn, tfn, x=X, tol=1e-12, second=True):
    """Forward, g·∂y/∂x and ∂(v·∂y/∂x)/∂x (double backward) against PyTorch (float64)."""
    a, t = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, u = fn(a), tfn(t)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=tol, atol=tol)
    (ga,) = gk.autograd.grad(y, a, gk.tensor(G), create_graph=second)
    (gt,) = torch.autograd.grad(u, t, torch.tensor(G), create_graph=second)
    np.testing.assert_allclose(ga.detach().numpy(), gt.detach().numpy(), rtol=tol, atol=tol)
    # the plain (no create_graph) backward takes the fused path
    a2 = gk.tensor(x, requires_grad=True)
    fn(a2).backward(gk.tensor(G))
    np.testing.assert_allclose(a2.grad.numpy(), gt.detach().numpy(), rtol=tol, atol=tol)
    if second:
        (hh,) = gk.autograd.grad(ga, a, gk.tensor(V))
        (ht,) = torch.autograd.grad(gt, t, torch.tensor(V))
        np.testing.assert_allclose(hh.numpy(), ht.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("slope", [0.01, 0.2, -0.5])
def test_leaky_relu_negative_slope_matches_torch(slope):
    check(lambda x: F.leaky_relu(x, slope), lambda t: TF.leaky_relu(t, slope), second=False)
    check(
        lambda x: F.leaky_relu(x, negative_slope=slope),
        lambda t: TF.leaky_relu(t, negative_slope=slope),
        second=False,
    )


def test_leaky_relu_default_slope_matches_torch():
    check(F.leaky_relu, TF.leaky_relu, second=False)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.5])
def test_elu_celu_alpha_match_torch(alpha):
    check(lambda x: F.elu(x, alpha), lambda t: TF.elu(t, alpha))
    check(lambda x: F.elu(x, alpha=alpha), lambda t: TF.elu(t, alpha=alpha))
    check(lambda x: F.celu(x, alpha), lambda t: TF.celu(t, alpha))
    check(lambda x: F.celu(x, alpha=alpha), lambda t: TF.celu(t, alpha=alpha))


def test_elu_selu_celu_defaults_match_torch():
    check(F.elu, TF.elu)
    check(F.selu, TF.selu)
    check(F.celu, TF.celu)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_torch_float64(approximate):
    check(
        lambda x: F.gelu(x, approximate=approximate), lambda t: TF.gelu(t, approximate=approximate)
    )


def test_gelu_default_is_the_exact_form():
    check(F.gelu, TF.gelu)
    assert not np.allclose(
        F.gelu(gk.tensor([0.5, 1.5])).numpy(),
        F.gelu(gk.tensor([0.5, 1.5]), approximate="tanh").numpy(),
        rtol=1e-6,
        atol=0,
    )


def gelu64(x, approximate):
    """GELU and its derivative in float64 (closed forms; scipy's ndtr keeps the tails)."""
    from scipy.special import ndtr

    x = np.asarray(x, float)
    if approximate == "tanh":
        k, a = np.sqrt(2 / np.pi), 0.044715
        t = np.tanh(k * (x + a * x**3))
        return 0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * a * x * x)
    return x * ndtr(x), ndtr(x) + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_float32_matches_float64_beyond_one_chunk(approximate):
    # more elements than one chunk of the float32 path (65536), values in both tails;
    # the oracle is the float64 closed form (PyTorch's float32 GELU loses the lower tail
    # to cancellation in 1 + erf(x/√2), so it is a weaker reference here)
    # Two inputs of one size in turn, nothing kept between them: the float32 path writes
    # into reused scratch buffers, and each result must be this input's, not a stale one.
    pytest.importorskip("scipy")
    for seed in (2, 3):
        x = np.random.default_rng(seed).normal(scale=4.0, size=70001).astype(np.float32)
        x[:4] = [0.0, -12.0, 12.0, -5.5]
        g = np.random.default_rng(seed + 10).normal(size=x.shape).astype(np.float32)
        a = gk.tensor(x, requires_grad=True)
        y = F.gelu(a, approximate=approximate)
        assert y.dtype == gk.float32
        want, slope = gelu64(x, approximate)
        np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-5, atol=5e-7)
        y.backward(gk.tensor(g))
        assert a.grad.dtype == gk.float32
        # per unit of upstream gradient: float32 rounding of 1 + tanh u near −1 is ~1e-6
        np.testing.assert_allclose(a.grad.numpy() / g, slope, rtol=1e-5, atol=2e-6)
        del a, y


def test_gelu_float32_lower_tail_keeps_relative_accuracy():
    # Φ(x) for x ≪ 0 is tiny; the fit keeps x Φ(x) to float32 relative precision
    pytest.importorskip("scipy")
    x = np.array([-4.0, -6.0, -9.0, -12.0], dtype=np.float32)
    np.testing.assert_allclose(F.gelu(gk.tensor(x)).numpy(), gelu64(x, "none")[0], rtol=1e-5)


def test_gelu_float32_under_no_grad_matches_float64():
    pytest.importorskip("scipy")
    for x in (np.linspace(-6, 6, 101, dtype=np.float32), np.linspace(-2, 9, 101, dtype=np.float32)):
        with gk.no_grad():
            y = F.gelu(gk.tensor(x))
        np.testing.assert_allclose(y.numpy(), gelu64(x, "none")[0], rtol=1e-5, atol=5e-7)
        del y


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0])
def test_swish_beta_matches_its_formula_in_torch(beta):
    check(lambda x: F.swish(x, beta), lambda t: t * torch.sigmoid(beta * t))
    check(lambda x: F.swish(x, beta=beta), lambda t: t * torch.sigmoid(beta * t))


def test_silu_mish_softsign_logsigmoid_match_torch():
    check(F.silu, TF.silu)
    check(F.mish, TF.mish)
    check(F.softsign, TF.softsign)
    check(F.logsigmoid, TF.logsigmoid)


@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 20.0), (0.5, 1.0), (1.0, 2.0)])
def test_softplus_beta_threshold_match_torch(beta, threshold):
    check(lambda x: F.softplus(x, beta, threshold), lambda t: TF.softplus(t, beta, threshold))
    check(
        lambda x: F.softplus(x, beta=beta, threshold=threshold),
        lambda t: TF.softplus(t, beta=beta, threshold=threshold),
    )


def test_softplus_defaults_match_torch():
    check(F.softplus, TF.softplus)


@pytest.mark.parametrize("threshold", [0.0, 0.7, -1.0])
def test_binary_step_threshold_is_a_step_with_zero_gradient(threshold):
    x = gk.tensor(X, requires_grad=True)
    y = F.binary_step(x, threshold=threshold)
    np.testing.assert_array_equal(y.detach().numpy(), (X >= threshold).astype(float))
    assert y.dtype == x.dtype
    (g,) = gk.autograd.grad(y, x, gk.tensor(G), create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), np.zeros_like(X))
    x2 = gk.tensor(X, requires_grad=True)
    F.binary_step(x2, threshold).backward(gk.tensor(G))
    np.testing.assert_array_equal(x2.grad.numpy(), np.zeros_like(X))
    assert x2.grad.shape == x2.shape


def test_binary_step_keeps_float32():
    y = F.binary_step(gk.tensor(np.array([-0.5, 0.0, 0.5], dtype=np.float32)))
    assert y.dtype == gk.float32


def test_binary_step_default_threshold_is_zero():
    y = F.binary_step(gk.tensor([-0.5, 0.0, 0.5]))
    np.testing.assert_array_equal(y.numpy(), [0.0, 1.0, 1.0])
