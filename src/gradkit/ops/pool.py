"""Pooling (concepts CNN-POOL, CNN-INVARIANCE): max and average pooling (1-d and 2-d,
``ceil_mode``, max indices), PyTorch's semantics (NCHW). Max unpooling lives in
``ops.unpool``, adaptive pooling and interpolation in ``ops.resample``.

A pooling window of kh × kw taps is visited as kh·kw strided views of the padded input,
one per kernel offset (i, j):

    view_ij[n, c, y, x] = x_pad[n, c, S_h·y + D_h·i, S_w·x + D_w·j]

and combined pairwise (``np.maximum`` or ``+``), which is ~40× faster than reducing a
reshaped array over its short strided window axes. The backward adds the output
gradient back through the same views. When the windows tile the input (stride =
kernel) the views are exactly the blocks of a reshape, so one code path serves both.

Output length along an axis of size L (kernel k, stride S, padding P, dilation D):

    L_out = ⌊(L + 2P − D(k − 1) − 1)/S⌋ + 1                  (ceil_mode=False)
    L_out = ⌈(L + 2P − D(k − 1) − 1)/S⌉ + 1, minus 1 when the last window would start
            at or after L + P, i.e. inside the right padding  (ceil_mode=True)

With ``ceil_mode`` the last window may hang over the end of the padded input; the
overhang is padded with −∞ (max) or 0 (average) and, as in PyTorch, never counted in
an average's divisor.

Higher-order gradients (``create_graph=True``): both backwards are linear in the output
gradient G. Max pooling's routes G to the input each window took, a choice that is
constant (piecewise) in x; recorded, it is a scatter-add at those fixed indices
(``ScatterIndex``), whose own backward is the gather at the same indices. Average
pooling's backward is :class:`AvgPoolGrad`, whose adjoint is the average pooling itself.

Max pooling keeps the largest value in each window; shifting the input by less than a
window often leaves the output unchanged (local translation invariance, CNN-INVARIANCE).
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import scratch_like, xp
from gradkit.ops.conv import (
    _run,
    batched,
    checked_output_size,
    pair,
    spatial_slices,
)
from gradkit.ops.shape import ScatterIndex, getitem, reshape, squeeze, unsqueeze


def _pad_nchw(x, pads, value):
    """Pad the last two axes by ``pads = ((top, bottom), (left, right))``."""
    (t, b), (l, r) = pads
    if not (t or b or l or r):
        return x
    return xp.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=value)


def _lowest(dtype):
    """The padding value of max pooling: −∞, or the dtype's minimum for integers (−∞
    does not fit an integer array)."""
    return xp.iinfo(dtype).min if dtype.kind in "iu" else -xp.inf


def _int_mean(total, divisor, dtype):
    """total / divisor rounded toward zero, as PyTorch's integer average pooling
    (C++ integer division); ``total`` is an int64 sum."""
    divisor = xp.asarray(divisor).astype(xp.int64)
    quotient = xp.abs(total) // divisor
    return xp.where(total < 0, -quotient, quotient).astype(dtype)


def window(a, i: int, j: int, stride, dilation, out_hw):
    """The strided view ``a[..., S_h·y + D_h·i, S_w·x + D_w·j]`` for y < Ho, x < Wo."""
    return a[(..., *spatial_slices(i, j, stride, dilation, out_hw))]


def _offsets(kernel):
    kh, kw = kernel
    return [(i, j) for i in range(kh) for j in range(kw)]


def _crop(gpad, pads, shape):
    ((t, _), (l, _)), (h, w) = pads, shape[2:]
    return gpad[:, :, t : t + h, l : l + w]


def _taps(i: int, j: int, stride, dilation, pads, out_hw):
    """Input row and column (may fall in the padding) of tap (i, j) of every window:
    ``S_h·y + D_h·i − top`` for y < Ho and ``S_w·x + D_w·j − left`` for x < Wo."""
    return tuple(
        s * xp.arange(n) + d * k - p[0]
        for s, n, d, k, p in zip(stride, out_hw, dilation, (i, j), pads)
    )


def _real_taps(i: int, j: int, stride, dilation, pads, in_hw, out_hw):
    """(Ho, Wo) mask of the windows whose tap (i, j) is a real input, or None if all are."""
    rows, cols = _taps(i, j, stride, dilation, pads, out_hw)
    real_r, real_c = (rows >= 0) & (rows < in_hw[0]), (cols >= 0) & (cols < in_hw[1])
    if real_r.all() and real_c.all():
        return None
    return real_r[:, None] & real_c[None, :]


class MaxPool2d(Function):
    """y[n, c, y, x] = max_(i, j) x_pad[n, c, S·y + D·i, S·x + D·j], the padding (and any
    ``ceil_mode`` overhang) being −∞.

    The gradient goes to the first maximum of each window in row-major order among the
    real inputs, or to the last NaN of a window holding NaN (as in PyTorch); overlapping
    windows add their shares.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, *, kernel, stride, pads, dilation, out_hw):
        xpad = _pad_nchw(x, pads, _lowest(x.dtype))
        views = (window(xpad, i, j, stride, dilation, out_hw) for i, j in _offsets(kernel))
        first = next(views)
        out = scratch_like(first)
        xp.copyto(out, first)
        for v in views:
            xp.maximum(out, v, out=out)
        ctx.xpad, ctx.out, ctx.x_shape = xpad, out, x.shape
        ctx.opts = kernel, stride, pads, dilation
        return out

    @staticmethod
    def backward(ctx, g):
        kernel, stride, pads, dilation = ctx.opts
        xpad, out = ctx.xpad, ctx.out
        if isinstance(g, Tensor):  # xpad is x itself when nothing is padded
            xpad, out = (a._data if isinstance(a, Tensor) else a for a in (xpad, out))
            src = _max_sources(xpad, out, kernel, stride, pads, dilation, ctx.x_shape)
            return _scatter_to(g, src, ctx.x_shape)
        out_hw, in_hw = out.shape[2:], ctx.x_shape[2:]
        gpad = scratch_like(xpad)
        gpad.fill(0)
        disjoint = all(s >= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
        offsets = _offsets(kernel)
        padded = any(t or b for t, b in pads)
        # in-place ufuncs on arrays of one memory layout (``out``'s): mixing layouts or
        # using np.where/copyto(where=) here is 5-10× slower
        rest = scratch_like(out)  # the gradient of windows whose maximum is not met yet
        rest[...] = g
        hit = scratch_like(out, bool)
        for step, (i, j) in enumerate(offsets):
            xp.equal(window(xpad, i, j, stride, dilation, out_hw), out, out=hit)
            real = _real_taps(i, j, stride, dilation, pads, in_hw, out_hw) if padded else None
            if real is not None:
                hit &= real  # a −∞ pad never takes the gradient of an all −∞ window
            target = window(gpad, i, j, stride, dilation, out_hw)
            if disjoint:
                xp.multiply(rest, hit, out=target)
            else:
                target += rest * hit
            if step + 1 < len(offsets):
                xp.logical_not(hit, out=hit)
                rest *= hit
        nan_windows = xp.isnan(out)
        if nan_windows.any():  # no tap equals NaN: route these as return_indices does
            for (i, j), last_nan in _last_nans(xpad, nan_windows, kernel, stride, dilation):
                target = window(gpad, i, j, stride, dilation, out_hw)
                xp.add(target, g, out=target, where=last_nan)
        return _crop(gpad, pads, ctx.x_shape)


def _last_nans(xpad, nan_windows, kernel, stride, dilation):
    """(tap, mask) pairs giving each NaN window its last NaN tap in row-major order, the
    element PyTorch's max pooling returns as the index of such a window and gives its
    gradient (the padding is −∞, never NaN)."""
    free = nan_windows.copy()
    for i, j in reversed(_offsets(kernel)):
        last_nan = xp.isnan(window(xpad, i, j, stride, dilation, nan_windows.shape[2:])) & free
        if last_nan.any():
            free &= ~last_nan
            yield (i, j), last_nan


def _max_sources(xpad, out, kernel, stride, pads, dilation, x_shape):
    """Index into ``x.ravel()`` of the input that :meth:`MaxPool2d.backward` gives each
    window's gradient (the first maximum among the real taps, the last NaN of a NaN
    window), −1 where it gives none (an all −∞ window): the same routing as the fused
    backward, as indices."""
    n, c, h, w = x_shape
    out_hw = out.shape[2:]
    src = xp.full(out.shape, -1, dtype=xp.int64)
    free = xp.ones(out.shape, dtype=bool)  # windows whose maximum is not met yet
    hit = xp.empty(out.shape, dtype=bool)
    plane = (xp.arange(n * c, dtype=xp.int64) * (h * w)).reshape(n, c, 1, 1)
    for i, j in _offsets(kernel):
        xp.equal(window(xpad, i, j, stride, dilation, out_hw), out, out=hit)
        real = _real_taps(i, j, stride, dilation, pads, (h, w), out_hw)
        if real is not None:
            hit &= real
        hit &= free
        rows, cols = _taps(i, j, stride, dilation, pads, out_hw)
        xp.copyto(src, plane + (rows[:, None] * w + cols), where=hit)
        free &= ~hit
    nan_windows = xp.isnan(out)
    if nan_windows.any():
        for (i, j), last_nan in _last_nans(xpad, nan_windows, kernel, stride, dilation):
            rows, cols = _taps(i, j, stride, dilation, pads, out_hw)
            xp.copyto(src, plane + (rows[:, None] * w + cols), where=last_nan)
    return src


def _scatter_to(g: Tensor, src, x_shape) -> Tensor:
    """Recorded ``gx = zeros(x_shape)``, ``gx.flat[src] += g`` (entries with ``src`` −1
    dropped): a max-type backward with fixed routing. Its backward gathers at ``src``."""
    src = src.ravel()
    gflat = reshape(g, -1)
    keep = src >= 0
    if not keep.all():
        kept = xp.flatnonzero(keep)
        gflat, src = getitem(gflat, kept), src[kept]
    size = x_shape[0] * x_shape[1] * x_shape[2] * x_shape[3]
    return reshape(ScatterIndex.apply(gflat, shape=(size,), index=src, advanced=True), x_shape)


def _max_indices(x, out, kernel, stride, pads, dilation):
    """Flat index h·W + w, into each (H, W) input plane, of the element each window of
    :class:`MaxPool2d` took: the first maximum in row-major order, or the last NaN
    (PyTorch's ``return_indices``)."""
    xpad = _pad_nchw(x, pads, _lowest(x.dtype))
    in_hw, out_hw = x.shape[2:], out.shape[2:]
    idx = xp.zeros(out.shape, dtype=xp.int64)
    hit = xp.empty(out.shape, dtype=bool)
    taps = []
    for i, j in _offsets(kernel):
        rows, cols = _taps(i, j, stride, dilation, pads, out_hw)
        real = _real_taps(i, j, stride, dilation, pads, in_hw, out_hw)
        taps.append(
            (window(xpad, i, j, stride, dilation, out_hw), rows[:, None] * x.shape[3] + cols, real)
        )
    for view, flat, real in reversed(taps):  # the last write is the first maximum
        xp.equal(view, out, out=hit)
        if real is not None:
            hit &= real
        xp.copyto(idx, flat, where=hit)
    if xp.isnan(out).any():
        for view, flat, _ in taps:
            xp.copyto(idx, flat, where=xp.isnan(view))
    return idx


class AvgPool2d(Function):
    """y[n, c, y, x] = (1/K) Σ_(i, j) x_pad[n, c, S·y + i, S·x + j], the padding being 0;
    K is ``divisor_override``, else the window's size clipped to the padded input
    (``count_include_pad``; kh·kw unless a ``ceil_mode`` window hangs over the end), else
    the number of real inputs in the window."""

    differentiable_backward = True

    @staticmethod
    def forward(
        ctx, x, *, kernel, stride, pads, padding, out_hw, count_include_pad, divisor_override
    ):
        integer = x.dtype.kind in "iu"
        xpad = _pad_nchw(x.astype(xp.int64) if integer else x, pads, 0)
        one = (1, 1)
        views = (window(xpad, i, j, stride, one, out_hw) for i, j in _offsets(kernel))
        total = xp.array(next(views), order="K")
        for v in views:
            total += v
        over = any(b > p for (_, b), p in zip(pads, padding))  # a window hangs over the end
        if divisor_override:
            divisor = xp.asarray(divisor_override, dtype=x.dtype)
        elif not over and (count_include_pad or not any(padding)):
            divisor = xp.asarray(kernel[0] * kernel[1], dtype=x.dtype)
        else:  # count the inputs (with or without the padding) inside each window
            h, w = x.shape[2:]
            counted = xp.ones((1, 1, h, w), dtype=x.dtype)
            inner = tuple((p, p) for p in padding)
            counted = _pad_nchw(counted, inner, 1 if count_include_pad else 0)
            extra = tuple((0, b - p) for (_, b), p in zip(pads, padding))
            counted = _pad_nchw(counted, extra, 0)
            divisor = sum(window(counted, i, j, stride, one, out_hw) for i, j in _offsets(kernel))
        ctx.divisor, ctx.pad_shape, ctx.x_shape = divisor, xpad.shape, x.shape
        ctx.opts = kernel, stride, pads
        ctx.pool = dict(
            kernel=kernel, stride=stride, pads=pads, padding=padding, out_hw=out_hw,
            count_include_pad=count_include_pad, divisor_override=divisor_override,
        )  # fmt: skip
        return _int_mean(total, divisor, x.dtype) if integer else total / divisor

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return AvgPoolGrad.apply(
                g, divisor=ctx.divisor, pad_shape=ctx.pad_shape, x_shape=ctx.x_shape,
                opts=ctx.opts, pool=ctx.pool,
            )  # fmt: skip
        return _avg_spread(g, ctx.divisor, ctx.pad_shape, ctx.x_shape, ctx.opts)


def _avg_spread(g, divisor, pad_shape, x_shape, opts):
    """∂L/∂x of :class:`AvgPool2d`: each window's G/K added back over its taps."""
    kernel, stride, pads = opts
    share = g / divisor
    gpad = xp.zeros(pad_shape, dtype=g.dtype)
    for i, j in _offsets(kernel):
        window(gpad, i, j, stride, (1, 1), g.shape[2:])[...] += share
    return _crop(gpad, pads, x_shape)


class AvgPoolGrad(Function):
    """∂L/∂x of :class:`AvgPool2d` as an op of G (recorded by ``create_graph=True``):
    gx = Σ_(i, j) G/K spread over the taps. It is linear in G, and its adjoint is the
    average pooling itself: ∂/∂G ⟨GG, gx⟩ = avg_pool2d(GG).

    Shape: G (N, C, Ho, Wo), output (N, C, H, W).
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, g, *, divisor, pad_shape, x_shape, opts, pool):
        ctx.pool = pool
        return _avg_spread(g, divisor, pad_shape, x_shape, opts)

    @staticmethod
    def backward(ctx, gg):
        return _run(AvgPool2d, gg, **ctx.pool)


def _plane_flat(idx, n: int, c: int, plane: int):
    """Per-plane flat indices ``idx`` (N, C, ...) → indices into the whole raveled array."""
    return (idx.reshape(n * c, -1) + (xp.arange(n * c) * plane)[:, None]).ravel()


# ---------------------------------------------------------------- functional forms
def _pool_out_size(op, axis, size, k, s, p, d, ceil_mode) -> int:
    """PyTorch's pooled length: floor or ceil of (L + 2P − D(k − 1) − 1)/S, plus 1; in
    ``ceil_mode`` the last window must start inside the input or the left padding."""
    if not ceil_mode:
        return checked_output_size(op, axis, size, k, s, p, d)
    n = (size + 2 * p - d * (k - 1) - 1 + s - 1) // s + 1
    if (n - 1) * s >= size + p:
        n -= 1
    if n < 1:
        raise ValueError(
            f"{op}: the {axis} axis is too small: size {size} with padding {p} holds no "
            f"window of kernel {k}, dilation {d}. Use a larger input, more padding or a "
            "smaller kernel."
        )
    return n


def _pool_args(op, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode):
    """Checked kernel, stride, padding, dilation, the per-side pads ((t, b), (l, r)) that
    also cover a ``ceil_mode`` overhang, and the output size (Ho, Wo)."""
    if x.ndim != 4:
        raise ValueError(f"{op}: expected input (N, C, H, W) or (C, H, W), got shape {x.shape}")
    if x.dtype.kind not in "fiu":
        raise TypeError(f"{op}: not implemented for dtype {x.dtype}; convert with .float()")
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
    pads, out_hw = [], []
    for axis, s, k, st, p, d in zip(
        ("height", "width"), x.shape[2:], kernel, stride, padding, dilation
    ):
        n = _pool_out_size(op, axis, s, k, st, p, d, ceil_mode)
        pads.append((p, max(p, (n - 1) * st + d * (k - 1) + 1 - s - p)))
        out_hw.append(n)
    return kernel, stride, padding, dilation, tuple(pads), tuple(out_hw)


def _unbatch(t: Tensor, unbatched: bool) -> Tensor:
    return squeeze(t, 0) if unbatched else t


def max_pool2d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
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
    ceil_mode : bool
        Round the output size up, so a last partial window is kept (see Shape).
    return_indices : bool
        Also return, for every output, the flat index h·W + w of the input it took
        within its (H, W) plane (int64, for :func:`max_unpool2d`).

    Shape
    -----
    Input (N, C, H, W), output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − D(kh − 1) − 1)/S⌋ + 1, or with ``ceil_mode``
    ⌈(H + 2P − D(kh − 1) − 1)/S⌉ + 1, less one if that last window would start at or
    past H + P (inside the right padding).

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.arange(16.0).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2)[0, 0]
    tensor([[ 5.,  7.],
            [13., 15.]])
    >>> max_pool2d(x, 3, 2, ceil_mode=True, return_indices=True)[1][0, 0]
    tensor([[10, 11],
            [14, 15]])
    """
    x, unbatched = batched(input, 2)
    kernel, stride, _, dilation, pads, out_hw = _pool_args(
        "max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode
    )
    opts = dict(kernel=kernel, stride=stride, pads=pads, dilation=dilation)
    out = MaxPool2d.apply(x, **opts, out_hw=out_hw)
    if not return_indices:
        return _unbatch(out, unbatched)
    idx = Tensor(_max_indices(x._data, out._data, **opts))
    return _unbatch(out, unbatched), _unbatch(idx, unbatched)


def avg_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d`` (concept CNN-POOL).

    y[n, c, y, x] = (1/K) Σ_(i, j) x_pad[n, c, S_h·y + i, S_w·x + j]

    with K = ``divisor_override`` if given, else the window's size clipped to the padded
    input (kh·kw except for a ``ceil_mode`` window hanging over the end, whose overhang
    is not counted), or with ``count_include_pad=False`` the number of real inputs.

    Shape
    -----
    Input (N, C, H, W) or (C, H, W), output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − kh)/S⌋ + 1, or with ``ceil_mode`` ⌈(H + 2P − kh)/S⌉ + 1, less one
    if that last window would start at or past H + P.

    Examples
    --------
    >>> import gradkit as gk
    >>> avg_pool2d(gk.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    tensor([[ 2.5000,  4.5000],
            [10.5000, 12.5000]])
    >>> avg_pool2d(gk.arange(9.0).reshape(1, 1, 3, 3), 2, ceil_mode=True)[0, 0]
    tensor([[2.0000, 3.5000],
            [6.5000, 8.0000]])
    """
    x, unbatched = batched(input, 2)
    kernel, stride, padding, _, pads, out_hw = _pool_args(
        "avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode
    )
    out = AvgPool2d.apply(
        x,
        kernel=kernel,
        stride=stride,
        pads=pads,
        padding=padding,
        out_hw=out_hw,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )
    return _unbatch(out, unbatched)


def _as_2d(op: str, x: Tensor) -> tuple[Tensor, bool]:
    """(N, C, L) or (C, L) → (N, C, 1, L)."""
    if x.ndim not in (2, 3):
        raise ValueError(f"{op}: expected input (N, C, L) or (C, L), got shape {x.shape}")
    unbatched = x.ndim == 2
    return unsqueeze(unsqueeze(x, 0) if unbatched else x, 2), unbatched


def _from_2d(out: Tensor, unbatched: bool) -> Tensor:
    out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return squeeze(out, 0) if unbatched else out


def _single(value, name: str) -> int:
    if isinstance(value, (int, xp.integer)):
        return int(value)
    if len(value) != 1:
        raise ValueError(f"{name} must be an int or a 1-tuple, got {value!r}")
    return int(value[0])


def _one(value, default, name: str):
    """A 1-d argument as the (1, value) pair of the equivalent height-1 2-d pooling."""
    return (1, _single(default if value is None else value, name))


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """1-D max pooling: :func:`max_pool2d` on a height-1 image; the indices index L.

    Shape
    -----
    Input (N, C, L) or (C, L), output (N, C, L_out), L_out = ⌊(L + 2P − D(k − 1) − 1)/S⌋ + 1
    (⌈·⌉ with ``ceil_mode``, less one if the last window would start past L + P).
    """
    x, unbatched = _as_2d("max_pool1d", input)
    out = max_pool2d(
        x,
        _one(kernel_size, None, "kernel_size"),
        _one(stride, kernel_size, "stride"),
        (0, _single(padding, "padding")),
        _one(dilation, 1, "dilation"),
        ceil_mode,
        return_indices,
    )
    if return_indices:
        return _from_2d(out[0], unbatched), _from_2d(out[1], unbatched)
    return _from_2d(out, unbatched)


def avg_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling: :func:`avg_pool2d` on a height-1 image.

    Shape
    -----
    Input (N, C, L) or (C, L), output (N, C, L_out), L_out = ⌊(L + 2P − k)/S⌋ + 1 (⌈·⌉
    with ``ceil_mode``, less one if the last window would start past L + P).
    """
    x, unbatched = _as_2d("avg_pool1d", input)
    out = avg_pool2d(
        x,
        _one(kernel_size, None, "kernel_size"),
        _one(stride, kernel_size, "stride"),
        (0, _single(padding, "padding")),
        ceil_mode,
        count_include_pad,
    )
    return _from_2d(out, unbatched)
