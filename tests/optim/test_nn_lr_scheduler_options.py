"""NN-LR (issue 24): every keyword of every learning-rate schedule against
torch.optim.lr_scheduler: signatures and defaults, resuming with last_epoch, each
ReduceLROnPlateau option on a metric sequence where it changes the cut, state dicts and
the errors for bad values. Oracle: the same schedule in torch."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import gradkit as gk
from gradkit import optim
from gradkit.optim import lr_scheduler

torch = pytest.importorskip("torch")

NAMES = [
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "ReduceLROnPlateau",
]


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_torch(name):
    def params(cls):
        sig = inspect.signature(cls.__init__)
        return [(p.name, p.kind, p.default) for p in sig.parameters.values()]

    assert params(getattr(lr_scheduler, name)) == params(getattr(torch.optim.lr_scheduler, name))


def make_opt(lib, lr=0.1):
    new = (
        (lambda: gk.zeros(2, requires_grad=True))
        if lib is optim
        else (lambda: torch.zeros(2, requires_grad=True))
    )
    return lib.SGD([{"params": [new()]}, {"params": [new()], "lr": 0.04}], lr=lr)


def sequence(lib, name, kwargs, steps=25, last_epoch=-1, args=()):
    opt = make_opt(lib)
    if last_epoch != -1:
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"] * 2  # resuming: the schedule starts from initial_lr
    mod = lr_scheduler if lib is optim else torch.optim.lr_scheduler
    sched = getattr(mod, name)(opt, *args, last_epoch=last_epoch, **kwargs)
    out = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
    assert sched.last_epoch == last_epoch + 1 + steps
    return np.array(out)


CASES = {
    "StepLR-default-gamma": ("StepLR", dict(step_size=3)),
    "StepLR": ("StepLR", dict(step_size=4, gamma=0.5)),
    "MultiStepLR-default-gamma": ("MultiStepLR", dict(milestones=[2, 9])),
    "MultiStepLR-unsorted": ("MultiStepLR", dict(milestones=[12, 3, 3, 7], gamma=0.5)),
    "ExponentialLR": ("ExponentialLR", dict(gamma=0.8)),
    "Cosine-default-eta": ("CosineAnnealingLR", dict(T_max=6)),
    "Cosine": ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
    "LinearLR-defaults": ("LinearLR", {}),
    "LinearLR-warmup": ("LinearLR", dict(start_factor=0.25, end_factor=0.75, total_iters=4)),
    "LinearLR-decay": ("LinearLR", dict(start_factor=1.0, end_factor=0.0, total_iters=6)),
    "LambdaLR-per-group": (
        "LambdaLR",
        dict(lr_lambda=[lambda e: 0.9**e, lambda e: 1.0 / (1 + e)]),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("last_epoch", [-1, 3])
def test_schedule_and_resume_match_torch(case, last_epoch):
    """Each keyword, from scratch and resumed at last_epoch=3 (initial_lr in the groups)."""
    name, kw = CASES[case]
    ours = sequence(optim, name, kw, last_epoch=last_epoch)
    theirs = sequence(torch.optim, name, kw, last_epoch=last_epoch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_cosine_t_max_one_and_closed_form_restart_match_torch():
    """T_max = 1 is valid; a state dict with ``_step_count`` 0 makes the next step use
    the closed form at ``last_epoch`` (torch's branch for a fresh step count)."""
    assert np.allclose(
        sequence(optim, "CosineAnnealingLR", dict(T_max=1, eta_min=0.01), steps=6),
        sequence(torch.optim, "CosineAnnealingLR", dict(T_max=1, eta_min=0.01), steps=6),
        rtol=1e-12,
    )
    for last in (4, 0, -1):  # the next step is t = 5 (closed form), 1 and 0 (recursive)
        out = []
        for lib, mod in ((optim, lr_scheduler), (torch.optim, torch.optim.lr_scheduler)):
            opt = make_opt(lib)
            sched = mod.CosineAnnealingLR(opt, T_max=7, eta_min=0.005)
            for _ in range(3):
                opt.step()
                sched.step()
            state = sched.state_dict()
            state["_step_count"] = 0
            state["last_epoch"] = last
            sched.load_state_dict(state)
            sched.step()
            out.append(sched.get_last_lr())
        np.testing.assert_allclose(out[0], out[1], rtol=1e-12)
        if last == 4:
            closed = [0.005 + (b - 0.005) * (1 + np.cos(5 * np.pi / 7)) / 2 for b in (0.1, 0.04)]
            np.testing.assert_allclose(out[0], closed, rtol=1e-12)


@pytest.mark.parametrize("name", ["StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"])
def test_step_count_and_state_dict_keys_match_torch(name):
    kw = {
        "StepLR": dict(step_size=2),
        "ExponentialLR": dict(gamma=0.9),
        "CosineAnnealingLR": dict(T_max=3),
        "LambdaLR": dict(lr_lambda=lambda e: 1.0),
    }[name]
    states = []
    for lib, mod in ((optim, lr_scheduler), (torch.optim, torch.optim.lr_scheduler)):
        opt = make_opt(lib)
        sched = getattr(mod, name)(opt, **kw)
        counts = [sched._step_count]
        for _ in range(3):
            opt.step()
            sched.step()
            counts.append(sched._step_count)
        states.append((counts, sched.state_dict()))
    assert states[0][0] == states[1][0] == [1, 2, 3, 4]
    assert states[0][1]["last_epoch"] == states[1][1]["last_epoch"] == 3


@pytest.mark.parametrize(
    ("name", "args"),
    [("StepLR", (2,)), ("MultiStepLR", ([2],)), ("ExponentialLR", ())],
)
def test_bad_gamma_names_the_scheduler(name, args):
    opt = make_opt(optim)
    with pytest.raises(ValueError, match=f"^{name}: `gamma` must be a real number"):
        getattr(lr_scheduler, name)(opt, *args, gamma=-0.5)


def test_positional_arguments_match_torch():
    for name, args in [
        ("StepLR", (3, 0.5)),
        ("MultiStepLR", ([2, 5], 0.5)),
        ("ExponentialLR", (0.7,)),
        ("CosineAnnealingLR", (4, 0.02)),
        ("LinearLR", (0.5, 0.9, 3)),
    ]:
        ours = sequence(optim, name, {}, steps=10, args=args)
        theirs = sequence(torch.optim, name, {}, steps=10, args=args)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, err_msg=name)


def test_initial_lr_is_kept_when_already_set():
    """A second scheduler on the same optimizer keeps the first one's initial_lr."""
    opt = make_opt(optim)
    lr_scheduler.ExponentialLR(opt, gamma=0.5).step()
    sched = lr_scheduler.StepLR(opt, step_size=2)
    assert sched.base_lrs == [0.1, 0.04]
    assert sched.get_last_lr() == pytest.approx([0.05, 0.02])


def plateau(lib, metrics, **kwargs):
    opt = make_opt(lib)
    mod = lr_scheduler if lib is optim else torch.optim.lr_scheduler
    sched = mod.ReduceLROnPlateau(opt, **kwargs)
    out = []
    for m in metrics:
        opt.step()
        sched.step(m)
        out.append(sched.get_last_lr() + [sched.num_bad_epochs, sched.cooldown_counter])
    assert sched.last_epoch == len(metrics)
    return np.array(out)


FLAT = [1.0, 0.9] + [0.9] * 30
SLOW = [1.0 - 1e-3 * i for i in range(30)]  # 0.1 % better each step
PLATEAU_CASES = {
    "defaults": (FLAT, {}),
    "patience": (FLAT, dict(patience=3)),
    "factor": (FLAT, dict(patience=2, factor=0.5)),
    "cooldown": (FLAT, dict(patience=1, cooldown=3, factor=0.5)),
    "min_lr": (FLAT, dict(patience=0, min_lr=0.03, factor=0.5)),
    "min_lr-list": (FLAT, dict(patience=0, min_lr=[0.02, 0.01], factor=0.5)),
    "eps": (FLAT, dict(patience=0, factor=0.9, eps=0.005)),
    # 0.1 % gains: enough for threshold 1e-4 (the default), not for 1e-2
    "threshold-rel": (SLOW, dict(patience=2, threshold=1e-2)),
    "threshold-rel-small": (SLOW, dict(patience=2, threshold=1e-4)),
    "threshold-abs": (SLOW, dict(patience=2, threshold=5e-3, threshold_mode="abs")),
    "threshold-abs-small": (SLOW, dict(patience=2, threshold=5e-4, threshold_mode="abs")),
    "max": ([-m for m in SLOW], dict(mode="max", patience=2, threshold=1e-2)),
    "max-rising": ([1.0 + 1e-3 * i for i in range(30)], dict(mode="max", patience=2)),
    "max-abs": ([1.0 + 1e-3 * i for i in range(30)], dict(mode="max", patience=1,
                                                           threshold=2e-3,
                                                           threshold_mode="abs")),
    "max-abs-rising": ([1.0 + 1e-2 * i for i in range(30)], dict(mode="max", patience=0,
                                                                  threshold=2e-3,
                                                                  threshold_mode="abs")),
    "negative-metric": ([-1.0 - 1e-3 * i for i in range(30)], dict(patience=1, threshold=1e-2)),
    # an infinite first metric is no improvement: the counters start at 0, cooldown too
    "inf-first": ([np.inf] * 4 + FLAT, dict(patience=1, factor=0.5)),
    "inf-first-cooldown": ([np.inf] * 4 + FLAT, dict(patience=0, factor=0.5, cooldown=2)),
    # a cut of exactly eps is not applied (0.1 − 0.05 = 0.05 exactly)
    "eps-exact": (FLAT, dict(patience=0, factor=0.5, eps=0.05)),
}  # fmt: skip


@pytest.mark.parametrize("case", list(PLATEAU_CASES))
def test_reduce_on_plateau_options_match_torch(case):
    """Rates, bad-step count and cooldown counter after every step equal torch's."""
    metrics, kw = PLATEAU_CASES[case]
    ours = plateau(optim, metrics, **kw)
    theirs = plateau(torch.optim, metrics, **kw)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_reduce_on_plateau_initial_state_and_best():
    opt = make_opt(optim)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="max")
    assert sched.get_last_lr() == [0.1, 0.04]
    assert sched.best == -np.inf and sched.last_epoch == 0
    sched.step(np.float64(2.5))
    assert sched.best == 2.5
    assert lr_scheduler.ReduceLROnPlateau(make_opt(optim)).best == np.inf


class Halving:
    """A callable object: its attributes are saved in LambdaLR's state dict."""

    def __init__(self, base):
        self.base = base

    def __call__(self, epoch):
        return self.base**epoch


def test_lambda_state_dict_saves_callable_objects_not_functions():
    opt = make_opt(optim)
    sched = lr_scheduler.LambdaLR(opt, [Halving(0.5), lambda e: 1.0])
    sched.step()
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"base": 0.5}, None]
    assert "optimizer" not in state and state["last_epoch"] == 1
    other = lr_scheduler.LambdaLR(make_opt(optim), [Halving(0.9), lambda e: 2.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].base == 0.5 and other.last_epoch == 1
    other.step()
    assert other.get_last_lr() == pytest.approx([0.1 * 0.25, 0.04 * 2.0])


def test_get_last_lr_is_a_copy():
    sched = lr_scheduler.StepLR(make_opt(optim), step_size=1)
    sched.get_last_lr().append(1.0)
    assert sched.get_last_lr() == [0.1, 0.04]


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=2.5), ValueError, "step_size"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.0), ValueError, "gamma"),
        (lambda o: lr_scheduler.MultiStepLR(o, [1], gamma=-0.5), ValueError, "gamma"),
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=float("inf")), ValueError, "gamma"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=1.5), ValueError, "start_factor"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=-0.1), ValueError, "end_factor"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=1.1), ValueError, "end_factor"),
        (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0]), ValueError, "2 lr_lambdas"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.0), ValueError, "factor"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "abs"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "2 min_lrs"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(object()), TypeError, "not a gradkit"),
    ],
)
def test_bad_values_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        make(make_opt(optim))


def test_boundary_values_are_accepted():
    """The ends of each range that torch accepts: start_factor 1, end_factor 0 and 1."""
    opt = make_opt(optim)
    lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.0)
    lr_scheduler.LinearLR(make_opt(optim), start_factor=1.0, end_factor=1.0)
    lr_scheduler.StepLR(make_opt(optim), step_size=1, gamma=1e-300)
