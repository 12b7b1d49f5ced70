"""O-NEWTON (issue 24): every option of ``newton`` and ``Newton`` against closed forms:
the backtracking line search's accepted step, the least-squares direction on a singular
Hessian, per-group damping and lr, Hessian blocks between parameters, unused and linear
parameters, the history record and the argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit as gk
from gradkit.optim import Newton, newton
from gradkit.optim.newton import gradient_and_hessian


def test_line_search_accepts_the_first_armijo_step():
    """ℓ = √(1 + θ²) from θ = 2: the Newton step s = θ(1 + θ²) = 10 overshoots; t = 1 and
    ½ fail ℓ(θ − ts) ≤ ℓ(θ) − ¼ t gᵀs, t = ¼ passes: θ₁ = 2 − 2.5 = −0.5."""
    loss = lambda t: (1 + t * t).sqrt().sum()  # noqa: E731
    theta, hist = newton(loss, gk.tensor([2.0], dtype=gk.float64), max_iter=1)
    g = 2 / math.sqrt(5)
    assert hist["step_size"] == [0.25]
    assert hist["decrement"][0] == pytest.approx(g * 10, rel=1e-12)
    assert theta.item() == pytest.approx(-0.5, rel=1e-12)
    assert hist["loss"] == pytest.approx([math.sqrt(5), math.sqrt(1.25)], rel=1e-12)
    assert hist["grad_norm"][0] == pytest.approx(g, rel=1e-12)
    assert hist["n_iter"] == 1 and not hist["converged"]
    # without the line search the full step lands on −8
    raw, hist = newton(loss, gk.tensor([2.0], dtype=gk.float64), max_iter=1, line_search=False)
    assert raw.item() == pytest.approx(-8.0, rel=1e-12) and hist["step_size"] == [1.0]


def test_singular_hessian_uses_the_least_squares_direction():
    """ℓ = (a + b − 1)²: H = 2·[[1, 1], [1, 1]] is singular; the step is the minimum-norm
    solution pinv(H) g, which lands on a + b = 1 with a = b."""
    loss = lambda t: ((t[0] + t[1] - 1) ** 2).sum()  # noqa: E731
    theta0 = np.array([2.0, 0.0])
    theta, _ = newton(loss, gk.tensor(theta0), max_iter=1, line_search=False)
    g = 2 * (theta0.sum() - 1) * np.ones(2)
    H = 2 * np.ones((2, 2))
    np.testing.assert_allclose(theta.numpy(), theta0 - np.linalg.pinv(H) @ g, atol=1e-12)
    np.testing.assert_allclose(theta.numpy(), [1.5, -0.5], atol=1e-12)


def test_hessian_blocks_between_parameters_unused_and_linear_ones():
    """ℓ = Σ a·b + Σ a² + 3 Σ c (d unused): H has the identity in the (a, b) blocks,
    2I in (a, a), zeros for the linear c and the unused d."""
    a = gk.tensor([1.0, 2.0], dtype=gk.float64, requires_grad=True)
    b = gk.tensor([3.0, -1.0], dtype=gk.float64, requires_grad=True)
    c = gk.tensor([0.5], dtype=gk.float64, requires_grad=True)
    d = gk.tensor([7.0], dtype=gk.float64, requires_grad=True)
    loss = (a * b).sum() + (a * a).sum() + 3 * c.sum()
    g, H = gradient_and_hessian(loss, [a, b, c, d])
    np.testing.assert_allclose(g, [3 + 2, -1 + 4, 1, 2, 3, 0])
    expected = np.zeros((6, 6))
    expected[:2, :2] = 2 * np.eye(2)
    expected[:2, 2:4] = expected[2:4, :2] = np.eye(2)
    np.testing.assert_allclose(H, expected)


def test_newton_optimizer_lr_and_per_group_damping():
    """On ℓ = ½ Σ hᵢ θᵢ² − Σ θᵢ (diagonal H = h) a step is θ − lr (h + λ)⁻¹ (hθ − 1),
    with each group's own λ; step() returns the loss before the update."""
    h = np.array([1.0, 4.0, 2.0])
    a = gk.tensor([0.0, 1.0], dtype=gk.float64, requires_grad=True)
    b = gk.tensor([3.0], dtype=gk.float64, requires_grad=True)
    opt = Newton([{"params": [a], "damping": 1.0}, {"params": [b], "lr": 0.5}], lr=0.8)
    ht = gk.tensor(h)

    def closure():
        theta = gk.cat([a, b])
        return (0.5 * ht * theta * theta).sum() - theta.sum()

    theta0 = np.array([0.0, 1.0, 3.0])
    loss = opt.step(closure)
    assert loss.item() == pytest.approx((0.5 * h * theta0**2).sum() - theta0.sum())
    assert not loss.requires_grad
    grad = h * theta0 - 1
    lr, lam = np.array([0.8, 0.8, 0.5]), np.array([1.0, 1.0, 0.0])
    expected = theta0 - lr * grad / (h + lam)
    np.testing.assert_allclose(np.concatenate([a.detach().numpy(), b.detach().numpy()]),
                               expected, rtol=1e-12)  # fmt: skip
    assert a.is_leaf and a.requires_grad


def test_newton_optimizer_keeps_float32_parameters():
    w = gk.tensor([2.0, -1.0], dtype=gk.float32, requires_grad=True)
    Newton([w]).step(lambda: ((w - 1.0) ** 2).sum())
    assert w.dtype == gk.float32
    np.testing.assert_allclose(w.detach().numpy(), [1.0, 1.0], rtol=1e-6)


def test_tolerance_stops_after_the_last_step_and_records_it():
    """ℓ = (θ − 3)² from 0: one Newton step is exact; the second iteration's decrement 0
    is ≤ 2·tol, so it takes that (zero) step and stops converged."""
    loss = lambda t: ((t - 3.0) ** 2).sum()  # noqa: E731
    theta, hist = newton(loss, [0.0], tol=1e-12)
    assert theta.item() == pytest.approx(3.0, abs=1e-14)
    assert hist["converged"] and hist["n_iter"] == 2
    assert hist["decrement"][0] == pytest.approx(18.0) and hist["decrement"][1] == 0
    assert hist["step_size"] == [1.0, 1.0] and len(hist["loss"]) == 3
    # a huge tol stops at the first iteration, after taking its step
    theta, hist = newton(loss, [0.0], tol=1e3)
    assert theta.item() == pytest.approx(3.0) and hist["n_iter"] == 1 and hist["converged"]
    # max_iter caps the steps; the run is not converged
    slow = lambda t: (t.exp() - 2 * t).sum()  # noqa: E731
    _, hist = newton(slow, [5.0], max_iter=2, tol=0.0)
    assert hist["n_iter"] == 2 and not hist["converged"] and len(hist["loss"]) == 3


def test_damping_shortens_the_step():
    """On ℓ = θ² (H = 2) with damping λ: θ₁ = θ₀ − 2θ₀ / (2 + λ)."""
    theta, _ = newton(lambda t: (t * t).sum(), [4.0], damping=6.0, max_iter=1)
    assert theta.item() == pytest.approx(4.0 - 8.0 / 8.0)


def test_start_shape_dtype_and_array_input():
    theta, _ = newton(lambda t: ((t - 1.0) ** 2).sum(), [[0.0, 2.0]])
    assert theta.shape == (1, 2) and theta.dtype == gk.float64
    np.testing.assert_allclose(theta.numpy(), [[1.0, 1.0]])
    t32, _ = newton(lambda t: ((t - 1.0) ** 2).sum(), gk.tensor([0.0], dtype=gk.float32))
    assert t32.dtype == gk.float32


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        (dict(max_iter=True), ValueError, "max_iter must be an integer >= 1, got True"),
        (dict(max_iter=2.0), ValueError, "max_iter"),
        (dict(tol=-1.0), ValueError, "newton: invalid tol"),
        (dict(damping=float("inf")), ValueError, "newton: invalid damping"),
    ],
)
def test_bad_options(kw, error, match):
    with pytest.raises(error, match=match):
        newton(lambda t: (t * t).sum(), [1.0], **kw)


def test_bad_inputs():
    assert newton(lambda t: (t * t).sum(), [1.0], max_iter=np.int64(1))[1]["n_iter"] == 1
    with pytest.raises(TypeError, match="theta must be floating point, got int64"):
        newton(lambda t: (t * t).sum(), gk.tensor([1, 2]))
    with pytest.raises(ValueError, match="theta contains NaN or inf"):
        newton(lambda t: (t * t).sum(), [np.inf])
    with pytest.raises(TypeError, match="newton: the loss must be a Tensor, got float"):
        newton(lambda t: 1.0, [1.0])
    with pytest.raises(ValueError, match=r"newton: the loss must have one element, got shape"):
        newton(lambda t: t * t, [1.0, 2.0])
    with pytest.raises(ValueError, match="loss at the starting point is inf"):
        newton(lambda t: (t * 0 + np.inf).sum(), [1.0])
    w = gk.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="Newton: invalid damping"):
        Newton([w], damping=-1.0)
    with pytest.raises(ValueError, match=r"Newton: invalid lr 0.0; it must lie in \(0.0"):
        Newton([w], lr=0.0)
    w2 = gk.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="Newton.step: the loss must have one element"):
        Newton([w2]).step(lambda: w2 * 2)


def test_hessian_offsets_with_unused_and_linear_parameters_first():
    """Unused (d) and linear (c) parameters before the coupled ones shift every row and
    column offset: ℓ = Σ a·b + 3 Σ c."""
    d = gk.tensor([7.0], dtype=gk.float64, requires_grad=True)
    c = gk.tensor([0.5, 1.5], dtype=gk.float64, requires_grad=True)
    a = gk.tensor([1.0, 2.0], dtype=gk.float64, requires_grad=True)
    b = gk.tensor([3.0, -1.0], dtype=gk.float64, requires_grad=True)
    g, H = gradient_and_hessian((a * b).sum() + 3 * c.sum(), [d, c, a, b])
    np.testing.assert_allclose(g, [0, 3, 3, 3, -1, 1, 2])
    expected = np.zeros((7, 7))
    expected[3:5, 5:7] = expected[5:7, 3:5] = np.eye(2)
    np.testing.assert_allclose(H, expected)


KEYS = {"loss", "grad_norm", "decrement", "step_size", "n_iter", "converged"}


def test_default_max_iter_and_tol():
    """ℓ = θ⁴ from 1: each step is θ ← ⅔θ with decrement gᵀs = (4/3)θ⁴. With tol=0 the run
    stops after the default 50 steps at (⅔)⁵⁰; with the default tol 1e-10 it stops after
    the first step whose decrement/2 is at most 1e-10."""
    quartic = lambda t: (t**4).sum()  # noqa: E731
    theta, hist = newton(quartic, [1.0], tol=0.0)
    assert hist["n_iter"] == 50 and not hist["converged"]
    assert theta.item() == pytest.approx((2 / 3) ** 50, rel=1e-9)
    assert theta.requires_grad is False
    x, k = 1.0, 0
    while True:
        k += 1
        if (4 / 3) * x**4 / 2 <= 1e-10:
            break
        x *= 2 / 3
    theta, hist = newton(quartic, [1.0])
    assert hist["n_iter"] == k and hist["converged"] and set(hist) == KEYS


def test_start_at_the_minimum_with_zero_tol_converges_at_once():
    theta, hist = newton(lambda t: (t * t).sum(), [0.0], tol=0.0)
    assert hist["converged"] and hist["n_iter"] == 1 and theta.item() == 0.0


def test_no_decrease_possible_stops_without_a_step():
    """A loss whose value falls along −g but whose autograd gradient says otherwise
    (a detached term): every trial fails, the step shrinks below 1e-10 and the run stops
    where it started, converged only if the decrement is negligible next to |ℓ|."""

    def fake(scale, offset):
        return lambda t: (t * t).sum() + offset - scale * t.detach().sum()

    start = 1.0
    theta, hist = newton(fake(100.0, 0.0), [start], tol=0.0)
    assert theta.item() == start and hist["n_iter"] == 0 and hist["step_size"] == []
    assert set(hist) == KEYS
    assert hist["converged"] is False  # decrement 2 against |ℓ| = 99
    theta, hist = newton(fake(1e6, 1e4), [1e-4], tol=0.0)
    assert theta.item() == 1e-4 and hist["n_iter"] == 0
    assert hist["converged"] is True  # decrement 2e-8 ≤ 1e-10 · |ℓ| ≈ 9.9e-7


def test_integer_start_is_taken_as_float64():
    theta, _ = newton(lambda t: ((t - 0.5) ** 2).sum(), [1, 2])
    assert theta.dtype == gk.float64
    np.testing.assert_allclose(theta.numpy(), [0.5, 0.5])


def test_line_search_loss_must_stay_a_tensor():
    loss = lambda t: (t * t).sum() if t.requires_grad else 1.0  # noqa: E731
    with pytest.raises(TypeError, match="^newton: the loss must be a Tensor, got float"):
        newton(loss, [3.0])


def test_newton_optimizer_matrix_parameter_three_tensors_and_string_options():
    """A (2, 2) parameter between two others; lr and damping given as strings are
    stored as floats. ℓ = ½ Σ θ² − Σ θ: θ ← θ − lr (θ − 1) / (1 + λ)."""
    a = gk.tensor([[0.0, 2.0], [4.0, -2.0]], dtype=gk.float64, requires_grad=True)
    b = gk.tensor([3.0], dtype=gk.float64, requires_grad=True)
    c = gk.tensor([5.0], dtype=gk.float64, requires_grad=True)
    opt = Newton([b, a, c], lr="0.5", damping="1")
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["damping"] == 1.0
    opt.step(lambda: sum((0.5 * p * p).sum() - p.sum() for p in (a, b, c)))
    for p, p0 in ((a, [[0.0, 2.0], [4.0, -2.0]]), (b, [3.0]), (c, [5.0])):
        p0 = np.array(p0)
        np.testing.assert_allclose(p.detach().numpy(), p0 - 0.5 * (p0 - 1) / 2, rtol=1e-12)
