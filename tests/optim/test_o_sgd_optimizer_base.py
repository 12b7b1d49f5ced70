"""O-SGD (issue 24): the Optimizer base class against torch.optim.Optimizer: range checks
of hyperparameters, reprs, state-dict numbering across groups, what load_state_dict
restores (and refuses), version bumps of updated parameters, scratch buffers per dtype."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import gradkit as gk
import gradkit.optim as gopt
from gradkit.optim.optimizer import check_hyper

torch = pytest.importorskip("torch")


def test_check_hyper_ranges_and_messages():
    assert check_hyper("X", "a", 0) == 0.0 and isinstance(check_hyper("X", "a", 1), float)
    assert check_hyper("X", "a", "0.5") == 0.5
    assert check_hyper("X", "a", 1.0, 0.0, 1.0) == 1.0  # closed ends are inside
    assert check_hyper("X", "a", -3.0, -math.inf) == -3.0
    cases = [
        (dict(value=-1e-12), r"^X: invalid a -1e-12; it must lie in \[0.0, inf\)$"),
        (dict(value=0.0, low_open=True), r"must lie in \(0.0, inf\)"),
        (dict(value=1.0, high=1.0, high_open=True), r"must lie in \[0.0, 1.0\)"),
        (dict(value=1.5, high=1.0), r"must lie in \[0.0, 1.0\]"),
        (dict(value=math.inf), "inf"),
        (dict(value=math.nan, low=-math.inf), "nan"),
    ]
    for kw, match in cases:
        with pytest.raises(ValueError, match=match):
            check_hyper("X", "a", **kw)
    with pytest.raises(TypeError, match="^X: a must be a number, got None"):
        check_hyper("X", "a", None)
    with pytest.raises(TypeError, match="must be a number"):
        check_hyper("X", "a", "fast")


@pytest.mark.parametrize(
    ("name", "kw"),
    [("Adam", dict(lr=0.1, weight_decay=0.0)), ("SGD", dict(lr=0.5, momentum=0.9, dampening=0.0,
                                                             weight_decay=0.0))],
)  # fmt: skip
def test_repr_matches_torch(name, kw):
    ours = getattr(gopt, name)([gk.zeros(2, requires_grad=True)], **kw)
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    ours.add_param_group({"params": [gk.zeros(1, requires_grad=True)], "lr": 0.25})
    theirs.add_param_group({"params": [torch.zeros(1, requires_grad=True)], "lr": 0.25})
    assert repr(ours) == repr(theirs)


def test_state_dict_numbers_parameters_across_groups_as_torch():
    def build(lib):
        ps = [lib.zeros(n, requires_grad=True) for n in (1, 2, 3)]
        opt = lib.optim.Adam([{"params": [ps[0]]}, {"params": [ps[1], ps[2]], "lr": 0.5}])
        sum((p * p).sum() for p in ps[1:]).backward()  # ps[0] gets no gradient: no state
        opt.step()
        return opt.state_dict()

    ours, theirs = build(gk), build(torch)
    assert [g["params"] for g in ours["param_groups"]] == [[0], [1, 2]]
    assert [g["params"] for g in theirs["param_groups"]] == [[0], [1, 2]]
    assert sorted(ours["state"]) == sorted(theirs["state"]) == [1, 2]
    assert ours["state"][2]["exp_avg"].shape == (3,)


def trained_adam():
    w = gk.tensor([1.0, -2.0], dtype=gk.float64, requires_grad=True)
    opt = gopt.Adam([w], lr=0.1, amsgrad=True)
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    return w, opt


def test_load_state_dict_restores_and_ignores():
    """Unknown saved options are dropped, initial_lr kept; state values may be Tensors,
    0-d arrays (the step) or Python numbers; values are private copies."""
    w, opt = trained_adam()
    saved = copy.deepcopy(opt.state_dict())
    saved["param_groups"][0]["bogus"] = 1
    saved["param_groups"][0]["initial_lr"] = 0.3
    saved["param_groups"][0]["betas"] = [0.8, 0.9]
    saved["state"][0]["exp_avg"] = gk.tensor(saved["state"][0]["exp_avg"])
    saved["state"][0]["step"] = np.array(2)
    saved["state"][0]["note"] = {"a": [1]}
    w2 = gk.tensor([1.0, -2.0], dtype=gk.float64, requires_grad=True)
    opt2 = gopt.Adam([w2])
    opt2.load_state_dict(saved)
    group = opt2.param_groups[0]
    assert "bogus" not in group and group["initial_lr"] == 0.3
    assert group["betas"] == (0.8, 0.9) and group["lr"] == 0.1 and group["amsgrad"] is True
    state = opt2.state[w2]
    assert state["step"] == 2 and isinstance(state["step"], int)
    assert isinstance(state["exp_avg"], np.ndarray)
    np.testing.assert_array_equal(state["exp_avg"], opt.state[w]["exp_avg"])
    saved["state"][0]["note"]["a"].append(2)
    assert state["note"] == {"a": [1]}


def test_load_state_dict_keeps_integer_arrays_and_casts_floats():
    w = gk.zeros(3, dtype=gk.float32, requires_grad=True)
    opt = gopt.SGD([w], lr=0.1, momentum=0.5)
    counts = np.array([1, 2, 3], dtype=np.int64)
    opt.load_state_dict(
        {
            "param_groups": [{"lr": 0.1, "momentum": 0.5, "params": [0]}],
            "state": {0: {"momentum_buffer": np.ones(3), "counts": counts}},
        }
    )
    assert opt.state[w]["momentum_buffer"].dtype == np.float32
    assert opt.state[w]["counts"].dtype == np.int64
    assert opt.state[w]["counts"] is not counts


def test_load_state_dict_errors():
    w, opt = trained_adam()
    saved = copy.deepcopy(opt.state_dict())
    fresh = gopt.Adam([gk.zeros(2, dtype=gk.float64, requires_grad=True)])
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        fresh.load_state_dict(None)
    with pytest.raises(ValueError, match="2 parameter groups, this optimizer has 1"):
        fresh.load_state_dict({"state": {}, "param_groups": saved["param_groups"] * 2})
    bad = copy.deepcopy(saved)
    bad["state"] = {5: bad["state"][0]}
    with pytest.raises(ValueError, match="parameter 5, which no group has"):
        fresh.load_state_dict(bad)
    bad = copy.deepcopy(saved)
    bad["state"][0]["exp_avg"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"'exp_avg' has shape \(3,\) but its parameter"):
        fresh.load_state_dict(bad)
    bad = copy.deepcopy(saved)
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="Adam: invalid lr"):
        fresh.load_state_dict(bad)
    bad = copy.deepcopy(saved)
    bad["param_groups"][0]["fused"] = bad["param_groups"][0]["foreach"] = True
    with pytest.raises(ValueError, match="^Adam: fused and foreach"):
        fresh.load_state_dict(bad)
    assert fresh.param_groups[0]["lr"] == 1e-3 and not fresh.state  # nothing half-loaded


def test_step_is_an_in_place_change_of_the_parameter():
    """A graph that saved the parameter before step() refuses to backpropagate, as in
    torch; the gradient a closure recorded is used for the update."""
    w = gk.tensor([1.0, 2.0], requires_grad=True)
    opt = gopt.SGD([w], lr=0.1)
    y = (w * w).sum()
    (w * w).sum().backward()
    opt.step()
    with pytest.raises(RuntimeError, match="in-?place"):
        y.backward()


def test_zero_grad_set_to_none_false_is_an_in_place_change():
    w = gk.tensor([1.0, 2.0], requires_grad=True)
    opt = gopt.SGD([w], lr=0.1)
    (w * w).sum().backward()
    g = w.grad
    g.requires_grad_(True)
    y = (g * g).sum()
    opt.zero_grad(set_to_none=False)
    with pytest.raises(RuntimeError, match="in-?place"):
        y.backward()


def test_scratch_buffers_are_per_shape_and_dtype():
    """Parameters of the same shape and different dtypes update as they would alone."""

    def run(dtypes):
        ps = [gk.tensor([0.5, -1.5, 2.5], dtype=d, requires_grad=True) for d in dtypes]
        opt = gopt.Adam(ps, lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            sum((p * p * p).sum() for p in ps).backward()
            opt.step()
        return [p.detach().numpy() for p in ps]

    mixed = run([gk.float64, gk.float32])
    np.testing.assert_array_equal(mixed[0], run([gk.float64])[0])
    np.testing.assert_array_equal(mixed[1], run([gk.float32])[0])
    assert mixed[1].dtype == np.float32


def test_parameters_without_gradient_are_skipped_not_stopped_at():
    """A parameter with no gradient first in the list: the later ones still step and
    still get zeroed; step() without a closure returns None."""
    q, p = gk.ones(2, requires_grad=True), gk.ones(2, requires_grad=True)
    opt = gopt.SGD([q, p], lr=0.5)
    (p * 3).sum().backward()
    assert opt.step() is None
    np.testing.assert_array_equal(p.detach().numpy(), [-0.5, -0.5])
    np.testing.assert_array_equal(q.detach().numpy(), [1.0, 1.0])
    assert q not in opt.state
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_initial_lr_in_a_group_is_accepted_as_in_torch():
    """A group may carry initial_lr (as resumed training does); schedulers start from it."""

    def base_lrs(lib):
        w = lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([{"params": [w], "initial_lr": 0.5}], lr=0.1)
        return lib.optim.lr_scheduler.StepLR(opt, step_size=1).base_lrs

    assert base_lrs(gk) == base_lrs(torch) == [0.5]


def test_torch_step_of_a_scalar_parameter_is_restored_as_a_number():
    """torch saves ``step`` as a 0-d tensor; for a 0-d parameter it must not be taken
    for a moment buffer of the parameter's shape."""
    wt = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    ot = torch.optim.Adam([wt], lr=0.1)
    for _ in range(2):
        ot.zero_grad()
        (wt * wt).backward()
        ot.step()
    sd = ot.state_dict()
    state = {i: {k: v.numpy() for k, v in s.items()} for i, s in sd["state"].items()}
    sd = {"param_groups": sd["param_groups"], "state": state}
    wg = gk.tensor(wt.detach().numpy().copy(), requires_grad=True)
    og = gopt.Adam([wg], lr=0.1)
    og.load_state_dict(sd)
    assert not isinstance(og.state[wg]["step"], np.ndarray) and og.state[wg]["step"] == 2
    assert isinstance(og.state[wg]["exp_avg"], np.ndarray)
    for w, o in ((wg, og), (wt, ot)):
        o.zero_grad()
        (w * w).backward()
        o.step()
    np.testing.assert_allclose(wg.detach().numpy(), wt.detach().numpy(), rtol=1e-13)
