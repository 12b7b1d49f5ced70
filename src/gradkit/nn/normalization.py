"""Normalization layers: ``BatchNorm1d``, ``BatchNorm2d`` (concept NN-BATCHNORM) and
``LayerNorm``."""

from __future__ import annotations

from collections.abc import Sequence

from gradkit.backend import get_default_dtype, xp
from gradkit.nn import functional as F
from gradkit.nn import init
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter
from gradkit.tensor import Tensor
from gradkit.validation import check_int, check_ints, check_number, check_probability


class _BatchNorm(Module):
    """y = γ (x − μ) / √(σ² + ε) + β per channel (axis 1).

    In training mode μ, σ² are the batch's statistics (biased σ²) and the running
    statistics move towards them, r ← (1 − momentum) r + momentum · s, with the unbiased
    batch variance; ``momentum=None`` uses the cumulative average (factor
    1/num_batches_tracked). In eval mode the running statistics are used. Without
    ``track_running_stats`` batch statistics are used in both modes.

    Parameters
    ----------
    num_features : int
        Number of channels C.
    eps : float
        Added to the variance (default 1e-5).
    momentum : float or None
        Running-statistics update factor (default 0.1).
    affine : bool
        Learn γ (init 1) and β (init 0).
    bias : bool
        With ``affine``, also learn β (keyword only, as in PyTorch).
    track_running_stats : bool
        Keep ``running_mean`` (init 0), ``running_var`` (init 1) and
        ``num_batches_tracked`` buffers.
    """

    _expected_dims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        num_features = check_int(owner, "num_features", num_features)
        eps = check_number(owner, "eps", eps, 0.0, low_open=True)
        if momentum is not None:  # None: a cumulative moving average, as in PyTorch
            momentum = check_probability(owner, "momentum", momentum)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = dtype or get_default_dtype()
        if affine:
            self.weight = Parameter(xp.ones(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(xp.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.zeros((), dtype=xp.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        if input.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(
                f"{self._get_name()}: expected {dims} input, got shape {tuple(input.shape)}"
            )
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{self._get_name()}: input of shape {tuple(input.shape)} has "
                f"{input.shape[1]} channels, expected num_features={self.num_features}"
            )

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                momentum = 1.0 / int(self.num_batches_tracked._data)
        return F.batch_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    __doc__ = (
        (_BatchNorm.__doc__ or "")
        + """
    Shape
    -----
    Input (N, C) or (N, C, L); output the same.
    """
    )
    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    __doc__ = (
        (_BatchNorm.__doc__ or "")
        + """
    Shape
    -----
    Input (N, C, H, W); output the same.
    """
    )
    _expected_dims = (4,)


class LayerNorm(Module):
    """y = γ (x − μ) / √(σ² + ε) + β, with μ, σ² (biased) taken per sample over the
    trailing ``normalized_shape`` axes; γ starts at 1 and β at 0.

    Shape
    -----
    Input (*, *normalized_shape); output the same.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype=None,
    ) -> None:
        super().__init__()
        shape = normalized_shape
        n = 1 if not isinstance(shape, Sequence) else len(shape)
        self.normalized_shape = check_ints("LayerNorm", "normalized_shape", shape, n)
        self.eps = check_number("LayerNorm", "eps", eps, 0.0, low_open=True)
        self.elementwise_affine = elementwise_affine
        dtype = dtype or get_default_dtype()
        if elementwise_affine:
            self.weight = Parameter(xp.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(xp.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )
