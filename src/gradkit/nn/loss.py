"""Loss modules (concepts L-LSE, L-LOGISTIC, L-HINGE, L-XENT, L-CCE, L-COST): thin
wrappers that store the options and call the functional forms."""

from __future__ import annotations

from gradkit.nn import functional as F
from gradkit.nn.functional._checks import check_reduction
from gradkit.nn.module import Module
from gradkit.tensor import Tensor


class _Loss(Module):
    """A loss ``L(input, target)`` reduced by ``reduction`` ("mean", "sum", "none")."""

    fn = staticmethod(F.mse_loss)

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """(x − y)², averaged by default."""

    fn = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """|x − y|, averaged by default."""

    fn = staticmethod(F.l1_loss)


class LeastSquaresLoss(_Loss):
    """½(y − z)² (concept L-LSE)."""

    fn = staticmethod(F.least_squares_loss)


class LogisticLoss(_Loss):
    """ln(1 + exp(−y z)) for y ∈ {−1, +1} (concept L-LOGISTIC)."""

    fn = staticmethod(F.logistic_loss)


class SoftMarginLoss(_Loss):
    """PyTorch's name for the logistic loss."""

    fn = staticmethod(F.soft_margin_loss)


class HingeLoss(_Loss):
    """max(0, 1 − y z) for y ∈ {−1, +1} (concept L-HINGE)."""

    fn = staticmethod(F.hinge_loss)


class SquaredHingeLoss(_Loss):
    """max(0, 1 − y z)² for y ∈ {−1, +1}."""

    fn = staticmethod(F.squared_hinge_loss)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (concept L-XENT); ``weight`` rescales each
    element."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits, stable and fused (concept L-XENT);
    ``pos_weight`` weighs the positive term of each class."""

    def __init__(
        self,
        weight: Tensor | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits against class indices or probabilities, fused with
    log-softmax (concept L-CCE); ``weight``, ``ignore_index``, ``label_smoothing`` as in
    PyTorch.

    Shape: input (N, C) or (N, C, d1, ...); target (N, d1, ...) indices or input-shaped
    probabilities.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (pair with ``LogSoftmax``)."""

    def __init__(
        self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)
