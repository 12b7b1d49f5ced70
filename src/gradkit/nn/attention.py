"""Multi-head attention (concept ATT-MHA): ``MultiheadAttention`` with PyTorch's
semantics and parameter layout; the functional form ``scaled_dot_product_attention``
(concept ATT-DOT) is in :mod:`gradkit.nn.functional`."""

from __future__ import annotations

import math

from gradkit.backend import get_default_dtype, xp
from gradkit.nn import init
from gradkit.nn.functional import dropout, linear
from gradkit.nn.functional.attention import causal_mask, mask_array
from gradkit.nn.linear import Linear
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter
from gradkit.ops.attention import PackedSelfAttention, ScaledDotProductAttention
from gradkit.ops.nn import softmax
from gradkit.ops.shape import getitem, permute, reshape, swapaxes, unsqueeze
from gradkit.tensor import Tensor


class MultiheadAttention(Module):
    """Multi-head attention (concept ATT-MHA) with PyTorch's layout::

        head_i = softmax(Q W_qiᵀ (K W_kiᵀ)ᵀ / √d + M) V W_viᵀ,   d = embed_dim / num_heads
        MHA(Q, K, V) = concat(head_1, …, head_h) W_oᵀ + b_o

    Parameters ``in_proj_weight`` (3E, E) = [W_q; W_k; W_v], ``in_proj_bias`` (3E,) and
    ``out_proj`` (a :class:`Linear` (E, E)), so PyTorch state dicts load 1:1.

    Parameters
    ----------
    embed_dim : int
        E, the model width.
    num_heads : int
        h; must divide E.
    dropout : float
        Dropout on the attention probabilities (training only).
    bias : bool
        Use ``in_proj_bias`` and ``out_proj.bias``.
    batch_first : bool
        Inputs are (N, L, E) instead of (L, N, E).

    Shape
    -----
    query (L, N, E), key and value (S, N, E) ((N, ·, E) with ``batch_first``, or
    unbatched (L, E)); key_padding_mask (N, S), True (or −inf) = ignore that key;
    attn_mask (L, S) or (N·h, L, S), True (or −inf) = may not attend. Returns the output
    like query and, with ``need_weights``, the weights (N, L, S) averaged over heads
    (``average_attn_weights``) or (N, h, L, S).

    Examples
    --------
    >>> import gradkit as gk
    >>> mha = gk.nn.MultiheadAttention(16, 4, batch_first=True)
    >>> x = gk.randn(2, 5, 16)
    >>> out, w = mha(x, x, x)
    >>> out.shape, w.shape
    ((2, 5, 16), (2, 5, 5))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        batch_first: bool = False,
        dtype=None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(
                f"embed_dim ({embed_dim}) must be a positive multiple of num_heads ({num_heads})"
            )
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first = float(dropout), batch_first
        dtype = dtype or get_default_dtype()
        self.in_proj_weight = Parameter(xp.empty((3 * embed_dim, embed_dim), dtype))
        self.in_proj_bias = Parameter(xp.zeros(3 * embed_dim, dtype)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        init.xavier_uniform_(self.in_proj_weight)
        if bias:
            init.zeros_(self.out_proj.bias)

    def _project(self, x: Tensor, i: int) -> Tensor:
        """x W_iᵀ + b_i for the i-th block of the packed in-projection, as (N, h, L, d)."""
        E = self.embed_dim
        rows = slice(i * E, (i + 1) * E)
        w = getitem(self.in_proj_weight, rows)
        b = None if self.in_proj_bias is None else getitem(self.in_proj_bias, rows)
        y = linear(x, w, b)
        N, L, _ = y.shape
        return permute(reshape(y, (N, L, self.num_heads, self.head_dim)), 0, 2, 1, 3)

    def _combined_mask(self, N: int, L: int, S: int, attn_mask, key_padding_mask, is_causal, dtype):
        mask = None
        if attn_mask is not None:
            mask = mask_array(attn_mask, dtype, true_means_masked=True)
            if mask.ndim == 3:
                mask = mask.reshape(N, self.num_heads, L, S)
            elif mask.shape != (L, S):
                raise ValueError(f"attn_mask must be (L, S) or (N·h, L, S), got {mask.shape}")
        elif is_causal:
            mask = causal_mask(L, S, dtype)
        if key_padding_mask is not None:
            kpm = mask_array(key_padding_mask, dtype, true_means_masked=True)
            if kpm.shape != (N, S):
                raise ValueError(f"key_padding_mask must be (N, S) = {(N, S)}, got {kpm.shape}")
            kpm = kpm.reshape(N, 1, 1, S)
            mask = kpm if mask is None else mask + kpm
        return mask

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask=None,
        need_weights: bool = True,
        attn_mask=None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ):
        if query.shape[-1] != self.embed_dim:
            raise ValueError(
                f"MultiheadAttention: query has {query.shape[-1]} features (shape "
                f"{tuple(query.shape)}), embed_dim is {self.embed_dim}"
            )
        packed = not need_weights and query is key and key is value  # one projection GEMM
        batched = query.ndim == 3
        if not batched:
            query, key, value = (unsqueeze(t, 0) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = xp.asarray(getattr(key_padding_mask, "data", key_padding_mask))
                key_padding_mask = key_padding_mask[None]
        elif not self.batch_first:
            query, key, value = (swapaxes(t, 0, 1) for t in (query, key, value))
        N, L, E = query.shape
        S = key.shape[1]
        mask = self._combined_mask(N, L, S, attn_mask, key_padding_mask, is_causal, query.dtype)
        p_drop = self.dropout if self.training else 0.0
        scale = 1.0 / math.sqrt(self.head_dim)
        weights = None
        if packed:
            qkv = linear(query, self.in_proj_weight, self.in_proj_bias)
            merged = PackedSelfAttention.apply(
                qkv, mask=mask, scale=scale, num_heads=self.num_heads, dropout_p=p_drop
            )
        else:
            q, k, v = self._project(query, 0), self._project(key, 1), self._project(value, 2)
            if need_weights:  # explicit weights, differentiable like the output
                scores = (q @ swapaxes(k, -1, -2)) * scale
                if mask is not None:
                    scores = scores + Tensor(mask)
                weights = dropout(softmax(scores, axis=-1), p_drop, training=p_drop > 0)
                heads = weights @ v
            else:
                heads = ScaledDotProductAttention.apply(
                    q, k, v, mask=mask, scale=scale, dropout_p=p_drop
                )
            merged = reshape(permute(heads, 0, 2, 1, 3), (N, L, E))
        out = self.out_proj(merged)
        if not batched:
            out = reshape(out, (L, E))
        elif not self.batch_first:
            out = swapaxes(out, 0, 1)
        if weights is not None:
            if average_attn_weights:
                weights = weights.mean(axis=1)
            if not batched:
                weights = reshape(weights, weights.shape[1:])
        return out, weights

    def extra_repr(self) -> str:
        s = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.batch_first:
            s += ", batch_first=True"
        return s
