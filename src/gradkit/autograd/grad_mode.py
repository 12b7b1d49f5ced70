"""Grad mode: whether ops record the graph (concept T-NOGRAD).

The switch is one module-level flag, ``state.enabled``, read by ``Function.apply`` on every
op; the context managers below set and restore it.
"""

from __future__ import annotations

import functools


class _State:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph."""
    return state.enabled


class _GradMode:
    """A context manager and decorator that sets grad mode to ``self.mode``."""

    mode = True

    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper


class no_grad(_GradMode):
    """Run without recording the graph: ``with no_grad(): ...`` or ``@no_grad()``.

    In-place ops under ``no_grad`` change storage directly (the manual SGD update
    ``p -= lr * p.grad`` of PyTorch's tutorials) and still bump version counters.
    """

    mode = False


class enable_grad(_GradMode):
    """Record the graph even inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradMode):
    """Turn graph recording on or off: a function call, a context manager or a decorator
    (as ``torch.set_grad_enabled``)."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = state.enabled
        state.enabled = self.mode

    def __enter__(self) -> None:
        state.enabled = self.mode
