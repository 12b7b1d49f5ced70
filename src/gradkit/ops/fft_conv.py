"""FFT convolution (concept T-FFT): the same cross-correlation as
:class:`gradkit.ops.conv.Conv2d`, computed by multiplying spectra.

With the padded input x (size Hp × Wp) and the dilated kernel w, both transformed at size
Hp × Wp, the convolution theorem gives the circular cross-correlation

    x ⋆ w = IFFT( FFT(x) · conj(FFT(w)) ),

which equals the linear one at the Ho₁ = Hp − D(kh − 1) positions the kernel fits in
(nothing wraps around there); a stride keeps every S-th of them. Channels mix by a
matmul per frequency: Y[f, n, o] = Σ_c X[f, n, c] · conj(W[f, o, c]). The gradients are
spectra products too:

    ∂L/∂x = IFFT( G · W )             (a full convolution of the upstream gradient),
    ∂L/∂w = IFFT( conj(G) · X )       (the correlation of the input with the gradient),

with G the transform of the output gradient placed back on the stride-1 grid. The cost
does not grow with the kernel size, so FFT wins over im2col for large kernels.

With ``create_graph=True`` the gradients are recorded as the direct path's
:class:`~gradkit.ops.conv.ConvInputGrad` and :class:`~gradkit.ops.conv.ConvWeightGrad`
(the same bilinear maps), so higher-order gradients go through im2col.
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops.conv import conv_grads_graph


def _dilate(w, dilation):
    """(O, C, kh, kw) → (O, C, D(kh − 1) + 1, D(kw − 1) + 1) with zeros between taps."""
    (dh, dw) = dilation
    if dilation == (1, 1):
        return w
    o, c, kh, kw = w.shape
    out = xp.zeros((o, c, dh * (kh - 1) + 1, dw * (kw - 1) + 1), dtype=w.dtype)
    out[:, :, ::dh, ::dw] = w
    return out


def _by_frequency(spec, groups: int):
    """(C, M, Fh, Fw) spectrum → (F, groups, M, C/groups) for one matmul per frequency
    (an input spectrum (C, N, ...) becomes (F, g, N, C/g), a kernel's (O, C/g, ...)
    becomes (F, g, C/g, O/g))."""
    c, m, fh, fw = spec.shape
    return spec.reshape(groups, c // groups, m, fh * fw).transpose(3, 0, 2, 1)


def _from_frequency(prod, c: int, fh: int, fw: int):
    """Inverse of :func:`_by_frequency`: (F, groups, M, C/groups) → (C, M, Fh, Fw)."""
    _, groups, m, _ = prod.shape
    return prod.transpose(1, 3, 2, 0).reshape(c, m, fh, fw)


class Conv2dFFT(Function):
    """:class:`~gradkit.ops.conv.Conv2d` through the FFT; same options, same results."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, w, b=None, *, stride, pads, dilation, groups):
        o = w.shape[0]
        xc = xp.pad(x, ((0, 0), (0, 0), *pads)).transpose(1, 0, 2, 3)  # (C, N, Hp, Wp)
        c, n, hp, wp = xc.shape
        wd = _dilate(w, dilation)
        span = wd.shape[2:]
        size = (hp, wp)
        xf = _by_frequency(xp.fft.rfft2(xc, s=size), groups)  # (F, g, N, C/g)
        wf = _by_frequency(xp.fft.rfft2(wd, s=size), groups)  # (F, g, C/g, O/g)
        fh, fw = hp, wp // 2 + 1
        yf = _from_frequency(xf @ wf.conj(), o, fh, fw)
        full = xp.fft.irfft2(yf, s=size)  # (O, N, Hp, Wp): all stride-1 positions
        (sh, sw) = stride
        ho, wo = (hp - span[0]) // sh + 1, (wp - span[1]) // sw + 1
        out = full[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw].astype(x.dtype)
        if b is not None:
            out += b[:, None, None, None]
        ctx.xf, ctx.wf, ctx.size, ctx.span = xf, wf, size, span
        ctx.x_shape, ctx.w_shape, ctx.c = x.shape, w.shape, c
        ctx.opts = stride, pads, dilation, groups
        nx, nw = ctx.needs_input_grad[:2]
        if nx:
            ctx.w = w  # only for create_graph (see the module docstring)
        if nw:
            ctx.x = x
        return out.transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            x, w = getattr(ctx, "x", None), getattr(ctx, "w", None)
            return conv_grads_graph(
                g, x, w, ctx.x_shape, ctx.w_shape, ctx.opts, ctx.needs_input_grad
            )
        (sh, sw), pads, (dh, dw), groups = ctx.opts
        nx, nw, *nb = ctx.needs_input_grad
        size, dtype = ctx.size, g.dtype
        n, o, ho, wo = g.shape
        g1 = xp.zeros((o, n, *size), dtype=dtype)  # the gradient on the stride-1 grid
        g1[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw] = g.transpose(1, 0, 2, 3)
        gf = _by_frequency(xp.fft.rfft2(g1, s=size), groups)  # (F, g, N, O/g)
        fh, fw = size[0], size[1] // 2 + 1
        gx = gw = gb = None
        if nx:
            gxf = _from_frequency(gf @ ctx.wf.transpose(0, 1, 3, 2), ctx.c, fh, fw)
            gxc = xp.fft.irfft2(gxf, s=size).astype(dtype)
            (t, _), (l, _) = pads
            h, w_ = ctx.x_shape[2:]
            gx = gxc[:, :, t : t + h, l : l + w_].transpose(1, 0, 2, 3)
        if nw:
            gwf = gf.conj().transpose(0, 1, 3, 2) @ ctx.xf  # (F, g, O/g, C/g)
            gwf = _from_frequency(gwf.transpose(0, 1, 3, 2), o, fh, fw)
            gwd = xp.fft.irfft2(gwf, s=size)  # (O, C/g, Hp, Wp)
            kh, kw = ctx.span
            gw = gwd[:, :, :kh:dh, :kw:dw].astype(dtype)
        if nb and nb[0]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb
