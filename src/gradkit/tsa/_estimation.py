"""Parameter estimation for :class:`~gradkit.tsa.ARIMA`: starting values, exact MLE, CSS."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from gradkit.tsa._statespace import arima_statespace_batch
from gradkit.tsa._transforms import constrain_ar, is_stationary, unconstrain_ar
from gradkit.tsa.kalman import StateSpace, kalman_loglike_batch, kalman_loglike_obs_batch

if TYPE_CHECKING:  # annotations only: arima.py imports this module
    from gradkit.tsa.arima import ARIMA

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


def param_scale(model: ARIMA, s: float) -> np.ndarray:
    """Parameters of ``y`` are those of ``y / s`` times this: ``s`` for the trend, 1 for
    the ARMA coefficients, ``s^2`` for sigma2. Shape: (k_params,)."""
    k = model.k_trend
    return np.r_[np.full(k, s), np.ones(model.k_params - k - 1), s * s]


def _statespace_and_data(
    model: ARIMA, ys: np.ndarray, diffuse: float, params: np.ndarray
) -> tuple[StateSpace, np.ndarray]:
    """B systems for the rows of ``params`` (natural, possibly complex) and the series
    ``ys`` less each row's trend. Shape: params (B, k) → data (B, n)."""
    k, p, q = model.k_trend, model.p, model.q
    ss = arima_statespace_batch(
        params[:, k : k + p], params[:, k + p : k + p + q], params[:, -1], model.d, diffuse
    )
    if model.exog is None:
        return ss, np.broadcast_to(ys, (len(params), ys.size))
    return ss, ys - params[:, :k] @ model.exog.T


def loglike_batch(model: ARIMA, ys: np.ndarray, diffuse: float, params: np.ndarray) -> np.ndarray:
    """Exact ``log L(ys)`` at each row of ``params``, one batched Kalman pass.
    Shape: (B, k) → (B,)."""
    return kalman_loglike_batch(*_statespace_and_data(model, ys, diffuse, params), model.d)


def loglike_obs_batch(
    model: ARIMA, ys: np.ndarray, diffuse: float, params: np.ndarray
) -> np.ndarray:
    """Per-observation exact log-likelihoods (zero for the first ``d``). (B, k) → (B, n)."""
    return kalman_loglike_obs_batch(*_statespace_and_data(model, ys, diffuse, params), model.d)


def _constrain(model: ARIMA, x: np.ndarray) -> np.ndarray:
    """Unconstrained optimizer vector -> parameters (trend, stationary AR, invertible MA,
    sigma2 = exp)."""
    k, p, q = model.k_trend, model.p, model.q
    return np.r_[
        x[:k],
        constrain_ar(x[k : k + p]),
        -constrain_ar(x[k + p : k + p + q]),
        np.exp(x[-1]),
    ]


def _unconstrain(model: ARIMA, params: np.ndarray) -> np.ndarray:
    beta, ar, ma, sigma2 = model._split(params)
    ar = ar if is_stationary(ar) else np.zeros_like(ar)
    ma = ma if is_stationary(-ma) else np.zeros_like(ma)
    return np.r_[beta, unconstrain_ar(ar), unconstrain_ar(-ma), np.log(sigma2)]


def _neg_loglike_batch(model: ARIMA, ys: np.ndarray, diffuse: float, xs: np.ndarray) -> np.ndarray:
    """Objective ``-log L(y / s) / n_eff`` at each row of ``xs`` (unconstrained), one
    batched Kalman pass; 1e10 where the likelihood is not finite. Shape: (B, k) → (B,)."""
    llf = loglike_batch(model, ys, diffuse, np.array([_constrain(model, x) for x in xs]))
    return np.where(np.isfinite(llf), -llf / model.nobs_effective, 1e10)


def complex_step(fun: Callable[[np.ndarray], np.ndarray], points: np.ndarray):
    """Values and first derivatives of ``fun`` at each row of ``points``, all in one call.

    ``d fun(x) / d x_j = Im fun(x + i h e_j) / h`` with ``h = 1e-20``: no subtraction, so
    exact to rounding, and ``fun(x) = Re fun(x + i h e_1)`` up to O(h^2). ``fun`` must be
    built from analytic operations (no ``abs``, no conjugation) so it extends to complex
    arguments.

    Shape: points (N, k); fun maps (B, k) → (B, ...); returns values (N, ...) and
    derivatives (N, k, ...).
    """
    N, k = points.shape
    z = points[:, None, :] + 1j * _COMPLEX_STEP * np.eye(k)
    f = fun(z.reshape(N * k, k))
    f = f.reshape(N, k, *f.shape[1:])
    return f[:, 0].real, f.imag / _COMPLEX_STEP


def _objective_and_gradient(
    model: ARIMA, ys: np.ndarray, diffuse: float, x: np.ndarray
) -> tuple[float, np.ndarray]:
    """Objective at ``x`` and its complex-step gradient (:func:`complex_step`), all k
    likelihoods in one batched complex filter."""
    f, g = complex_step(lambda xs: _neg_loglike_batch(model, ys, diffuse, xs), x[None])
    return float(f[0]), g[0]


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
    D = param_scale(model, s)
    if start_params is None:
        start = hannan_rissanen(model, ys)
    else:
        start = model._check_params(start_params) / D
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
    params = _constrain(model, x) * D
    info = {"converged": converged, "n_iter": len(iterations)}
    return params, model.loglike(params), info


def _css_errors(model: ARIMA, w: np.ndarray, X: np.ndarray | None, theta: np.ndarray):
    """ARMA errors ``e_t = theta(L)^{-1} phi(L) (w_t - x_t' beta)``, ``t > p``, of the
    differenced series ``w`` with zero pre-sample errors; ``theta`` = (trend, AR, MA),
    real or complex. Shape: w (n - d,) → (n - d - p,)."""
    from scipy.signal import lfilter

    k, p = model.k_trend, model.p
    beta, ar, ma = theta[:k], theta[k : k + p], theta[k + p :]
    x = w if X is None else w - X @ beta
    xt = x[p:] - (_lags(x, p, p) @ ar if p else 0.0)
    return lfilter([1.0], np.r_[1.0, ma], xt)


def css_loglike_obs_batch(model: ARIMA, ys: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Per-observation conditional log-likelihoods ``-1/2 [log(2 pi sigma2) + e_t^2 /
    sigma2]`` of the series ``ys`` at each row of ``params`` (possibly complex).
    Shape: (B, k) → (B, n - d - p)."""
    w, X = _differenced(model, ys)
    e = np.array([_css_errors(model, w, X, theta[:-1]) for theta in params])
    sigma2 = params[:, -1:]
    return -0.5 * (np.log(2.0 * np.pi * sigma2) + e * e / sigma2)


def fit_css(model: ARIMA) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Minimize the conditional sum of squares of the ARMA errors of the differenced series.

    ``e_t = theta(L)^{-1} phi(L) (w_t - x_t' beta)`` for ``t > p`` with zero pre-sample
    errors; ``sigma2 = SSR / n_c`` and ``log L_c = -n_c / 2 (log(2 pi sigma2) + 1)``,
    ``n_c = n - d - p``.
    """
    from scipy.optimize import least_squares

    s = _scale(model)
    w, X = _differenced(model, model.y / s)

    def errors(theta: np.ndarray) -> np.ndarray:
        return _css_errors(model, w, X, theta)

    start = hannan_rissanen(model, model.y / s)[:-1]
    opt = least_squares(errors, start, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
    e = errors(opt.x)
    n_c = e.size
    params = np.r_[opt.x, float(e @ e) / n_c] * param_scale(model, s)
    sigma2 = params[-1]
    llf = -0.5 * n_c * (np.log(2.0 * np.pi * sigma2) + 1.0)
    info = {"converged": bool(opt.success), "n_iter": int(opt.nfev), "nobs_effective": n_c}
    return params, llf, info
