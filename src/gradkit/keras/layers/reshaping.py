"""Keras's reshaping layers (concepts CNN-PAD, CNN-SIZE): ``Flatten``, ``Reshape``,
``Permute``, ``RepeatVector``, ``UpSampling1D/2D``, ``ZeroPadding1D/2D`` and
``Cropping1D/2D``. Images are channels-last ``(batch, H, W, C)`` unless
``data_format="channels_first"``."""

from __future__ import annotations

import math
import numbers

from gradkit.keras.layers._args import standardize_data_format, standardize_tuple
from gradkit.keras.layers._conv_ops import channels_first, channels_last
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
from gradkit.ops.interpolation import interpolate
from gradkit.ops.shape import broadcast_to, pad, permute, reshape, unsqueeze


class Flatten(Layer):
    """Flatten every axis but the batch: ``(batch, d1, ..., dk)`` → ``(batch, d1·…·dk)``.
    A channels-first input is first moved to channels-last, so the flattened order is
    the same for both data formats."""

    def __init__(self, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self._build_at_init()

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = permute(inputs, 0, *range(2, inputs.ndim), 1)
        return reshape(inputs, inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape every sample to ``target_shape`` (no batch axis; one entry may be −1)."""

    def __init__(self, target_shape, **kwargs) -> None:
        super().__init__(**kwargs)
        try:
            self.target_shape = tuple(int(d) for d in target_shape)
        except TypeError:
            raise ValueError(
                f"Reshape: `target_shape` must be a tuple of ints, got {target_shape!r}"
            ) from None
        if sum(d == -1 for d in self.target_shape) > 1 or any(
            d < -1 or d == 0 for d in self.target_shape
        ):
            raise ValueError(
                "Reshape: `target_shape` takes positive sizes and at most one -1, got "
                f"{self.target_shape}"
            )
        self._build_at_init()

    def _resolved(self, input_shape):
        size = math.prod(input_shape[1:]) if None not in input_shape[1:] else None
        known = math.prod(d for d in self.target_shape if d != -1)
        if size is None:
            return tuple(None if d == -1 else d for d in self.target_shape)
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise self._mismatch(input_shape)
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise self._mismatch(input_shape)
        return self.target_shape

    def _mismatch(self, input_shape):
        return ValueError(
            f"Layer '{self.name}' (Reshape): the total size of the new array must be "
            f"unchanged: input_shape = {tuple(input_shape[1:])}, target_shape = "
            f"{self.target_shape}"
        )

    def call(self, inputs):
        return reshape(inputs, inputs.shape[0], *self._resolved(inputs.shape))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._resolved(input_shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Permute the non-batch axes: ``dims`` is a permutation of 1..k (``(2, 1)`` swaps
    the two axes of a ``(batch, steps, features)`` input)."""

    def __init__(self, dims, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices "
                f"in `dims` must be consecutive and start from 1. Received dims={dims!r}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self._build_at_init()

    def call(self, inputs):
        return permute(inputs, 0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """Repeat each ``(batch, features)`` vector ``n`` times: output ``(batch, n,
    features)``."""

    def __init__(self, n, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"Expected an integer value for `n`, got {type(n).__name__}.")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)
        self._build_at_init()

    def call(self, inputs):
        b, f = inputs.shape
        return broadcast_to(unsqueeze(inputs, 1), (b, self.n, f))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


def _repeat(x, axis: int, times: int):
    """Repeat every entry along ``axis`` ``times`` times in place (``np.repeat``): a
    broadcast over a new axis after ``axis``, then a reshape."""
    if times == 1:
        return x
    shape = x.shape
    x = unsqueeze(x, axis + 1)
    x = broadcast_to(x, (*shape[: axis + 1], times, *shape[axis + 1 :]))
    return reshape(x, *shape[:axis], shape[axis] * times, *shape[axis + 1 :])


class UpSampling1D(Layer):
    """Repeat each time step ``size`` times: ``(batch, steps, features)`` →
    ``(batch, steps·size, features)``."""

    def __init__(self, size=2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 1, "size")[0]
        self.input_spec = InputSpec(ndim=3)
        self._build_at_init()

    def call(self, inputs):
        return _repeat(inputs, 1, self.size)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


_UPSAMPLING_MODES = ("nearest", "bilinear")


class UpSampling2D(Layer):
    """Enlarge images by integer factors (concept CNN-SIZE).

    ``"nearest"`` repeats each row ``size[0]`` and each column ``size[1]`` times;
    ``"bilinear"`` interpolates with half-pixel centres (source coordinate
    (i + ½)/s − ½, clamped at the edges), as Keras's ``ops.image.resize``.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size")
        if interpolation not in _UPSAMPLING_MODES:
            raise ValueError(
                f"Layer UpSampling2D: `interpolation` must be one of {_UPSAMPLING_MODES}, "
                f"received: {interpolation!r}"
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)
        self._build_at_init()

    def call(self, inputs):
        sh, sw = self.size
        if self.interpolation == "nearest":
            first = 1 if self.data_format == "channels_last" else 2
            return _repeat(_repeat(inputs, first, sh), first + 1, sw)
        x = channels_first(inputs, self.data_format)
        h, w = x.shape[2:]
        out = interpolate(x, size=(h * sh, w * sw), mode="bilinear", align_corners=False)
        return channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        first = 1 if self.data_format == "channels_last" else 2
        shape = list(input_shape)
        for axis, s in zip((first, first + 1), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * s
        return tuple(shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


def _pairs(value, name: str, n: int) -> tuple[tuple[int, int], ...]:
    """An int (same on every side), ``n`` ints (symmetric per axis) or ``n`` pairs."""
    message = (
        f"`{name}` should be an int, a tuple of {n} ints or a tuple of {n} tuples of 2 "
        f"ints (before, after). Received: {name}={value!r}"
    )
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        pairs = ((int(value), int(value)),) * n
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if n == 1 and len(items) == 2 and all(isinstance(v, numbers.Integral) for v in items):
            pairs = (tuple(int(v) for v in items),)
        elif len(items) != n:
            raise ValueError(message)
        elif all(isinstance(v, numbers.Integral) for v in items):
            pairs = tuple((int(v), int(v)) for v in items)
        else:
            try:
                pairs = tuple(standardize_tuple(v, 2, name, allow_zero=True) for v in items)
            except ValueError:
                raise ValueError(message) from None
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(f"{message}; values must be >= 0")
    return pairs


class _Padding(Layer):
    rank = 2

    def __init__(self, padding, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format) if self.rank == 2 else None
        self.padding = _pairs(padding, "padding", self.rank)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._build_at_init()

    def _axes(self):
        return (
            tuple(range(2, 2 + self.rank))
            if self.data_format == "channels_first"
            else (tuple(range(1, 1 + self.rank)))
        )

    def call(self, inputs):
        widths = [(0, 0)] * inputs.ndim
        for axis, pair in zip(self._axes(), self.padding):
            widths[axis] = pair
        return pad(inputs, tuple(widths))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (a, b) in zip(self._axes(), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + a + b
        return tuple(shape)

    def get_config(self) -> dict:
        config = {**super().get_config(), "padding": self.padding}
        if self.rank == 2:
            config["data_format"] = self.data_format
        else:
            config["padding"] = self.padding[0]
        return config


class ZeroPadding1D(_Padding):
    """Add zeros at the start and end of the time axis: ``padding`` an int or a
    (before, after) pair."""

    rank = 1

    def __init__(self, padding=1, **kwargs) -> None:
        super().__init__(padding, **kwargs)


class ZeroPadding2D(_Padding):
    """Add rows and columns of zeros around images (concept CNN-PAD): ``padding`` an
    int, (sym_h, sym_w) or ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs) -> None:
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Padding):
    def call(self, inputs):
        index = [slice(None)] * inputs.ndim
        for axis, (a, b) in zip(self._axes(), self.padding):
            n = inputs.shape[axis]
            if a + b >= n:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): cropping "
                    f"{self.padding} removes all {n} entries of axis {axis} of the input "
                    f"{tuple(inputs.shape)}"
                )
            index[axis] = slice(a, n - b)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (a, b) in zip(self._axes(), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] - a - b
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["cropping"] = config.pop("padding")
        return config


class Cropping1D(_Cropping):
    """Remove steps at the start and end of the time axis: ``cropping`` an int or a
    (start, end) pair."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs) -> None:
        super().__init__(_pairs(cropping, "cropping", 1), **kwargs)


class Cropping2D(_Cropping):
    """Remove rows and columns at the image borders: ``cropping`` an int,
    (sym_h, sym_w) or ((top, bottom), (left, right))."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs) -> None:
        super().__init__(_pairs(cropping, "cropping", 2), data_format, **kwargs)
