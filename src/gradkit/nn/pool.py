"""Pooling layers (concepts CNN-POOL, CNN-INVARIANCE): ``MaxPool1d/2d``, ``AvgPool1d/2d``
and ``AdaptiveAvgPool2d`` (global average pooling with ``output_size=1``), PyTorch's
arguments. A 2×2 window with stride 2 halves each side: 6×6 → 3×3."""

from __future__ import annotations

from gradkit.nn.module import Module
from gradkit.ops.pool import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from gradkit.tensor import Tensor


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool):
    """2-D max pooling, as ``torch.nn.MaxPool2d``.

    y[n, c, y, x] = max_(i, j) x_pad[n, c, S_h·y + D_h·i, S_w·x + D_w·j]

    Shape
    -----
    Input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − D(k − 1) − 1)/S⌋ + 1.

    Examples
    --------
    >>> import gradkit as gk
    >>> MaxPool2d(2)(gk.randn(1, 3, 6, 6)).shape
    (1, 3, 3, 3)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1) -> None:
        super().__init__(kernel_size, stride, padding)
        self.dilation = dilation

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", dilation={self.dilation}"


class MaxPool1d(MaxPool2d):
    """1-D max pooling, as ``torch.nn.MaxPool1d``.

    Shape
    -----
    Input (N, C, L) or (C, L); output (N, C, L_out), L_out = ⌊(L + 2P − D(k − 1) − 1)/S⌋ + 1.
    """

    def forward(self, x: Tensor) -> Tensor:
        return max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation)


class AvgPool2d(_Pool):
    """2-D average pooling, as ``torch.nn.AvgPool2d``.

    y[n, c, y, x] = (1/K) Σ_(i, j) x_pad[n, c, S_h·y + i, S_w·x + j], K = kh·kw (or the
    count of unpadded inputs when ``count_include_pad=False``, or ``divisor_override``).

    Shape
    -----
    Input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − kh)/S⌋ + 1.

    Examples
    --------
    >>> import gradkit as gk
    >>> AvgPool2d(2)(gk.ones(1, 1, 4, 4))[0, 0]
    tensor([[1., 1.],
            [1., 1.]])
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.count_include_pad,
            self.divisor_override,
        )


class AvgPool1d(_Pool):
    """1-D average pooling, as ``torch.nn.AvgPool1d``.

    Shape
    -----
    Input (N, C, L) or (C, L); output (N, C, L_out), L_out = ⌊(L + 2P − k)/S⌋ + 1.
    """

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, as ``torch.nn.AdaptiveAvgPool2d``;
    ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Output cell (y, x) averages input rows ⌊y·H/Ho⌋ … ⌈(y + 1)·H/Ho⌉ − 1 (and the same for
    columns).

    Shape
    -----
    Input (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo).

    Examples
    --------
    >>> import gradkit as gk
    >>> AdaptiveAvgPool2d(1)(gk.randn(2, 5, 7, 7)).shape
    (2, 5, 1, 1)
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
