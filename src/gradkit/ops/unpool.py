"""Max unpooling (PyTorch's ``max_unpool1d/2d``): the partial inverse of max pooling that
puts each pooled value back at the position its index names, zeros elsewhere.

Its backward is a gather at the fixed indices, linear in the output gradient; with
``create_graph=True`` it is recorded as indexing (whose backward is the scatter-add,
this op's forward), so gradients of any order follow."""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops.conv import batched, pair
from gradkit.ops.pool import (
    _as_2d,
    _from_2d,
    _plane_flat,
    _single,
    _unbatch,
)
from gradkit.ops.shape import getitem, reshape


class MaxUnpool2d(Function):
    """Partial inverse of max pooling: y[n, c, idx[n, c, k]] = x[n, c, k] over each
    flattened (H_out·W_out) output plane, zero elsewhere. The backward is the matching
    gather, ∂L/∂x[n, c, k] = g[n, c, idx[n, c, k]], restricted to the inputs whose value
    lands: when overlapping windows share a maximum its index repeats and one copy is
    written (PyTorch's backward gives the gradient to every copy, which for a pair is
    twice the derivative that finite differences measure)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, indices, *, out_hw):
        n, c = x.shape[:2]
        size = n * c * out_hw[0] * out_hw[1]
        flat = _plane_flat(indices, n, c, out_hw[0] * out_hw[1])
        k = xp.arange(flat.size)
        source = xp.empty(size, dtype=xp.int64)  # which input lands at each written position
        source[flat] = k
        landed = source[flat]
        out = xp.zeros(size, dtype=x.dtype)
        if xp.array_equal(landed, k):  # no repeated index
            out[flat] = x.ravel()
            ctx.landed = None
        else:  # every copy writes the value of the one that lands: order-independent
            out[flat] = x.ravel()[landed]
            ctx.landed = (landed == k).reshape(x.shape)
        ctx.flat, ctx.x_shape = flat, x.shape
        return out.reshape(n, c, *out_hw)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            gx = getitem(reshape(g, -1), ctx.flat)
            if ctx.landed is not None:
                gx = gx * ctx.landed.ravel().astype(g.dtype)
            return reshape(gx, ctx.x_shape), None
        gx = xp.take(g.ravel(), ctx.flat).reshape(ctx.x_shape)
        if ctx.landed is not None:
            gx *= ctx.landed
        return gx, None


def _unpool_size(op: str, in_sizes, kernel, stride, padding, output_size) -> tuple[int, ...]:
    """Default (L_in − 1)·S − 2P + k per axis, or ``output_size`` (its spatial part) when
    it lies strictly between default − S and default + S, as in PyTorch."""
    default = tuple(
        (n - 1) * s - 2 * p + k for n, k, s, p in zip(in_sizes, kernel, stride, padding)
    )
    if output_size is None:
        size = default
    else:
        size = tuple(int(v) for v in output_size)
        if len(size) == len(kernel) + 2:
            size = size[2:]
        if len(size) != len(kernel):
            raise ValueError(
                f"{op}: output_size must have {len(kernel)} entries (or {len(kernel) + 2} "
                f"with N and C), got {output_size!r}"
            )
        for n, d, s in zip(size, default, stride):
            if not d - s < n < d + s:
                raise ValueError(
                    f"{op}: output_size {tuple(output_size)!r} is incompatible with an input "
                    f"of spatial size {tuple(in_sizes)}: each side must lie strictly between "
                    f"default − stride and default + stride, the default being "
                    f"(L_in − 1)·S − 2P + k = {default} with stride {tuple(stride)}"
                )
    if min(size) < 1:
        raise ValueError(f"{op}: the output size {size} must be positive")
    return size


def _unpool(op: str, x: Tensor, indices, out_hw) -> Tensor:
    """:class:`MaxUnpool2d` of (N, C, h, w) ``x`` after checking ``indices``."""
    idx = indices._data if isinstance(indices, Tensor) else xp.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise ValueError(f"{op}: indices must be integers, got dtype {idx.dtype}")
    idx = idx.reshape(x.shape)
    plane = out_hw[0] * out_hw[1]
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        raise ValueError(
            f"{op}: indices must lie in [0, {plane}) for the output size {tuple(out_hw)}, "
            f"found values from {idx.min()} to {idx.max()}; pass the output_size of the "
            "pooled input"
        )
    return MaxUnpool2d.apply(x, Tensor(idx.astype(xp.int64, copy=False)), out_hw=out_hw)


def _indices_shape(op: str, input: Tensor, indices) -> None:  # noqa: A002
    shape = tuple(indices.shape)
    if shape != tuple(input.shape):
        raise ValueError(
            f"{op}: indices shape {shape} does not match the input shape {tuple(input.shape)}; "
            "pass the indices that max pooling returned with this input"
        )


def max_unpool2d(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    output_size=None,
) -> Tensor:
    """Partial inverse of :func:`max_pool2d`, as ``torch.nn.functional.max_unpool2d``:
    each input value goes to the position ``indices`` names in its (H_out, W_out) output
    plane, every other output is 0.

    y[n, c, idx // W_out, idx % W_out] = x[n, c, h, w] with idx = indices[n, c, h, w]

    Parameters
    ----------
    input : Tensor
        (N, C, H, W) or (C, H, W): pooled values.
    indices : Tensor
        Same shape, int: the flat indices from ``max_pool2d(..., return_indices=True)``.
    kernel_size, stride, padding : int or (int, int)
        Those of the pooling; ``stride`` defaults to ``kernel_size``.
    output_size : (int, int) or (N, C, H, W), optional
        Resolves the ambiguity of a pooling that dropped trailing rows or columns.

    Shape
    -----
    Output (N, C, H_out, W_out) with H_out = (H − 1)·S − 2P + kh by default; an explicit
    ``output_size`` must lie strictly between that minus S and that plus S.

    Examples
    --------
    >>> import gradkit as gk
    >>> from gradkit.ops.pool import max_pool2d
    >>> y, idx = max_pool2d(gk.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> max_unpool2d(y, idx, 2)[0, 0]
    tensor([[ 0.,  0.,  0.,  0.],
            [ 0.,  5.,  0.,  7.],
            [ 0.,  0.,  0.,  0.],
            [ 0., 13.,  0., 15.]])
    """
    op = "max_unpool2d"
    x, unbatched = batched(input, 2)
    if x.ndim != 4:
        raise ValueError(f"{op}: expected input (N, C, H, W) or (C, H, W), got shape {input.shape}")
    _indices_shape(op, input, indices)
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else pair(stride, "stride")
    padding = pair(padding, "padding")
    out_hw = _unpool_size(op, x.shape[2:], kernel, stride, padding, output_size)
    return _unbatch(_unpool(op, x, indices, out_hw), unbatched)


def max_unpool1d(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    output_size=None,
) -> Tensor:
    """Partial inverse of :func:`max_pool1d`, as ``torch.nn.functional.max_unpool1d``:
    y[n, c, indices[n, c, l]] = x[n, c, l], zero elsewhere.

    Shape
    -----
    Input and indices (N, C, L) or (C, L), output (N, C, L_out) with
    L_out = (L − 1)·S − 2P + k, or ``output_size`` ((L_out,) or (N, C, L_out)) strictly
    between that minus S and that plus S.
    """
    op = "max_unpool1d"
    x, unbatched = _as_2d(op, input)
    _indices_shape(op, input, indices)
    kernel = _single(kernel_size, "kernel_size")
    stride = kernel if stride is None else _single(stride, "stride")
    (length,) = _unpool_size(
        op, x.shape[3:], (kernel,), (stride,), (_single(padding, "padding"),), output_size
    )
    return _from_2d(_unpool(op, x, indices, (1, length)), unbatched)
