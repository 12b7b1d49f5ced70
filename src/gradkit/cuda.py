"""``torch.cuda`` for the NumPy backend: there is no CUDA GPU, and programs that probe
for one (``device = "cuda" if torch.cuda.is_available() else "cpu"``) pick the CPU.

The probes answer (``is_available()`` False, ``device_count()`` 0); seeding is a no-op,
as PyTorch's is without a GPU, so ``torch.cuda.manual_seed_all(seed)`` in a program's
setup runs; asking for a GPU itself (``current_device()``, ``get_device_name()``,
``set_device()``, ``synchronize()``) raises :class:`CudaUnavailableError`.
"""

from __future__ import annotations


class CudaUnavailableError(RuntimeError):
    """A CUDA GPU was asked for; this gradkit computes with NumPy on the CPU."""


def _no_cuda(what: str) -> CudaUnavailableError:
    return CudaUnavailableError(
        f"torch.cuda.{what}: no CUDA GPU is available; this gradkit build computes with "
        "NumPy on the CPU. Guard GPU code with gradkit.cuda.is_available() and use "
        "device='cpu'."
    )


def is_available() -> bool:
    """Whether a CUDA GPU can be used: never with the NumPy backend."""
    return False


def device_count() -> int:
    """The number of CUDA GPUs: 0."""
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Seed the current GPU's generator: a no-op without a GPU (as in PyTorch)."""


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator: a no-op without a GPU (as in PyTorch)."""


def seed() -> None:
    """A no-op without a GPU (as in PyTorch)."""


def seed_all() -> None:
    """A no-op without a GPU (as in PyTorch)."""


def empty_cache() -> None:
    """Release cached GPU memory: nothing to release (a no-op, as in PyTorch without one)."""


def current_device() -> int:
    raise _no_cuda("current_device()")


def get_device_name(device=None) -> str:
    raise _no_cuda("get_device_name()")


def get_device_properties(device=None):
    raise _no_cuda("get_device_properties()")


def set_device(device) -> None:
    raise _no_cuda("set_device()")


def synchronize(device=None) -> None:
    raise _no_cuda("synchronize()")
