"""Shape ops: reshape, permute/transpose, broadcast, squeeze, indexing, concatenation,
splitting and padding. Their backward moves gradients back without arithmetic.

Dims follow PyTorch (``reduce.normalize_dim``): negative dims count from the end, a 0-d tensor has
one valid dim, and an out-of-range dim raises ``IndexError`` instead of wrapping."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from itertools import accumulate

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops.indexing import numpy_index
from gradkit.ops.reduce import normalize_dim


class Reshape(Function):
    view = "reshape"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Permute(Function):
    view = "permute"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=()):
        ctx.inverse = tuple(int(a) for a in xp.argsort(axes))
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return xp.transpose(g, ctx.inverse)


class BroadcastTo(Function):
    """Read-only broadcast view; the engine's ``unbroadcast`` is the backward."""

    view = "expand"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, shape=()):
        return xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g


class GetItem(Function):
    """y = x[index]. Basic indexing scatters by assignment; advanced (integer or
    boolean array) indexing accumulates, so repeated indices add up."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, index=None, advanced=False):
        ctx.shape, ctx.index, ctx.advanced = x.shape, index, advanced
        return x[index]

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return ScatterIndex.apply(g, shape=ctx.shape, index=ctx.index, advanced=ctx.advanced)
        return ScatterIndex.forward(None, g, ctx.shape, ctx.index, ctx.advanced)


class View(GetItem):
    """Basic indexing (slices, ints, None, Ellipsis): the result shares storage."""

    view = "getitem"


class ScatterIndex(Function):
    """y = zeros(shape) with g placed at ``index`` (added up where advanced indices
    repeat): the adjoint of ``x[index]``, and so getitem's backward."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, g, shape=(), index=None, advanced=False):
        if ctx is not None:
            ctx.index = index
        out = xp.zeros(shape, dtype=g.dtype)
        if advanced:
            xp.add.at(out, index, g)
        else:
            out[index] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index]


class Split(Function):
    """Pieces ``x[pieces[k]]`` along one axis, one graph node for all of them; each piece
    is a view of x. The backward concatenates the pieces' gradients (zeros for unused)."""

    view = "split"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, pieces=(), axis=0, sizes=()):
        ctx.axis, ctx.sizes, ctx.shape = axis, sizes, x.shape
        return tuple(x[p] for p in pieces)

    @staticmethod
    def backward(ctx, *grads):
        parts = []
        for g, n in zip(grads, ctx.sizes):
            if g is None:
                shape = list(ctx.shape)
                shape[ctx.axis] = n
                like = next(x for x in grads if x is not None)
                g = xp.zeros(shape, dtype=like.dtype)
            parts.append(g)
        return xp.concatenate(parts, axis=ctx.axis)


class Concatenate(Function):
    differentiable_backward = True

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        ctx.bounds = list(accumulate(x.shape[axis] for x in xs))[:-1]
        return xp.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(xp.split(g, ctx.bounds, axis=ctx.axis))


class Stack(Function):
    differentiable_backward = True

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        return xp.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(xp.moveaxis(g, ctx.axis, 0))


class Pad(Function):
    differentiable_backward = True

    """Constant padding; ``pad_width`` as in ``numpy.pad`` (one (before, after) per axis)."""

    @staticmethod
    def forward(ctx, x, pad_width=(), value=0.0):
        ctx.crop = tuple(slice(b, b + n) for (b, _), n in zip(pad_width, x.shape))
        return xp.pad(x, pad_width, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.crop]


# ---------------------------------------------------------------- dims, PyTorch's way
def normalize_dims(dims, ndim: int) -> tuple[int, ...]:
    """An int or a sequence of dims, each checked by :func:`normalize_dim`, in the
    given order (``movedim``, ``flip``, ``roll`` need it); a repeated dim is refused."""
    if isinstance(dims, (int, xp.integer)):
        dims = (dims,)
    out = []
    for d in dims:
        w = normalize_dim(d, ndim)
        if w in out:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        out.append(w)
    return tuple(out)


def _dim_or_axis(dim, axis, default=0):
    """Accept PyTorch's ``dim=`` and NumPy's ``axis=`` (one of them)."""
    if axis is not None:
        if dim is not None and dim != default:
            raise TypeError("pass either dim= or axis=, not both")
        return axis
    return default if dim is None else dim


def result_dtype(dtypes):
    """PyTorch's promotion over several tensors: any float tensor decides among the
    floats (float32 with int64 stays float32); otherwise integers, then bool."""
    first = dtypes[0]
    if all(d == first for d in dtypes):
        return first
    dtypes = [xp.dtype(d) for d in dtypes]
    for kinds in ("fc", "iu", "b"):
        same = [d for d in dtypes if d.kind in kinds]
        if same:
            return xp.result_type(*same)
    return dtypes[0]


def as_dtype(t: Tensor, dtype) -> Tensor:
    return t if t.dtype == dtype else t.astype(dtype)


# ---------------------------------------------------------------- functional forms
def _shape_arg(shape) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def reshape(x: Tensor, *shape) -> Tensor:
    """Same data in a new shape (one entry may be -1); ``view`` is an alias."""
    shape = _shape_arg(shape)
    try:
        new = xp.empty(x.shape, dtype=bool).reshape(shape).shape
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x._data.size} elements) "
            f"into shape {shape}"
        ) from None
    if new == x.shape:
        return x
    return Reshape.apply(x, shape=new)


def ravel(x: Tensor) -> Tensor:
    """The elements as a 1-D tensor (a view when possible)."""
    return reshape(x, -1)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (a 0-d tensor becomes shape (1,))."""
    s, e = normalize_dim(start_dim, x.ndim), normalize_dim(end_dim, x.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if x.ndim == 0:
        return reshape(x, 1)
    merged = 1
    for n in x.shape[s : e + 1]:
        merged *= n
    return reshape(x, x.shape[:s] + (merged,) + x.shape[e + 1 :])


def permute(x: Tensor, *dims, **kwargs) -> Tensor:
    """Reorder the dims (``x.permute(2, 0, 1)``); with no dims, reverse them (NumPy)."""
    if "dims" in kwargs:
        dims = (kwargs.pop("dims"),)
    if kwargs:
        raise TypeError(f"permute() got unexpected keywords {sorted(kwargs)}")
    if not dims:
        axes = tuple(reversed(range(x.ndim)))
    else:
        dims = _shape_arg(dims)
        if len(dims) != x.ndim:
            raise RuntimeError(
                f"permute(): number of dims in the order ({len(dims)}) does not match the "
                f"number of dims of the tensor (shape {x.shape})"
            )
        axes = tuple(normalize_dim(d, x.ndim) for d in dims)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"permute(): duplicate dims are not allowed, got {dims}")
        if x.ndim == 0:
            return x
    if axes == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, axes=axes)


def transpose(x: Tensor, dim0: int | None = None, dim1: int | None = None) -> Tensor:
    """Swap two dims (PyTorch); with no dims, reverse all of them (NumPy)."""
    if dim0 is None and dim1 is None:
        return permute(x)
    if dim0 is None or dim1 is None:
        raise TypeError("transpose() needs both dim0 and dim1")
    return swapaxes(x, dim0, dim1)


def swapaxes(x: Tensor, axis0: int, axis1: int) -> Tensor:
    a, b = normalize_dim(axis0, x.ndim), normalize_dim(axis1, x.ndim)
    if x.ndim == 0 or a == b:
        return x
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return Permute.apply(x, axes=tuple(axes))


def broadcast_to(x: Tensor, *shape) -> Tensor:
    shape = _shape_arg(shape)
    try:
        xp.broadcast_shapes(x.shape, shape)
        out_shape = xp.broadcast_to(xp.empty(x.shape, dtype=bool), shape).shape
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None
    if out_shape == x.shape:
        return x
    return BroadcastTo.apply(x, shape=out_shape)


def expand(x: Tensor, *shape) -> Tensor:
    """PyTorch's ``expand``: like ``broadcast_to`` where -1 keeps a dim's size."""
    shape = _shape_arg(shape)
    lead = len(shape) - x.ndim
    resolved = tuple(
        x.shape[i - lead] if (n == -1 and i >= lead) else n for i, n in enumerate(shape)
    )
    return broadcast_to(x, resolved)


def squeeze(x: Tensor, dim=None, *, axis=None) -> Tensor:
    """Drop size-1 dims: all of them, or those among ``dim`` (an int or a tuple); a
    listed dim whose size is not 1 is left alone, as in PyTorch."""
    dim = _dim_or_axis(dim, axis, None)
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_dims(dim, x.ndim)
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return reshape(x, shape)


def unsqueeze(x: Tensor, dim=None, *, axis=None) -> Tensor:
    """Insert a size-1 dim at ``dim`` (``-1`` appends one)."""
    dim = _dim_or_axis(dim, axis, None)
    if dim is None:
        raise TypeError("unsqueeze() missing required argument 'dim'")
    d = normalize_dim(dim, x.ndim + 1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]`` with PyTorch's meaning: slices, ints, None, Ellipsis, bools, integer
    and boolean tensors, lists (see :mod:`gradkit.ops.indexing`).

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.zeros(2, 3, 4, 5)
    >>> x[1, :, gk.tensor([0, 2]), 0:2].shape  # NumPy's rule would give (2, 3, 2)
    (3, 2, 2)
    """
    np_index, advanced = numpy_index(index, x.shape)
    try:
        return (GetItem if advanced else View).apply(x, index=np_index, advanced=advanced)
    except IndexError as exc:
        raise IndexError(f"{exc} (indexing a tensor of shape {x.shape})") from None


def _tensors(tensors, op: str) -> list:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}() expects a sequence of tensors, got a single Tensor")
    tensors = [t if isinstance(t, Tensor) else new_tensor(xp.asarray(t)) for t in tensors]
    if not tensors:
        raise ValueError(f"{op}(): expected a non-empty list of Tensors")
    return tensors


def concatenate(tensors: Sequence[Tensor], dim: int = 0, *, axis=None) -> Tensor:
    """Join tensors along an existing dim (``cat``). Shapes must match outside ``dim``;
    1-D empty tensors are skipped, and dtypes promote, as in PyTorch."""
    dim = _dim_or_axis(dim, axis)
    tensors = _tensors(tensors, "cat")
    dtype = result_dtype([t.dtype for t in tensors])
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [t for t in tensors if t.shape != (0,)] or tensors
    ref = kept[0]
    ax = normalize_dim(dim, ref.ndim)
    rest = ref.shape[:ax] + ref.shape[ax + 1 :]
    for i, t in enumerate(kept[1:], 1):
        if t.ndim == ref.ndim and t.shape[:ax] + t.shape[ax + 1 :] == rest:
            continue
        if t.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim} "
                f"(shapes {ref.shape} and {t.shape})"
            )
        for j, (a, b) in enumerate(zip(ref.shape, t.shape)):
            if j != ax and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {ax}. Expected size {a} "
                    f"but got size {b} for tensor number {i} in the list (shapes {ref.shape} "
                    f"and {t.shape})"
                )
    return Concatenate.apply(*[as_dtype(t, dtype) for t in kept], axis=ax)


cat = concatenate


def stack(tensors: Sequence[Tensor], dim: int = 0, *, axis=None) -> Tensor:
    """Join equal-shaped tensors along a new dim ``dim``."""
    dim = _dim_or_axis(dim, axis)
    tensors = _tensors(tensors, "stack")
    ref = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != ref.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref.shape)} at "
                f"entry 0 and {list(t.shape)} at entry {i}"
            )
    ax = normalize_dim(dim, ref.ndim + 1)
    dtype = result_dtype([t.dtype for t in tensors])
    return Stack.apply(*[as_dtype(t, dtype) for t in tensors], axis=ax)


def split(x: Tensor, split_size_or_sections, dim: int = 0, *, axis=None) -> list[Tensor]:
    """PyTorch ``split``: an int is the size of each piece (the last may be smaller);
    a list gives each piece's size. One graph node; the pieces are views of ``x``."""
    if x.ndim == 0:
        raise RuntimeError("split: a 0-d tensor cannot be split")
    ax = normalize_dim(_dim_or_axis(dim, axis), x.ndim)
    n = x.shape[ax]
    if isinstance(split_size_or_sections, (int, xp.integer)):
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got {size}")
        if size == 0 and n:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        sizes = [builtins.min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split sizes must be non-negative, got {sizes}")
        if builtins.sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (the size of dim "
                f"{ax} of shape {x.shape}), but got split_sizes={sizes}"
            )
    lead = (slice(None),) * ax
    pieces, start = [], 0
    for s in sizes:
        pieces.append(lead + (slice(start, start + s),))
        start += s
    return list(Split.apply(x, pieces=tuple(pieces), axis=ax, sizes=tuple(sizes)))


def unbind(x: Tensor, dim: int = 0) -> tuple:
    """The slices of ``x`` along ``dim``, without that dim (one graph node)."""
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = normalize_dim(dim, x.ndim)
    n = x.shape[d]
    return tuple(squeeze(p, d) for p in split(x, 1, d)) if n else ()


def movedim(x: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination`` (``moveaxis`` is an alias)."""
    src, dst = normalize_dims(source, x.ndim), normalize_dims(destination, x.ndim)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: source {list(src)} and destination {list(dst)} must name the same "
            "number of dims"
        )
    if x.ndim == 0:
        return x
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(x, *order)


moveaxis = movedim


def chunk(x: Tensor, chunks: int, dim: int = 0, *, axis=None) -> list[Tensor]:
    """Split into at most ``chunks`` pieces of size ⌈n/chunks⌉ (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    ax = normalize_dim(_dim_or_axis(dim, axis), x.ndim)
    n = x.shape[ax]
    return split(x, -(-n // chunks), ax)


def pad(x: Tensor, pad_width, value: float = 0.0) -> Tensor:
    """Constant padding with ``numpy.pad``'s ``pad_width``: an int, a (before, after) pair,
    or one pair per axis."""
    widths = xp.broadcast_to(xp.asarray(pad_width, dtype=int), (x.ndim, 2))
    widths = tuple((int(b), int(a)) for b, a in widths)
    return Pad.apply(x, pad_width=widths, value=value)
