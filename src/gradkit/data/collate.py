"""``default_collate`` (samples → one batch) and ``default_convert`` (one sample, no
batching), with PyTorch's rules for every element type."""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

from gradkit.backend import xp
from gradkit.tensor import Tensor


def _stack(arrays: list) -> Tensor:
    try:
        return Tensor(xp.stack(arrays))
    except ValueError:
        shapes = sorted({tuple(a.shape) for a in arrays})
        raise RuntimeError(
            f"default_collate: stack expects each tensor to be equal size, but the batch "
            f"has shapes {shapes}; pad the samples or pass a collate_fn"
        ) from None


def _check_numeric(a) -> None:
    if a.dtype.kind in "OSUV":
        raise TypeError(
            f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
            f"lists; found an array of dtype {a.dtype}"
        )


def _same_mapping(like: Mapping, values: dict) -> Mapping:
    """``values`` in a mapping of ``like``'s type where it can be built (PyTorch's rule)."""
    if isinstance(like, MutableMapping):
        clone = copy.copy(like)
        clone.update(values)
        return clone
    try:
        return type(like)(values)
    except TypeError:
        return values


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, as PyTorch's ``default_collate`` does.

    Tensors and arrays are stacked along a new first axis into a Tensor; Python ints
    become an int64 Tensor, floats a float64 Tensor, bools a bool Tensor and NumPy
    scalars keep their dtype; strings stay a list; dicts are collated key by key,
    named tuples field by field, and other sequences (tuples included) into a list of
    collated fields, as in PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> x, y = default_collate([(np.zeros(2), 1), (np.ones(2), 0)])
    >>> x.shape, x.dtype, y
    ((2, 2), dtype('float64'), tensor([1, 0]))
    """
    if not len(batch):
        raise ValueError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([b._data for b in batch])
    if isinstance(elem, xp.ndarray):
        _check_numeric(elem)
        return _stack([xp.asarray(b) for b in batch])
    if isinstance(elem, xp.generic):
        _check_numeric(elem)
        return Tensor(xp.array(batch))
    if isinstance(elem, bool):
        return Tensor(xp.array(batch, dtype=xp.bool_))
    if isinstance(elem, int):
        return Tensor(xp.array(batch, dtype=xp.int64))
    if isinstance(elem, float):
        return Tensor(xp.array(batch, dtype=xp.float64))
    if isinstance(elem, str | bytes):
        return list(batch)
    if isinstance(elem, Mapping):
        return _same_mapping(elem, {key: default_collate([b[key] for b in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(f)) for f in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(f)) for f in zip(*batch)]
        if isinstance(elem, MutableSequence) and not isinstance(elem, list):
            clone = copy.copy(elem)
            for i, f in enumerate(fields):
                clone[i] = f
            return clone
        return fields
    raise TypeError(
        f"default_collate: can't batch samples of type {type(elem).__name__} (batch must "
        "contain tensors, numpy arrays, numbers, dicts or lists); pass a collate_fn"
    )


def default_convert(data: Any) -> Any:
    """What ``DataLoader(batch_size=None)`` does to each sample: NumPy arrays and
    scalars become Tensors (inside dicts, tuples and lists too); all else is kept.

    Examples
    --------
    >>> import numpy as np
    >>> default_convert({"x": np.ones(2, np.float32), "n": 3})
    {'x': tensor([1., 1.]), 'n': 3}
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, xp.ndarray | xp.generic):
        return data if data.dtype.kind in "OSUV" else Tensor(xp.asarray(data))
    if isinstance(data, Mapping):
        return _same_mapping(data, {key: default_convert(v) for key, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        converted = [default_convert(d) for d in data]
        if isinstance(data, list):
            return converted
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data
