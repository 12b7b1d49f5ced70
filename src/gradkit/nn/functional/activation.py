"""Activation functions (concept NN-ACT) in PyTorch's functional form."""

from __future__ import annotations

from gradkit.ops import activation as _act
from gradkit.ops.elementwise import relu, sigmoid, tanh
from gradkit.ops.nn import log_softmax, softmax
from gradkit.tensor import Tensor

__all__ = [
    "binary_step", "elu", "gelu", "identity", "leaky_relu", "linear_activation", "log_softmax",
    "maxout", "relu", "sigmoid", "silu", "softmax", "softplus", "softsign", "swish", "tanh",
]  # fmt: skip


def identity(x: Tensor) -> Tensor:
    """The linear activation y = x (dy/dx = 1)."""
    return x


linear_activation = identity


def binary_step(x: Tensor, threshold: float = 0.0) -> Tensor:
    """Heaviside step: y = 1 if x ≥ threshold else 0; its derivative is 0."""
    return _act.BinaryStep.apply(x, threshold=threshold)


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """y = max(εx, x) for slope ε = ``negative_slope``."""
    return _act.LeakyReLU.apply(x, negative_slope=float(negative_slope))


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """y = x if x > 0 else α(eˣ − 1)."""
    return _act.ELU.apply(x, alpha=float(alpha))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """y = x Φ(x) (``approximate="none"``, exact erf form) or its tanh approximation
    ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (``approximate="tanh"``)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _act.GELU.apply(x, approximate=approximate)


def swish(x: Tensor, beta: float = 1.0) -> Tensor:
    """Swish y = x σ(βx); SiLU is β = 1."""
    return _act.Swish.apply(x, beta=float(beta))


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    """SiLU y = x σ(x)."""
    return _act.Swish.apply(x, beta=1.0)


def softsign(x: Tensor) -> Tensor:
    """y = x / (1 + |x|) (concept RNN-SOFTSIGN)."""
    return _act.Softsign.apply(x)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """y = (1/β) ln(1 + e^{βx}), linear where βx > threshold."""
    return _act.Softplus.apply(x, beta=float(beta), threshold=float(threshold))


def maxout(x: Tensor, pool_size: int, dim: int = -1) -> Tensor:
    """Maxout: the maximum over each group of ``pool_size`` consecutive features along
    ``dim``, so that axis shrinks from C to C / pool_size.

    Shape: input (..., C, ...) → output (..., C / pool_size, ...).
    """
    dim = dim % x.ndim
    size = x.shape[dim]
    if pool_size < 1 or size % pool_size:
        raise ValueError(
            f"maxout: dimension {dim} of input shape {tuple(x.shape)} has size {size}, "
            f"which is not a multiple of pool_size={pool_size}"
        )
    grouped = (*x.shape[:dim], size // pool_size, pool_size, *x.shape[dim + 1 :])
    return x.reshape(grouped).amax(dim=dim + 1)
