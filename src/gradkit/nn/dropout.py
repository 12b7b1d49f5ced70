"""Dropout layer (concept NN-DROPOUT)."""

from __future__ import annotations

from gradkit.nn import functional as F
from gradkit.nn.module import Module
from gradkit.tensor import Tensor
from gradkit.validation import check_number


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale
    the rest by 1/(1 − p); the identity in eval mode. The keep probability is 1 − p.

    The mask comes from the global generator (``gradkit.manual_seed``).

    Shape: any; output has the input's shape.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        p = check_number(type(self).__name__, "p", p)
        if not 0.0 <= p <= 1.0:  # PyTorch's words
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=False"
