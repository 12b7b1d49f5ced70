"""Activation functions and layers with PyTorch's parameters (concept NN-ACT): value,
gradient under a random upstream gradient and dtype against PyTorch, float64 finite
differences and double backward, the derivative at every kink, ``inplace=``, softmax's
``dim``/``dtype`` and every layer's repr."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit import nn
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch

TF = None if torch is None else torch.nn.functional

# name: (gradkit function, torch function name, keyword arguments)
ACTIVATIONS = {
    "hardtanh": (F.hardtanh, "hardtanh", {}),
    "hardtanh_range": (F.hardtanh, "hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    "relu6": (F.relu6, "relu6", {}),
    "hardswish": (F.hardswish, "hardswish", {}),
    "hardsigmoid": (F.hardsigmoid, "hardsigmoid", {}),
    "mish": (F.mish, "mish", {}),
    # alpha exact in float32: PyTorch's celu backward uses 1/float32(alpha) (derivatives.yaml)
    "celu": (F.celu, "celu", {"alpha": 0.5}),
    "selu": (F.selu, "selu", {}),
    "elu": (F.elu, "elu", {"alpha": 1.3}),
    "logsigmoid": (F.logsigmoid, "logsigmoid", {}),
    "softplus": (F.softplus, "softplus", {"beta": 2.0, "threshold": 3.0}),
    "softsign": (F.softsign, "softsign", {}),
    "tanhshrink": (F.tanhshrink, "tanhshrink", {}),
    "softshrink": (F.softshrink, "softshrink", {"lambd": 0.3}),
    "hardshrink": (F.hardshrink, "hardshrink", {"lambd": 0.3}),
    "threshold": (F.threshold, "threshold", {"threshold": 0.1, "value": -2.0}),
    "gelu": (F.gelu, "gelu", {}),
    "gelu_tanh": (F.gelu, "gelu", {"approximate": "tanh"}),
    "silu": (F.silu, "silu", {}),
    "leaky_relu": (F.leaky_relu, "leaky_relu", {"negative_slope": 0.2}),
    "relu": (F.relu, "relu", {}),
    "rrelu_eval": (F.rrelu, "rrelu", {"lower": 0.1, "upper": 0.3}),
    "glu": (F.glu, "glu", {}),
    "glu_dim1": (F.glu, "glu", {"dim": 1}),
    "softmax": (F.softmax, "softmax", {"dim": 1}),
    "log_softmax": (F.log_softmax, "log_softmax", {"dim": 0}),
    "softmin": (F.softmin, "softmin", {"dim": -1}),
}


def _inputs(dtype=np.float64):
    # values spread over every piece of the piecewise functions (|x| up to ~7)
    return [(random_inputs([(3, 4, 6)], seed=3)[0] * 3).astype(dtype)]


@requires_torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_parity(name):
    """NN-ACT: each activation equals PyTorch's in value, gradient and dtype (float64 and
    float32)."""
    ours, theirs, kw = ACTIVATIONS[name]
    # PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 (its kernel's
    # ``1.0f / 6.0f``), 3e-8 off in float64; gradkit uses 1/6 of the input's dtype
    f64 = 1e-7 if name == "hardsigmoid" else 1e-12
    for dtype, tol in ((np.float64, f64), (np.float32, 2e-6)):
        arrays = _inputs(dtype)
        assert_parity(
            lambda x: ours(x, **kw),
            lambda x: getattr(TF, theirs)(x, **kw),
            arrays,
            atol=tol,
            rtol=tol,
        )
        assert ours(gk.tensor(arrays[0]), **kw).dtype == dtype


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradcheck_and_double_backward(name):
    """NN-ACT: float64 finite differences, first and second order (inputs kept off the
    kinks, where a finite difference straddles two pieces)."""
    ours, _, kw = ACTIVATIONS[name]
    x = gk.tensor(np.array([[-4.1, -2.2, -0.71, -0.2], [0.17, 0.8, 2.4, 5.3]]), requires_grad=True)
    assert gradcheck(lambda t: ours(t, **kw), x)
    assert gradgradcheck(lambda t: ours(t, **kw) ** 2, x)


# the kink points of each piecewise function, and PyTorch's derivative there
KINKS = [
    ("hardtanh", lambda x: F.hardtanh(x, -1.0, 1.0), [-1.0, 1.0], [0.0, 0.0]),
    ("relu6", F.relu6, [0.0, 6.0], [0.0, 0.0]),
    ("hardswish", F.hardswish, [-3.0, 3.0], [0.0, 1.0]),
    ("hardsigmoid", F.hardsigmoid, [-3.0, 3.0], [0.0, 0.0]),
    ("softshrink", lambda x: F.softshrink(x, 0.5), [-0.5, 0.5], [0.0, 0.0]),
    ("hardshrink", lambda x: F.hardshrink(x, 0.5), [-0.5, 0.5], [0.0, 0.0]),
    ("threshold", lambda x: F.threshold(x, 0.5, 2.0), [0.5], [0.0]),
    ("relu", F.relu, [0.0], [0.0]),
    ("leaky_relu", F.leaky_relu, [0.0], [0.01]),
    ("elu", lambda x: F.elu(x, 2.0), [0.0], [2.0]),
    ("celu", lambda x: F.celu(x, 2.0), [0.0], [1.0]),
    ("selu", F.selu, [0.0], [1.0507009873554805 * 1.6732632423543772]),
    ("rrelu", F.rrelu, [0.0], [(1 / 8 + 1 / 3) / 2]),
    ("prelu", lambda x: F.prelu(x, gk.tensor([0.25], dtype=gk.float64)), [0.0], [0.25]),
    ("softplus", lambda x: F.softplus(x, 2.0, 4.0), [2.0], [1 / (1 + np.exp(-4.0))]),
]


@pytest.mark.parametrize("name, fn, points, expected", KINKS, ids=[k[0] for k in KINKS])
def test_derivative_at_kinks(name, fn, points, expected):
    """NN-ACT: at a kink the derivative is the one PyTorch takes (checked against torch
    below; here against the known numbers)."""
    x = gk.tensor(np.array(points), requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)
    if torch is not None and name not in ("prelu",):
        t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
        theirs = {"rrelu": TF.rrelu, "relu6": TF.relu6, "relu": TF.relu, "selu": TF.selu,
                  "hardswish": TF.hardswish, "hardsigmoid": TF.hardsigmoid,
                  "leaky_relu": TF.leaky_relu}  # fmt: skip
        if name in theirs:
            theirs[name](t).sum().backward()
            np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


@requires_torch
def test_prelu_parity_per_channel_and_shared():
    """NN-ACT: PReLU's input and slope gradients (slope: Σ x·g over x ≤ 0) equal
    PyTorch's, per channel and shared, on 2-d and 4-d inputs."""
    for shape, n in (((4, 3), 3), ((2, 3, 4, 5), 3), ((2, 3, 4, 5), 1), ((5,), 1)):
        x, w = random_inputs([shape, (n,)], seed=7)
        assert_parity(F.prelu, TF.prelu, [x, np.abs(w) * 0.3])
        assert gradcheck(
            F.prelu, gk.tensor(x, requires_grad=True), gk.tensor(w, requires_grad=True)
        )
    with pytest.raises(ValueError, match="channel size"):
        F.prelu(gk.ones(2, 4), gk.ones(3))


def test_rrelu_training_draws_slopes_in_range():
    """NN-ACT: in training each negative input gets its own slope in [lower, upper], the
    gradient is that slope, positive inputs pass unchanged."""
    gk.manual_seed(0)
    x = gk.tensor(-np.linspace(0.5, 3.0, 200), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = y.data / x.data
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, slopes)
    assert F.rrelu(gk.tensor([2.0]), training=True).tolist() == [2.0]


@requires_torch
@pytest.mark.parametrize(
    "name, call",
    [("relu", lambda f, x: f.relu(x, inplace=True)),
     ("relu6", lambda f, x: f.relu6(x, inplace=True)),
     ("hardtanh", lambda f, x: f.hardtanh(x, -0.5, 0.5, inplace=True)),
     ("elu", lambda f, x: f.elu(x, 0.5, inplace=True)),
     ("selu", lambda f, x: f.selu(x, inplace=True)),
     ("celu", lambda f, x: f.celu(x, 2.0, inplace=True)),
     ("leaky_relu", lambda f, x: f.leaky_relu(x, 0.1, inplace=True)),
     ("threshold", lambda f, x: f.threshold(x, 0.2, 5.0, inplace=True)),
     ("hardswish", lambda f, x: f.hardswish(x, inplace=True)),
     ("hardsigmoid", lambda f, x: f.hardsigmoid(x, inplace=True)),
     ("silu", lambda f, x: f.silu(x, inplace=True)),
     ("mish", lambda f, x: f.mish(x, inplace=True))],
)  # fmt: skip
def test_inplace_writes_the_input_and_keeps_gradients(name, call):
    """NN-ACT: ``inplace=True`` returns the input tensor itself, changed, and the gradient
    through it is PyTorch's."""
    x0 = _inputs()[0]
    a, b = gk.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    h, th = a * 1.0, b * 1.0
    out, tout = call(F, h), call(TF, th)
    assert out is h
    np.testing.assert_allclose(h.data, th.detach().numpy(), rtol=1e-12)
    up = np.random.default_rng(0).standard_normal(x0.shape)
    out.backward(up)
    tout.backward(torch.tensor(up))
    rtol = 1e-7 if name == "hardsigmoid" else 1e-10  # PyTorch's float32 1/6 (see above)
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=1e-12)
    with pytest.raises(RuntimeError, match="leaf"):
        call(F, gk.tensor(x0, requires_grad=True))
    plain = gk.tensor(x0)
    assert call(F, plain) is plain  # no graph: changed in place
    np.testing.assert_allclose(plain.data, th.detach().numpy(), rtol=1e-12)


@requires_torch
def test_softmax_dim_dtype_and_implicit_dim():
    """NN-ACT: softmax's ``dtype`` casts first; without ``dim`` PyTorch's implicit choice
    (0 for 0-, 1- and 3-d input, else 1) with its warning; ``axis=`` still works."""
    x = random_inputs([(2, 3, 4)], dtype=np.float32)[0]
    for fn in ("softmax", "log_softmax", "softmin"):
        ours = getattr(F, fn)(gk.tensor(x), dim=1, dtype=gk.float64)
        theirs = getattr(TF, fn)(torch.tensor(x), dim=1, dtype=torch.float64)
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
        for shape in ((4,), (2, 3, 4), (2, 3), (2, 3, 2, 2)):
            arr = x.reshape(-1)[: int(np.prod(shape))].reshape(shape)
            with pytest.warns(UserWarning, match="Implicit dimension choice"):
                ours = getattr(F, fn)(gk.tensor(arr))
            with pytest.warns(UserWarning):
                theirs = getattr(TF, fn)(torch.tensor(arr))
            np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
    np.testing.assert_allclose(
        F.softmax(gk.tensor(x), axis=0).data, TF.softmax(torch.tensor(x), 0).numpy(), rtol=1e-6
    )
    scalar = F.softmax(gk.tensor(3.0), dim=0)
    assert scalar.shape == () and scalar.item() == 1.0
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(gk.tensor(x), dim=3)
    with pytest.raises(TypeError, match="floating-point"):
        F.softmax(gk.tensor([1, 2]), dim=0)


def test_activation_errors_name_the_problem():
    with pytest.raises(ValueError, match="halving dimension must be even"):
        F.glu(gk.ones(2, 3))
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(gk.ones(2), 1.0, -1.0)
    with pytest.raises(ValueError, match="lambd must be greater or equal to 0"):
        F.softshrink(gk.ones(2), -1.0)
    with pytest.raises(TypeError, match="floating-point"):
        F.selu(gk.tensor([1, 2]))
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(gk.ones(2), approximate="fast")
    # integers: relu, relu6, hardtanh and threshold keep the dtype, as in PyTorch
    ints = gk.tensor([-3, 2, 9])
    assert F.relu6(ints).tolist() == [0, 2, 6] and F.relu6(ints).dtype == np.int64
    assert F.threshold(ints, 1, 20).tolist() == [20, 2, 9]


MODULES = [
    ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 2.0, True), {}), ("ReLU6", (), {}),
    ("ReLU6", (True,), {}), ("Hardswish", (True,), {}), ("Hardsigmoid", (), {}),
    ("Mish", (), {}), ("Mish", (True,), {}), ("CELU", (), {}), ("CELU", (2.0, True), {}),
    ("SELU", (), {}), ("SELU", (True,), {}), ("LogSigmoid", (), {}), ("Softplus", (), {}),
    ("Softplus", (2, 10), {}), ("Softsign", (), {}), ("Tanhshrink", (), {}),
    ("Softshrink", (), {}), ("Hardshrink", (0.3,), {}), ("Threshold", (0.1, 20), {}),
    ("Threshold", (0.1, 20, True), {}), ("GLU", (), {}), ("GLU", (1,), {}), ("GELU", (), {}),
    ("GELU", ("tanh",), {}), ("SiLU", (), {}), ("SiLU", (True,), {}), ("ReLU", (True,), {}),
    ("LeakyReLU", (0.2, True), {}), ("ELU", (0.5,), {}), ("RReLU", (), {}),
    ("RReLU", (0.1, 0.3, True), {}), ("Softmin", (), {"dim": 1}), ("Softmax", (), {"dim": 2}),
    ("LogSoftmax", (1,), {}), ("Sigmoid", (), {}), ("Tanh", (), {}), ("Identity", (3,), {}),
    ("CosineSimilarity", (), {}), ("PairwiseDistance", (1, 1e-5, True), {}),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("name, args, kw", MODULES, ids=[f"{m[0]}{m[1]}" for m in MODULES])
def test_activation_layers_match_torch(name, args, kw):
    """NN-ACT: every layer prints as PyTorch's (its ``extra_repr``) and computes the same
    in evaluation mode."""
    ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    ours.eval()
    theirs.eval()
    if name in ("CosineSimilarity", "PairwiseDistance"):
        assert_parity(ours, theirs, random_inputs([(3, 4, 5), (3, 4, 5)]))
    elif getattr(theirs, "inplace", False):  # in place on a non-leaf, as PyTorch requires
        assert_parity(lambda x: ours(x * 1.0), lambda x: theirs(x * 1.0), [_inputs()[0]])
    else:
        assert_parity(ours, theirs, [_inputs()[0]])


@requires_torch
def test_prelu_layer_matches_torch():
    """NN-ACT: nn.PReLU's parameters (one per channel), repr, output and gradients."""
    for n in (1, 3):
        ours, theirs = nn.PReLU(n, init=0.1), torch.nn.PReLU(n, init=0.1)
        assert repr(ours) == repr(theirs)
        assert [p.shape for p in ours.parameters()] == [(n,)]
        x = random_inputs([(2, 3, 4)])[0]
        a, b = gk.tensor(x), torch.tensor(x)
        up = np.random.default_rng(2).standard_normal(x.shape)
        ours(a).backward(up.astype(np.float32))
        theirs(b.float()).backward(torch.tensor(up, dtype=torch.float32))
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-5)


def test_keras_names_use_the_last_axis():
    """NN-ACT: ``get_activation("softmax")`` normalizes the last axis (Keras), even on
    3-d input where PyTorch's implicit choice would be axis 0."""
    x = gk.tensor(random_inputs([(2, 3, 4)])[0])
    np.testing.assert_allclose(
        nn.get_activation("softmax")(x).data.sum(-1), np.ones((2, 3)), rtol=1e-12
    )
    for name in ("relu6", "selu", "mish", "hard_sigmoid", "log_sigmoid"):
        assert callable(nn.get_activation(name))


@requires_torch
@pytest.mark.parametrize(
    "name",
    ["pad", "interpolate", "hardtanh", "relu6", "hardswish", "hardsigmoid", "mish", "celu",
     "selu", "elu", "tanhshrink", "threshold", "glu", "silu", "rrelu", "softmin", "softmax",
     "log_softmax", "normalize", "embedding", "dropout", "leaky_relu", "relu", "softsign"],
)  # fmt: skip
def test_functional_signatures_match_torch(name):
    """T-TENSOR: positional order and keyword names as in ``torch.nn.functional`` (the
    functions PyTorch writes in Python; its builtins have no signature to compare)."""
    theirs = list(inspect.signature(getattr(TF, name)).parameters)
    ours = list(inspect.signature(getattr(F, name)).parameters)
    assert ours[: len(theirs)] == theirs
