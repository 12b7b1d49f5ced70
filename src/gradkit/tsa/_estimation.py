"""Parameter estimation for :class:`~gradkit.tsa.ARIMA`: starting values, exact MLE, CSS."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradkit.tsa._transforms import is_stationary
from gradkit.tsa.arima import ARIMA, _arima_statespace_batch, _constrain, _unconstrain
from gradkit.tsa.kalman import kalman_loglike_batch

_COMPLEX_STEP = 1e-20
_GTOL = 1e-9  # max |gradient| of -log L / n_eff at a maximum


class _Stationary(Exception):
    """Raised by the objective at a point whose gradient already meets the tolerance.

    L-BFGS-B tests the gradient only at points its line search accepts, and near the
    optimum that search compares likelihoods that differ in the last bits, so it may
    reject such a point and wander; the tolerance is met there, so stop.
    """

    def __init__(self, x: np.ndarray) -> None:
        super().__init__()
        self.x = x


def _lags(x: np.ndarray, k: int, start: int) -> np.ndarray:
    """Columns x_{t-1}, ..., x_{t-k} for t = start..len(x)-1, shape (len(x)-start, k)."""
    return np.column_stack([x[start - i : x.size - i] for i in range(1, k + 1)])


def _differenced(model: ARIMA, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    w = np.diff(y, n=model.d)
    X = None if model.exog is None else np.diff(model.exog, n=model.d, axis=0)
    return w, X


def hannan_rissanen(model: ARIMA, y: np.ndarray) -> np.ndarray:
    """Starting values by regression (Hannan & Rissanen, 1982) on the differenced series.

    The trend comes from OLS on the differenced trend columns; innovations from a long
    AR(2q) fit stand in for the MA errors; then ``w_t`` is regressed on ``p`` own lags and
    ``q`` lagged innovations. Non-stationary / non-invertible results fall back to zeros.
    """
    w, X = _differenced(model, y)
    beta = np.zeros(0) if X is None else np.linalg.lstsq(X, w, rcond=None)[0]
    e = w if X is None else w - X @ beta
    p, q = model.p, model.q
    ar, ma, sigma2 = np.zeros(p), np.zeros(q), float(np.var(e))
    if p + q > 0:
        k = 2 * q
        r = max(k + q, p)
        if e.size - r > p + q + 1:
            cols = [] if p == 0 else [_lags(e, p, r)]
            if q > 0:
                A = _lags(e, k, k)
                eps = e[k:] - A @ np.linalg.lstsq(A, e[k:], rcond=None)[0]
                eps = np.r_[np.zeros(k), eps]
                cols.append(_lags(eps, q, r))
            Xr = np.column_stack(cols)
            coef, *_ = np.linalg.lstsq(Xr, e[r:], rcond=None)
            ar, ma = coef[:p], coef[p:]
            sigma2 = float(np.var(e[r:] - Xr @ coef))
    if not is_stationary(ar):
        ar = np.zeros(p)
    if not is_stationary(-ma):
        ma = np.zeros(q)
    return np.r_[beta, ar, ma, max(sigma2, 1e-8)]


def _scale(model: ARIMA) -> float:
    s = float(np.std(np.diff(model.y, n=model.d)))
    return s if s > 0 else 1.0


def _neg_loglike_batch(model: ARIMA, ys: np.ndarray, diffuse: float, xs: np.ndarray) -> np.ndarray:
    """Objective ``-log L(y / s) / n_eff`` at each row of ``xs`` (unconstrained), one
    batched Kalman pass; 1e10 where the likelihood is not finite. Shape: (B, k) → (B,)."""
    k, p, q = model.k_trend, model.p, model.q
    params = np.array([_constrain(model, x) for x in xs])
    ss = _arima_statespace_batch(
        params[:, k : k + p], params[:, k + p : k + p + q], params[:, -1], model.d, diffuse
    )
    if model.exog is None:
        u = np.broadcast_to(ys, (len(xs), ys.size))
    else:
        u = ys - params[:, :k] @ model.exog.T
    llf = kalman_loglike_batch(ss, u, model.d)
    return np.where(np.isfinite(llf), -llf / model.nobs_effective, 1e10)


def _objective_and_gradient(
    model: ARIMA, ys: np.ndarray, diffuse: float, x: np.ndarray
) -> tuple[float, np.ndarray]:
    """Objective at ``x`` and its complex-step gradient ``g_i = Im f(x + i h e_i) / h``
    (h = 1e-20: no subtraction, so exact to rounding), all k likelihoods in one batched
    complex filter; ``f(x) = Re f(x + i h e_1)`` up to O(h^2)."""
    f = _neg_loglike_batch(model, ys, diffuse, x + 1j * _COMPLEX_STEP * np.eye(x.size))
    return float(f[0].real), f.imag / _COMPLEX_STEP


def fit_mle(
    model: ARIMA, start_params: Any, maxiter: int
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Maximize the exact likelihood over unconstrained parameters on ``y / s``.

    L-BFGS-B with the exact (complex-step) gradient; converged when max |g| <= 1e-9 at
    an evaluated point or the relative decrease of the objective falls below 1e-15.
    The series is divided by ``s`` (std of the differenced series) so that all
    parameters are of order one; the trend scales by ``s``, ``sigma2`` and the diffuse
    variance by ``s^2``, and ``log L(y) = log L(y / s) - n_eff log s`` exactly.
    """
    from scipy.optimize import minimize

    s = _scale(model)
    ys = model.y / s
    k = model.k_trend
    if start_params is None:
        start = hannan_rissanen(model, ys)
    else:
        start = model._check_params(start_params).copy()
        start[:k] /= s
        start[-1] /= s**2
    x0 = _unconstrain(model, start)
    diffuse = model.diffuse_variance / s**2

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = _objective_and_gradient(model, ys, diffuse, x)
        if np.max(np.abs(g)) <= _GTOL:
            raise _Stationary(x.copy())
        return f, g

    iterations = []
    try:
        opt = minimize(
            objective,
            x0,
            method="L-BFGS-B",
            jac=True,
            callback=lambda xk: iterations.append(1),
            options={"maxiter": maxiter, "ftol": 1e-15, "gtol": _GTOL},
        )
        x, converged = opt.x, bool(opt.success)
    except _Stationary as stop:
        x, converged = stop.x, True
    params = _constrain(model, x)
    params[:k] *= s
    params[-1] *= s**2
    info = {"converged": converged, "n_iter": len(iterations)}
    return params, model.loglike(params), info


def fit_css(model: ARIMA) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Minimize the conditional sum of squares of the ARMA errors of the differenced series.

    ``e_t = theta(L)^{-1} phi(L) (w_t - x_t' beta)`` for ``t > p`` with zero pre-sample
    errors; ``sigma2 = SSR / n_c`` and ``log L_c = -n_c / 2 (log(2 pi sigma2) + 1)``,
    ``n_c = n - d - p``.
    """
    from scipy.optimize import least_squares
    from scipy.signal import lfilter

    s = _scale(model)
    w, X = _differenced(model, model.y / s)
    k, p = model.k_trend, model.p

    def errors(theta: np.ndarray) -> np.ndarray:
        beta, ar, ma = theta[:k], theta[k : k + p], theta[k + p :]
        x = w if X is None else w - X @ beta
        xt = x[p:] - (_lags(x, p, p) @ ar if p else 0.0)
        return lfilter([1.0], np.r_[1.0, ma], xt)

    start = hannan_rissanen(model, model.y / s)[:-1]
    opt = least_squares(errors, start, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
    e = errors(opt.x)
    n_c = e.size
    sigma2 = float(e @ e) / n_c * s**2
    params = np.r_[opt.x[:k] * s, opt.x[k:], sigma2]
    llf = -0.5 * n_c * (np.log(2.0 * np.pi * sigma2) + 1.0)
    info = {"converged": bool(opt.success), "n_iter": int(opt.nfev), "nobs_effective": n_c}
    return params, llf, info
