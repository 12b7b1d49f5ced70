"""Resizing layers: ``Upsample`` (nearest neighbour) and ``ZeroPad2d``, PyTorch's
arguments."""

from __future__ import annotations

from gradkit.nn.module import Module
from gradkit.ops.resample import interpolate
from gradkit.ops.shape import pad
from gradkit.tensor import Tensor


class Upsample(Module):
    """Nearest-neighbour upsampling, as ``torch.nn.Upsample(mode="nearest")``.

    out[n, c, y, x] = in[n, c, ⌊y/s_h⌋, ⌊x/s_w⌋] for an integer scale s.

    Shape
    -----
    Input (N, C, H, W); output (N, C, H_out, W_out) with H_out = ``size`` or
    ⌊H·scale_factor⌋.

    Examples
    --------
    >>> import gradkit as gk
    >>> Upsample(scale_factor=2)(gk.tensor([[[[1.0, 2.0]]]]))
    tensor([[[[1., 1., 2., 2.],
              [1., 1., 2., 2.]]]])
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest") -> None:
        super().__init__()
        if mode != "nearest":
            raise ValueError(f"Upsample: only mode='nearest' is supported, got {mode!r}")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode

    def forward(self, x: Tensor) -> Tensor:
        return interpolate(x, self.size, self.scale_factor, self.mode)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"


class ZeroPad2d(Module):
    """Pad the last two axes with zeros, as ``torch.nn.ZeroPad2d``.

    Parameters
    ----------
    padding : int or (left, right, top, bottom)

    Shape
    -----
    Input (N, C, H, W) or (C, H, W); output (..., H + top + bottom, W + left + right).

    Examples
    --------
    >>> import gradkit as gk
    >>> ZeroPad2d((1, 0, 2, 0))(gk.ones(1, 1, 2, 2)).shape
    (1, 1, 4, 3)
    """

    def __init__(self, padding) -> None:
        super().__init__()
        sides = (padding,) * 4 if isinstance(padding, int) else tuple(int(p) for p in padding)
        if len(sides) != 4 or min(sides) < 0:
            raise ValueError(
                f"ZeroPad2d: padding must be a non-negative int or (left, right, top, bottom), "
                f"got {padding!r}"
            )
        self.padding = sides

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(f"ZeroPad2d: expected (N, C, H, W) or (C, H, W), got shape {x.shape}")
        left, right, top, bottom = self.padding
        widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
        return pad(x, widths)

    def extra_repr(self) -> str:
        return f"{self.padding}"
