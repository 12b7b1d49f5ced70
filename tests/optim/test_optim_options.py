"""O-ADAPTIVE, O-MOMENTUM, O-SGD (issue 24): each optimizer's defaults and every option
combination (weight decay with maximize, amsgrad, nesterov, centered, lr_decay, ...)
against torch.optim over a few steps on a quadratic-plus-sine objective."""

import numpy as np
import pytest

import gradkit as gk
import gradkit.optim as gopt

torch = pytest.importorskip("torch")

GRID = {
    "SGD": [
        {"lr": 0.05},
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.1},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
        {"lr": 0.05, "weight_decay": 0.1, "maximize": True},
        {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1, "maximize": True},
    ],
    "Adam": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-3},
        {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True},
        {"lr": 0.05, "weight_decay": 0.1, "maximize": True},
        {"lr": 0.05, "amsgrad": True, "maximize": True},
    ],
    "AdamW": [
        {},  # default weight_decay=1e-2 (not Adam's 0)
        {"lr": 0.05},
        {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True},
        {"lr": 0.05, "weight_decay": 0.3, "maximize": True},
    ],
    "RMSprop": [
        {},
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-4, "weight_decay": 0.1},
        {"lr": 0.01, "momentum": 0.9, "centered": True},
        {"lr": 0.01, "weight_decay": 0.1, "maximize": True, "momentum": 0.5},
    ],
    "Adagrad": [
        {},
        {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-3},
        {"lr": 0.1, "weight_decay": 0.1, "maximize": True},
    ],
}


def objective(lib, w):
    return ((w - 1.0) ** 2).sum() + lib.sin(3.0 * w).sum()


@pytest.mark.parametrize(
    ("name", "kw"), [(n, kw) for n, kws in GRID.items() for kw in kws], ids=str
)
def test_optimizer_options_match_torch(name, kw):
    w0 = np.array([0.3, -1.2, 2.0, 0.7])
    wg = gk.tensor(w0.copy(), requires_grad=True)
    wt = torch.tensor(w0.copy(), requires_grad=True)
    og = getattr(gopt, name)([wg], **kw)
    ot = getattr(torch.optim, name)([wt], **kw)
    for _ in range(6):
        og.zero_grad()
        ot.zero_grad()
        objective(gk, wg).backward()
        objective(torch, wt).backward()
        og.step()
        ot.step()
        np.testing.assert_allclose(wg.detach().numpy(), wt.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", list(GRID))
def test_optimizer_defaults_match_torch(name):
    ours = getattr(gopt, name)([gk.tensor([1.0], requires_grad=True)]).defaults
    ref = getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)]).defaults
    for k, v in ours.items():
        if k in ref:
            assert v == ref[k], (name, k, v, ref[k])


def test_adamw_default_weight_decay_shrinks_at_zero_gradient():
    # zero gradient: AdamW still decays w by lr * weight_decay per step (decoupled)
    w = gk.tensor([2.0], dtype=gk.float64, requires_grad=True)
    opt = gopt.AdamW([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (w * 0.0).sum().backward()
        opt.step()
    assert w.item() == pytest.approx(2.0 * (1 - 0.1 * 1e-2) ** 3, rel=1e-12)
