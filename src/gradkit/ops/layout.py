"""Ops that rearrange or copy elements without arithmetic: repeat/tile,
repeat_interleave, flip, roll, narrow, unflatten, the ``*stack`` family, ``atleast_*d``,
meshgrid and ``unfold`` (sliding windows). Semantics, names and errors follow PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops import shape as sh
from gradkit.ops.reduce import normalize_dim
from gradkit.ops.shape import normalize_dims


def _ints(sizes) -> tuple[int, ...]:
    """``f(2, 3)`` or ``f((2, 3))`` (PyTorch accepts both) as a tuple of ints."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Tensor, xp.ndarray)):
        sizes = sizes[0]
    if isinstance(sizes, Tensor):
        sizes = sizes._data
    return tuple(int(s) for s in xp.atleast_1d(xp.asarray(sizes)))


# ---------------------------------------------------------------- repeat / tile
class Repeat(Function):
    """y = x tiled ``reps[d]`` times along each dim d (x is first padded with leading
    size-1 dims to len(reps)); ∂L/∂x sums the tiles:
    g.reshape(r0, n0, r1, n1, ...).sum over the r axes."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, reps=()):
        shape = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.shape, ctx.padded, ctx.reps = x.shape, shape, reps
        return xp.tile(x.reshape(shape), reps)

    @staticmethod
    def backward(ctx, g):
        split = []
        for r, n in zip(ctx.reps, ctx.padded):
            split += [r, n]
        g = g.reshape(tuple(split)).sum(axis=tuple(range(0, len(split), 2)))
        return g.reshape(ctx.shape)


def repeat(x: Tensor, *sizes) -> Tensor:
    """``x.repeat(*sizes)``: tile ``x`` ``sizes[d]`` times along each dim (PyTorch's
    ``repeat`` is NumPy's ``tile``; ``len(sizes)`` may add leading dims).

    Shape: (n_0, ..., n_k) → (sizes[0]·1, ..., sizes[-k-1]·n_0, ..., sizes[-1]·n_k).
    """
    reps = _ints(sizes)
    if len(reps) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            f"of tensor (repeat dims {list(reps)} for shape {x.shape})"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeats {reps}")
    return Repeat.apply(x, reps=reps)


def tile(x: Tensor, *dims) -> Tensor:
    """``torch.tile``: like :func:`repeat`, but fewer ``dims`` than ``x.ndim`` are padded
    with leading 1s."""
    reps = _ints(dims)
    return repeat(x, (1,) * (x.ndim - len(reps)) + reps)


def repeat_interleave(x: Tensor, repeats=None, dim: int | None = None, *, output_size=None):
    """Repeat each element ``repeats`` times along ``dim`` (flattened when ``dim`` is
    None): ``[a, b]`` with repeats 2 → ``[a, a, b, b]``. ``repeats`` is an int or a tensor
    of one count per element. ``repeat_interleave(counts)`` alone gives
    ``[0]*counts[0] + [1]*counts[1] + ...``. The gradient sums the copies."""
    if repeats is None:
        counts = xp.asarray(x._data)
        if counts.ndim != 1 or counts.dtype.kind not in "iu":
            raise RuntimeError("repeat_interleave(repeats): repeats must be a 1-D integer tensor")
        return new_tensor(xp.repeat(xp.arange(counts.size), counts))
    if dim is None:
        x, d = sh.reshape(x, -1), 0
    else:
        d = normalize_dim(dim, x.ndim)
        if x.ndim == 0:
            x = sh.reshape(x, 1)
    reps = repeats._data if isinstance(repeats, Tensor) else xp.asarray(repeats)
    if reps.dtype.kind not in "iu":
        raise RuntimeError(f"repeat_interleave: repeats must be integers, got {reps.dtype}")
    n = x.shape[d]
    if reps.ndim > 1 or (reps.ndim == 1 and reps.size not in (1, n)):
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{reps.size} and input.size({d}) = {n}"
        )
    if (reps < 0).any():
        raise RuntimeError("Repeats must be non-negative")
    index = xp.repeat(xp.arange(n), reps.reshape(-1) if reps.ndim else int(reps))
    if output_size is not None and index.size != output_size:
        raise RuntimeError(
            f"repeat_interleave: output_size={output_size} but the repeats give {index.size}"
        )
    return sh.getitem(x, (slice(None),) * d + (index,))


# ---------------------------------------------------------------- flip / roll
class Flip(Function):
    """y = x reversed along ``dims`` (a copy, as in PyTorch); its own adjoint."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dims=()):
        ctx.dims = dims
        return xp.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return Flip.apply(g, dims=ctx.dims)
        return xp.flip(g, ctx.dims)


def flip(x: Tensor, *args, dims=None) -> Tensor:
    """Reverse the order of elements along ``dims`` (a tuple, or several ints):
    ``x.flip(0, 1)``, ``flip(x, (0, 1))``, ``flip(x, dims=[0])``."""
    axes = normalize_dims(_ints(args if dims is None else (dims,)), x.ndim)
    if x.ndim == 0 or not axes:
        return x.clone()
    return Flip.apply(x, dims=axes)


def fliplr(x: Tensor) -> Tensor:
    """Flip dim 1 (left/right); needs at least 2 dims."""
    if x.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d, got shape {x.shape}")
    return flip(x, 1)


def flipud(x: Tensor) -> Tensor:
    """Flip dim 0 (up/down); needs at least 1 dim."""
    if x.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d, got a 0-d tensor")
    return flip(x, 0)


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (flattened when dims is
    None); the adjoint rolls back by −shifts."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, shifts=(), dims=None):
        ctx.shifts, ctx.dims, ctx.shape = shifts, dims, x.shape
        if dims is None:
            return xp.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
        return xp.roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, g):
        back = tuple(-s for s in ctx.shifts)
        if isinstance(g, Tensor):
            return Roll.apply(g, shifts=back, dims=ctx.dims)
        if ctx.dims is None:
            return xp.roll(g.reshape(-1), back[0]).reshape(ctx.shape)
        return xp.roll(g, back, axis=ctx.dims)


def roll(x: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements cyclically: ``roll(x, 1)`` over the flattened tensor, or
    ``roll(x, (1, -1), (0, 1))`` one shift per dim."""
    shifts = _ints((shifts,))
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: with no dims give one shift, got shifts {list(shifts)}")
        return Roll.apply(x, shifts=shifts, dims=None)
    axes = tuple(normalize_dim(d, x.ndim) for d in _ints((dims,)))
    if len(axes) != len(shifts):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(axes)}"
        )
    if x.ndim == 0:
        return x.clone()
    return Roll.apply(x, shifts=shifts, dims=axes)


# ---------------------------------------------------------------- views by slicing
def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``x`` restricted to ``start : start + length`` along ``dim`` (a view); a negative
    ``start`` counts from the end."""
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, x.ndim)
    n = x.shape[d]
    start, length = int(start), int(length)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative, got {length}")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return sh.getitem(x, (slice(None),) * d + (slice(start, start + length),))


def unflatten(x: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one entry may be -1): the inverse of flatten."""
    d = normalize_dim(dim, x.ndim)
    sizes = _ints((sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = x.shape[d]
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if sizes.count(-1) > 1 or (n != known if -1 not in sizes else (known == 0 or n % known != 0)):
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
            f"({n}) in the input tensor (shape {x.shape})"
        )
    sizes = tuple(n // known if s == -1 else s for s in sizes)
    return sh.reshape(x, x.shape[:d] + sizes + x.shape[d + 1 :])


# ---------------------------------------------------------------- stacking
def atleast_1d(*tensors):
    """0-d → (1,); others unchanged. Several tensors give a tuple."""
    return _atleast(tensors, lambda t: sh.reshape(t, 1) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    """0-d → (1, 1), (n,) → (1, n)."""
    return _atleast(
        tensors, lambda t: sh.reshape(t, (1,) * (2 - t.ndim) + t.shape) if t.ndim < 2 else t
    )


def atleast_3d(*tensors):
    """0-d → (1, 1, 1), (n,) → (1, n, 1), (m, n) → (m, n, 1)."""

    def up(t):
        if t.ndim == 0:
            return sh.reshape(t, 1, 1, 1)
        if t.ndim == 1:
            return sh.reshape(t, 1, t.shape[0], 1)
        if t.ndim == 2:
            return sh.reshape(t, *t.shape, 1)
        return t

    return _atleast(tensors, up)


def _atleast(tensors, up):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(up(t) for t in tensors[0])
    if len(tensors) == 1:
        return up(tensors[0])
    return tuple(up(t) for t in tensors)


def _many(tensors, op: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}() expects a sequence of tensors")
    return list(tensors)


def hstack(tensors) -> Tensor:
    """Concatenate along dim 1 (dim 0 when all are 1-D); 0-d tensors count as 1-D."""
    ts = [atleast_1d(t) for t in _many(tensors, "hstack")]
    return sh.concatenate(ts, 0 if ts and all(t.ndim == 1 for t in ts) else 1)


def vstack(tensors) -> Tensor:
    """Concatenate along dim 0 after making every tensor at least 2-D ((n,) → (1, n))."""
    return sh.concatenate([atleast_2d(t) for t in _many(tensors, "vstack")], 0)


row_stack = vstack


def dstack(tensors) -> Tensor:
    """Concatenate along dim 2 after making every tensor at least 3-D."""
    return sh.concatenate([atleast_3d(t) for t in _many(tensors, "dstack")], 2)


def column_stack(tensors) -> Tensor:
    """Columns side by side: 0-d and 1-D tensors become (n, 1) columns, then dim 1."""
    ts = [
        sh.reshape(t, t._data.size, 1) if t.ndim <= 1 else t for t in _many(tensors, "column_stack")
    ]
    return sh.concatenate(ts, 1)


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors ``x_1..x_k`` (0-d counts as 1-D): output ``i``
    has shape (n_1, ..., n_k) and varies along dim i. ``indexing="xy"`` swaps the first
    two dims (Cartesian). PyTorch's default is ``"ij"``. The outputs are expanded views."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.ndim > 1:
            raise RuntimeError(
                f"meshgrid: Expected 0D or 1D tensor in the tensor list but got shape {t.shape} "
                f"at position {i}"
            )
    flat = [sh.reshape(t, -1) for t in tensors]
    sizes = [t.shape[0] for t in flat]
    order = list(range(len(flat)))
    if indexing == "xy" and len(flat) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    out = []
    for i, t in enumerate(flat):
        where = order.index(i)
        view = [1] * len(flat)
        view[where] = sizes[i]
        out.append(sh.broadcast_to(sh.reshape(t, *view), shape))
    return tuple(out)


# ---------------------------------------------------------------- sliding windows
class Unfold(Function):
    """y[..., i, ..., j] = x[..., i·step + j, ...]: all windows of ``size`` along
    ``dim`` taken every ``step``, the window as a new last dim. ∂L/∂x adds each window's
    gradient back where it came from (overlapping windows add up). The result is a view
    of x, as in PyTorch."""

    view = "unfold"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dim=0, size=1, step=1):
        ctx.shape, ctx.dim, ctx.size, ctx.step = x.shape, dim, size, step
        return _windows(x, dim, size, step)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return UnfoldBackward.apply(
                g, shape=ctx.shape, dim=ctx.dim, size=ctx.size, step=ctx.step
            )
        return UnfoldBackward.forward(None, g, ctx.shape, ctx.dim, ctx.size, ctx.step)


class UnfoldBackward(Function):
    """The adjoint of :class:`Unfold`: window gradients added into a tensor of the
    input's shape, one strided slice-add per window offset (no ``np.add.at``)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, g, shape=(), dim=0, size=1, step=1):
        if ctx is not None:
            ctx.dim, ctx.size, ctx.step = dim, size, step
        out = xp.zeros(shape, dtype=g.dtype)
        n_win = g.shape[dim]
        lead = (slice(None),) * dim
        for j in range(size):
            stop = j + step * (n_win - 1) + 1
            out[lead + (slice(j, stop, step),)] += g[..., j]
        return out

    @staticmethod
    def backward(ctx, gg):
        if isinstance(gg, Tensor):
            return Unfold.apply(gg, dim=ctx.dim, size=ctx.size, step=ctx.step)
        return _windows(gg, ctx.dim, ctx.size, ctx.step)


def _windows(x, dim: int, size: int, step: int):
    """The windows as a strided view of ``x``, writeable only where they do not overlap
    (step ≥ size): PyTorch's unfold is a view, and refuses writes to overlapping ones."""
    writeable = bool(x.flags.writeable) and step >= size
    windows = xp.lib.stride_tricks.sliding_window_view(x, size, axis=dim, writeable=writeable)
    return windows[(slice(None),) * dim + (slice(None, None, step),)]


def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``Tensor.unfold``: windows of ``size`` along ``dimension`` every ``step``.

    Shape: dim ``dimension`` of size n becomes (n − size) // step + 1, and a last dim of
    ``size`` is added (a 0-d tensor is treated as shape (1,)).
    """
    if x.ndim == 0:
        x = sh.reshape(x, 1)
        out = unfold(x, 0, size, step)
        return sh.reshape(out, out.shape[1:])
    d = normalize_dim(dimension, x.ndim)
    n = x.shape[d]
    if size < 0 or size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(x, dim=d, size=int(size), step=int(step))


# ---------------------------------------------------------------- *_as helpers
def view_as(x: Tensor, other: Tensor) -> Tensor:
    return sh.reshape(x, other.shape)


def reshape_as(x: Tensor, other: Tensor) -> Tensor:
    return sh.reshape(x, other.shape)


def expand_as(x: Tensor, other: Tensor) -> Tensor:
    return sh.expand(x, other.shape)


def contiguous(x: Tensor, memory_format=None) -> Tensor:
    """The tensor itself (NumPy arrays need no contiguity for gradkit's ops)."""
    return x
