"""Seasonal ARIMA(p, d, q)x(P, D, Q, s) in state-space form, for :mod:`gradkit.tsa.kalman`.

The layout of statsmodels' SARIMAX (Harvey's ARMA representation after the
differencing states), so that the same parameters give the same likelihood. With the
reduced AR polynomial ``phi(L) Phi(L^s) = 1 - a_1 L - ... - a_{k_ar} L^{k_ar}``, the
reduced MA polynomial ``theta(L) Theta(L^s) = 1 + b_1 L + ... + b_{k_ma} L^{k_ma}``,
``r = max(k_ar, k_ma + 1)`` ARMA states and ``k_diff = d + s D`` differencing states::

    state = [d simple-difference states | D blocks of s seasonal-difference states | ARMA]
    Z = [1 ... 1 | (0 ... 0 1) x D | 1 0 ... 0]
    ARMA block of T:  first column a_1..a_{k_ar}, ones on the superdiagonal
    R = [0 ... 0 | 1 b_1 ... b_{r-1}]',  Q = sigma2

The differencing states rebuild ``y_t`` from the stationary ARMA part ``u_t``:
simple-difference state ``i`` accumulates states ``i..d-1``, the last state of every
seasonal block and ``u``; a seasonal block is an ``s``-cycle (its first state takes the
block's last state, the next block's last state and ``u``; the others shift down).

Initialization: the ARMA block at its stationary distribution
(``P = T P T' + R Q R'``); the differencing states approximately diffuse (variance
``1e6``, statsmodels' default) with the first ``k_diff`` observations left out of the
likelihood.
"""

from __future__ import annotations

import numpy as np

from gradkit.tsa.kalman import StateSpace, solve_lyapunov


def arima_statespace(
    ar: np.ndarray,
    ma: np.ndarray,
    sigma2: float,
    d: int,
    diffuse_var: float,
    D: int = 0,
    s: int = 0,
) -> StateSpace:
    """One system: reduced AR coefficients ``ar`` (k_ar,), reduced MA ``ma`` (k_ma,)."""
    ss = arima_statespace_batch(ar[None], ma[None], np.array([sigma2]), d, diffuse_var, D, s)
    return StateSpace(
        ss.design, ss.transition[0], ss.state_cov[0], ss.initial_state[0], ss.initial_cov[0]
    )


def differencing_block(d: int, D: int, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Design entries (k_diff,) and the transition rows of the differencing states
    (k_diff, k_diff + 1): the last column is the coefficient on the first ARMA state."""
    k = d + s * D
    T = np.zeros((k, k + 1))
    T[:d, :d] = np.triu(np.ones((d, d)))
    season_last = [d + j * s + s - 1 for j in range(D)]
    T[:d, season_last] = 1.0
    for j in range(D):
        start = d + j * s
        T[start, start + s - 1] = 1.0
        T[start + np.arange(1, s), start + np.arange(s - 1)] = 1.0
        if j < D - 1:
            T[start, start + 2 * s - 1] = 1.0
    first = np.zeros(s * D)  # marks the first state of each seasonal block
    if D:
        first[::s] = 1.0
    T[:, k] = np.r_[np.ones(d), first]
    Z = np.r_[np.ones(d), np.roll(first, -1)]  # the last state of each block
    return Z, T


def arima_statespace_batch(
    ar: np.ndarray,
    ma: np.ndarray,
    sigma2: np.ndarray,
    d: int,
    diffuse_var: float,
    D: int = 0,
    s: int = 0,
) -> StateSpace:
    """B systems at once, laid out as in the module docstring. Shape: ar (B, k_ar),
    ma (B, k_ma), sigma2 (B,). Complex parameters give complex systems (complex step)."""
    B, k_ar = ar.shape
    k_ma = ma.shape[1]
    r = max(k_ar, k_ma + 1)
    k = d + s * D
    m = k + r
    dtype = np.result_type(ar, ma, sigma2, np.float64)  # complex under a complex step
    Zd, Td = differencing_block(d, D, s)
    T = np.zeros((B, m, m), dtype)
    T[:, :k, : k + 1] = Td
    T[:, k : k + k_ar, k] = ar
    T[:, k : k + r - 1, k + 1 :] += np.eye(r - 1)
    Z = np.r_[Zd, 1.0, np.zeros(r - 1)]
    sel = np.zeros((B, m), dtype)
    sel[:, k] = 1.0
    sel[:, k + 1 : k + 1 + k_ma] = ma
    RQR = sigma2[:, None, None] * (sel[:, :, None] * sel[:, None, :])
    P0 = np.zeros((B, m, m), dtype)
    P0[:, :k, :k] = diffuse_var * np.eye(k)
    P0[:, k:, k:] = solve_lyapunov(T[:, k:, k:], RQR[:, k:, k:])
    return StateSpace(Z, T, RQR, np.zeros((B, m)), P0, np.zeros(B))
