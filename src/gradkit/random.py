"""The global random generator for deep learning (``gradkit.manual_seed``)."""

from __future__ import annotations

from gradkit.backend import xp

_generator = xp.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator behind ``randn``, ``rand``, layer initialization and dropout."""
    global _generator
    _generator = xp.random.default_rng(seed)


def default_generator():
    """The current global ``numpy.random.Generator``."""
    return _generator
