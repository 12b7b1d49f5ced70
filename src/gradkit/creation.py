"""Tensor constructors (PyTorch names): tensor, zeros, ones, full, arange, linspace,
eye, randn, rand, randint and the ``*_like`` forms."""

from __future__ import annotations

from gradkit import random as _random
from gradkit.backend import as_array, get_default_dtype, xp
from gradkit.tensor import Tensor


def _shape(shape) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _make(data, dtype, requires_grad: bool) -> Tensor:
    return Tensor(data if dtype is None else data.astype(dtype, copy=False), requires_grad)


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (floats default to float32)."""
    if isinstance(data, Tensor):
        data = data._data
    return Tensor(xp.array(as_array(data, dtype), copy=True), requires_grad)


def as_tensor(data, dtype=None) -> Tensor:
    """Wrap ``data`` without copying when possible."""
    if isinstance(data, Tensor) and dtype is None:
        return data
    return Tensor(as_array(data._data if isinstance(data, Tensor) else data, dtype))


def from_numpy(array) -> Tensor:
    """Share ``array``'s memory and dtype."""
    return Tensor(xp.asarray(array))


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.zeros(_shape(shape), dtype=dtype or get_default_dtype()), requires_grad)


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.ones(_shape(shape), dtype=dtype or get_default_dtype()), requires_grad)


def empty(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.empty(_shape(shape), dtype=dtype or get_default_dtype()), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if dtype is None:
        dtype = get_default_dtype() if isinstance(fill_value, float) else None
    return Tensor(xp.full(shape, fill_value, dtype=dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    data = xp.arange(start, end, step)
    if dtype is None and data.dtype.kind == "f":
        dtype = get_default_dtype()
    return _make(data, dtype, requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(xp.linspace(start, end, steps), dtype or get_default_dtype(), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.eye(n, m, dtype=dtype or get_default_dtype()), requires_grad)


def randn(*shape, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal samples from the global generator (see ``manual_seed``)."""
    gen = _random.numpy_rng(generator)
    data = gen.standard_normal(_shape(shape), dtype=dtype or get_default_dtype())
    return Tensor(data, requires_grad)


def rand(*shape, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform samples in [0, 1) from the global generator."""
    gen = _random.numpy_rng(generator)
    return Tensor(gen.random(_shape(shape), dtype=dtype or get_default_dtype()), requires_grad)


def randint(low: int, high: int, size, dtype=None, generator=None) -> Tensor:
    gen = _random.numpy_rng(generator)
    return Tensor(gen.integers(low, high, size=size, dtype=dtype or xp.int64))


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.full(t.shape, fill_value, dtype=dtype or t.dtype), requires_grad)


def randn_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return randn(*t.shape, dtype=t.dtype, requires_grad=requires_grad)


def rand_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return rand(*t.shape, dtype=t.dtype, requires_grad=requires_grad)
