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


class inference_mode(_GradMode):
    """``torch.inference_mode``: no graph is recorded inside. As in PyTorch,
    ``inference_mode(False)`` turns inference mode off and graph recording on for its
    block (even inside ``no_grad``). A context manager and a decorator, with or without
    parentheses.

    PyTorch also marks the tensors made inside as inference tensors and refuses them in a
    recorded op later; gradkit has no such tensors, so that later use simply works.
    """

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # @inference_mode without parentheses: mode is the function

    def __init__(self, mode: bool = True) -> None:
        self.inference = mode
        self.mode = not mode

    def __enter__(self) -> None:
        self.prev = state.enabled
        self.prev_inference = _inference.enabled
        state.enabled, _inference.enabled = self.mode, self.inference

    def __exit__(self, *exc) -> None:
        state.enabled, _inference.enabled = self.prev, self.prev_inference

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(self.inference):
                return fn(*args, **kwargs)

        return wrapper


class _Inference:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = False


_inference = _Inference()


def is_inference_mode_enabled() -> bool:
    """Whether code runs inside ``inference_mode()``."""
    return _inference.enabled
