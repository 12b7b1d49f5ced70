"""Argument checks shared by the Keras layers, with Keras's messages: tuples of ints
(``kernel_size``, ``strides``), ``padding`` and ``data_format`` strings."""

from __future__ import annotations

import numbers

from gradkit.keras.src.backend import image_data_format

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
    """``None`` → ``keras.backend.image_data_format()`` (``"channels_last"`` unless
    changed)."""
    if value is None:
        return image_data_format()
    data_format = str(value).lower()
    if data_format not in DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {DATA_FORMATS}. "
            f"Received: data_format={value!r}"
        )
    return data_format
