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
    grad_tol: float | None = None,
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
    grad_tol : float or None
        Instead of the decrement, stop (before stepping) once ‖∇ℓ‖₂ ≤ ``grad_tol``
        (LIBLINEAR's rule for its Newton solver, with grad_tol = tol·‖∇ℓ(θ₀)‖).

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
        if grad_tol is not None and np.linalg.norm(grad) <= grad_tol:
            return theta, it - 1, True
        step = _solve_psd(hess, grad, min(0.1, np.sqrt(np.linalg.norm(grad) / g0)))
        decrement = float(grad @ step)
        if grad_tol is None and decrement / 2 <= tol:  # computed: take it, nearly free
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
    if grad_tol is not None:
        return theta, max_iter, bool(np.linalg.norm(grad) <= grad_tol)
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


# ----------------------------------------------------------------------------------------
# Solvers with scikit-learn's stopping rules, so that ``tol``, ``max_iter`` and ``n_iter_``
# of an estimator mean what they mean in scikit-learn for the same solver name. Each
# minimises a smooth convex f given as callables; they return (x, n_iter, converged).


def lbfgs(
    fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
) -> tuple[np.ndarray, int, bool, str]:
    """L-BFGS-B (SciPy) with scikit-learn's options for its linear models.

    Stops when the largest entry of the projected gradient is ≤ ``tol`` (``gtol``), when
    the relative decrease (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) is ≤ 64 ε (``ftol``),
    or after ``max_iter`` iterations; line searches take up to 50 evaluations.

    Returns ``(x, n_iter, converged, message)`` with n_iter = min(iterations, max_iter).
    """
    from scipy.optimize import minimize

    res = minimize(
        fun_grad,
        x0,
        method="L-BFGS-B",
        jac=True,
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    return res.x, min(int(res.nit), max_iter), res.status == 0, str(res.message)


def _capped_cg(hvp, grad: np.ndarray, max_inner: int, stop: float) -> np.ndarray:
    """Approximate Newton direction p ≈ −H⁻¹g by conjugate gradients (scikit-learn's rule).

    Iterates until Σ|r| ≤ ``stop`` (r = g + Hp), ``max_inner`` steps, or a direction of
    (near-)zero or negative curvature pᵀHp ≤ 16 ε ‖p‖² (capped CG; on negative curvature
    at the first step it falls back to the steepest-descent step).
    """
    eps = 16 * np.finfo(np.float64).eps
    x = np.zeros_like(grad)
    r = grad.copy()
    p = -r
    rr = float(r @ r)
    p_norm2 = rr
    for i in range(max_inner + 1):
        if float(np.abs(r).sum()) <= stop:
            break
        hp = hvp(p)
        curv = float(p @ hp)
        if 0 <= curv <= eps * p_norm2:
            break
        if curv < 0:
            if i == 0:
                x += rr / curv * p
            break
        a = rr / curv
        x += a * p
        r += a * hp
        rr_new = float(r @ r)
        beta = rr_new / rr
        p = -r + beta * p
        p_norm2 = rr_new + beta * beta * p_norm2
        rr = rr_new
    return x


def newton_cg(
    fun: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], np.ndarray],
    grad_hvp: Callable[[np.ndarray], tuple[np.ndarray, Callable]],
    x0: np.ndarray,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
    max_inner: int = 200,
) -> tuple[np.ndarray, int, bool]:
    """Truncated Newton with scikit-learn's ``newton-cg`` stopping rule.

    Each iteration first checks max_j |∇f_j| ≤ ``tol`` (stop), then solves H p = −∇f by
    capped conjugate gradients to Σ|r| ≤ min(½, √Σ|∇f|) Σ|∇f| and takes a Wolfe line
    search step along p. ``n_iter`` counts the steps taken.
    """
    x = np.array(x0, dtype=np.float64, copy=True)
    old_f, older_f = fun(x), None
    k = 0
    while k < max_iter:
        g, hvp = grad_hvp(x)
        abs_g = np.abs(g)
        if abs_g.max(initial=0.0) <= tol:
            return x, k, True
        total = float(abs_g.sum())
        p = _capped_cg(hvp, g, max_inner, min(0.5, np.sqrt(total)) * total)
        step, new_f, old_f_ls = _wolfe_step(fun, grad, x, p, g, old_f, older_f)
        if step is None:  # no Wolfe step along p: the best we can do at this precision
            return x, k, False
        old_f, older_f = new_f, old_f_ls
        x += step * p
        k += 1
    g, _ = grad_hvp(x)
    return x, k, bool(np.abs(g).max(initial=0.0) <= tol)


def _wolfe_step(fun, grad, x, p, g, old_f, older_f):
    """A step length along p meeting the strong Wolfe conditions, tried in
    scikit-learn's order: MINPACK's line search, then the full step if f changes only
    at rounding level while Σ|∇f| decreases, then SciPy's ``line_search`` (Wolfe 2).

    Returns ``(step, f(x + step p), f(x))``; step is None when all fail.
    """
    from scipy.optimize import line_search

    try:  # MINPACK's dcsrch, the one SciPy's BFGS uses; private in SciPy
        from scipy.optimize._linesearch import line_search_wolfe1
    except ImportError:  # pragma: no cover - a SciPy without it
        line_search_wolfe1 = None
    if line_search_wolfe1 is not None:
        step, _, _, new_f, f0, _ = line_search_wolfe1(fun, grad, x, p, g, old_f, older_f)
        if step is not None:
            return step, new_f, f0
        full = fun(x + p)
        if abs(full - old_f) <= abs(old_f * 16 * np.finfo(np.float64).eps):
            if np.abs(grad(x + p)).sum() < np.abs(g).sum():
                return 1.0, full, old_f
    step, _, _, new_f, f0, _ = line_search(fun, grad, x, p, g, old_f, older_f)
    return step, new_f, f0


def newton_cholesky(
    fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
    hessian: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
) -> tuple[np.ndarray, int, bool]:
    """Newton's method with a Cholesky solve and scikit-learn's ``newton-cholesky`` rules.

    Step p = −H⁻¹∇f; backtracking t ∈ {1, ½, …, 2⁻²⁰} until the Armijo decrease
    f(x + tp) − f(x) ≤ t·2⁻¹¹·∇fᵀp holds (or, when the change is at rounding level
    16 ε|f|, the gradient's ℓ1 norm decreases). After each step: converged when
    max|∇f| ≤ ``tol`` and the Newton decrement ½ pᵀHp ≤ ``tol``.
    """
    x = np.array(x0, dtype=np.float64, copy=True)
    value, g = fun_grad(x)
    eps = 16 * np.finfo(np.float64).eps
    for it in range(1, max_iter + 1):
        H = hessian(x)
        p = -_solve_psd(H, g, 0.0)
        armijo = 2.0**-11 * float(g @ p)
        t, accepted = 1.0, False
        for _ in range(21):
            new_value, new_g = fun_grad(x + t * p)
            change = new_value - value
            if change <= t * armijo:
                accepted = True
                break
            if abs(change) <= abs(value * eps) and np.abs(new_g).sum() < np.abs(g).sum():
                accepted = True
                break
            t *= 0.5
        if not accepted:
            return x, it - 1, False
        x, value, g = x + t * p, new_value, new_g
        if np.abs(g).max(initial=0.0) <= tol and 0.5 * float(p @ H @ p) <= tol:
            return x, it, True
    return x, max_iter, False
