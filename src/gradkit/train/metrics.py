"""Metrics reported by ``fit``/``evaluate``: computed on NumPy arrays, no graph."""

from __future__ import annotations

import numpy as np

from gradkit.train.losses import LossSpec


def accuracy(output: np.ndarray, target: np.ndarray, loss: LossSpec) -> float:
    """Fraction of correct predictions, reading the output the way the loss does:
    arg-max for categorical losses, a threshold (0.5 on probabilities, 0 on logits) for
    binary ones, rounding for regression outputs."""
    if loss.kind in ("sparse", "categorical") or (output.ndim > 1 and output.shape[-1] > 1):
        pred = output.argmax(axis=-1)
        truth = target.argmax(axis=-1) if target.ndim == output.ndim else target
        return float(np.mean(pred == truth.reshape(pred.shape)))
    out = output.reshape(-1)
    truth = target.reshape(-1)
    if loss.kind == "binary":
        pred = out > (0.0 if loss.from_logits else 0.5)
        return float(np.mean(pred == (truth > 0.5)))
    return float(np.mean(np.round(out) == truth))


def mean_absolute_error(output: np.ndarray, target: np.ndarray, loss: LossSpec) -> float:
    return float(np.mean(np.abs(output.reshape(-1) - target.reshape(-1))))


def mean_squared_error(output: np.ndarray, target: np.ndarray, loss: LossSpec) -> float:
    return float(np.mean((output.reshape(-1) - target.reshape(-1)) ** 2))


METRICS = {
    "accuracy": accuracy,
    "acc": accuracy,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
}


def resolve_metric(metric) -> tuple[str, callable]:
    """``(name, fn(output, target, loss_spec) -> float)`` for a name or a callable."""
    if isinstance(metric, str):
        if metric not in METRICS:
            raise ValueError(f"Unknown metric {metric!r}; valid names are {sorted(METRICS)}")
        name = "accuracy" if metric == "acc" else metric
        return name, METRICS[metric]
    if callable(metric):
        return getattr(metric, "__name__", type(metric).__name__), (
            lambda out, y, _loss: float(metric(out, y))
        )
    raise TypeError(f"metric must be a name or a callable, got {metric!r}")
