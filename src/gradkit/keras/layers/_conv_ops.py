"""Keras's convolution semantics on gradkit's im2col kernels (concepts CNN-CONV,
CNN-PAD, CNN-SIZE, CNN-STRIDE).

Keras keeps images channels-last, ``(N, *spatial, C)``, and kernels as
``(*kernel, C_in/groups, C_out)``; gradkit's :class:`~gradkit.ops.conv.Conv2d` takes
``(N, C, H, W)`` and ``(C_out, C_in/groups, kh, kw)``. The layout changes at the edge
are views (the kernel's output is already a (N, C, H, W) view of a (C, H, W, N) buffer),
so no copy is made beyond the one im2col makes anyway. 1-d convolutions run as height-1
2-d ones.

``padding="same"`` is Keras's (and TensorFlow's): along an axis of length L with
stride S and effective kernel F = D·(k − 1) + 1, the output has ⌈L/S⌉ positions and
the total padding

    P = max(0, (⌈L/S⌉ − 1)·S + F − L)

is split as ⌊P/2⌋ before and the rest after (the odd zero goes at the end).
``"causal"`` (1-d only) pads F − 1 zeros before and none after, so output t sees inputs
≤ t.
"""

from __future__ import annotations

from gradkit.ops.conv import Conv2d, ConvTranspose2d, checked_output_size
from gradkit.ops.shape import pad, permute, reshape, unsqueeze


def same_pads(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """(before, after) zeros of Keras's ``"same"`` padding along one axis."""
    span = dilation * (kernel - 1) + 1
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + span - size)
    return total // 2, total - total // 2


def spatial_pads(padding: str, sizes, kernel, strides, dilation) -> tuple[tuple[int, int], ...]:
    """Per-axis (before, after) padding for ``"valid"``, ``"same"`` or ``"causal"``."""
    if padding == "valid":
        return tuple((0, 0) for _ in sizes)
    if padding == "causal":
        return tuple((d * (k - 1), 0) for k, d in zip(kernel, dilation))
    return tuple(same_pads(*args) for args in zip(sizes, kernel, strides, dilation))


def channels_first(x, data_format: str):
    """``(N, *spatial, C)`` → ``(N, C, *spatial)`` (a view); channels-first passes."""
    if data_format == "channels_first":
        return x
    return permute(x, 0, x.ndim - 1, *range(1, x.ndim - 1))


def channels_last(x, data_format: str):
    """``(N, C, *spatial)`` → ``(N, *spatial, C)`` (a view); channels-first passes."""
    if data_format == "channels_first":
        return x
    return permute(x, 0, *range(2, x.ndim), 1)


def torch_kernel(kernel):
    """Keras kernel ``(*k, C_in/groups, C_out)`` → gradkit's ``(C_out, C_in/groups, *k)``,
    a 1-d kernel as a height-1 2-d one."""
    if kernel.ndim == 3:
        kernel = unsqueeze(kernel, 0)
    return permute(kernel, 3, 2, 0, 1)


def conv(
    name: str,
    x,
    kernel,
    bias,
    strides,
    padding: str,
    dilation,
    groups: int,
    data_format: str,
):
    """Keras's ``ops.conv`` for 1-d and 2-d inputs, plus the bias.

    y[n, *p, o] = b[o] + Σ_(c ∈ group(o)) Σ_q K[*q, c, o] · x_pad[n, S·p + D·q, c]

    Shape
    -----
    x ``(N, *spatial, C_in)`` (``channels_first``: ``(N, C_in, *spatial)``), kernel
    ``(*k, C_in/groups, C_out)``, bias ``(C_out,)`` or None; spatial is (L,) or (H, W).
    Output ``(N, *spatial_out, C_out)`` with spatial_out = ⌊(L + P − F)/S⌋ + 1 per axis.
    """
    rank = kernel.ndim - 2
    xc = channels_first(x, data_format)
    sizes = xc.shape[2:]
    ksize = kernel.shape[:rank]
    pads = spatial_pads(padding, sizes, ksize, strides, dilation)
    axes = ("height", "width") if rank == 2 else ("steps",)
    for axis, size, k, s, p, d in zip(axes, sizes, ksize, strides, pads, dilation):
        checked_output_size(name, axis, size, k, s, p, d)
    if rank == 1:
        xc = unsqueeze(xc, 2)
        strides, dilation, pads = (1, *strides), (1, *dilation), ((0, 0), *pads)
    tensors = (xc, torch_kernel(kernel)) if bias is None else (xc, torch_kernel(kernel), bias)
    out = Conv2d.apply(
        *tensors, stride=tuple(strides), pads=tuple(pads), dilation=tuple(dilation), groups=groups
    )
    if rank == 1:
        out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return channels_last(out, data_format)


def transpose_crops(size: int, kernel: int, stride: int, dilation: int, padding: str, out_pad):
    """(before, after) amounts to crop from the full transposed convolution of length
    (L − 1)·S + F, F = D·(k − 1) + 1, to get Keras's output (negative: zeros to add).

    ``"valid"``: output (L − 1)·S + max(F, S) (+ ``output_padding`` in place of the
    max's excess); ``"same"``: output L·S, or (L − 1)·S + F mod 2 + ``output_padding``.
    """
    span = dilation * (kernel - 1) + 1
    if padding == "valid":
        out_pad = max(span, stride) - span if out_pad is None else out_pad
        left, right = span - 1, span - 1 + out_pad
    else:
        total = stride + span - 2 if out_pad is None else span + span % 2 - 2 + out_pad
        left = min(total // 2 + total % 2, span - 1)
        right = total - left
    return span - 1 - left, span - 1 - right


def conv_transpose(
    name: str, x, kernel, bias, strides, padding: str, output_padding, dilation, data_format
):
    """Keras's ``ops.conv_transpose`` (2-d), plus the bias: the adjoint of :func:`conv`.

    Shape
    -----
    x ``(N, H, W, C_in)``, kernel ``(kh, kw, C_out, C_in)``, bias ``(C_out,)``; output
    ``(N, H_out, W_out, C_out)`` with H_out = H·S (``"same"``) or (H − 1)·S + max(F, S)
    (``"valid"``), ``output_padding`` adjusting both.
    """
    xc = channels_first(x, data_format)
    out = ConvTranspose2d.apply(
        xc,
        permute(kernel, 3, 2, 0, 1),
        stride=tuple(strides),
        padding=(0, 0),
        output_padding=(0, 0),
        dilation=tuple(dilation),
        groups=1,
    )
    out_pad = (None, None) if output_padding is None else output_padding
    crops = [
        transpose_crops(*args, padding, op)
        for args, op in zip(zip(xc.shape[2:], kernel.shape[:2], strides, dilation), out_pad)
    ]
    index = [slice(None), slice(None)]
    for (before, after), n in zip(crops, out.shape[2:]):
        index.append(slice(max(before, 0), n - max(after, 0)))
    out = out[tuple(index)]
    if any(b < 0 or a < 0 for b, a in crops):
        out = pad(out, ((0, 0), (0, 0), *((max(-b, 0), max(-a, 0)) for b, a in crops)))
    if out.shape[2] < 1 or out.shape[3] < 1:
        raise ValueError(
            f"{name}: the output would be empty ({tuple(out.shape[2:])}) for input "
            f"{tuple(x.shape)}; use more output_padding or padding='same'."
        )
    if bias is not None:
        out = out + reshape(bias, 1, -1, 1, 1)
    return channels_last(out, data_format)
