"""Transformer encoder (concept ATT-TRANSFORMER): positional encodings,
``TransformerEncoderLayer`` (post- and pre-norm) and ``TransformerEncoder``, with
PyTorch's semantics and parameter names.

Why it parallelizes where an RNN cannot: every position attends to every other in one
batched matrix product, so the T steps of a sequence cost a few big GEMMs instead of a
loop of T dependent small ones.
"""

from __future__ import annotations

import copy
import math

from gradkit.backend import get_default_dtype, xp
from gradkit.nn import init
from gradkit.nn.attention import MultiheadAttention
from gradkit.nn.containers import ModuleList
from gradkit.nn.dropout import Dropout
from gradkit.nn.functional import gelu, relu
from gradkit.nn.linear import Linear
from gradkit.nn.module import Module
from gradkit.nn.normalization import LayerNorm
from gradkit.nn.parameter import Parameter
from gradkit.ops.shape import getitem
from gradkit.tensor import Tensor

_ACTIVATIONS = {"relu": relu, "gelu": gelu}


def sinusoidal_table(max_len: int, d_model: int, dtype=None):
    """PE[p, 2i] = sin(p / 10000^{2i/d}), PE[p, 2i+1] = cos(p / 10000^{2i/d}); (max_len, d)."""
    pos = xp.arange(max_len)[:, None]
    freq = xp.exp(-math.log(10000.0) * xp.arange(0, d_model, 2) / d_model)
    table = xp.zeros((max_len, d_model))
    table[:, 0::2] = xp.sin(pos * freq)
    table[:, 1::2] = xp.cos(pos * freq)[:, : d_model // 2]
    return table.astype(dtype or get_default_dtype())


class _PositionalEncoding(Module):
    """Adds a (max_len, d_model) table to the input, then dropout."""

    def __init__(self, max_len: int, dropout_p: float, batch_first: bool) -> None:
        super().__init__()
        self.max_len, self.batch_first = max_len, batch_first
        self.dropout = Dropout(dropout_p)

    def _table(self) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        T = x.shape[1] if self.batch_first else x.shape[0]
        if T > self.max_len:
            raise ValueError(f"sequence length {T} exceeds max_len {self.max_len}")
        pe = getitem(self._table(), slice(0, T))
        if not self.batch_first:
            pe = pe.reshape(T, 1, -1)
        return self.dropout(x + pe)


class SinusoidalPositionalEncoding(_PositionalEncoding):
    """x + PE[:T] with the fixed sinusoidal table of Vaswani et al. (a non-persistent
    buffer, so it is not in the state dict).

    Shape: input (T, N, d) or (N, T, d) with ``batch_first``; output the same.

    Examples
    --------
    >>> import gradkit as gk
    >>> gk.nn.SinusoidalPositionalEncoding(16, batch_first=True)(gk.zeros(2, 5, 16)).shape
    (2, 5, 16)
    """

    def __init__(
        self, d_model: int, max_len: int = 5000, dropout: float = 0.0, batch_first: bool = False
    ) -> None:
        super().__init__(max_len, dropout, batch_first)
        self.register_buffer("pe", Tensor(sinusoidal_table(max_len, d_model)), persistent=False)

    def _table(self) -> Tensor:
        return self.pe


class LearnedPositionalEncoding(_PositionalEncoding):
    """x + P[:T] with a learned table P (max_len, d_model), initialized N(0, 0.02²).

    Shape: input (T, N, d) or (N, T, d) with ``batch_first``; output the same.
    """

    def __init__(
        self,
        d_model: int,
        max_len: int = 512,
        dropout: float = 0.0,
        batch_first: bool = False,
        dtype=None,
    ) -> None:
        super().__init__(max_len, dropout, batch_first)
        self.weight = Parameter(xp.empty((max_len, d_model), dtype or get_default_dtype()))
        init.normal_(self.weight, 0.0, 0.02)

    def _table(self) -> Tensor:
        return self.weight


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and
    layer norm (concept ATT-TRANSFORMER)::

        post-norm (norm_first=False):  x = LN1(x + SA(x));   x = LN2(x + FF(x))
        pre-norm  (norm_first=True):   x = x + SA(LN1(x));   x = x + FF(LN2(x))
        SA(x) = Dropout(MHA(x, x, x)),  FF(x) = Dropout(W2 Dropout(act(W1 x + b1)) + b2)

    Parameters
    ----------
    d_model, nhead : int
        Width and number of attention heads.
    dim_feedforward : int
        Hidden width of the feed-forward block.
    dropout : float
        Dropout after attention, inside and after the feed-forward block.
    activation : {'relu', 'gelu'} or callable
    layer_norm_eps : float
    batch_first : bool
        Input (N, T, d) instead of (T, N, d).
    norm_first : bool
        Pre-norm instead of post-norm.
    bias : bool
        Biases in the linear layers and layer norms.

    Shape
    -----
    src (T, N, d), (N, T, d) with ``batch_first``, or unbatched (T, d); src_mask (T, T)
    or (N·nhead, T, T); src_key_padding_mask (N, T). Output like src.

    Examples
    --------
    >>> import gradkit as gk
    >>> layer = gk.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    >>> layer(gk.randn(2, 5, 16), is_causal=True).shape
    (2, 5, 16)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation="relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype=None,
    ) -> None:
        super().__init__()
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(
                    f"activation must be one of {sorted(_ACTIVATIONS)} or a callable, "
                    f"got {activation!r}"
                )
            activation = _ACTIVATIONS[activation]
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        out, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal and attn_mask is None,
        )  # fmt: skip
        return self.dropout1(out)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(
        self,
        src: Tensor,
        src_mask=None,
        src_key_padding_mask=None,
        is_causal: bool = False,
    ) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (``layers.0``, ``layers.1``,
    …) and an optional final ``norm``, as in PyTorch.

    Shape: as :class:`TransformerEncoderLayer`; ``mask``, ``src_key_padding_mask`` and
    ``is_causal`` are passed to every layer.

    Examples
    --------
    >>> import gradkit as gk
    >>> layer = gk.nn.TransformerEncoderLayer(16, 4, 32, batch_first=True)
    >>> gk.nn.TransformerEncoder(layer, 2)(gk.randn(2, 5, 16)).shape
    (2, 5, 16)
    """

    def __init__(
        self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None
    ) -> None:
        super().__init__()
        self.layers = ModuleList(copy.deepcopy(encoder_layer) for _ in range(num_layers))
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self, src: Tensor, mask=None, src_key_padding_mask=None, is_causal: bool = False
    ) -> Tensor:
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                      is_causal=is_causal)  # fmt: skip
        return self.norm(x) if self.norm is not None else x
