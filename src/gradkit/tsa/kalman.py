"""A univariate linear Gaussian state-space model and its Kalman filter.

Model, for t = 1..n::

    y_t     = Z' alpha_t + eps_t,              eps_t ~ N(0, H)
    alpha_{t+1} = T alpha_t + R eta_t,         eta_t ~ N(0, Q),  alpha_1 ~ N(a_1, P_1)

The filter runs the prediction-error recursions (Durbin & Koopman, 2012, sec. 4.3)::

    v_t = y_t - Z' a_t                       (innovation)
    F_t = Z' P_t Z + H                       (its variance)
    K_t = T P_t Z / F_t                      (Kalman gain)
    a_{t+1} = T a_t + K_t v_t
    P_{t+1} = T P_t T' + R Q R' - K_t K_t' F_t,   then  P_{t+1} <- (P_{t+1} + P_{t+1}') / 2

and the exact Gaussian log-likelihood
``log L = -1/2 sum_{t > burn} [log(2 pi) + log F_t + v_t^2 / F_t]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "FilterOutput",
    "StateSpace",
    "kalman_filter",
    "kalman_loglike",
    "kalman_loglike_batch",
    "kalman_loglike_obs_batch",
    "solve_lyapunov",
]

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
    predicted_state : ndarray, shape (n + 1, m)
        ``a_t``, the state predicted from the observations before ``t``; the last row
        is ``a_{n+1}``, the one-step prediction after the sample.
    predicted_cov : ndarray, shape (n + 1, m, m)
        ``P_t``.
    """

    innovations: np.ndarray
    innovation_var: np.ndarray
    loglike_obs: np.ndarray
    predicted_state: np.ndarray
    predicted_cov: np.ndarray

    @property
    def next_state(self) -> np.ndarray:
        """``a_{n+1}``, shape (m,)."""
        return self.predicted_state[-1]

    @property
    def next_cov(self) -> np.ndarray:
        """``P_{n+1}``, shape (m, m)."""
        return self.predicted_cov[-1]

    @property
    def llf(self) -> float:
        return float(self.loglike_obs.sum())


def solve_lyapunov(T: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Solve ``P = T P T' + Q`` for the stationary state covariance.

    Uses ``vec(P) = (I - T kron T)^{-1} vec(Q)``, fine for the small ``m`` of ARMA models.
    ``T`` and ``Q`` may carry leading batch axes, shape (..., m, m).
    """
    m = T.shape[-1]
    TT = (T[..., :, None, :, None] * T[..., None, :, None, :]).reshape(*T.shape[:-2], m * m, m * m)
    vecQ = Q.reshape(*Q.shape[:-2], m * m, 1)
    P = np.linalg.solve(np.eye(m * m) - TT, vecQ).reshape(Q.shape)
    return 0.5 * (P + np.swapaxes(P, -1, -2))


_CHECK_EVERY = 8  # steps between tests for the steady state (at most this many run past it)


def _batched(ss: StateSpace) -> StateSpace:
    """One system as a batch of one."""
    return StateSpace(
        ss.design,
        ss.transition[None],
        ss.state_cov[None],
        ss.initial_state[None],
        ss.initial_cov[None],
        np.atleast_1d(ss.obs_cov),
    )


def _filter_batch(ss: StateSpace, y: np.ndarray, burn: int, tol: float | None):
    """Prediction-error recursions for B systems in one Python loop over t.

    With ``tol``, stops once every system has reached its steady state
    (``max |P_{t+1} - P_t| <= tol * F_t`` at some ``t >= burn``; tested every
    ``_CHECK_EVERY`` steps). Column-vector shapes keep each step to a few matmuls.

    Returns v, F of shape (s, B), a of shape (s + 1, B, m), P of shape (s + 1, B, m, m)
    (a[t], P[t] are a_t, P_t) for the s steps run, and ``stop`` (B,): the first step of
    each system's steady state (n where none was reached).
    """
    Z, T, RQR = ss.design, ss.transition, ss.state_cov
    dtype = np.result_type(T, RQR, ss.initial_cov, y, np.float64)
    B, n = y.shape
    m = Z.size
    Zc, Zr = Z.reshape(m, 1), Z.reshape(1, m)
    H = np.asarray(ss.obs_cov, dtype=np.float64).reshape(B, 1, 1)
    Tt = np.swapaxes(T, 1, 2)
    yt = y.T[:, :, None, None]
    v, F = np.empty((n, B, 1, 1), dtype), np.empty((n, B, 1, 1), dtype)
    a, P = np.empty((n + 1, B, m, 1), dtype), np.empty((n + 1, B, m, m), dtype)
    a[0] = at = ss.initial_state[:, :, None]
    P[0] = Pt = ss.initial_cov
    stop = np.full(B, n)
    checked = burn  # steps before this one have been tested

    def scan(end: int) -> None:  # test steps checked..end-1 of the systems still running
        gap = np.abs(P[checked + 1 : end + 1] - P[checked:end]).max(axis=(2, 3))
        hit = gap <= tol * F[checked:end, :, 0, 0].real  # (steps, B)
        new = (stop == n) & hit.any(axis=0)
        stop[new] = checked + 1 + hit[:, new].argmax(axis=0)

    s = n
    for t in range(n):
        PZ = Pt @ Zc
        F[t] = f = Zr @ PZ + H
        v[t] = vt = yt[t] - Zr @ at
        M = T @ Pt
        G = M @ Zc  # T P_t Z = K_t F_t
        K = G / f
        a[t + 1] = at = T @ at + K * vt
        Pt = M @ Tt + RQR - K @ G.mT
        # keep P exactly symmetric (statsmodels' STABILITY_FORCE_SYMMETRY): with several
        # approximately diffuse states (variance 1e6) the rounding of the two triangles
        # drifts apart and costs digits of the likelihood (0.27 of -1185 for d = D = 2)
        P[t + 1] = Pt = 0.5 * (Pt + Pt.mT)
        if tol is not None and t >= burn and (t + 1 - burn) % _CHECK_EVERY == 0:
            scan(t + 1)
            checked = t + 1
            if (stop < n).all():
                s = t + 1
                break
    if tol is not None and checked < s:  # the last, partial block
        scan(s)
    return v[:s, :, 0, 0], F[:s, :, 0, 0], a[: s + 1, :, :, 0], P[: s + 1], stop


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
    v, F, a, P, _ = _filter_batch(_batched(ss), y[None], burn, None)
    v, F = v[:, 0], F[:, 0]
    return FilterOutput(v, F, _loglike_terms(v, F, burn), a[:, 0], P[:, 0])


def _loglike_terms(v: np.ndarray, F: np.ndarray, burn: int) -> np.ndarray:
    """``-1/2 [log(2 pi) + log F_t + v_t^2 / F_t]`` along axis 0, zero for ``t < burn``."""
    ll = -0.5 * (_LOG_2PI + np.log(F) + v * v / F)
    ll[:burn] = 0.0
    return ll


def kalman_loglike_obs_batch(ss: StateSpace, y: np.ndarray, burn: int = 0) -> np.ndarray:
    """Per-observation log-likelihoods of B systems by the full recursions (no
    steady-state shortcut), zero for the first ``burn``; complex systems give complex
    values (complex step), as the per-observation scores of an OPG covariance need.

    Shape: ``ss`` as in :func:`kalman_loglike_batch`; y (B, n) → (B, n).
    """
    v, F, *_ = _filter_batch(ss, y, burn, None)
    return _loglike_terms(v, F, burn).T


def kalman_loglike(ss: StateSpace, y: np.ndarray, burn: int = 0, tol: float = 1e-13) -> float:
    """Log-likelihood of ``y``, the same number as ``kalman_filter(...).llf``, faster.

    Once ``P_t`` stops changing (``max |P_{t+1} - P_t| <= tol * F_t``) the filter has
    reached its steady state, ``K_t = K`` and ``F_t = F``. The remaining innovations obey
    the time-invariant recursion ``a_{t+1} = (T - K Z') a_t + K y_t``,
    ``v_t = y_t - Z' a_t``, a rational filter
    ``v = [det(zI - T) / det(zI - T + K Z')] y`` that ``scipy.signal.lfilter`` applies in
    one call, its initial conditions set from ``a_t``.
    """
    return float(kalman_loglike_batch(_batched(ss), y[None], burn, tol)[0].real)


def kalman_loglike_batch(
    ss: StateSpace, y: np.ndarray, burn: int = 0, tol: float = 1e-13
) -> np.ndarray:
    """:func:`kalman_loglike` for B systems at once, one Python loop over t for all.

    Each system leaves the recursions for its steady-state ``lfilter`` shortcut at its
    own convergence step, so entry b equals ``kalman_loglike`` of system b. Sharing the
    per-step Python cost matters where the filter converges slowly (an MA root near the
    unit circle) and many likelihoods are needed at once, as for a gradient. Complex
    systems (a complex-step perturbation) give the complex log-likelihood.

    Shape: ``ss.design`` (m,), ``ss.transition``, ``ss.state_cov``, ``ss.initial_cov``
    (B, m, m), ``ss.initial_state`` (B, m), ``ss.obs_cov`` (B,); y (B, n) → (B,).
    """
    n = y.shape[1]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        v, F, a, P, stop = _filter_batch(ss, y, burn, tol)
        t = np.arange(v.shape[0])[:, None]
        keep = (t >= burn) & (t < stop)
        llf = -0.5 * np.sum(_LOG_2PI + np.log(F) + v * v / F, axis=0, where=keep)
        H = np.broadcast_to(ss.obs_cov, stop.shape)
        for b in np.nonzero(stop < n)[0]:
            llf[b] += _steady_state_loglike(
                ss.design, ss.transition[b], H[b], a[stop[b], b], P[stop[b], b], y[b, stop[b] :]
            )
    return llf


def _steady_state_loglike(Z, T, H, a, P, y):
    """Log-likelihood of ``y`` from a filter in steady state at (a, P), by ``lfilter``."""
    from scipy.signal import lfilter

    PZ = P @ Z
    F = Z @ PZ + H
    K = (T @ PZ) / F
    A = T - np.outer(K, Z)
    num = _charpoly(T)
    den = _charpoly(A)
    m = den.size - 1
    # zero-input response h_k = -Z' A^k a_t for k < m fixes the filter's initial state
    h = np.empty(m, A.dtype)
    x = a.copy()
    for k in range(m):
        h[k] = -(Z @ x)
        x = A @ x
    zi = np.array([h[k] + den[1 : k + 1] @ h[k - 1 :: -1][:k] for k in range(m)])
    v = lfilter(num, den, y, zi=zi)[0]
    return -0.5 * (y.size * (_LOG_2PI + np.log(F)) + (v @ v) / F)


def _charpoly(A: np.ndarray) -> np.ndarray:
    """Coefficients [1, c_1, ..., c_m] of det(zI - A) by Faddeev-LeVerrier::

        M_1 = I,  c_k = -tr(A M_k) / k,  M_{k+1} = A M_k + c_k I

    Products and sums only (no eigenvalues), so exact under a complex-step perturbation.
    """
    m = A.shape[0]
    c = np.ones(m + 1, dtype=A.dtype)
    M = np.eye(m, dtype=A.dtype)
    for k in range(1, m + 1):
        AM = A @ M
        c[k] = -np.trace(AM) / k
        M = AM + c[k] * np.eye(m)
    return c
