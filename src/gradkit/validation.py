"""Argument checks for public entry points, one per kind, with messages in the style of
scikit-learn's parameter validation: "Conv2d: `stride` must be an int >= 1, got 0".

Validate at the edge, trust inside: layers, ``fit``, optimizers, planners and the CLI
call these once on their arguments; nothing on a hot path does.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np


def _prefix(owner: str) -> str:
    return f"{owner}: " if owner else ""


def check_int(owner: str, name: str, value, low: int | None = 1, high: int | None = None) -> int:
    """``value`` as an int after checking it is an integer (not a bool, not 2.5) in
    ``[low, high]``; ``None`` bounds are open."""
    if value.__class__ is int and (low is None or value >= low) and (high is None or value <= high):
        return value  # the common case, without the numbers.Integral (abc) check
    bounds = _int_bounds(low, high)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)  # 3.0 is accepted as 3, as range() and PyTorch refuse only 2.5
        else:
            raise TypeError(f"{_prefix(owner)}`{name}` must be an int{bounds}, got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{_prefix(owner)}`{name}` must be an int{bounds}, got {value}")
    return value


def _int_bounds(low, high) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""


def check_ints(owner: str, name: str, value, n: int, low: int | None = 1) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints (a kernel size, a stride) as an ``n``-tuple."""
    if isinstance(value, Iterable) and not isinstance(value, str):
        items = tuple(value)
        if len(items) != n:
            raise ValueError(
                f"{_prefix(owner)}`{name}` must be an int or {n} ints, got {len(items)}: {value!r}"
            )
        return tuple(check_int(owner, name, v, low) for v in items)
    return (check_int(owner, name, value, low),) * n


def check_number(
    owner: str,
    name: str,
    value,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``float(value)`` after checking it is a finite real number (never NaN or
    infinity) in the interval ``[low, high]``, each end open if asked."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if not (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu"):
            raise TypeError(f"{_prefix(owner)}`{name}` must be a real number, got {value!r}")
    v = float(value)
    too_low = v <= low if low_open else v < low
    too_high = v >= high if high_open else v > high
    if not math.isfinite(v) or too_low or too_high:
        lo = "(" if low_open or low == -math.inf else "["
        hi = ")" if high_open or high == math.inf else "]"
        interval = f"{lo}{low}, {high}{hi}"
        raise ValueError(
            f"{_prefix(owner)}`{name}` must be a real number in {interval}, got {value!r}"
        )
    return v


def check_probability(owner: str, name: str, value, *, high_open: bool = False) -> float:
    """A probability in ``[0, 1]`` (``[0, 1)`` with ``high_open``, as dropout's ``p``
    where 1 would drop everything is allowed by PyTorch, but a split of 1 is not)."""
    return check_number(owner, name, value, 0.0, 1.0, high_open=high_open)


def check_option(owner: str, name: str, value, choices: Iterable):
    """``value`` if it is one of ``choices``; else an error listing the valid ones."""
    choices = tuple(choices)
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{_prefix(owner)}`{name}` must be one of {valid}; got {value!r}")
    return value


def check_finite(owner: str, name: str, array) -> np.ndarray:
    """``array`` as a NumPy array after checking it holds no NaN or infinity."""
    array = np.asarray(array)
    if array.dtype.kind in "fc" and not np.isfinite(array).all():
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(
            f"{_prefix(owner)}`{name}` contains {bad} NaN or infinite value(s); "
            "clean or impute them first"
        )
    return array
