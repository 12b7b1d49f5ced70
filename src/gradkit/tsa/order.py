"""Automatic ARIMA order selection (TS-ORDER): ADF-chosen differencing, AIC/BIC grid."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradkit.tsa._checks import EstimationWarning, check_option, check_series
from gradkit.tsa.adf import ADFullerResult, adfuller
from gradkit.tsa.arima import ARIMA, ARIMAResults

__all__ = ["OrderSelection", "auto_arima", "select_d"]


@dataclass
class OrderSelection:
    """Outcome of :func:`auto_arima`.

    Attributes
    ----------
    order : tuple
        The chosen ``(p, d, q)``.
    result : ARIMAResults
        The chosen model, fitted.
    table : dict
        ``{(p, q): criterion}`` for every candidate fitted with the chosen ``d``.
    adf : list of ADFullerResult
        The unit-root tests on ``y, dy, d^2 y, ...`` up to the chosen ``d``.
    """

    order: tuple[int, int, int]
    result: ARIMAResults
    table: dict[tuple[int, int], float] = field(default_factory=dict)
    adf: list[ADFullerResult] = field(default_factory=list)


def select_d(y: Any, max_d: int = 2, alpha: float = 0.05) -> tuple[int, list[ADFullerResult]]:
    """Smallest ``d <= max_d`` whose ``d``-th difference rejects a unit root by the ADF test
    (constant in the regression) at level ``alpha``; ``max_d`` if none does."""
    y = check_series(y, "y")
    tests = []
    for d in range(max_d + 1):
        res = adfuller(np.diff(y, n=d), regression="c", autolag="AIC", result_object=True)
        tests.append(res)
        if res.pvalue < alpha:
            return d, tests
    return max_d, tests


def auto_arima(
    y: Any,
    *,
    max_p: int = 3,
    max_q: int = 3,
    max_d: int = 2,
    d: int | None = None,
    ic: str = "aic",
    alpha: float = 0.05,
) -> OrderSelection:
    """Choose ``(p, d, q)``: ``d`` by repeated ADF tests (:func:`select_d`), then ``p, q``
    minimizing the information criterion over the grid ``0..max_p x 0..max_q``, each
    candidate fitted by exact maximum likelihood with the default trend.

    Parameters
    ----------
    y : array_like, shape (n,)
    max_p, max_q, max_d : int
        Grid bounds.
    d : int, optional
        Fix the differencing order instead of testing.
    ic : {'aic', 'bic', 'hqic'}
    alpha : float
        ADF test level.

    Returns
    -------
    OrderSelection
    """
    y = check_series(y, "y")
    check_option(ic, "ic", ("aic", "bic", "hqic"))
    for name, v in (("max_p", max_p), ("max_q", max_q), ("max_d", max_d)):
        if int(v) != v or v < 0:
            raise ValueError(f"{name} must be a non-negative integer; got {v}")
    tests: list[ADFullerResult] = []
    if d is None:
        d, tests = select_d(y, max_d, alpha)
    table: dict[tuple[int, int], float] = {}
    best: ARIMAResults | None = None
    for p in range(max_p + 1):
        for q in range(max_q + 1):
            with warnings.catch_warnings():  # start-value fallbacks are routine in a grid
                warnings.simplefilter("ignore", EstimationWarning)
                res = ARIMA(y, order=(p, d, q)).fit()
            table[(p, q)] = float(getattr(res, ic))
            if best is None or table[(p, q)] < getattr(best, ic):
                best = res
    assert best is not None
    return OrderSelection(best.order, best, table, tests)
