"""Autocovariance, autocorrelation (ACF), partial autocorrelation (PACF), the Ljung-Box
Q statistic and the Durbin-Watson statistic, with statsmodels' signatures and return
shapes (TS-ORDER).

Return conventions (statsmodels 0.15): ``acf`` gives the array alone, ``(acf,
confint)`` with ``alpha``, ``(acf, qstat, pvalues)`` with ``qstat``, and an
:class:`AcfResult` (a named tuple ``acf, confint, qstat, pvalues``) when both are asked
for or with ``result_object=True``; ``pacf`` gives the array, or a :class:`PacfResult`
``(pacf, confint)`` with ``alpha`` or ``result_object=True``. statsmodels warns that the
tuple defaults will change in its 0.16; these functions keep them without a warning.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from gradkit.tsa._checks import check_alpha, check_int, check_option, check_series, values_of

__all__ = [
    "AcfResult",
    "PacfResult",
    "QStatResult",
    "acf",
    "acovf",
    "durbin_watson",
    "pacf",
    "q_stat",
]

MISSING = ("none", "raise", "conservative", "drop")
PACF_METHODS = {
    **dict.fromkeys(("yw", "ywa", "ywadjusted", "yw_adjusted"), "yw"),
    **dict.fromkeys(("ywm", "ywmle", "yw_mle"), "ywm"),
    "ols": "ols",
    "ols-inefficient": "ols-inefficient",
    "ols-adjusted": "ols-adjusted",
    **dict.fromkeys(("ld", "lda", "ldadjusted", "ld_adjusted"), "ld"),
    **dict.fromkeys(("ldb", "ldbiased", "ld_biased"), "ldb"),
    "burg": "burg",
}


class AcfResult(NamedTuple):
    """``acf`` (nlags + 1,), ``confint`` (nlags + 1, 2) or None, ``qstat`` and
    ``pvalues`` (nlags,) or None."""

    acf: np.ndarray
    confint: np.ndarray | None
    qstat: np.ndarray | None
    pvalues: np.ndarray | None


class PacfResult(NamedTuple):
    """``pacf`` (nlags + 1,) and ``confint`` (nlags + 1, 2) or None."""

    pacf: np.ndarray
    confint: np.ndarray | None


class QStatResult(NamedTuple):
    """Ljung-Box ``statistic`` and ``pvalue`` per lag, shape (nlags,)."""

    statistic: np.ndarray
    pvalue: np.ndarray


def _series(x: Any, missing: str = "none") -> np.ndarray:
    """A 1-D float64 copy; NaN allowed only where ``missing`` handles it."""
    return check_series(
        x,
        "x",
        allow_nan=missing not in ("none", "raise"),
        nan_fix="pass missing='drop' or missing='conservative' to handle them",
    )


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def acovf(
    x: Any,
    adjusted: bool = False,
    demean: bool = True,
    fft: bool = True,
    missing: str = "none",
    nlag: int | None = None,
) -> np.ndarray:
    """Sample autocovariances ``gamma_k = 1/c_k sum_{t=k}^{n-1} (x_t - xbar)(x_{t-k} - xbar)``.

    ``c_k = n`` (default, a positive semi-definite sequence) or ``n - k``
    (``adjusted``). With ``fft`` all lags come from one zero-padded FFT; otherwise by
    direct products. ``missing``: ``'drop'`` removes NaN (the rest is treated as
    contiguous); ``'conservative'`` sets them to zero after demeaning over the observed
    values, and ``n`` / ``n - k`` count observed values / observed pairs.

    Returns
    -------
    ndarray, shape (nlag + 1,) (all n lags by default)
    """
    adjusted, demean, fft = _bool(adjusted, "adjusted"), _bool(demean, "demean"), _bool(fft, "fft")
    check_option(missing, "missing", MISSING)
    x = _series(x, missing)
    mask = ~np.isnan(x)
    conservative = missing == "conservative" and not mask.all()
    if missing == "drop":
        x = x[mask]
        if x.size == 0:
            raise ValueError("All observations are missing after dropping.")
        mask = np.ones(x.size, bool)
    n = x.size
    if nlag is not None:
        nlag = check_int(nlag, "nlag")
        if nlag > n - 1:
            raise ValueError(f"nlag must be at most nobs - 1 = {n - 1}; got {nlag}")
    lags = n - 1 if nlag is None else nlag
    if demean:
        xo = x - np.nanmean(x) if conservative else x - x.mean()
    else:
        xo = x.copy()
    xo[~mask] = 0.0
    if fft:
        size = 1 << int(np.ceil(np.log2(2 * n - 1)))
        f = np.fft.rfft(xo, size)
        acov = np.fft.irfft(f * np.conj(f), size)[: lags + 1]
    else:
        acov = np.array([xo[k:] @ xo[: n - k] for k in range(lags + 1)])
    k = np.arange(lags + 1)
    if conservative:
        m = mask.astype(np.float64)
        denom = np.array([m[j:] @ m[: n - j] for j in k]) if adjusted else np.full(k.size, m.sum())
        denom[denom == 0] = 1.0
    else:
        denom = n - k if adjusted else np.full(k.size, float(n))
    return acov / denom


def q_stat(x: Any, nobs: int) -> QStatResult:
    """Ljung-Box ``Q_k = n (n + 2) sum_{j=1}^k r_j^2 / (n - j)`` of autocorrelations
    ``r_1..r_K`` (``x``) from ``nobs`` observations, and ``P(chi2_k > Q_k)``.
    Shape: (K,) each."""
    from scipy.stats import chi2

    r = values_of(x).ravel()
    nobs = check_int(nobs, "nobs", 1)
    j = np.arange(1, r.size + 1)
    q = nobs * (nobs + 2) * np.cumsum(r**2 / (nobs - j))
    return QStatResult(q, chi2.sf(q, j))


def acf(
    x: Any,
    adjusted: bool = False,
    nlags: int | None = None,
    qstat: bool = False,
    fft: bool = True,
    alpha: float | None = None,
    bartlett_confint: bool = True,
    missing: str = "none",
    *,
    result_object: bool | None = None,
):
    """Autocorrelations ``rho_k = gamma_k / gamma_0`` for ``k = 0..nlags``.

    Default ``nlags = min(10 log10(n), n - 1)``. With ``alpha``, ``1 - alpha`` intervals
    ``rho_k -/+ z sqrt(v_k)``: Bartlett's ``v_k = (1 + 2 sum_{j<k} rho_j^2) / n``
    (``v_0 = 0``, ``v_1 = 1/n``), or ``v_k = 1/n`` with ``bartlett_confint=False``.
    With ``qstat``, the Ljung-Box statistics of lags 1..nlags (:func:`q_stat`).
    Return shapes: see the module docstring.

    Examples
    --------
    >>> acf([1.0, 2.0, 3.0, 4.0], nlags=1).round(3).tolist()
    [1.0, 0.25]
    """
    adjusted, qstat = _bool(adjusted, "adjusted"), _bool(qstat, "qstat")
    bartlett_confint = _bool(bartlett_confint, "bartlett_confint")
    if alpha is not None:
        alpha = check_alpha(alpha)
    check_option(missing, "missing", MISSING)
    arr = _series(x, missing)
    nobs = arr.size
    if nlags is None:
        nlags = min(int(10 * np.log10(nobs)), nobs - 1)
    nlags = check_int(nlags, "nlags")
    if nlags > nobs - 1:
        raise ValueError(f"nlags must be at most nobs - 1 = {nobs - 1}; got {nlags}")
    if missing in ("drop", "conservative"):
        nobs = int(np.sum(~np.isnan(arr)))
        if nobs == 0:
            raise ValueError("All observations are missing after dropping.")
    avf = acovf(arr, adjusted=adjusted, fft=fft, missing=missing)
    if avf[0] == 0:
        raise ValueError("x is constant; its autocorrelation is undefined")
    r = avf[: nlags + 1] / avf[0]
    confint = None
    if alpha is not None:
        from scipy.stats import norm

        if bartlett_confint:
            var = np.ones_like(r) / nobs
            var[0] = 0.0
            var[2:] *= 1 + 2 * np.cumsum(r[1:-1] ** 2)
        else:
            var = 1.0 / nobs
        half = norm.ppf(1 - alpha / 2.0) * np.sqrt(var)
        confint = np.column_stack([r - half, r + half])
    q = p = None
    if qstat:
        q, p = q_stat(r[1:], nobs)
    if result_object or (qstat and alpha is not None):
        return AcfResult(r, confint, q, p)
    if not qstat and alpha is None:
        return r
    if not qstat:
        return r, confint
    return r, q, p


def _levinson_pacf(g: np.ndarray, nlags: int) -> np.ndarray:
    """PACF from autocovariances ``g`` by the Durbin-Levinson recursion::

    phi_kk = (g_k - sum_{j<k} phi_{k-1,j} g_{k-j}) / v_{k-1},
    phi_kj = phi_{k-1,j} - phi_kk phi_{k-1,k-j},   v_k = v_{k-1} (1 - phi_kk^2)
    """
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


def _lags(x: np.ndarray, k: int, first: int) -> np.ndarray:
    """Columns ``x_{t-1}, ..., x_{t-k}`` for ``t = first..len(x)-1``."""
    return np.column_stack([x[first - i : x.size - i] for i in range(1, k + 1)])


def _pacf_ols(x: np.ndarray, nlags: int, efficient: bool) -> np.ndarray:
    """Last coefficient of the OLS regression of ``x_t`` on its first k lags:
    ``efficient`` with a constant on ``t = k..n-1`` for each k; otherwise on the
    demeaned series and the common sample ``t = nlags..n-1``."""
    n = x.size
    out = np.ones(nlags + 1)
    if efficient:
        for k in range(1, nlags + 1):
            X = np.column_stack([np.ones(n - k), _lags(x, k, k)])
            out[k] = np.linalg.lstsq(X, x[k:], rcond=None)[0][-1]
    else:
        xd = x - x.mean()
        L = _lags(xd, nlags, nlags)
        for k in range(1, nlags + 1):
            out[k] = np.linalg.lstsq(L[:, :k], xd[nlags:], rcond=None)[0][-1]
    return out


def _pacf_burg(x: np.ndarray, nlags: int) -> np.ndarray:
    """Burg's estimator: reflection coefficients from the forward and backward
    prediction errors of the demeaned series,
    ``k_m = 2 sum_t f_t b_{t-1} / sum_t (f_t^2 + b_{t-1}^2)``, then
    ``f_t <- f_t - k_m b_{t-1}``, ``b_t <- b_{t-1} - k_m f_t`` (``t = m..n-1``)."""
    f = x - x.mean()
    b = f.copy()
    out = np.ones(nlags + 1)
    for m in range(1, nlags + 1):
        ff, bb = f[m:].copy(), b[m - 1 : -1].copy()
        k = 2.0 * (ff @ bb) / (ff @ ff + bb @ bb)
        f[m:] = ff - k * bb
        b[m:] = bb - k * ff
        out[m] = k
    return out


def pacf(
    x: Any,
    nlags: int | None = None,
    method: str = "ywadjusted",
    alpha: float | None = None,
    *,
    result_object: bool | None = None,
):
    """Partial autocorrelations: ``alpha_k`` = the last coefficient of the best linear
    AR(k) predictor, for ``k = 0..nlags``.

    Parameters
    ----------
    x : array_like, shape (n,)
    nlags : int, optional
        Default ``min(10 log10(n), n // 2 - 1)``, at least 1 and at most ``n // 2``.
    method : str
        ``'yw'`` / ``'ywadjusted'`` (default; Yule-Walker on autocovariances with
        denominator ``n - k``), ``'ywm'`` / ``'ywmle'`` (denominator ``n``), ``'ols'``
        (regression on a constant and k lags, sample ``t = k..n-1``),
        ``'ols-inefficient'`` (demeaned, one common sample), ``'ols-adjusted'`` (``'ols'``
        times ``n / (n - k)``), ``'ld'`` / ``'ldb'`` (Levinson-Durbin on adjusted /
        biased autocovariances), ``'burg'`` (Burg's estimator); statsmodels' aliases
        (``'ywa'``, ``'yw_mle'``, ``'ldbiased'``, ...) are accepted.
    alpha : float, optional
        ``1 - alpha`` intervals ``pacf -/+ z / sqrt(n)`` (the lag-0 interval is [1, 1]).

    Returns
    -------
    ndarray, shape (nlags + 1,), or PacfResult (see the module docstring)
    """
    check_option(method, "method", tuple(PACF_METHODS))
    if alpha is not None:
        alpha = check_alpha(alpha)
    x = _series(x)
    n = x.size
    if nlags is None:
        nlags = min(int(10 * np.log10(n)), n // 2 - 1)
    nlags = max(check_int(nlags, "nlags"), 1)
    if nlags > n // 2:
        raise ValueError(
            "Can only compute partial correlations for lags up to 50% of the sample size. "
            f"The requested nlags {nlags} must be < {n // 2}."
        )
    kind = PACF_METHODS[method]
    if kind in ("yw", "ywm", "ld", "ldb"):
        g = acovf(x, adjusted=kind in ("yw", "ld"), fft=False, nlag=nlags)
        if g[0] == 0:
            raise ValueError("x is constant; its partial autocorrelation is undefined")
        ret = _levinson_pacf(g, nlags)
    elif kind == "burg":
        ret = _pacf_burg(x, nlags)
    else:
        ret = _pacf_ols(x, nlags, efficient=kind != "ols-inefficient")
        if kind == "ols-adjusted":
            ret *= n / (n - np.arange(nlags + 1))
    confint = None
    if alpha is not None:
        from scipy.stats import norm

        half = norm.ppf(1.0 - alpha / 2.0) / np.sqrt(n)
        confint = np.column_stack([ret - half, ret + half])
        confint[0] = ret[0]
    if result_object or alpha is not None:
        return PacfResult(ret, confint)
    return ret


def durbin_watson(resids: Any, axis: int = 0) -> float | np.ndarray:
    """Durbin-Watson statistic ``sum_t (e_t - e_{t-1})^2 / sum_t e_t^2`` along ``axis``
    (about 2 without first-order autocorrelation, toward 0 with positive)."""
    e = values_of(resids)
    if not np.all(np.isfinite(e)):
        raise ValueError("resids contains NaN or inf values")
    dw = np.sum(np.diff(e, axis=axis) ** 2, axis=axis) / np.sum(e**2, axis=axis)
    return float(dw) if np.ndim(dw) == 0 else dw
