"""Activation layers (concept NN-ACT), one per function in ``nn.functional``, and
``get_activation`` for Keras-style names (``Dense(..., activation="relu")``)."""

from __future__ import annotations

from collections.abc import Callable

from gradkit.nn import functional as F
from gradkit.nn.module import Module
from gradkit.tensor import Tensor


class _Elementwise(Module):
    """An activation applied element-wise by the functional form ``fn``."""

    fn: Callable = staticmethod(F.identity)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input)


class Sigmoid(_Elementwise):
    """σ(x) = 1/(1 + e⁻ˣ); σ' = σ(1 − σ)."""

    fn = staticmethod(F.sigmoid)


class Tanh(_Elementwise):
    """tanh x; derivative 1 − tanh² x."""

    fn = staticmethod(F.tanh)


class ReLU(_Elementwise):
    """max(0, x); derivative [x > 0]."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()

    fn = staticmethod(F.relu)


class Softsign(_Elementwise):
    """x / (1 + |x|); derivative 1/(1 + |x|)²."""

    fn = staticmethod(F.softsign)


class SiLU(_Elementwise):
    """x σ(x) (swish with β = 1)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()

    fn = staticmethod(F.silu)


class BinaryStep(Module):
    """Heaviside step: 1 if x ≥ threshold else 0 (derivative 0)."""

    def __init__(self, threshold: float = 0.0) -> None:
        super().__init__()
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.binary_step(input, self.threshold)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}"


class LeakyReLU(Module):
    """max(εx, x) with ε = ``negative_slope``; derivative 1 or ε."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x if x > 0 else α(eˣ − 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """x Φ(x), exact (``approximate="none"``) or with the tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Swish(Module):
    """x σ(βx); β = 1 is SiLU."""

    def __init__(self, beta: float = 1.0) -> None:
        super().__init__()
        self.beta = beta

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.swish(input, self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta}"


class Softplus(Module):
    """(1/β) ln(1 + e^{βx}), linear above ``threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (default the last axis)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmax(input, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """xᵢ − log Σⱼ exp(xⱼ) along ``dim`` (default the last axis)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.log_softmax(input, dim=self.dim)


class Maxout(Module):
    """Maximum over groups of ``pool_size`` consecutive features along ``dim``.

    Shape: input (..., C, ...) → output (..., C / pool_size, ...).
    """

    def __init__(self, pool_size: int, dim: int = -1) -> None:
        super().__init__()
        self.pool_size, self.dim = pool_size, dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.maxout(input, self.pool_size, self.dim)

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, dim={self.dim}"


_NAMED: dict[str, Callable] = {
    "linear": F.identity,
    "identity": F.identity,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "gelu": F.gelu,
    "swish": F.swish,
    "silu": F.silu,
    "softsign": F.softsign,
    "softplus": F.softplus,
    "softmax": F.softmax,
    "log_softmax": F.log_softmax,
    "binary_step": F.binary_step,
    "step": F.binary_step,
}


def get_activation(activation: str | Callable | None) -> Callable | None:
    """The activation function for a Keras-style name, a callable as is, or None."""
    if activation is None or callable(activation):
        return activation
    key = str(activation).lower()
    if key not in _NAMED:
        raise ValueError(
            f"unknown activation {activation!r}; choose one of {', '.join(sorted(_NAMED))} "
            "or pass a callable"
        )
    return _NAMED[key]
