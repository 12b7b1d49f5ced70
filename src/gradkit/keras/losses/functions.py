"""Keras 3's loss functions on gradkit Tensors: each maps ``(y_true, y_pred)`` to one
value per sample (the last axis reduced), differentiable in ``y_pred``.

Formulas (ε = 1e-7, ``keras.backend.epsilon()``):

* ``mean_squared_error``: mean((t − p)²); ``mean_absolute_error``: mean|t − p|;
  ``mean_absolute_percentage_error``: 100·mean|(t − p)/max(|t|, ε)|;
  ``mean_squared_logarithmic_error``: mean((log(max(p, ε)+1) − log(max(t, ε)+1))²)
* ``binary_crossentropy``: mean(−t·log p − (1−t)·log(1−p)), p clipped to [ε, 1−ε]
  (or from logits, stably); label smoothing s: t ← t(1−s) + s/2
* ``categorical_crossentropy``: −Σ t·log(p/Σp clipped to [ε, 1−ε]) (log_softmax from
  logits); label smoothing: t ← t(1−s) + s/C
* ``sparse_categorical_crossentropy``: the same with integer (or float) class labels;
  ``ignore_class`` labels give 0 and are left out of the mean (a ``_keras_mask``)
* ``hinge``: mean(max(1 − t·p, 0)) with {0,1} labels mapped to {−1,1};
  ``squared_hinge``; ``categorical_hinge``: max(max((1−t)p) − Σtp + 1, 0)
* ``huber(δ)``: mean(½e² if |e| ≤ δ else δ|e| − ½δ²); ``log_cosh``: mean(e +
  softplus(−2e) − log 2); ``kl_divergence``: Σ t·log(t/p), both clipped to [ε, 1];
  ``poisson``: mean(p − t·log(p + ε)); ``cosine_similarity``: −Σ t̂·p̂ (L2-normalised,
  1/‖x‖ capped at 1/ε)
"""

from __future__ import annotations

import math

import numpy as np

import gradkit as gk
from gradkit.keras.src.backend import epsilon
from gradkit.nn import functional as F
from gradkit.tensor import Tensor


def as_pred(y_pred) -> Tensor:
    if isinstance(y_pred, Tensor):
        return y_pred
    array = np.asarray(y_pred)
    if array.dtype.kind != "f" or array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor(array)


def as_true(y_true, like: Tensor) -> Tensor:
    """Targets as a Tensor of ``like``'s float dtype (no gradient)."""
    if isinstance(y_true, Tensor):
        y_true = y_true.detach()
        return y_true if y_true.dtype == like.dtype else y_true.to(like.dtype)
    return Tensor(np.asarray(y_true, dtype=like.dtype))


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Squeeze or expand the last axis of one argument when ranks differ by one and
    that axis has size 1 (Keras' rule)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def _prepare(y_true, y_pred):
    y_pred = as_pred(y_pred)
    y_true = as_true(y_true, y_pred)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def _check_same_shape(name: str, y_true: Tensor, y_pred: Tensor) -> None:
    try:
        np.broadcast_shapes(tuple(y_true.shape), tuple(y_pred.shape))
    except ValueError:
        raise ValueError(
            f"{name}: y_true has shape {tuple(y_true.shape)} and y_pred has shape "
            f"{tuple(y_pred.shape)}; they must match (up to broadcasting)"
        ) from None


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_same_shape("mean_squared_error", y_true, y_pred)
    diff = y_true - y_pred
    return (diff * diff).mean(dim=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_same_shape("mean_absolute_error", y_true, y_pred)
    return (y_true - y_pred).abs().mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = ((y_true - y_pred) / gk.maximum(y_true.abs(), gk.full_like(y_true, epsilon()))).abs()
    return 100.0 * diff.mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = epsilon()
    first = (gk.maximum(y_pred, gk.full_like(y_pred, eps)) + 1.0).log()
    second = (gk.maximum(y_true, gk.full_like(y_true, eps)) + 1.0).log()
    diff = first - second
    return (diff * diff).mean(dim=-1)


def _convert_binary_labels_to_hinge(y_true: Tensor) -> Tensor:
    values = y_true._data
    if np.all((values == 0) | (values == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    y_pred = as_pred(y_pred)
    y_true = _convert_binary_labels_to_hinge(as_true(y_true, y_pred))
    return F.relu(1.0 - y_true * y_pred).mean(dim=-1)


def squared_hinge(y_true, y_pred):
    y_pred = as_pred(y_pred)
    y_true = _convert_binary_labels_to_hinge(as_true(y_true, y_pred))
    margin = F.relu(1.0 - y_true * y_pred)
    return (margin * margin).mean(dim=-1)


def categorical_hinge(y_true, y_pred):
    y_pred = as_pred(y_pred)
    y_true = as_true(y_true, y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return F.relu(neg - pos + 1.0)


def huber(y_true, y_pred, delta: float = 1.0):
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    abs_error = error.abs()
    quadratic = 0.5 * error * error
    linear = delta * abs_error - 0.5 * delta * delta
    return gk.where(abs_error <= delta, quadratic, linear).mean(dim=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - math.log(2.0)).mean(dim=-1)


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = y_true.clip(epsilon(), 1.0)
    y_pred = y_pred.clip(epsilon(), 1.0)
    return (y_true * (y_true / y_pred).log()).sum(dim=-1)


def poisson(y_true, y_pred):
    y_pred = as_pred(y_pred)
    y_true = as_true(y_true, y_pred)
    return (y_pred - y_true * (y_pred + epsilon()).log()).mean(dim=-1)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    inv_norm = 1.0 / (x * x).sum(dim=axis, keepdim=True).sqrt()
    return x * gk.minimum(inv_norm, gk.full_like(inv_norm, 1.0 / epsilon()))


def cosine_similarity(y_true, y_pred, axis: int = -1):
    y_true, y_pred = _prepare(y_true, y_pred)
    return -(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(dim=axis)


def _bce_elementwise(target: Tensor, output: Tensor, from_logits: bool) -> Tensor:
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = epsilon()
    output = output.clip(eps, 1.0 - eps)
    return -(target * output.log() + (1.0 - target) * (1.0 - output).log())


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = as_pred(y_pred)
    y_true = as_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _bce_elementwise(y_true, y_pred, from_logits).mean(dim=axis)


def _log_probs(output: Tensor, from_logits: bool, axis: int) -> Tensor:
    if from_logits:
        return F.log_softmax(output, dim=axis)
    eps = epsilon()
    output = output / output.sum(dim=axis, keepdim=True)
    return output.clip(eps, 1.0 - eps).log()


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type bool")
    y_pred = as_pred(y_pred)
    y_true = as_true(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)} "
            "(categorical_crossentropy takes one-hot targets; use "
            "sparse_categorical_crossentropy for integer class labels)"
        )
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -(y_true * _log_probs(y_pred, from_logits, axis)).sum(dim=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Cross-entropy against class labels (integers, or floats such as ``2.0``)."""
    y_pred = as_pred(y_pred)
    labels = y_true._data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    if y_pred.ndim < 1 or axis not in (-1, y_pred.ndim - 1):
        raise ValueError(
            f"sparse_categorical_crossentropy: only axis=-1 is supported, got axis={axis}"
        )
    expected = tuple(y_pred.shape[:-1])
    if tuple(labels.shape) != expected:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last "
            f"dimension: target.shape={tuple(labels.shape)}, "
            f"output.shape={tuple(y_pred.shape)}"
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError("sparse_categorical_crossentropy: labels contain NaN or infinity")
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    index = labels.astype(np.int64)
    num_classes = y_pred.shape[-1]
    if index.size and (index.min() < 0 or index.max() >= num_classes):
        bad = index[(index < 0) | (index >= num_classes)].ravel()[0]
        raise ValueError(
            f"sparse_categorical_crossentropy: label {bad} is out of range for "
            f"{num_classes} classes (labels must be in [0, {num_classes - 1}])"
        )
    log_prob = _log_probs(y_pred, from_logits, -1)
    picked = gk.take_along_dim(log_prob, Tensor(index[..., None]), dim=-1).squeeze(-1)
    res = -picked
    if valid is not None:
        res = gk.where(Tensor(valid), res, gk.zeros_like(res))
        res._keras_mask = Tensor(valid)
    return res


__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "categorical_hinge",
    "cosine_similarity", "hinge", "huber", "kl_divergence", "log_cosh",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge",
]  # fmt: skip
