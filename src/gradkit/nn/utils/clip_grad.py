"""Gradient clipping against exploding gradients (concept NN-EXPLODE)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from gradkit.backend import xp
from gradkit.tensor import Tensor
from gradkit.validation import check_number


def _grads(parameters: Tensor | Iterable[Tensor]) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad._data for p in parameters if p.grad is not None]


def _vector_norm(a, p: float):
    """``‖a‖_p`` over all entries, in ``a``'s dtype (``p = inf``: the largest |a|)."""
    if p == math.inf:
        return xp.max(xp.abs(a)) if a.size else xp.zeros((), a.dtype)
    if p == -math.inf:
        return xp.min(xp.abs(a)) if a.size else xp.zeros((), a.dtype)
    if p == 0:
        return xp.asarray(xp.count_nonzero(a), dtype=a.dtype)
    if p == 2:
        flat = a.reshape(-1)
        return xp.sqrt(xp.dot(flat, flat))
    return xp.sum(xp.abs(a) ** p) ** (1.0 / p)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    r"""Rescale the gradients in place so their joint norm is at most ``max_norm``.

    The joint norm treats all gradients as one vector (the norm of the per-tensor
    norms); every gradient is multiplied by::

        c = min(1, max_norm / (‖(‖g₁‖_p, …, ‖g_k‖_p)‖_p + 1e-6))

    so the direction of the update is kept and only its length is capped
    (concept NN-EXPLODE).

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` is clipped (those without a gradient are skipped).
    max_norm : float
        Largest allowed joint norm; ``float("inf")`` clips nothing and only returns the
        norm (PyTorch's idiom for logging gradient norms).
    norm_type : float
        ``p`` of the p-norm; ``float("inf")`` for the largest absolute entry.
    error_if_nonfinite : bool
        Raise when the joint norm is NaN or infinite instead of scaling by it.

    Returns
    -------
    Tensor
        The joint norm before clipping (0-d).

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> clip_grad_norm_([w], max_norm=1.0).item()
    10.0
    """
    if not (isinstance(max_norm, (int, float)) and max_norm == math.inf):
        max_norm = check_number("clip_grad_norm_", "max_norm", max_norm, 0.0)
    norm_type = float(norm_type)
    grads = _grads(parameters)
    if not grads:
        return Tensor(xp.zeros((), dtype=xp.float32))
    norms = [_vector_norm(g, norm_type) for g in grads]
    total = _vector_norm(xp.stack(norms).astype(xp.result_type(*norms)), norm_type)
    if error_if_nonfinite and not xp.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} of the gradients is {total}, so they "
            "can't be clipped; pass error_if_nonfinite=False to scale by it anyway."
        )
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return Tensor(xp.asarray(total))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient entry in place into ``[-clip_value, clip_value]``.

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([3.0, -4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> clip_grad_value_([w], 1.5)
    >>> w.grad
    tensor([ 1.5000, -1.5000])
    """
    clip_value = float(clip_value)
    for g in _grads(parameters):
        xp.clip(g, -clip_value, clip_value, out=g)
