"""Autocovariance, autocorrelation (ACF) and partial autocorrelation (PACF)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradkit.tsa._checks import check_option, check_series

__all__ = ["acf", "acovf", "pacf"]


def acovf(x: Any, nlags: int | None = None, *, adjusted: bool = False) -> np.ndarray:
    """Sample autocovariances ``gamma_k = 1/c_k sum_{t=k}^{n-1} (x_t - xbar)(x_{t-k} - xbar)``.

    ``c_k = n`` (default, a positive semi-definite sequence) or ``n - k`` (``adjusted``).
    Computed for all lags at once with an FFT (zero-padded to avoid wrap-around).

    Returns
    -------
    ndarray, shape (nlags + 1,)
    """
    x = check_series(x, "x")
    n = x.size
    nlags = n - 1 if nlags is None else int(nlags)
    if not 0 <= nlags < n:
        raise ValueError(f"nlags must lie in [0, {n - 1}]; got {nlags}")
    xd = x - x.mean()
    size = 1 << int(np.ceil(np.log2(2 * n - 1)))
    f = np.fft.rfft(xd, size)
    acov = np.fft.irfft(f * np.conj(f), size)[: nlags + 1]
    denom = n - np.arange(nlags + 1) if adjusted else n
    return acov / denom


def acf(x: Any, nlags: int | None = None, *, adjusted: bool = False) -> np.ndarray:
    """Autocorrelations ``rho_k = gamma_k / gamma_0`` for ``k = 0..nlags``.

    Default ``nlags = min(10 log10(n), n - 1)`` (as statsmodels).

    Examples
    --------
    >>> acf([1.0, 2.0, 3.0, 4.0], nlags=1).round(3).tolist()
    [1.0, 0.25]
    """
    x = check_series(x, "x")
    if nlags is None:
        nlags = min(int(10 * np.log10(x.size)), x.size - 1)
    g = acovf(x, nlags, adjusted=adjusted)
    if g[0] == 0:
        raise ValueError("x is constant; its autocorrelation is undefined")
    return g / g[0]


def _durbin_levinson_pacf(g: np.ndarray) -> np.ndarray:
    """PACF from autocovariances by the Durbin-Levinson recursion::

    phi_kk = (g_k - sum_{j<k} phi_{k-1,j} g_{k-j}) / v_{k-1},
    phi_kj = phi_{k-1,j} - phi_kk phi_{k-1,k-j},   v_k = v_{k-1} (1 - phi_kk^2)
    """
    nlags = g.size - 1
    out = np.empty(nlags + 1)
    out[0] = 1.0
    phi = np.zeros(0)
    v = g[0]
    for k in range(1, nlags + 1):
        a = (g[k] - phi @ g[k - 1 : 0 : -1]) / v
        phi = np.r_[phi - a * phi[::-1], a]
        v *= 1.0 - a * a
        out[k] = a
    return out


def pacf(x: Any, nlags: int | None = None, *, method: str = "yw") -> np.ndarray:
    """Partial autocorrelations: ``alpha_k`` = the last coefficient of the best linear
    AR(k) predictor, i.e. the solution of the Yule-Walker system
    ``Gamma_k phi = (gamma_1..gamma_k)`` for each ``k``.

    Parameters
    ----------
    x : array_like, shape (n,)
    nlags : int, optional
        Default ``min(10 log10(n), n // 2 - 1)`` (as statsmodels).
    method : {'yw', 'ywm', 'ols'}
        ``'yw'``: Yule-Walker with adjusted autocovariances (denominator ``n - k``,
        statsmodels' default); ``'ywm'``: with the biased ones (denominator ``n``);
        ``'ols'``: the last coefficient of an OLS regression of ``x_t`` on a constant and
        ``k`` lags.

    Returns
    -------
    ndarray, shape (nlags + 1,)
    """
    x = check_series(x, "x")
    check_option(method, "method", ("yw", "ywm", "ols"))
    n = x.size
    if nlags is None:
        nlags = max(min(int(10 * np.log10(n)), n // 2 - 1), 1)
    if not 1 <= nlags <= n // 2:
        raise ValueError(f"nlags must lie in [1, {n // 2}] (half the sample); got {nlags}")
    if method == "ols":
        out = np.ones(nlags + 1)
        for k in range(1, nlags + 1):
            X = np.column_stack([np.ones(n - k)] + [x[k - i : n - i] for i in range(1, k + 1)])
            out[k] = np.linalg.lstsq(X, x[k:], rcond=None)[0][-1]
        return out
    return _durbin_levinson_pacf(acovf(x, nlags, adjusted=(method == "yw")))
