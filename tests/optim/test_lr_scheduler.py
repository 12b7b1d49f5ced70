"""Learning-rate schedules follow PyTorch's exactly (concept NN-LR)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit as gk
from gradkit import optim
from gradkit.optim import lr_scheduler
from parity import requires_torch, torch

STEPS = 50


def warmup(epoch):
    return min(1.0, (epoch + 1) / 10)


SCHEDULERS = {
    "StepLR": dict(step_size=7, gamma=0.5),
    "MultiStepLR": dict(milestones=[5, 12, 12, 30], gamma=0.3),
    "ExponentialLR": dict(gamma=0.93),
    "CosineAnnealingLR": dict(T_max=15, eta_min=1e-3),  # 50 steps: past T_max, it climbs
    "LinearLR": dict(start_factor=0.1, end_factor=1.0, total_iters=10),
    "LinearLR-decay": dict(start_factor=1.0, end_factor=0.2, total_iters=20),
    "LambdaLR": dict(lr_lambda=warmup),
}


def groups(lib):
    make = (
        (lambda: gk.zeros(2, requires_grad=True))
        if lib is optim
        else (lambda: torch.zeros(2, requires_grad=True))
    )
    return [{"params": [make()]}, {"params": [make()], "lr": 0.03}]


def lr_sequence(lib, sched_module, name, kwargs):
    opt = lib.SGD(groups(lib), lr=0.1, momentum=0.9)
    sched = getattr(sched_module, name.split("-")[0])(opt, **kwargs)
    seq = [sched.get_last_lr()]
    for _ in range(STEPS):
        opt.step()
        sched.step()
        seq.append(sched.get_last_lr())
        assert seq[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(seq)


@requires_torch
@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    """NN-LR: 50 steps of each schedule, two parameter groups, equal to torch's."""
    ours = lr_sequence(optim, lr_scheduler, name, SCHEDULERS[name])
    theirs = lr_sequence(torch.optim, torch.optim.lr_scheduler, name, SCHEDULERS[name])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    assert len(np.unique(ours[:, 0])) > 2  # the schedule really changes the rate


def test_cosine_matches_closed_form():
    """NN-LR: the recursive cosine update equals the closed form within one period."""
    opt = optim.SGD([gk.zeros(1, requires_grad=True)], lr=0.5)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.01)
    for t in range(1, 21):
        sched.step()
        expected = 0.01 + (0.5 - 0.01) * (1 + math.cos(math.pi * t / 20)) / 2
        assert sched.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)


def plateau_sequence(lib, sched_module, metrics, **kwargs):
    opt = lib.SGD(groups(lib), lr=0.1)
    sched = sched_module.ReduceLROnPlateau(opt, **kwargs)
    out = []
    for m in metrics:
        opt.step()
        sched.step(m)
        out.append(sched.get_last_lr())
    return np.array(out)


@requires_torch
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(mode="min", factor=0.5, patience=2, threshold=1e-2, cooldown=1, min_lr=0.004),
        dict(mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs"),
        dict(mode="min", factor=0.5, patience=0, min_lr=[0.02, 0.001]),
    ],
)
def test_reduce_on_plateau_matches_torch(kwargs):
    """NN-LR: ReduceLROnPlateau cuts the rate at the same steps as torch."""
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.02 * rng.random(40)])
    if kwargs["mode"] == "max":
        metrics = -metrics
    ours = plateau_sequence(optim, lr_scheduler, metrics, **kwargs)
    theirs = plateau_sequence(torch.optim, torch.optim.lr_scheduler, metrics, **kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert ours[-1, 0] < ours[0, 0]


def test_scheduler_state_dict_resumes():
    """NN-LR: a scheduler restored from state_dict continues the same sequence."""
    opt = optim.SGD([gk.zeros(1, requires_grad=True)], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    for _ in range(4):
        sched.step()
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    assert "optimizer" not in saved
    rest = []
    for _ in range(6):
        sched.step()
        rest.append(sched.get_last_lr()[0])
    opt2 = optim.SGD([gk.zeros(1, requires_grad=True)], lr=1.0)
    opt2.load_state_dict(saved_opt)
    sched2 = lr_scheduler.StepLR(opt2, step_size=3, gamma=0.5, last_epoch=saved["last_epoch"])
    sched2.load_state_dict(saved)
    for _ in range(6):
        sched2.step()
    assert sched2.get_last_lr()[0] == rest[-1]


def test_scheduler_validation():
    opt = optim.SGD([gk.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="factor"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="mode"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="lowest")
    with pytest.raises(ValueError, match="start_factor"):
        lr_scheduler.LinearLR(opt, start_factor=0.0)
    with pytest.raises(TypeError, match="not a gradkit Optimizer"):
        lr_scheduler.ExponentialLR(object(), gamma=0.9)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(optim.SGD([gk.zeros(1, requires_grad=True)]), 0.9, 3)
