"""O-ADAPTIVE, O-MOMENTUM, O-SGD (issue 24): every keyword of every optimizer against
torch.optim: the signatures (names, order, defaults), PyTorch's implementation switches
(foreach, fused, capturable, differentiable), Adam's decoupled_weight_decay, parameter
groups with their own options, positional arguments and mid-run state_dict round trips.
Oracle: the same steps in torch, float64."""

from __future__ import annotations

import copy
import inspect
import re

import numpy as np
import pytest

import gradkit as gk
import gradkit.optim as gopt

torch = pytest.importorskip("torch")

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]


def objective(lib, w):
    return ((w - 1.0) ** 2).sum() + lib.sin(3.0 * w).sum()


def run_both(name, kw_gk, kw_th=None, steps=5, groups=None, args=()):
    """Run ``steps`` steps of gradkit's and torch's optimizer ``name`` on two tensors;
    ``groups`` (a list of option dicts) makes one parameter group per tensor."""
    kw_th = kw_gk if kw_th is None else kw_th
    w0 = [np.array([0.3, -1.2, 2.0, 0.7]), np.array([[1.5, -0.4], [0.2, -2.2]])]
    wg = [gk.tensor(w.copy(), requires_grad=True) for w in w0]
    wt = [torch.tensor(w.copy(), requires_grad=True) for w in w0]
    pg = wg if groups is None else [{"params": [w], **g} for w, g in zip(wg, groups)]
    pt = wt if groups is None else [{"params": [w], **g} for w, g in zip(wt, groups)]
    og = getattr(gopt, name)(pg, *args, **kw_gk)
    ot = getattr(torch.optim, name)(pt, *args, **kw_th)
    for _ in range(steps):
        og.zero_grad()
        ot.zero_grad()
        sum(objective(gk, w) for w in wg).backward()
        sum(objective(torch, w) for w in wt).backward()
        og.step()
        ot.step()
    for a, b in zip(wg, wt):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-11, atol=1e-13)
    return og, ot


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_torch(name):
    """Same parameter names, order, kinds (positional / keyword-only) and defaults."""

    def params(cls):
        sig = inspect.signature(cls.__init__)
        return [(p.name, p.kind, p.default) for p in sig.parameters.values()]

    assert params(getattr(gopt, name)) == params(getattr(torch.optim, name))


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_group_keys_match_torch(name):
    """Every default (AdamW's weight_decay=1e-2 included) and every group key."""
    ours = getattr(gopt, name)([gk.tensor([1.0], requires_grad=True)])
    ref = getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)])
    assert ours.defaults == ref.defaults
    assert set(ours.param_groups[0]) == set(ref.param_groups[0])


SWITCHES = {
    "SGD": [{"foreach": True}, {"fused": True}, {"foreach": False, "fused": False}],
    "Adam": [{"foreach": True}, {"fused": True}, {"foreach": False}],
    "AdamW": [{"foreach": True}, {"fused": True}, {"fused": False}],
    "RMSprop": [{"foreach": True}, {"foreach": False}],
    "Adagrad": [{"foreach": True}, {"fused": True}],
}
BASE = {
    "SGD": {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1},
    "Adam": {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True},
    "AdamW": {"lr": 0.05, "weight_decay": 0.2},
    "RMSprop": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "Adagrad": {"lr": 0.1, "lr_decay": 0.05},
}


@pytest.mark.parametrize(
    ("name", "switch"), [(n, s) for n, ss in SWITCHES.items() for s in ss], ids=str
)
def test_implementation_switches_are_accepted_and_change_nothing(name, switch):
    og, _ = run_both(name, {**BASE[name], **switch})
    for key, value in switch.items():
        assert og.param_groups[0][key] is value


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop"])
def test_capturable_is_accepted(name):
    """capturable (CUDA graphs in PyTorch) is recorded and changes nothing on the CPU;
    the reference is the same run without it."""
    w = gk.tensor([0.5, -1.0], requires_grad=True)
    ref = gk.tensor([0.5, -1.0], requires_grad=True)
    opt = getattr(gopt, name)([w], lr=0.05, capturable=True)
    opt_ref = getattr(gopt, name)([ref], lr=0.05)
    assert opt.param_groups[0]["capturable"] is True
    for _ in range(3):
        for p, o in ((w, opt), (ref, opt_ref)):
            o.zero_grad()
            objective(gk, p).backward()
            o.step()
    np.testing.assert_array_equal(w.detach().numpy(), ref.detach().numpy())


@pytest.mark.parametrize("name", NAMES)
def test_bad_implementation_switches_are_refused(name):
    make = getattr(gopt, name)
    p = [gk.tensor([1.0], requires_grad=True)]
    if name != "RMSprop":  # RMSprop has no fused kernel
        with pytest.raises(ValueError, match=f"^{name}: fused and foreach"):
            make(p, foreach=True, fused=True)
        with pytest.raises(TypeError, match=f"^{name}: fused must be None, True or False"):
            make(p, fused="yes")
    if name in ("Adam", "AdamW", "RMSprop"):
        with pytest.raises(TypeError, match=f"^{name}: capturable must be True or False"):
            make(p, capturable=None)
    with pytest.raises(NotImplementedError, match=f"^{name}: differentiable=True"):
        make(p, differentiable=True)
    with pytest.raises(TypeError, match="foreach"):
        make(p, foreach="yes")
    with pytest.raises(TypeError, match="differentiable"):
        make(p, differentiable=None)
    with pytest.raises(NotImplementedError, match="differentiable"):
        make([{"params": p, "differentiable": True}])


def test_adam_decoupled_weight_decay_matches_torch_and_adamw():
    """Adam(decoupled_weight_decay=True) is AdamW: torch's Adam with the same switch,
    and gradkit's AdamW with the same weight_decay."""
    kw = {"lr": 0.05, "weight_decay": 0.3, "decoupled_weight_decay": True}
    og, _ = run_both("Adam", kw)
    ow, _ = run_both("AdamW", {"lr": 0.05, "weight_decay": 0.3})
    for a, b in zip(og.param_groups[0]["params"], ow.param_groups[0]["params"]):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-13)
    assert ow.param_groups[0]["decoupled_weight_decay"] is True


def test_adamw_group_can_turn_decoupling_off():
    """A group of AdamW with decoupled_weight_decay=False is Adam's L2 (as in torch)."""
    groups = [{"decoupled_weight_decay": False}, {}]
    run_both("AdamW", {"lr": 0.05, "weight_decay": 0.3}, groups=groups)


GROUPS = {
    "SGD": [
        {"lr": 0.02, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05},
        {"momentum": 0.8, "nesterov": True, "maximize": True},
    ],
    "Adam": [
        {"lr": 0.02, "betas": (0.7, 0.95), "eps": 1e-2, "weight_decay": 0.1},
        {"amsgrad": True, "maximize": True, "weight_decay": 0.2},
    ],
    "AdamW": [
        {"lr": 0.02, "weight_decay": 0.5, "betas": (0.5, 0.9)},
        {"amsgrad": True, "eps": 1e-1},
    ],
    "RMSprop": [
        {"lr": 0.02, "alpha": 0.5, "centered": True, "eps": 1e-1},
        {"momentum": 0.7, "weight_decay": 0.3, "maximize": True},
    ],
    "Adagrad": [
        # torch reads initial_accumulator_value from the constructor only (see below)
        {"lr": 0.2, "lr_decay": 0.3},
        {"eps": 0.5, "weight_decay": 0.4, "maximize": True},
    ],
}


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_their_own_options_match_torch(name):
    """Each group's options apply to its parameters only; the rest take the defaults."""
    run_both(name, {"lr": 0.05}, groups=GROUPS[name], steps=6)


def test_adagrad_group_initial_accumulator_value_closed_form():
    """A group's own initial_accumulator_value G₀ seeds its accumulator (torch ignores a
    group's value and uses the constructor's): θ₁ = θ₀ − lr · g / (√(G₀ + g²) + ε)."""
    a = gk.tensor([0.5, -1.0], dtype=gk.float64, requires_grad=True)
    b = gk.tensor([0.5, -1.0], dtype=gk.float64, requires_grad=True)
    opt = gopt.Adagrad([{"params": [a], "initial_accumulator_value": 2.0}, {"params": [b]}], lr=0.1)
    (a * a + b * b).sum().backward()
    opt.step()
    g = np.array([1.0, -2.0])
    np.testing.assert_allclose(
        a.detach().numpy(), [0.5, -1.0] - 0.1 * g / (np.sqrt(2.0 + g * g) + 1e-10), rtol=1e-13
    )
    np.testing.assert_allclose(b.detach().numpy(), [0.5, -1.0] - 0.1 * g / (np.abs(g) + 1e-10))


POSITIONAL = {
    "SGD": (0.05, 0.9, 0.2, 0.1, False),  # lr, momentum, dampening, weight_decay, nesterov
    "Adam": (0.05, (0.8, 0.9), 1e-3, 0.1, True),  # lr, betas, eps, weight_decay, amsgrad
    "AdamW": (0.05, (0.8, 0.9), 1e-3, 0.1, True),
    # lr, alpha, eps, weight_decay, momentum, centered, capturable, foreach, maximize
    "RMSprop": (0.01, 0.8, 1e-3, 0.1, 0.3, True, False, None, True),
    "Adagrad": (0.1, 0.2, 0.1, 0.3, 1e-3),  # lr, lr_decay, wd, initial_acc, eps
}


@pytest.mark.parametrize("name", NAMES)
def test_positional_arguments_match_torch(name):
    run_both(name, {}, args=POSITIONAL[name])


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_mid_run_matches_torch(name):
    """Save after 3 steps, load into a fresh optimizer built with other options, go on:
    the parameters equal torch's uninterrupted run (every option comes from the dict)."""
    kw = {**BASE[name], "maximize": True, "lr": 0.02}
    w0 = np.array([0.3, -1.2, 2.0])
    wt = torch.tensor(w0.copy(), requires_grad=True)
    ot = getattr(torch.optim, name)([wt], **kw)
    wg = gk.tensor(w0.copy(), requires_grad=True)
    og = getattr(gopt, name)([wg], **kw)
    for step in range(6):
        if step == 3:
            saved = copy.deepcopy(og.state_dict())
            wg = gk.tensor(wg.detach().numpy().copy(), requires_grad=True)
            og = getattr(gopt, name)([wg], lr=9.0)
            og.load_state_dict(saved)
            assert og.param_groups[0]["maximize"] is True
        for w, o, lib in ((wg, og, gk), (wt, ot, torch)):
            o.zero_grad()
            objective(lib, w).backward()
            o.step()
    np.testing.assert_allclose(wg.detach().numpy(), wt.detach().numpy(), rtol=1e-11)


def test_zero_grad_set_to_none_false_zeros_in_place():
    """zero_grad() drops gradients (None, torch's default); set_to_none=False keeps the
    same array filled with zeros, so a following backward accumulates from zero."""
    w = gk.tensor([1.0, 2.0], requires_grad=True)
    opt = gopt.SGD([w], lr=0.1)
    (w * w).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    (3.0 * w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])
    opt.zero_grad()
    assert w.grad is None


def test_adamw_weight_decay_one_matches_torch():
    """λ = 1 (θ shrinks by 1 − lr each step) is no special case."""
    run_both("AdamW", {"lr": 0.05, "weight_decay": 1.0})
    run_both("Adam", {"lr": 0.05, "weight_decay": 1.0, "decoupled_weight_decay": True})


BAD = {
    "SGD": ["lr", "momentum", "weight_decay", "dampening"],
    "Adam": ["lr", "eps", "weight_decay", "betas[0]", "betas[1]"],
    "AdamW": ["lr", "eps", "weight_decay", "betas[0]", "betas[1]"],
    "RMSprop": ["lr", "eps", "weight_decay", "momentum", "alpha"],
    "Adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
}


@pytest.mark.parametrize("name", NAMES)
def test_bad_hyperparameters_name_the_optimizer_and_option(name):
    """Each out-of-range value (or NaN) is refused with the class and option named."""
    make = getattr(gopt, name)
    for key in BAD[name]:
        bad = float("nan") if key == "dampening" else -0.5
        kw = {key: bad}
        if key.startswith("betas"):
            kw = {"betas": (bad, 0.9) if key == "betas[0]" else (0.9, 1.0)}
        with pytest.raises(ValueError, match=f"^{name}: invalid {re.escape(key)}"):
            make([gk.tensor([1.0], requires_grad=True)], **kw)
        with pytest.raises(ValueError, match=rf"^{name}: invalid"):  # in a group too
            make([{"params": [gk.tensor([1.0], requires_grad=True)], **kw}])
    with pytest.raises(TypeError, match=rf"^{name}: lr must be a number"):
        make([gk.tensor([1.0], requires_grad=True)], lr="fast")


@pytest.mark.parametrize(
    "kw",
    [
        {"lr": 0.01, "momentum": 1.0},  # μ = 1 is no special case
        {"lr": 0.01, "momentum": 1.0, "nesterov": True},
        {"lr": 0.01, "momentum": 0.5, "dampening": -0.5},  # torch accepts any dampening
        {"lr": 0.01, "momentum": 0.5, "dampening": 1.0},
    ],
    ids=str,
)
def test_sgd_momentum_edges_match_torch(kw):
    run_both("SGD", kw, steps=6)


@pytest.mark.parametrize(
    ("name", "kw"),
    [("SGD", {}), ("SGD", {"momentum": 0.9}), ("Adam", {"amsgrad": True}), ("RMSprop", {}),
     ("RMSprop", {"momentum": 0.5, "centered": True}), ("Adagrad", {})],
    ids=str,
)  # fmt: skip
def test_state_entries_match_torch(name, kw):
    """The state kept per parameter has torch's entries (none at all for plain SGD)."""
    og, ot = run_both(name, {"lr": 0.01, **kw}, steps=2)
    ours, theirs = og.state_dict()["state"], ot.state_dict()["state"]
    assert sorted(ours) == sorted(theirs)
    for i in theirs:
        assert set(ours[i]) == set(theirs[i])
        for key, value in theirs[i].items():
            np.testing.assert_allclose(np.asarray(ours[i][key]), value.numpy(), rtol=1e-11)


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("RMSprop", {"lr": 0.01, "alpha": 1.0, "eps": 1.0}),  # v stays 0: steps are lr·g/ε
        ("RMSprop", {"lr": 0.01, "alpha": 0.0}),  # v = g²: sign-like steps
        ("RMSprop", {"lr": 0.01, "alpha": 0.3, "centered": True, "eps": 0.1}),
        ("RMSprop", {"lr": 0.01, "momentum": 1.0}),
        ("Adagrad", {"lr": 0.1, "lr_decay": 1.0, "eps": 0.0}),
        ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 1.0, "eps": 1.0}),
        ("Adam", {"lr": 0.01, "betas": (0.0, 0.0), "eps": 0.0}),
        ("Adam", {"lr": 0.01, "eps": 1.0, "amsgrad": True, "weight_decay": 1.0}),
    ],
    ids=str,
)
def test_range_ends_match_torch(name, kw):
    run_both(name, kw, steps=4)
