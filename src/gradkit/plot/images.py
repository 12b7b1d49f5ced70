"""Images in a grid: dataset samples, and a convolution layer's kernels."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gradkit.plot._core import as_array, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _as_images(owner: str, images, channels_last: bool | None = None) -> np.ndarray:
    """(n, H, W) grey or (n, H, W, C) colour, from channels-last or channels-first input.

    4-D input with C in {1, 3, 4}: channels-last (n, H, W, C) or channels-first
    (n, C, H, W), PyTorch's layout, moved last. ``channels_last=None`` decides from the
    shape: the axis that can be a channel count is it, and when both can, axis 1 of
    size 1 or 3 (channels-first) wins. One channel is squeezed.
    """
    x = as_array(owner, "images", images, ndim=(2, 3, 4), dtype=None)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: images must be numeric, got dtype {x.dtype}")
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 4:
        first, last = x.shape[1] in (1, 3, 4), x.shape[-1] in (1, 3, 4)
        if channels_last is None:
            channels_last = last and not (first and x.shape[1] in (1, 3))
        if not channels_last and first:
            x = np.moveaxis(x, 1, -1)
        if x.shape[-1] not in (1, 3, 4):
            raise ValueError(
                f"{owner}: 4-D images must be (n, H, W, C) or (n, C, H, W) with C in 1, 3 "
                f"or 4 channels, got shape {x.shape}"
            )
        if x.shape[-1] == 1:
            x = x[..., 0]
    return x


def _mosaic(x: np.ndarray, ncols: int, pad: int, fill: float, band: int = 0) -> np.ndarray:
    """Tiles x[i] (H, W[, C]) in rows of ``ncols`` separated by ``pad`` pixels of ``fill``,
    each row of tiles below a ``band`` of ``band`` pixels (room for labels)."""
    n, h, w = x.shape[:3]
    rows = -(-n // ncols)
    cols = min(n, ncols)
    step_r, step_c = h + pad + band, w + pad
    out = np.full((rows * step_r - pad, cols * step_c - pad, *x.shape[3:]), fill)
    for i in range(n):
        r, c = divmod(i, ncols)
        top = r * step_r + band
        out[top : top + h, c * step_c : c * step_c + w] = x[i]
    return out


def image_grid(
    images,
    labels=None,
    ncols: int = 8,
    ax: Axes | None = None,
    *,
    cmap: str = "gray",
    normalize: bool = False,
    pad: int = 1,
    channels_last: bool | None = None,
) -> Axes:
    """Images as one mosaic with ``ncols`` per row, each with its label above it.

    ``images``: (n, H, W), (n, H, W, C) or (n, C, H, W) with C in 1, 3, 4 (a single
    (H, W) image is allowed); ``channels_last`` settles an ambiguous 4-D shape (default:
    guessed, channels-first when axis 1 has 1 or 3 entries). With ``normalize``, each
    image is min-max scaled to [0, 1] on its own (kernels, activations); otherwise
    values are drawn as given on one shared scale.

    The mosaic is ``ax.images[0]``: tile i starts at row (i // ncols)·(H + pad + B) + B
    and column (i % ncols)·(W + pad), where the label band B is 0 without labels and
    max(2, ⌈0.3 H⌉) with them.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> ax = plot.image_grid(np.zeros((3, 8, 8)), labels=[0, 1, 2], ncols=2)
    >>> ax.images[0].get_array().shape  # 2 rows of (3 band + 8 image) + 1 pad
    (23, 17)
    """
    from gradkit.validation import check_int

    ncols = check_int("image_grid", "ncols", ncols, low=1)
    pad = check_int("image_grid", "pad", pad, low=0)
    x = _as_images("image_grid", images, channels_last).astype(np.float64)
    n, h, w = x.shape[:3]
    if labels is not None and len(labels) != n:
        raise ValueError(f"image_grid: {len(labels)} labels for {n} images")
    if normalize:
        lo = x.reshape(n, -1).min(axis=1).reshape(n, *([1] * (x.ndim - 1)))
        hi = x.reshape(n, -1).max(axis=1).reshape(n, *([1] * (x.ndim - 1)))
        x = (x - lo) / np.where(hi > lo, hi - lo, 1.0)
    colour = x.ndim == 4
    if colour and not normalize and (x.min() < 0.0 or x.max() > 1.0):
        if x.min() >= 0.0 and x.max() <= 255.0:
            x = x / 255.0  # 0..255 colour images, drawn as matplotlib expects: in [0, 1]
        else:
            x = (x - x.min()) / max(x.max() - x.min(), 1e-300)  # one scale for the batch
    fill = 1.0 if (colour or normalize) else float(x.max())
    band = 0 if labels is None else max(2, int(np.ceil(0.3 * h)))
    mosaic = _mosaic(x, ncols, pad, fill, band)
    rows = -(-n // ncols)
    cols = min(n, ncols)
    ax = get_ax(ax, figsize=(max(2.0, 1.0 * cols), max(2.0, 1.1 * rows)))
    ax.imshow(
        mosaic,
        cmap=None if colour else cmap,
        interpolation="nearest",
        vmin=None if colour else x.min(),
        vmax=None if colour else x.max(),
    )
    if labels is not None:
        for i, label in enumerate(labels):
            r, c = divmod(i, ncols)
            ax.text(
                c * (w + pad) + w / 2 - 0.5,
                r * (h + pad + band) + band - 0.5,
                str(label),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_axis_off()
    return ax


def _kernel_array(weights) -> np.ndarray:
    """Conv weights as (out, in, kH, kW): a PyTorch-style module's ``weight``, a Keras
    layer's ``kernel`` (kH, kW, in, out), or an array already in PyTorch's layout."""
    if hasattr(weights, "kernel") and not hasattr(weights, "weight"):
        k = as_array("filters", "kernel", weights.kernel, ndim=4)
        return np.transpose(k, (3, 2, 0, 1))
    if hasattr(weights, "weight") and not isinstance(weights, np.ndarray):
        weights = weights.weight
    return as_array("filters", "weights", weights, ndim=(3, 4))


def filters(weights, ax: Axes | None = None, *, ncols: int | None = None) -> Axes:
    """The kernels of a 2-D convolution, one tile per filter, each min-max scaled.

    ``weights``: (out, in, kH, kW) (PyTorch's layout: a ``Conv2d`` module, its
    ``weight``, or an array), a Keras ``Conv2D`` layer (its kernel (kH, kW, in, out) is
    transposed), or (out, kH, kW). With 3 input channels each filter is an RGB tile;
    with 1 a grey tile; otherwise one tile per (filter, input channel) pair, a row per
    filter.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> ax = plot.filters(np.random.default_rng(0).normal(size=(6, 1, 5, 5)))
    >>> ax.images[0].get_array().shape
    (5, 35)
    """
    k = _kernel_array(weights).astype(np.float64)
    if k.ndim == 3:
        k = k[:, None]
    out, cin = k.shape[:2]
    if cin == 3:
        tiles = np.moveaxis(k, 1, -1)
        ncols = ncols or min(out, 8)
    elif cin == 1:
        tiles = k[:, 0]
        ncols = ncols or min(out, 8)
    else:
        tiles = k.reshape(out * cin, *k.shape[2:])
        ncols = ncols or cin
    return image_grid(tiles, ncols=ncols, ax=ax, normalize=True, cmap="gray", channels_last=True)
