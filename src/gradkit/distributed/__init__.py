"""Data-parallel training over MPI with ``torch.distributed``'s names (optional extra
``[mpi]``: mpi4py and the MPICH runtime wheel).

Run a script on N processes with ``mpiexec -n N python script.py`` or ``gradkit launch
-n N script.py``; in it::

    import gradkit.distributed as dist
    from gradkit.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group()                 # ranks and world size come from MPI
    model = DDP(net)                          # rank 0's weights go to every rank
    sampler = DistributedSampler(dataset)     # each rank reads its own shard
    loss.backward()                           # gradients come out averaged over ranks

``import gradkit.distributed`` does not start MPI; :func:`init_process_group` does, and
says which extra to install when mpi4py or its MPI library is missing.
"""

from gradkit.data.distributed import DistributedSampler
from gradkit.distributed.collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)
from gradkit.nn.parallel import DistributedDataParallel
from gradkit.nn.sync_batchnorm import SyncBatchNorm

__all__ = [
    "DistributedDataParallel", "DistributedSampler", "ReduceOp", "SyncBatchNorm", "Work",
    "all_gather", "all_gather_object", "all_reduce", "barrier", "broadcast",
    "broadcast_object_list", "destroy_process_group", "get_backend", "get_rank",
    "get_world_size", "group", "init_process_group", "is_available", "is_initialized",
    "is_mpi_available",
]  # fmt: skip
