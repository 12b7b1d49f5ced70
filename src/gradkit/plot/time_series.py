"""Time-series pictures: a forecast with its intervals, and ACF / PACF correlograms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradkit.plot._core import as_array, get_ax, index_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _observed(history: Any):
    """The observed series: an array/Series, or a fitted ARIMA result's endog."""
    model = getattr(history, "model", None)
    if model is not None and hasattr(model, "endog") and hasattr(history, "get_forecast"):
        return np.asarray(model.endog, dtype=np.float64).ravel()
    return history


def forecast(
    history, mean, conf_int=None, actual=None, ax: Axes | None = None, *, alpha: float = 0.05
) -> Axes:
    """The observed series, the forecast after it, its ``1 − alpha`` interval as a band,
    and (optionally) the held-out values the forecast is judged against.

    Parameters
    ----------
    history : array_like (n,), pandas Series, or a fitted ARIMA result (its data)
    mean : array_like (h,), Series, or what ``results.get_forecast(h)`` returns (then the
        interval is its ``conf_int(alpha)`` unless ``conf_int`` is given)
    conf_int : array_like (h, 2), optional
        Lower and upper bounds.
    actual : array_like (h,), optional
        Held-out observations over the forecast horizon.

    The x axis is the pandas index when both history and forecast carry one (dates),
    else positions: history at 0..n−1, forecast at n..n+h−1.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> ax = plot.forecast(np.arange(5.0), [5.0, 6.0], conf_int=[[4.5, 5.5], [5.0, 7.0]])
    >>> ax.lines[1].get_xdata().tolist(), ax.lines[1].get_ydata().tolist()
    ([5.0, 6.0], [5.0, 6.0])
    """
    history = _observed(history)
    if hasattr(mean, "predicted_mean") and hasattr(mean, "conf_int"):
        if conf_int is None:
            conf_int = mean.conf_int(alpha=alpha)
        mean = mean.predicted_mean
    hist_index, mean_index = index_of(history), index_of(mean)
    y = as_array("forecast", "history", history, ndim=1)
    m = as_array("forecast", "mean", mean, ndim=1)
    if hist_index is not None and mean_index is not None:
        x_hist, x_fc = np.asarray(hist_index), np.asarray(mean_index)
    else:
        x_hist = np.arange(len(y), dtype=np.float64)
        x_fc = np.arange(len(y), len(y) + len(m), dtype=np.float64)
    ax = get_ax(ax, figsize=(8.0, 4.0))
    ax.plot(x_hist, y, color="C0", label="observed")
    ax.plot(x_fc, m, color="C1", label="forecast")
    if conf_int is not None:
        ci = as_array("forecast", "conf_int", conf_int, ndim=2)
        if ci.shape != (len(m), 2):
            raise ValueError(
                f"forecast: conf_int must have shape ({len(m)}, 2) (lower, upper per step), "
                f"got {ci.shape}"
            )
        level = round(100 * (1 - alpha))
        ax.fill_between(
            x_fc, ci[:, 0], ci[:, 1], color="C1", alpha=0.25, label=f"{level}% interval"
        )
    if actual is not None:
        a = as_array("forecast", "actual", actual, ndim=1)
        if len(a) != len(m):
            raise ValueError(
                f"forecast: actual has {len(a)} values but the forecast {len(m)} steps"
            )
        ax.plot(x_fc, a, color="k", linestyle="--", label="actual")
    ax.axvline(x_hist[-1], color="0.6", linewidth=0.8)
    ax.legend(loc="best")
    return ax


def _correlogram(ax, values: np.ndarray, confint: np.ndarray, title: str):
    """Stems and markers at lags 0..nlags, and the band ±(confint − value) around 0
    from lag 1 (statsmodels' ``plot_acf`` picture)."""
    lags = np.arange(len(values), dtype=np.float64)
    ax.vlines(lags, 0, values, color="C0")
    ax.plot(lags, values, "o", color="C0", markersize=4)
    ax.axhline(0.0, color="k", linewidth=0.8)
    if confint is not None:
        band = confint - values[:, None]
        ax.fill_between(lags[1:], band[1:, 0], band[1:, 1], color="C0", alpha=0.25, linewidth=0)
    ax.set_xlabel("lag")
    ax.set_title(title)
    return ax


def acf(
    x,
    nlags: int = 20,
    ax: Axes | None = None,
    *,
    alpha: float | None = 0.05,
    adjusted: bool = False,
) -> Axes:
    """Correlogram of the autocorrelations rho_k = gamma_k / gamma_0 (k = 0..nlags) with
    Bartlett's ``1 − alpha`` band, from ``gradkit.tsa.acf`` (as statsmodels'
    ``plot_acf``). ``alpha=None`` draws no band.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> ax = plot.acf(np.random.default_rng(0).standard_normal(100), nlags=5)
    >>> ax.lines[0].get_ydata()[0]
    np.float64(1.0)
    """
    from gradkit.tsa.stattools import acf as _acf

    result = _acf(x, nlags=nlags, alpha=alpha, adjusted=adjusted, result_object=True)
    return _correlogram(get_ax(ax), np.asarray(result.acf), result.confint, "Autocorrelation")


def pacf(
    x, nlags: int = 20, ax: Axes | None = None, *, alpha: float | None = 0.05, method: str = "ywm"
) -> Axes:
    """Correlogram of the partial autocorrelations (k = 0..nlags) with the ±z/√n band,
    from ``gradkit.tsa.pacf`` (default ``method='ywm'``, statsmodels' ``plot_pacf``'s).

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> ax = plot.pacf(np.random.default_rng(0).standard_normal(100), nlags=5)
    >>> len(ax.lines[0].get_ydata())
    6
    """
    from gradkit.tsa.stattools import pacf as _pacf

    result = _pacf(x, nlags=nlags, alpha=alpha, method=method, result_object=True)
    return _correlogram(
        get_ax(ax), np.asarray(result.pacf), result.confint, "Partial autocorrelation"
    )
