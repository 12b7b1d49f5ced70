"""Pooling and resampling (concepts CNN-POOL, CNN-INVARIANCE): max and average pooling
(1-d and 2-d), adaptive average pooling and nearest-neighbour upsampling, PyTorch's
semantics (NCHW).

A pooling window of kh × kw taps is visited as kh·kw strided views of the padded input,
one per kernel offset (i, j):

    view_ij[n, c, y, x] = x_pad[n, c, S_h·y + D_h·i, S_w·x + D_w·j]

and combined pairwise (``np.maximum`` or ``+``), which is ~40× faster than reducing a
reshaped array over its short strided window axes. The backward adds the output
gradient back through the same views. When the windows tile the input (stride =
kernel) the views are exactly the blocks of a reshape, so one code path serves both.

Max pooling keeps the largest value in each window; shifting the input by less than a
window often leaves the output unchanged (local translation invariance, CNN-INVARIANCE).
"""

from __future__ import annotations

from gradkit.backend import scratch_like, xp
from gradkit.ops.conv import (
    batched,
    checked_output_size,
    pair,
    spatial_slices,
)
from gradkit.ops.linalg import matmul
from gradkit.ops.reduce import mean
from gradkit.ops.shape import reshape, squeeze, unsqueeze
from gradkit.tensor import Function, Tensor


def _pad_nchw(x, padding, value):
    ph, pw = padding
    if not (ph or pw):
        return x
    return xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def window(a, i: int, j: int, stride, dilation, out_hw):
    """The strided view ``a[..., S_h·y + D_h·i, S_w·x + D_w·j]`` for y < Ho, x < Wo."""
    return a[(..., *spatial_slices(i, j, stride, dilation, out_hw))]


def _offsets(kernel):
    kh, kw = kernel
    return [(i, j) for i in range(kh) for j in range(kw)]


def _out_hw(shape, kernel, stride, padding, dilation):
    return tuple(
        (s + 2 * p - d * (k - 1) - 1) // st + 1
        for s, k, st, p, d in zip(shape[2:], kernel, stride, padding, dilation)
    )


def _crop(gpad, padding, shape):
    (ph, pw), (h, w) = padding, shape[2:]
    return gpad[:, :, ph : ph + h, pw : pw + w]


class MaxPool2d(Function):
    """y[n, c, y, x] = max_(i, j) x_pad[n, c, S·y + D·i, S·x + D·j], the padding being −∞.

    The gradient goes to the first maximum of each window in row-major order (as in
    PyTorch); overlapping windows add their shares.
    """

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation):
        xpad = _pad_nchw(x, padding, -xp.inf)
        out_hw = _out_hw(x.shape, kernel, stride, padding, dilation)
        views = (window(xpad, i, j, stride, dilation, out_hw) for i, j in _offsets(kernel))
        first = next(views)
        out = scratch_like(first)
        xp.copyto(out, first)
        for v in views:
            xp.maximum(out, v, out=out)
        ctx.xpad, ctx.out, ctx.x_shape = xpad, out, x.shape
        ctx.opts = kernel, stride, padding, dilation
        return out

    @staticmethod
    def backward(ctx, g):
        kernel, stride, padding, dilation = ctx.opts
        xpad, out = ctx.xpad, ctx.out
        gpad = scratch_like(xpad)
        gpad.fill(0)
        disjoint = all(s >= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
        offsets = _offsets(kernel)
        # in-place ufuncs on arrays of one memory layout (``out``'s): mixing layouts or
        # using np.where/copyto(where=) here is 5-10× slower
        rest = scratch_like(out)  # the gradient of windows whose maximum is not met yet
        rest[...] = g
        hit = scratch_like(out, bool)
        for step, (i, j) in enumerate(offsets):
            xp.equal(window(xpad, i, j, stride, dilation, out.shape[2:]), out, out=hit)
            target = window(gpad, i, j, stride, dilation, out.shape[2:])
            if disjoint:
                xp.multiply(rest, hit, out=target)
            else:
                target += rest * hit
            if step + 1 < len(offsets):
                xp.logical_not(hit, out=hit)
                rest *= hit
        return _crop(gpad, padding, ctx.x_shape)


class AvgPool2d(Function):
    """y[n, c, y, x] = (1/K) Σ_(i, j) x_pad[n, c, S·y + i, S·x + j], the padding being 0;
    K is kh·kw (``count_include_pad``), the number of real inputs in the window, or
    ``divisor_override``."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, count_include_pad, divisor_override):
        xpad = _pad_nchw(x, padding, 0)
        one = (1, 1)
        out_hw = _out_hw(x.shape, kernel, stride, padding, one)
        views = (window(xpad, i, j, stride, one, out_hw) for i, j in _offsets(kernel))
        total = xp.array(next(views), order="K")
        for v in views:
            total += v
        if divisor_override:
            divisor = xp.asarray(divisor_override, dtype=x.dtype)
        elif count_include_pad or not any(padding):
            divisor = xp.asarray(kernel[0] * kernel[1], dtype=x.dtype)
        else:  # count the real (unpadded) inputs of each window
            inside = _pad_nchw(xp.ones((1, 1, *x.shape[2:]), dtype=x.dtype), padding, 0)
            divisor = sum(window(inside, i, j, stride, one, out_hw) for i, j in _offsets(kernel))
        ctx.divisor, ctx.pad_shape, ctx.x_shape = divisor, xpad.shape, x.shape
        ctx.opts = kernel, stride, padding
        return total / divisor

    @staticmethod
    def backward(ctx, g):
        kernel, stride, padding = ctx.opts
        share = g / ctx.divisor
        gpad = xp.zeros(ctx.pad_shape, dtype=g.dtype)
        for i, j in _offsets(kernel):
            window(gpad, i, j, stride, (1, 1), g.shape[2:])[...] += share
        return _crop(gpad, padding, ctx.x_shape)


# ---------------------------------------------------------------- functional forms
def _pool_args(op, x: Tensor, kernel_size, stride, padding, dilation):
    if x.ndim != 4:
        raise ValueError(f"{op}: expected input (N, C, H, W) or (C, H, W), got shape {x.shape}")
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else pair(stride, "stride")
    padding, dilation = pair(padding, "padding"), pair(dilation, "dilation")
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
        raise ValueError(
            f"{op}: kernel_size, stride and dilation must be positive, got {kernel}, {stride}, "
            f"{dilation}"
        )
    if any(p < 0 or 2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size {kernel}")
    for axis, s, k, st, p, d in zip(
        ("height", "width"), x.shape[2:], kernel, stride, padding, dilation
    ):
        checked_output_size(op, axis, s, k, st, p, d)
    return kernel, stride, padding, dilation


def max_pool2d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
) -> Tensor:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d`` (concept CNN-POOL).

    y[n, c, y, x] = max_(0 ≤ i < kh, 0 ≤ j < kw) x_pad[n, c, S_h·y + D_h·i, S_w·x + D_w·j]

    Parameters
    ----------
    input : Tensor
        (N, C, H, W) or (C, H, W).
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int)
        −∞ added on each side, at most half the kernel.
    dilation : int or (int, int)

    Shape
    -----
    Input (N, C, H, W), output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − D(kh − 1) − 1)/S⌋ + 1.

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.arange(16.0).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2)[0, 0]
    tensor([[ 5.,  7.],
            [13., 15.]])
    """
    x, unbatched = batched(input, 2)
    kernel, stride, padding, dilation = _pool_args(
        "max_pool2d", x, kernel_size, stride, padding, dilation
    )
    out = MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation)
    return squeeze(out, 0) if unbatched else out


def avg_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d`` (concept CNN-POOL).

    y[n, c, y, x] = (1/K) Σ_(i, j) x_pad[n, c, S_h·y + i, S_w·x + j]

    with K = kh·kw, or the number of unpadded inputs when ``count_include_pad=False``,
    or ``divisor_override``.

    Shape
    -----
    Input (N, C, H, W) or (C, H, W), output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − kh)/S⌋ + 1.

    Examples
    --------
    >>> import gradkit as gk
    >>> avg_pool2d(gk.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    tensor([[ 2.5,  4.5],
            [10.5, 12.5]])
    """
    x, unbatched = batched(input, 2)
    kernel, stride, padding, _ = _pool_args("avg_pool2d", x, kernel_size, stride, padding, 1)
    out = AvgPool2d.apply(
        x,
        kernel=kernel,
        stride=stride,
        padding=padding,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )
    return squeeze(out, 0) if unbatched else out


def _as_2d(x: Tensor) -> tuple[Tensor, bool]:
    """(N, C, L) or (C, L) → (N, C, 1, L)."""
    if x.ndim not in (2, 3):
        raise ValueError(f"expected input (N, C, L) or (C, L), got shape {x.shape}")
    unbatched = x.ndim == 2
    return unsqueeze(unsqueeze(x, 0) if unbatched else x, 2), unbatched


def _from_2d(out: Tensor, unbatched: bool) -> Tensor:
    out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return squeeze(out, 0) if unbatched else out


def _one(value, default):
    value = default if value is None else value
    return (1, int(value if isinstance(value, (int, xp.integer)) else value[0]))


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
) -> Tensor:
    """1-D max pooling: :func:`max_pool2d` on a height-1 image.

    Shape
    -----
    Input (N, C, L) or (C, L), output (N, C, L_out), L_out = ⌊(L + 2P − D(k − 1) − 1)/S⌋ + 1.
    """
    x, unbatched = _as_2d(input)
    out = max_pool2d(
        x,
        _one(kernel_size, None),
        _one(stride, kernel_size),
        (0, _one(padding, 0)[1]),
        _one(dilation, 1),
    )
    return _from_2d(out, unbatched)


def avg_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling: :func:`avg_pool2d` on a height-1 image.

    Shape
    -----
    Input (N, C, L) or (C, L), output (N, C, L_out), L_out = ⌊(L + 2P − k)/S⌋ + 1.
    """
    x, unbatched = _as_2d(input)
    out = avg_pool2d(
        x,
        _one(kernel_size, None),
        _one(stride, kernel_size),
        (0, _one(padding, 0)[1]),
        count_include_pad,
    )
    return _from_2d(out, unbatched)


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
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    ho, wo = (h if size[0] is None else size[0]), (w if size[1] is None else size[1])
    if (ho, wo) == (1, 1):
        out = mean(x, axis=(2, 3), keepdims=True)
    elif h % ho == 0 and w % wo == 0:
        out = avg_pool2d(x, (h // ho, w // wo))
    else:
        out = _separable(x, _bins(h, ho, x.dtype), _bins(w, wo, x.dtype))
    return squeeze(out, 0) if unbatched else out


def _separable(x: Tensor, rows, cols) -> Tensor:
    """rows · x · colsᵀ over the last two axes, rows (Ho, H) and cols (Wo, W) constants."""
    return matmul(Tensor(rows), matmul(x, Tensor(xp.ascontiguousarray(cols.T))))


def _nearest(size: int, out: int, scale: float | None, dtype):
    """(out, size) one-hot matrix: output i copies input min(⌊i·s⌋, size − 1) with
    s = 1/scale_factor when a scale is given, else size/out (PyTorch's "nearest")."""
    step = (1.0 / scale) if scale else size / out
    src = xp.minimum(xp.floor(xp.arange(out) * step).astype(int), size - 1)
    m = xp.zeros((out, size), dtype=dtype)
    m[xp.arange(out), src] = 1
    return m


def interpolate(
    input: Tensor,  # noqa: A002
    size=None,
    scale_factor=None,
    mode: str = "nearest",
) -> Tensor:
    """Nearest-neighbour resizing of (N, C, H, W) images, as
    ``torch.nn.functional.interpolate(..., mode="nearest")``.

    out[n, c, y, x] = in[n, c, min(⌊y·s_h⌋, H − 1), min(⌊x·s_w⌋, W − 1)], with s = 1/scale
    when ``scale_factor`` is given and H/H_out otherwise. Computed as the separable product
    of one-hot selection matrices, so the backward sums the copies exactly.

    Shape
    -----
    Input (N, C, H, W), output (N, C, H_out, W_out) with H_out = ``size`` or
    ⌊H·scale_factor⌋.
    """
    if mode != "nearest":
        raise ValueError(f"interpolate: only mode='nearest' is supported, got {mode!r}")
    if input.ndim != 4:
        raise ValueError(f"interpolate: expected (N, C, H, W), got shape {input.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    h, w = input.shape[2:]
    if size is not None:
        (ho, wo), scales = pair(size, "size"), (None, None)
    else:
        scales = (
            (float(scale_factor),) * 2
            if isinstance(scale_factor, (int, float))
            else tuple(float(s) for s in scale_factor)
        )
        ho, wo = int(h * scales[0]), int(w * scales[1])
    if ho < 1 or wo < 1:
        raise ValueError(f"interpolate: output size ({ho}, {wo}) must be positive")
    dtype = input.dtype
    return _separable(input, _nearest(h, ho, scales[0], dtype), _nearest(w, wo, scales[1], dtype))
