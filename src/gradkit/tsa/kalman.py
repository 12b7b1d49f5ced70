"""A univariate linear Gaussian state-space model and its Kalman filter.

Model, for t = 1..n::

    y_t     = Z' alpha_t + eps_t,              eps_t ~ N(0, H)
    alpha_{t+1} = T alpha_t + R eta_t,         eta_t ~ N(0, Q),  alpha_1 ~ N(a_1, P_1)

The filter runs the prediction-error recursions (Durbin & Koopman, 2012, sec. 4.3)::

    v_t = y_t - Z' a_t                       (innovation)
    F_t = Z' P_t Z + H                       (its variance)
    K_t = T P_t Z / F_t                      (Kalman gain)
    a_{t+1} = T a_t + K_t v_t
    P_{t+1} = T P_t T' + R Q R' - K_t K_t' F_t

and the exact Gaussian log-likelihood
``log L = -1/2 sum_{t > burn} [log(2 pi) + log F_t + v_t^2 / F_t]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FilterOutput", "StateSpace", "kalman_filter", "kalman_loglike", "solve_lyapunov"]

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass
class StateSpace:
    """Time-invariant system matrices (m states, one observation).

    Attributes
    ----------
    design : ndarray, shape (m,)
        ``Z``.
    transition : ndarray, shape (m, m)
        ``T``.
    state_cov : ndarray, shape (m, m)
        ``R Q R'``.
    initial_state : ndarray, shape (m,)
        ``a_1``.
    initial_cov : ndarray, shape (m, m)
        ``P_1``.
    obs_cov : float
        ``H``.
    """

    design: np.ndarray
    transition: np.ndarray
    state_cov: np.ndarray
    initial_state: np.ndarray
    initial_cov: np.ndarray
    obs_cov: float = 0.0


@dataclass
class FilterOutput:
    """What :func:`kalman_filter` returns.

    Attributes
    ----------
    innovations, innovation_var : ndarray, shape (n,)
        ``v_t`` and ``F_t``.
    loglike_obs : ndarray, shape (n,)
        Per-observation log-likelihood (zero for the first ``burn``).
    next_state : ndarray, shape (m,)
        ``a_{n+1}``, the one-step prediction after the sample.
    next_cov : ndarray, shape (m, m)
        ``P_{n+1}``.
    """

    innovations: np.ndarray
    innovation_var: np.ndarray
    loglike_obs: np.ndarray
    next_state: np.ndarray
    next_cov: np.ndarray

    @property
    def llf(self) -> float:
        return float(self.loglike_obs.sum())


def solve_lyapunov(T: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Solve ``P = T P T' + Q`` for the stationary state covariance.

    Uses ``vec(P) = (I - T kron T)^{-1} vec(Q)``, fine for the small ``m`` of ARMA models.
    """
    m = T.shape[0]
    P = np.linalg.solve(np.eye(m * m) - np.kron(T, T), Q.reshape(-1)).reshape(m, m)
    return 0.5 * (P + P.T)


def kalman_filter(ss: StateSpace, y: np.ndarray, burn: int = 0) -> FilterOutput:
    """Run the Kalman filter over ``y`` (shape (n,)); see the module docstring.

    Parameters
    ----------
    ss : StateSpace
    y : ndarray, shape (n,)
        Observations with any observation intercept already subtracted.
    burn : int
        Leading observations left out of the log-likelihood (diffuse states).
    """
    Z, T, RQR, H = ss.design, ss.transition, ss.state_cov, ss.obs_cov
    a, P = ss.initial_state.astype(np.float64).copy(), ss.initial_cov.astype(np.float64).copy()
    n = y.shape[0]
    v = np.empty(n)
    F = np.empty(n)
    for t in range(n):
        PZ = P @ Z
        F[t] = Z @ PZ + H
        v[t] = y[t] - Z @ a
        K = (T @ PZ) / F[t]
        a = T @ a + K * v[t]
        P = T @ P @ T.T + RQR - np.outer(K, K) * F[t]
    ll = -0.5 * (_LOG_2PI + np.log(F) + v**2 / F)
    ll[:burn] = 0.0
    return FilterOutput(v, F, ll, a, P)


def kalman_loglike(ss: StateSpace, y: np.ndarray, burn: int = 0, tol: float = 1e-13) -> float:
    """Log-likelihood of ``y``, the same number as ``kalman_filter(...).llf``, faster.

    Once ``P_t`` stops changing (``max |P_{t+1} - P_t| <= tol * F_t``) the filter has
    reached its steady state, ``K_t = K`` and ``F_t = F``. The remaining innovations obey
    the time-invariant recursion ``a_{t+1} = (T - K Z') a_t + K y_t``,
    ``v_t = y_t - Z' a_t``, a rational filter
    ``v = [det(zI - T) / det(zI - T + K Z')] y`` that ``scipy.signal.lfilter`` applies in
    one call, its initial conditions set from ``a_t``.
    """
    Z, T, RQR, H = ss.design, ss.transition, ss.state_cov, ss.obs_cov
    a, P = ss.initial_state.astype(np.float64).copy(), ss.initial_cov.astype(np.float64).copy()
    n = y.shape[0]
    llf = 0.0
    t = 0
    F = 1.0
    K = np.zeros_like(a)
    converged = False
    while t < n:
        PZ = P @ Z
        F = float(Z @ PZ) + H
        v = float(y[t] - Z @ a)
        K = (T @ PZ) / F
        a = T @ a + K * v
        P_new = T @ P @ T.T + RQR - np.outer(K, K) * F
        if t >= burn:
            llf -= 0.5 * (_LOG_2PI + np.log(F) + v * v / F)
        t += 1
        converged = t > burn and np.max(np.abs(P_new - P)) <= tol * F
        P = P_new
        if converged:
            break
    if t >= n:
        return float(llf)
    from scipy.signal import lfilter

    PZ = P @ Z
    F = float(Z @ PZ) + H
    K = (T @ PZ) / F
    A = T - np.outer(K, Z)
    num = np.poly(T)
    den = np.poly(A)
    m = den.size - 1
    # zero-input response h_k = -Z' A^k a_t for k < m fixes the filter's initial state
    h = np.empty(m)
    x = a.copy()
    for k in range(m):
        h[k] = -(Z @ x)
        x = A @ x
    zi = np.array([h[k] + den[1 : k + 1] @ h[k - 1 :: -1][:k] for k in range(m)])
    v = lfilter(num, den, y[t:], zi=zi)[0]
    llf -= 0.5 * ((n - t) * (_LOG_2PI + np.log(F)) + (v @ v) / F)
    return float(llf)
