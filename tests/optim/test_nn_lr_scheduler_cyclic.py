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


SCHEDULE_KEYS = ("lr", "initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")


def _state(opt, sched):
    """Every group's schedule entries (which exist, and their values), the cycled momentum
    or β₁, the scheduler's last rates and its ``last_epoch``."""
    key = "betas" if "betas" in opt.defaults else "momentum"
    rows = []
    for g in opt.param_groups:
        rows.append(tuple(g.get(k, -1.0) for k in SCHEDULE_KEYS))
        rows.append((g[key][0] if key == "betas" else g[key],))
    return rows + [tuple(sched.get_last_lr()), (getattr(sched, "last_epoch", -2),)]


def _trace(lib, make, steps, kind="sgd", epochs=None, resume_at=None):
    """:func:`_state` after construction and after each step. ``resume_at``: at that
    step a second scheduler is made on the same optimizer with ``last_epoch`` set to the
    first one's (resuming), and carries on."""
    _, _, L = _libs(lib)
    opt = _optimizer(lib, kind)
    sched = make(L, opt)
    out = [_state(opt, sched)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "step before optimizer.step" and epoch notes
        for t in range(steps):
            if t == resume_at:
                sched = make(L, opt, last_epoch=sched.last_epoch)
            opt.step()
            if epochs is None:
                sched.step()
            else:
                sched.step(epochs[t])
            out.append(_state(opt, sched))
    return out


def _same(make, steps, kind="sgd", epochs=None, resume_at=None):
    want = _trace("torch", make, steps, kind, epochs, resume_at)
    got = _trace("gk", make, steps, kind, epochs, resume_at)
    for t, (a, b) in enumerate(zip(got, want)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-14, atol=1e-17, err_msg=f"step {t}")


CASES = {
    "multiplicative": (lambda L, o: L.MultiplicativeLR(o, lambda e: 0.9 + 0.01 * e), 12),
    "multiplicative-per-group": (
        lambda L, o: L.MultiplicativeLR(o, [lambda e: 0.5, lambda e: 1.1]), 6),
    "constant": (lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=4), 8),
    "constant-default": (lambda L, o: L.ConstantLR(o), 8),
    "constant-factor-one": (lambda L, o: L.ConstantLR(o, factor=1.0, total_iters=2), 4),
    "constant-factor-zero": (lambda L, o: L.ConstantLR(o, factor=0.0, total_iters=3), 2),
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
    "cyclic-triangular-gamma-ignored": (
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=2, gamma=0.5), 9),
    "cyclic-scale-fn-per-cycle": (
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=lambda c: 0.5**c), 12),
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


RESUMABLE = {
    "onecycle": lambda L, o, **kw: L.OneCycleLR(o, max_lr=[0.9, 0.4], total_steps=16,
                                                three_phase=True, **kw),
    "onecycle-linear": lambda L, o, **kw: L.OneCycleLR(o, max_lr=0.3, total_steps=16,
                                                       anneal_strategy="linear", **kw),
    "cyclic": lambda L, o, **kw: L.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=3,
                                            mode="triangular2", **kw),
    "cyclic-exp": lambda L, o, **kw: L.CyclicLR(o, 0.01, 0.1, step_size_up=2,
                                                mode="exp_range", gamma=0.8, **kw),
    "warm-restarts": lambda L, o, **kw: L.CosineAnnealingWarmRestarts(o, 3, T_mult=2, **kw),
    "multiplicative": lambda L, o, **kw: L.MultiplicativeLR(o, lambda e: 0.9, **kw),
    "constant": lambda L, o, **kw: L.ConstantLR(o, 0.5, total_iters=6, **kw),
    "polynomial": lambda L, o, **kw: L.PolynomialLR(o, total_iters=9, power=0.5, **kw),
}  # fmt: skip


@pytest.mark.parametrize("case", RESUMABLE)
@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_resuming_with_last_epoch_matches_torch(case, kind):
    """A scheduler made with ``last_epoch`` on an optimizer that already carries the
    schedule's entries (as after loading a checkpoint) carries on as torch's does."""
    _same(RESUMABLE[case], 12, kind, resume_at=5)


def test_defaults_match_torch():
    """The defaults matter where they act: CyclicLR's step_size_up 2000 and gamma 1,
    OneCycleLR's pct_start, div factors and momenta, over a few steps."""
    _same(lambda L, o: L.CyclicLR(o, 0.01, 0.1), 6)
    _same(lambda L, o: L.CyclicLR(o, 0.01, 0.1, mode="exp_range"), 6)
    _same(lambda L, o: L.OneCycleLR(o, 0.5, total_steps=10), 10, kind="adam")
    _same(lambda L, o: L.CosineAnnealingWarmRestarts(o, 1), 4)


def test_onecycle_edges_match_torch():
    """total_steps 1, pct_start 0 and 1, and a linear anneal whose phase ends on an
    integer step, where (max − initial) + initial need not round back to max."""
    _same(lambda L, o: L.OneCycleLR(o, 1.0, total_steps=1), 1)
    _same(lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, pct_start=0.0), 5)
    _same(lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, pct_start=1.0), 4)
    for top in (0.3, 0.7, 0.11, 1.3):
        _same(
            lambda L, o, t=top: L.OneCycleLR(o, t, total_steps=20, div_factor=7.0,
                                             anneal_strategy="linear", base_momentum=0.83),
            20,
        )  # fmt: skip


def test_cyclic_scale_fn_object_state_is_saved_like_torch():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, x):
            return self.rate**x

    states = []
    for lib in ("torch", "gk"):
        _, _, L = _libs(lib)
        opt = _optimizer(lib, "sgd")
        fn = Decay()
        sched = L.CyclicLR(opt, 0.01, 0.1, step_size_up=2, scale_fn=fn)
        fn.rate = 0.25
        state = sched.state_dict()
        states.append(state["_scale_fn_custom"])
        fresh = Decay()
        sched2 = L.CyclicLR(_optimizer(lib, "sgd"), 0.01, 0.1, step_size_up=2, scale_fn=fresh)
        sched2.load_state_dict(state)
        assert fresh.rate == 0.25
        plain = L.CyclicLR(_optimizer(lib, "sgd"), 0.01, 0.1, scale_fn=lambda x: 1.0)
        assert plain.state_dict()["_scale_fn_custom"] is None
        other = L.CyclicLR(_optimizer(lib, "sgd"), 0.01, 0.1, scale_fn=lambda x: 0.5)
        other.load_state_dict(plain.state_dict())  # a function's state: nothing to restore
        assert other.scale_fn(2) == 0.5
        builtin = L.CyclicLR(_optimizer(lib, "sgd"), 0.01, 0.1, mode="triangular2")
        saved = builtin.state_dict()
        builtin.load_state_dict(saved)
        assert builtin.scale_fn(3) == 0.25
    assert states[0] == states[1] == {"rate": 0.25}


def test_cyclic_scale_mode_attribute_matches_torch():
    for kw in (
        dict(mode="exp_range"),
        dict(mode="triangular2", scale_mode="iterations"),
        dict(scale_fn=lambda x: 1.0),
        dict(scale_fn=lambda x: 1.0, scale_mode="iterations"),
    ):
        modes = [
            L.CyclicLR(_optimizer(lib, "sgd"), 0.01, 0.1, **kw).scale_mode
            for lib, L in (("torch", torch.optim.lr_scheduler), ("gk", lr_scheduler))
        ]
        assert modes[1] == modes[0]


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


# (make, error, pattern, same text as torch)
BAD = [
    (lambda L, o: L.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR", True),
    (lambda L, o: L.OneCycleLR(o, max_lr=1.0, epochs=3), ValueError, "total_steps OR", True),
    (lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError, "total_steps", True),
    (lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=2.5), ValueError, "total_steps", True),
    (lambda L, o: L.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=2), ValueError, "epochs", True),
    (lambda L, o: L.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=0), ValueError,
     "steps_per_epoch", True),
    (lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, pct_start=1.5), ValueError,
     "pct_start", True),
    (lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, pct_start=-0.1), ValueError,
     "pct_start", True),
    (lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, anneal_strategy="exp"), ValueError,
     "anneal_strategy", True),
    (lambda L, o: L.OneCycleLR(o, [1.0], total_steps=5), ValueError, "max_lr", True),
    (lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, max_momentum=[0.9]), ValueError,
     "max_momentum", True),
    (lambda L, o: L.OneCycleLR(o, 1.0, total_steps=5, base_momentum=[0.9]), ValueError,
     "base_momentum", True),
    (lambda L, o: L.CyclicLR(o, [0.1], 1.0), ValueError, "base_lr", True),
    (lambda L, o: L.CyclicLR(o, 0.1, [1.0, 2.0, 3.0]), ValueError, "max_lr", True),
    (lambda L, o: L.CyclicLR(o, 0.1, 1.0, base_momentum=[0.9]), ValueError, "base_momentum",
     True),
    (lambda L, o: L.CyclicLR(o, 0.1, 1.0, max_momentum=[0.9]), ValueError, "max_momentum",
     True),
    (lambda L, o: L.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "mode", False),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0", True),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2.0), ValueError, "T_0", True),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult",
     True),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"), ValueError,
     "eta_min", True),
    (lambda L, o: L.ConstantLR(o, factor=1.5), ValueError, "factor", False),
    (lambda L, o: L.ConstantLR(o, factor=-0.5), ValueError, "factor", False),
    (lambda L, o: L.MultiplicativeLR(o, [lambda e: 0.5]), ValueError, "lr_lambdas", True),
    (lambda L, o: L.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda", True),
    (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], milestones=[3]), ValueError,
     "milestone", True),
    (lambda L, o: L.SequentialLR(o, [], milestones=[]), ValueError, "at least one", True),
    (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], [2]),
     ValueError, "ReduceLROnPlateau", True),
    (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), object()], [2]), TypeError,
     "index 1 should have `optimizer`", True),
    (lambda L, o: L.ChainedScheduler([]), ValueError, "at least one", True),
    (lambda L, o: L.ChainedScheduler([L.StepLR(o, 2), L.ReduceLROnPlateau(o)]), ValueError,
     "ReduceLROnPlateau", True),
]  # fmt: skip


@pytest.mark.parametrize("make, error, match, same", BAD)
def test_bad_arguments_raise_like_torch(make, error, match, same):
    messages = []
    for lib in ("torch", "gk"):
        _, _, L = _libs(lib)
        with pytest.raises(error, match=match) as info:
            make(L, _optimizer(lib, "sgd"))
        messages.append(str(info.value))
    if same:
        assert messages[1] == messages[0]


def test_members_of_another_optimizer_are_refused():
    for lib in ("torch", "gk"):
        _, _, L = _libs(lib)
        opt, other = _optimizer(lib, "sgd"), _optimizer(lib, "sgd")
        with pytest.raises(ValueError, match="same optimizer"):
            L.SequentialLR(opt, [L.StepLR(opt, 2), L.StepLR(other, 2)], [2])
        with pytest.raises(ValueError, match="same optimizer"):
            L.ChainedScheduler([L.StepLR(opt, 2), L.StepLR(other, 2)])


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


def test_step_with_epoch_warns_like_torch_from_the_callers_line(monkeypatch):
    texts = []
    for lib in ("torch", "gk"):
        _, _, L = _libs(lib)
        opt = _optimizer(lib, "sgd")
        sched = L.StepLR(opt, 2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step(3)
        (w,) = [w for w in caught if "epoch parameter" in str(w.message)]
        assert w.category is UserWarning
        texts.append(str(w.message))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sched.step()  # no epoch: no warning
    assert texts[1] == texts[0]
    # stacklevel 2 points at the line that called step(); checked on the argument, since
    # a wrapper around step() (a profiler, a mutation tool) moves the frame it names
    calls = []
    monkeypatch.setattr(
        "gradkit.optim._lr_base.warnings.warn", lambda *a, **k: calls.append((a, k))
    )
    lr_scheduler.StepLR(_optimizer("gk", "sgd"), 2).step(1)
    assert calls == [((texts[0], UserWarning), {"stacklevel": 2})]


def test_composed_schedulers_keep_their_optimizer_and_state():
    for lib in ("torch", "gk"):
        _, _, L = _libs(lib)
        opt = _optimizer(lib, "sgd")
        seq = L.SequentialLR(opt, [L.ConstantLR(opt, 0.5, total_iters=9), L.StepLR(opt, 1, 0.5)],
                             milestones=[1])  # fmt: skip
        assert seq.optimizer is opt
        assert seq.get_last_lr() == [0.05, 0.02]  # the first member runs at step 0
        state = seq.state_dict()
        assert "optimizer" not in state
        assert [type(s) for s in state["_schedulers"]] == [dict, dict]
        single = L.ChainedScheduler([L.ExponentialLR(opt, 0.5)])
        assert single.optimizer is opt
        single.step()
        assert single.get_last_lr() == [g["lr"] for g in opt.param_groups]
