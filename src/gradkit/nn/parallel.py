"""PyTorch's module path ``torch.nn.parallel``: :class:`DistributedDataParallel` lives in
:mod:`gradkit.distributed` (importing it does not start MPI)."""

from gradkit.distributed.ddp import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
