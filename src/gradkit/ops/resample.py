"""Resampling to a requested size: adaptive max and average pooling (PyTorch's bins
start = ⌊i·L/out⌋, end = ⌈(i+1)·L/out⌉). Interpolation lives in ``ops.interpolate``.

Everything but :class:`MaxAt` is composed from differentiable ops (mean, average or max
pooling, matmul with constant bin or selection matrices), so gradients of any order
follow; ``MaxAt`` records its backward as a scatter-add at the fixed maxima.
"""

from __future__ import annotations

import math

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import scratch, xp
from gradkit.ops.conv import batched
from gradkit.ops.linalg import matmul
from gradkit.ops.pool import (
    _as_2d,
    _from_2d,
    _plane_flat,
    _scatter_to,
    _unbatch,
    avg_pool2d,
    max_pool2d,
)
from gradkit.ops.reduce import mean


class MaxAt(Function):
    """y[n, c, ...] = x[n, c, idx[n, c, ...]] with idx a flat index into each (H, W) input
    plane: the maxima found by adaptive max pooling. The backward adds every output's
    gradient back to the input it came from (bins may share their maximum); on 1-d
    indices NumPy 2's ``np.add.at`` is as fast as a ``bincount``, without its float64
    temporary. With ``create_graph=True`` that scatter-add is recorded (its own backward
    is this gather again)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, idx):
        n, c, h, w = x.shape
        ctx.flat, ctx.x_shape = _plane_flat(idx, n, c, h * w), x.shape
        return xp.take(x.ravel(), ctx.flat).reshape(idx.shape)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return _scatter_to(g, ctx.flat, ctx.x_shape), None
        gx = scratch((math.prod(ctx.x_shape),), g.dtype)
        gx.fill(0)
        xp.add.at(gx, ctx.flat, g.ravel())
        return gx.reshape(ctx.x_shape), None


def _adaptive_size(op: str, output_size, in_sizes) -> tuple[int, ...]:
    """``output_size`` as one positive int per axis; ``None`` keeps that input size."""
    n = len(in_sizes)
    if isinstance(output_size, (int, xp.integer)):
        size = (output_size,) * n
    else:
        size = tuple(output_size) if isinstance(output_size, (tuple, list)) else ()
    if len(size) != n or not all(
        s is None or (isinstance(s, (int, xp.integer)) and s >= 1) for s in size
    ):
        raise ValueError(
            f"{op}: output_size must be a positive int or {n} of them (None keeps that input "
            f"size), got {output_size!r}"
        )
    return tuple(m if s is None else int(s) for s, m in zip(size, in_sizes))


def _bins(size: int, out: int, dtype):
    """(out, size) averaging matrix of adaptive pooling: row i averages inputs
    ⌊i·size/out⌋ … ⌈(i + 1)·size/out⌉ − 1 (PyTorch's bins)."""
    a = xp.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, stop = (i * size) // out, -(-((i + 1) * size) // out)
        a[i, start:stop] = 1.0 / (stop - start)
    return a


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:  # noqa: A002
    """Average pooling to a fixed output size, as ``torch.nn.functional.adaptive_avg_pool2d``;
    ``output_size=1`` is global average pooling.

    Output cell (y, x) averages rows ⌊y·H/Ho⌋ … ⌈(y + 1)·H/Ho⌉ − 1 and the matching columns.
    When the bins tile the input this is :func:`avg_pool2d` with kernel H/Ho; otherwise
    it is the separable product A_h · x · A_wᵀ with the (Ho, H) and (Wo, W) averaging
    matrices.

    Shape
    -----
    Input (N, C, H, W) or (C, H, W), output (N, C, Ho, Wo); ``None`` in ``output_size``
    keeps that input size.
    """
    x, unbatched = batched(input, 2)
    if x.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d: expected (N, C, H, W), got shape {input.shape}")
    h, w = x.shape[2:]
    ho, wo = _adaptive_size("adaptive_avg_pool2d", output_size, (h, w))
    if (ho, wo) == (1, 1):
        out = mean(x, axis=(2, 3), keepdims=True)
    elif h % ho == 0 and w % wo == 0:
        out = avg_pool2d(x, (h // ho, w // wo))
    else:
        out = _separable(x, _bins(h, ho, x.dtype), _bins(w, wo, x.dtype))
    return _unbatch(out, unbatched)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:  # noqa: A002
    """Average pooling to a fixed length, as ``torch.nn.functional.adaptive_avg_pool1d``:
    output l averages inputs ⌊l·L/L_out⌋ … ⌈(l + 1)·L/L_out⌉ − 1.

    Shape
    -----
    Input (N, C, L) or (C, L), output (N, C, L_out).
    """
    x, unbatched = _as_2d("adaptive_avg_pool1d", input)
    (length,) = _adaptive_size("adaptive_avg_pool1d", output_size, x.shape[3:])
    return _from_2d(adaptive_avg_pool2d(x, (1, length)), unbatched)


def _bin_taps(size: int, out: int):
    """Tap t of every adaptive bin i, min(start_i + t, stop_i − 1) for t below the longest
    bin, with start_i = ⌊i·size/out⌋ and stop_i = ⌈(i + 1)·size/out⌉ (PyTorch's bins);
    short bins repeat their last input, which a maximum ignores."""
    i = xp.arange(out)
    start, stop = (i * size) // out, -((-(i + 1) * size) // out)
    return [xp.minimum(start + t, stop - 1) for t in range(int((stop - start).max()))]


def _running_max(candidates, nan: bool):
    """Elementwise first maximum of ``(value, tag)`` pairs and the tag it came with; with
    ``nan`` a NaN wins over everything and a later NaN over an earlier one (PyTorch's
    rule ``val > best or isnan(val)``)."""
    best = tag = better = None
    for v, a in candidates:
        if best is None:
            best, tag = v, xp.array(xp.broadcast_to(a, v.shape))
            better = xp.empty(v.shape, dtype=bool)
            continue
        xp.greater(v, best, out=better)
        if nan:
            better |= xp.isnan(v)
            xp.copyto(best, v, where=better)
        else:
            xp.maximum(best, v, out=best)
        xp.copyto(tag, a, where=better)
    return best, tag


def _adaptive_argmax(x, out_hw):
    """Flat index h·W + w of the element adaptive max pooling takes in each bin of
    ``x`` (N, C, H, W): the first maximum in row-major order. Separably: the first maximum
    of each row's column bin, then the first of those maxima over the row bin."""
    (h, w), (ho, wo) = x.shape[2:], out_hw
    nan = bool(xp.isnan(x).any())
    row_max, col = _running_max(
        ((xp.take(x, cols, axis=3), cols) for cols in _bin_taps(w, wo)), nan
    )
    _, row = _running_max(
        ((xp.take(row_max, rows, axis=2), rows[:, None]) for rows in _bin_taps(h, ho)), nan
    )
    return row * w + xp.take_along_axis(col, row, axis=2)


def adaptive_max_pool2d(
    input: Tensor,  # noqa: A002
    output_size,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Max pooling to a fixed output size, as ``torch.nn.functional.adaptive_max_pool2d``.

    y[n, c, y, x] = max x[n, c, h, w] over rows ⌊y·H/Ho⌋ ≤ h < ⌈(y + 1)·H/Ho⌉ and columns
    ⌊x·W/Wo⌋ ≤ w < ⌈(x + 1)·W/Wo⌉ (bins overlap when the sizes do not divide). The
    gradient goes to the first maximum of each bin in row-major order. When the bins tile
    the input this is :func:`max_pool2d` with kernel (H/Ho, W/Wo); otherwise each bin is
    scanned over its longest length, column bins first, then row bins.

    Shape
    -----
    Input (N, C, H, W) or (C, H, W), output (N, C, Ho, Wo); ``None`` in ``output_size``
    keeps that input size. With ``return_indices`` also the int64 flat indices h·W + w.

    Examples
    --------
    >>> import gradkit as gk
    >>> adaptive_max_pool2d(gk.arange(25.0).reshape(1, 1, 5, 5), 2)[0, 0]
    tensor([[12., 14.],
            [22., 24.]])
    """
    op = "adaptive_max_pool2d"
    x, unbatched = batched(input, 2)
    if x.ndim != 4:
        raise ValueError(f"{op}: expected input (N, C, H, W) or (C, H, W), got shape {input.shape}")
    (h, w), (ho, wo) = x.shape[2:], _adaptive_size(op, output_size, x.shape[2:])
    if h % ho == 0 and w % wo == 0:  # the bins tile the input: plain max pooling
        out = max_pool2d(x, (h // ho, w // wo), return_indices=return_indices)
        if not return_indices:
            return _unbatch(out, unbatched)
        out, idx = out
    else:
        idx = Tensor(_adaptive_argmax(x._data, (ho, wo)))
        out = MaxAt.apply(x, idx)
    out = _unbatch(out, unbatched)
    return (out, _unbatch(idx, unbatched)) if return_indices else out


def adaptive_max_pool1d(
    input: Tensor,  # noqa: A002
    output_size,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Max pooling to a fixed length, as ``torch.nn.functional.adaptive_max_pool1d``:
    output l is the maximum of inputs ⌊l·L/L_out⌋ … ⌈(l + 1)·L/L_out⌉ − 1.

    Shape
    -----
    Input (N, C, L) or (C, L), output (N, C, L_out) (and the int64 indices into L).
    """
    x, unbatched = _as_2d("adaptive_max_pool1d", input)
    (length,) = _adaptive_size("adaptive_max_pool1d", output_size, x.shape[3:])
    out = adaptive_max_pool2d(x, (1, length), return_indices)
    if return_indices:
        return _from_2d(out[0], unbatched), _from_2d(out[1], unbatched)
    return _from_2d(out, unbatched)


def _separable(x: Tensor, rows, cols) -> Tensor:
    """rows · x · colsᵀ over the last two axes, rows (Ho, H) and cols (Wo, W) constants."""
    return matmul(Tensor(rows), matmul(x, Tensor(xp.ascontiguousarray(cols.T))))
