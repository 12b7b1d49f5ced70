"""Weight initializers with Keras 3's names, defaults and fan rules (concept NN-INIT).

An initializer is called as ``init(shape, dtype=None)`` and returns a gradkit Tensor.
Fans follow Keras' weight layout: for a kernel ``(..., in, out)`` (a Dense kernel
``(in, out)``, a conv kernel ``(kh, kw, in, out)``), ``fan_in = in · receptive`` and
``fan_out = out · receptive`` with ``receptive`` the product of the leading axes; a 1-D
shape has ``fan_in = fan_out = shape[0]``.

Draws come from gradkit's global generator (``gk.manual_seed`` /
``keras.utils.set_random_seed``) unless ``seed=`` is an int, in which case every call
gives the same values, as in Keras 3. The values differ from Keras' own streams; copy
weights with ``set_weights`` to compare numbers.
"""

from __future__ import annotations

import math

import numpy as np

from gradkit import random as _random
from gradkit.keras.src.backend import standardize_dtype, to_snake_case
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object
from gradkit.tensor import Tensor


def compute_fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape in Keras' layout."""
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)``."""

    def __call__(self, shape, dtype=None) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype)")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _shape(shape) -> tuple[int, ...]:
    try:
        out = tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(
            f"An initializer needs a fully known shape (ints), got {shape!r}"
        ) from None
    if any(d < 0 for d in out):
        raise ValueError(f"An initializer got a negative dimension in shape {out}")
    return out


def _tensor(values, dtype) -> Tensor:
    return Tensor(np.asarray(values, dtype=standardize_dtype(dtype)))


class _Random(Initializer):
    def __init__(self, seed=None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"`seed` must be an int or None, got {seed!r}")
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed) if self.seed is not None else _random.numpy_rng()

    def get_config(self) -> dict:
        return {"seed": self.seed}


def _truncated(rng: np.random.Generator, mean: float, stddev: float, shape) -> np.ndarray:
    """N(mean, stddev²) truncated to ±2 stddev (values outside are redrawn)."""
    values = rng.normal(0.0, 1.0, shape)
    bad = np.abs(values) > 2.0
    while bad.any():
        values[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(values) > 2.0
    return mean + stddev * values


class RandomNormal(_Random):
    """N(mean, stddev²); Keras defaults ``mean=0``, ``stddev=0.05``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(self._rng().normal(self.mean, self.stddev, _shape(shape)), dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Random):
    """U(minval, maxval); Keras defaults ``-0.05``, ``0.05``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(self._rng().uniform(self.minval, self.maxval, _shape(shape)), dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Random):
    """N(mean, stddev²) with values beyond two standard deviations redrawn."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(_truncated(self._rng(), self.mean, self.stddev, _shape(shape)), dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_Random):
    """Variance ``scale / n`` with ``n`` the fan chosen by ``mode`` (fan_in, fan_out or
    their mean, fan_avg):

    * ``"truncated_normal"`` (``"normal"``): stddev √(scale/n) / 0.8796 truncated at ±2σ
      (the divisor restores the variance lost to truncation);
    * ``"untruncated_normal"``: stddev √(scale/n);
    * ``"uniform"``: U(−l, l) with l = √(3 · scale/n).
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ) -> None:
        super().__init__(seed)
        self.input_axes, self.output_axes = input_axes, output_axes
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"Invalid `mode` argument: {mode!r}. Please use one of fan_in, fan_out, fan_avg"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        valid = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in valid:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Please use one of "
                f"{', '.join(valid)}"
            )
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = _shape(shape)
        if self.input_axes is not None and self.output_axes is not None:
            fan_in = math.prod(shape[a] for a in self.input_axes)
            fan_out = math.prod(shape[a] for a in self.output_axes)
        else:
            fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, n[self.mode])
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = _truncated(rng, 0.0, math.sqrt(scale) / 0.87962566103423978, shape)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, shape)
        return _tensor(values, dtype)

    def get_config(self) -> dict:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _variance_scaling(name: str, scale: float, mode: str, distribution: str, doc: str):
    def __init__(self, seed=None, input_axes=None, output_axes=None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self) -> dict:
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(
        name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc}
    )


GlorotUniform = _variance_scaling(
    "GlorotUniform", 1.0, "fan_avg", "uniform", "U(−l, l), l = √(6 / (fan_in + fan_out))."
)
GlorotNormal = _variance_scaling(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Truncated normal, stddev √(2 / (fan_in + fan_out)) / 0.8796.",
)  # fmt: skip
HeUniform = _variance_scaling("HeUniform", 2.0, "fan_in", "uniform", "U(−l, l), l = √(6 / fan_in).")
HeNormal = _variance_scaling(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal, stddev √(2 / fan_in)."
)
LecunUniform = _variance_scaling(
    "LecunUniform", 1.0, "fan_in", "uniform", "U(−l, l), l = √(3 / fan_in)."
)
LecunNormal = _variance_scaling(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal, stddev √(1 / fan_in)."
)
for _cls in (GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal):
    _cls.__module__ = __name__


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(np.zeros(_shape(shape)), dtype)


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(np.ones(_shape(shape)), dtype)


class Constant(Initializer):
    """Every entry ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(np.full(_shape(shape), self.value), dtype)

    def get_config(self) -> dict:
        value = self.value
        return {"value": value.tolist() if isinstance(value, np.ndarray) else value}


class Orthogonal(_Random):
    """A (semi-)orthogonal matrix times ``gain``: the shape is flattened to
    ``(Π shape[:-1], shape[-1])``, Q of the QR decomposition of a Gaussian matrix, with
    R's diagonal signs folded in."""

    def __init__(self, gain: float = 1.0, seed=None) -> None:
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return _tensor(self.gain * q.reshape(shape), dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return _tensor(self.gain * np.eye(*shape), dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain}


ALL_OBJECTS = (
    Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal,
    HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform,
    TruncatedNormal, VarianceScaling,
)  # fmt: skip
ALL_OBJECTS_DICT: dict = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }
)

# lower-case aliases, as keras.initializers.glorot_uniform
constant, identity, ones, zeros = Constant, Identity, Ones, Zeros
glorot_normal, glorot_uniform, he_normal, he_uniform = (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform,
)  # fmt: skip
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling


def serialize(initializer) -> dict:
    """The initializer's config in Keras' ``{"class_name", "config", ...}`` layout."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, ALL_OBJECTS_DICT, custom_objects, "initializer")


def get(identifier):
    """An initializer from a name (``"glorot_uniform"``, ``"HeNormal"``), a config dict,
    a class, an instance, a callable ``(shape, dtype) -> values`` or an array of the
    exact shape to use. ``None`` gives None."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    elif isinstance(identifier, (np.ndarray, np.generic, Tensor)):
        values = np.asarray(identifier._data if isinstance(identifier, Tensor) else identifier)

        def initialize_fn(shape, dtype=None):
            if tuple(shape) != values.shape:
                raise ValueError(
                    f"Expected `shape` to be {values.shape} for direct tensor as "
                    f"initializer. Received shape={tuple(shape)}"
                )
            return _tensor(values, dtype)

        return initialize_fn
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj):
        raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
    return obj


__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
    "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal", "RandomNormal",
    "RandomUniform", "TruncatedNormal", "VarianceScaling", "Zeros", "deserialize", "get",
    "serialize",
]  # fmt: skip
