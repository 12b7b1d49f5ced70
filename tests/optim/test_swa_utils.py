"""Weight averaging (AveragedModel, EMA/SWA averages, update_bn) equals
torch.optim.swa_utils on the same sequence of weights."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.optim.swa_utils import (
    AveragedModel,
    get_ema_avg_fn,
    get_ema_multi_avg_fn,
    update_bn,
)
from parity import requires_torch, torch

swa = None if torch is None else torch.optim.swa_utils


def twin_nets():
    """The same Linear → BatchNorm1d → Linear net in both libraries (float64)."""
    gk.manual_seed(0)
    ours = gk.nn.Sequential(gk.nn.Linear(3, 4), gk.nn.BatchNorm1d(4), gk.nn.Linear(4, 2))
    ours.double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.Linear(4, 2)).double()  # fmt: skip
    theirs.load_state_dict(
        {k: torch.tensor(v.detach().numpy()) for k, v in ours.state_dict().items()}
    )
    return ours, theirs


def perturb_and_run(ours, theirs, rng):
    """Change both nets' weights the same way and run a train-mode batch through both
    (which moves the batch-norm statistics)."""
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            step = rng.standard_normal(p.shape)
            p.data += step
            q += torch.tensor(step)
    x = rng.standard_normal((5, 3))
    ours.train()(gk.tensor(x))
    theirs.train()(torch.tensor(x))


def assert_same_state(ours, theirs, skip_counters=False):
    mine = ours.state_dict()
    for key, value in theirs.state_dict().items():
        if skip_counters and key.endswith("num_batches_tracked"):
            continue
        np.testing.assert_allclose(
            mine[key].detach().numpy(), value.numpy(), rtol=1e-12, atol=1e-14
        )


@requires_torch
@pytest.mark.parametrize(
    "kind, use_buffers",
    [("swa", False), ("ema_multi", False), ("ema", False), ("swa", True), ("ema_multi", True)],
)
def test_averaged_model_matches_torch(kind, use_buffers):
    """Same averaged parameters (and buffers) after five updates, same n_averaged."""
    ours, theirs = twin_nets()
    fns = {
        "swa": ({}, {}),
        "ema_multi": ({"multi_avg_fn": get_ema_multi_avg_fn(0.8)},
                      {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.8)}),
        "ema": ({"avg_fn": get_ema_avg_fn(0.8)}, {"avg_fn": swa.get_ema_avg_fn(0.8)}),
    }[kind]  # fmt: skip
    avg_ours = AveragedModel(ours, use_buffers=use_buffers, **fns[0])
    avg_theirs = swa.AveragedModel(theirs, use_buffers=use_buffers, **fns[1])
    rng = np.random.default_rng(1)
    for _ in range(5):
        perturb_and_run(ours, theirs, rng)
        avg_ours.update_parameters(ours)
        avg_theirs.update_parameters(theirs)
    # torch pushes the integer batch counter through the float average and truncates it;
    # ours copies integer buffers from the model
    assert_same_state(avg_ours, avg_theirs, skip_counters=use_buffers)
    assert int(avg_ours.module[1].num_batches_tracked.detach().numpy()) == 5
    assert int(avg_ours.n_averaged.detach().numpy()) == 5
    x = rng.standard_normal((4, 3))
    np.testing.assert_allclose(
        avg_ours.eval()(gk.tensor(x)).detach().numpy(),
        avg_theirs.eval()(torch.tensor(x)).detach().numpy(),
        rtol=1e-12,
    )


def test_ema_closed_form():
    """After updates with weights w₀, w₁, w₂ the EMA holds d²w₀ + d(1−d)w₁ + (1−d)w₂."""
    net = gk.nn.Linear(2, 2, bias=False).double()
    ema = AveragedModel(net, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    ws = [np.full((2, 2), v) for v in (1.0, 2.0, 4.0)]
    for w in ws:
        net.weight.data[...] = w
        ema.update_parameters(net)
    expected = 0.81 * ws[0] + 0.09 * ws[1] + 0.1 * ws[2]
    np.testing.assert_allclose(ema.module.weight.detach().numpy(), expected, rtol=1e-14)


@requires_torch
def test_update_bn_matches_torch():
    """update_bn resets the statistics, accumulates a cumulative average over the loader
    and restores momentum and mode, as torch's does."""
    ours, theirs = twin_nets()
    ours.eval()
    theirs.eval()
    rng = np.random.default_rng(2)
    batches = [rng.standard_normal((n, 3)) for n in (7, 3, 5)]
    update_bn([(gk.tensor(b), None) for b in batches], ours)
    swa.update_bn([(torch.tensor(b), None) for b in batches], theirs)
    assert_same_state(ours, theirs)
    assert not ours.training and ours[1].momentum == 0.1


def test_errors():
    net = gk.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="not both"):
        AveragedModel(net, avg_fn=get_ema_avg_fn(), multi_avg_fn=get_ema_multi_avg_fn())
    with pytest.raises(ValueError, match="decay"):
        get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match="do not match"):
        AveragedModel(net).update_parameters(gk.nn.Linear(3, 2))
