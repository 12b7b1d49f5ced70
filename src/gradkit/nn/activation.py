"""Activation layers (concept NN-ACT), one per function in ``nn.functional``, with
PyTorch's constructor arguments and ``repr``, and ``get_activation`` for Keras-style
names (``Dense(..., activation="relu")``)."""

from __future__ import annotations

from collections.abc import Callable

from gradkit.backend import get_default_dtype, xp
from gradkit.nn import functional as F
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter
from gradkit.tensor import Tensor


def _inplace_text(inplace: bool, lead: str = ", ") -> str:
    return f"{lead}inplace=True" if inplace else ""


class _Elementwise(Module):
    """An activation applied element-wise by the functional form ``fn``."""

    fn: Callable = staticmethod(F.identity)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input)


class _InplaceElementwise(Module):
    """An element-wise activation with PyTorch's ``inplace`` flag (shown in the repr)."""

    fn: Callable = staticmethod(F.relu)
    show_inplace = True

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_text(self.inplace, "") if self.show_inplace else ""


class Sigmoid(_Elementwise):
    """σ(x) = 1/(1 + e⁻ˣ); σ' = σ(1 − σ)."""

    fn = staticmethod(F.sigmoid)


class Tanh(_Elementwise):
    """tanh x; derivative 1 − tanh² x."""

    fn = staticmethod(F.tanh)


class Softsign(_Elementwise):
    """x / (1 + |x|); derivative 1/(1 + |x|)²."""

    fn = staticmethod(F.softsign)


class LogSigmoid(_Elementwise):
    """ln σ(x) = −softplus(−x)."""

    fn = staticmethod(F.logsigmoid)


class Tanhshrink(_Elementwise):
    """x − tanh x."""

    fn = staticmethod(F.tanhshrink)


class ReLU(_InplaceElementwise):
    """max(0, x); derivative [x > 0]."""

    fn = staticmethod(F.relu)


class ReLU6(_InplaceElementwise):
    """min(max(0, x), 6); derivative 1 strictly between 0 and 6."""

    fn = staticmethod(F.relu6)


class SiLU(_InplaceElementwise):
    """x σ(x) (swish with β = 1)."""

    fn = staticmethod(F.silu)


class Mish(_InplaceElementwise):
    """x tanh(softplus(x))."""

    fn = staticmethod(F.mish)


class SELU(_InplaceElementwise):
    """s·x if x > 0 else s·α(eˣ − 1), α ≈ 1.6733, s ≈ 1.0507 (self-normalizing)."""

    fn = staticmethod(F.selu)


class Hardswish(_InplaceElementwise):
    """x·clip(x + 3, 0, 6)/6."""

    fn = staticmethod(F.hardswish)
    show_inplace = False


class Hardsigmoid(_InplaceElementwise):
    """clip(x/6 + 1/2, 0, 1)."""

    fn = staticmethod(F.hardsigmoid)
    show_inplace = False


class Hardtanh(Module):
    """clip(x, min_val, max_val); derivative 1 strictly inside, 0 elsewhere."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(
                f"Hardtanh: min_val {min_val} cannot be greater than max_val {max_val}"
            )
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_text(self.inplace)}"


class BinaryStep(Module):
    """Heaviside step: 1 if x ≥ threshold else 0 (derivative 0)."""

    def __init__(self, threshold: float = 0.0) -> None:
        super().__init__()
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.binary_step(input, self.threshold)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}"


class Threshold(Module):
    """x if x > threshold else ``value``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_text(self.inplace)}"


class LeakyReLU(Module):
    """max(εx, x) with ε = ``negative_slope``; derivative 1 or ε."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_text(self.inplace)}"


class RReLU(Module):
    """Randomized leaky ReLU: slopes ~ U(lower, upper) per element in training, their mean
    (lower + upper)/2 in evaluation."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_text(self.inplace)}"


class ELU(Module):
    """x if x > 0 else α(eˣ − 1)."""

    fn = staticmethod(F.elu)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_text(self.inplace)}"


class CELU(ELU):
    """max(0, x) + min(0, α(e^{x/α} − 1))."""

    fn = staticmethod(F.celu)


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


class Softshrink(Module):
    """x − λ for x > λ, x + λ for x < −λ, else 0."""

    fn = staticmethod(F.softshrink)

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(Softshrink):
    """x for |x| > λ, else 0."""

    fn = staticmethod(F.hardshrink)


class GLU(Module):
    """Gated linear unit a ⊙ σ(b) of the halves of ``dim``: (*, 2n, *) → (*, n, *)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """x if x > 0 else a·x with learned slopes a: one shared (``num_parameters=1``) or
    one per channel (axis 1), initialised to ``init``.

    Shape: input (N, C, *) with C = ``num_parameters`` unless that is 1.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(xp.full((num_parameters,), init, dtype=dtype))

    def reset_parameters(self) -> None:
        self.weight._data[...] = self.init

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmax(Module):
    """exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (None: PyTorch's implicit choice, with its
    deprecation warning)."""

    fn = staticmethod(F.softmax)

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """xᵢ − log Σⱼ exp(xⱼ) along ``dim``."""

    fn = staticmethod(F.log_softmax)


class Softmin(Softmax):
    """softmax(−x) along ``dim``."""

    fn = staticmethod(F.softmin)


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


def _last_axis(fn: Callable) -> Callable:
    """A normalized exponential over the last axis (Keras' convention)."""

    def activation(x: Tensor) -> Tensor:
        return fn(x, dim=-1)

    activation.__name__ = fn.__name__
    return activation


_NAMED: dict[str, Callable] = {
    "linear": F.identity,
    "identity": F.identity,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "relu6": F.relu6,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "selu": F.selu,
    "celu": F.celu,
    "gelu": F.gelu,
    "swish": F.swish,
    "silu": F.silu,
    "mish": F.mish,
    "hard_sigmoid": F.hardsigmoid,
    "hard_swish": F.hardswish,
    "softsign": F.softsign,
    "softplus": F.softplus,
    "log_sigmoid": F.logsigmoid,
    "softmax": _last_axis(F.softmax),
    "log_softmax": _last_axis(F.log_softmax),
    "binary_step": F.binary_step,
    "step": F.binary_step,
}


def get_activation(activation: str | Callable | None) -> Callable | None:
    """The activation function for a Keras-style name, a callable as is, or None.
    Softmax and log-softmax act on the last axis, as in Keras."""
    if activation is None or callable(activation):
        return activation
    key = str(activation).lower()
    if key not in _NAMED:
        raise ValueError(
            f"unknown activation {activation!r}; choose one of {', '.join(sorted(_NAMED))} "
            "or pass a callable"
        )
    return _NAMED[key]
