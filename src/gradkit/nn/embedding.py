"""Embedding layer (concept RNN-EMBED)."""

from __future__ import annotations

from gradkit.backend import get_default_dtype, xp
from gradkit.nn import functional as F
from gradkit.nn import init
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter
from gradkit.tensor import Tensor, no_grad
from gradkit.validation import check_int


class Embedding(Module):
    """A lookup table of ``num_embeddings`` learned vectors of size ``embedding_dim``:
    y = W[idx]. Its gradient is accumulated without scatter (see ``ops.embedding``).

    Parameters
    ----------
    num_embeddings, embedding_dim : int
        Table size and vector size.
    padding_idx : int, optional
        This row starts at zero and receives no gradient.

    Attributes
    ----------
    weight : Parameter, shape (num_embeddings, embedding_dim)
        Initialized from N(0, 1), as in PyTorch.

    Shape
    -----
    Input (*) integer indices; output (*, embedding_dim).
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        dtype=None,
    ) -> None:
        super().__init__()
        num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings)
        embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim, low=0)
        if padding_idx is not None:
            padding_idx = check_int("Embedding", "padding_idx", padding_idx, low=None)
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"padding_idx {padding_idx} must be within num_embeddings={num_embeddings}"
                )
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        shape = (num_embeddings, embedding_dim)
        self.weight = Parameter(xp.empty(shape, dtype=dtype or get_default_dtype()))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight._data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s if self.padding_idx is None else s + f", padding_idx={self.padding_idx}"
