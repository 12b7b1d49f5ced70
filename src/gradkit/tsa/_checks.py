"""Input validation shared by the time-series functions."""

from __future__ import annotations

from typing import Any

import numpy as np


def check_series(y: Any, name: str = "y", min_length: int = 2) -> np.ndarray:
    """A 1-D float64 copy of ``y``; raises on NaN/inf, wrong shape or too few points."""
    arr = np.asarray(getattr(y, "values", y), dtype=np.float64)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D series; got shape {arr.shape}")
    if arr.size < min_length:
        raise ValueError(f"{name} needs at least {min_length} observations; got {arr.size}")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(
            f"{name} contains {int(bad.sum())} NaN/inf value(s) (first at index "
            f"{int(np.argmax(bad))}); drop or impute them first"
        )
    return arr.copy()


def check_option(value: str, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid choices: {', '.join(choices)}")
    return value
