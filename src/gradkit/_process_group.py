"""The default process group of a data-parallel job, and the one import of mpi4py.

It sits below every package that asks "which rank am I?" (``nn.parallel``,
``nn.SyncBatchNorm``, ``data.DistributedSampler``, ``gradkit.distributed``), so none of
them imports another to find out. Importing this module does not start MPI; :func:`mpi`
does, and names the extra to install when mpi4py or its MPI library is missing.
"""

from __future__ import annotations

import importlib.util

INSTALL = (
    "install the MPI extra: pip install 'gradkit[mpi]' (mpi4py with the MPICH runtime "
    "wheel), or mpi4py built against your cluster's MPI"
)
NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
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
            f"gradkit.distributed needs mpi4py and an MPI runtime: {INSTALL} ({exc})"
        ) from exc
    except RuntimeError as exc:  # mpi4py present but MPI_Init failed
        raise RuntimeError(f"gradkit.distributed could not start MPI: {exc}. {INSTALL}") from exc
    return MPI


class World:
    """The default group (every rank), ``group.WORLD``; the only group gradkit has."""

    def __repr__(self) -> str:
        return "group.WORLD"


WORLD = World()


class _State:
    comm = None  # MPI_COMM_WORLD once init_process_group has run
    previous_hook = None  # sys.excepthook before init_process_group replaced it


state = _State()


def check_group(group) -> None:
    if group is not None and not isinstance(group, World):
        raise ValueError(
            f"group={group!r}: gradkit.distributed has only the default group of all ranks; "
            "pass group=None"
        )


def comm(group=None):
    """The communicator of ``group`` (None or ``group.WORLD``); refuses before
    ``init_process_group`` with PyTorch's message."""
    check_group(group)
    if state.comm is None:
        raise ValueError(NOT_INITIALIZED)
    return state.comm


def is_initialized() -> bool:
    return state.comm is not None
