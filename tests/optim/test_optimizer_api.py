"""Optimizer API: groups, zero_grad, closures, state_dict and validation (concept O-SGD)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import gradkit as gk
from gradkit import optim
from parity import requires_torch, torch

OPTIMIZERS = {
    "SGD": dict(lr=0.1, momentum=0.9),
    "Adagrad": dict(lr=0.1),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adam": dict(lr=0.01, amsgrad=True),
    "AdamW": dict(lr=0.01),
}


def quadratic_step(params, opt, target):
    opt.zero_grad()
    loss = sum(((p - t) ** 2).sum() for p, t in zip(params, target))
    loss.backward()
    opt.step()
    return loss.item()


def fresh(seed=0):
    rng = np.random.default_rng(seed)
    params = [gk.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 2), (4,)]]
    target = [rng.standard_normal(p.shape) for p in params]
    return params, target


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_resume_is_exact(name):
    """Training 5 + 5 steps through state_dict/load_state_dict equals 10 straight steps."""
    params, target = fresh()
    opt = getattr(optim, name)(params, **OPTIMIZERS[name])
    for _ in range(10):
        quadratic_step(params, opt, target)
    straight = [p.detach().numpy().copy() for p in params]

    params, target = fresh()
    opt = getattr(optim, name)(params, **OPTIMIZERS[name])
    for _ in range(5):
        quadratic_step(params, opt, target)
    saved = copy.deepcopy(opt.state_dict())
    weights = [p.detach().numpy().copy() for p in params]

    params2 = [gk.tensor(w, requires_grad=True) for w in weights]
    opt2 = getattr(optim, name)(params2, lr=123.0)  # hyperparameters come from the dict
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == OPTIMIZERS[name]["lr"]
    for _ in range(5):
        quadratic_step(params2, opt2, target)
    for a, b in zip(params2, straight):
        np.testing.assert_array_equal(a.detach().numpy(), b)


@requires_torch
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_layout_matches_torch(name):
    """Same keys as torch: state per parameter index, groups with index lists."""
    params, target = fresh()
    opt = getattr(optim, name)(params, **OPTIMIZERS[name])
    quadratic_step(params, opt, target)
    th_params = [torch.zeros(p.shape, requires_grad=True) for p in params]
    th_opt = getattr(torch.optim, name)(th_params, **OPTIMIZERS[name])
    sum((p**2).sum() for p in th_params).backward()
    th_opt.step()
    ours, theirs = opt.state_dict(), th_opt.state_dict()
    assert set(ours["state"]) == set(theirs["state"]) == {0, 1}
    assert set(ours["state"][0]) == set(theirs["state"][0])
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]
    assert set(ours["param_groups"][0]) <= set(theirs["param_groups"][0])
    for key, value in ours["state"][1].items():
        if key != "step":
            assert value.shape == params[1].shape


@requires_torch
def test_load_state_dict_accepts_torch_state():
    """A torch Adam state dict (arrays converted with .numpy()) resumes in gradkit."""
    params, target = fresh()
    th_params = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in params]
    th_opt = torch.optim.Adam(th_params, lr=0.05)
    for _ in range(3):
        th_opt.zero_grad()
        sum(((p - torch.tensor(t)) ** 2).sum() for p, t in zip(th_params, target)).backward()
        th_opt.step()
    sd = th_opt.state_dict()
    sd = {
        "param_groups": sd["param_groups"],
        "state": {i: {k: v.numpy() for k, v in s.items()} for i, s in sd["state"].items()},
    }
    ours = [gk.tensor(p.detach().numpy().copy(), requires_grad=True) for p in th_params]
    opt = optim.Adam(ours, lr=0.05)
    opt.load_state_dict(sd)
    quadratic_step(ours, opt, target)
    th_opt.zero_grad()
    sum(((p - torch.tensor(t)) ** 2).sum() for p, t in zip(th_params, target)).backward()
    th_opt.step()
    for a, b in zip(ours, th_params):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


def test_load_state_dict_rejects_mismatch():
    params, target = fresh()
    opt = optim.Adam(params)
    quadratic_step(params, opt, target)
    other = optim.Adam([gk.zeros(3, 2, requires_grad=True)])
    with pytest.raises(ValueError, match="size"):
        other.load_state_dict(opt.state_dict())
    swapped = optim.Adam([gk.zeros(4, requires_grad=True), gk.zeros(3, 2, requires_grad=True)])
    with pytest.raises(ValueError, match="shape"):
        swapped.load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="param_groups"):
        other.load_state_dict({"state": {}})


def test_state_is_cast_to_parameter_dtype():
    params, target = fresh()
    opt = optim.Adam(params)
    quadratic_step(params, opt, target)
    p32 = [gk.tensor(p.detach().numpy().astype(np.float32), requires_grad=True) for p in params]
    opt32 = optim.Adam(p32)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[p32[0]]["exp_avg"].dtype == np.float32
    assert opt32.state[p32[0]]["exp_avg"] is not opt.state[params[0]]["exp_avg"]


def test_zero_grad_and_skipping():
    p, q = gk.ones(2, requires_grad=True), gk.ones(2, requires_grad=True)
    opt = optim.SGD([p, q], lr=0.5)
    (p * 3).sum().backward()
    grad = p.grad
    opt.step()  # q has no gradient: untouched, no state
    np.testing.assert_allclose(p.detach().numpy(), [-0.5, -0.5])
    np.testing.assert_array_equal(q.detach().numpy(), [1, 1])
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and not p.grad.detach().numpy().any() and q.grad is None
    opt.zero_grad()
    assert p.grad is None


def test_closure_is_evaluated_with_grad():
    w = gk.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with gk.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0
    np.testing.assert_allclose(w.detach().numpy(), [1.0])


def test_param_groups_and_add_param_group():
    a, b, c = (gk.zeros(1, requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5, 0.1]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9, 0.0]
    for p in (a, b, c):
        p.grad = gk.ones(1)
    opt.step()
    np.testing.assert_allclose([a.item(), b.item(), c.item()], [-0.1, -0.5, -0.1], rtol=1e-6)
    with pytest.raises(ValueError, match="more than one"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": [gk.zeros(1, requires_grad=True)], "lr": -1})


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), "lr"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), "momentum"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), r"betas\[1\]"),
        (lambda p: optim.Adam(p, betas=(-0.1, 0.9)), r"betas\[0\]"),
        (lambda p: optim.Adam(p, betas=(0.9,)), "pair"),
        (lambda p: optim.AdamW(p, eps=-1e-8), "eps"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "lr_decay"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "initial_accumulator"),
        (lambda p: optim.RMSprop(p, alpha=1.5), "alpha"),
        (lambda p: optim.RMSprop(p, weight_decay=float("nan")), "weight_decay"),
        (lambda p: optim.SGD([], lr=0.1), "empty"),
        (lambda p: optim.SGD([{"params": p, "momentun": 0.9}], lr=0.1), "unknown"),
    ],
)
def test_invalid_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make([gk.zeros(2, requires_grad=True)])


def test_invalid_parameters():
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(gk.zeros(2, requires_grad=True), lr=0.1)
    with pytest.raises(TypeError, match="ordered"):
        optim.SGD([{"params": {gk.zeros(2, requires_grad=True)}}], lr=0.1)
    with pytest.raises(TypeError, match="Tensors"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="requires_grad"):
        optim.SGD([gk.zeros(2)], lr=0.1)
    leaf = gk.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([leaf * 2], lr=0.1)
    with pytest.raises(ValueError, match="twice"):
        optim.SGD([leaf, leaf], lr=0.1)
    with pytest.raises(TypeError, match="number"):
        optim.SGD([leaf], lr="fast")
