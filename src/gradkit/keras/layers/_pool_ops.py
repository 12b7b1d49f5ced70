"""Keras's pooling semantics on gradkit's pooling kernels (concept CNN-POOL).

Windows of ``pool_size`` taps move by ``strides`` over the spatial axes of a
channels-last ``(N, *spatial, C)`` input. ``padding="valid"`` keeps the windows that
fit, ⌊(L − k)/S⌋ + 1 per axis; ``"same"`` gives ⌈L/S⌉ windows with Keras's split of
the padding (:func:`~gradkit.keras.layers._conv_ops.same_pads`: the odd element after),
and the padding takes no part in the result: max pooling pads with −∞ and average
pooling divides each window's sum by the number of real inputs in it,

    y[n, p, c] = (1 / |W_p ∩ input|) Σ_(q ∈ W_p ∩ input) x[n, q, c].
"""

from __future__ import annotations

from gradkit.keras.layers._conv_ops import channels_first, channels_last, same_pads
from gradkit.ops.conv import checked_output_size
from gradkit.ops.pool import AvgPool2d, MaxPool2d
from gradkit.ops.shape import reshape, unsqueeze


def pool(name: str, x, kind: str, pool_size, strides, padding: str, data_format: str):
    """Max (``kind="max"``) or average pooling of a 1-d or 2-d input.

    Shape
    -----
    x ``(N, *spatial, C)`` (``channels_first``: ``(N, C, *spatial)``), spatial (L,) or
    (H, W); output ``(N, *spatial_out, C)`` with ⌊(L − k)/S⌋ + 1 (``"valid"``) or
    ⌈L/S⌉ (``"same"``) per axis.
    """
    rank = len(pool_size)
    xc = channels_first(x, data_format)
    sizes = xc.shape[2:]
    if padding == "same":
        pads = tuple(same_pads(n, k, s, 1) for n, k, s in zip(sizes, pool_size, strides))
    else:
        pads = tuple((0, 0) for _ in sizes)
    axes = ("height", "width") if rank == 2 else ("steps",)
    out_hw = tuple(
        checked_output_size(name, *args)
        for args in zip(axes, sizes, pool_size, strides, pads, [1] * rank)
    )
    if rank == 1:
        xc = unsqueeze(xc, 2)
        pool_size, strides, out_hw = (1, *pool_size), (1, *strides), (1, *out_hw)
        pads = ((0, 0), *pads)
    opts = dict(kernel=tuple(pool_size), stride=tuple(strides), pads=tuple(pads), out_hw=out_hw)
    if kind == "max":
        out = MaxPool2d.apply(xc, **opts, dilation=(1, 1))
    else:
        out = AvgPool2d.apply(
            xc,
            **opts,
            padding=tuple(b for b, _ in pads),
            count_include_pad=False,
            divisor_override=None,
        )
    if rank == 1:
        out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return channels_last(out, data_format)
