"""Functional forms of the layers: linear, bilinear, dropout, batch and layer
normalization, embedding and one-hot encoding."""

from __future__ import annotations

from collections.abc import Sequence

from gradkit import random as _random
from gradkit.backend import xp
from gradkit.ops.embedding import Embedding
from gradkit.ops.inplace import inplace as _inplace
from gradkit.ops.linear import linear
from gradkit.ops.norm import Normalize
from gradkit.ops.norm import layer_norm as _layer_norm
from gradkit.ops.pnorm import vector_norm
from gradkit.tensor import Tensor, no_grad

__all__ = ["batch_norm", "bilinear", "dropout", "embedding", "layer_norm", "linear", "one_hot"]


def dropout(
    input: Tensor,  # noqa: A002 - PyTorch's name
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    generator=None,
) -> Tensor:
    """Inverted dropout (concept NN-DROPOUT): each element is zeroed with probability
    ``p`` and the survivors are scaled by 1/(1 − p), so the expected value is unchanged
    and nothing needs rescaling at inference. The identity when not ``training``.

    The mask is drawn from ``generator`` or the global generator
    (``gradkit.manual_seed`` makes it reproducible). ``inplace=True`` writes the result
    into ``input`` (recorded like every in-place op) and returns it.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    dtype = input.dtype
    if dtype.kind != "f":
        raise TypeError(
            f"dropout: expected a floating-point input, got dtype {dtype}; use .float()"
        )
    if p == 1.0:
        scale = xp.zeros(input.shape, dtype=dtype)
    else:
        keep = _random.numpy_rng(generator).random(input.shape, dtype=dtype) >= p
        scale = keep * dtype.type(1.0 / (1.0 - p))
    if inplace:
        return _inplace(input, "dropout_", lambda t: t * Tensor(scale), lambda a: a.__imul__(scale))
    return input * Tensor(scale)


def _stat_shape(x: Tensor) -> list[int]:
    shape = [1] * x.ndim
    shape[1] = x.shape[1]
    return shape


def _affine(weight: Tensor | None, bias: Tensor | None) -> tuple[list[Tensor], dict]:
    params = [t for t in (weight, bias) if t is not None]
    return params, {"has_weight": weight is not None, "has_bias": bias is not None}


def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over every axis but the channel axis 1 (concept
    NN-BATCHNORM): y = γ (x − μ) / √(σ² + ε) + β.

    In training μ, σ² are the batch's (σ² biased) and the running statistics, when
    given, are updated in place: r ← (1 − momentum) r + momentum · s, with the unbiased
    variance n/(n − 1) σ². Otherwise μ, σ² are the running statistics.

    Shape: input (N, C) or (N, C, *); weight, bias, running statistics (C,).
    """
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C, *), got {tuple(x.shape)}")
    channels = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.shape != (channels,):
            raise ValueError(
                f"batch_norm: {name} has shape {tuple(t.shape)} but the input "
                f"{tuple(x.shape)} has {channels} channels"
            )
    axes = (0, *range(2, x.ndim))
    shape = _stat_shape(input)
    if training:
        n = x.size // channels
        if n <= 1:
            raise ValueError(
                "batch_norm: expected more than 1 value per channel when training, got "
                f"input of shape {tuple(x.shape)}"
            )
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        if running_mean is not None:
            running_mean._data *= 1.0 - momentum
            running_mean._data += momentum * mean.reshape(-1)
        if running_var is not None:
            running_var._data *= 1.0 - momentum
            running_var._data += (momentum * n / (n - 1)) * var.reshape(-1)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed in eval mode")
        # copies: a later in-place update of the running statistics must not reach this
        # forward's double backward, which rebuilds x̂ from μ
        mean = running_mean._data.reshape(shape).astype(x.dtype)
        var = running_var._data.reshape(shape).astype(x.dtype)
    params, flags = _affine(weight, bias)
    return Normalize.apply(
        input,
        *params,
        mean=mean,
        inv_std=1.0 / xp.sqrt(var + eps),
        stat_axes=axes,
        param_axes=axes,
        param_shape=shape,
        batch_stats=training,
        **flags,
    )


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the trailing ``normalized_shape`` axes:
    y = γ (x − μ) / √(σ² + ε) + β with per-sample μ, σ² (biased).

    Shape: input (*, *normalized_shape); weight, bias ``normalized_shape``.
    """
    norm_shape = (
        (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    )
    k = len(norm_shape)
    if input.shape[input.ndim - k :] != norm_shape or input.ndim < k:
        raise ValueError(
            f"layer_norm: input of shape {tuple(input.shape)} does not end with "
            f"normalized_shape {norm_shape}"
        )
    return _layer_norm(input, norm_shape, weight, bias, eps)


def _indices(input) -> xp.ndarray:
    idx = input._data if isinstance(input, Tensor) else xp.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"expected integer indices, got dtype {idx.dtype}; use .long()")
    return idx


def _renorm_rows(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """PyTorch's ``embedding_renorm_``: rows of ``weight`` that ``idx`` looks up and
    whose ``norm_type``-norm exceeds ``max_norm`` are scaled in place (not recorded) to
    norm max_norm (by max_norm / (norm + 1e-7))."""
    rows = xp.unique(idx)
    w = weight._data[rows]
    norms = vector_norm(Tensor(w), norm_type, 1)._data
    over = norms > max_norm
    if over.any():
        with no_grad():
            scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
            weight[rows[over]] = Tensor(w[over] * scale[:, None])


def embedding(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` (concept RNN-EMBED): y[..., :] = weight[input[...], :].
    Rows at ``padding_idx`` receive no gradient. With ``max_norm``, the looked-up rows
    whose ``norm_type``-norm exceeds it are first rescaled in place to that norm, as in
    PyTorch. ``sparse=True`` is accepted; the gradient is dense (same values).

    Shape: input (*) integers in [0, num_embeddings); weight (num_embeddings, dim);
    output (*, dim).
    """
    idx = _indices(input)
    num = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {int(bad)} is out of range for {num} embeddings")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"padding_idx {padding_idx} must be within [-{num}, {num})")
        padding_idx %= num
    if scale_grad_by_freq:
        raise NotImplementedError(
            "embedding: scale_grad_by_freq=True is not supported; scale the loss or the "
            "gradient instead"
        )
    if max_norm is not None and idx.size:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))
    return Embedding.apply(weight, indices=idx, padding_idx=padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices (*) → one-hot int64 tensor (*, num_classes); with
    ``num_classes=-1`` the number of classes is the largest index + 1.

    Raises RuntimeError as PyTorch does for non-integer input, negative classes and
    classes ≥ ``num_classes``.
    """
    idx = tensor._data if isinstance(tensor, Tensor) else xp.asarray(tensor)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor (integer class "
            f"indices), got dtype {idx.dtype}; use .long()"
        )
    if num_classes < -1:
        raise RuntimeError(f"one_hot: num_classes should be -1 or non-negative, got {num_classes}")
    if num_classes == -1:
        if not idx.size:
            raise RuntimeError(
                "one_hot: can not infer total number of classes from empty tensor; pass num_classes"
            )
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError(f"one_hot: class values must be non-negative, got {int(idx.min())}")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError(
            f"one_hot: class values must be smaller than num_classes={num_classes}, got "
            f"{int(idx.max())}"
        )
    return Tensor(xp.eye(num_classes, dtype=xp.int64)[idx])


def bilinear(
    input1: Tensor,
    input2: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
) -> Tensor:
    """y_k = x1ᵀ A_k x2 + b_k for each output k (PyTorch's ``F.bilinear``), composed as
    one matmul of x1 with A reshaped to (in1, out·in2) and a sum against x2.

    Shape: input1 (*, in1), input2 (*, in2), weight (out, in1, in2), bias (out,);
    output (*, out).
    """
    if (
        weight.ndim != 3
        or input1.shape[-1:] != weight.shape[1:2]
        or (input2.shape[-1:] != weight.shape[2:])
    ):
        raise ValueError(
            f"bilinear: weight (out, in1, in2) of shape {tuple(weight.shape)} does not match "
            f"input1 {tuple(input1.shape)} and input2 {tuple(input2.shape)}"
        )
    if input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(
            f"bilinear: input1 {tuple(input1.shape)} and input2 {tuple(input2.shape)} must "
            "have the same batch dimensions"
        )
    out, in1, in2 = weight.shape
    lead = input1.shape[:-1]
    a = weight.permute(1, 0, 2).reshape(in1, out * in2)
    t = (input1.reshape(-1, in1) @ a).reshape(-1, out, in2)
    y = (t * input2.reshape(-1, 1, in2)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out)
