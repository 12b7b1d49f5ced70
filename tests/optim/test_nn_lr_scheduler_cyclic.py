"""NN-LR: the cyclic and composed schedules (OneCycleLR, CyclicLR,
CosineAnnealingWarmRestarts, SequentialLR, ChainedScheduler) and the simple ones
(MultiplicativeLR, ConstantLR, PolynomialLR) against torch.optim.lr_scheduler: the rate
and momentum of every group at every step, signatures, the closed forms behind
``step(epoch)``, state dicts, errors; and a model trained under OneCycleLR, whose
optimizers must read the cycled momentum / β₁ at each step. Oracle: the same program in
torch."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest

import gradkit as gk
from gradkit.optim import lr_scheduler

torch = pytest.importorskip("torch")

NEW = [
    "MultiplicativeLR", "ConstantLR", "PolynomialLR", "OneCycleLR", "CyclicLR",
    "CosineAnnealingWarmRestarts", "SequentialLR", "ChainedScheduler",
]  # fmt: skip


@pytest.mark.parametrize("name", NEW)
def test_signature_matches_torch(name):
    def params(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert params(getattr(lr_scheduler, name)) == params(getattr(torch.optim.lr_scheduler, name))


def _libs(lib):
    if lib == "gk":
        return gk, gk.optim, lr_scheduler
    return torch, torch.optim, torch.optim.lr_scheduler


def _optimizer(lib, kind):
    T, optim, _ = _libs(lib)
    groups = [{"params": [T.zeros(2, requires_grad=True)]},
              {"params": [T.zeros(2, requires_grad=True)], "lr": 0.04}]  # fmt: skip
    if kind == "sgd":
        return optim.SGD(groups, lr=0.1, momentum=0.9)
    if kind == "adam":
        return optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    return optim.RMSprop(groups, lr=0.1, momentum=0.5)


def _trace(lib, make, steps, kind="sgd", epochs=None):
    """(lr, momentum or β₁) of every group after construction and after each step."""
    _, _, L = _libs(lib)
    opt = _optimizer(lib, kind)
    sched = make(L, opt)

    def now():
        key = "betas" if "betas" in opt.defaults else "momentum"
        return [(g["lr"], g[key][0] if key == "betas" else g[key]) for g in opt.param_groups] + [
            tuple(sched.get_last_lr())
        ]

    out = [now()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "step before optimizer.step" and epoch notes
        for t in range(steps):
            opt.step()
            if epochs is None:
                sched.step()
            else:
                sched.step(epochs[t])
            out.append(now())
    return out


def _same(make, steps, kind="sgd", epochs=None):
    want = _trace("torch", make, steps, kind, epochs)
    got = _trace("gk", make, steps, kind, epochs)
    np.testing.assert_allclose(
        np.array(got, dtype=object).astype(float), np.array(want, dtype=object).astype(float),
        rtol=1e-14, atol=1e-17,
    )  # fmt: skip


CASES = {
    "multiplicative": (lambda L, o: L.MultiplicativeLR(o, lambda e: 0.9 + 0.01 * e), 12),
    "multiplicative-per-group": (
        lambda L, o: L.MultiplicativeLR(o, [lambda e: 0.5, lambda e: 1.1]), 6),
    "constant": (lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=4), 8),
    "constant-default": (lambda L, o: L.ConstantLR(o), 8),
    "polynomial": (lambda L, o: L.PolynomialLR(o, total_iters=6, power=2.0), 9),
    "polynomial-default": (lambda L, o: L.PolynomialLR(o), 8),
    "onecycle-cos": (lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 0.3], total_steps=20), 20),
    "onecycle-linear": (
        lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=15, anneal_strategy="linear",
                                  pct_start=0.4, div_factor=10.0, final_div_factor=100.0), 15),
    "onecycle-three-phase": (
        lambda L, o: L.OneCycleLR(o, max_lr=0.5, epochs=3, steps_per_epoch=7,
                                  three_phase=True, base_momentum=0.7, max_momentum=0.9), 21),
    "onecycle-no-momentum": (
        lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=10, cycle_momentum=False), 10),
    "cyclic-triangular": (lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3), 14),
    "cyclic-triangular2": (
        lambda L, o: L.CyclicLR(o, [0.01, 0.02], [0.1, 0.2], step_size_up=2,
                                step_size_down=4, mode="triangular2"), 20),
    "cyclic-exp-range": (
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range",
                                gamma=0.9, base_momentum=0.6, max_momentum=0.95), 16),
    "cyclic-scale-fn": (
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 1 / (x + 1),
                                scale_mode="iterations", cycle_momentum=False), 12),
    "warm-restarts": (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=3), 10),
    "warm-restarts-mult": (
        lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.001), 16),
    "sequential-warmup-cosine": (
        lambda L, o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=4),
                                        L.CosineAnnealingLR(o, T_max=8)], milestones=[4]), 14),
    "sequential-three": (
        lambda L, o: L.SequentialLR(o, [L.ConstantLR(o, factor=0.5, total_iters=2),
                                        L.ExponentialLR(o, gamma=0.8),
                                        L.MultiStepLR(o, milestones=[1, 3], gamma=0.5)],
                                    milestones=[3, 6]), 12),
    "sequential-step-poly": (
        lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2, gamma=0.5),
                                        L.PolynomialLR(o, total_iters=4)], milestones=[5]), 11),
    "chained": (
        lambda L, o: L.ChainedScheduler([L.ConstantLR(o, factor=0.1, total_iters=2),
                                         L.ExponentialLR(o, gamma=0.9)]), 8),
    "chained-optimizer-arg": (
        lambda L, o: L.ChainedScheduler([L.StepLR(o, 3, gamma=0.3),
                                         L.LinearLR(o, 0.5, total_iters=4)], optimizer=o), 8),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_rate_and_momentum_sequence_matches_torch(case, kind):
    make, steps = CASES[case]
    _same(make, steps, kind)


def test_cyclic_rmsprop_momentum_matches_torch():
    _same(lambda L, o: L.OneCycleLR(o, max_lr=0.2, total_steps=8), 8, kind="rmsprop")


def test_warm_restarts_fractional_epochs_match_torch():
    epochs = [0.0, 0.25, 0.5, 1.75, 2.0, 3.5, 5.0, 7.0, 9.25, 14.0, 30.5]
    for T_mult in (1, 2, 3):
        _same(
            lambda L, o, m=T_mult: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=m),
            len(epochs),
            epochs=epochs,
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda L, o: L.StepLR(o, 3, gamma=0.5),
        lambda L, o: L.MultiStepLR(o, [2, 5, 5], gamma=0.3),
        lambda L, o: L.ExponentialLR(o, 0.7),
        lambda L, o: L.CosineAnnealingLR(o, 6, eta_min=0.01),
        lambda L, o: L.LinearLR(o, 0.2, 0.9, total_iters=4),
        lambda L, o: L.ConstantLR(o, 0.3, total_iters=3),
        lambda L, o: L.PolynomialLR(o, total_iters=5, power=1.5),
        lambda L, o: L.LambdaLR(o, lambda e: 1 / (1 + e)),
    ],
)
def test_step_with_epoch_uses_the_closed_form_like_torch(make):
    _same(make, 6, epochs=[4, 2, 7, 0, 9, 3])


def test_onecycle_refuses_a_step_past_total_steps():
    for lib in ("torch", "gk"):
        _, _, L = _libs(lib)
        opt = _optimizer(lib, "sgd")
        sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            sched.step()


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda L, o: L.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR"),
        (lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError, "total_steps"),
        (lambda L, o: L.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=0), ValueError,
         "steps_per_epoch"),
        (lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, pct_start=1.5), ValueError,
         "pct_start"),
        (lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, anneal_strategy="exp"), ValueError,
         "anneal_strategy"),
        (lambda L, o: L.OneCycleLR(o, [1.0], total_steps=5), ValueError, "max_lr"),
        (lambda L, o: L.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "mode"),
        (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
        (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult"),
        (lambda L, o: L.ConstantLR(o, factor=1.5), ValueError, "factor"),
        (lambda L, o: L.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda"),
        (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], milestones=[3]), ValueError,
         "milestone"),
        (lambda L, o: L.SequentialLR(o, [], milestones=[]), ValueError, "at least one"),
        (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], [2]),
         ValueError, "ReduceLROnPlateau"),
        (lambda L, o: L.ChainedScheduler([]), ValueError, "at least one"),
    ],
)  # fmt: skip
def test_bad_arguments_raise_like_torch(make, error, match):
    for lib in ("torch", "gk"):
        _, _, L = _libs(lib)
        with pytest.raises(error, match=match):
            make(L, _optimizer(lib, "sgd"))


def test_cycle_momentum_needs_a_momentum_optimizer():
    for lib in ("torch", "gk"):
        T, optim, L = _libs(lib)
        opt = optim.Adagrad([T.zeros(2, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="momentum or beta1"):
            L.OneCycleLR(opt, 1.0, total_steps=4)
        with pytest.raises(ValueError, match="momentum or beta1"):
            L.CyclicLR(opt, 0.1, 1.0)
        L.OneCycleLR(opt, 1.0, total_steps=4, cycle_momentum=False)  # allowed


def test_sequential_and_cyclic_state_dicts_resume_the_schedule():
    def make(L, o):
        return L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=3), L.ExponentialLR(o, 0.5)],
                              milestones=[3])  # fmt: skip

    for factory in (make, lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3)):
        opt = _optimizer("gk", "sgd")
        sched = factory(lr_scheduler, opt)
        for _ in range(4):
            sched.step()
        state = sched.state_dict()
        opt2 = _optimizer("gk", "sgd")
        sched2 = factory(lr_scheduler, opt2)
        sched2.load_state_dict(state)
        for g2, g in zip(opt2.param_groups, opt.param_groups):
            g2["lr"] = g["lr"]
        for _ in range(5):
            sched.step()
            sched2.step()
            assert sched2.get_last_lr() == sched.get_last_lr()


def test_onecycle_training_matches_torch():
    """A small regression net trained 24 steps under OneCycleLR with SGD (Nesterov) and
    AdamW: the optimizers must use the momentum / β₁ the schedule writes each step."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=32)
    w0 = rng.normal(size=(3,))
    for opt_name in ("SGD", "AdamW"):
        finals = []
        for lib in ("torch", "gk"):
            T, optim, L = _libs(lib)
            w = T.tensor(w0.copy(), requires_grad=True)
            if opt_name == "SGD":
                opt = optim.SGD([w], lr=0.01, momentum=0.9, nesterov=True)
            else:
                opt = optim.AdamW([w], lr=0.01, weight_decay=0.1)
            sched = L.OneCycleLR(opt, max_lr=0.2, epochs=4, steps_per_epoch=6)
            Xt, yt = T.tensor(X), T.tensor(y)
            for _ in range(4):
                for b in range(6):
                    xb, yb = Xt[b * 5 : b * 5 + 5], yt[b * 5 : b * 5 + 5]
                    opt.zero_grad()
                    ((xb @ w - yb) ** 2).mean().backward()
                    opt.step()
                    sched.step()
            finals.append(w.detach().numpy())
        np.testing.assert_allclose(finals[1], finals[0], rtol=1e-12, atol=1e-14)
        assert not math.isclose(float(np.abs(finals[1] - w0).sum()), 0.0)
