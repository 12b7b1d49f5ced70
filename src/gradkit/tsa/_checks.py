"""Input validation and the warning classes shared by the time-series functions."""

from __future__ import annotations

from typing import Any

import numpy as np


class ValueWarning(UserWarning):
    """A questionable input that was accepted (statsmodels' ``ValueWarning``), e.g. an
    index that cannot be extended for forecasting."""


class ConvergenceWarning(UserWarning):
    """The optimizer stopped before its convergence test was met."""


class EstimationWarning(UserWarning):
    """Starting values or estimates fell back to a default (statsmodels'
    ``EstimationWarning``)."""


def values_of(x: Any) -> np.ndarray:
    """The values of an array, list, pandas Series or DataFrame as float64 (no copy
    when already float64)."""
    return np.asarray(getattr(x, "values", x), dtype=np.float64)


def check_series(
    y: Any,
    name: str = "y",
    min_length: int = 2,
    *,
    allow_nan: bool = False,
    nan_fix: str = "drop or impute them first",
) -> np.ndarray:
    """A 1-D float64 copy of ``y``; raises on inf, NaN (unless ``allow_nan``), wrong
    shape or too few points. ``nan_fix`` ends the NaN message with the remedy."""
    try:
        arr = values_of(y)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric 1-D series; {exc}") from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D series; got shape {arr.shape}")
    if arr.size < min_length:
        raise ValueError(f"{name} needs at least {min_length} observations; got {arr.size}")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains inf values")
    bad = np.isnan(arr)
    if bad.any() and not allow_nan:
        raise ValueError(
            f"{name} contains {int(bad.sum())} NaN value(s) (first at index "
            f"{int(np.argmax(bad))}); {nan_fix}"
        )
    return arr.copy()


def check_option(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid choices: {', '.join(choices)}")
    return value


def check_int(value: Any, name: str, minimum: int = 0) -> int:
    """``value`` as an int ``>= minimum``; bools and non-integral numbers are rejected."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def check_alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)):
        raise ValueError(f"alpha must be a number in (0, 1); got {alpha!r}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1); got {alpha}")
    return float(alpha)
