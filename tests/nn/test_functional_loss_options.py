"""L-COST, L-XENT, L-CCE, L-LOGISTIC, L-HINGE, L-LSE (issue 24): the options and edges of
``gradkit.nn.functional``'s losses that the parity tables leave out — the default
reduction, dtype handling of the target, probabilities at the ends of [0, 1], the
logistic loss near softplus' threshold, ``label_smoothing=1``, class weights on a single
sample, and errors that name the loss and the argument at fault. Oracle: PyTorch in
float64."""

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(11)
X = RNG.normal(size=(5, 3))
Y = RNG.normal(size=(5, 3))
SIGNS = np.where(RNG.random((5, 3)) > 0.5, 1.0, -1.0)
BITS = (RNG.random((5, 3)) > 0.5).astype(np.float64)
P = 1 / (1 + np.exp(-X))


def _torch_reduce(losses, reduction="mean"):
    return {"mean": losses.mean, "sum": losses.sum, "none": lambda: losses}[reduction]()


# name: (gradkit loss, torch reference of (input, target, **kw), input, target)
PAIRS = {
    "mse_loss": (F.mse_loss, TF.mse_loss, X, Y),
    "l1_loss": (F.l1_loss, TF.l1_loss, X, Y),
    "least_squares_loss": (
        F.least_squares_loss,
        lambda x, y, **kw: _torch_reduce(0.5 * (x - y) ** 2, **kw),
        X,
        Y,
    ),
    "logistic_loss": (
        F.logistic_loss,
        lambda x, y, **kw: _torch_reduce(torch.log1p(torch.exp(-y * x)), **kw),
        X,
        SIGNS,
    ),
    "soft_margin_loss": (F.soft_margin_loss, TF.soft_margin_loss, X, SIGNS),
    "hinge_loss": (
        F.hinge_loss,
        lambda x, y, **kw: _torch_reduce(torch.clamp(1 - y * x, min=0), **kw),
        X,
        SIGNS,
    ),
    "squared_hinge_loss": (
        F.squared_hinge_loss,
        lambda x, y, **kw: _torch_reduce(torch.clamp(1 - y * x, min=0) ** 2, **kw),
        X,
        SIGNS,
    ),
    "binary_cross_entropy": (F.binary_cross_entropy, TF.binary_cross_entropy, P, BITS),
    "binary_cross_entropy_with_logits": (
        F.binary_cross_entropy_with_logits,
        TF.binary_cross_entropy_with_logits,
        X,
        BITS,
    ),
}


@pytest.mark.parametrize("name", PAIRS)
def test_l_cost_default_reduction_is_the_mean(name):
    """L-COST: without ``reduction=`` every loss is the mean of the per-element losses."""
    ours, theirs, x, y = PAIRS[name]
    got = ours(gk.tensor(x), gk.tensor(y))
    want = theirs(torch.tensor(x), torch.tensor(y))
    assert got.shape == ()
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)


@pytest.mark.parametrize("name", PAIRS)
def test_l_cost_target_takes_the_input_dtype(name):
    """L-COST: a float64 or integer target against a float32 input gives a float32 loss
    (the target is cast to the input's dtype, as PyTorch's same-dtype losses expect)."""
    ours, theirs, x, y = PAIRS[name]
    x32 = x.astype(np.float32)
    want = theirs(torch.tensor(x32.astype(np.float64)), torch.tensor(y), reduction="none")
    for target in (y, y.astype(np.int64) if name != "mse_loss" else np.round(y).astype(np.int64)):
        xg = gk.tensor(x32, requires_grad=True)
        out = ours(xg, gk.tensor(target), reduction="none")
        assert out.dtype == np.float32
        out.sum().backward()
        assert xg.grad.dtype == np.float32
    got = ours(gk.tensor(x32), gk.tensor(y), reduction="none")
    np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("name", PAIRS)
def test_l_cost_shape_errors_name_the_loss(name):
    ours, _, x, y = PAIRS[name]
    with pytest.raises(ValueError, match=rf"^{name}: input shape \(5, 3\) and target shape"):
        ours(gk.tensor(x), gk.tensor(y[:, :2]))


@pytest.mark.parametrize("name", PAIRS)
def test_l_cost_complex_target_is_refused(name):
    ours, _, x, y = PAIRS[name]
    with pytest.raises(TypeError, match=rf"^{name}: target must be real, got dtype complex128"):
        ours(gk.tensor(x), gk.tensor(y + 0j))


@pytest.mark.parametrize("name", ["logistic_loss", "hinge_loss", "squared_hinge_loss"])
def test_l_hinge_sign_errors_name_the_loss(name):
    ours, _, x, _ = PAIRS[name]
    with pytest.raises(ValueError, match=rf"^{name}: targets must be -1 or \+1"):
        ours(gk.tensor(x), gk.tensor(BITS))


@pytest.mark.parametrize("name", ["logistic_loss", "soft_margin_loss"])
@pytest.mark.parametrize("margin", [19.5, 20.5, 25.0, -20.5])
def test_l_logistic_is_exact_past_softplus_threshold(name, margin):
    """L-LOGISTIC: ln(1 + e^{−yx}) has no linear cut-off (PyTorch's soft_margin_loss is
    log1p(exp(·)) exactly); at −yx = 20.5 the cut would lose 1.25e-9."""
    ours = PAIRS[name][0]
    x = np.array([-margin, margin])
    y = np.array([1.0, -1.0])
    xg = gk.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    got = ours(xg, gk.tensor(y), reduction="sum")
    want = TF.soft_margin_loss(xt, torch.tensor(y), reduction="sum")
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-15)
    got.backward()
    want.backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-15)


def test_l_xent_probabilities_at_zero_and_one_match_torch():
    """L-XENT: probabilities 0 and 1 are valid input (logs clamped at −100); 1.5 is not."""
    x = np.array([0.0, 1.0, 0.5, 0.0, 1.0])
    y = np.array([0.0, 1.0, 1.0, 0.3, 0.6])
    got = F.binary_cross_entropy(gk.tensor(x), gk.tensor(y), reduction="none")
    want = TF.binary_cross_entropy(torch.tensor(x), torch.tensor(y), reduction="none")
    np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-12)
    for bad in (1.5, -0.25):
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.binary_cross_entropy(gk.tensor([bad]), gk.tensor([1.0]))


WEIGHTED = [
    ("binary_cross_entropy", F.binary_cross_entropy, P, "weight"),
    ("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits, X, "weight"),
    ("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits, X, "pos_weight"),
]


@pytest.mark.parametrize(("name", "fn", "x", "arg"), WEIGHTED)
@pytest.mark.parametrize("shape", [(2,), (5, 2), (1, 5, 3), (4, 1)])
def test_l_xent_weights_that_do_not_broadcast_are_refused(name, fn, x, arg, shape):
    """L-XENT: a ``weight``/``pos_weight`` that does not broadcast to the input (or has
    more axes than it) is a clear error naming the loss and the argument."""
    with pytest.raises(ValueError, match=rf"^{name}: {arg} of shape {re_shape(shape)} does not"):
        fn(gk.tensor(x), gk.tensor(BITS), **{arg: gk.tensor(np.ones(shape))})


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


@pytest.mark.parametrize(("name", "fn", "x", "arg"), WEIGHTED)
@pytest.mark.parametrize("shape", [(3,), (5, 1), (1, 3), (5, 3), ()])
def test_l_xent_weights_that_broadcast_match_torch(name, fn, x, arg, shape):
    w = np.random.default_rng(4).uniform(0.5, 2.0, shape)
    tfn = getattr(TF, name)
    got = fn(gk.tensor(x), gk.tensor(BITS), reduction="none", **{arg: gk.tensor(w)})
    want = tfn(torch.tensor(x), torch.tensor(BITS), reduction="none", **{arg: torch.tensor(w)})
    np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-12)


def test_l_cce_label_smoothing_bounds():
    """L-CCE: ε = 1 (uniform targets) is allowed and matches PyTorch; ε > 1 is refused."""
    x = RNG.normal(size=(4, 3))
    t = np.array([0, 1, 2, 1])
    p = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    for target in (t, p):
        got = F.cross_entropy(gk.tensor(x), gk.tensor(target), label_smoothing=1.0)
        want = TF.cross_entropy(torch.tensor(x), torch.tensor(target), label_smoothing=1.0)
        np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
        for eps in (1.5, -0.1):
            with pytest.raises(ValueError, match="label_smoothing must be in"):
                F.cross_entropy(gk.tensor(x), gk.tensor(target), label_smoothing=eps)


def test_l_cce_single_sample_probabilities_with_class_weight():
    """L-CCE: a (C,) input with (C,) class probabilities and a class weight, as PyTorch."""
    x = np.array([0.3, -1.2, 2.0])
    p = np.array([0.2, 0.5, 0.3])
    w = np.array([1.0, 2.0, 3.0])
    xg = gk.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    got = F.cross_entropy(xg, gk.tensor(p), weight=gk.tensor(w))
    want = TF.cross_entropy(xt, torch.tensor(p), weight=torch.tensor(np.array(w)))
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    got.backward()
    want.backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_l_cce_probability_targets_keep_the_input_dtype():
    x = RNG.normal(size=(4, 3)).astype(np.float32)
    p = np.full((4, 3), 1 / 3)  # float64
    xg = gk.tensor(x, requires_grad=True)
    out = F.cross_entropy(xg, gk.tensor(p), reduction="none")
    assert out.dtype == np.float32
    want = TF.cross_entropy(torch.tensor(x), torch.tensor(p, dtype=torch.float32), reduction="none")
    np.testing.assert_allclose(out.detach().numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll_loss"])
def test_l_cce_class_weight_of_wrong_length_is_refused(fn):
    x = gk.tensor(RNG.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"^weight must have shape \(3,\), got \(4,\)"):
        fn(x, gk.tensor(np.array([0, 1, 2, 1])), weight=gk.ones(4))
    if fn is F.cross_entropy:
        with pytest.raises(ValueError, match=r"^weight must have shape \(3,\), got \(2,\)"):
            fn(x, gk.tensor(np.full((4, 3), 1 / 3)), weight=gk.ones(2))


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_l_cce_target_errors_name_the_loss(name):
    fn = getattr(F, name)
    x = gk.tensor(RNG.normal(size=(4, 3)))
    with pytest.raises(IndexError, match=rf"^{name}: target 3 is out of bounds for 3 classes"):
        fn(x, gk.tensor(np.array([0, 1, 2, 3])))
    with pytest.raises(ValueError, match=rf"^{name}: input shape \(4, 3\) needs class-index"):
        fn(x, gk.tensor(np.array([0, 1])))
    with pytest.raises(TypeError, match=rf"^{name}: target must"):
        fn(x, gk.tensor(np.array([True, False, True, True])))
    with pytest.raises(ValueError, match=rf"^{name}: input needs a class axis"):
        fn(gk.tensor(1.0), gk.tensor(np.array(0)))


def test_l_cce_probability_target_shape_error_names_the_form():
    x = gk.tensor(RNG.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"^cross_entropy \(class probabilities\): input shape"):
        F.cross_entropy(x, gk.tensor(np.full((4, 2), 0.5)))


def test_l_cce_unsigned_targets_match_torch():
    x = RNG.normal(size=(4, 3))
    t = np.array([0, 2, 1, 2])
    got = F.cross_entropy(gk.tensor(x), gk.tensor(t.astype(np.uint8)))
    want = TF.cross_entropy(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    got = F.nll_loss(gk.tensor(x), gk.tensor(t.astype(np.uint8)))
    want = TF.nll_loss(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)


def test_l_cost_numpy_arrays_and_lists_are_accepted():
    """L-COST: inputs, targets and class weights given as NumPy arrays or lists act as
    tensors (``as_tensor`` / ``constant``)."""
    np.testing.assert_allclose(
        F.mse_loss(X, Y).item(), TF.mse_loss(torch.tensor(X), torch.tensor(Y)).item(), rtol=1e-12
    )
    x = RNG.normal(size=(4, 3))
    t = [0, 2, 1, 2]
    w = [0.5, 2.0, 1.5]
    got = F.cross_entropy(x, t, weight=w)
    want = TF.cross_entropy(torch.tensor(x), torch.tensor(t), weight=torch.tensor(np.array(w)))
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    got = F.binary_cross_entropy_with_logits(X, BITS, pos_weight=[0.5, 2.0, 3.0])
    want = TF.binary_cross_entropy_with_logits(
        torch.tensor(X), torch.tensor(BITS), pos_weight=torch.tensor(np.array([0.5, 2.0, 3.0]))
    )
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
