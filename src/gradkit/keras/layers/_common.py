"""What the Keras layers share: serializing their arguments for ``get_config`` and
drawing dropout masks from the layer's own seed or gradkit's global generator."""

from __future__ import annotations

from gradkit import random as _random
from gradkit.backend import xp
from gradkit.keras import activations, constraints, initializers, regularizers
from gradkit.tensor import Tensor

#: the kernel/bias arguments every weighted layer serializes, in Keras's config order
KERNEL_BIAS = (
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
    "kernel_constraint", "bias_constraint",
)  # fmt: skip


def serialized_attributes(layer, *names: str) -> dict:
    """:func:`serialized` of the layer's attributes ``names``, in that order."""
    return serialized(layer, **{name: getattr(layer, name) for name in names})


def serialized(layer, **objects) -> dict:
    """``{"kernel_initializer": {...}, "activation": "relu", ...}``: each keyword's value
    serialized by its kind, told by the name's ending."""
    out = {}
    for key, value in objects.items():
        if key.endswith("activation"):
            out[key] = activations.serialize(value)
        elif value is None:
            out[key] = None
        elif key.endswith("initializer"):
            out[key] = initializers.serialize(value)
        elif key.endswith("regularizer"):
            out[key] = regularizers.serialize(value)
        elif key.endswith("constraint"):
            out[key] = constraints.serialize(value)
        else:
            raise KeyError(key)
    return out


def check_seed(owner: str, seed):
    """A layer's ``seed``: None (gradkit's global generator) or an int."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"{owner}: `seed` must be an int or None, got {seed!r}")
    return seed


class SeededDraws:
    """The random stream of a layer: its own generator when it was given ``seed=``
    (so two runs of the program draw the same masks), else the global one that
    ``gradkit.manual_seed``/``keras.utils.set_random_seed`` reseeds."""

    def __init__(self, seed) -> None:
        self.seed = seed
        self._rng = None if seed is None else xp.random.default_rng(seed)

    def rng(self):
        return self._rng if self._rng is not None else _random.numpy_rng(None)

    def dropout_mask(self, shape, rate: float, dtype) -> Tensor:
        """Inverted-dropout multipliers: 0 with probability ``rate``, else 1/(1 − rate)
        (all zeros at rate 1)."""
        dtype = xp.dtype(dtype) if xp.dtype(dtype).kind == "f" else xp.dtype(xp.float32)
        if rate >= 1.0:
            return Tensor(xp.zeros(shape, dtype=dtype))
        keep = self.rng().random(shape, dtype=dtype) >= rate
        return Tensor(keep * dtype.type(1.0 / (1.0 - rate)))


def as_float(layer, x):
    """Integer or boolean inputs of a layer with float weights, cast to the layer's
    compute dtype (as Keras promotes them); float inputs pass unchanged."""
    if x is not None and x.dtype.kind in "biu":
        return x.to(xp.dtype(layer.compute_dtype))
    return x
