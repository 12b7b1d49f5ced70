"""Optimizer parity with PyTorch (concepts O-GD, O-SGD, O-MOMENTUM, O-ADAPTIVE).

The same 3-layer MLP, with the same initial weights, trains 200 steps on the same
mini-batches in gradkit and in PyTorch; the loss at every step and the final weights
must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import optim
from parity import requires_torch, torch

SIZES = (6, 16, 12, 4)
# A first layer of 19,200 weights takes the optimizers' OpenBLAS path (gradkit.openblas).
WIDE = (64, 300, 12, 4)
STEPS, BATCH = 200, 16

CASES = {
    "O-GD-full-batch": ("SGD", dict(lr=0.1)),
    "O-SGD-momentum-nesterov-wd": (
        "SGD",
        dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    ),
    "O-MOMENTUM-dampening-maximize": (
        "SGD",
        dict(lr=0.05, momentum=0.8, dampening=0.3, maximize=True),
    ),
    "O-ADAPTIVE-adagrad": (
        "Adagrad",
        dict(lr=0.1, lr_decay=1e-3, weight_decay=1e-3, initial_accumulator_value=0.1),
    ),
    "O-ADAPTIVE-rmsprop-centered-momentum": (
        "RMSprop",
        dict(lr=3e-3, alpha=0.95, momentum=0.5, centered=True, weight_decay=1e-3),
    ),
    "O-ADAPTIVE-rmsprop-plain": ("RMSprop", dict(lr=3e-3)),
    "O-ADAPTIVE-adam-amsgrad": (
        "Adam",
        dict(lr=3e-3, betas=(0.8, 0.99), weight_decay=1e-3, amsgrad=True),
    ),
    "O-ADAPTIVE-adam": ("Adam", dict(lr=3e-3)),
    "O-ADAPTIVE-adamw": ("AdamW", dict(lr=3e-3, weight_decay=0.1, amsgrad=True)),
}


def make_problem(seed=0, n=128, sizes=SIZES):
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)))
        weights.append(rng.uniform(-bound, bound, fan_out))
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    return weights, X, y


def batches(n, full_batch, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(STEPS):
        yield np.arange(n) if full_batch else rng.choice(n, BATCH, replace=False)


def gk_loss(params, x, y):
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i].T + params[i + 1]
        if i + 2 < len(params):
            h = gk.relu(h)
    logp = gk.log_softmax(h, axis=1)
    return -logp[np.arange(len(y)), y].mean()


def torch_loss(params, x, y):
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i].T + params[i + 1]
        if i + 2 < len(params):
            h = torch.relu(h)
    return torch.nn.functional.cross_entropy(h, y)


def run_gradkit(name, kwargs, weights, X, y, full, dtype=np.float64):
    params = [gk.tensor(w.astype(dtype), requires_grad=True) for w in weights]
    # Two parameter groups exercise the group machinery (the second inherits defaults).
    opt = getattr(optim, name)([{"params": params[:2]}, {"params": params[2:]}], **kwargs)
    losses = []
    for idx in batches(len(X), full):
        opt.zero_grad()
        loss = gk_loss(params, gk.tensor(X[idx].astype(dtype)), y[idx])
        if kwargs.get("maximize"):  # ascend the negated loss
            loss = -loss
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), params, opt


def run_torch(name, kwargs, weights, X, y, full):
    params = [torch.tensor(w, requires_grad=True) for w in weights]
    opt = getattr(torch.optim, name)([{"params": params[:2]}, {"params": params[2:]}], **kwargs)
    losses = []
    for idx in batches(len(X), full):
        opt.zero_grad()
        loss = torch_loss(params, torch.tensor(X[idx]), torch.tensor(y[idx]))
        if kwargs.get("maximize"):
            loss = -loss
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), [p.detach().numpy() for p in params]


@requires_torch
@pytest.mark.parametrize("sizes", [SIZES, WIDE], ids=["small", "wide"])
@pytest.mark.parametrize("case", list(CASES))
def test_training_matches_torch(case, sizes):
    """O-GD / O-SGD / O-MOMENTUM / O-ADAPTIVE: 200 steps, loss and weights agree."""
    name, kwargs = CASES[case]
    weights, X, y = make_problem(sizes=sizes)
    full = case.startswith("O-GD")
    gk_losses, gk_params, _ = run_gradkit(name, kwargs, weights, X, y, full)
    th_losses, th_params = run_torch(name, kwargs, weights, X, y, full)
    assert np.isfinite(gk_losses).all()
    np.testing.assert_allclose(gk_losses, th_losses, rtol=1e-4, atol=0)
    for a, b in zip(gk_params, th_params):
        np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-4, atol=1e-7)
    # The run must have actually moved the weights (and reduced/raised the loss).
    assert not np.allclose(gk_params[0].detach().numpy(), weights[0])
    if kwargs.get("maximize"):
        assert gk_losses[-1] > gk_losses[0]
    else:
        assert gk_losses[-1] < gk_losses[0]


@pytest.mark.parametrize("case", list(CASES))
def test_float32_stays_float32(case):
    """Parameters, gradients and every state array keep float32."""
    name, kwargs = CASES[case]
    weights, X, y = make_problem()
    losses, params, opt = run_gradkit(name, kwargs, weights, X, y, False, dtype=np.float32)
    assert np.isfinite(losses).all()
    for p in params:
        assert p.detach().numpy().dtype == np.float32
        for value in opt.state[p].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32
    # float32 training follows the float64 trajectory closely
    ref, _, _ = run_gradkit(name, kwargs, weights, X, y, False)
    np.testing.assert_allclose(losses, ref, rtol=1e-3)


def test_updates_are_in_place():
    """O-SGD: p keeps its storage, and the moment buffers are reused across steps."""
    weights, X, y = make_problem()
    params = [gk.tensor(w, requires_grad=True) for w in weights]
    opt = optim.Adam(params, lr=1e-2, amsgrad=True)
    buffers = [p.detach().numpy() for p in params]
    for step in range(3):
        opt.zero_grad()
        gk_loss(params, gk.tensor(X), y).backward()
        opt.step()
        if step == 0:
            state_ids = {k: id(v) for k, v in opt.state[params[0]].items()}
    assert all(p.detach().numpy() is b for p, b in zip(params, buffers))
    for k, v in opt.state[params[0]].items():
        assert id(v) == state_ids[k] or k == "step"
    assert opt.state[params[0]]["step"] == 3
