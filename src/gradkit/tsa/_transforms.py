"""Maps between unconstrained reals and stationary AR / invertible MA coefficients.

``u -> r = u / (1 + u^2)^(1/2)`` gives numbers in (-1, 1), and the Durbin-Levinson
recursion turns ``-r`` (the partial autocorrelations) into the coefficients of a
stationary AR polynomial ``1 - phi_1 L - ... - phi_p L^p`` (Monahan, 1984)::

    phi^(k)_k = -r_k,   phi^(k)_j = phi^(k-1)_j + r_k phi^(k-1)_{k-j}   (j < k)

This is statsmodels' convention (the sign of ``u`` included), so that an optimizer
walking the unconstrained space takes the same steps as statsmodels'. For MA
coefficients (``theta(L) = 1 + theta_1 L + ...``) we use ``theta = -phi``.
"""

from __future__ import annotations

import numpy as np


def pacf_to_ar(r: np.ndarray) -> np.ndarray:
    """Coefficients ``phi`` of the AR polynomial with partial autocorrelations ``r``."""
    phi = r[:0]
    for k, rk in enumerate(r):
        phi = np.concatenate([phi - rk * phi[::-1], [rk]]) if k else r[:1].copy()
    return phi


def ar_to_pacf(phi: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pacf_to_ar` (the step-down recursion); needs |r_k| < 1."""
    phi = np.asarray(phi, dtype=np.float64).copy()
    p = phi.size
    r = np.zeros(p)
    for k in range(p - 1, -1, -1):
        r[k] = phi[k]
        if k:
            phi = (phi[:k] + r[k] * phi[:k][::-1]) / (1.0 - r[k] ** 2)
    return r


def constrain_ar(u: np.ndarray) -> np.ndarray:
    """Unconstrained ``u`` (p,) -> stationary AR coefficients (p,); real or complex."""
    return pacf_to_ar(-(u / (1 + u**2) ** 0.5))


def unconstrain_ar(phi: np.ndarray) -> np.ndarray:
    """Inverse of :func:`constrain_ar`."""
    r = -ar_to_pacf(phi)
    return r / (1 - r**2) ** 0.5


def is_stationary(phi: np.ndarray, threshold: float = 1 - 1e-10) -> bool:
    """True when every root ``lambda`` of ``z^p - phi_1 z^{p-1} - ... - phi_p`` has
    ``|lambda| < threshold`` (so ``1 - phi_1 L - ... - phi_p L^p`` is invertible);
    statsmodels' test and threshold."""
    phi = np.asarray(phi, dtype=np.float64)
    if phi.size == 0 or not np.any(phi):
        return True
    return bool(np.all(np.abs(np.roots(np.r_[1.0, -phi])) < threshold))
