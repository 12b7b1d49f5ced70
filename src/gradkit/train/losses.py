"""Loss names accepted by ``Model.compile`` (Keras names, PyTorch names) and how each one
reads the model output.

Keras' ``*_crossentropy`` losses take probabilities (``from_logits=False``), as in Keras;
PyTorch's ``cross_entropy`` / ``bce_with_logits`` take logits, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gradkit.tensor import Tensor

_EPS = 1e-7


@dataclass(frozen=True)
class LossSpec:
    """A loss function plus what the accuracy metric needs to know about its inputs."""

    fn: Callable[[Tensor, Tensor], Tensor]
    kind: str  # "categorical" | "sparse" | "binary" | "regression" | "other"
    from_logits: bool


def _F():
    from gradkit.nn import functional

    return functional


def _sparse_probs(p: Tensor, y: Tensor) -> Tensor:
    return _F().nll_loss(p.clip(_EPS, 1 - _EPS).log(), y)


def _categorical_probs(p: Tensor, y: Tensor) -> Tensor:
    return -(y * p.clip(_EPS, 1 - _EPS).log()).sum(axis=-1).mean()


def _binary_probs(p: Tensor, y: Tensor) -> Tensor:
    p = p.clip(_EPS, 1 - _EPS)
    y = y.reshape(p.shape)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def _loss_table() -> dict[str, LossSpec]:
    F = _F()

    def regression(fn):
        return lambda out, y: fn(out, y.reshape(out.shape) if y.size == out.size else y)

    return {
        "mse": LossSpec(regression(F.mse_loss), "regression", False),
        "mae": LossSpec(regression(F.l1_loss), "regression", False),
        "cross_entropy": LossSpec(F.cross_entropy, "sparse", True),
        "nll": LossSpec(F.nll_loss, "sparse", True),
        "sparse_categorical_crossentropy": LossSpec(_sparse_probs, "sparse", False),
        "categorical_crossentropy": LossSpec(_categorical_probs, "categorical", False),
        "binary_crossentropy": LossSpec(_binary_probs, "binary", False),
        "bce_with_logits": LossSpec(
            lambda out, y: F.binary_cross_entropy_with_logits(out, y.reshape(out.shape)),
            "binary",
            True,
        ),
    }


ALIASES = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "crossentropy": "cross_entropy",
    "nll_loss": "nll",
    "binary_cross_entropy_with_logits": "bce_with_logits",
}


def resolve_loss(loss) -> LossSpec:
    """A loss name, an ``nn`` loss module or any callable ``(output, target) -> Tensor``."""
    if isinstance(loss, LossSpec):
        return loss
    if isinstance(loss, str):
        table = _loss_table()
        name = ALIASES.get(loss, loss)
        if name not in table:
            valid = sorted(set(table) | set(ALIASES))
            raise ValueError(f"Unknown loss {loss!r}; valid names are {valid}")
        return table[name]
    if callable(loss):
        cls = type(loss).__name__
        kind = {
            "CrossEntropyLoss": "sparse",
            "NLLLoss": "sparse",
            "BCEWithLogitsLoss": "binary",
            "BCELoss": "binary",
            "MSELoss": "regression",
            "L1Loss": "regression",
        }.get(cls, "other")
        logits = cls in ("CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss")
        return LossSpec(loss, kind, logits)
    raise TypeError(f"loss must be a name, an nn loss module or a callable, got {loss!r}")
