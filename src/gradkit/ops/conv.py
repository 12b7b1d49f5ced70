"""Convolution (concepts CNN-CONV, CNN-PAD, CNN-SIZE, CNN-STRIDE): ``conv1d``, ``conv2d``
and ``conv_transpose2d`` with PyTorch's semantics (NCHW, cross-correlation, groups).

The direct path is im2col + one GEMM. Inside the kernel the input is laid out
channel-major, batch-last, ``(C, H, W, N)``: a kernel offset's view of it then moves in
contiguous runs of Wo·N values (stride 1), not of Wo as in NCHW or CNHW, which makes
im2col and its adjoint 2-3× faster for small images. The output is returned as a
(N, C, H, W) view of that layout, so the next layer's transpose is free. ``im2col``
gathers the ``kh·kw`` shifted, strided views of the padded input into
``cols (C, kh, kw, Ho, Wo, N)``; the convolution is then

    out[o, (y, x, n)] = Σ_(c, i, j) W[o, (c, i, j)] · cols[(c, i, j), (y, x, n)]

one matmul per group. Its adjoint ``col2im`` adds the column gradients back into the
padded input with one strided slice-add per kernel offset (no ``np.add.at``, no loop
over samples or pixels). The transposed convolution is the same pair used the other
way round. The large temporaries (padded input, columns, GEMM outputs) come from
:func:`scratch`, which hands a buffer out again once nothing refers to it: a fresh
multi-megabyte array costs its page faults on every step. ``algorithm="fft"`` routes
``conv2d`` through :mod:`gradkit.ops.fft_conv`.

Higher-order gradients (``create_graph=True``): both gradients of a convolution are
bilinear, ∂L/∂x = :class:`ConvInputGrad` (G, W) (a transposed convolution) and
∂L/∂W = :class:`ConvWeightGrad` (x, G) (a correlation of the input with G). Recorded as
Functions of their own, whose forward is the NumPy code above and whose backward is
again one of :class:`Conv2d`, ``ConvInputGrad`` and ``ConvWeightGrad``, they give
gradients of any order; the first-order backward stays the fused NumPy path.

Output size along each spatial axis (concept CNN-SIZE), with dilation D:

    N = ⌊(W − D·(F − 1) − 1 + 2P) / S⌋ + 1      (D = 1: N = (W − F + 2P)/S + 1)
"""

from __future__ import annotations

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import scratch, xp
from gradkit.ops.reduce import sum as _sum
from gradkit.ops.shape import reshape, squeeze, unsqueeze
from gradkit.validation import check_ints

Pads = tuple[tuple[int, int], tuple[int, int]]

#: Kernel side from which ``algorithm="auto"`` picks the FFT path (stride 1, dilation 1):
#: the crossover ``benchmarks/bench_cnn.py`` measured for forward + backward on
#: 8×16×32×32 → 16 channels with 2 BLAS threads on an idle 2-core machine (FFT 1.47× the
#: direct time at 7×7, 0.55× at 9×9; with 1 thread the crossover is 7).
FFT_MIN_KERNEL = 9

_ALGORITHMS = ("auto", "direct", "fft")


# ---------------------------------------------------------------- sizes and arguments
def pair(value, name: str) -> tuple[int, int]:
    """``value`` as a pair of ints (an int is used for both spatial axes)."""
    if value.__class__ is int:  # called on every forward: the common cases first
        return value, value
    if value.__class__ is tuple and len(value) == 2:
        a, b = value
        if a.__class__ is int and b.__class__ is int:
            return value
    return check_ints("", name, value, 2, low=None)


def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding=0, dilation: int = 1
) -> int:
    """Output length of a convolution or pooling window along one axis (concept CNN-SIZE).

    N = ⌊(W − D·(F − 1) − 1 + 2P) / S⌋ + 1, which is (W − F + 2P)/S + 1 for D = 1.

    Parameters
    ----------
    size : int
        Input length W.
    kernel_size : int
        Filter length F.
    stride : int
        Step S between windows.
    padding : int or (int, int)
        P zeros on each side, or a (before, after) pair whose sum replaces 2P.
    dilation : int
        Spacing D between filter taps; the window spans D·(F − 1) + 1 inputs.

    Returns
    -------
    int
        N (it may be < 1 when the window does not fit).

    Examples
    --------
    >>> conv_output_size(32, 5)  # valid: 32 − 5 + 1
    28
    >>> conv_output_size(28, 3, stride=2, padding=1)
    14
    """
    total = 2 * padding if isinstance(padding, int) else sum(padding)
    return (size + total - dilation * (kernel_size - 1) - 1) // stride + 1


def checked_output_size(
    op: str, axis: str, size: int, kernel: int, stride: int, pads, dilation: int
) -> int:
    """``conv_output_size`` that raises a ``ValueError`` quoting the formula with the
    actual numbers when the output would be empty."""
    if stride < 1 or dilation < 1 or kernel < 1:
        raise ValueError(
            f"{op}: stride, dilation and kernel size must be >= 1, got stride={stride}, "
            f"dilation={dilation}, kernel size={kernel} on the {axis} axis"
        )
    n = conv_output_size(size, kernel, stride, pads, dilation)
    if n < 1:
        span = dilation * (kernel - 1) + 1
        if isinstance(pads, int) or pads[0] == pads[1]:
            p = pads if isinstance(pads, int) else pads[0]
        else:
            p = f"({pads[0]}+{pads[1]})/2"
        raise ValueError(
            f"{op}: the {axis} axis is too small: N = (W − F + 2P)/S + 1 = "
            f"({size} − {span} + 2·{p})/{stride} + 1 = {n} < 1 (W input size {size}, "
            f"F effective kernel {span} = dilation {dilation}·({kernel} − 1) + 1, "
            f"P padding, S stride {stride}). Use a larger input, more padding or a "
            "smaller kernel."
        )
    return n


def resolve_padding(padding, kernel: tuple[int, int], stride, dilation) -> Pads:
    """Padding argument → ((top, bottom), (left, right)) (concept CNN-PAD).

    ``"valid"`` is no padding (N = W − F + 1); ``"same"`` pads D·(F − 1) in total so that
    N = W (stride 1 only), the odd extra zero going after, as PyTorch does.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if tuple(stride) != (1, 1):
                raise ValueError(
                    f"padding='same' needs stride 1, got stride {tuple(stride)}; "
                    "pass an explicit padding for strided convolutions."
                )
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    return (ph, ph), (pw, pw)


# ---------------------------------------------------------------- im2col kernels
def spatial_slices(i: int, j: int, stride, dilation, out_hw) -> tuple[slice, slice]:
    """Row and column slices picking ``a[D_h·i + S_h·y, D_w·j + S_w·x]``, y < Ho, x < Wo."""
    (sh, sw), (dh, dw), (ho, wo) = stride, dilation, out_hw
    return (
        slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
        slice(j * dw, j * dw + sw * (wo - 1) + 1, sw),
    )


def to_chwn(x, pads: Pads, value: float = 0.0):
    """``x (N, C, H, W)`` → ``(C, H + t + b, W + l + r, N)`` padded with ``value``."""
    (t, b), (l, r) = pads
    xc = x.transpose(1, 2, 3, 0)
    if not (t or b or l or r):
        return xc
    c, h, w, n = xc.shape
    out = scratch((c, h + t + b, w + l + r, n), x.dtype)
    out.fill(value)
    out[:, t : t + h, l : l + w] = xc
    return out


def im2col(xc, kernel, stride, dilation, out_hw):
    """Patches of ``xc (C, Hp, Wp, N)`` as ``cols (C, kh, kw, Ho, Wo, N)`` (one copy)."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    win = xp.lib.stride_tricks.sliding_window_view(xc, span, axis=(1, 2))
    win = win[:, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, :, ::dh, ::dw]
    win = win.transpose(0, 4, 5, 1, 2, 3)
    cols = scratch(win.shape, xc.dtype)
    xp.copyto(cols, win)
    return cols


def col2im(cols, shape, stride, dilation):
    """Adjoint of :func:`im2col`: add ``cols (C, kh, kw, Ho, Wo, N)`` into a zero array of
    ``shape (C, Hp, Wp, N)``, one strided slice per kernel offset."""
    _, kh, kw, ho, wo, _ = cols.shape
    out = scratch(shape, cols.dtype)
    out.fill(0)
    for i in range(kh):
        for j in range(kw):
            rows, columns = spatial_slices(i, j, stride, dilation, (ho, wo))
            out[:, rows, columns] += cols[:, i, j]
    return out


def _grouped(a, groups: int):
    """``(C, ..., H, W, N)`` → ``(groups, rows, H·W·N)``: one matrix per group for the
    GEMM (the rows of group k are its C/groups channels times any kernel offsets)."""
    h, w, n = a.shape[-3:]
    return a.reshape(groups, -1, h * w * n)


# ---------------------------------------------------------------- the two gradients
def _input_grad(gm, g_shape, w, stride, pads: Pads, dilation, groups: int, x_hw):
    """∂L/∂x of a convolution from ``gm``, the output gradient of shape ``g_shape``
    (N, O, Ho, Wo) as (groups, O/g, Ho·Wo·N) matrices: ``cols = Wᵀ · G`` per group,
    then ``col2im`` onto the padded input (C, H + t + b, W + l + r, N) and the crop to
    (N, C, H, W)."""
    o, cg, kh, kw = w.shape
    n = g_shape[0]
    wt = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)
    gcols = xp.matmul(wt, gm, out=scratch((groups, wt.shape[1], gm.shape[-1]), gm.dtype))
    gcols = gcols.reshape(cg * groups, kh, kw, *g_shape[2:], n)
    (t, b), (l, r) = pads
    h, wd = x_hw
    gxc = col2im(gcols, (cg * groups, h + t + b, wd + l + r, n), stride, dilation)
    return gxc[:, t : t + h, l : l + wd].transpose(3, 0, 1, 2)


def _weight_grad(cols, gm, w_shape):
    """∂L/∂W = G · colsᵀ per group, from ``cols (groups, C/g·kh·kw, M)`` and
    ``gm (groups, O/g, M)``."""
    # colsᵀ-major product: BLAS runs (K, M)·(M, O) ~1.6× faster than (O, M)·(M, K)
    return (cols @ gm.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w_shape)


def _run(fn, *inputs, **options):
    """``fn`` on ``inputs``: recorded with ``fn.apply`` when any is a Tensor (a backward
    walked with ``create_graph=True``, where saved arrays of inputs that need no gradient
    stay arrays), arrays in and out otherwise."""
    if any(isinstance(t, Tensor) for t in inputs):
        tensors = [t if isinstance(t, Tensor) else new_tensor(t) for t in inputs]
        return fn.apply(*tensors, **options)
    return fn.apply(*[new_tensor(a) for a in inputs], **options)._data


def conv_grads_graph(g, x, w, x_shape, w_shape, opts, needs) -> tuple:
    """The gradients of ``conv2d(x, w, b)`` for ``create_graph=True``, as recorded
    :class:`ConvInputGrad`, :class:`ConvWeightGrad` and a sum (``x`` and ``w`` may be
    None where their gradient is not needed)."""
    stride, pads, dilation, groups = opts
    nx, nw, *nb = needs
    kw = dict(stride=stride, pads=pads, dilation=dilation, groups=groups)
    gx = _run(ConvInputGrad, g, w, **kw, x_hw=x_shape[2:]) if nx else None
    gw = _run(ConvWeightGrad, x, g, **kw, kernel=w_shape[2:]) if nw else None
    gb = _sum(g, axis=(0, 2, 3)) if nb and nb[0] else None
    return gx, gw, gb


# ---------------------------------------------------------------- functions
class Conv2d(Function):
    """y[n, o] = b[o] + Σ_c Σ_(i, j) W[o, c, i, j] · x_pad[n, c, S·y + D·i, S·x + D·j].

    Backward: ∂L/∂W = G · colsᵀ, ∂L/∂cols = Wᵀ · G then ``col2im``, ∂L/∂b = Σ G (each
    per group, G being the output gradient as an (O, Ho·Wo·N) matrix). ``out_hw`` asks
    for the first (Ho, Wo) windows only (the adjoint of a transposed convolution).
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, w, b=None, *, stride, pads, dilation, groups, out_hw=None):
        o, _, kh, kw = w.shape
        n = x.shape[0]
        xc = to_chwn(x, pads)
        if out_hw is None:
            out_hw = tuple(
                conv_output_size(s, k, st, 0, d)
                for s, k, st, d in zip(xc.shape[1:3], (kh, kw), stride, dilation)
            )
        cols = _grouped(im2col(xc, (kh, kw), stride, dilation, out_hw), groups)
        w2 = w.reshape(groups, o // groups, -1)
        out = xp.matmul(w2, cols, out=scratch((groups, o // groups, cols.shape[-1]), x.dtype))
        out = out.reshape(o, *out_hw, n)
        if b is not None:
            out += b[:, None, None, None]
        ctx.cols, ctx.w, ctx.x_shape = cols, w, x.shape
        if ctx.needs_input_grad[1]:
            ctx.x = x  # only for create_graph: ∂L/∂W then runs as ConvWeightGrad(x, G)
        ctx.opts = stride, pads, dilation, groups
        return out.transpose(3, 0, 1, 2)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            x = getattr(ctx, "x", None)
            return conv_grads_graph(
                g, x, ctx.w, ctx.x_shape, ctx.w.shape, ctx.opts, ctx.needs_input_grad
            )
        stride, pads, dilation, groups = ctx.opts
        w = ctx.w
        nx, nw, *nb = ctx.needs_input_grad
        gm = _grouped(g.transpose(1, 2, 3, 0), groups)  # (groups, O/g, Ho·Wo·N)
        gx = gw = gb = None
        if nx:
            gx = _input_grad(gm, g.shape, w, stride, pads, dilation, groups, ctx.x_shape[2:])
        if nw:
            gw = _weight_grad(ctx.cols, gm, w.shape)
        if nb and nb[0]:
            gb = gm.sum(axis=-1).reshape(w.shape[0])
        return gx, gw, gb


class ConvInputGrad(Function):
    """∂L/∂x of :class:`Conv2d` as an op of (G, W): gx = col2im(Wᵀ · G), cropped to
    ``x_hw``. It is bilinear; with GG the gradient of its output,
    ∂/∂G ⟨GG, gx⟩ = conv2d(GG, W) and ∂/∂W ⟨GG, gx⟩ = ConvWeightGrad(GG, G).

    Shape: G (N, O, Ho, Wo), W (O, C/groups, kh, kw), output (N, C, *x_hw).
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, g, w, *, stride, pads, dilation, groups, x_hw):
        ctx.w, ctx.g_hw = w, g.shape[2:]
        if ctx.needs_input_grad[1]:
            ctx.g = g
        ctx.opts = stride, pads, dilation, groups
        gm = _grouped(g.transpose(1, 2, 3, 0), groups)
        return _input_grad(gm, g.shape, w, stride, pads, dilation, groups, x_hw)

    @staticmethod
    def backward(ctx, gg):
        stride, pads, dilation, groups = ctx.opts
        kw = dict(stride=stride, pads=pads, dilation=dilation, groups=groups)
        ng, nw = ctx.needs_input_grad
        dg = _run(Conv2d, gg, ctx.w, **kw, out_hw=ctx.g_hw) if ng else None
        dw = _run(ConvWeightGrad, gg, ctx.g, **kw, kernel=ctx.w.shape[2:]) if nw else None
        return dg, dw


class ConvWeightGrad(Function):
    """∂L/∂W of :class:`Conv2d` as an op of (x, G): gw = G · im2col(x)ᵀ per group. It is
    bilinear; with GW the gradient of its output, ∂/∂x ⟨GW, gw⟩ = ConvInputGrad(G, GW)
    and ∂/∂G ⟨GW, gw⟩ = conv2d(x, GW).

    Shape: x (N, C, H, W), G (N, O, Ho, Wo), output (O, C/groups, *kernel).
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, g, *, stride, pads, dilation, groups, kernel):
        nx, ng = ctx.needs_input_grad
        if nx:
            ctx.g = g
        if ng:
            ctx.x = x
        ctx.x_hw, ctx.g_hw = x.shape[2:], g.shape[2:]
        ctx.opts = stride, pads, dilation, groups
        cols = _grouped(im2col(to_chwn(x, pads), kernel, stride, dilation, g.shape[2:]), groups)
        gm = _grouped(g.transpose(1, 2, 3, 0), groups)
        return _weight_grad(cols, gm, (g.shape[1], x.shape[1] // groups, *kernel))

    @staticmethod
    def backward(ctx, gw):
        stride, pads, dilation, groups = ctx.opts
        kw = dict(stride=stride, pads=pads, dilation=dilation, groups=groups)
        nx, ng = ctx.needs_input_grad
        dx = _run(ConvInputGrad, ctx.g, gw, **kw, x_hw=ctx.x_hw) if nx else None
        dg = _run(Conv2d, ctx.x, gw, **kw, out_hw=ctx.g_hw) if ng else None
        return dx, dg


class ConvTranspose2d(Function):
    """The adjoint of :class:`Conv2d` with respect to its input (a "deconvolution"):
    ``cols = Wᵀ · x`` then ``col2im`` onto the enlarged output, cropped by the padding.
    W has shape (C_in, C_out/groups, kh, kw), as in PyTorch.

    It is :class:`ConvInputGrad` of a convolution of the output with W, padded by
    (P, full − P − H_out) on each axis; so ∂L/∂x = conv2d(G, W) (its first H × W
    windows) and ∂L/∂W = ConvWeightGrad(G, x), which ``create_graph=True`` records.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, w, b=None, *, stride, padding, output_padding, dilation, groups):
        cin, cog, kh, kw = w.shape
        n, _, h, wd = x.shape
        out_hw = tuple(
            (s - 1) * st - 2 * p + d * (k - 1) + op + 1
            for s, st, p, d, k, op in zip(
                (h, wd), stride, padding, dilation, (kh, kw), output_padding
            )
        )
        full = tuple(
            max((s - 1) * st + d * (k - 1) + 1, p + so)
            for s, st, d, k, p, so in zip((h, wd), stride, dilation, (kh, kw), padding, out_hw)
        )
        xm = _grouped(x.transpose(1, 2, 3, 0), groups)  # (groups, C_in/g, H·W·N)
        w2 = w.reshape(groups, cin // groups, -1)
        cols = (w2.transpose(0, 2, 1) @ xm).reshape(cog * groups, kh, kw, h, wd, n)
        outc = col2im(cols, (cog * groups, *full, n), stride, dilation)
        (ph, pw), (oh, ow) = padding, out_hw
        outc = outc[:, ph : ph + oh, pw : pw + ow]
        if b is not None:
            outc += b[:, None, None, None]
        ctx.xm, ctx.w, ctx.full, ctx.in_hw = xm, w, full, (h, wd)
        if ctx.needs_input_grad[1]:
            ctx.x = x  # only for create_graph: ∂L/∂W then runs as ConvWeightGrad(G, x)
        ctx.opts = stride, padding, dilation, groups
        return outc.transpose(3, 0, 1, 2)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return _conv_transpose_grads_graph(ctx, g)
        stride, (ph, pw), dilation, groups = ctx.opts
        w = ctx.w
        cin, cog, kh, kw = w.shape
        nx, nw, *nb = ctx.needs_input_grad
        n, co, oh, ow = g.shape
        gc = xp.zeros((co, *ctx.full, n), dtype=g.dtype)
        gc[:, ph : ph + oh, pw : pw + ow] = g.transpose(1, 2, 3, 0)
        cols = _grouped(im2col(gc, (kh, kw), stride, dilation, ctx.in_hw), groups)
        gx = gw = gb = None
        if nx:
            gxm = w.reshape(groups, cin // groups, -1) @ cols
            gx = gxm.reshape(cin, *ctx.in_hw, n).transpose(3, 0, 1, 2)
        if nw:
            gw = (ctx.xm @ cols.transpose(0, 2, 1)).reshape(w.shape)
        if nb and nb[0]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb


def _conv_transpose_grads_graph(ctx, g) -> tuple:
    """:class:`ConvTranspose2d`'s gradients as recorded ops (``create_graph=True``)."""
    stride, padding, dilation, groups = ctx.opts
    nx, nw, *nb = ctx.needs_input_grad
    out_hw = g.shape[2:]
    pads = tuple((p, f - p - s) for p, f, s in zip(padding, ctx.full, out_hw))
    kw = dict(stride=stride, pads=pads, dilation=dilation, groups=groups)
    gx = _run(Conv2d, g, ctx.w, **kw, out_hw=ctx.in_hw) if nx else None
    gw = _run(ConvWeightGrad, g, ctx.x, **kw, kernel=ctx.w.shape[2:]) if nw else None
    gb = _sum(g, axis=(0, 2, 3)) if nb and nb[0] else None
    return gx, gw, gb


# ---------------------------------------------------------------- functional forms
def _check_conv_args(op: str, x: Tensor, w: Tensor, b, groups: int, transposed: bool) -> None:
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(
            f"{op}: expected input (N, C, H, W) and a 4-d weight, got input shape {x.shape} "
            f"and weight shape {w.shape}"
        )
    if groups < 1 or x.shape[1] % groups:
        raise ValueError(f"{op}: {x.shape[1]} input channels are not divisible by {groups} groups")
    c_in = w.shape[0] if transposed else w.shape[1] * groups
    if c_in != x.shape[1]:
        raise ValueError(
            f"{op}: input has {x.shape[1]} channels but the weight {w.shape} expects "
            f"{c_in} (groups={groups})"
        )
    c_out = w.shape[1] * groups if transposed else w.shape[0]
    if not transposed and c_out % groups:
        raise ValueError(f"{op}: {c_out} output channels are not divisible by {groups} groups")
    if b is not None and b.shape != (c_out,):
        raise ValueError(f"{op}: bias must have shape ({c_out},), got {b.shape}")
    dtypes = {t.dtype for t in (x, w, b) if t is not None}
    if len(dtypes) > 1:
        raise TypeError(f"{op}: input, weight and bias dtypes differ: {sorted(map(str, dtypes))}")


def batched(x: Tensor, spatial: int) -> tuple[Tensor, bool]:
    """Accept an unbatched input (C, *spatial) by adding N = 1, as PyTorch does."""
    if x.ndim == spatial + 1:
        return unsqueeze(x, 0), True
    return x, False


def conv2d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
    *,
    algorithm: str = "auto",
) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d`` (concept CNN-CONV).

    y[n, o, y, x] = b[o] + Σ_(c ∈ group(o)) Σ_(i, j) W[o, c, i, j] · x_pad[n, c, S_h·y + D_h·i,
    S_w·x + D_w·j]

    Parameters
    ----------
    input : Tensor
        (N, C_in, H, W) or unbatched (C_in, H, W).
    weight : Tensor
        (C_out, C_in/groups, kh, kw).
    bias : Tensor, optional
        (C_out,).
    stride, dilation : int or (int, int)
    padding : int, (int, int), "valid" or "same"
        Zeros added on each side (concept CNN-PAD); "same" keeps H × W (stride 1).
    groups : int
        Split the channels into ``groups`` independent convolutions.
    algorithm : {"auto", "direct", "fft"}
        "direct" is im2col + GEMM, "fft" multiplies spectra (concept T-FFT); "auto" takes
        the FFT for kernels of at least ``FFT_MIN_KERNEL`` taps a side at stride 1,
        dilation 1. All give the same results up to rounding.

    Returns
    -------
    Tensor
        (N, C_out, H_out, W_out) with H_out = ⌊(H + 2P − D(kh − 1) − 1)/S⌋ + 1.

    Shape
    -----
    Input (N, C_in, H, W), weight (C_out, C_in/groups, kh, kw), output (N, C_out, H_out,
    W_out).

    Examples
    --------
    >>> import gradkit as gk
    >>> x, w = gk.ones(1, 1, 4, 4), gk.ones(2, 1, 3, 3)
    >>> conv2d(x, w, padding="same").shape
    (1, 2, 4, 4)
    >>> conv2d(x, w, stride=2, padding=1)[0, 0]
    tensor([[4., 6.],
            [6., 9.]])
    """
    if algorithm not in _ALGORITHMS:
        raise ValueError(f"conv2d: algorithm must be one of {_ALGORITHMS}, got {algorithm!r}")
    x, unbatched = batched(input, 2)
    _check_conv_args("conv2d", x, weight, bias, groups, transposed=False)
    kernel = weight.shape[2:]
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    pads = resolve_padding(padding, kernel, stride, dilation)
    for axis, s, k, st, p, d in zip(
        ("height", "width"), x.shape[2:], kernel, stride, pads, dilation
    ):
        checked_output_size("conv2d", axis, s, k, st, p, d)
    if algorithm == "auto":
        big = min(kernel) >= FFT_MIN_KERNEL and stride == (1, 1) and dilation == (1, 1)
        algorithm = "fft" if big else "direct"
    if algorithm == "fft":
        from gradkit.ops.fft_conv import Conv2dFFT as fn
    else:
        fn = Conv2d
    tensors = (x, weight) if bias is None else (x, weight, bias)
    out = fn.apply(*tensors, stride=stride, pads=pads, dilation=dilation, groups=groups)
    return squeeze(out, 0) if unbatched else out


def conv1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding=0,
    dilation: int = 1,
    groups: int = 1,
    *,
    algorithm: str = "auto",
) -> Tensor:
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``: :func:`conv2d` on a
    height-1 image.

    y[n, o, t] = b[o] + Σ_(c ∈ group(o)) Σ_i W[o, c, i] · x_pad[n, c, S·t + D·i]

    Shape
    -----
    Input (N, C_in, L) or (C_in, L), weight (C_out, C_in/groups, k), output
    (N, C_out, L_out) with L_out = ⌊(L + 2P − D(k − 1) − 1)/S⌋ + 1.
    """
    x, unbatched = batched(input, 1)
    if x.ndim != 3 or weight.ndim != 3:
        raise ValueError(
            f"conv1d: expected input (N, C, L) and weight (C_out, C_in/groups, k), got "
            f"{input.shape} and {weight.shape}"
        )
    if isinstance(padding, str):
        pad2 = padding
    else:
        pad2 = (0, pair(padding, "padding")[0]) if isinstance(padding, int) else (0, padding[0])
    out = conv2d(
        unsqueeze(x, 2),
        unsqueeze(weight, 2),
        bias,
        (1, _single(stride)),
        pad2,
        (1, _single(dilation)),
        groups,
        algorithm=algorithm,
    )
    out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return squeeze(out, 0) if unbatched else out


def _single(value) -> int:
    return int(value if isinstance(value, (int, xp.integer)) else value[0])


def conv_transpose2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    output_padding=0,
    groups: int = 1,
    dilation=1,
) -> Tensor:
    """Transposed 2-D convolution, as ``torch.nn.functional.conv_transpose2d``: the
    gradient of :func:`conv2d` with respect to its input, used to upsample.

    H_out = (H − 1)·S − 2P + D·(kh − 1) + output_padding + 1

    Shape
    -----
    Input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kh, kw), output
    (N, C_out, H_out, W_out).
    """
    x, unbatched = batched(input, 2)
    _check_conv_args("conv_transpose2d", x, weight, bias, groups, transposed=True)
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    padding, output_padding = pair(padding, "padding"), pair(output_padding, "output_padding")
    for op, st, d in zip(output_padding, stride, dilation):
        if op < 0 or op >= max(st, d):
            raise ValueError(
                f"conv_transpose2d: output_padding {output_padding} must be smaller than "
                f"stride {stride} or dilation {dilation}"
            )
    for s, st, p, d, k, op in zip(
        x.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding
    ):
        if (s - 1) * st - 2 * p + d * (k - 1) + op + 1 < 1:
            raise ValueError(
                f"conv_transpose2d: output size (W − 1)·S − 2P + D·(F − 1) + output_padding "
                f"+ 1 = ({s} − 1)·{st} − 2·{p} + {d}·({k} − 1) + {op} + 1 < 1 for input "
                f"{tuple(x.shape)}; use less padding."
            )
    tensors = (x, weight) if bias is None else (x, weight, bias)
    out = ConvTranspose2d.apply(
        *tensors,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )
    return squeeze(out, 0) if unbatched else out
