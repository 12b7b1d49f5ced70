"""Pooling layers (concepts CNN-POOL, CNN-INVARIANCE): ``MaxPool1d/2d``, ``AvgPool1d/2d``,
``MaxUnpool1d/2d``, ``AdaptiveMaxPool1d/2d`` and ``AdaptiveAvgPool1d/2d`` (global average
pooling with ``output_size=1``), PyTorch's arguments and reprs. A 2×2 window with stride 2
halves each side: 6×6 → 3×3."""

from __future__ import annotations

from gradkit.nn.module import Module
from gradkit.ops.pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from gradkit.ops.resample import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)
from gradkit.ops.unpool import max_unpool1d, max_unpool2d
from gradkit.tensor import Tensor


def _single(value) -> tuple[int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


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

    With ``return_indices`` the layer returns ``(output, indices)``, the indices being
    flat positions h·W + w in each input plane (for :class:`MaxUnpool2d`).

    Shape
    -----
    Input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − D(k − 1) − 1)/S⌋ + 1, or with ``ceil_mode``
    ⌈(H + 2P − D(k − 1) − 1)/S⌉ + 1, less one if the last window would start past H + P.

    Examples
    --------
    >>> import gradkit as gk
    >>> MaxPool2d(2)(gk.randn(1, 3, 6, 6)).shape
    (1, 3, 3, 3)
    >>> MaxPool2d(2, ceil_mode=True)(gk.randn(1, 3, 7, 7)).shape
    (1, 3, 4, 4)
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return max_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return super().extra_repr() + f", dilation={self.dilation}, ceil_mode={self.ceil_mode}"


class MaxPool1d(MaxPool2d):
    """1-D max pooling, as ``torch.nn.MaxPool1d``.

    Shape
    -----
    Input (N, C, L) or (C, L); output (N, C, L_out), L_out = ⌊(L + 2P − D(k − 1) − 1)/S⌋ + 1
    (⌈·⌉ with ``ceil_mode``, less one if the last window would start past L + P).
    """

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return max_pool1d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )


class AvgPool2d(_Pool):
    """2-D average pooling, as ``torch.nn.AvgPool2d``.

    y[n, c, y, x] = (1/K) Σ_(i, j) x_pad[n, c, S_h·y + i, S_w·x + j], K = kh·kw (or the
    window clipped to the padded input when a ``ceil_mode`` window hangs over the end, or
    the count of unpadded inputs when ``count_include_pad=False``, or ``divisor_override``).

    Shape
    -----
    Input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with
    H_out = ⌊(H + 2P − kh)/S⌋ + 1 (⌈·⌉ with ``ceil_mode``, less one if the last window
    would start past H + P).

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
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


class AvgPool1d(_Pool):
    """1-D average pooling, as ``torch.nn.AvgPool1d`` (which keeps its sizes as 1-tuples).

    Shape
    -----
    Input (N, C, L) or (C, L); output (N, C, L_out), L_out = ⌊(L + 2P − k)/S⌋ + 1 (⌈·⌉ with
    ``ceil_mode``, less one if the last window would start past L + P).
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        stride = kernel_size if stride is None else stride
        super().__init__(_single(kernel_size), _single(stride), _single(padding))
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool1d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )


class MaxUnpool2d(_Pool):
    """Partial inverse of :class:`MaxPool2d`, as ``torch.nn.MaxUnpool2d``: every value goes
    back to the position its index names, all other outputs are 0.

    Shape
    -----
    Input and indices (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with
    H_out = (H − 1)·S − 2P + kh, or ``output_size`` given to ``forward`` (strictly within
    ± S of that).

    Examples
    --------
    >>> import gradkit as gk
    >>> pool, unpool = MaxPool2d(2, return_indices=True), MaxUnpool2d(2)
    >>> y, idx = pool(gk.randn(1, 3, 5, 5))
    >>> unpool(y, idx, output_size=(5, 5)).shape
    (1, 3, 5, 5)
    """

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        stride = kernel_size if stride is None else stride
        super().__init__(_pair(kernel_size), _pair(stride), _pair(padding))

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:  # noqa: A002
        return max_unpool2d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )


class MaxUnpool1d(_Pool):
    """Partial inverse of :class:`MaxPool1d`, as ``torch.nn.MaxUnpool1d``.

    Shape
    -----
    Input and indices (N, C, L) or (C, L); output (N, C, L_out) with
    L_out = (L − 1)·S − 2P + k, or ``output_size`` given to ``forward``.
    """

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        stride = kernel_size if stride is None else stride
        super().__init__(_single(kernel_size), _single(stride), _single(padding))

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:  # noqa: A002
        return max_unpool1d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )


class _Adaptive(Module):
    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_Adaptive):
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

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)


class AdaptiveAvgPool1d(_Adaptive):
    """Average pooling to a fixed length, as ``torch.nn.AdaptiveAvgPool1d``: output l
    averages inputs ⌊l·L/L_out⌋ … ⌈(l + 1)·L/L_out⌉ − 1.

    Shape
    -----
    Input (N, C, L) or (C, L); output (N, C, L_out).
    """

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool1d(x, self.output_size)


class AdaptiveMaxPool2d(_Adaptive):
    """Max pooling to a fixed output size, as ``torch.nn.AdaptiveMaxPool2d``: output cell
    (y, x) is the maximum over rows ⌊y·H/Ho⌋ … ⌈(y + 1)·H/Ho⌉ − 1 and the matching
    columns; with ``return_indices`` also the flat indices h·W + w of those maxima.

    Shape
    -----
    Input (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo).

    Examples
    --------
    >>> import gradkit as gk
    >>> AdaptiveMaxPool2d((2, 3))(gk.randn(2, 5, 7, 8)).shape
    (2, 5, 2, 3)
    """

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return adaptive_max_pool2d(x, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max pooling to a fixed length, as ``torch.nn.AdaptiveMaxPool1d``: output l is the
    maximum of inputs ⌊l·L/L_out⌋ … ⌈(l + 1)·L/L_out⌉ − 1.

    Shape
    -----
    Input (N, C, L) or (C, L); output (N, C, L_out).
    """

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return adaptive_max_pool1d(x, self.output_size, self.return_indices)
