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
    Stops when the Newton decrement λ² = ∇ℓᵀ H⁻¹ ∇ℓ falls below ``2 tol``, after taking
    that last (already computed) step.

    Parameters
    ----------
    fun : callable
        ``fun(theta) -> (value, gradient, hessian)`` with shapes ``()``, ``(p,)``,
        ``(p, p)``; or, for large p, ``hessian`` a pair ``(hvp, diag)`` of the
        Hessian-vector product v ↦ Hv and the Hessian's diagonal, and the Newton system
        H s = ∇ℓ is then solved inexactly by preconditioned conjugate gradients
        (truncated Newton) to a relative residual min(0.1, √(‖∇ℓ‖/‖∇ℓ₀‖)).
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
    >>> round(float(theta[0]), 12), ok
    (3.0, True)
    """
    theta = np.array(x0, dtype=np.float64, copy=True)
    value, grad, hess = fun(theta)
    g0 = max(float(np.linalg.norm(grad)), 1e-300)
    for it in range(1, max_iter + 1):
        step = _solve_psd(hess, grad, min(0.1, np.sqrt(np.linalg.norm(grad) / g0)))
        decrement = float(grad @ step)
        if decrement / 2 <= tol:  # the step is computed: take it, it is nearly free
            return theta - step, it - 1, True
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
    step = _solve_psd(hess, grad, 1e-8)
    return theta, max_iter, float(grad @ step) / 2 <= tol


def _solve_psd(hess, grad: np.ndarray, rtol: float) -> np.ndarray:
    """H⁻¹ g by Cholesky (LAPACK potrf/potrs, called directly: the scipy.linalg wrappers
    cost ten times more than the solve at these sizes), falling back to least squares when
    H is singular; or by Jacobi-preconditioned conjugate gradients when H is given as
    ``(hvp, diag)``."""
    from scipy.linalg import lapack, lstsq

    if isinstance(hess, tuple):
        return _pcg(*hess, grad, rtol)
    factor, info = lapack.dpotrf(hess, lower=1)
    if info == 0:
        step, info = lapack.dpotrs(factor, grad, lower=1)
        if info == 0:
            return step
    return lstsq(hess, grad, check_finite=False)[0]


def _pcg(hvp, diag: np.ndarray, b: np.ndarray, rtol: float) -> np.ndarray:
    """Solve H x = b for symmetric positive definite H by conjugate gradients.

    Preconditioned by M = diag(H): z = M⁻¹r, x ← x + a p with a = rᵀz / pᵀHp, then
    p ← z + (r'ᵀz' / rᵀz) p; stops when ‖r‖ ≤ ``rtol``·‖b‖ (at most 2·len(b) steps).
    """
    inv = 1.0 / np.maximum(diag, 1e-12 * max(float(diag.max()), 1e-300))
    x = np.zeros_like(b)
    r = b.copy()
    z = inv * r
    p = z.copy()
    rz = float(r @ z)
    stop = rtol * float(np.linalg.norm(b))
    for _ in range(2 * len(b)):
        hp = hvp(p)
        a = rz / float(p @ hp)
        x += a * p
        r -= a * hp
        if float(r @ r) <= stop * stop:
            break
        z = inv * r
        rz, rz_old = float(r @ z), rz
        p *= rz / rz_old
        p += z
    return x
