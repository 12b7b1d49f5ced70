"""Looking inside a network while it trains (concepts NN-VANISH, NN-DYING-RELU)."""

from __future__ import annotations

from gradkit.backend import xp
from gradkit.tensor import Tensor


def grad_norms(module, *, weights_only: bool = True) -> dict[str, float]:
    """‖∂L/∂θ‖₂ for each parameter after ``backward()``, keyed by parameter name, in the
    order of the layers: the per-layer view in which vanishing (norms shrinking toward
    the input) and exploding gradients show up.

    Parameters with no gradient are left out; ``weights_only`` skips 1-D parameters
    (biases, norm scales).
    """
    norms = {}
    for name, p in module.named_parameters():
        if p.grad is None or (weights_only and p.ndim < 2):
            continue
        norms[name] = float(xp.sqrt((p.grad._data.astype(xp.float64) ** 2).sum()))
    return norms


def dead_unit_fraction(pre_activations: Tensor, *, axis: int = 0) -> float:
    """Fraction of units whose pre-activation is ≤ 0 for every sample along ``axis``: a
    ReLU unit like that outputs 0 and gets zero gradient on the whole batch (it is
    "dead"). Shape: (N, units) → the fraction over units."""
    z = pre_activations._data if isinstance(pre_activations, Tensor) else pre_activations
    return float((z <= 0).all(axis=axis).mean())
