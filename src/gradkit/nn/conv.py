"""Convolution layers (concepts CNN-CONV, CNN-PAD, CNN-STRIDE): ``Conv1d``, ``Conv2d`` and
``ConvTranspose2d`` with PyTorch's arguments, weight layout and default initialization
(weight ~ kaiming_uniform(a=√5), i.e. U(±1/√fan_in); bias ~ U(±1/√fan_in))."""

from __future__ import annotations

import math

from gradkit.backend import get_default_dtype, xp
from gradkit.nn import init
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter
from gradkit.ops.conv import conv1d, conv2d, conv_transpose2d, pair
from gradkit.tensor import Tensor, no_grad
from gradkit.validation import check_int, check_ints, check_option


class _ConvNd(Module):
    """Shared storage, initialization and ``extra_repr`` of the convolution layers."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: tuple[int, ...],
        stride,
        padding,
        dilation,
        groups: int,
        bias: bool,
        transposed: bool,
        dtype,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        in_channels = check_int(owner, "in_channels", in_channels)
        out_channels = check_int(owner, "out_channels", out_channels)
        groups = check_int(owner, "groups", groups)
        n = len(kernel_size)
        kernel_size = check_ints(owner, "kernel_size", kernel_size, n)
        stride = check_ints(owner, "stride", stride, n)
        dilation = check_ints(owner, "dilation", dilation, n)
        if isinstance(padding, str):
            check_option(owner, "padding", padding, ("valid", "same"))
        else:
            padding = check_ints(owner, "padding", padding, n, low=0)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"in_channels ({in_channels}) and out_channels ({out_channels}) must both be "
                f"divisible by groups ({groups})"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.groups = dilation, groups
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(xp.empty(shape, dtype=dtype))
        self.bias = Parameter(xp.empty(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform(a=√5) weights, U(±1/√fan_in) bias."""
        with no_grad():
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding not in (0, (0,), (0, 0)):
            text += (
                f", padding={self.padding!r}"
                if isinstance(self.padding, str)
                else (f", padding={self.padding}")
            )
        if self.dilation not in ((1,), (1, 1)):
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,)) not in ((0,), (0, 0)):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


def _check_mode(padding_mode: str) -> None:
    if padding_mode != "zeros":
        raise ValueError(
            f"padding_mode must be 'zeros' (the only mode supported), got {padding_mode!r}"
        )


class Conv2d(_ConvNd):
    """2-D convolution layer, as ``torch.nn.Conv2d`` (concept CNN-CONV).

    y[n, o] = b[o] + Σ_(c ∈ group(o)) W[o, c] ⋆ x_pad[n, c]   (⋆: cross-correlation)

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int)
        Step between windows (concept CNN-STRIDE).
    padding : int, (int, int), "valid" or "same"
        Zeros added around the input (concept CNN-PAD).
    dilation : int or (int, int)
    groups : int
        Independent channel groups (``groups = in_channels`` is a depthwise convolution).
    bias : bool
    padding_mode : "zeros"
    algorithm : {"auto", "direct", "fft"}
        im2col + GEMM or the FFT path (concept T-FFT); see :func:`gradkit.ops.conv.conv2d`.

    Shape
    -----
    Input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, H_out, W_out) with
    H_out = ⌊(H + 2P − D(kh − 1) − 1)/S⌋ + 1 (:func:`~gradkit.ops.conv.conv_output_size`).
    Weight (C_out, C_in/groups, kh, kw), bias (C_out,).

    Examples
    --------
    >>> import gradkit as gk
    >>> conv = Conv2d(1, 6, 5, padding=2)
    >>> conv(gk.randn(8, 1, 28, 28)).shape
    (8, 6, 28, 28)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype=None,
        *,
        algorithm: str = "auto",
    ) -> None:
        _check_mode(padding_mode)
        if not isinstance(padding, str):
            padding = pair(padding, "padding")
        super().__init__(
            in_channels,
            out_channels,
            pair(kernel_size, "kernel_size"),
            pair(stride, "stride"),
            padding,
            pair(dilation, "dilation"),
            groups,
            bias,
            False,
            dtype,
        )
        self.algorithm = algorithm

    def forward(self, x: Tensor) -> Tensor:
        return conv2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            algorithm=self.algorithm,
        )


class Conv1d(_ConvNd):
    """1-D convolution layer, as ``torch.nn.Conv1d``.

    y[n, o, t] = b[o] + Σ_(c ∈ group(o)) Σ_i W[o, c, i] · x_pad[n, c, S·t + D·i]

    Shape
    -----
    Input (N, C_in, L) or (C_in, L); output (N, C_out, L_out) with
    L_out = ⌊(L + 2P − D(k − 1) − 1)/S⌋ + 1. Weight (C_out, C_in/groups, k).

    Examples
    --------
    >>> import gradkit as gk
    >>> Conv1d(4, 8, 3, padding="same")(gk.randn(2, 4, 50)).shape
    (2, 8, 50)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype=None,
    ) -> None:
        _check_mode(padding_mode)
        single = lambda v, name: check_ints("Conv1d", name, v, 1, low=None)  # noqa: E731
        super().__init__(
            in_channels,
            out_channels,
            single(kernel_size, "kernel_size"),
            single(stride, "stride"),
            padding if isinstance(padding, str) else single(padding, "padding"),
            single(dilation, "dilation"),
            groups,
            bias,
            False,
            dtype,
        )

    def forward(self, x: Tensor) -> Tensor:
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return conv1d(
            x,
            self.weight,
            self.bias,
            self.stride[0],
            padding,
            self.dilation[0],
            self.groups,
        )


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution, as ``torch.nn.ConvTranspose2d``: the gradient of a
    convolution with respect to its input, used to upsample feature maps.

    H_out = (H − 1)·S − 2P + D·(kh − 1) + output_padding + 1

    Shape
    -----
    Input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, H_out, W_out). Weight
    (C_in, C_out/groups, kh, kw), bias (C_out,).

    Examples
    --------
    >>> import gradkit as gk
    >>> ConvTranspose2d(8, 4, 2, stride=2)(gk.randn(1, 8, 7, 7)).shape
    (1, 4, 14, 14)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
        padding_mode: str = "zeros",
        dtype=None,
    ) -> None:
        _check_mode(padding_mode)
        self_output_padding = pair(output_padding, "output_padding")
        super().__init__(
            in_channels,
            out_channels,
            pair(kernel_size, "kernel_size"),
            pair(stride, "stride"),
            pair(padding, "padding"),
            pair(dilation, "dilation"),
            groups,
            bias,
            True,
            dtype,
        )
        self.output_padding = self_output_padding

    def forward(self, x: Tensor) -> Tensor:
        return conv_transpose2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )
