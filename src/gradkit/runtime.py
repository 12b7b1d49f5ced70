"""Process-level calls of PyTorch programs with nothing to change in gradkit, kept so
that such programs run unchanged: ``torch.compile`` (there is no compiler: the model or
function comes back as it is and computes the same), ``torch.use_deterministic_algorithms``
(every gradkit op is already deterministic), ``torch.is_tensor`` and ``torch.numel``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gradkit.tensor import Tensor


class _Deterministic:
    __slots__ = ("enabled", "warn_only")

    def __init__(self) -> None:
        self.enabled = False
        self.warn_only = False


_deterministic = _Deterministic()


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the request (read back by :func:`are_deterministic_algorithms_enabled`).
    gradkit's ops are deterministic whatever it says: NumPy on the CPU, no atomics."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms expects a bool, got {type(mode).__name__}")
    _deterministic.enabled, _deterministic.warn_only = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic.enabled


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic.warn_only


def compile(model: Callable | None = None, **options: Any) -> Any:  # noqa: A001
    """``torch.compile``: returns ``model`` itself (or, called without one, a decorator
    that does); the options (``mode``, ``fullgraph``, ``backend``, ...) are accepted and
    change nothing, since gradkit has no graph compiler."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"compile expects a Module or a function, got {type(model).__name__}")
    return model


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a gradkit tensor (``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002
    """The number of elements of ``input`` (``torch.numel``)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input.numel()
