"""ARIMA(p, d, q) in state-space form, for the Kalman filter of :mod:`gradkit.tsa.kalman`.

State-space form (Harvey's ARMA representation preceded by ``d`` differencing states,
the layout of statsmodels' SARIMAX), ``r = max(p, q + 1)``, ``m = d + r``::

    Z = [1 ... 1 | 1 0 ... 0]                      (d ones, then the ARMA block)
    T = [U  e 0 | 0 Phi],  U = upper-triangular ones (d x d), e = column of ones,
        Phi = [phi | I_{r-1} ; 0], the ARMA companion matrix
    R = [0 ... 0 | 1 theta_1 ... theta_{r-1}]',  Q = sigma2

Initialization: the ARMA block starts at its stationary distribution
(``P = Phi P Phi' + R Q R'``); the ``d`` differencing states are diffuse, approximated
as statsmodels does by variance ``1e6`` with the first ``d`` observations left out of the
likelihood.
"""

from __future__ import annotations

import numpy as np

from gradkit.tsa.kalman import StateSpace, solve_lyapunov


def arima_statespace(
    ar: np.ndarray, ma: np.ndarray, sigma2: float, d: int, diffuse_var: float
) -> StateSpace:
    """One system: AR coefficients ``ar`` (p,), MA coefficients ``ma`` (q,)."""
    ss = arima_statespace_batch(ar[None], ma[None], np.array([sigma2]), d, diffuse_var)
    return StateSpace(
        ss.design, ss.transition[0], ss.state_cov[0], ss.initial_state[0], ss.initial_cov[0]
    )


def arima_statespace_batch(
    ar: np.ndarray, ma: np.ndarray, sigma2: np.ndarray, d: int, diffuse_var: float
) -> StateSpace:
    """B systems at once, laid out as in the module docstring. Shape: ar (B, p),
    ma (B, q), sigma2 (B,). Complex parameters give complex systems (complex step)."""
    B, p = ar.shape
    q = ma.shape[1]
    r = max(p, q + 1)
    m = d + r
    dtype = np.result_type(ar, ma, sigma2, np.float64)  # complex under a complex step
    T = np.zeros((B, m, m), dtype)
    T[:, :d, :d] = np.triu(np.ones((d, d)))
    T[:, :d, d] = 1.0
    T[:, d : d + p, d] = ar
    T[:, d : d + r - 1, d + 1 :] += np.eye(r - 1)
    Z = np.r_[np.ones(d + 1), np.zeros(r - 1)]
    sel = np.zeros((B, m), dtype)
    sel[:, d] = 1.0
    sel[:, d + 1 : d + 1 + q] = ma
    RQR = sigma2[:, None, None] * (sel[:, :, None] * sel[:, None, :])
    P0 = np.zeros((B, m, m), dtype)
    P0[:, :d, :d] = diffuse_var * np.eye(d)
    P0[:, d:, d:] = solve_lyapunov(T[:, d:, d:], RQR[:, d:, d:])
    return StateSpace(Z, T, RQR, np.zeros((B, m)), P0, np.zeros(B))
