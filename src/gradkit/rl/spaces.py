"""A minimal ``Discrete`` space, so built-in environments need no Gymnasium."""

from __future__ import annotations

import numpy as np

__all__ = ["Discrete"]


class Discrete:
    """The integers ``{0, ..., n - 1}``, with Gymnasium's ``n``, ``sample`` and ``contains``."""

    def __init__(self, n: int, seed: int | None = None) -> None:
        if int(n) != n or n <= 0:
            raise ValueError(f"n must be a positive integer; got {n}")
        self.n = int(n)
        self.np_random = np.random.default_rng(seed)

    def seed(self, seed: int | None = None) -> None:
        self.np_random = np.random.default_rng(seed)

    def sample(self) -> int:
        return int(self.np_random.integers(self.n))

    def contains(self, x: object) -> bool:
        return isinstance(x, (int, np.integer)) and 0 <= int(x) < self.n

    def __repr__(self) -> str:
        return f"Discrete({self.n})"
