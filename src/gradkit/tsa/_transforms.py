"""Maps between unconstrained reals and stationary AR / invertible MA coefficients.

``x -> r = x / sqrt(1 + x^2)`` gives partial autocorrelations in (-1, 1), and the
Durbin-Levinson recursion turns them into the coefficients of a stationary AR
polynomial (Monahan, 1984; Jones, 1980)::

    phi^(k)_k = r_k,   phi^(k)_j = phi^(k-1)_j - r_k phi^(k-1)_{k-j}   (j < k)

For MA coefficients (``theta(L) = 1 + theta_1 L + ...``) we use ``theta = -phi``.
"""

from __future__ import annotations

import numpy as np


def pacf_to_ar(r: np.ndarray) -> np.ndarray:
    phi = np.zeros(0)
    for k, rk in enumerate(r):
        phi = np.concatenate([phi - rk * phi[::-1], [rk]]) if k else np.array([rk])
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


def constrain_ar(x: np.ndarray) -> np.ndarray:
    return pacf_to_ar(x / np.sqrt(1.0 + x * x))


def unconstrain_ar(phi: np.ndarray) -> np.ndarray:
    r = ar_to_pacf(phi)
    return r / np.sqrt(1.0 - r * r)


def is_stationary(phi: np.ndarray) -> bool:
    """True when ``1 - phi_1 z - ... - phi_p z^p`` has all roots outside the unit circle."""
    phi = np.asarray(phi, dtype=np.float64)
    if phi.size == 0 or not np.any(phi):
        return True
    roots = np.roots(np.r_[-phi[::-1], 1.0])
    return bool(np.all(np.abs(roots) > 1.0 + 1e-8))
