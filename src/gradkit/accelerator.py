"""``torch.accelerator`` for the NumPy backend: there is none, so programs that probe for
one (``device = acc.type if torch.accelerator.is_available() else "cpu"``) pick the CPU."""

from __future__ import annotations


def is_available() -> bool:
    """Whether an accelerator can be used: never with the NumPy backend."""
    return False


def current_accelerator(check_available: bool = False):
    """The accelerator device, or None (there is none)."""
    return None


def device_count() -> int:
    return 0
