"""Decay schedules for exploration rates and learning rates, indexed by episode."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

from gradkit.validation import check_number

__all__ = ["Constant", "ExponentialDecay", "LinearDecay", "as_schedule"]


@dataclass(frozen=True)
class Constant:
    """``value(k) = value``."""

    value: float

    def __call__(self, episode: int) -> float:
        return self.value


@dataclass(frozen=True)
class ExponentialDecay:
    """``value(k) = end + (start - end) * decay**k`` for episode ``k = 0, 1, ...``."""

    start: float
    end: float
    decay: float

    def __post_init__(self) -> None:
        if not 0.0 < self.decay <= 1.0:
            raise ValueError(f"decay must lie in (0, 1]; got {self.decay}")

    def __call__(self, episode: int) -> float:
        return self.end + (self.start - self.end) * self.decay**episode


@dataclass(frozen=True)
class LinearDecay:
    """``value(k) = start + (end - start) * min(k / steps, 1)``."""

    start: float
    end: float
    steps: int

    def __post_init__(self) -> None:
        if self.steps <= 0:
            raise ValueError(f"steps must be positive; got {self.steps}")

    def __call__(self, episode: int) -> float:
        return self.start + (self.end - self.start) * min(episode / self.steps, 1.0)


def as_schedule(
    value: float | Callable[[int], float], name: str, *, low_open: bool = False
) -> Callable[[int], float]:
    """A float in [0, 1] (``(0, 1]`` with ``low_open``) becomes :class:`Constant`; a
    callable ``f(episode) -> float`` is kept."""
    if callable(value):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a float or a callable episode -> float, got {value!r}")
    return Constant(check_number("", name, value, 0.0, 1.0, low_open=low_open))
