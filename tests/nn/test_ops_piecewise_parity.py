"""NN-ACT: the piecewise-linear activations of ``ops/piecewise.py`` (hardtanh, relu6,
hardsigmoid, hardswish, softshrink, hardshrink, threshold) against PyTorch — values at
and beside every kink, each option (``min_val``/``max_val``, ``lambd``, ``threshold``/
``value``), float32 kept float32, gradients under a random upstream gradient and second
derivatives (issue 24)."""

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from parity_order2 import assert_parity_order2

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# every kink of every op below (±0.5, ±1, ±3, 0, 6 and the options' 0.2/−0.7/1.5) with
# points just beside it
KINKS = np.array([-3.0, -1.0, -0.7, -0.5, 0.0, 0.2, 0.5, 1.0, 1.5, 3.0, 6.0])
X = np.concatenate([KINKS, KINKS - 0.25, KINKS + 0.25, [-7.0, 7.5]])


def _torch_hardsigmoid(x):
    """relu6(x + 3)/6: torch's hardsigmoid with the same zero slope at ±3, but with a
    second derivative (PyTorch's own has none) and the exact 1/6 (PyTorch's backward
    multiplies by the float32 constant 1/6 even in float64)."""
    return TF.relu6(x + 3) / 6


CASES = [
    ("hardtanh", lambda m, x: m.hardtanh(x)),
    ("hardtanh-opts", lambda m, x: m.hardtanh(x, min_val=-0.7, max_val=1.5)),
    ("hardtanh-pos", lambda m, x: m.hardtanh(x, -0.5, 0.2)),
    ("relu6", lambda m, x: m.relu6(x)),
    ("hardsigmoid", lambda m, x: m.hardsigmoid(x) if m is F else _torch_hardsigmoid(x)),
    ("hardswish", lambda m, x: m.hardswish(x)),
    ("softshrink", lambda m, x: m.softshrink(x)),
    ("softshrink-lambd", lambda m, x: m.softshrink(x, lambd=1.5)),
    ("softshrink-pos", lambda m, x: m.softshrink(x, 0.2)),
    ("hardshrink", lambda m, x: m.hardshrink(x)),
    ("hardshrink-lambd", lambda m, x: m.hardshrink(x, lambd=1.0)),
    ("threshold", lambda m, x: m.threshold(x, 0.2, -3.0)),
    ("threshold-neg", lambda m, x: m.threshold(x, threshold=-0.7, value=1.5)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_piecewise_values_gradients_and_second_order_match_torch(case):
    _, fn = case
    assert_parity_order2(lambda x: fn(F, x), lambda x: fn(TF, x), [X])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_piecewise_float32_stays_float32_like_torch(case):
    _, fn = case
    assert_parity_order2(
        lambda x: fn(F, x), lambda x: fn(TF, x), [X.astype(np.float32)], rtol=1e-6, atol=1e-6
    )


def test_hardswish_second_derivative_is_a_third_inside_like_torch():
    """NN-ACT: d²/dx² hardswish = 1/3 on (−3, 3) and 0 outside; the slope at x = 3 is 1."""
    x = np.array([-4.0, -3.0, -1.0, 0.0, 2.0, 3.0, 4.0])
    assert_parity_order2(F.hardswish, TF.hardswish, [x], seed=5)


def test_piecewise_ops_defaults_are_torchs():
    """The ops' own defaults (the functions always pass them): hardtanh's [−1, 1],
    softshrink's and hardshrink's λ = 0.5, threshold 0 with value 0."""
    from gradkit.ops import piecewise as pw

    x = gk.tensor(X)
    t = torch.tensor(X)
    for ours, theirs in [
        (pw.Hardtanh.apply(x), TF.hardtanh(t)),
        (pw.Softshrink.apply(x), TF.softshrink(t)),
        (pw.Hardshrink.apply(x), TF.hardshrink(t)),
        (pw.Threshold.apply(x), TF.threshold(t, 0.0, 0.0)),
    ]:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
