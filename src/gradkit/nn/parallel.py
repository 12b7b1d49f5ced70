"""``DistributedDataParallel`` (PyTorch's ``torch.nn.parallel``): synchronous
data-parallel training over MPI (the Horovod pattern; optional extra ``[mpi]``).

At wrap time rank 0's parameters and buffers are copied to every rank, so all replicas
start equal. Each rank then runs forward and backward on its own shard of the batch; when
the backward pass has finished, one allreduce over a flat buffer of all gradients (one per
dtype) replaces every gradient by the mean over ranks,

    g ← (1/W) Σ_r g_r,

so with the loss a mean over equal shards, every rank holds the gradient of the loss on
the combined batch and the optimizers, fed the same gradients, keep the replicas equal.

Why one flat buffer and no buckets: PyTorch buckets gradients so communication overlaps
the rest of the backward pass on another thread. A NumPy process computes on one thread,
so nothing would overlap; one message per step costs the latency once
(``benchmarks/bench_distributed.py`` measures flat against one allreduce per parameter).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from gradkit import _process_group as pg
from gradkit.autograd.function import bump, queue_callback
from gradkit.backend import xp
from gradkit.nn.module import Module
from gradkit.tensor import Tensor, is_grad_enabled


def _by_dtype(tensors) -> dict:
    groups: dict = {}
    for t in tensors:
        groups.setdefault(t._data.dtype, []).append(t)
    return groups


def broadcast_tensors(comm, tensors, src: int = 0) -> None:
    """Copy rank ``src``'s values of ``tensors`` into the same tensors on every rank:
    one broadcast of a flat buffer per dtype."""
    for dtype, group in _by_dtype(tensors).items():
        flat = xp.concatenate([t._data.reshape(-1) for t in group]) if group else None
        if flat is None or flat.size == 0:
            continue
        flat = xp.ascontiguousarray(flat, dtype=dtype)
        comm.Bcast(flat, root=src)
        if comm.Get_rank() == src:
            continue
        offset = 0
        for t in group:
            n = t._data.size
            t._data[...] = flat[offset : offset + n].reshape(t._data.shape)
            offset += n
            bump(t)


def sync_module_state(module: Module, comm, src: int = 0) -> None:
    """Give every rank rank ``src``'s parameters and buffers (after checking that every
    rank holds the same names, shapes and dtypes, so a mismatch is an error on all
    ranks rather than a hang or garbage)."""
    check_same_structure(module, comm)
    tensors = [*module.parameters(), *(b for b in module.buffers() if b is not None)]
    broadcast_tensors(comm, tensors, src)


def check_same_structure(module: Module, comm) -> None:
    mine = [
        (name, tuple(t.shape), str(t.dtype))
        for name, t in [*module.named_parameters(), *module.named_buffers()]
        if t is not None
    ]
    everyone = comm.allgather(mine)
    for rank, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            diff = next(
                ((a, b) for a, b in zip(everyone[0], theirs) if a != b),
                (f"{len(everyone[0])} tensors", f"{len(theirs)} tensors"),
            )
            raise ValueError(
                "DistributedDataParallel: the ranks hold different models: rank 0 has "
                f"{diff[0]} where rank {rank} has {diff[1]}. Build the same module on every rank."
            )


class DistributedDataParallel(Module):
    """Wrap ``module`` for synchronous data-parallel training over the process group.

    Parameters
    ----------
    module : Module
        The same architecture on every rank; rank 0's parameters and buffers are
        broadcast to the others at wrap time (``init_sync``).
    device_ids, output_device
        Must be None (or empty): gradkit computes on CPUs.
    broadcast_buffers : bool
        Copy rank 0's buffers (e.g. BatchNorm running statistics) to every rank at the
        start of each training forward pass, as PyTorch does. With
        :class:`~gradkit.distributed.SyncBatchNorm` they are already equal.
    process_group : None or ``group.WORLD``
    bucket_cap_mb, gradient_as_bucket_view, static_graph, check_reduction, dim
        Accepted for PyTorch compatibility; they tune PyTorch's buckets and do not change
        results. gradkit reduces one flat buffer per step.
    find_unused_parameters : bool
        Accepted; parameters that get no gradient on a rank always count as zero in the
        mean there, and keep ``grad`` None when no rank used them.
    init_sync : bool
        Broadcast rank 0's state at wrap time (default True).

    Notes
    -----
    Gradients are averaged when ``backward()`` reaches an output of this wrapper's
    forward; inside :meth:`no_sync` they only accumulate locally, and the first backward
    outside it averages the accumulated sums. Every rank must run the same number of
    forward/backward passes.
    """

    def __init__(
        self,
        module: Module,
        device_ids=None,
        output_device=None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group=None,
        bucket_cap_mb=None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        init_sync: bool = True,
        device_mesh=None,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel wraps an nn.Module, got {type(module).__name__}"
            )
        for name, value in (("device_ids", device_ids), ("output_device", output_device)):
            if value is not None and not (isinstance(value, list | tuple) and not value):
                raise ValueError(
                    f"DistributedDataParallel: {name}={value!r}; gradkit computes on CPUs, "
                    f"so {name} must be None"
                )
        if device_mesh is not None:
            raise ValueError("DistributedDataParallel: device_mesh is not supported; leave None")
        comm = pg.comm(process_group)
        self._comm = comm
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.require_backward_grad_sync = True
        self._params = [p for p in module.parameters() if p.requires_grad]
        if not self._params:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any "
                "parameter that requires a gradient."
            )
        self._module_buffers = [b for b in module.buffers() if b is not None]
        self._pending = False
        self._flat: dict = {}
        if init_sync:
            sync_module_state(module, comm)
        else:
            check_same_structure(module, comm)

    def forward(self, *inputs, **kwargs):
        grad_on = is_grad_enabled()
        if self.broadcast_buffers and self._module_buffers and grad_on and self.training:
            broadcast_tensors(self._comm, self._module_buffers)
        out = self.module(*inputs, **kwargs)
        if grad_on and self.require_backward_grad_sync:
            for t in _tensors_in(out):
                if t.requires_grad:
                    t.register_hook(self._on_output_grad)
        return out

    def _on_output_grad(self, grad) -> None:
        if not self._pending:
            self._pending = True
            queue_callback(self._average_gradients)

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Within this context backward passes accumulate gradients locally without
        averaging; the first backward after it averages the accumulated gradients."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def _average_gradients(self) -> None:
        """g ← (1/W) Σ_r g_r for every parameter: one in-place SUM allreduce of a flat
        buffer per dtype holding the gradients followed by one "has a gradient" flag per
        parameter (so a parameter unused on some rank counts as zero there, and one
        unused everywhere keeps ``grad`` None)."""
        self._pending = False
        comm = self._comm
        world = comm.Get_size()
        MPI = pg.mpi()
        for dtype, params in _by_dtype(self._params).items():
            sizes = [p._data.size for p in params]
            total = sum(sizes)
            flat = self._flat.get(dtype)
            if flat is None or flat.size != total + len(params):
                flat = self._flat[dtype] = xp.empty(total + len(params), dtype=dtype)
            offset = 0
            for i, (p, n) in enumerate(zip(params, sizes)):
                g = p._grad
                if g is None:
                    flat[offset : offset + n] = 0
                    flat[total + i] = 0
                else:
                    flat[offset : offset + n] = g._data.reshape(-1)
                    flat[total + i] = 1
                offset += n
            comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
            flat[:total] /= world
            offset = 0
            for i, (p, n) in enumerate(zip(params, sizes)):
                if flat[total + i] > 0:
                    mean = flat[offset : offset + n].reshape(p._data.shape)
                    g = p._grad
                    if g is None or not g._data.flags.writeable:
                        p._grad = Tensor(mean.copy())
                    else:
                        g._data[...] = mean
                offset += n

    def extra_repr(self) -> str:
        return f"world_size={self._comm.Get_size()}, broadcast_buffers={self.broadcast_buffers}"


def _tensors_in(out) -> Iterator[Tensor]:
    """The tensors inside a forward's output (a tensor, or tuples, lists, dicts of them)."""
    if isinstance(out, Tensor):
        yield out
    elif isinstance(out, tuple | list):
        for item in out:
            yield from _tensors_in(item)
    elif isinstance(out, dict):
        for item in out.values():
            yield from _tensors_in(item)
