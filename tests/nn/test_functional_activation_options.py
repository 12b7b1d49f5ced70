"""NN-ACT (issue 24): the keyword options, defaults and edges of
``gradkit.nn.functional``'s activations that the parity table leaves out — each default
(``alpha``, ``lambd``, ``beta``/``threshold``), bounds that PyTorch accepts (λ = 0,
lower = upper, min_val = max_val, dim = −ndim), 0-d and 1-d inputs, ``axis=``, the
implicit-dim warning pointing at the caller, rrelu's generator and dtype, swish, maxout
and binary_step, and errors naming the function. Oracle: PyTorch 2.13 in float64 and
closed forms."""

import os
import warnings

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# values in every band the defaults separate: |x| in (0.3, 0.5], (0.5, 1.5], beyond
X = np.array([-25.0, -3.2, -1.2, -0.8, -0.45, -0.35, 0.0, 0.32, 0.4, 0.7, 1.4, 2.5, 20.5])


def _both(fn, tfn, x=X, **kw):
    a = gk.tensor(x.copy(), requires_grad=True)
    b = torch.tensor(x.copy(), requires_grad=True)
    y, z = fn(a, **kw), tfn(b, **kw)
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=1e-15, atol=1e-15)
    g = np.linspace(-1.0, 1.0, y.numel()).reshape(tuple(z.shape))
    y.backward(gk.tensor(g))
    z.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize(
    ("name", "kw"),
    [("elu", {}), ("celu", {}), ("hardshrink", {}), ("hardshrink", {"lambd": 0.3}),
     ("softshrink", {}), ("softshrink", {"lambd": 0.0}), ("softplus", {}),
     ("softplus", {"beta": 3.0}), ("softplus", {"threshold": 25.0}), ("hardtanh", {}),
     ("hardtanh", {"min_val": 0.5, "max_val": 0.5}), ("leaky_relu", {}),
     ("rrelu", {"lower": 0.0, "upper": 0.3}), ("rrelu", {"lower": 0.2, "upper": 0.2})],
)  # fmt: skip
def test_nn_act_defaults_and_edge_options_match_torch(name, kw):
    """NN-ACT: the defaults (elu/celu α = 1, λ = 0.5, softplus β = 1 and threshold 20) and
    the boundary values PyTorch accepts give PyTorch's values and gradients."""
    _both(getattr(F, name), getattr(TF, name), **kw)


FLOAT_ONLY = [
    "leaky_relu", "elu", "selu", "celu", "hardsigmoid", "hardswish", "softshrink",
    "hardshrink", "gelu", "silu", "mish", "softplus", "logsigmoid", "rrelu",
]  # fmt: skip


@pytest.mark.parametrize("name", FLOAT_ONLY + ["softmax", "log_softmax", "softmin"])
def test_nn_act_integer_input_error_names_the_function(name):
    kw = {"dim": 0} if "soft" in name and "max" in name or name == "softmin" else {}
    with pytest.raises(TypeError, match=rf"^{name}: expected a floating-point input"):
        getattr(F, name)(gk.tensor([1, -2, 3]), **kw)


INPLACE = [
    ("relu_", lambda x: F.relu(x, inplace=True)),
    ("leaky_relu_", lambda x: F.leaky_relu(x, inplace=True)),
    ("elu_", lambda x: F.elu(x, inplace=True)),
    ("selu_", lambda x: F.selu(x, inplace=True)),
    ("celu_", lambda x: F.celu(x, inplace=True)),
    ("hardtanh_", lambda x: F.hardtanh(x, inplace=True)),
    ("hardtanh_", lambda x: F.relu6(x, inplace=True)),
    ("hardsigmoid_", lambda x: F.hardsigmoid(x, inplace=True)),
    ("hardswish_", lambda x: F.hardswish(x, inplace=True)),
    ("threshold_", lambda x: F.threshold(x, 0.1, 2.0, inplace=True)),
    ("silu_", lambda x: F.silu(x, inplace=True)),
    ("mish_", lambda x: F.mish(x, inplace=True)),
    ("leaky_relu_", lambda x: F.rrelu(x, inplace=True)),
    ("rrelu_", lambda x: F.rrelu(x, training=True, inplace=True)),
]


@pytest.mark.parametrize(
    ("op", "call"), INPLACE, ids=[f"{i}-{o}" for i, (o, _) in enumerate(INPLACE)]
)
def test_nn_act_inplace_on_a_leaf_names_the_inplace_op(op, call):
    """NN-ACT: ``inplace=True`` on a leaf that requires grad is refused naming the
    in-place op (PyTorch's name for it); on a non-leaf it returns that same tensor."""
    with pytest.raises(RuntimeError, match=rf"^{op}: In-place operation on a leaf"):
        call(gk.tensor(X.copy(), requires_grad=True))
    h = gk.tensor(X.copy(), requires_grad=True) * 1.0
    assert call(h) is h


def test_nn_act_rrelu_eval_inplace_writes_the_input():
    x = gk.tensor(X.copy())
    out = F.rrelu(x, 0.1, 0.3, inplace=True)
    assert out is x
    np.testing.assert_allclose(x.numpy(), np.where(X > 0, X, 0.2 * X), rtol=1e-15)


def test_nn_act_rrelu_training_generator_dtype_and_kink():
    """NN-ACT: training draws come from ``generator`` (same seed, same slopes); float32
    stays float32; x ≤ 0 (the kink included) takes the drawn slope, x > 0 passes."""
    x = np.array([-2.0, -0.5, 0.0, 0.25, 0.75, 3.0])
    outs = []
    for _ in range(2):
        a = gk.tensor(x, requires_grad=True)
        y = F.rrelu(a, 0.1, 0.3, training=True, generator=gk.Generator().manual_seed(5))
        y.sum().backward()
        outs.append((y.detach().numpy(), a.grad.numpy()))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    grad = outs[0][1]
    np.testing.assert_array_equal(grad[3:], 1.0)
    assert ((grad[:3] >= 0.1) & (grad[:3] <= 0.3)).all()
    np.testing.assert_array_equal(outs[0][0][3:], x[3:])
    y32 = F.rrelu(gk.tensor(x.astype(np.float32)), training=True)
    assert y32.dtype == np.float32
    same = F.rrelu(gk.tensor(x), 0.2, 0.2, training=True)
    np.testing.assert_allclose(same.numpy(), np.where(x > 0, x, 0.2 * x), rtol=1e-15)


def test_nn_act_bounds_errors():
    with pytest.raises(ValueError, match=r"^softshrink: lambd must be greater or equal to 0"):
        F.softshrink(gk.tensor(X), -0.1)
    with pytest.raises(ValueError, match="rrelu: need 0 <= lower <= upper"):
        F.rrelu(gk.tensor(X), 0.3, 0.2)
    with pytest.raises(ValueError, match="rrelu: need 0 <= lower <= upper"):
        F.rrelu(gk.tensor(X), -0.1, 0.2)
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(gk.tensor(X), 0.6, 0.5)
    with pytest.raises(ValueError, match="celu: alpha must not be 0"):
        F.celu(gk.tensor(X), 0.0)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_nn_act_softmax_dims_and_axis(name):
    """NN-ACT: every dim from −ndim to ndim − 1 and ``axis=`` (softmax, log_softmax) as
    PyTorch's dim; out of range is IndexError, 0-d included."""
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    ours, theirs = getattr(F, name), getattr(TF, name)
    for d in range(-3, 3):
        _both(ours, theirs, x, dim=d)
        if name != "softmin":
            got = ours(gk.tensor(x), axis=d).numpy()
            np.testing.assert_allclose(got, theirs(torch.tensor(x), dim=d).numpy(), rtol=1e-15)
    for bad in (3, -4):
        with pytest.raises(IndexError, match="Dimension out of range"):
            ours(gk.tensor(x), dim=bad)
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
        ours(gk.tensor(3.0), dim=1)
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got -2"):
        ours(gk.tensor(3.0), dim=-2)
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
        ours(gk.tensor([1.0, 2.0]), dim=1)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_nn_act_implicit_dim_warns_at_the_caller(name):
    """NN-ACT: without dim, PyTorch's deprecation warning (its text) points at the line that
    called the function, and 0-d input takes dim 0."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = getattr(F, name)(gk.tensor(3.0))
    assert len(caught) == 1
    w = caught[0]
    assert w.category is UserWarning
    assert str(w.message) == (
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument."
    )
    if "MUTANT_UNDER_TEST" not in os.environ:  # mutmut's trampolines add stack frames
        assert w.filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(TF, name)(torch.tensor(3.0, dtype=torch.float64))
    assert y.shape == () and y.item() == want.item()


def test_nn_act_glu_dims_and_1d_input():
    x = np.random.default_rng(1).normal(size=(2, 4, 6))
    for d in (-3, -2, -1, 1, 2):
        _both(F.glu, TF.glu, x, dim=d)
    _both(F.glu, TF.glu, X[:12])
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.glu(gk.tensor(x), dim=3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.glu(gk.tensor(x), dim=-4)
    with pytest.raises(ValueError, match="does not support scalars"):
        F.glu(gk.tensor(1.0))


def test_nn_act_prelu_shared_scalar_and_bad_weights():
    """NN-ACT: a 0-d slope is shared; a 2-d weight, or several slopes for a 1-d input
    (one channel), is an error."""
    w = np.array(0.25)
    _both(lambda t: F.prelu(t, gk.tensor(w)), lambda t: TF.prelu(t, torch.tensor(w)))
    x2 = np.random.default_rng(2).normal(size=(4, 3))
    w3 = np.array([0.1, 0.2, 0.3])
    _both(lambda t: F.prelu(t, gk.tensor(w3)), lambda t: TF.prelu(t, torch.tensor(w3)), x2)
    with pytest.raises(ValueError, match="0-d or 1-d"):
        F.prelu(gk.tensor(x2), gk.tensor(np.ones((1, 3))))
    for n in (2, 3):
        with pytest.raises(ValueError, match="mismatch of parameter numbers"):
            F.prelu(gk.tensor(X), gk.tensor(np.ones(n)))


@pytest.mark.parametrize("beta", [None, 2.0, 0.5])
def test_nn_act_swish_is_x_sigmoid_beta_x(beta):
    """NN-ACT: swish(x, β) = x σ(βx), β = 1 by default (then SiLU)."""
    kw = {} if beta is None else {"beta": beta}
    b = 1.0 if beta is None else beta
    _both(lambda t: F.swish(t, **kw), lambda t: t * torch.sigmoid(b * t))


def test_nn_act_binary_step_closed_form():
    """NN-ACT: y = [x ≥ threshold] (threshold 0 by default), derivative 0."""
    x = gk.tensor(X.copy(), requires_grad=True)
    y = F.binary_step(x)
    np.testing.assert_array_equal(y.detach().numpy(), (X >= 0).astype(float))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros_like(X))
    np.testing.assert_array_equal(F.binary_step(gk.tensor(X), 0.4).numpy(), (X >= 0.4) * 1.0)


@pytest.mark.parametrize(
    ("shape", "pool", "dim"),
    [((2, 6), 3, -1), ((2, 6, 3), 2, 1), ((4, 2, 3), 2, 0), ((2, 3, 4), 4, 2), ((2, 3), 1, 1)],
)
def test_nn_act_maxout_groups_consecutive_features(shape, pool, dim):
    """NN-ACT: maxout takes the maximum over each run of ``pool_size`` features along
    ``dim`` (gradient to the maximum); a size that is not a multiple is an error."""
    x = np.random.default_rng(3).normal(size=shape)
    d = dim % len(shape)
    grouped = x.reshape(shape[:d] + (shape[d] // pool, pool) + shape[d + 1 :])
    a = gk.tensor(x, requires_grad=True)
    y = F.maxout(a, pool, dim)
    np.testing.assert_array_equal(y.detach().numpy(), grouped.max(axis=d + 1))
    y.sum().backward()
    mask = grouped == grouped.max(axis=d + 1, keepdims=True)
    np.testing.assert_array_equal(a.grad.numpy(), mask.reshape(shape) * 1.0)
    for bad in (0, shape[d] + 1):
        with pytest.raises(ValueError, match="not a multiple of pool_size"):
            F.maxout(a, bad, dim)
