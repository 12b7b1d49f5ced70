"""The augmented Dickey-Fuller unit-root test (TS-ORDER)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gradkit.tsa._checks import check_option, check_series

__all__ = ["ADFResult", "adfuller"]

# MacKinnon (1994), Table 3 (N = 1): p-value = Phi(sum_i c_i tau^i); small-p coefficients
# below tau_star, large-p above; p = 0 below tau_min and 1 above tau_max.
_TAU_MIN = {"n": -19.04, "c": -18.83, "ct": -16.18, "ctt": -17.17}
_TAU_MAX = {"n": np.inf, "c": 2.74, "ct": 0.7, "ctt": 0.54}
_TAU_STAR = {"n": -1.04, "c": -1.61, "ct": -2.89, "ctt": -3.21}
_SMALL_P = {
    "n": (0.6344, 1.2378, 3.2496e-2),
    "c": (2.1659, 1.4412, 3.8269e-2),
    "ct": (3.2512, 1.6047, 4.9588e-2),
    "ctt": (4.0003, 1.658, 4.8288e-2),
}
_LARGE_P = {
    "n": (0.4797, 0.93557, -0.06999, 0.033066),
    "c": (1.7339, 0.93202, -0.12745, -0.010368),
    "ct": (2.5261, 0.61654, -0.37956, -0.060285),
    "ctt": (3.0778, 0.49529, -0.41477, -0.059359),
}
# MacKinnon (2010), N = 1: critical value = b0 + b1/T + b2/T^2 + b3/T^3 at 1%, 5%, 10%.
_CRIT = {
    "n": ((-2.56574, -2.2358, -3.627, 0.0), (-1.941, -0.2686, -3.365, 31.223),
          (-1.61682, 0.2656, -2.714, 25.364)),
    "c": ((-3.43035, -6.5393, -16.786, -79.433), (-2.86154, -2.8903, -4.234, -40.04),
          (-2.56677, -1.5384, -2.809, 0.0)),
    "ct": ((-3.95877, -9.0531, -28.428, -134.155), (-3.41049, -4.3904, -9.036, -45.374),
           (-3.12705, -2.5856, -3.925, -22.38)),
    "ctt": ((-4.37113, -11.5882, -35.819, -334.047), (-3.83239, -5.9057, -12.49, -118.284),
            (-3.55326, -3.6596, -5.293, -63.559)),
}  # fmt: skip


@dataclass
class ADFResult:
    """Outcome of :func:`adfuller`.

    Attributes
    ----------
    stat : float
        t-statistic of ``gamma`` in the ADF regression.
    pvalue : float
        MacKinnon (1994) approximate p-value.
    usedlag : int
        Lagged differences included.
    nobs : int
        Observations in the regression.
    critical_values : dict
        ``{'1%': ..., '5%': ..., '10%': ...}`` (MacKinnon, 2010).
    icbest : float or None
        Best information criterion when the lag was chosen automatically.
    """

    stat: float
    pvalue: float
    usedlag: int
    nobs: int
    critical_values: dict[str, float]
    icbest: float | None


def mackinnon_pvalue(stat: float, regression: str = "c") -> float:
    """MacKinnon's (1994) approximate asymptotic p-value of a Dickey-Fuller statistic."""
    from scipy.stats import norm

    if stat > _TAU_MAX[regression]:
        return 1.0
    if stat < _TAU_MIN[regression]:
        return 0.0
    coef = _SMALL_P[regression] if stat <= _TAU_STAR[regression] else _LARGE_P[regression]
    return float(norm.cdf(np.polynomial.polynomial.polyval(stat, coef)))


def _ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, their standard errors and the Gaussian AIC ``-2 llf + 2 k``."""
    n, k = X.shape
    Q, R = np.linalg.qr(X)
    beta = np.linalg.solve(R, Q.T @ y)
    resid = y - X @ beta
    ssr = float(resid @ resid)
    Rinv = np.linalg.inv(R)
    se = np.sqrt(ssr / (n - k) * np.sum(Rinv * Rinv, axis=1))
    llf = -0.5 * n * (np.log(2 * np.pi) + np.log(ssr / n) + 1.0)
    return beta, se, -2.0 * llf + 2.0 * k


def adfuller(
    x: Any,
    maxlag: int | None = None,
    regression: str = "c",
    autolag: str | None = "aic",
) -> ADFResult:
    """Augmented Dickey-Fuller test of ``H0: x has a unit root``.

    Regression, with ``k`` lagged differences and deterministic terms ``D_t``::

        dx_t = D_t' delta + gamma x_{t-1} + sum_{i=1}^k b_i dx_{t-i} + e_t

    The statistic is ``gamma_hat / se(gamma_hat)``; small (very negative) values reject
    the unit root. With ``autolag='aic'`` (or ``'bic'``) ``k`` minimizes the criterion over
    ``0..maxlag`` on a common sample, then the regression is refitted on all usable
    observations (the procedure of statsmodels' ``adfuller``).

    Parameters
    ----------
    x : array_like, shape (n,)
    maxlag : int, optional
        Default ``ceil(12 (n / 100)^{1/4})`` (Schwert, 1989), capped at ``n / 2 - ntrend - 1``.
    regression : {'c', 'ct', 'ctt', 'n'}
        Constant, constant and trend, plus quadratic trend, or nothing.
    autolag : {'aic', 'bic'} or None
        None uses ``maxlag`` lags.

    Returns
    -------
    ADFResult
    """
    x = check_series(x, "x", min_length=4)
    check_option(regression, "regression", ("c", "ct", "ctt", "n"))
    if autolag is not None:
        check_option(autolag, "autolag", ("aic", "bic"))
    if x.max() == x.min():
        raise ValueError("x is constant; the ADF test is undefined")
    n = x.size
    ntrend = 0 if regression == "n" else len(regression)
    if maxlag is None:
        maxlag = min(int(np.ceil(12.0 * (n / 100.0) ** 0.25)), n // 2 - ntrend - 1)
        if maxlag < 0:
            raise ValueError("series too short for the chosen regression")
    elif not 0 <= maxlag <= n // 2 - ntrend - 1:
        raise ValueError(f"maxlag must lie in [0, {n // 2 - ntrend - 1}]; got {maxlag}")
    dx = np.diff(x)

    def design(k: int, keep: int) -> tuple[np.ndarray, np.ndarray]:
        """Regressors [level, k lagged diffs, trend] for the last ``keep`` differences."""
        m = dx.size
        cols = [x[m - keep : m]]  # x_{t-1}
        cols += [dx[m - keep - i : m - i] for i in range(1, k + 1)]
        t = np.arange(1, keep + 1, dtype=np.float64)
        trend = {"n": [], "c": [0], "ct": [0, 1], "ctt": [0, 1, 2]}[regression]
        cols += [t**p for p in trend]
        return dx[m - keep :], np.column_stack(cols)

    icbest = None
    usedlag = maxlag
    if autolag is not None:
        keep = dx.size - maxlag
        best = None
        for k in range(maxlag + 1):
            y, X = design(k, keep)
            _, _, aic = _ols(y, X)
            ic = aic if autolag == "aic" else aic - 2 * X.shape[1] + X.shape[1] * np.log(keep)
            if best is None or ic < best[0]:
                best = (ic, k)
        icbest, usedlag = float(best[0]), best[1]
    y, X = design(usedlag, dx.size - usedlag)
    beta, se, _ = _ols(y, X)
    stat = float(beta[0] / se[0])
    nobs = y.size
    crit = {
        level: float(np.polynomial.polynomial.polyval(1.0 / nobs, c))
        for level, c in zip(("1%", "5%", "10%"), _CRIT[regression])
    }
    return ADFResult(stat, mackinnon_pvalue(stat, regression), usedlag, nobs, crit, icbest)
