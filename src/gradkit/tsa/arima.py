"""Seasonal ARIMA(p, d, q)x(P, D, Q, s) by exact Gaussian maximum likelihood (Kalman
filter), with statsmodels' ``ARIMA`` interface.

The model, with ``phi(L) = 1 - phi_1 L - ... - phi_p L^p``, ``Phi(L^s) = 1 - Phi_1 L^s -
... - Phi_P L^{sP}``, ``theta(L) = 1 + theta_1 L + ...`` and ``Theta(L^s) = 1 +
Theta_1 L^s + ...``::

    y_t = x_t' beta + u_t,
    phi(L) Phi(L^s) (1 - L)^d (1 - L^s)^D u_t = theta(L) Theta(L^s) eps_t,
    eps_t ~ N(0, sigma2)

The regression ``x_t' beta`` holds the trend (``'c'``: 1, ``'t'``: t, ``'ct'``,
``'ctt'``: 1, t, t^2 with ``t = trend_offset, trend_offset + 1, ...``) and any ``exog``
columns, as in statsmodels' ``ARIMA`` (with ``trend='c'`` and ``d = D = 0`` the
constant is the mean of ``y``). The likelihood comes from a Kalman filter on statsmodels'
SARIMAX state-space layout (:mod:`gradkit.tsa._statespace`), so the same parameters
give the same log-likelihood, and ``fit()`` follows statsmodels' estimation procedure
step for step, so it returns statsmodels' estimates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradkit.tsa._checks import check_int, check_option, check_series, values_of
from gradkit.tsa._estimation import (
    constrain,
    fit_css,
    fit_mle,
    fit_statespace,
    reduced_polynomials,
    start_params,
)
from gradkit.tsa._index import TimeIndex, is_pandas
from gradkit.tsa._results import ARIMAResults, PredictionResults
from gradkit.tsa._statespace import arima_statespace
from gradkit.tsa.kalman import StateSpace, kalman_filter

__all__ = ["ARIMA", "ARIMAResults", "PredictionResults"]

TRENDS = {"n": [], "c": [0], "t": [1], "ct": [0, 1], "ctt": [0, 1, 2]}
METHODS = ("statespace", "mle", "css")
COV_TYPES = ("opg", "approx", "none")


def _order(order: Any, name: str, size: int) -> tuple[int, ...]:
    try:
        ok = len(order) == size and all(
            not isinstance(o, bool) and int(o) == o and o >= 0 for o in order
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        what = "(p, d, q)" if size == 3 else "(P, D, Q, s)"
        raise ValueError(f"{name} must be {size} non-negative integers {what}; got {order!r}")
    return tuple(int(o) for o in order)


class ARIMA:
    """Seasonal ARIMA model of a univariate series (statsmodels' ``ARIMA``).

    Parameters
    ----------
    endog : array_like or pandas Series / one-column DataFrame, shape (n,)
        The series (no NaN or inf). With pandas input every result is a pandas object:
        parameters indexed by name, predictions on the data's index, forecasts on it
        extended by its frequency.
    exog : array_like, shape (n, k), optional
        Regressors (their coefficients are estimated with the rest). Forecasts then need
        the future values: ``forecast(steps, exog=...)``.
    order : tuple of int
        ``(p, d, q)``: AR order, differencing order, MA order.
    seasonal_order : tuple of int
        ``(P, D, Q, s)``: seasonal AR, seasonal differencing and seasonal MA orders and
        the period ``s`` (``s >= 2`` when any of P, D, Q is non-zero).
    trend : {'n', 'c', 't', 'ct', 'ctt'}, optional
        Deterministic trend as a regression. Default ``'c'`` when ``d = D = 0`` and
        ``'n'`` otherwise. Trend terms of power below ``d + D`` are rejected
        (differencing removes them).
    trend_offset : int
        The first value of the time trend (default 1: ``t = 1, ..., n``).
    dates : array_like of datetime, optional
        A date index for array data.
    freq : str, optional
        The frequency of the date index, when it has none.
    enforce_stationarity, enforce_invertibility : bool
        Must be True (the AR part is kept stationary, the MA part invertible).
    concentrate_scale : bool
        Must be False (sigma2 is a parameter).
    missing : {'none', 'raise'}
        NaN in ``endog`` raises either way.
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
        endog: Any,
        exog: Any = None,
        order: tuple[int, int, int] = (0, 0, 0),
        seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
        trend: str | None = None,
        enforce_stationarity: bool = True,
        enforce_invertibility: bool = True,
        concentrate_scale: bool = False,
        trend_offset: int = 1,
        dates: Any = None,
        freq: Any = None,
        missing: str = "none",
        *,
        diffuse_variance: float = 1e6,
    ) -> None:
        p, d, q = _order(order, "order", 3)
        P, D, Q, s = _order(seasonal_order, "seasonal_order", 4)
        if (P or D or Q) and s < 2:
            raise ValueError(f"seasonal_order needs a period s >= 2; got {seasonal_order!r}")
        if not (P or D or Q):
            s = 0
        if not (enforce_stationarity and enforce_invertibility):
            raise ValueError(
                "enforce_stationarity=False / enforce_invertibility=False are not supported: "
                "the AR part is always kept stationary and the MA part invertible"
            )
        if concentrate_scale:
            raise ValueError("concentrate_scale=True is not supported; sigma2 is a parameter")
        check_option(missing, "missing", ("none", "raise"))
        burn = d + s * D
        self.y = self.endog = check_series(endog, "endog", min_length=max(burn + 2, 3))
        n = self.nobs = self.y.size
        self.order, self.seasonal_order = (p, d, q), (P, D, Q, s)
        self.p, self.d, self.q, self.P, self.D, self.Q, self.s = p, d, q, P, D, Q, s
        self.k_ar, self.k_ma = p + s * P, q + s * Q
        trend = ("c" if d + D == 0 else "n") if trend is None else trend
        check_option(trend, "trend", tuple(TRENDS))
        if any(k < d + D for k in TRENDS[trend]):
            raise ValueError(
                f"In models with integration (d > 0) or seasonal integration (D > 0), trend "
                f"terms of lower order than d + D cannot be (differencing removes them); "
                f"trend={trend!r} with d + D = {d + D}: use trend='n' or only higher powers "
                "(e.g. 't' for d = 1)"
            )
        self.trend, self.trend_offset = trend, check_int(trend_offset, "trend_offset")
        self.diffuse_variance = float(diffuse_variance)
        self.loglikelihood_burn = burn
        self.nobs_effective = n - burn
        self._index = TimeIndex(endog, n, dates, freq)
        self.endog_names = self._index.name
        self._setup_regression(exog, n)
        k = self.k_trend + self.k_exog
        self.param_names = (
            self.exog_names
            + [f"ar.L{i}" for i in range(1, p + 1)]
            + [f"ma.L{i}" for i in range(1, q + 1)]
            + [f"ar.S.L{s * i}" for i in range(1, P + 1)]
            + [f"ma.S.L{s * i}" for i in range(1, Q + 1)]
            + ["sigma2"]
        )
        self.k_params = len(self.param_names)
        edges = np.cumsum([0, k, p, q, P, Q])
        self._slices = {
            key: slice(int(a), int(b))
            for key, a, b in zip(("exog", "ar", "ma", "sar", "sma"), edges, edges[1:])
        }

    def _setup_regression(self, exog: Any, n: int) -> None:
        """The regression matrix ``[trend columns, exog]`` and its names (statsmodels':
        with pandas ``exog`` the trend is 'const', 'drift', 'trend.2' and the columns keep
        their names; otherwise 'const' then 'x1', 'x2', ...)."""
        powers = TRENDS[self.trend]
        self.k_trend = len(powers)
        t = np.arange(self.trend_offset, self.trend_offset + n, dtype=np.float64)
        self._trend_powers = powers
        cols = [t**k for k in powers]
        user = None
        if exog is not None:
            user = values_of(exog)
            if user.ndim == 1:
                user = user[:, None]
            if user.ndim != 2 or user.shape[0] != n:
                raise ValueError(f"exog must have shape ({n}, k); got {np.shape(exog)}")
            if not np.all(np.isfinite(user)):
                raise ValueError("exog contains NaN or inf values")
        self.k_exog = 0 if user is None else user.shape[1]
        if is_pandas(exog):
            labels = list(exog.columns) if exog.ndim == 2 else [exog.name]
            names = [{0: "const", 1: "drift", 2: "trend.2"}[k] for k in powers] + labels
        else:
            names = ["const"] * (0 in powers)
            names += [f"x{i}" for i in range(1, self.k_trend - len(names) + self.k_exog + 1)]
        self.exog_names = names
        self._exog_in = user
        columns = cols + ([] if user is None else list(user.T))
        self.exog = np.column_stack(columns) if columns else None

    def regression_rows(self, start: int, stop: int, exog: Any = None) -> np.ndarray | None:
        """Regression columns for periods ``start..stop-1`` (past the sample the trend
        continues and the ``exog`` rows come from the argument). Shape: (stop - start, k)."""
        if self.exog is None:
            return None
        n = self.nobs
        inside = self.exog[start : min(stop, n)]
        extra = max(stop - max(start, n), 0)
        if not extra:
            return inside
        t = np.arange(max(start, n), stop, dtype=np.float64) + self.trend_offset
        cols = [t**k for k in self._trend_powers]
        if self.k_exog:
            if exog is None:
                raise ValueError(
                    "Out-of-sample operations in a model with a regression component require "
                    "additional exogenous values via the `exog` argument."
                )
            new = values_of(exog)
            new = new.reshape(-1, self.k_exog) if new.ndim < 2 else new
            if new.shape != (extra, self.k_exog):
                raise ValueError(
                    f"exog for the {extra} out-of-sample period(s) must have shape "
                    f"({extra}, {self.k_exog}); got {np.shape(exog)}"
                )
            cols += list(new.T)
        return np.r_[inside, np.column_stack(cols)]

    def __repr__(self) -> str:
        seasonal = f", seasonal_order={self.seasonal_order}" if self.s else ""
        return f"ARIMA(order={self.order}{seasonal}, trend={self.trend!r}, nobs={self.nobs})"

    # -- parameters ----------------------------------------------------------------
    def _check_params(self, params: Any, transformed: bool = True) -> np.ndarray:
        params = values_of(params).ravel()
        if params.size != self.k_params:
            raise ValueError(
                f"expected {self.k_params} parameters {self.param_names}; got {params.size}"
            )
        if not np.all(np.isfinite(params)):
            raise ValueError("parameters must be finite")
        if not transformed:
            params = constrain(self, params[None])[0]
        if params[-1] <= 0:
            raise ValueError(f"sigma2 must be positive; got {params[-1]}")
        return params.copy()

    @property
    def start_params(self) -> np.ndarray:
        """statsmodels' starting values (see :func:`gradkit.tsa._estimation.start_params`)."""
        return start_params(self, self.y)

    # -- state space ---------------------------------------------------------------
    def statespace(self, params: Any) -> StateSpace:
        """The state-space system at ``params`` (natural, in ``param_names`` order)."""
        params = np.asarray(params, dtype=np.float64)
        a, b = reduced_polynomials(self, params[None])
        return arima_statespace(
            a[0], b[0], float(params[-1]), self.d, self.diffuse_variance, self.D, self.s
        )

    def _demeaned(self, params: np.ndarray) -> np.ndarray:
        beta = params[self._slices["exog"]]
        return self.y if self.exog is None else self.y - self.exog @ beta

    def loglike(self, params: Any, transformed: bool = True) -> float:
        """Exact log-likelihood at ``params`` (order as ``param_names``)."""
        params = self._check_params(params, transformed)
        ss = self.statespace(params)
        return kalman_filter(ss, self._demeaned(params), self.loglikelihood_burn).llf

    def filter(
        self, params: Any, transformed: bool = True, cov_type: str | None = None
    ) -> ARIMAResults:
        """Results at given parameters, without estimation (statsmodels' ``filter``);
        ``cov_type`` as in :meth:`fit`, evaluated at ``params``."""
        params = self._check_params(params, transformed)
        cov_type = check_option("opg" if cov_type is None else cov_type, "cov_type", COV_TYPES)
        return ARIMAResults(self, params, "fixed", None, {}, cov_type)

    # -- estimation ----------------------------------------------------------------
    def fit(
        self,
        start_params: Any = None,
        transformed: bool = True,
        method: str | None = None,
        method_kwargs: dict | None = None,
        cov_type: str | None = None,
        return_params: bool = False,
    ) -> ARIMAResults | np.ndarray:
        """Estimate the parameters.

        Parameters
        ----------
        start_params : array_like, optional
            Starting values (default: :attr:`start_params`, statsmodels' regressions).
        transformed : bool
            Whether ``start_params`` are natural parameters (True) or statsmodels'
            unconstrained ones.
        method : {'statespace', 'mle', 'css'}, optional
            ``'statespace'`` (default, statsmodels' method): L-BFGS-B over the
            unconstrained parameters minimizing ``-log L / n`` with a forward-difference
            gradient, statsmodels' settings and stopping rules, so the estimates are
            statsmodels' -- including where its default 50 iterations and ``pgtol=1e-5``
            stop a little short of the maximum; tighten with ``method_kwargs`` (e.g.
            ``{'maxiter': 1000, 'pgtol': 1e-12, 'factr': 1.0}``), as in statsmodels.
            ``'mle'`` (gradkit's): the exact (complex-step) gradient on the rescaled
            series to ``max |g| <= 1e-9`` -- the maximum itself, fast.
            ``'css'``: conditional sum of squares of the differenced series, zero
            pre-sample errors, ``sigma2 = SSR / n_c``.
        method_kwargs : dict, optional
            ``'statespace'``: ``maxiter`` (50), ``pgtol`` (1e-5), ``factr`` (1e7), ``m``
            (10), ``epsilon`` (1e-5), ``maxfun`` (15000). ``'mle'``: ``maxiter`` (500).
        cov_type : {'opg', 'approx', 'none'}, optional
            Covariance of the estimates (``bse``, ``pvalues``, ``conf_int``), computed on
            first use: ``'opg'`` (default, as statsmodels), the inverse outer product of
            the per-observation scores; ``'approx'``, the inverse observed information
            ``[-d^2 log L / d theta^2]^{-1}`` by a numerical Hessian; ``'none'``, NaN.
            Both over all parameters, sigma2 included, in their natural form.
        return_params : bool
            Return only the estimates (an array).

        Returns
        -------
        ARIMAResults
        """
        method = check_option("statespace" if method is None else method, "method", METHODS)
        cov_type = check_option("opg" if cov_type is None else cov_type, "cov_type", COV_TYPES)
        kwargs = dict(method_kwargs or {})
        if start_params is None:
            start = self.start_params
        else:
            start = self._check_params(start_params, transformed)
        llf = None
        if method == "css":
            if kwargs:
                raise ValueError(f"method='css' takes no method_kwargs; got {sorted(kwargs)}")
            params, llf, info = fit_css(self, start)
        elif method == "mle":
            unknown = set(kwargs) - {"maxiter"}
            if unknown:
                raise ValueError(f"unknown method_kwargs {sorted(unknown)}; valid: ['maxiter']")
            params, info = fit_mle(self, start, check_int(kwargs.get("maxiter", 500), "maxiter", 1))
        else:
            params, info = fit_statespace(self, start, kwargs)
        if return_params:
            return params
        return ARIMAResults(self, params, method, llf, info, cov_type)
