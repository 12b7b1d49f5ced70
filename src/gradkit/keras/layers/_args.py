"""Argument checks shared by the Keras layers, with Keras's messages: tuples of ints
(``kernel_size``, ``strides``), ``padding`` and ``data_format`` strings, and the rank
check a layer makes on its input."""

from __future__ import annotations

import numbers

DATA_FORMATS = ("channels_last", "channels_first")


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or ``n`` ints as an ``n``-tuple of ints > 0 (>= 0 with ``allow_zero``)."""
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        items = (int(value),) * n
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(items) != n or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items
        ):
            raise ValueError(message)
        items = tuple(int(v) for v in items)
    bad = [v for v in items if (v < 0 if allow_zero else v <= 0)]
    if bad:
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{message}, including values {set(bad)} that do not satisfy `value {need}`"
        )
    return items


def standardize_padding(value, allow_causal: bool = False) -> str:
    """``"valid"``/``"same"`` (and ``"causal"`` for 1-d convolutions), case-insensitive."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be one of {allowed}. Received: {value!r}")
    return padding


def standardize_data_format(value) -> str:
    """``None`` → ``"channels_last"`` (Keras's default image data format)."""
    if value is None:
        return "channels_last"
    data_format = str(value).lower()
    if data_format not in DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {DATA_FORMATS}. "
            f"Received: data_format={value!r}"
        )
    return data_format


def check_ndim(layer, shape, ndim=None, min_ndim=None, what: str = "input") -> None:
    """Keras's input-spec check: raise a ``ValueError`` naming the layer, the expected
    rank and the full shape received."""
    shape = tuple(shape)
    if ndim is not None and len(shape) != ndim:
        expected = f"ndim={ndim}"
    elif min_ndim is not None and len(shape) < min_ndim:
        expected = f"min_ndim={min_ndim}"
    else:
        return
    raise ValueError(
        f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
        f"{expected}, found ndim={len(shape)}. Full shape received: {shape} ({what} of "
        f"{type(layer).__name__})"
    )


def check_axis_size(layer, shape, axis: int, size: int, what: str = "input") -> None:
    """Raise when ``shape[axis]`` differs from the size the layer was built for."""
    got = tuple(shape)[axis]
    if got is not None and got != size:
        raise ValueError(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
            f"axis {axis} of {what} to have value {size}, but received {what} with shape "
            f"{tuple(shape)}"
        )
