"""The augmented Dickey-Fuller unit-root test (TS-ORDER), with statsmodels' ``adfuller``
signature and return values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gradkit.tsa._checks import check_int, check_option, check_series

__all__ = ["ADFullerResult", "OLSResults", "ResultsStore", "adfuller", "mackinnonp"]

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
_T_STOP = 1.6448536269514722  # Phi^{-1}(0.95): autolag='t-stat' keeps the first |t| above


class ResultsStore:
    """Attribute bag returned with ``store=True`` (statsmodels' ``ResultsStore``):
    ``resols``, ``maxlag``, ``usedlag``, ``adfstat``, ``critvalues``, ``nobs``, ``H0``,
    ``HA``, ``icbest`` and, with ``regresults=True``, ``autolag_results``."""

    def __str__(self) -> str:
        return getattr(self, "_str", self.__class__.__name__)


@dataclass
class OLSResults:
    """An ordinary least-squares fit ``y = X b + e``.

    Attributes: ``params``, ``bse`` (``sqrt(s^2 diag((X'X)^{-1}))``, ``s^2 = SSR / (n - k)``),
    ``tvalues``, ``pvalues`` (two-sided, t with ``n - k`` df), ``resid``, ``ssr``,
    ``nobs``, ``df_resid``, ``llf`` (Gaussian), ``aic = -2 llf + 2 k``,
    ``bic = -2 llf + k log n``.
    """

    params: np.ndarray
    bse: np.ndarray
    resid: np.ndarray
    nobs: int

    @property
    def df_resid(self) -> int:
        return self.nobs - self.params.size

    @property
    def ssr(self) -> float:
        return float(self.resid @ self.resid)

    @property
    def tvalues(self) -> np.ndarray:
        return self.params / self.bse

    @property
    def pvalues(self) -> np.ndarray:
        from scipy.stats import t

        return 2.0 * t.sf(np.abs(self.tvalues), self.df_resid)

    @property
    def llf(self) -> float:
        n = self.nobs
        return -0.5 * n * (np.log(2 * np.pi) + np.log(self.ssr / n) + 1.0)

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.params.size

    @property
    def bic(self) -> float:
        return -2.0 * self.llf + self.params.size * np.log(self.nobs)


def ols(y: np.ndarray, X: np.ndarray) -> OLSResults:
    """Least squares by QR; the regressors must have full column rank. With as many
    regressors as observations (an exact fit, no residual degrees of freedom) the
    standard errors are infinite and the t-values 0, as in statsmodels."""
    n, k = X.shape
    Q, R = np.linalg.qr(X)
    beta = np.linalg.solve(R, Q.T @ y)
    resid = y - X @ beta
    Rinv = np.linalg.inv(R)
    if n == k:
        return OLSResults(beta, np.full(k, np.inf), resid, n)
    se = np.sqrt(float(resid @ resid) / (n - k) * np.sum(Rinv * Rinv, axis=1))
    return OLSResults(beta, se, resid, n)


@dataclass(frozen=True)
class ADFullerResult:
    """Outcome of :func:`adfuller` with ``result_object=True`` (statsmodels'
    ``ADFullerResult``). Unpacks and indexes as ``(statistic, pvalue)``.

    Attributes
    ----------
    statistic : float
        t-statistic of ``gamma`` in the ADF regression.
    pvalue : float
        MacKinnon (1994) approximate p-value.
    lags : int
        Lagged differences included.
    nobs : int
        Observations in the regression.
    critical_values : dict
        ``{'1%': ..., '5%': ..., '10%': ...}`` (MacKinnon, 2010).
    icbest : float or None
        The best information criterion (or |t| for ``'t-stat'``) when the lag was
        chosen automatically.
    resstore : ResultsStore or None
    """

    statistic: float
    pvalue: float
    lags: int
    nobs: int
    critical_values: dict[str, float]
    icbest: float | None
    resstore: ResultsStore | None

    _iter_fields: ClassVar[tuple[str, ...]] = ("statistic", "pvalue")

    def __iter__(self):
        return iter((self.statistic, self.pvalue))

    def __getitem__(self, index: int) -> float:
        return (self.statistic, self.pvalue)[index]

    def __len__(self) -> int:
        return 2


def mackinnonp(teststat: float, regression: str = "c", N: int = 1) -> float:
    """MacKinnon's (1994) approximate asymptotic p-value of a Dickey-Fuller statistic
    (one series, ``N = 1``)."""
    from scipy.stats import norm

    check_option(regression, "regression", ("c", "n", "ct", "ctt"))
    if N != 1:
        raise ValueError(f"only N = 1 (a unit-root test of one series) is supported; got {N}")
    if teststat > _TAU_MAX[regression]:
        return 1.0
    if teststat < _TAU_MIN[regression]:
        return 0.0
    coef = _SMALL_P[regression] if teststat <= _TAU_STAR[regression] else _LARGE_P[regression]
    return float(norm.cdf(np.polynomial.polynomial.polyval(teststat, coef)))


def adfuller(
    x: Any,
    maxlag: int | None = None,
    regression: str = "c",
    autolag: str | None = "AIC",
    store: bool = False,
    regresults: bool = False,
    *,
    result_object: bool | None = None,
):
    """Augmented Dickey-Fuller test of ``H0: x has a unit root``.

    Regression, with ``k`` lagged differences and deterministic terms ``D_t``::

        dx_t = D_t' delta + gamma x_{t-1} + sum_{i=1}^k b_i dx_{t-i} + e_t

    The statistic is ``gamma_hat / se(gamma_hat)``; small (very negative) values reject
    the unit root. With ``autolag='AIC'`` (or ``'BIC'``) ``k`` minimizes the criterion
    over ``0..maxlag`` on a common sample; with ``'t-stat'`` it is the largest ``k`` whose
    last lag has ``|t| >= 1.645``, counting down from ``maxlag``; then the regression is
    refitted on all usable observations (statsmodels' procedure).

    Parameters
    ----------
    x : array_like, shape (n,)
    maxlag : int, optional
        Default ``ceil(12 (n / 100)^{1/4})`` (Schwert, 1989), capped at
        ``n // 2 - ntrend - 1``.
    regression : {'c', 'ct', 'ctt', 'n'}
        Constant, constant and trend, plus quadratic trend, or nothing.
    autolag : {'AIC', 'BIC', 't-stat', None}
        None uses ``maxlag`` lags. Case-insensitive.
    store : bool
        Also return a :class:`ResultsStore` with the regression.
    regresults : bool
        Implies ``store``; the store also holds every autolag regression.
    result_object : bool, optional
        True: return an :class:`ADFullerResult`. Otherwise statsmodels' tuple:
        ``(adf, pvalue, usedlag, nobs, critical_values, icbest)`` with ``autolag``,
        without ``icbest`` when ``autolag`` is None, and ``(adf, pvalue,
        critical_values, resstore)`` with ``store``.
    """
    x = check_series(x, "x", min_length=4)
    check_option(regression, "regression", ("c", "ct", "ctt", "n"))
    if autolag is not None:
        autolag = check_option(str(autolag).lower(), "autolag", ("aic", "bic", "t-stat"))
    for name, flag in (("store", store), ("regresults", regresults)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False; got {flag!r}")
    store = bool(store or regresults)
    if x.max() == x.min():
        raise ValueError("Invalid input, x is constant")
    n = x.size
    ntrend = 0 if regression == "n" else len(regression)
    if maxlag is None:
        maxlag = min(int(np.ceil(12.0 * (n / 100.0) ** 0.25)), n // 2 - ntrend - 1)
        if maxlag < 0:
            raise ValueError("sample size is too short to use selected regression component")
    elif check_int(maxlag, "maxlag") > n // 2 - ntrend - 1:
        raise ValueError(
            f"maxlag must be less than (nobs/2 - 1 - ntrend) = {n // 2 - ntrend - 1} where "
            f"ntrend is the number of included deterministic regressors; got {maxlag}"
        )
    dx = np.diff(x)
    trend_powers = {"n": [], "c": [0], "ct": [0, 1], "ctt": [0, 1, 2]}[regression]

    def design(k: int, keep: int, trend_first: bool) -> tuple[np.ndarray, np.ndarray]:
        """Regressors [level, k lagged diffs] and the trend for the last ``keep``
        differences (the trend first or last, as statsmodels orders them)."""
        m = dx.size
        cols = [x[m - keep : m]]  # x_{t-1}
        cols += [dx[m - keep - i : m - i] for i in range(1, k + 1)]
        t = np.arange(1, keep + 1, dtype=np.float64)
        trend = [t**p for p in trend_powers]
        cols = trend + cols if trend_first else cols + trend
        return dx[m - keep :], np.column_stack(cols)

    icbest, usedlag = None, maxlag
    resstore = ResultsStore() if store else None
    if autolag is not None:
        keep = dx.size - maxlag
        fits = {k: ols(*design(k, keep, True)) for k in range(maxlag + 1)}
        if autolag == "t-stat":
            usedlag, icbest = 0, 0.0
            for k in range(maxlag, -1, -1):
                icbest, usedlag = float(abs(fits[k].tvalues[-1])), k
                if icbest >= _T_STOP:
                    break
        else:
            icbest, usedlag = min((getattr(f, autolag), k) for k, f in fits.items())
            icbest = float(icbest)
        if regresults:
            start = ntrend + 1  # statsmodels keys these by the number of columns
            resstore.autolag_results = {start + k: f for k, f in fits.items()}
    y, X = design(usedlag, dx.size - usedlag, False)
    if y.size <= X.shape[1]:
        raise ValueError(
            f"the ADF regression with {usedlag} lag(s) has {X.shape[1]} regressors and only "
            f"{y.size} observations (no residual degrees of freedom, so no test statistic); "
            "use a smaller maxlag"
        )
    resols = ols(y, X)
    stat = float(resols.tvalues[0])
    nobs = y.size
    pvalue = mackinnonp(stat, regression)
    crit = {
        level: float(np.polynomial.polynomial.polyval(1.0 / nobs, c))
        for level, c in zip(("1%", "5%", "10%"), _CRIT[regression])
    }
    if store:
        resstore.resols = resols
        resstore.maxlag = maxlag
        resstore.usedlag = usedlag
        resstore.adfstat = stat
        resstore.critvalues = crit
        resstore.nobs = nobs
        resstore.H0 = "The coefficient on the lagged level equals 1 - unit root"
        resstore.HA = "The coefficient on the lagged level < 1 - stationary"
        resstore.icbest = icbest
        resstore._str = "Augmented Dickey-Fuller Test Results"
    if result_object:
        return ADFullerResult(stat, pvalue, usedlag, nobs, crit, icbest, resstore)
    if store:
        return stat, pvalue, crit, resstore
    if autolag is None:
        return stat, pvalue, usedlag, nobs, crit
    return stat, pvalue, usedlag, nobs, crit, icbest
