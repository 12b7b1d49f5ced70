"""O-NEWTON (issue 24): the edges of ``newton`` and ``gradient_and_hessian``, against
closed forms — an unused parameter between used ones, a Newton direction orthogonal to the
gradient (the fallback to s = g), the stopping rule λ²/2 ≤ tol at its boundary, the
Armijo test with its rounding slack 8 ε |ℓ| (ε of the dtype) at its boundary, and the
``converged`` rule where the line search finds no decrease."""

import numpy as np
import pytest

import gradkit as gk
from gradkit.optim.newton import gradient_and_hessian, newton

EPS64 = float(np.finfo(np.float64).eps)


def test_o_newton_hessian_with_an_unused_parameter_between_used_ones():
    a = gk.tensor([1.0, 2.0], dtype=gk.float64, requires_grad=True)
    b = gk.tensor([5.0, 6.0, 7.0], dtype=gk.float64, requires_grad=True)  # unused
    c = gk.tensor([3.0], dtype=gk.float64, requires_grad=True)
    # ℓ = Σ a³ + a₀ c₀ + c₀²
    loss = (a**3).sum() + a[0] * c[0] + (c**2).sum()
    g, H = gradient_and_hessian(loss, [a, b, c])
    want_g = np.array([3 * 1.0 + 3.0, 3 * 4.0, 0, 0, 0, 1.0 + 2 * 3.0])
    want_H = np.zeros((6, 6))
    want_H[0, 0], want_H[1, 1], want_H[5, 5] = 6.0, 12.0, 2.0
    want_H[0, 5] = want_H[5, 0] = 1.0
    np.testing.assert_array_equal(g, want_g)
    np.testing.assert_array_equal(H, want_H)


def test_o_newton_direction_orthogonal_to_the_gradient_falls_back_to_the_gradient():
    # ℓ = xy + x + y⁴ at (0, 0): g = (1, 0), H = [[0, 1], [1, 0]], s = H⁻¹g = (0, 1) with
    # gᵀs = 0: no descent direction, so the step is along g with λ² = |g|² = 1; ℓ(−t, 0)
    # = −t passes the Armijo test at t = 1
    def loss(t):
        return t[0] * t[1] + t[0] + t[1] ** 4

    theta, hist = newton(loss, gk.tensor([0.0, 0.0], dtype=gk.float64), max_iter=1)
    assert hist["decrement"] == [1.0] and hist["step_size"] == [1.0]
    assert hist["converged"] is False and hist["n_iter"] == 1
    np.testing.assert_array_equal(theta.numpy(), [-1.0, 0.0])


@pytest.mark.parametrize("tol, n_iter", [(0.5, 1), (0.4, 2)])
def test_o_newton_stops_when_half_the_decrement_is_at_most_tol(tol, n_iter):
    # ℓ = θ²/2 from θ = 1: g = H = 1, s = 1, λ² = 1; λ²/2 = 0.5 ≤ tol stops at once,
    # else the full step reaches θ = 0 and the next λ² = 0 stops
    theta, hist = newton(lambda t: 0.5 * (t * t).sum(), gk.tensor([1.0], dtype=gk.float64), tol=tol)
    assert hist["n_iter"] == n_iter and hist["converged"] is True
    assert hist["decrement"] == [1.0, 0.0][:n_iter]
    np.testing.assert_array_equal(theta.numpy(), [0.0])


def _half_square_except_at_zero(at_zero):
    """ℓ = θ²/2, except ℓ(0) = ``at_zero`` (a constant there)."""

    def loss(t):
        if t.detach().numpy().item() == 0.0:
            return gk.tensor(at_zero, dtype=t.dtype) + 0 * t.sum()
        return 0.5 * (t * t).sum()

    return loss


@pytest.mark.parametrize(
    "at_zero, step",
    [
        (0.25 + 4 * EPS64, 1.0),  # exactly ℓ(1) − ¼·1·λ² + 8 ε |ℓ(1)|: accepted
        (0.25 + 4.25 * EPS64, 0.5),  # a quarter ulp of slack above it: halved
    ],
)
def test_o_newton_armijo_test_with_its_rounding_slack_at_the_boundary(at_zero, step):
    # from θ = 1: ℓ = 0.5, λ² = 1; the full step t = 1 lands on 0, where ℓ is at_zero
    _, hist = newton(
        _half_square_except_at_zero(at_zero), gk.tensor([1.0], dtype=gk.float64), max_iter=1
    )
    assert hist["step_size"] == [step]


def test_o_newton_rounding_slack_uses_the_float32_epsilon_for_float32():
    # ℓ(0) one float32 ulp above 0.25 is inside 8 ε₃₂ |ℓ| = 4.8e-7 but far outside 8 ε₆₄ |ℓ|
    at_zero = float(np.float32(0.25) + np.finfo(np.float32).eps / 4)
    _, hist = newton(
        _half_square_except_at_zero(at_zero), gk.tensor([1.0], dtype=gk.float32), max_iter=1
    )
    assert hist["step_size"] == [1.0]


@pytest.mark.parametrize("c, converged", [(1e-10, True), (1.5e-10, False)])
def test_o_newton_converged_where_the_line_search_finds_no_decrease(c, converged):
    # ℓ = c (θ + θ²/2) at θ = 0 (ℓ = 0): g = H = c, s = 1, λ² = c; every other point gives
    # ℓ = 1, so no step decreases ℓ: converged iff λ² ≤ 1e-10 · max(1, |ℓ|) = 1e-10
    def loss(t):
        if t.detach().numpy().item() == 0.0:
            return (c * t + c * 0.5 * t * t).sum()
        return gk.tensor(1.0, dtype=t.dtype) + 0 * t.sum()

    theta, hist = newton(loss, gk.tensor([0.0], dtype=gk.float64), tol=1e-20)
    assert hist["decrement"] == [] and hist["n_iter"] == 0
    assert hist["converged"] is converged
    np.testing.assert_array_equal(theta.numpy(), [0.0])
