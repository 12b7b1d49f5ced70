"""Newton's method (O-NEWTON) for smooth convex objectives used by the estimators."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def newton(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]],
    x0: np.ndarray,
    *,
    tol: float = 1e-8,
    max_iter: int = 100,
    line_search: bool = True,
) -> tuple[np.ndarray, int, bool]:
    """Minimise a twice-differentiable function with damped Newton–Raphson steps.

    θ ← θ − t H⁻¹ ∇ℓ(θ), with step length t from backtracking (Armijo) when
    ``line_search``; in one dimension this is θ ← θ − ℓ'(θ)/ℓ''(θ).
    Stops when the Newton decrement λ² = ∇ℓᵀ H⁻¹ ∇ℓ falls below ``2 tol``.

    Parameters
    ----------
    fun : callable
        ``fun(theta) -> (value, gradient, hessian)`` with shapes ``()``, ``(p,)``,
        ``(p, p)``.
    x0 : ndarray of shape (p,)
        Starting point.
    tol : float
        Stop when λ²/2 (the predicted decrease) is below ``tol``.
    max_iter : int
        Maximum number of Newton steps.
    line_search : bool
        Backtrack the step until the objective decreases enough.

    Returns
    -------
    theta : ndarray of shape (p,)
    n_iter : int
        Number of Newton steps taken.
    converged : bool

    Examples
    --------
    >>> theta, n_iter, ok = newton(lambda t: ((t - 3) @ (t - 3), 2 * (t - 3), 2 * np.eye(1)),
    ...                            np.zeros(1))
    >>> float(theta[0]), ok
    (3.0, True)
    """
    theta = np.array(x0, dtype=np.float64, copy=True)
    value, grad, hess = fun(theta)
    for it in range(1, max_iter + 1):
        step = _solve_psd(hess, grad)
        decrement = float(grad @ step)
        if decrement / 2 <= tol:
            return theta, it - 1, True
        t = 1.0
        while True:
            candidate = theta - t * step
            new_value, new_grad, new_hess = fun(candidate)
            if not line_search or new_value <= value - 0.25 * t * decrement:
                break
            t *= 0.5
            if t < 1e-10:  # no decrease left at machine precision: we are at the minimum
                return theta, it, decrement <= 1e-10 * max(1.0, abs(value))
        theta, value, grad, hess = candidate, new_value, new_grad, new_hess
    step = _solve_psd(hess, grad)
    return theta, max_iter, float(grad @ step) / 2 <= tol


def _solve_psd(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """H⁻¹ g by Cholesky, falling back to least squares when H is singular."""
    from scipy import linalg

    try:
        return linalg.cho_solve(linalg.cho_factor(hess, check_finite=False), grad)
    except linalg.LinAlgError:
        return linalg.lstsq(hess, grad, check_finite=False)[0]
