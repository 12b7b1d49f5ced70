"""Losses against PyTorch and finite differences, for every reduction (concepts L-LSE,
L-LOGISTIC, L-HINGE, L-XENT, L-CCE, L-COST, NN-L1L2); test ids name the loss."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from gradkit.autograd import gradcheck
from gradkit.nn import functional as F
from parity import assert_parity, requires_torch, torch

TF = None if torch is None else torch.nn.functional

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((6, 4)) * 2
LOGITS_3D = RNG.standard_normal((3, 4, 5))
CLASSES = np.array([0, 3, 1, 1, 2, 3])
CLASSES_IGNORED = np.array([0, -100, 1, 3, -100, 2])
CLASSES_3D = RNG.integers(0, 4, size=(3, 5))
PROBS = np.exp(RNG.standard_normal((6, 4)))
PROBS /= PROBS.sum(axis=1, keepdims=True)
WEIGHT = np.array([0.5, 2.0, 1.0, 0.3])
X = RNG.standard_normal((5, 3))
Y = RNG.standard_normal((5, 3))
SIGNS = RNG.choice([-1.0, 1.0], size=(5, 3))
P = 1 / (1 + np.exp(-X))
BITS = (RNG.random((5, 3)) > 0.5).astype(np.float64)
SOFT_BITS = RNG.random((5, 3))

W_T = None if torch is None else torch.tensor(WEIGHT)


def _tf(name):
    """``torch.nn.functional.<name>``, looked up when called: test_loss_gradcheck reads the
    table below where torch is absent."""
    return lambda *args, **kwargs: getattr(TF, name)(*args, **kwargs)


def _torch_reduce(losses, reduction):
    return {"mean": losses.mean, "sum": losses.sum, "none": lambda: losses}[reduction]()


def _torch_logistic(x, y, reduction="mean"):
    """ln(1 + exp(−y x)); torch's soft_margin_loss does not differentiate the target."""
    return _torch_reduce(TF.softplus(-y * x), reduction)


W_G = gk.tensor(WEIGHT)

# (id, gradkit fn of (input, target, reduction), torch fn of the same, arrays)
CASES = [
    ("MSELoss-L-LSE", F.mse_loss, _tf("mse_loss"), [X, Y]),
    ("L1Loss", F.l1_loss, _tf("l1_loss"), [X, Y]),
    (
        "LeastSquaresLoss-L-LSE",
        F.least_squares_loss,
        lambda x, y, reduction: _torch_reduce(0.5 * (y - x) ** 2, reduction),
        [X, Y],
    ),
    ("LogisticLoss-L-LOGISTIC", F.logistic_loss, _torch_logistic, [X * 30, SIGNS]),
    ("SoftMarginLoss-L-LOGISTIC", F.soft_margin_loss, _torch_logistic, [X, Y]),
    (
        "HingeLoss-L-HINGE",
        F.hinge_loss,
        lambda x, y, reduction: _torch_reduce(torch.clamp(1 - y * x, min=0), reduction),
        [X * 2, SIGNS],
    ),
    (
        "SquaredHingeLoss-L-HINGE",
        F.squared_hinge_loss,
        lambda x, y, reduction: _torch_reduce(torch.clamp(1 - y * x, min=0) ** 2, reduction),
        [X * 2, SIGNS],
    ),
    ("BCELoss-L-XENT", F.binary_cross_entropy, _tf("binary_cross_entropy"), [P, SOFT_BITS]),
    (
        "BCELoss-weight-L-XENT",
        lambda x, y, reduction: F.binary_cross_entropy(x, y, gk.tensor(X[0] ** 2), reduction),
        lambda x, y, reduction: TF.binary_cross_entropy(
            x, y, torch.tensor(X[0] ** 2), reduction=reduction
        ),
        [P, BITS],
    ),
    (
        "BCEWithLogitsLoss-L-XENT",
        F.binary_cross_entropy_with_logits,
        _tf("binary_cross_entropy_with_logits"),
        [X * 3, SOFT_BITS],
    ),
    (
        "BCEWithLogitsLoss-pos_weight-weight-L-XENT",
        lambda x, y, reduction: F.binary_cross_entropy_with_logits(
            x,
            y,
            gk.tensor(Y[:, :1] ** 2),
            reduction,
            pos_weight=gk.tensor(np.array([0.5, 2.0, 3.0])),
        ),
        lambda x, y, reduction: TF.binary_cross_entropy_with_logits(
            x,
            y,
            torch.tensor(Y[:, :1] ** 2),
            reduction=reduction,
            pos_weight=torch.tensor([0.5, 2.0, 3.0]),
        ),
        [X * 3, SOFT_BITS],
    ),
    ("CrossEntropyLoss-L-CCE", F.cross_entropy, _tf("cross_entropy"), [LOGITS, CLASSES]),
    ("CrossEntropyLoss-KD-L-CCE", F.cross_entropy, _tf("cross_entropy"), [LOGITS_3D, CLASSES_3D]),
    (
        "CrossEntropyLoss-single-sample-L-CCE",
        F.cross_entropy,
        _tf("cross_entropy"),
        [LOGITS[0], np.array(2)],
    ),
    (
        "CrossEntropyLoss-weight-ignore_index-L-CCE",
        lambda x, t, reduction: F.cross_entropy(x, t, W_G, reduction=reduction),
        lambda x, t, reduction: TF.cross_entropy(x, t, W_T, reduction=reduction),
        [LOGITS, CLASSES_IGNORED],
    ),
    (
        "CrossEntropyLoss-label_smoothing-L-CCE",
        lambda x, t, reduction: F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.2),
        lambda x, t, reduction: TF.cross_entropy(x, t, reduction=reduction, label_smoothing=0.2),
        [LOGITS, CLASSES_IGNORED],
    ),
    (
        "CrossEntropyLoss-weight-smoothing-KD-L-CCE",
        lambda x, t, reduction: F.cross_entropy(
            x, t, W_G, ignore_index=1, reduction=reduction, label_smoothing=0.1
        ),
        lambda x, t, reduction: TF.cross_entropy(
            x, t, W_T, ignore_index=1, reduction=reduction, label_smoothing=0.1
        ),
        [LOGITS_3D, CLASSES_3D],
    ),
    (
        "CrossEntropyLoss-probabilities-L-CCE",
        F.cross_entropy,
        _tf("cross_entropy"),
        [LOGITS, PROBS],
    ),
    (
        "CrossEntropyLoss-probabilities-weight-smoothing-L-CCE",
        lambda x, p, reduction: F.cross_entropy(
            x, p, W_G, reduction=reduction, label_smoothing=0.3
        ),
        lambda x, p, reduction: TF.cross_entropy(
            x, p, W_T, reduction=reduction, label_smoothing=0.3
        ),
        [LOGITS, PROBS],
    ),
    ("NLLLoss", F.nll_loss, _tf("nll_loss"), [LOGITS, CLASSES]),
    (
        "NLLLoss-weight-ignore_index-KD",
        lambda x, t, reduction: F.nll_loss(x, t, W_G, ignore_index=2, reduction=reduction),
        lambda x, t, reduction: TF.nll_loss(x, t, W_T, ignore_index=2, reduction=reduction),
        [LOGITS_3D, CLASSES_3D],
    ),
]


@requires_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "gk_fn, torch_fn, arrays", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_loss_parity_L_COST(gk_fn, torch_fn, arrays, reduction):
    assert_parity(
        lambda *a: gk_fn(*a, reduction=reduction),
        lambda *a: torch_fn(*a, reduction=reduction),
        arrays,
    )


@pytest.mark.parametrize("gk_fn, arrays", [(c[1], c[3]) for c in CASES], ids=[c[0] for c in CASES])
def test_loss_gradcheck(gk_fn, arrays):
    signed = arrays[1] is SIGNS  # labels must stay ±1: check the input gradient only
    tensors = [
        gk.tensor(a, requires_grad=a.dtype.kind == "f" and not (signed and i))
        for i, a in enumerate(arrays)
    ]
    assert gradcheck(lambda *a: gk_fn(*a, reduction="none"), *tensors)


# (gradkit loss module, a function building its torch reference, arrays)
MODULES = [
    (nn.MSELoss(), lambda: torch.nn.MSELoss(), [X, Y]),
    (nn.L1Loss(reduction="sum"), lambda: torch.nn.L1Loss(reduction="sum"), [X, Y]),
    (nn.LogisticLoss(), lambda: _torch_logistic, [X, SIGNS]),
    (
        nn.SoftMarginLoss(reduction="sum"),
        lambda: lambda x, y: _torch_logistic(x, y, "sum"),
        [X, SIGNS],
    ),
    (nn.BCELoss(), lambda: torch.nn.BCELoss(), [P, BITS]),
    (
        nn.BCEWithLogitsLoss(pos_weight=gk.tensor(np.array([2.0, 1.0, 0.5]))),
        lambda: torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 1.0, 0.5])),
        [X, BITS],
    ),
    (
        nn.CrossEntropyLoss(W_G, label_smoothing=0.1),
        lambda: torch.nn.CrossEntropyLoss(W_T, label_smoothing=0.1),
        [LOGITS, CLASSES],
    ),
    (nn.NLLLoss(reduction="none"), lambda: torch.nn.NLLLoss(reduction="none"), [LOGITS, CLASSES]),
]


@requires_torch
@pytest.mark.parametrize(
    "gk_loss, torch_loss, arrays", MODULES, ids=[type(m[0]).__name__ for m in MODULES]
)
def test_loss_modules_parity_L_COST(gk_loss, torch_loss, arrays):
    assert_parity(gk_loss, torch_loss(), arrays)


def test_hinge_and_least_squares_closed_forms_L_HINGE_L_LSE():
    z = gk.tensor([2.0, 0.5, -1.0])
    y = gk.tensor([1.0, 1.0, 1.0])
    np.testing.assert_allclose(
        F.hinge_loss(z, y, reduction="none").detach().numpy(), [0.0, 0.5, 2.0]
    )
    np.testing.assert_allclose(F.least_squares_loss(z, y, reduction="sum").item(), 2.625)
    np.testing.assert_allclose(
        F.logistic_loss(z, y, reduction="none").detach().numpy(),
        np.log1p(np.exp(-z.detach().numpy())),
        rtol=1e-6,
    )


def test_cross_entropy_is_stable_for_huge_logits_L_CCE():
    x = gk.tensor(np.array([[1000.0, -1000.0], [-1e4, 1e4]]), requires_grad=True)
    loss = F.cross_entropy(x, gk.tensor(np.array([1, 1])))
    loss.backward()
    np.testing.assert_allclose(loss.item(), 1000.0)
    assert np.isfinite(x.grad.detach().numpy()).all()
    z = gk.tensor(np.array([800.0, -800.0]), requires_grad=True)
    bce = F.binary_cross_entropy_with_logits(z, gk.tensor(np.array([0.0, 1.0])), reduction="sum")
    bce.backward()
    np.testing.assert_allclose(bce.item(), 1600.0)
    np.testing.assert_allclose(z.grad.detach().numpy(), [1.0, -1.0])


def test_losses_keep_float32_L_COST():
    x = gk.randn(8, 5, requires_grad=True)
    t = gk.tensor(np.arange(8) % 5)
    for loss in (
        F.cross_entropy(x, t),
        F.cross_entropy(x, t, weight=gk.tensor(np.ones(5)), label_smoothing=0.1),
        F.nll_loss(x, t),
        F.mse_loss(x, gk.zeros(8, 5)),
        F.binary_cross_entropy_with_logits(x, gk.zeros(8, 5), pos_weight=gk.tensor(np.ones(5))),
    ):
        assert loss.dtype == np.float32
        loss.backward()
        assert x.grad.dtype == np.float32


def test_loss_errors_are_clear():
    x = gk.randn(4, 3)
    with pytest.raises(IndexError, match="target 3 is out of bounds for 3 classes"):
        F.cross_entropy(x, gk.tensor(np.array([0, 1, 2, 3])))
    with pytest.raises(ValueError, match=r"input shape \(4, 3\).*target shape \(4, 2\)"):
        F.cross_entropy(x, gk.tensor(np.zeros((4, 2), dtype=np.int64)))
    with pytest.raises(ValueError, match=r"input shape \(4, 3\) and target shape \(3,\)"):
        F.mse_loss(x, gk.zeros(3))
    with pytest.raises(ValueError, match="'none', 'mean', 'sum'.*'avg'"):
        F.l1_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="'none', 'mean', 'sum'"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(x, gk.zeros(4, 3))
    with pytest.raises(ValueError, match="-1 or \\+1"):
        F.hinge_loss(x, gk.zeros(4, 3))
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(x, gk.tensor(np.zeros(4, dtype=np.int64)), weight=gk.ones(4))


def test_penalties_NN_L1L2():
    w = gk.tensor(np.array([[1.0, -2.0], [3.0, 0.5]]), requires_grad=True)
    b = gk.tensor(np.array([-1.0, 2.0]), requires_grad=True)
    l1 = F.l1_penalty([w, b])
    l2 = F.l2_penalty(p for p in [w, b])
    assert l1.item() == pytest.approx(9.5) and l2.item() == pytest.approx(19.25)
    (l1 + 0.5 * l2).backward()
    np.testing.assert_allclose(
        w.grad.detach().numpy(), np.sign(w.detach().numpy()) + w.detach().numpy()
    )
    np.testing.assert_allclose(
        b.grad.detach().numpy(), np.sign(b.detach().numpy()) + b.detach().numpy()
    )
    with pytest.raises(ValueError, match="no parameters"):
        F.l2_penalty([])
