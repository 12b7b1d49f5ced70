"""Tensor constructors (PyTorch names and dtype rules): tensor, zeros, ones, empty, full,
arange, linspace, eye, the ``*_like`` forms, and the random ones: rand, randn, randint,
randperm (multinomial, normal, bernoulli and poisson are in :mod:`gradkit.ops.sampling`).

Shapes are given as varargs (``zeros(2, 3)``), a tuple or list (``zeros((2, 3))``) or
``size=``. Floats default to the default dtype (float32, see ``set_default_dtype``),
Python ints to int64, bools to bool; ``dtype=`` takes any gradkit or NumPy dtype, and
``device=`` only the CPU.
"""

from __future__ import annotations

from gradkit import random as _random
from gradkit.backend import as_array, check_device, get_default_dtype, to_dtype, xp
from gradkit.backend import parse_shape as _shape
from gradkit.tensor import Tensor


def _dtype(dtype, default=None):
    if dtype is None:
        return xp.dtype(get_default_dtype() if default is None else default)
    return to_dtype(dtype)


def _make(data, requires_grad: bool, device) -> Tensor:
    if device is not None:
        check_device(device)
    return Tensor(data, requires_grad)


def _float_dtype(name: str, dtype):
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{name}: dtype must be a floating point dtype, got {dtype.name}")
    return dtype


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``: Python floats become the default dtype,
    ints int64, bools bool; NumPy arrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data._data
    return _make(xp.array(as_array(data, dtype), copy=True), requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Wrap ``data`` without copying when possible."""
    if isinstance(data, Tensor) and dtype is None:
        return data
    return _make(as_array(data._data if isinstance(data, Tensor) else data, dtype), False, device)


def from_numpy(array) -> Tensor:
    """Share ``array``'s memory and dtype."""
    return Tensor(xp.asarray(array))


def zeros(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _make(xp.zeros(_shape(shape, size), _dtype(dtype)), requires_grad, device)


def ones(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _make(xp.ones(_shape(shape, size), _dtype(dtype)), requires_grad, device)


def empty(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (its values are whatever the memory held)."""
    return _make(xp.empty(_shape(shape, size), _dtype(dtype)), requires_grad, device)


def _fill_dtype(value):
    """The dtype ``full`` infers from its fill value, as PyTorch."""
    if isinstance(value, (bool, xp.bool_)):
        return xp.dtype(xp.bool_)
    if isinstance(value, (int, xp.integer)):
        return xp.dtype(xp.int64)
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, complex):
        return xp.dtype(xp.complex64)
    return xp.dtype(get_default_dtype())


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value
    (bool, int64, or the default float) unless ``dtype`` is given."""
    shape = _shape((size,))
    dtype = _fill_dtype(fill_value) if dtype is None else to_dtype(dtype)
    value = fill_value._data if isinstance(fill_value, Tensor) else fill_value
    return _make(xp.full(shape, value, dtype=dtype), requires_grad, device)


def _number(value):
    return value.item() if isinstance(value, (Tensor, xp.generic)) else value


def arange(
    start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """Values from ``start`` (default 0) up to but excluding ``end``, ``step`` apart:
    int64 when all three are integers, the default float dtype otherwise."""
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange: upper bound and larger bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    is_int = all(isinstance(v, (int, xp.integer)) for v in (start, end, step))
    default = xp.int64 if is_int else get_default_dtype()
    return _make(xp.arange(start, end, step).astype(_dtype(dtype, default)), requires_grad, device)


def linspace(
    start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    data = xp.linspace(_number(start), _number(end), int(steps))
    return _make(data.astype(_dtype(dtype)), requires_grad, device)


def eye(
    n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """The n×m identity matrix (m = n by default)."""
    return _make(xp.eye(n, m, dtype=_dtype(dtype)), requires_grad, device)


# ---------------------------------------------------------------- *_like
def zeros_like(t: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _make(xp.zeros(t.shape, _dtype(dtype, t.dtype)), requires_grad, device)


def ones_like(t: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _make(xp.ones(t.shape, _dtype(dtype, t.dtype)), requires_grad, device)


def empty_like(t: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _make(xp.empty(t.shape, _dtype(dtype, t.dtype)), requires_grad, device)


def full_like(
    t: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    dtype = _dtype(dtype, t.dtype)
    return _make(xp.full(t.shape, _number(fill_value), dtype=dtype), requires_grad, device)


# ---------------------------------------------------------------- random
def randn(
    *shape, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples from the global generator (see ``manual_seed``)."""
    dtype = _float_dtype("randn", dtype)
    gen = _random.numpy_rng(generator)
    shape = _shape(shape, size)
    if dtype.type in (xp.float32, xp.float64):
        data = gen.standard_normal(shape, dtype=dtype)
    else:
        data = gen.standard_normal(shape).astype(dtype)
    return _make(data, requires_grad, device)


def rand(
    *shape, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """Uniform samples in [0, 1) from the global generator."""
    dtype = _float_dtype("rand", dtype)
    gen = _random.numpy_rng(generator)
    shape = _shape(shape, size)
    if dtype.type in (xp.float32, xp.float64):
        data = gen.random(shape, dtype=dtype)
    else:
        data = xp.minimum(gen.random(shape), 1 - xp.finfo(dtype).epsneg).astype(dtype)
    return _make(data, requires_grad, device)


def _integers(name: str, low: int, high: int, shape, dtype, generator):
    low, high = int(_number(low)), int(_number(high))
    if low >= high:
        raise RuntimeError(
            f"{name}: random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    return _random.numpy_rng(generator).integers(low, high, size=shape).astype(dtype)


def randint(
    *args, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False,
    low=None, high=None,
) -> Tensor:  # fmt: skip
    """Integers drawn uniformly from [low, high) (``torch.randint``): ``randint(high,
    size)`` or ``randint(low, high, size)``, int64 unless ``dtype`` is given.

    Examples
    --------
    >>> import gradkit as gk
    >>> gk.randint(3, 5, (4,)).dtype
    dtype('int64')
    """
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if high is None and args:
        high = args.pop()
    if low is None:
        low = args.pop() if args else 0
    if args or high is None or size is None:
        raise TypeError(
            "randint takes (high, size) or (low, high, size), with size a tuple such as (3,); "
            f"got args={args!r}, low={low!r}, high={high!r}, size={size!r}"
        )
    shape = _shape((), size)
    dtype = _dtype(dtype, xp.int64)
    return _make(_integers("randint", low, high, shape, dtype, generator), requires_grad, device)


def randint_like(
    t: Tensor, low=0, high=None, *, generator=None, dtype=None, device=None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """Integers from [low, high) in ``t``'s shape and dtype (``randint_like(t, high)`` or
    ``randint_like(t, low, high)``)."""
    if high is None:
        low, high = 0, low
    dtype = _dtype(dtype, t.dtype)
    data = _integers("randint_like", low, high, t.shape, dtype, generator)
    return _make(data, requires_grad, device)


def randperm(
    n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """A random permutation of 0, …, n − 1 (int64 unless ``dtype`` is given)."""
    n = int(_number(n))
    if n < 0:
        raise ValueError(f"randperm: n must be non-negative, got {n}")
    data = _random.numpy_rng(generator).permutation(n).astype(_dtype(dtype, xp.int64))
    return _make(data, requires_grad, device)


def randn_like(t: Tensor, *, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    return randn(
        t.shape, dtype=_dtype(dtype, t.dtype), generator=generator, requires_grad=requires_grad
    )


def rand_like(t: Tensor, *, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    return rand(
        t.shape, dtype=_dtype(dtype, t.dtype), generator=generator, requires_grad=requires_grad
    )
