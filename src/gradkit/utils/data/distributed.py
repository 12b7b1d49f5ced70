"""PyTorch's module path ``torch.utils.data.distributed``."""

from gradkit.data.distributed import DistributedSampler

__all__ = ["DistributedSampler"]
