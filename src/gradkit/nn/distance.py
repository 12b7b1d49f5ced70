"""Distance layers with PyTorch's names: ``CosineSimilarity`` and ``PairwiseDistance``
(each a call of the functional form in ``nn.functional``)."""

from __future__ import annotations

from gradkit.nn import functional as F
from gradkit.nn.module import Module
from gradkit.tensor import Tensor


class CosineSimilarity(Module):
    """Cosine of the angle between x1 and x2 along ``dim``:
    Σ (x1 / max(‖x1‖, ε)) (x2 / max(‖x2‖, ε)).

    Shape: x1, x2 broadcastable, (*, D, *); output without ``dim``.
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x1 − x2 + ε‖_p over the last axis.

    Shape: x1, x2 broadcastable, (*, D); output (*), or (*, 1) with ``keepdim``.
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
