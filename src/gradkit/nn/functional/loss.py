"""Loss functions (concepts L-LSE, L-LOGISTIC, L-HINGE, L-XENT, L-CCE, L-COST, NN-L1L2).

Every loss takes ``reduction`` in ``"mean"`` (default), ``"sum"`` (the cost
J = Σ_i L_i) or ``"none"`` (per-element losses).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from gradkit.nn.functional._checks import (
    as_tensor,
    check_reduction,
    check_same_shape,
    constant,
)
from gradkit.ops import loss as _loss
from gradkit.ops.activation import Softplus
from gradkit.ops.elementwise import relu
from gradkit.tensor import Tensor

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss",
    "l1_loss", "l1_penalty", "l2_penalty", "least_squares_loss", "logistic_loss", "mse_loss",
    "nll_loss", "soft_margin_loss", "squared_hinge_loss",
]  # fmt: skip


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _pair(name: str, input, target, reduction: str) -> tuple[Tensor, Tensor]:  # noqa: A002
    check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    check_same_shape(name, input, target)
    if target.dtype.kind == "c":
        raise TypeError(f"{name}: target must be real, got dtype {target.dtype}")
    if target.dtype != input.dtype:
        target = target.astype(input.dtype)
    return input, target


def mse_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: L = (x − y)²."""
    input, target = _pair("mse_loss", input, target, reduction)
    diff = input - target
    return _reduce(diff * diff, reduction)


def least_squares_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Least squared error (concept L-LSE): L = ½(y − z)², half the squared error."""
    input, target = _pair("least_squares_loss", input, target, reduction)
    diff = input - target
    return _reduce(diff * diff * 0.5, reduction)


def l1_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error: L = |x − y|."""
    input, target = _pair("l1_loss", input, target, reduction)
    return _reduce((input - target).abs(), reduction)


def _check_signs(name: str, target: Tensor) -> None:
    values = target._data
    if values.size and not ((values == 1) | (values == -1)).all():
        raise ValueError(f"{name}: targets must be -1 or +1")


def _log1p_exp(z: Tensor) -> Tensor:
    """ln(1 + eᶻ) exactly, without overflow: softplus with no linear cut-off (PyTorch's
    soft_margin_loss has none either)."""
    return Softplus.apply(z, threshold=math.inf)


def logistic_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Logistic loss for labels y ∈ {−1, +1} (concept L-LOGISTIC):
    L = ln(1 + exp(−y z)), evaluated as softplus(−y z) so it never overflows."""
    input, target = _pair("logistic_loss", input, target, reduction)
    _check_signs("logistic_loss", target)
    return _reduce(_log1p_exp(-(target * input)), reduction)


def soft_margin_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """PyTorch's name for the logistic loss ln(1 + exp(−y x))."""
    input, target = _pair("soft_margin_loss", input, target, reduction)
    return _reduce(_log1p_exp(-(target * input)), reduction)


def hinge_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Hinge loss for y ∈ {−1, +1} (concept L-HINGE): L = max(0, 1 − y z)."""
    input, target = _pair("hinge_loss", input, target, reduction)
    _check_signs("hinge_loss", target)
    return _reduce(relu(1.0 - target * input), reduction)


def squared_hinge_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Squared hinge loss for y ∈ {−1, +1}: L = max(0, 1 − y z)²."""
    input, target = _pair("squared_hinge_loss", input, target, reduction)
    _check_signs("squared_hinge_loss", target)
    margin = relu(1.0 - target * input)
    return _reduce(margin * margin, reduction)


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Binary cross-entropy of probabilities (concept L-XENT):
    L = −w [y ln x + (1 − y) ln(1 − x)], logs clamped at −100 as in PyTorch.
    Prefer :func:`binary_cross_entropy_with_logits`, which is stable."""
    input, target = _pair("binary_cross_entropy", input, target, reduction)
    x = input._data
    if x.size and ((x < 0) | (x > 1)).any():
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 "
            "(pass logits to binary_cross_entropy_with_logits instead)"
        )
    w = constant(weight, input, "weight")
    _check_broadcast("binary_cross_entropy", "weight", w, input)
    return _loss.BinaryCrossEntropy.apply(input, target, weight=w, reduction=reduction)


def binary_cross_entropy_with_logits(
    input,  # noqa: A002
    target,
    weight=None,
    reduction: str = "mean",
    pos_weight=None,
) -> Tensor:
    """Binary cross-entropy from logits, computed stably in one fused op (L-XENT):
    L = w [(1 − y) x + (1 + (p − 1) y) ln(1 + e^{−x})] with p = ``pos_weight``
    (broadcast along the last axis; p > 1 raises recall)."""
    input, target = _pair("binary_cross_entropy_with_logits", input, target, reduction)
    w = constant(weight, input, "weight")
    pw = constant(pos_weight, input, "pos_weight")
    _check_broadcast("binary_cross_entropy_with_logits", "weight", w, input)
    _check_broadcast("binary_cross_entropy_with_logits", "pos_weight", pw, input)
    return _loss.BCEWithLogits.apply(input, target, weight=w, pos_weight=pw, reduction=reduction)


def _check_broadcast(name: str, what: str, array, input: Tensor) -> None:
    if array is None:
        return
    ndim = max(array.ndim, input.ndim)
    a = (1,) * (ndim - array.ndim) + array.shape
    b = (1,) * (ndim - input.ndim) + input.shape
    if any(m not in (1, n) for m, n in zip(a, b)) or array.ndim > input.ndim:
        raise ValueError(
            f"{name}: {what} of shape {tuple(array.shape)} does not broadcast to the input "
            f"shape {tuple(input.shape)}"
        )


def _class_targets(name: str, input: Tensor, target: Tensor, ignore_index: int):
    """Check integer class targets against input (C,), (N, C) or (N, C, d...)."""
    if input.ndim == 0:
        raise ValueError(f"{name}: input needs a class axis, got a 0-d tensor")
    expected = () if input.ndim == 1 else input.shape[:1] + input.shape[2:]
    if target.shape != expected:
        raise ValueError(
            f"{name}: input shape {tuple(input.shape)} needs class-index target of shape "
            f"{expected}, got target shape {tuple(target.shape)}"
        )
    classes = input.shape[0] if input.ndim == 1 else input.shape[1]
    t = target._data
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(
            f"{name}: target {int(t[bad].flat[0])} is out of bounds for {classes} classes "
            f"(valid: 0..{classes - 1}, or ignore_index={ignore_index})"
        )
    return classes


def cross_entropy(
    input,  # noqa: A002
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits, fused with log-softmax for stability (concept L-CCE):
    L_i = −Σ_c q_ic log softmax(x_i)_c, where q_i is the one-hot of the class index y_i
    or the given class probabilities, smoothed by ``label_smoothing`` ε to
    (1 − ε) q + ε/C and weighted by ``weight``.

    Shape: input (N, C) or (N, C, d1, ...) or (C,); target class indices (N, d1, ...)
    or probabilities of the input's shape; output scalar or, with "none", (N, d1, ...).
    """
    check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    if target.dtype.kind == "f":
        check_same_shape("cross_entropy (class probabilities)", input, target)
        classes = input.shape[0] if input.ndim == 1 else input.shape[1]
        w = constant(weight, input, "weight", (classes,))
        target = target.astype(input.dtype)
        return _loss.SoftCrossEntropy.apply(
            input, target, weight=w, label_smoothing=label_smoothing, reduction=reduction
        )
    if target.dtype.kind not in "iu":
        raise TypeError(
            "cross_entropy: target must be integer classes or float probabilities, "
            f"got {target.dtype}"
        )
    classes = _class_targets("cross_entropy", input, target, ignore_index)
    w = constant(weight, input, "weight", (classes,))
    return _loss.CrossEntropy.apply(
        input,
        target=target._data,
        weight=w,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
        reduction=reduction,
    )


def nll_loss(
    input,  # noqa: A002
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities: L_i = −w_{y_i} input[i, y_i].

    Shape: input (N, C) or (N, C, d1, ...) or (C,); target (N, d1, ...) integers.
    """
    check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold integer class indices, got {target.dtype}")
    classes = _class_targets("nll_loss", input, target, ignore_index)
    w = constant(weight, input, "weight", (classes,))
    return _loss.NLLLoss.apply(
        input, target=target._data, weight=w, ignore_index=ignore_index, reduction=reduction
    )


def l1_penalty(params: Iterable[Tensor]) -> Tensor:
    """L1 (lasso) penalty Σ_p Σ |p| over the given parameters (concept NN-L1L2)."""
    total = None
    for p in params:
        term = p.abs().sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l1_penalty: got no parameters")
    return total


def l2_penalty(params: Iterable[Tensor]) -> Tensor:
    """L2 (ridge) penalty Σ_p Σ p² over the given parameters (concept NN-L1L2); add
    ``λ/2 · l2_penalty(...)`` to a loss to get weight decay λ under plain SGD."""
    total = None
    for p in params:
        term = (p * p).sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l2_penalty: got no parameters")
    return total
