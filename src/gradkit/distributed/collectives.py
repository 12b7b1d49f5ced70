"""The process group and the collectives on tensors, with ``torch.distributed``'s names and
in-place semantics, carried by MPI (mpi4py).

Every rank of an MPI job (``mpiexec -n N python script.py``, or ``gradkit launch -n N
script.py``) calls :func:`init_process_group` once; ranks and the world size come from the
MPI environment, so there is no rendezvous address to set up. Collectives are blocking and
must be called by every rank in the same order; ``async_op=True`` returns a completed
handle whose ``wait()`` returns at once.

Failure: after ``init_process_group`` in a job of more than one rank, an exception that
nobody catches prints its traceback (with the rank) and calls ``MPI_Abort``, which ends
every rank of the job with a non-zero exit instead of leaving the others waiting forever
inside a collective.
"""

from __future__ import annotations

import enum
import sys
import traceback

from gradkit import _process_group as pg
from gradkit._process_group import mpi
from gradkit.autograd.function import bump
from gradkit.backend import xp
from gradkit.tensor import Tensor

__all__ = [
    "ReduceOp", "Work", "all_gather", "all_gather_object", "all_reduce", "barrier",
    "broadcast", "broadcast_object_list", "destroy_process_group", "get_backend",
    "get_rank", "get_world_size", "group", "init_process_group", "is_available",
    "is_initialized", "is_mpi_available",
]  # fmt: skip

_BACKENDS = ("mpi", "gloo")  # gloo: PyTorch's CPU backend; the same sums travel over MPI


class ReduceOp(enum.Enum):
    """How :func:`all_reduce` combines the ranks' tensors (``AVG``: the sum divided by
    the world size, floating-point tensors only)."""

    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


class group:  # noqa: N801 - torch.distributed.group
    WORLD = pg.WORLD


class Work:
    """The handle an ``async_op=True`` collective returns; the operation has already
    completed, so ``wait()`` returns True at once."""

    def wait(self, timeout=None) -> bool:
        return True

    def is_completed(self) -> bool:
        return True

    def is_success(self) -> bool:
        return True


def is_available() -> bool:
    """Whether the distributed package can run here: mpi4py is installed."""
    return pg.mpi_available()


is_mpi_available = is_available


def is_initialized() -> bool:
    """Whether :func:`init_process_group` has been called (and not destroyed since)."""
    return pg.is_initialized()


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout=None,
    world_size: int = -1,
    rank: int = -1,
    store=None,
    group_name: str = "",
    pg_options=None,
    device_id=None,
) -> None:
    """Join the job's process group: every rank of ``MPI_COMM_WORLD``.

    Parameters
    ----------
    backend : {None, "mpi", "gloo"}
        ``"gloo"`` (PyTorch's CPU backend) is accepted so PyTorch CPU scripts run
        unchanged: the same reductions travel over MPI. GPU backends (``"nccl"``) are
        refused.
    init_method : None or ``"env://..."``
        MPI's launcher does the rendezvous; other methods are refused.
    timeout : datetime.timedelta, optional
        Accepted for PyTorch compatibility; MPI collectives have no timeout. A rank that
        fails aborts the whole job instead (see the module docstring).
    world_size, rank : int
        When given (not -1) they must equal the MPI job's; ranks come from ``mpiexec``.
    store, pg_options, device_id
        Must be None: there is no TCP store and no device to bind.
    """
    if pg.state.comm is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = "mpi" if backend is None else str(backend).lower()
    if name not in _BACKENDS:
        raise ValueError(
            f"init_process_group: backend {backend!r} is not available; gradkit runs on CPUs "
            f"over MPI: use backend='mpi' (or 'gloo', PyTorch's CPU backend, or None)"
        )
    if init_method is not None and not str(init_method).startswith("env://"):
        raise ValueError(
            f"init_process_group: init_method={init_method!r} is not supported: the MPI "
            "launcher (mpiexec, or gradkit launch) connects the ranks; leave it None"
        )
    for arg, value in (("store", store), ("pg_options", pg_options), ("device_id", device_id)):
        if value is not None:
            raise ValueError(
                f"init_process_group: {arg}={value!r} is not supported over MPI; leave it None"
            )
    comm = mpi().COMM_WORLD
    for arg, value, actual in (("world_size", world_size, comm.Get_size()),
                               ("rank", rank, comm.Get_rank())):  # fmt: skip
        if value is not None and value != -1 and value != actual:
            raise ValueError(
                f"init_process_group: {arg}={value} but the MPI job has {arg} {actual}; "
                f"the launcher decides it (mpiexec -n N): leave {arg} at -1"
            )
    pg.state.comm = comm
    if comm.Get_size() > 1:
        pg.state.previous_hook = sys.excepthook
        sys.excepthook = _abort_on_uncaught
    return None


def _abort_on_uncaught(exc_type, exc, tb) -> None:
    """Print the traceback with the rank, then end every rank of the job (MPI_Abort)."""
    comm = pg.state.comm or mpi().COMM_WORLD
    abort_job(comm, "".join(traceback.format_exception(exc_type, exc, tb)))


def abort_job(comm, message: str, code: int = 1) -> None:
    """Write ``message`` to stderr headed by the rank, flush, and abort the MPI job."""
    rank, size = comm.Get_rank(), comm.Get_size()
    sys.stdout.flush()
    sys.stderr.write(
        f"gradkit.distributed: rank {rank} of {size} failed; aborting the job\n{message}"
    )
    sys.stderr.flush()
    comm.Abort(code)


def destroy_process_group(group=None) -> None:
    """Leave the process group (MPI itself is finalized when the process exits)."""
    pg.comm(group)
    if sys.excepthook is _abort_on_uncaught:
        sys.excepthook = pg.state.previous_hook or sys.__excepthook__
    pg.state.comm = None


def get_backend(group=None) -> str:
    pg.comm(group)
    return "mpi"


def get_rank(group=None) -> int:
    """This process's rank, 0 .. world_size - 1."""
    return pg.comm(group).Get_rank()


def get_world_size(group=None) -> int:
    """The number of processes in the job."""
    return pg.comm(group).Get_size()


def _done(async_op: bool):
    return Work() if async_op else None


def barrier(group=None, async_op: bool = False, device_ids=None):
    """Wait until every rank has reached this call."""
    pg.comm(group).Barrier()
    return _done(async_op)


def _tensor_buffer(tensor, where: str):
    """A C-contiguous writable array with ``tensor``'s values (the tensor's own storage
    when that already is one)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(tensor).__name__}")
    data = tensor._data
    if data.flags.c_contiguous and data.flags.writeable:
        return data
    return xp.ascontiguousarray(data)


def _write_back(tensor: Tensor, buf) -> None:
    if buf is not tensor._data:
        tensor._data[...] = buf
    bump(tensor)


def _mpi_op(op, where: str, dtype):
    MPI = mpi()
    if not isinstance(op, ReduceOp):
        raise ValueError(f"{where}: op must be a ReduceOp (e.g. ReduceOp.SUM), got {op!r}")
    if op is ReduceOp.AVG and dtype.kind not in "fc":
        raise TypeError(f"{where}: ReduceOp.AVG needs a floating-point tensor, got {dtype}")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and dtype.kind not in "biu":
        raise TypeError(f"{where}: {op} needs an integer or bool tensor, got {dtype}")
    return {
        ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
        ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
        ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR,
    }[op]  # fmt: skip


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group=None, async_op: bool = False):
    """Combine ``tensor`` across ranks with ``op``, in place on every rank.

    For SUM: tensor ← Σ_r tensor_r; AVG: (1/W) Σ_r tensor_r; MIN/MAX/PRODUCT elementwise.
    """
    comm = pg.comm(group)
    buf = _tensor_buffer(tensor, "all_reduce")
    mpi_op = _mpi_op(op, "all_reduce", buf.dtype)
    comm.Allreduce(mpi().IN_PLACE, buf, op=mpi_op)
    if op is ReduceOp.AVG:
        buf /= comm.Get_size()
    _write_back(tensor, buf)
    return _done(async_op)


def _check_rank(comm, value: int, name: str, where: str) -> int:
    size = comm.Get_size()
    if isinstance(value, bool) or not isinstance(value, int | xp.integer) or not 0 <= value < size:
        raise ValueError(f"{where}: {name}={value!r} is not a rank of this job (0..{size - 1})")
    return int(value)


def broadcast(tensor: Tensor, src: int = 0, group=None, async_op: bool = False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank (in place)."""
    comm = pg.comm(group)
    src = _check_rank(comm, src, "src", "broadcast")
    buf = _tensor_buffer(tensor, "broadcast")
    comm.Bcast(buf, root=src)
    if comm.Get_rank() != src:
        _write_back(tensor, buf)
    return _done(async_op)


def all_gather(tensor_list: list, tensor: Tensor, group=None, async_op: bool = False):
    """Fill ``tensor_list[r]`` (in place) with rank r's ``tensor``, on every rank.

    Shape: ``tensor_list`` holds world_size tensors of ``tensor``'s shape and dtype.
    """
    comm = pg.comm(group)
    size = comm.Get_size()
    if not isinstance(tensor_list, list) or len(tensor_list) != size:
        raise ValueError(
            f"all_gather: tensor_list must be a list of {size} tensors (one per rank), got "
            f"{len(tensor_list) if isinstance(tensor_list, list) else type(tensor_list).__name__}"
        )
    send = _tensor_buffer(tensor, "all_gather")
    for i, t in enumerate(tensor_list):
        if not isinstance(t, Tensor) or t.shape != tensor.shape or t.dtype != tensor.dtype:
            raise ValueError(
                f"all_gather: tensor_list[{i}] must be a Tensor of shape {tuple(tensor.shape)} "
                f"and dtype {tensor.dtype}, like the input"
            )
    recv = xp.empty((size, *send.shape), dtype=send.dtype)
    comm.Allgather(send, recv)
    for t, part in zip(tensor_list, recv):
        t._data[...] = part
        bump(t)
    return _done(async_op)


def broadcast_object_list(object_list: list, src: int = 0, group=None, device=None) -> None:
    """Replace the items of ``object_list`` on every rank by rank ``src``'s (pickled)."""
    comm = pg.comm(group)
    src = _check_rank(comm, src, "src", "broadcast_object_list")
    if not isinstance(object_list, list):
        raise TypeError(f"broadcast_object_list: expected a list, got {type(object_list).__name__}")
    received = comm.bcast(object_list if comm.Get_rank() == src else None, root=src)
    if len(received) != len(object_list):
        raise ValueError(
            f"broadcast_object_list: rank {src} sent {len(received)} objects but this rank's "
            f"list holds {len(object_list)}; every rank must pass a list of the same length"
        )
    object_list[:] = received


def all_gather_object(object_list: list, obj, group=None) -> None:
    """Fill ``object_list`` (of world_size items) with every rank's ``obj``, in rank order."""
    comm = pg.comm(group)
    size = comm.Get_size()
    if not isinstance(object_list, list) or len(object_list) != size:
        raise ValueError(f"all_gather_object: object_list must be a list of {size} items")
    object_list[:] = comm.allgather(obj)
