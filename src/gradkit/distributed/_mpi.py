"""The one place that imports mpi4py: lazily, with an error that names the extra to
install when it (or the MPI library under it) is missing."""

from __future__ import annotations

import importlib.util

_INSTALL = (
    "install the MPI extra: pip install 'gradkit[mpi]' (mpi4py with the MPICH runtime "
    "wheel), or mpi4py built against your cluster's MPI"
)


def mpi_available() -> bool:
    """Whether mpi4py can be imported (without importing it, which starts MPI)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module; importing it initializes MPI (once per process)."""
    try:
        from mpi4py import MPI
    except ImportError as exc:  # mpi4py absent, or its MPI library cannot be loaded
        raise ImportError(
            f"gradkit.distributed needs mpi4py and an MPI runtime: {_INSTALL} ({exc})"
        ) from exc
    except RuntimeError as exc:  # mpi4py present but MPI_Init failed
        raise RuntimeError(f"gradkit.distributed could not start MPI: {exc}. {_INSTALL}") from exc
    return MPI
