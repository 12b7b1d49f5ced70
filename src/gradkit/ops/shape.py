"""Shape ops: reshape, permute/transpose, broadcast, squeeze, indexing, concatenation,
splitting and padding. Their backward moves gradients back without arithmetic."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp


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
        ctx.bounds = xp.cumsum([x.shape[axis] for x in xs])[:-1]
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
    """Merge dims ``start_dim..end_dim`` into one (PyTorch semantics)."""
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    merged = 1
    for n in x.shape[s : e + 1]:
        merged *= n
    return reshape(x, x.shape[:s] + (merged,) + x.shape[e + 1 :])


def permute(x: Tensor, *axes) -> Tensor:
    axes = _shape_arg(axes) if axes else tuple(reversed(range(x.ndim)))
    if sorted(a % builtins.max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
        raise ValueError(f"permute: {axes} is not a permutation of the {x.ndim} dims of {x.shape}")
    axes = tuple(a % x.ndim for a in axes)
    if axes == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, axes=axes)


def transpose(x: Tensor, dim0: int | None = None, dim1: int | None = None) -> Tensor:
    """Swap two dims (PyTorch); with no dims, reverse all of them (NumPy)."""
    if dim0 is None and dim1 is None:
        return permute(x)
    return swapaxes(x, dim0, dim1)


def swapaxes(x: Tensor, axis0: int, axis1: int) -> Tensor:
    axes = list(range(x.ndim))
    axes[axis0], axes[axis1] = axes[axis1], axes[axis0]
    return permute(x, *axes)


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


def squeeze(x: Tensor, axis=None) -> Tensor:
    """Drop size-1 dims (all of them, or those in ``axis``; others are left alone)."""
    if axis is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        axes = {a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis)}
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1))
    return reshape(x, shape)


def unsqueeze(x: Tensor, axis: int) -> Tensor:
    axis = axis % (x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def _is_advanced(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(
        isinstance(p, (list, xp.ndarray, Tensor)) and not isinstance(p, (str, bytes)) for p in parts
    )


def plain_index(index):
    """The index with Tensors replaced by their arrays."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(p._data if isinstance(p, Tensor) else p for p in index)
    return index


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]``: slices, ints, None, Ellipsis, integer and boolean arrays."""
    advanced = _is_advanced(index)
    index = plain_index(index)
    if isinstance(index, list):
        index = xp.asarray(index)
    try:
        return (GetItem if advanced else View).apply(x, index=index, advanced=advanced)
    except IndexError as exc:
        raise IndexError(
            f"index {index!r} is invalid for a tensor of shape {x.shape}: {exc}"
        ) from None


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    ref = tensors[0].shape
    ax = axis % builtins.max(len(ref), 1)
    for t in tensors[1:]:
        if t.ndim != len(ref) or any(
            a != b for i, (a, b) in enumerate(zip(t.shape, ref)) if i != ax
        ):
            raise ValueError(f"concatenate: shapes {ref} and {t.shape} differ outside axis {axis}")
    return Concatenate.apply(*tensors, axis=ax)


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    return Stack.apply(*tensors, axis=axis % (tensors[0].ndim + 1))


def split(x: Tensor, split_size_or_sections, axis: int = 0, *, dim=None) -> list[Tensor]:
    """PyTorch ``split``: an int is the size of each piece (the last may be smaller);
    a list gives each piece's size. One graph node; the pieces are views of ``x``."""
    axis = axis if dim is None else dim
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split size must be positive, got {size}")
        sizes = [builtins.min(size, n - i) for i in range(0, n, size)]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise ValueError(f"split sizes {sizes} do not add up to dim {axis} of size {n}")
    lead = (slice(None),) * (axis % x.ndim)
    pieces, start = [], 0
    for s in sizes:
        pieces.append(lead + (slice(start, start + s),))
        start += s
    return list(Split.apply(x, pieces=tuple(pieces), axis=axis % x.ndim, sizes=tuple(sizes)))


def unbind(x: Tensor, dim: int = 0) -> tuple:
    """The slices of ``x`` along ``dim``, without that dim (one graph node)."""
    n = x.shape[dim]
    return tuple(squeeze(p, dim) for p in split(x, 1, dim)) if n else ()


def movedim(x: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination`` (NumPy's ``moveaxis``)."""
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [a % x.ndim for a in src]
    dst = [a % x.ndim for a in dst]
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(x, *order)


def chunk(x: Tensor, chunks: int, axis: int = 0, *, dim=None) -> list[Tensor]:
    """Split into ``chunks`` pieces of size ⌈n/chunks⌉ (the last may be smaller)."""
    axis = axis if dim is None else dim
    n = x.shape[axis]
    size = -(-n // chunks)
    return split(x, builtins.max(size, 1), axis)


def pad(x: Tensor, pad_width, value: float = 0.0) -> Tensor:
    """Constant padding with ``numpy.pad``'s ``pad_width``: an int, a (before, after) pair,
    or one pair per axis."""
    widths = xp.broadcast_to(xp.asarray(pad_width, dtype=int), (x.ndim, 2))
    widths = tuple((int(b), int(a)) for b, a in widths)
    return Pad.apply(x, pad_width=widths, value=value)
