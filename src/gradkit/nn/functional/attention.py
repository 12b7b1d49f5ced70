"""Attention in functional form (concept ATT-DOT): ``scaled_dot_product_attention`` as in
``torch.nn.functional``, the causal mask, and the mask conversion that
:class:`~gradkit.nn.MultiheadAttention` shares."""

from __future__ import annotations

import math

from gradkit.autograd.grad_mode import is_grad_enabled
from gradkit.backend import xp
from gradkit.ops.attention import ScaledDotProductAttention, causal_mask
from gradkit.tensor import Tensor

__all__ = ["causal_mask", "scaled_dot_product_attention"]


def mask_array(mask, dtype, true_means_masked: bool):
    """An additive float mask: 0 where attention is allowed, −inf where it is not.

    Boolean masks follow the caller's convention (``true_means_masked``: PyTorch's
    ``MultiheadAttention``; otherwise ``scaled_dot_product_attention``, where True means
    "may attend"); float masks are added as they are.
    """
    m = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype == xp.bool_:
        blocked = m if true_means_masked else ~m
        return xp.where(blocked, -xp.inf, 0.0).astype(dtype)
    if m.dtype.kind != "f":
        raise TypeError(f"attention masks must be bool or float, got {m.dtype}")
    return m.astype(dtype, copy=False)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask=None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
) -> Tensor:
    """softmax(Q Kᵀ / √E + M) V (concept ATT-DOT), as in
    ``torch.nn.functional.scaled_dot_product_attention``.

    Parameters
    ----------
    query, key, value : Tensor
        (…, L, E), (…, S, E), (…, S, Ev).
    attn_mask : bool or float array, optional
        Broadcastable to (…, L, S). Boolean: True means the position may be attended to.
        Float: added to the scores; a float Tensor that requires grad gets its gradient
        ∂L/∂M = P ⊙ (∂P − Σ_S ∂P ⊙ P), as in PyTorch.
    dropout_p : float
        Dropout on the attention probabilities (pass 0 in evaluation).
    is_causal : bool
        Apply the causal mask (position i attends to j ≤ i); exclusive with attn_mask.
    scale : float, optional
        Score scale, default 1/√E.

    Returns
    -------
    Tensor
        (…, L, Ev).

    Examples
    --------
    >>> import gradkit as gk
    >>> import gradkit.nn.functional as F
    >>> q = gk.randn(2, 4, 5, 8)
    >>> F.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    (2, 4, 5, 8)
    """
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: query {tuple(query.shape)}, key "
            f"{tuple(key.shape)} and value {tuple(value.shape)} need query/key feature sizes "
            "and key/value lengths to agree"
        )
    if is_causal and attn_mask is not None:
        raise ValueError("pass either attn_mask or is_causal=True, not both")
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"dropout_p must be in [0, 1), got {dropout_p}")
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    if is_causal:  # built only by the unfused kernel; the blocked one masks tile by tile
        return ScaledDotProductAttention.apply(
            query, key, value, scale=scale, dropout_p=float(dropout_p), causal=True
        )
    if isinstance(attn_mask, Tensor) and attn_mask.requires_grad and is_grad_enabled():
        if attn_mask.dtype.kind != "f":
            raise TypeError(f"attention masks must be bool or float, got {attn_mask.dtype}")
        m = attn_mask if attn_mask.dtype == query.dtype else attn_mask.to(query.dtype)
        return ScaledDotProductAttention.apply(
            query, key, value, m, scale=scale, dropout_p=float(dropout_p)
        )
    mask = None if attn_mask is None else mask_array(attn_mask, query.dtype, False)
    return ScaledDotProductAttention.apply(
        query, key, value, mask=mask, scale=scale, dropout_p=float(dropout_p)
    )
