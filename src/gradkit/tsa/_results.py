"""Results of a fitted :class:`~gradkit.tsa.ARIMA` (statsmodels' ``ARIMAResults``) and
of its predictions (statsmodels' ``PredictionResults``).

Per-parameter results (``params``, ``bse``, ``zvalues``/``tvalues``, ``pvalues``) are
pandas Series indexed by the parameter names when the model's data came as pandas,
arrays otherwise; per-period ones (``resid``, ``fittedvalues``, predictions) Series on
the data's index (forecasts on the index extended by its frequency).
"""

from __future__ import annotations

import warnings
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from gradkit.tsa._checks import ValueWarning, check_alpha
from gradkit.tsa._index import dataframe
from gradkit.tsa._inference import cov_from_information, information
from gradkit.tsa.kalman import kalman_filter

if TYPE_CHECKING:  # annotations only: arima.py imports this module
    from gradkit.tsa.arima import ARIMA

__all__ = ["ARIMAResults", "PredictionResults"]


def _z(alpha: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1.0 - check_alpha(alpha) / 2.0))


class PredictionResults:
    """In-sample predictions and forecasts with their variances (statsmodels'
    ``PredictionResults``).

    Attributes
    ----------
    predicted_mean : Series or ndarray, shape (h,)
    var_pred_mean : Series or ndarray, shape (h,)
        Prediction-error variances ``Z' P_t Z``.
    se_mean : Series or ndarray, shape (h,)
        ``sqrt(var_pred_mean)``.
    row_labels : pandas Index or None
    """

    def __init__(self, mean: np.ndarray, var: np.ndarray, labels: Any, model: ARIMA) -> None:
        self._mean, self._var = mean, var
        self.row_labels = labels
        self._ix = model._index
        self._name = model.endog_names

    @property
    def predicted_mean(self):
        return self._ix.series(self._mean, self.row_labels, "predicted_mean")

    @property
    def var_pred_mean(self):
        return self._ix.series(self._var, self.row_labels, "var_pred_mean")

    @property
    def se_mean(self):
        return self._ix.series(np.sqrt(self._var), self.row_labels, "var_pred_mean")

    def _interval(self, alpha: float) -> np.ndarray:
        z = _z(alpha)
        se = np.sqrt(self._var)
        return np.column_stack([self._mean - z * se, self._mean + z * se])

    def conf_int(self, alpha: float = 0.05):
        """Normal ``1 - alpha`` intervals ``mean -/+ z_{1-alpha/2} se``, shape (h, 2)
        (a DataFrame with columns ``lower <name>``, ``upper <name>`` for pandas data)."""
        ci = self._interval(alpha)
        return self._ix.frame(ci, self.row_labels, [f"lower {self._name}", f"upper {self._name}"])

    def summary_frame(self, alpha: float = 0.05):
        """DataFrame of ``mean``, ``mean_se``, ``mean_ci_lower``, ``mean_ci_upper``
        (needs pandas, as in statsmodels)."""
        ci = self._interval(alpha)
        values = np.column_stack([self._mean, np.sqrt(self._var), ci])
        columns = ["mean", "mean_se", "mean_ci_lower", "mean_ci_upper"]
        return dataframe(values, self.row_labels, columns, self._name)


class ARIMAResults:
    """A fitted (or filtered) ARIMA model.

    Attributes
    ----------
    params : Series or ndarray, shape (k,)
        Estimates in the order of ``param_names`` (regression, AR, MA, seasonal AR,
        seasonal MA, sigma2).
    llf : float
        Log-likelihood (exact; conditional for ``method='css'``).
    aic, bic, hqic, aicc : float
        ``-2 llf + 2 k``, ``-2 llf + k log(n_eff)``, ``-2 llf + 2 k log(log(n_eff))``,
        ``aic + 2 k (k + 1) / (n_eff - k - 1)``, with ``k`` parameters (sigma2 included)
        and ``n_eff = n - d - sD`` observations.
    resid : Series or ndarray, shape (n,)
        One-step-ahead prediction errors ``v_t`` of the Kalman filter.
    fittedvalues : Series or ndarray, shape (n,)
        One-step-ahead predictions ``y - resid``.
    bse, zvalues (alias tvalues), pvalues : Series or ndarray, shape (k,)
        ``sqrt(diag(cov_params()))``, ``params / bse``, two-sided normal p-values.
    mle_retvals : dict
        Optimizer output (``converged``, ``iterations``, ...).

    Examples
    --------
    >>> from gradkit.tsa import ARIMA
    >>> rng = np.random.default_rng(1)
    >>> y = np.convolve(rng.standard_normal(500), [1.0, 0.4])[:500]
    >>> res = ARIMA(y, order=(0, 0, 1), trend="n").fit()
    >>> lo, hi = res.conf_int(alpha=0.05)[0]                 # 95% interval for ma.L1
    >>> bool(lo < 0.4 < hi)
    True
    >>> print(res.summary())  # doctest: +ELLIPSIS
                                   SARIMAX Results...
    ma.L1 ...
    """

    def __init__(
        self,
        model: ARIMA,
        params: np.ndarray,
        method: str,
        llf: float | None,
        info: dict[str, Any],
        cov_type: str = "opg",
    ) -> None:
        self.model = model
        self.cov_type = cov_type
        self._params = params
        self.param_names = list(model.param_names)
        self.method = method
        self.mle_retvals = dict(info)
        self.converged = bool(info.get("converged", True))
        self.order, self.seasonal_order = model.order, model.seasonal_order
        self.nobs = model.nobs
        self.loglikelihood_burn = model.loglikelihood_burn
        self.nobs_effective = info.get("nobs_effective", model.nobs_effective)
        self._ss = model.statespace(params)
        self._filter = kalman_filter(self._ss, model._demeaned(params), model.loglikelihood_burn)
        self.llf = float(self._filter.llf if llf is None else llf)
        self._resid = self._filter.innovations

    def __repr__(self) -> str:
        est = ", ".join(f"{n}={v:.4g}" for n, v in zip(self.param_names, self._params))
        return f"ARIMAResults(order={self.order}, {est}, llf={self.llf:.4f})"

    # -- wrapping -------------------------------------------------------------------
    def _by_param(self, values: np.ndarray):
        return self.model._index.series(values, self.param_names)

    def _by_period(self, values: np.ndarray):
        return self.model._index.series(values, self.model._index.row_labels)

    @property
    def params(self):
        return self._by_param(self._params.copy())

    @property
    def resid(self):
        return self._by_period(self._resid.copy())

    @property
    def fittedvalues(self):
        return self._by_period(self.model.y - self._resid)

    @property
    def sigma2(self) -> float:
        return float(self._params[-1])

    # -- information criteria ---------------------------------------------------------
    @property
    def df_model(self) -> int:
        return self.model.k_params

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.df_model

    @property
    def bic(self) -> float:
        return -2.0 * self.llf + self.df_model * np.log(self.nobs_effective)

    @property
    def hqic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.df_model * np.log(np.log(self.nobs_effective))

    @property
    def aicc(self) -> float:
        k, n = self.df_model, self.nobs_effective
        return self.aic + 2.0 * k * (k + 1.0) / (n - k - 1.0)

    # -- inference --------------------------------------------------------------------
    @cached_property
    def _cov(self) -> np.ndarray:
        if self.cov_type == "none":
            return np.full((self.model.k_params,) * 2, np.nan)
        info = information(self.model, self._params, self.method, self.cov_type)
        return cov_from_information(info)

    def cov_params(self):
        """Covariance of the estimates, shape (k, k), order of ``param_names``: the inverse
        information of the ``cov_type`` (see :meth:`ARIMA.fit`; computed once, on first
        use). A DataFrame for pandas data."""
        return self.model._index.frame(self._cov.copy(), self.param_names, self.param_names)

    @property
    def _bse(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.sqrt(np.diag(self._cov))

    @property
    def bse(self):
        return self._by_param(self._bse)

    @property
    def zvalues(self):
        return self._by_param(self._params / self._bse)

    tvalues = zvalues

    @property
    def _pvalues(self) -> np.ndarray:
        from scipy.stats import norm

        return 2.0 * norm.sf(np.abs(self._params / self._bse))

    @property
    def pvalues(self):
        return self._by_param(self._pvalues)

    def conf_int(self, alpha: float = 0.05):
        """Normal ``1 - alpha`` intervals ``params -/+ z_{1-alpha/2} bse``, shape (k, 2)
        (a DataFrame with columns 0, 1 for pandas data)."""
        z = _z(alpha)
        ci = np.column_stack([self._params - z * self._bse, self._params + z * self._bse])
        return self.model._index.frame(
            ci, self.param_names, range(2)
        )  # a RangeIndex, as statsmodels

    # -- prediction -------------------------------------------------------------------
    def get_prediction(
        self, start: Any = None, end: Any = None, dynamic: Any = False, exog: Any = None
    ) -> PredictionResults:
        """In-sample predictions and out-of-sample forecasts with their variances.

        ``start``, ``end`` (inclusive; default the first and last observations): an
        integer location (past ``n - 1`` forecasts) or an index label (a date string,
        Timestamp, Period). ``dynamic``: False (one-step-ahead predictions from the
        observed data), True or an integer offset from ``start``, or a date, from which
        on the model's own predictions replace the observations.

        Recursions (Kalman filter output ``a_t, P_t``): one-step
        ``yhat_t = x_t' beta + Z' a_t``, variance ``F_t``; from the dynamic point
        (or the end of the sample) on, ``a <- T a``, ``P <- T P T' + R Q R'`` with no
        updates, ``yhat = x' beta + Z' a``, variance ``Z' P Z``. ``exog`` supplies the
        regressors of out-of-sample periods.
        """
        model = self.model
        ix = model._index
        start, end, oos, labels = ix.prediction_range(start, end)
        stop = end + oos + 1  # one past the last prediction
        t_dyn = self._dynamic_start(dynamic, start, stop - 1)
        n = self.nobs
        Z, T, RQR = self._ss.design, self._ss.transition, self._ss.state_cov
        a_all, P_all = self._filter.predicted_state, self._filter.predicted_cov
        mean = np.empty(stop - start)
        var = np.empty(stop - start)
        t0 = n if t_dyn is None else t_dyn  # first period predicted without updates
        static = np.arange(start, min(stop, t0))
        mean[: static.size] = a_all[static] @ Z
        var[: static.size] = self._filter.innovation_var[static]
        a, P = a_all[t0], P_all[t0]
        for t in range(t0, stop):
            if t >= start:
                mean[t - start] = Z @ a
                var[t - start] = Z @ P @ Z
            a = T @ a
            P = T @ P @ T.T + RQR
        X = model.regression_rows(start, stop, exog)
        if X is not None:
            mean += X @ self._params[model._slices["exog"]]
        return PredictionResults(mean, var, labels, model)

    def _dynamic_start(self, dynamic: Any, start: int, last: int) -> int | None:
        """The absolute location where dynamic prediction begins (statsmodels' rules:
        an integer is an offset from ``start``, a date an absolute position)."""
        if dynamic is False or dynamic is None:
            return None
        if dynamic is True:
            offset = 0
        elif isinstance(dynamic, (int, np.integer)):
            offset = int(dynamic)
        else:
            offset = self.model._index.location(dynamic) - start
        t = start + offset
        if t < 0:
            raise ValueError(
                "Dynamic prediction cannot begin prior to the first observation in the sample."
            )
        if t > last + 1:  # statsmodels: a start just past the last prediction is quiet
            warnings.warn(
                "Dynamic prediction specified to begin after the end of prediction, and so "
                "has no effect.",
                ValueWarning,
                stacklevel=3,
            )
            return None
        if t > self.nobs:
            warnings.warn(
                "Dynamic prediction specified to begin during out-of-sample forecasting "
                "period, and so has no effect.",
                ValueWarning,
                stacklevel=3,
            )
            return None
        return t

    def predict(self, start: Any = None, end: Any = None, dynamic: Any = False, exog: Any = None):
        """Point predictions of :meth:`get_prediction` (a Series named
        ``predicted_mean`` for pandas data)."""
        return self.get_prediction(start, end, dynamic, exog).predicted_mean

    def _forecast_end(self, steps: Any) -> Any:
        if isinstance(steps, (int, np.integer)) and not isinstance(steps, bool):
            if steps < 1:
                raise ValueError(f"steps must be a positive integer; got {steps}")
            return self.nobs + int(steps) - 1
        if isinstance(steps, (bool, float)):
            raise ValueError(f"steps must be a positive integer or a date; got {steps!r}")
        return steps

    def get_forecast(self, steps: Any = 1, exog: Any = None) -> PredictionResults:
        """Forecasts ``steps`` periods past the sample (an integer, or the last date),
        with variances and intervals (:class:`PredictionResults`)."""
        return self.get_prediction(self.nobs, self._forecast_end(steps), exog=exog)

    def forecast(self, steps: Any = 1, exog: Any = None):
        """Point forecasts for ``steps`` periods; see :meth:`get_forecast` for intervals."""
        return self.get_forecast(steps, exog).predicted_mean

    # -- diagnostics and summary --------------------------------------------------------
    @property
    def standardized_forecasts_error(self) -> np.ndarray:
        """``v_t / sqrt(F_t)``, shape (n,)."""
        return self._resid / np.sqrt(self._filter.innovation_var)

    def summary(self, alpha: float = 0.05, title: str | None = None):
        """statsmodels' summary: the model and fit statistics, one row per parameter
        (coef, std err, z, P>|z|, ``1 - alpha`` interval), residual diagnostics
        (Ljung-Box at lag 1, Jarque-Bera, heteroskedasticity, skew, kurtosis).
        ``print()`` it, or take ``.as_text()``."""
        from gradkit.tsa._summary import arima_summary

        return arima_summary(self, alpha, title)
