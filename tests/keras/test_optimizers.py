"""Keras optimizers against real Keras 3 (torch backend): the same gradients applied
for 5 steps to the same weights give the same weights (concepts O-SGD, O-MOMENTUM,
O-ADAPTIVE, NN-LR).

Each case feeds fixed random float32 gradients to ``optimizer.apply`` in both
libraries, so only the update rules are compared (they differ from PyTorch's: Keras'
Adam ε placement, RMSprop's ε inside the root, Adagrad's 0.1 start, ...).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("Keras is not on its torch backend", allow_module_level=True)

from gradkit import keras as gk_keras  # noqa: E402

SHAPES = [(4, 3), (3,), (2, 2, 3)]
STEPS = 5

CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adamax", {"learning_rate": 0.01}),
    ("Nadam", {"learning_rate": 0.01}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.01, "clipvalue": 0.2}),
    ("RMSprop", {"learning_rate": 0.01, "global_clipnorm": 0.3}),
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.01}),
]


def _grads(seed):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]


def _weights():
    rng = np.random.default_rng(123)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _run_keras(name, kwargs, grads):
    opt = getattr(keras.optimizers, name)(**kwargs)
    variables = [keras.Variable(w.copy()) for w in _weights()]
    for step in grads:
        opt.apply([torch.from_numpy(g.copy()) for g in step], variables)
    return [np.asarray(v.numpy()) for v in variables], opt


def _run_gradkit(name, kwargs, grads, make_kwargs=None):
    opt = getattr(gk_keras.optimizers, name)(**(make_kwargs or kwargs))
    variables = [gk_keras.Variable(w.copy()) for w in _weights()]
    for step in grads:
        opt.apply([g.copy() for g in step], variables)
    return [v.numpy() for v in variables], opt


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{sorted(k)}" for n, k in CASES])
def test_optimizer_matches_keras(name, kwargs):
    """O-SGD / O-MOMENTUM / O-ADAPTIVE: 5 updates equal Keras's to float32 precision
    (1e-6 relative)."""
    grads = _grads(7)
    expected, k_opt = _run_keras(name, kwargs, grads)
    got, g_opt = _run_gradkit(name, kwargs, grads)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)
    assert int(g_opt.iterations.numpy()) == int(k_opt.iterations.numpy()) == STEPS
    assert len(g_opt.variables) == len(k_opt.variables)
    # and the run moved the weights, so the comparison is not vacuous
    assert not np.allclose(got[0], _weights()[0])


@pytest.mark.parametrize(
    "schedule",
    [
        ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
        (
            "ExponentialDecay",
            {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5, "staircase": True},
        ),
        ("PiecewiseConstantDecay", {"boundaries": [1, 3], "values": [0.1, 0.05, 0.01]}),
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "alpha": 0.1}),
        (
            "CosineDecay",
            {
                "initial_learning_rate": 0.0,
                "decay_steps": 4,
                "warmup_target": 0.1,
                "warmup_steps": 2,
            },
        ),
        ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "power": 2.0}),
    ],
    ids=lambda s: s[0],
)
def test_schedules_match_keras(schedule):
    """NN-LR: schedules give Keras's learning rates step by step and drive SGD alike."""
    name, kwargs = schedule
    k_sched = getattr(keras.optimizers.schedules, name)(**kwargs)
    g_sched = getattr(gk_keras.optimizers.schedules, name)(**kwargs)
    for step in range(8):
        np.testing.assert_allclose(
            float(g_sched(step)), float(keras.ops.convert_to_numpy(k_sched(step))), rtol=1e-6
        )
    grads = _grads(3)
    expected, _ = _run_keras("SGD", {"learning_rate": k_sched, "momentum": 0.5}, grads)
    got, _ = _run_gradkit("SGD", None, grads, {"learning_rate": g_sched, "momentum": 0.5})
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


def test_learning_rate_setter_and_config():
    opt = gk_keras.optimizers.Adam(learning_rate=0.01)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    config = opt.get_config()
    assert config["learning_rate"] == 0.5 and config["beta_1"] == 0.9
    clone = gk_keras.optimizers.Adam.from_config(config)
    assert float(clone.learning_rate) == 0.5
    sched = gk_keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    opt = gk_keras.optimizers.SGD(learning_rate=sched)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    again = gk_keras.optimizers.SGD.from_config(opt.get_config())
    assert float(again.learning_rate) == pytest.approx(0.1)


def test_optimizer_errors():
    with pytest.raises(ValueError, match="Only one of"):
        gk_keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="not recognized"):
        gk_keras.optimizers.Adam(lr=0.1)
    with pytest.raises(ValueError, match="adam"):
        gk_keras.optimizers.get("adamm")
    opt = gk_keras.optimizers.SGD()
    v = gk_keras.Variable(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply([None], [v])
    opt.apply([np.ones(3, np.float32)], [v])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply([np.ones(3, np.float32)], [gk_keras.Variable(np.ones(3, np.float32))])
