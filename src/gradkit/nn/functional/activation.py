"""Activation functions (concept NN-ACT) in PyTorch's functional form, with its
parameters, ``inplace=`` and derivatives at the kinks (see ``ops.piecewise``)."""

from __future__ import annotations

import warnings

from gradkit import random as _random
from gradkit.backend import xp
from gradkit.ops import activation as _act
from gradkit.ops import elementwise as _ew
from gradkit.ops import piecewise as _pw
from gradkit.ops.inplace import inplace as _inplace
from gradkit.ops.nn import LogSoftmax, Softmax
from gradkit.ops.shape import split
from gradkit.tensor import Tensor

__all__ = [
    "binary_step", "celu", "elu", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish",
    "hardtanh", "identity", "leaky_relu", "linear_activation", "log_softmax", "logsigmoid",
    "maxout", "mish", "prelu", "relu", "relu6", "rrelu", "selu", "sigmoid", "silu", "softmax",
    "softmin", "softplus", "softshrink", "softsign", "swish", "tanh", "tanhshrink", "threshold",
]  # fmt: skip

# SELU's constants (Klambauer et al. 2017), as PyTorch spells them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _float_input(name: str, x: Tensor) -> None:
    if x.dtype.kind != "f":
        raise TypeError(
            f"{name}: expected a floating-point input, got dtype {x.dtype}; use .float()"
        )


def _maybe_inplace(name: str, fn, x: Tensor, inplace: bool) -> Tensor:
    """``fn(x)``, or with ``inplace`` written into x's storage (PyTorch's ``inplace=True``;
    recorded like every in-place op, so autograd sees the change)."""
    if not inplace:
        return fn(x)

    def fast(a):
        xp.copyto(a, fn(Tensor(a))._data)

    return _inplace(x, name + "_", fn, fast)


def identity(x: Tensor) -> Tensor:
    """The linear activation y = x (dy/dx = 1)."""
    return x


linear_activation = identity


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """σ(x) = 1/(1 + e⁻ˣ); σ' = σ(1 − σ)."""
    return _ew.sigmoid(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """tanh x; derivative 1 − tanh² x."""
    return _ew.tanh(input)


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = max(0, x); dy/dx = [x > 0] (0 at the kink)."""
    return _maybe_inplace("relu", _ew.relu, input, inplace)


def binary_step(x: Tensor, threshold: float = 0.0) -> Tensor:
    """Heaviside step: y = 1 if x ≥ threshold else 0; its derivative is 0."""
    return _act.BinaryStep.apply(x, threshold=threshold)


def leaky_relu(
    input: Tensor,  # noqa: A002
    negative_slope: float = 0.01,
    inplace: bool = False,
) -> Tensor:
    """y = x if x > 0 else εx, ε = ``negative_slope``; dy/dx = ε at the kink."""
    _float_input("leaky_relu", input)
    slope = float(negative_slope)
    return _maybe_inplace(
        "leaky_relu", lambda t: _act.LeakyReLU.apply(t, negative_slope=slope), input, inplace
    )


def _elu(name: str, x: Tensor, inplace: bool, **opts) -> Tensor:
    _float_input(name, x)
    return _maybe_inplace(name, lambda t: _act.ELU.apply(t, **opts), x, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = x if x > 0 else α(eˣ − 1); dy/dx = α at the kink x = 0."""
    return _elu("elu", input, inplace, alpha=float(alpha))


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = s·x if x > 0 else s·α(eˣ − 1) with α ≈ 1.6733, s ≈ 1.0507 (self-normalizing);
    dy/dx = s·α at x = 0."""
    return _elu("selu", input, inplace, alpha=SELU_ALPHA, scale=SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = max(0, x) + min(0, α(e^{x/α} − 1)); dy/dx = 1 at x = 0."""
    alpha = float(alpha)
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides the input)")
    return _elu("celu", input, inplace, alpha=alpha, input_scale=1.0 / alpha)


def hardtanh(
    input: Tensor,  # noqa: A002
    min_val: float = -1.0,
    max_val: float = 1.0,
    inplace: bool = False,
) -> Tensor:
    """y = clip(x, min_val, max_val); dy/dx = 1 strictly inside, 0 at and beyond the kinks."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} cannot be greater than max_val {max_val}")
    return _maybe_inplace(
        "hardtanh", lambda t: _pw.Hardtanh.apply(t, lo=min_val, hi=max_val), input, inplace
    )


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = min(max(0, x), 6) = hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = clip(x/6 + 1/2, 0, 1); dy/dx = 1/6 for −3 < x < 3, else 0."""
    _float_input("hardsigmoid", input)
    return _maybe_inplace("hardsigmoid", _pw.Hardsigmoid.apply, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = x·clip(x + 3, 0, 6)/6; dy/dx = 0 at x = −3 and 1 at x = 3."""
    _float_input("hardswish", input)
    return _maybe_inplace("hardswish", _pw.Hardswish.apply, input, inplace)


def _lambd(name: str, lambd: float) -> float:
    if lambd < 0:
        raise ValueError(f"{name}: lambd must be greater or equal to 0, got {lambd}")
    return float(lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """y = x − λ for x > λ, x + λ for x < −λ, else 0; dy/dx = 0 at ±λ."""
    _float_input("softshrink", input)
    return _pw.Softshrink.apply(input, lambd=_lambd("softshrink", lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """y = x for |x| > λ, else 0; dy/dx = 0 at ±λ."""
    _float_input("hardshrink", input)
    return _pw.Hardshrink.apply(input, lambd=float(lambd))


def threshold(
    input: Tensor,  # noqa: A002
    threshold: float,
    value: float,
    inplace: bool = False,
) -> Tensor:
    """y = x for x > threshold, else ``value``; dy/dx = 0 at the threshold."""
    return _maybe_inplace(
        "threshold",
        lambda t: _pw.Threshold.apply(t, threshold=threshold, value=value),
        input,
        inplace,
    )


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """y = x Φ(x) (``approximate="none"``, exact erf form) or its tanh approximation
    ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (``approximate="tanh"``)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    _float_input("gelu", input)
    return _act.GELU.apply(input, approximate=approximate)


def swish(x: Tensor, beta: float = 1.0) -> Tensor:
    """Swish y = x σ(βx); SiLU is β = 1."""
    return _act.Swish.apply(x, beta=float(beta))


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """SiLU y = x σ(x)."""
    _float_input("silu", input)
    return _maybe_inplace("silu", lambda t: _act.Swish.apply(t, beta=1.0), input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = x tanh(softplus(x))."""
    _float_input("mish", input)
    return _maybe_inplace("mish", _act.Mish.apply, input, inplace)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """y = x / (1 + |x|) (concept RNN-SOFTSIGN)."""
    return _act.Softsign.apply(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """y = (1/β) ln(1 + e^{βx}), and y = x where βx > threshold."""
    _float_input("softplus", input)
    return _act.Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """y = ln σ(x) = −softplus(−x), stable for large |x|."""
    _float_input("logsigmoid", input)
    return _act.LogSigmoid.apply(input)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """y = x − tanh x."""
    return input - _ew.tanh(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """Gated linear unit: input split in halves a, b along ``dim``, y = a ⊙ σ(b).

    Shape: (*, 2n, *) → (*, n, *).
    """
    if input.ndim == 0:
        raise ValueError("glu: does not support scalars because halving size must be even")
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-input.ndim}, "
            f"{input.ndim - 1}], but got {dim})"
        )
    size = input.shape[dim]
    if size % 2:
        raise ValueError(
            f"glu: halving dimension must be even, but dimension {dim % input.ndim} is size {size}"
        )
    a, b = split(input, size // 2, dim % input.ndim)
    return a * _ew.sigmoid(b)


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """y = x if x > 0 else a·x with a learned slope per channel (axis 1) or one shared
    slope; dy/dx = a at the kink, dy/da = x for x ≤ 0.

    Shape: input (N, C, *), weight (C,) or (1,); an input of fewer than 2 axes has one
    channel.
    """
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 0-d or 1-d, got shape {tuple(weight.shape)}")
    n = weight.shape[0] if weight.ndim else 1
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if n != channels:
            raise ValueError(
                f"prelu: mismatch of parameter numbers and input channel size: weight has {n} "
                f"values, input of shape {tuple(input.shape)} has {channels} channels"
            )
        if input.ndim >= 2:
            weight = weight.reshape(n, *([1] * (input.ndim - 2)))
    return _ew.where(input._data > 0, input, weight * input)


def rrelu(
    input: Tensor,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
    generator=None,
) -> Tensor:
    """Randomized leaky ReLU: y = x for x > 0, else a·x with a ~ U(lower, upper) drawn per
    element when ``training``, a = (lower + upper)/2 otherwise; dy/dx = a at x = 0.
    Draws from ``generator`` or the global generator (``gradkit.manual_seed``)."""
    _float_input("rrelu", input)
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: need 0 <= lower <= upper, got lower={lower}, upper={upper}")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    draws = _random.numpy_rng(generator).uniform(lower, upper, input.shape)
    slopes = xp.where(input._data > 0, 1.0, draws).astype(input.dtype)
    return _maybe_inplace("rrelu", lambda t: t * Tensor(slopes), input, inplace)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's implicit dim (deprecated there too): 0 for 0-, 1- and 3-d, else 1."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _normalized(name: str, op, x: Tensor, dim, axis, dtype, stacklevel: int) -> Tensor:
    dim = axis if dim is None else dim
    if dim is None:
        dim = _softmax_dim(name, x.ndim, stacklevel + 1)
    if dtype is not None:
        x = x.to(dtype)
    _float_input(name, x)
    ndim = max(x.ndim, 1)
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but "
            f"got {dim})"
        )
    if x.ndim == 0:
        return op.apply(x.reshape(1), axis=0).reshape(())
    return op.apply(x, axis=dim)


def softmax(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None, *, axis=None) -> Tensor:  # noqa: A002
    """y_i = exp(x_i) / Σ_j exp(x_j) along ``dim``, computed stably. ``dtype`` casts the
    input first; without ``dim`` PyTorch's implicit choice is made (with its warning).
    ``axis=`` is accepted for ``dim``."""
    return _normalized("softmax", Softmax, input, dim, axis, dtype, _stacklevel)


def log_softmax(
    input: Tensor,  # noqa: A002
    dim=None,
    _stacklevel: int = 3,
    dtype=None,
    *,
    axis=None,
) -> Tensor:
    """y_i = x_i − log Σ_j exp(x_j) along ``dim`` (see :func:`softmax`)."""
    return _normalized("log_softmax", LogSoftmax, input, dim, axis, dtype, _stacklevel)


def softmin(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """y = softmax(−x) along ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    return _normalized("softmin", Softmax, -input, dim, None, None, _stacklevel)


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
