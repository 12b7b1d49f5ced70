"""ARIMA(p, d, q) by exact Gaussian maximum likelihood (state-space Kalman filter) or CSS.

The model, with ``phi(L) = 1 - phi_1 L - ... - phi_p L^p`` and
``theta(L) = 1 + theta_1 L + ... + theta_q L^q``::

    y_t = x_t' beta + u_t,    phi(L) (1 - L)^d u_t = theta(L) eps_t,   eps_t ~ N(0, sigma2)

The trend ``x_t' beta`` is a regression (as in statsmodels' ``ARIMA``): with ``trend='c'``
and ``d = 0`` the constant is the mean of ``y``.

The likelihood comes from a Kalman filter on the model's state-space form (Harvey's
ARMA representation after ``d`` differencing states; :mod:`gradkit.tsa._statespace`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from gradkit.tsa._checks import check_option, check_series
from gradkit.tsa._estimation import fit_css, fit_mle
from gradkit.tsa._inference import cov_from_information, information
from gradkit.tsa._statespace import arima_statespace
from gradkit.tsa.kalman import StateSpace, kalman_filter, kalman_loglike

__all__ = ["ARIMA", "ARIMAResults", "Forecast"]

TRENDS = ("n", "c", "t", "ct")
METHODS = ("mle", "css")
COV_TYPES = ("approx", "opg")


def _trend_powers(trend: str) -> list[int]:
    return {"n": [], "c": [0], "t": [1], "ct": [0, 1]}[trend]


class ARIMA:
    """ARIMA(p, d, q) model of a univariate series (statsmodels-like interface).

    Parameters
    ----------
    y : array_like, shape (n,)
        The series (no NaN or inf).
    order : tuple of int
        ``(p, d, q)``: AR order, differencing order, MA order.
    trend : {'n', 'c', 't', 'ct'}, optional
        Deterministic trend as a regression: none, constant, linear time ``t = 1..n``,
        or both. Default ``'c'`` when ``d = 0`` and ``'n'`` otherwise. Trend terms of
        power below ``d`` are rejected (differencing removes them).
    diffuse_variance : float
        Variance of the approximately diffuse differencing states (statsmodels: 1e6).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> e = rng.standard_normal(300)
    >>> y = 10 + np.convolve(e, [1.0, 0.5])[:300]           # MA(1) around 10
    >>> res = ARIMA(y, order=(0, 0, 1)).fit()
    >>> res.param_names
    ['const', 'ma.L1', 'sigma2']
    >>> bool(abs(res.params[1] - 0.5) < 0.1)
    True
    >>> res.forecast(3).shape
    (3,)
    >>> res.bse.shape, res.conf_int().shape                  # standard errors, 95% CIs
    ((3,), (3, 2))
    """

    def __init__(
        self,
        y: Any,
        order: tuple[int, int, int] = (0, 0, 0),
        trend: str | None = None,
        *,
        diffuse_variance: float = 1e6,
    ) -> None:
        try:
            p, d, q = (int(o) for o in order)
            ok = len(order) == 3 and all(int(o) == o and o >= 0 for o in order)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"order must be three non-negative integers (p, d, q); got {order}")
        self.y = check_series(y, "y", min_length=max(p + d + q + 2, 3))
        self.order = (p, d, q)
        self.p, self.d, self.q = p, d, q
        trend = ("c" if d == 0 else "n") if trend is None else trend
        check_option(trend, "trend", TRENDS)
        if any(k < d for k in _trend_powers(trend)):
            raise ValueError(
                f"trend={trend!r} has a term of power < d={d}, which differencing removes; "
                f"use trend='n' or a trend with only powers >= d (e.g. 't' for d=1)"
            )
        self.trend = trend
        self.diffuse_variance = float(diffuse_variance)
        n = self.y.size
        t = np.arange(1, n + 1, dtype=np.float64)
        self.exog = np.column_stack([t**k for k in _trend_powers(trend)]) if trend != "n" else None
        self.k_trend = len(_trend_powers(trend))
        self.param_names = (
            [{0: "const", 1: "drift"}[k] for k in _trend_powers(trend)]
            + [f"ar.L{i}" for i in range(1, p + 1)]
            + [f"ma.L{i}" for i in range(1, q + 1)]
            + ["sigma2"]
        )
        self.k_params = len(self.param_names)
        self.nobs = n
        self.nobs_effective = n - d

    def __repr__(self) -> str:
        return f"ARIMA(order={self.order}, trend={self.trend!r}, nobs={self.nobs})"

    # -- parameters ----------------------------------------------------------------
    def _split(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        k, p, q = self.k_trend, self.p, self.q
        return params[:k], params[k : k + p], params[k + p : k + p + q], float(params[-1])

    def _check_params(self, params: Any) -> np.ndarray:
        params = np.asarray(params, dtype=np.float64).ravel()
        if params.size != self.k_params:
            raise ValueError(
                f"expected {self.k_params} parameters {self.param_names}; got {params.size}"
            )
        if not np.all(np.isfinite(params)) or params[-1] <= 0:
            raise ValueError("parameters must be finite with sigma2 > 0")
        return params

    # -- state space ---------------------------------------------------------------
    def statespace(self, params: Any, scale: float = 1.0) -> StateSpace:
        """The state-space system for ``params`` (series divided by ``scale``)."""
        _, ar, ma, sigma2 = self._split(np.asarray(params, dtype=np.float64))
        return arima_statespace(ar, ma, sigma2, self.d, self.diffuse_variance / scale**2)

    def _demeaned(self, beta: np.ndarray, y: np.ndarray) -> np.ndarray:
        return y if self.exog is None else y - self.exog @ beta

    def loglike(self, params: Any) -> float:
        """Exact log-likelihood at ``params`` (order as ``param_names``)."""
        params = self._check_params(params)
        beta = self._split(params)[0]
        return kalman_loglike(self.statespace(params), self._demeaned(beta, self.y), self.d)

    def filter(self, params: Any, cov_type: str = "approx") -> ARIMAResults:
        """Results at given parameters, without estimation (statsmodels' ``filter``);
        ``cov_type`` as in :meth:`fit`, evaluated at ``params``."""
        params = self._check_params(params).copy()
        check_option(cov_type, "cov_type", COV_TYPES)
        return ARIMAResults(self, params, "fixed", self.loglike(params), {}, cov_type)

    # -- estimation ----------------------------------------------------------------
    def fit(
        self,
        method: str = "mle",
        *,
        start_params: Any = None,
        maxiter: int = 500,
        cov_type: str = "approx",
    ) -> ARIMAResults:
        """Estimate the parameters.

        Parameters
        ----------
        method : {'mle', 'css'}
            ``'mle'``: maximize the exact Gaussian likelihood (Kalman filter) with
            L-BFGS-B over unconstrained parameters, so the AR part stays stationary and
            the MA part invertible. ``'css'``: minimize the conditional sum of squares
            ``sum_{t > p} e_t^2`` of the differenced series with pre-sample errors set to
            zero; ``sigma2 = SSR / (n - d - p)``.
        start_params : array_like, optional
            MLE starting values (default: a Hannan-Rissanen regression).
        maxiter : int
            Optimizer iteration cap.
        cov_type : {'approx', 'opg'}
            Covariance of the estimates (``bse``, ``pvalues``, ``conf_int``):
            ``'approx'``, the inverse observed information ``[-d^2 log L / d theta^2]^{-1}``
            by a numerical Hessian (statsmodels' ``cov_type='approx'``); ``'opg'``, the
            inverse outer product of the per-observation scores (statsmodels' default).
            Both over all parameters, sigma2 included, in their natural (constrained)
            form; for ``'css'`` of the conditional log-likelihood. Computed on first use.

        Returns
        -------
        ARIMAResults
        """
        check_option(method, "method", METHODS)
        check_option(cov_type, "cov_type", COV_TYPES)
        if method == "css":
            params, llf, info = fit_css(self)
        else:
            params, llf, info = fit_mle(self, start_params, maxiter)
        return ARIMAResults(self, params, method, llf, info, cov_type)


@dataclass
class Forecast:
    """Out-of-sample forecasts with their standard errors.

    Attributes
    ----------
    predicted_mean, se_mean : ndarray, shape (steps,)
    """

    predicted_mean: np.ndarray
    se_mean: np.ndarray

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Normal ``1 - alpha`` intervals, shape (steps, 2): mean -/+ z_{1-alpha/2} se."""
        return _normal_interval(self.predicted_mean, self.se_mean, alpha)


def _normal_interval(mean: np.ndarray, se: np.ndarray, alpha: float) -> np.ndarray:
    """``[mean - z se, mean + z se]`` with ``z = Phi^{-1}(1 - alpha / 2)``, shape (n, 2)."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1); got {alpha}")
    from scipy.stats import norm

    z = norm.ppf(1.0 - alpha / 2.0)
    return np.column_stack([mean - z * se, mean + z * se])


class ARIMAResults:
    """A fitted ARIMA model.

    Attributes
    ----------
    params : ndarray
        Estimates in the order of ``param_names`` (trend, AR, MA, sigma2).
    llf : float
        Maximized log-likelihood (exact for ``'mle'``, conditional for ``'css'``).
    aic, bic, hqic : float
        ``-2 llf + 2 k``, ``-2 llf + k log(n_eff)``, ``-2 llf + 2 k log(log(n_eff))`` with
        ``k`` parameters (sigma2 included) and ``n_eff = n - d`` observations.
    resid : ndarray, shape (n,)
        One-step-ahead prediction errors ``v_t`` of the Kalman filter.
    fittedvalues : ndarray, shape (n,)
        ``y - resid``.
    cov_type : str
        How :meth:`cov_params` is computed; see :meth:`ARIMA.fit`.
    bse : ndarray, shape (k,)
        Standard errors ``sqrt(diag(cov_params()))``.
    zvalues, tvalues : ndarray, shape (k,)
        ``params / bse`` (``tvalues`` is statsmodels' alias).
    pvalues : ndarray, shape (k,)
        Two-sided normal p-values ``2 (1 - Phi(|z|))``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = np.convolve(rng.standard_normal(500), [1.0, 0.4])[:500]
    >>> res = ARIMA(y, order=(0, 0, 1), trend="n").fit()
    >>> lo, hi = res.conf_int(alpha=0.05)[0]                 # 95% interval for ma.L1
    >>> bool(lo < 0.4 < hi)
    True
    >>> print(res.summary())  # doctest: +ELLIPSIS
    ARIMA(0, 0, 1)  trend='n'  method=mle  cov_type=approx
    ...
    ma.L1 ...
    """

    def __init__(
        self,
        model: ARIMA,
        params: np.ndarray,
        method: str,
        llf: float,
        info: dict[str, Any],
        cov_type: str = "approx",
    ) -> None:
        self.model = model
        self.cov_type = cov_type
        self.params = params
        self.param_names = list(model.param_names)
        self.method = method
        self.llf = float(llf)
        self.converged = bool(info.get("converged", True))
        self.n_iter = int(info.get("n_iter", 0))
        self.order = model.order
        self.nobs = model.nobs
        self.nobs_effective = info.get("nobs_effective", model.nobs_effective)
        beta = model._split(params)[0]
        self._u = model._demeaned(beta, model.y)
        self._filter = kalman_filter(model.statespace(params), self._u, model.d)
        self.resid = self._filter.innovations
        self.fittedvalues = model.y - self.resid

    def __repr__(self) -> str:
        est = ", ".join(f"{n}={v:.4g}" for n, v in zip(self.param_names, self.params))
        return f"ARIMAResults(order={self.order}, {est}, llf={self.llf:.4f})"

    @property
    def sigma2(self) -> float:
        return float(self.params[-1])

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.model.k_params

    @property
    def bic(self) -> float:
        return -2.0 * self.llf + self.model.k_params * np.log(self.nobs_effective)

    @property
    def hqic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.model.k_params * np.log(np.log(self.nobs_effective))

    def get_forecast(self, steps: int = 1) -> Forecast:
        """Forecast ``steps`` ahead from the end of the sample.

        From the filter's ``a_{n+1}, P_{n+1}``: for ``h = 1..steps``,
        ``yhat_{n+h} = x_{n+h}' beta + Z' a``, ``se^2 = Z' P Z``, then
        ``a <- T a``, ``P <- T P T' + R Q R'``.
        """
        if int(steps) != steps or steps < 1:
            raise ValueError(f"steps must be a positive integer; got {steps}")
        steps = int(steps)
        ss = self.model.statespace(self.params)
        Z, T, RQR = ss.design, ss.transition, ss.state_cov
        a, P = self._filter.next_state, self._filter.next_cov
        mean, var = np.empty(steps), np.empty(steps)
        for h in range(steps):
            mean[h] = Z @ a
            var[h] = Z @ P @ Z
            a = T @ a
            P = T @ P @ T.T + RQR
        if self.model.exog is not None:
            t = np.arange(self.nobs + 1, self.nobs + steps + 1, dtype=np.float64)
            powers = _trend_powers(self.model.trend)
            X = np.column_stack([t**k for k in powers])
            mean += X @ self.model._split(self.params)[0]
        return Forecast(mean, np.sqrt(var))

    def forecast(self, steps: int = 1) -> np.ndarray:
        """Point forecasts for ``steps`` periods; see :meth:`get_forecast` for intervals."""
        return self.get_forecast(steps).predicted_mean

    # -- inference -----------------------------------------------------------------
    @cached_property
    def _cov(self) -> np.ndarray:
        info = information(self.model, self.params, self.method, self.cov_type)
        return cov_from_information(info)

    def cov_params(self) -> np.ndarray:
        """Covariance of the estimates, shape (k, k), order of ``param_names``: the inverse
        information of :meth:`ARIMA.fit`'s ``cov_type`` (computed once, on first use).

        ``'approx'``: the Hessian is the central difference of the complex-step gradient
        of ``log L`` in the natural parameters, ``H[:, j] = (g(theta + h_j e_j) -
        g(theta - h_j e_j)) / (2 h_j)`` with ``h_j`` proportional to ``max(|theta_j|, 0.1)``
        on the scaled series (see ``gradkit.tsa._inference``); all 2k gradients take one
        batched Kalman pass.
        """
        return self._cov.copy()

    @property
    def bse(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.sqrt(np.diag(self._cov))

    @property
    def zvalues(self) -> np.ndarray:
        return self.params / self.bse

    @property
    def tvalues(self) -> np.ndarray:
        return self.zvalues

    @property
    def pvalues(self) -> np.ndarray:
        from scipy.stats import norm

        return 2.0 * norm.sf(np.abs(self.zvalues))

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Normal ``1 - alpha`` intervals, shape (k, 2): ``params -/+ z_{1-alpha/2} bse``."""
        return _normal_interval(self.params, self.bse, alpha)

    def summary(self, alpha: float = 0.05) -> str:
        """A plain-text table: one row per parameter with coef, std err, z, P>|z| and the
        ``1 - alpha`` interval, under the fit statistics (print it)."""
        ci = self.conf_int(alpha)
        lo, hi = f"[{alpha / 2:.3g}", f"{1 - alpha / 2:.3g}]"
        width = max(8, *(len(n) for n in self.param_names))
        head = f"{'':{width}s} {'coef':>11s} {'std err':>11s} {'z':>9s} {'P>|z|':>7s}"
        head += f" {lo:>11s} {hi:>11s}"
        rule = "-" * len(head)
        lines = [
            f"ARIMA{self.order}  trend={self.model.trend!r}  method={self.method}  "
            f"cov_type={self.cov_type}",
            f"nobs={self.nobs}  llf={self.llf:.4f}  aic={self.aic:.4f}  bic={self.bic:.4f}  "
            f"hqic={self.hqic:.4f}",
            rule,
            head,
            rule,
        ]
        for i, name in enumerate(self.param_names):
            row = (self.params[i], self.bse[i], self.zvalues[i], self.pvalues[i], *ci[i])
            lines.append(
                f"{name:{width}s} {_num(row[0])} {_num(row[1])} {row[2]:9.3f} {row[3]:7.3f} "
                f"{_num(row[4])} {_num(row[5])}"
            )
        lines.append(rule)
        return "\n".join(lines)


def _num(x: float) -> str:
    """Width 11: four decimals, or four significant digits in e-notation when too large
    or too small for that."""
    return f"{x:11.4f}" if x == 0 or 1e-3 <= abs(x) < 1e6 else f"{x:11.4g}"
