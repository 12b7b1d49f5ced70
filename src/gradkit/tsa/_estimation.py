"""Parameter estimation for :class:`~gradkit.tsa.ARIMA`: batched likelihoods, starting
values, and the three estimators (statsmodels' state-space MLE, an exact-gradient MLE,
CSS).

Parameters are laid out as in statsmodels: ``[regression (trend, exog), ar, ma,
seasonal ar, seasonal ma, sigma2]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from gradkit.tsa._checks import ConvergenceWarning, EstimationWarning
from gradkit.tsa._statespace import arima_statespace_batch
from gradkit.tsa._transforms import constrain_ar, is_stationary, unconstrain_ar
from gradkit.tsa.kalman import StateSpace, kalman_loglike_batch, kalman_loglike_obs_batch

if TYPE_CHECKING:  # annotations only: arima.py imports this module
    from gradkit.tsa.arima import ARIMA

_COMPLEX_STEP = 1e-20
_GTOL = 1e-9  # max |gradient| of -log L / n_eff at a maximum ('mle')
_SS_TOL = 1e-15  # steady-state test of the filter under forward differences
# statsmodels' ARIMA.fit: L-BFGS-B (scipy's defaults but maxiter=50) on -log L / n with
# scipy's forward-difference gradient of absolute step 1e-5
STATESPACE_DEFAULTS = {
    "maxiter": 50,
    "m": 10,
    "factr": 1e7,
    "pgtol": 1e-5,
    "epsilon": 1e-5,
    "maxfun": 15000,
}


# -- layout -------------------------------------------------------------------------
def reduced_polynomials(model: ARIMA, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reduced AR and MA coefficients of the rows of ``P`` (B, k):
    ``1 - a(L) = phi(L) Phi(L^s)`` and ``1 + b(L) = theta(L) Theta(L^s)``.
    Shape: (B, p + sP), (B, q + sQ); complex rows stay complex."""
    sl, s = model._slices, model.s
    ar, ma, sar, sma = P[:, sl["ar"]], P[:, sl["ma"]], P[:, sl["sar"]], P[:, sl["sma"]]
    a = np.zeros((len(P), model.k_ar), dtype=P.dtype)
    b = np.zeros((len(P), model.k_ma), dtype=P.dtype)
    a[:, : model.p] = ar
    b[:, : model.q] = ma
    for j in range(sar.shape[1]):
        a[:, s * (j + 1) - 1] += sar[:, j]
        a[:, s * (j + 1) : s * (j + 1) + model.p] -= ar * sar[:, j : j + 1]
    for j in range(sma.shape[1]):
        b[:, s * (j + 1) - 1] += sma[:, j]
        b[:, s * (j + 1) : s * (j + 1) + model.q] += ma * sma[:, j : j + 1]
    return a, b


def statespace_and_data(
    model: ARIMA, ys: np.ndarray, diffuse: float, P: np.ndarray
) -> tuple[StateSpace, np.ndarray]:
    """B systems for the rows of ``P`` (natural parameters, possibly complex) and the
    series ``ys`` less each row's regression. Shape: P (B, k) → data (B, n)."""
    a, b = reduced_polynomials(model, P)
    ss = arima_statespace_batch(a, b, P[:, -1], model.d, diffuse, model.D, model.s)
    if model.exog is None:
        return ss, np.broadcast_to(ys, (len(P), ys.size))
    return ss, ys - P[:, model._slices["exog"]] @ model.exog.T


def loglike_batch(
    model: ARIMA, ys: np.ndarray, diffuse: float, P: np.ndarray, tol: float = 1e-13
) -> np.ndarray:
    """Exact ``log L(ys)`` at each row of ``P``, one batched Kalman pass (steady-state
    shortcut at ``tol``, see :func:`~gradkit.tsa.kalman.kalman_loglike`).
    Shape: (B, k) → (B,)."""
    ss, data = statespace_and_data(model, ys, diffuse, P)
    return kalman_loglike_batch(ss, data, model.loglikelihood_burn, tol)


def loglike_obs_batch(model: ARIMA, ys: np.ndarray, diffuse: float, P: np.ndarray) -> np.ndarray:
    """Per-observation exact log-likelihoods by the full recursions (zero for the
    first ``loglikelihood_burn``). Shape: (B, k) → (B, n)."""
    ss, data = statespace_and_data(model, ys, diffuse, P)
    return kalman_loglike_obs_batch(ss, data, model.loglikelihood_burn)


# -- transforms ---------------------------------------------------------------------
def constrain(model: ARIMA, U: np.ndarray) -> np.ndarray:
    """Unconstrained rows (B, k) -> parameters: regression as is, AR blocks stationary,
    MA blocks invertible, ``sigma2 = u^2`` (statsmodels' ``transform_params``)."""
    sl = model._slices
    P = U.copy()
    for key, sign in (("ar", 1), ("ma", -1), ("sar", 1), ("sma", -1)):
        if sl[key].stop > sl[key].start:
            P[:, sl[key]] = [sign * constrain_ar(u) for u in U[:, sl[key]]]
    P[:, -1] = U[:, -1] ** 2
    return P


def unconstrain(model: ARIMA, params: np.ndarray) -> np.ndarray:
    """Inverse of :func:`constrain` for one parameter vector (k,)."""
    sl = model._slices
    u = params.astype(np.float64).copy()
    for key, sign in (("ar", 1), ("ma", -1), ("sar", 1), ("sma", -1)):
        if sl[key].stop > sl[key].start:
            u[sl[key]] = unconstrain_ar(sign * params[sl[key]])
    u[-1] = params[-1] ** 0.5
    return u


# -- starting values ----------------------------------------------------------------
def differenced(model: ARIMA, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``(1 - L^s)^D (1 - L)^d`` applied to ``y`` and to the regression columns."""

    def diff(x: np.ndarray) -> np.ndarray:
        for _ in range(model.D):
            x = x[model.s :] - x[: -model.s]
        return np.diff(x, n=model.d, axis=0)

    return diff(y), None if model.exog is None else diff(model.exog)


def _lagged(x: np.ndarray, lags: np.ndarray, first: int) -> np.ndarray:
    """Columns ``x_{t-l}`` for ``l`` in ``lags`` and ``t = first..len(x)-1``."""
    return np.column_stack([x[first - lag : x.size - lag] for lag in lags])


def _css_regression(e: np.ndarray, ar_lags: np.ndarray, ma_lags: np.ndarray):
    """statsmodels' starting regressions: innovations from an AR(2 k_ma) fit stand in for
    the MA errors, then ``e_t`` is regressed on its AR lags and the lagged innovations
    (pseudo-inverse least squares). Returns (coefficients, residual variance) or None
    when there are too few observations."""
    k_ar = int(ar_lags.max(initial=0))
    k_ma = int(ma_lags.max(initial=0))
    k = 2 * k_ma
    r = max(k + k_ma, k_ar)
    n = e.size
    if k_ar >= n or (k_ma and (k >= n or k_ma >= n - k)):
        return None
    if r >= n:
        return np.zeros(ar_lags.size + ma_lags.size), np.zeros(0)
    cols = []
    if k_ma:
        A = _lagged(e, np.arange(1, k + 1), k)
        innov = e[k:] - A @ (np.linalg.pinv(A) @ e[k:])
        innov = np.r_[np.zeros(k), innov]
    if k_ar:
        cols.append(_lagged(e, ar_lags, r))
    if k_ma:
        cols.append(_lagged(innov, ma_lags, r))
    X = np.column_stack(cols)
    coef = np.linalg.pinv(X) @ e[r:]
    resid = e[r:] - X @ coef
    return coef, resid


def start_params(model: ARIMA, y: np.ndarray) -> np.ndarray:
    """Starting values as statsmodels' SARIMAX computes them, on the differenced data:
    the regression by least squares, then the ARMA and the seasonal ARMA parts each by
    the regressions of :func:`_css_regression`; sigma2 is the mean squared residual.
    A non-stationary AR (non-invertible MA) start is replaced by zeros, with an
    :class:`EstimationWarning`."""
    w, X = differenced(model, y)
    beta = np.zeros(0) if X is None else np.linalg.pinv(X) @ w
    e = w if X is None else w - X @ beta
    p, q, P, Q, s = model.p, model.q, model.P, model.Q, model.s
    blocks, variances = {}, []
    for label, k_ar, k_ma, step in (("", p, q, 1), ("seasonal ", P, Q, s)):
        ar_lags, ma_lags = step * np.arange(1, k_ar + 1), step * np.arange(1, k_ma + 1)
        ar, ma = np.zeros(k_ar), np.zeros(k_ma)
        if k_ar + k_ma:
            fit = _css_regression(e, ar_lags, ma_lags)
            if fit is None:
                warnings.warn(
                    f"Too few observations to estimate starting parameters for {label}ARMA. "
                    "All parameters except for variances will be set to zeros.",
                    EstimationWarning,
                    stacklevel=4,  # user -> fit -> start_params property -> here
                )
                resid = np.r_[np.zeros(2 * k_ma), e - e.mean()]
            else:
                coef, resid = fit
                ar, ma = coef[:k_ar], coef[k_ar:]
            variances.append(np.mean(resid[k_ma:] ** 2) if resid.size > max(1, k_ma) else np.var(e))
            if not is_stationary(ar):
                warnings.warn(
                    f"Non-stationary starting {label}autoregressive parameters found. "
                    "Using zeros as starting parameters.",
                    EstimationWarning,
                    stacklevel=4,  # user -> fit -> start_params property -> here
                )
                ar = np.zeros(k_ar)
            if not is_stationary(-ma):
                warnings.warn(
                    f"Non-invertible starting {label}MA parameters found. "
                    "Using zeros as starting parameters.",
                    EstimationWarning,
                    stacklevel=4,  # user -> fit -> start_params property -> here
                )
                ma = np.zeros(k_ma)
        blocks[label] = (ar, ma)
    if variances:
        sigma2 = variances[0]
    elif X is not None:
        sigma2 = float(e @ e)  # (statsmodels does not divide here)
    else:
        sigma2 = float(e @ e) / model.nobs
    return np.r_[
        beta,
        blocks[""][0],
        blocks[""][1],
        blocks["seasonal "][0],
        blocks["seasonal "][1],
        max(sigma2, 1e-10),
    ]


# -- statsmodels' estimator ---------------------------------------------------------
def fit_statespace(
    model: ARIMA, start: np.ndarray, options: dict[str, Any]
) -> tuple[np.ndarray, dict[str, Any]]:
    """statsmodels' ``ARIMA.fit()``: L-BFGS-B over statsmodels' unconstrained parameters
    minimizing ``-log L / n``, with the forward-difference gradient
    ``g_j = (f(u + h e_j) - f(u)) / h``, ``h = epsilon`` (scipy's ``approx_grad``; the
    k + 1 likelihoods in one batched Kalman pass, whose steady-state shortcut waits for
    ``|P_{t+1} - P_t| <= 1e-15 F_t`` so that it does not disturb the differences, as
    statsmodels' filter waits for its own convergence). The same start, transforms,
    objective and stopping rules as statsmodels give the same estimates, including
    where its default ``maxiter=50`` / ``pgtol=1e-5`` stop short of the maximum.

    ``options``: ``maxiter``, ``m``, ``factr``, ``pgtol``, ``epsilon``, ``maxfun``
    (defaults :data:`STATESPACE_DEFAULTS`).
    """
    from scipy.optimize import fmin_l_bfgs_b

    unknown = set(options) - set(STATESPACE_DEFAULTS) - {"disp"}
    if unknown:
        raise ValueError(
            f"unknown method_kwargs {sorted(unknown)}; valid: {sorted(STATESPACE_DEFAULTS)}"
        )
    opts = {**STATESPACE_DEFAULTS, **{k: v for k, v in options.items() if k != "disp"}}
    eps = float(opts.pop("epsilon"))
    k, n = start.size, model.nobs
    # scipy's approx_grad counts the k + 1 evaluations of each (value, gradient) as k + 1
    # function calls; here they are one call, so its limit on calls scales the same way
    opts["maxfun"] = int(opts["maxfun"]) // (k + 1)
    diffuse = model.diffuse_variance

    def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
        U = np.tile(u, (k + 1, 1))
        h = (u + eps) - u
        U[np.arange(1, k + 1), np.arange(k)] += eps
        with np.errstate(all="ignore"):
            f = -loglike_batch(model, model.y, diffuse, constrain(model, U), _SS_TOL).real / n
        return float(f[0]), (f[1:] - f[0]) / h

    x, fopt, d = fmin_l_bfgs_b(objective, unconstrain(model, start), **opts)
    info = {
        "fopt": float(fopt),
        "gopt": d["grad"],
        "fcalls": int(d["funcalls"]) * (k + 1),
        "warnflag": int(d["warnflag"]),
        "converged": d["warnflag"] == 0,
        "iterations": int(d["nit"]),
    }
    if not info["converged"]:
        warnings.warn(
            "Maximum Likelihood optimization failed to converge. Check mle_retvals",
            ConvergenceWarning,
            stacklevel=3,
        )
    return constrain(model, x[None])[0], info


# -- gradkit's exact-gradient estimator -----------------------------------------------
class _Stationary(Exception):
    """Raised by the objective at a point whose gradient already meets the tolerance.

    L-BFGS-B tests the gradient only at points its line search accepts, and near the
    optimum that search compares likelihoods that differ in the last bits, so it may
    reject such a point and wander; the tolerance is met there, so stop.
    """

    def __init__(self, x: np.ndarray) -> None:
        super().__init__()
        self.x = x


def scale_of(model: ARIMA) -> float:
    """Standard deviation of the differenced series (1 when it is constant)."""
    s = float(np.std(differenced(model, model.y)[0]))
    return s if s > 0 else 1.0


def param_scale(model: ARIMA, s: float) -> np.ndarray:
    """Parameters of ``y`` are those of ``y / s`` times this: ``s`` for the regression,
    1 for the ARMA coefficients, ``s^2`` for sigma2. Shape: (k_params,)."""
    D = np.ones(model.k_params)
    D[model._slices["exog"]] = s
    D[-1] = s * s
    return D


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


def fit_mle(model: ARIMA, start: np.ndarray, maxiter: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Maximize the exact likelihood to a gradient tolerance, on ``y / s``.

    L-BFGS-B with the exact (complex-step) gradient of ``-log L / n_eff`` in the
    unconstrained parameters; converged when max |g| <= 1e-9 at an evaluated point or
    the relative decrease of the objective falls below 1e-15. The series is divided by
    ``s`` (std of the differenced series) so that all parameters are of order one; the
    regression scales by ``s``, ``sigma2`` and the diffuse variance by ``s^2``, and
    ``log L(y) = log L(y / s) - n_eff log s`` exactly.
    """
    from scipy.optimize import minimize

    s = scale_of(model)
    ys = model.y / s
    D = param_scale(model, s)
    x0 = unconstrain(model, start / D)
    diffuse = model.diffuse_variance / s**2
    n_eff = model.nobs - model.loglikelihood_burn

    def batch(U: np.ndarray) -> np.ndarray:
        llf = loglike_batch(model, ys, diffuse, constrain(model, U))
        return np.where(np.isfinite(llf), -llf / n_eff, 1e10)

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = complex_step(batch, x[None])
        if np.max(np.abs(g[0])) <= _GTOL:
            raise _Stationary(x.copy())
        return float(f[0]), g[0]

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
    params = constrain(model, x[None])[0] * D
    return params, {"converged": converged, "iterations": len(iterations)}


# -- conditional sum of squares -------------------------------------------------------
def css_errors(model: ARIMA, w: np.ndarray, X: np.ndarray | None, theta: np.ndarray):
    """ARMA errors ``e_t = b(L)^{-1} (1 - a(L)) (w_t - x_t' beta)``, ``t >= k_ar``, of the
    differenced series ``w`` with zero pre-sample errors (reduced polynomials ``a, b``);
    ``theta`` = all parameters but sigma2, real or complex. Shape: (n_c,)."""
    from scipy.signal import lfilter

    a, b = reduced_polynomials(model, np.r_[theta, 1.0][None])
    a, b = a[0], b[0]
    x = w if X is None else w - X @ theta[model._slices["exog"]]
    k_ar = model.k_ar
    xt = x[k_ar:] - (_lagged(x, np.arange(1, k_ar + 1), k_ar) @ a if k_ar else 0.0)
    return lfilter([1.0], np.r_[1.0, b], xt)


def css_loglike_obs_batch(model: ARIMA, ys: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Per-observation conditional log-likelihoods ``-1/2 [log(2 pi sigma2) + e_t^2 /
    sigma2]`` of the series ``ys`` at each row of ``P`` (possibly complex).
    Shape: (B, k) → (B, n_c)."""
    w, X = differenced(model, ys)
    e = np.array([css_errors(model, w, X, theta[:-1]) for theta in P])
    sigma2 = P[:, -1:]
    return -0.5 * (np.log(2.0 * np.pi * sigma2) + e * e / sigma2)


def fit_css(model: ARIMA, start: np.ndarray) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Minimize the conditional sum of squares of the ARMA errors of the differenced series.

    ``e_t = b(L)^{-1} (1 - a(L)) (w_t - x_t' beta)`` for ``t >= k_ar`` with zero
    pre-sample errors; ``sigma2 = SSR / n_c`` and
    ``log L_c = -n_c / 2 (log(2 pi sigma2) + 1)``, ``n_c = n - d - sD - k_ar``.
    """
    from scipy.optimize import least_squares

    s = scale_of(model)
    w, X = differenced(model, model.y / s)
    D = param_scale(model, s)

    def errors(theta: np.ndarray) -> np.ndarray:
        return css_errors(model, w, X, theta)

    opt = least_squares(errors, (start / D)[:-1], method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
    e = errors(opt.x)
    n_c = e.size
    params = np.r_[opt.x, float(e @ e) / n_c] * D
    llf = -0.5 * n_c * (np.log(2.0 * np.pi * params[-1]) + 1.0)
    info = {"converged": bool(opt.success), "iterations": int(opt.nfev), "nobs_effective": n_c}
    return params, llf, info
