"""Activation functions with Keras 3's names, arguments and defaults (concept NN-ACT).

Each takes a tensor (a NumPy array or list is converted to float32) and returns a
gradkit Tensor; they are differentiable and built on ``gradkit.nn.functional``. Where
Keras' defaults differ from PyTorch's they follow Keras: ``leaky_relu`` slope 0.2,
``gelu`` exact unless ``approximate=True``, ``relu(x, negative_slope, max_value,
threshold)``. ``get(name)`` resolves the strings layers take as ``activation=``.
"""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object
from gradkit.nn import functional as F
from gradkit.tensor import Tensor


def _t(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    if array.dtype.kind != "f" or array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor(array)


def relu(x, negative_slope: float = 0.0, max_value=None, threshold: float = 0.0):
    """max(x, 0) by default; with ``threshold`` t: x where x > t else 0 (the negative
    part becomes ``negative_slope · (x − t)``); ``max_value`` caps the output."""
    x = _t(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return F.leaky_relu(x, negative_slope)
        negative_part = F.relu(threshold - x) if threshold != 0 else F.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        y = x * (x > threshold).to(x.dtype)
    elif max_value == 6:
        y, clip_max = F.relu6(x), False
    else:
        y = F.relu(x)
    if clip_max:
        y = y.clip(0.0, float(max_value))
    if negative_slope != 0.0:
        y = y - negative_slope * negative_part
    return y


def leaky_relu(x, negative_slope: float = 0.2):
    """x for x ≥ 0, ``negative_slope · x`` otherwise (Keras' default slope is 0.2)."""
    return F.leaky_relu(_t(x), negative_slope)


def relu6(x):
    """min(max(x, 0), 6)."""
    return F.relu6(_t(x))


def softmax(x, axis: int = -1):
    """exp(x_i) / Σ_j exp(x_j) along ``axis``."""
    return F.softmax(_t(x), dim=axis)


def log_softmax(x, axis: int = -1):
    """x_i − log Σ_j exp(x_j) along ``axis``."""
    return F.log_softmax(_t(x), dim=axis)


def elu(x, alpha: float = 1.0):
    """x for x > 0, α(eˣ − 1) otherwise."""
    return F.elu(_t(x), alpha)


def celu(x, alpha: float = 1.0):
    """max(0, x) + min(0, α(e^{x/α} − 1))."""
    return F.celu(_t(x), alpha)


def selu(x):
    """λ·elu(x, α) with Klambauer's constants (λ ≈ 1.0507, α ≈ 1.6733)."""
    return F.selu(_t(x))


def softplus(x):
    """log(1 + eˣ)."""
    return F.softplus(_t(x))


def softsign(x):
    """x / (1 + |x|)."""
    return F.softsign(_t(x))


def squareplus(x, b: float = 4):
    """(x + √(x² + b)) / 2."""
    x = _t(x)
    return (x + (x * x + b).sqrt()) / 2


def soft_shrink(x, threshold: float = 0.5):
    """x − t for x > t, x + t for x < −t, 0 between."""
    return F.softshrink(_t(x), threshold)


def hard_shrink(x, threshold: float = 0.5):
    """x where |x| > t, else 0."""
    return F.hardshrink(_t(x), threshold)


def sparse_plus(x):
    """0 for x ≤ −1, (x + 1)²/4 for −1 < x < 1, x for x ≥ 1."""
    x = _t(x)
    return gk.where(x <= -1, gk.zeros_like(x), gk.where(x >= 1, x, (x + 1) * (x + 1) / 4))


def sparse_sigmoid(x):
    """0 for x ≤ −1, (x + 1)/2 for −1 < x < 1, 1 for x ≥ 1."""
    x = _t(x)
    return ((x + 1) / 2).clip(0.0, 1.0)


def silu(x):
    """x · sigmoid(x) (also ``swish``)."""
    return F.silu(_t(x))


swish = silu


def gelu(x, approximate: bool = False):
    """x · Φ(x); with ``approximate=True`` the tanh form
    0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    return F.gelu(_t(x), approximate="tanh" if approximate else "none")


def glu(x, axis: int = -1):
    """a · sigmoid(b) where a, b are the two halves of x along ``axis``."""
    return F.glu(_t(x), axis)


def tanh(x):
    return F.tanh(_t(x))


def tanh_shrink(x):
    """x − tanh(x)."""
    return F.tanhshrink(_t(x))


def threshold(x, threshold, default_value):
    """x where x > threshold, else ``default_value``."""
    x = _t(x)
    return gk.where(x > threshold, x, gk.full_like(x, default_value))


def sigmoid(x):
    """1 / (1 + e⁻ˣ)."""
    return F.sigmoid(_t(x))


def exponential(x):
    """eˣ."""
    return _t(x).exp()


def hard_sigmoid(x):
    """relu6(x + 3) / 6: 0 for x ≤ −3, 1 for x ≥ 3, x/6 + ½ between."""
    return F.hardsigmoid(_t(x))


def hard_silu(x):
    """x · hard_sigmoid(x) (also ``hard_swish``)."""
    return F.hardswish(_t(x))


hard_swish = hard_silu


def hard_tanh(x):
    """clip(x, −1, 1)."""
    return F.hardtanh(_t(x))


def linear(x):
    """The identity (``activation=None``)."""
    return _t(x)


def mish(x):
    """x · tanh(softplus(x))."""
    return F.mish(_t(x))


def log_sigmoid(x):
    """log(sigmoid(x)) = −softplus(−x)."""
    return F.logsigmoid(_t(x))


def sparsemax(x, axis: int = -1):
    """Euclidean projection of x onto the simplex along ``axis``: max(x − τ, 0) with τ
    chosen so the outputs sum to 1 (Martins & Astudillo, 2016).

    The support {i: x_i > τ} is found on the values; τ = (Σ_{support} x − 1)/|support|
    is then recomputed with differentiable ops, which gives sparsemax's Jacobian.
    """
    x = _t(x)
    values = np.moveaxis(x._data, axis, -1)
    z = -np.sort(-values, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=values.dtype)
    cumsum = np.cumsum(z, axis=-1)
    support = 1 + k * z > cumsum
    k_z = support.sum(axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumsum, k_z - 1, axis=-1) - 1) / k_z
    mask = Tensor(np.moveaxis((values > tau).astype(values.dtype), -1, axis))
    size = mask.sum(dim=axis, keepdim=True)
    tau_t = ((x * mask).sum(dim=axis, keepdim=True) - 1) / size
    return F.relu(x - tau_t)


ALL_OBJECTS = (
    relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus,
    soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid,
    sparse_sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, hard_shrink, linear,
    mish, log_softmax, log_sigmoid, sparsemax,
)  # fmt: skip
ALL_OBJECTS_DICT: dict = {fn.__name__: fn for fn in ALL_OBJECTS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu


def serialize(activation):
    """The name of a built-in activation (``"relu"``), else its config dict."""
    for name, fn in ALL_OBJECTS_DICT.items():
        if activation is fn:
            return fn.__name__ if name == fn.__name__ else name
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, ALL_OBJECTS_DICT, custom_objects, "activation")


def get(identifier):
    """The activation function for ``identifier``: None → ``linear``; a name such as
    ``"relu"`` (unknown names raise ValueError listing the valid ones); a config dict;
    a callable is returned as is."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = ALL_OBJECTS_DICT.get(identifier)
        if fn is None:
            from gradkit.keras.src.serialization import get_registered_object

            fn = get_registered_object(identifier)
        if fn is None:
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier!r}. "
                f"Valid names: {', '.join(sorted(ALL_OBJECTS_DICT))}."
            )
        return fn
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r} (expected a "
        "name such as 'relu', a callable or None)"
    )


__all__ = [*ALL_OBJECTS_DICT, "deserialize", "get", "serialize"]
