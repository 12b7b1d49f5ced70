"""Resizing layers: ``Upsample``, ``UpsamplingNearest2d`` and ``UpsamplingBilinear2d``,
PyTorch's arguments, each a call of :func:`gradkit.ops.interpolation.interpolate`
(``F.interpolate``). The padding layers live in :mod:`gradkit.nn.padding`."""

from __future__ import annotations

from gradkit.nn.module import Module
from gradkit.ops.interpolation import MODES, interpolate
from gradkit.tensor import Tensor


class Upsample(Module):
    """Resize the spatial axes by ``scale_factor`` or to ``size``, as ``torch.nn.Upsample``.

    Modes as :func:`~gradkit.nn.functional.interpolate`: "nearest" (default),
    "nearest-exact", "linear", "bilinear", "bicubic", "trilinear"; ``align_corners`` only
    for the interpolating ones.

    Shape
    -----
    Input (N, C, L), (N, C, H, W) or (N, C, D, H, W); output (N, C, *size) or
    (N, C, ⌊L·scale_factor⌋, ...).

    Examples
    --------
    >>> import gradkit as gk
    >>> Upsample(scale_factor=2)(gk.tensor([[[[1.0, 2.0]]]]))
    tensor([[[[1., 1., 2., 2.],
              [1., 1., 2., 2.]]]])
    """

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"{self._get_name()}: unknown mode {mode!r}; choose one of {MODES}")
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(s) for s in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) images (``Upsample(mode="nearest")``)."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) images with ``align_corners=True``, as
    ``torch.nn.UpsamplingBilinear2d``."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
