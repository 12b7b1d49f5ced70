"""Reductions over a dim or a tuple of dims, with PyTorch's keywords and dtypes: sum,
mean, var, std, amax/amin, logsumexp, argmax/argmin, all/any, count_nonzero, nansum,
nanmean. (``max``/``min`` with a dim return ``(values, indices)``: :mod:`gradkit.ops.order`;
``prod`` and the running reductions: :mod:`gradkit.ops.scan`.)

Dims follow PyTorch: ``dim=None`` (or an empty tuple) reduces every dim, a negative dim
counts from the end, a 0-d tensor accepts dim 0 and -1, and an out-of-range dim raises
``IndexError``. ``axis=``/``keepdims=`` are accepted as aliases of ``dim=``/``keepdim=``.
"""

from __future__ import annotations

import builtins
import operator

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops import return_types


# ---------------------------------------------------------------- dims
def normalize_dim(dim, ndim: int) -> int:
    """One dim as a non-negative int; 0-d tensors accept 0 and -1, as in PyTorch.

    >>> normalize_dim(-1, 3)
    2
    """
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"dim must be an int, got {type(dim).__name__} ({dim!r})") from None
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n if ndim else 0


def normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    """``None`` or ``()`` → every dim; an int or a sequence of ints → a sorted tuple of
    non-negative dims (range-checked; a repeated dim is an error, as in PyTorch)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, Tensor):
        axis = axis._data.tolist()
    if isinstance(axis, (list, tuple)):
        if not axis:
            return tuple(range(ndim))
        out = [normalize_dim(a, ndim) for a in axis]
        if len(set(out)) != len(out):
            dup = next(a for a in out if out.count(a) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        return tuple(sorted(out)) if ndim else ()
    d = normalize_dim(axis, ndim)
    return (d,) if ndim else ()


def dims_and_keep(x: Tensor, dim, axis, keepdim, keepdims) -> tuple[tuple[int, ...], bool]:
    """Merge PyTorch's ``dim``/``keepdim`` with NumPy's ``axis``/``keepdims`` aliases."""
    if axis is not None:
        if dim is not None:
            raise TypeError("pass dim= or its alias axis=, not both")
        dim = axis
    return normalize_axes(dim, x.ndim), bool(keepdim or keepdims)


def _expand_back(g, shape, axes, keepdims):
    """Reshape a reduced gradient so it broadcasts against the input of ``shape``."""
    if not keepdims and shape:
        g = g.reshape([1 if i in axes else n for i, n in enumerate(shape)])
    return g


def _count(shape, axes) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _reduced_shape(shape, axes, keepdims) -> list[int]:
    if keepdims:
        return [1 if i in axes else n for i, n in enumerate(shape)]
    return [n for i, n in enumerate(shape) if i not in axes]


# ---------------------------------------------------------------- differentiable reductions
class Sum(Function):
    """y = Σ_axes x; ∂y/∂x = 1 (broadcast back)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        return xp.broadcast_to(g, ctx.shape)


class Mean(Function):
    """y = (1/N) Σ_axes x; ∂y/∂x = 1/N."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.mean(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        n = _count(ctx.shape, ctx.axes)
        return xp.broadcast_to(g / g.dtype.type(n), ctx.shape)


def _variance(x, axes, correction):
    """Σ (x − x̄)² / max(N − correction, 0) with kept dims, and that denominator."""
    centered = x - x.mean(axis=axes, keepdims=True)
    denom = builtins.max(_count(x.shape, axes) - correction, 0)
    with xp.errstate(divide="ignore", invalid="ignore"):
        v = (centered * centered).sum(axis=axes, keepdims=True) / x.dtype.type(denom)
    return v, denom


class Var(Function):
    """y = Σ (x − x̄)² / (N − correction); ∂y/∂x = 2(x − x̄)/(N − correction)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False, correction=1):
        v, denom = _variance(x, axes, correction)
        ctx.x, ctx.denom, ctx.axes, ctx.keepdims = x, denom, axes, keepdims
        return v if keepdims else v.reshape(_reduced_shape(x.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        c = x - x.mean(axis=ctx.axes, keepdims=True)
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdims)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return g * c * (x.dtype.type(2) / x.dtype.type(ctx.denom))


class Std(Function):
    """y = √(Σ (x − x̄)² / (N − correction)); ∂y/∂x = (x − x̄) / ((N − correction)·y),
    and 0 where y = 0 (a constant slice), as in PyTorch."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False, correction=1):
        v, denom = _variance(x, axes, correction)
        y = xp.sqrt(v)
        if not keepdims:
            y = y.reshape(_reduced_shape(x.shape, axes, False))
        ctx.x, ctx.y, ctx.denom, ctx.axes, ctx.keepdims = x, y, denom, axes, keepdims
        return y

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        y = _expand_back(ctx.y, x.shape, ctx.axes, ctx.keepdims)
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdims)
        c = x - x.mean(axis=ctx.axes, keepdims=True)
        flat = y == 0
        safe = xp.where(flat, 1, y)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.where(flat, 0, g * c / (safe * x.dtype.type(ctx.denom)))


class MaxMin(Function):
    """y = max (or min) over axes (``amax``/``amin``, and ``max()`` without a dim); the
    gradient is shared equally among tied extremes, as in PyTorch. A NaN extreme:
    ``amax``/``amin`` give its reduction a NaN gradient; ``max()``/``min()`` of every
    element (``nan_ties``) share it among the NaNs (PyTorch's evenly_distribute)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False, largest=True, nan_ties=False):
        y = (x.max if largest else x.min)(axis=axes, keepdims=True)
        if ctx.needs_input_grad[0]:
            mask = x == y
            if nan_ties and xp.isnan(y).any():
                mask |= xp.isnan(x)
            with xp.errstate(invalid="ignore"):  # 0/0: an amax over NaN, NaN as PyTorch
                ctx.weights = mask / mask.sum(axis=axes, keepdims=True).astype(x.dtype)
            ctx.axes, ctx.keepdims = axes, keepdims
        return y if keepdims else y.reshape(_reduced_shape(x.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        w = ctx.weights
        return _expand_back(g, w.shape, ctx.axes, ctx.keepdims) * w


class LogSumExp(Function):
    """y = m + ln Σ exp(x − m) with m = max x (stable); ∂y/∂x = softmax(x) = exp(x − y).

    The backward reads the saved input and output, so it differentiates again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False):
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        y = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        if not keepdims:
            y = y.reshape(_reduced_shape(x.shape, axes, False))
        ctx.x, ctx.y, ctx.axes, ctx.keepdims = x, y, axes, keepdims
        return y

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdims)
        return g * xp.exp(x - _expand_back(ctx.y, x.shape, ctx.axes, ctx.keepdims))


# ---------------------------------------------------------------- public forms
def _is_integral(x: Tensor) -> bool:
    return x._data.dtype.kind in "biu"


def _with_dtype(x: Tensor, dtype) -> Tensor:
    return x if dtype is None else x.astype(dtype)


def sum(  # noqa: A001 - torch.sum
    x: Tensor, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False
) -> Tensor:
    """Σ over ``dim`` (every dim when None). Bool and integer tensors sum to int64.

    >>> import gradkit as gk
    >>> gk.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(1)
    tensor([3., 7.])
    """
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    x = _with_dtype(x, dtype)
    if _is_integral(x):
        return new_tensor(xp.asarray(x._data.sum(axis=axes, keepdims=keep, dtype=xp.int64)))
    return Sum.apply(x, axes=axes, keepdims=keep)


def mean(x: Tensor, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False) -> Tensor:
    """(1/N) Σ over ``dim``; needs a floating point tensor (or ``dtype=``), as PyTorch."""
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    x = _with_dtype(x, dtype)
    if _is_integral(x):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {x._data.dtype}; use .float() or dtype="
        )
    return Mean.apply(x, axes=axes, keepdims=keep)


def _correction(name: str, x: Tensor, unbiased, correction, ddof):
    if _is_integral(x):
        raise RuntimeError(
            f"{name}(): std and var only support floating point and complex dtypes, got "
            f"{x._data.dtype}; use .float()"
        )
    if ddof is not None:
        if correction is not None:
            raise TypeError(f"{name}(): pass correction= or its alias ddof=, not both")
        correction = ddof
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{name}(): pass unbiased= or correction=, not both")
        return 1 if unbiased else 0
    return 1 if correction is None else correction


def _var_args(name, x, dim, unbiased, keepdim, correction, axis, keepdims, ddof):
    if isinstance(dim, bool):  # torch's var(unbiased) overload
        dim, unbiased = None, dim
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    return axes, keep, _correction(name, x, unbiased, correction, ddof)


def var(
    x: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
    keepdims=False, ddof=None,
) -> Tensor:  # fmt: skip
    """Variance Σ (x − x̄)² / (N − correction) over ``dim``.

    ``correction=1`` by default (Bessel's correction, PyTorch's default);
    ``unbiased=False`` means ``correction=0``; ``ddof`` is NumPy's name for it.
    """
    axes, keep, c = _var_args("var", x, dim, unbiased, keepdim, correction, axis, keepdims, ddof)
    return Var.apply(x, axes=axes, keepdims=keep, correction=c)


def std(
    x: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
    keepdims=False, ddof=None,
) -> Tensor:  # fmt: skip
    """Standard deviation √var (same arguments as :func:`var`); the gradient of a
    constant slice is 0, as in PyTorch."""
    axes, keep, c = _var_args("std", x, dim, unbiased, keepdim, correction, axis, keepdims, ddof)
    return Std.apply(x, axes=axes, keepdims=keep, correction=c)


def _check_nonempty(x: Tensor, op: str, axes) -> None:
    if x._data.size == 0:
        empty = [a for a in axes if x.shape[a] == 0]
        if empty:
            raise IndexError(f"{op}(): Expected reduction dim {empty[0]} to have non-zero size.")


def _extreme(x: Tensor, dim, keepdim, axis, keepdims, largest: bool, op: str) -> Tensor:
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    _check_nonempty(x, op, axes)
    return MaxMin.apply(x, axes=axes, keepdims=keep, largest=largest)


def amax(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Largest value over ``dim`` (a dim or a tuple; every dim when None). The gradient
    is shared equally among ties, as ``torch.amax``."""
    return _extreme(x, dim, keepdim, axis, keepdims, True, "amax")


def amin(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Smallest value over ``dim`` (see :func:`amax`)."""
    return _extreme(x, dim, keepdim, axis, keepdims, False, "amin")


def extreme_all(x: Tensor, largest: bool, op: str) -> Tensor:
    """``max()``/``min()`` without a dim: the extreme of every element (0-d)."""
    if x._data.size == 0:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    axes = tuple(range(x.ndim))
    return MaxMin.apply(x, axes=axes, keepdims=False, largest=largest, nan_ties=True)


def logsumexp(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """ln Σ exp(x) over ``dim``, computed stably (shifted by the max)."""
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    if _is_integral(x):
        x = x.astype(xp.float32)
    return LogSumExp.apply(x, axes=axes, keepdims=keep)


def nansum(x: Tensor, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False) -> Tensor:
    """Σ over ``dim`` treating NaN as 0; the gradient at a NaN is 0."""
    from gradkit.ops.elementwise import where

    x = _with_dtype(x, dtype)
    if _is_integral(x):
        return sum(x, dim, keepdim, axis=axis, keepdims=keepdims)
    return sum(where(xp.isnan(x._data), 0.0, x), dim, keepdim, axis=axis, keepdims=keepdims)


def nanmean(x: Tensor, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False) -> Tensor:
    """Mean over ``dim`` of the elements that are not NaN (NaN where all are)."""
    x = _with_dtype(x, dtype)
    if _is_integral(x):
        return mean(x, dim, keepdim, axis=axis, keepdims=keepdims)
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    count = (~xp.isnan(x._data)).sum(axis=axes, keepdims=keep).astype(x._data.dtype)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return nansum(x, axes, keep) / new_tensor(xp.asarray(count))


def _arg_extreme(x: Tensor, dim, keepdim, axis, keepdims, fn, op: str) -> Tensor:
    """Index of the extreme (the first one at ties), flattened when ``dim`` is None."""
    if axis is not None:
        dim = axis
    keep = bool(keepdim or keepdims)
    if dim is None:
        if x._data.size == 0:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        out = fn(x._data.reshape(-1))
        return new_tensor(xp.asarray(out, dtype=xp.int64).reshape((1,) * x.ndim if keep else ()))
    d = normalize_dim(dim, x.ndim)
    _check_nonempty(x, op, (d,) if x.ndim else ())
    data = x._data if x.ndim else x._data.reshape(1)
    out = fn(data, axis=d, keepdims=keep).astype(xp.int64)
    return new_tensor(out if x.ndim else out.reshape(()))


def argmax(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Index of the largest element along ``dim`` (of the flattened tensor when None); no
    graph. NaN counts as the largest, as in PyTorch."""
    return _arg_extreme(x, dim, keepdim, axis, keepdims, xp.argmax, "argmax")


def argmin(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Index of the smallest element along ``dim`` (see :func:`argmax`)."""
    return _arg_extreme(x, dim, keepdim, axis, keepdims, xp.argmin, "argmin")


# ---------------------------------------------------------------- logical and counting
def _logical(x: Tensor, dim, keepdim, axis, keepdims, fn) -> Tensor:
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    out = xp.asarray(fn(x._data, axis=axes, keepdims=keep))
    if x._data.dtype == xp.uint8:  # PyTorch keeps uint8 for all/any of uint8
        out = out.astype(xp.uint8)
    return new_tensor(out)


def all(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """True where every element over ``dim`` is nonzero (a bool tensor; no graph)."""
    return _logical(x, dim, keepdim, axis, keepdims, xp.all)


def any(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """True where some element over ``dim`` is nonzero (a bool tensor; no graph)."""
    return _logical(x, dim, keepdim, axis, keepdims, xp.any)


def count_nonzero(x: Tensor, dim=None, *, axis=None) -> Tensor:
    """Number of nonzero elements over ``dim`` (int64; no graph)."""
    axes, _ = dims_and_keep(x, dim, axis, False, False)
    return new_tensor(xp.asarray(xp.count_nonzero(x._data, axis=axes), dtype=xp.int64))


def aminmax(x: Tensor, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (every dim when None), each as :func:`amin`/:func:`amax`
    (the gradient shared among ties)."""
    return return_types.aminmax(amin(x, dim, keepdim), amax(x, dim, keepdim))
