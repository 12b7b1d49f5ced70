"""PyTorch's indexing rule, written as one NumPy index.

``x[index]`` and ``x[index] = v`` take PyTorch's meaning of ``index``: ints (and 0-d
integer tensors) select a dim and drop it *before* the advanced (tensor, list, bool mask)
indices are applied, so they never count as advanced indices. The two rules differ only
when an int and an advanced index are separated by a slice, ``None`` or ``...``::

    x.shape == (2, 3, 4, 5), idx.shape == (k,)
    x[1, :, idx, 0:2]   PyTorch: (3, k, 2)   NumPy: (k, 3, 2)

:func:`numpy_index` returns the NumPy index that gives PyTorch's result: the index itself
where both rules agree (the common case, so basic indexing stays a view), otherwise a
fully advanced index (one broadcast integer array per dim) that lays the result out as
PyTorch does. ``getitem`` and ``setitem`` both index through it.
"""

from __future__ import annotations

from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp

_BAD_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), None, bools and integer or bool "
    "tensors (or lists of them) are valid indices"
)


_BASIC = frozenset((int, slice, type(None), type(Ellipsis)))


def _plain(value):
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _part(p):
    """One index entry in canonical form: int, bool, slice, None, Ellipsis or an integer
    or bool ndarray (``uint8`` masks become bool, as PyTorch reads them)."""
    if p is None or p is Ellipsis or isinstance(p, slice):
        return p
    if isinstance(p, (bool, xp.bool_)):
        return bool(p)
    if isinstance(p, (int, xp.integer)):
        return int(p)
    if isinstance(p, Tensor):
        a = p._data
        if a.dtype.kind == "i" and a.ndim:
            return a
    if isinstance(p, (Tensor, xp.ndarray, list)):
        a = xp.asarray(_plain(p))
        if a.dtype == xp.uint8:
            a = a.astype(bool)
        if a.dtype.kind == "f" and a.size == 0:
            a = a.astype(xp.int64)  # an empty list
        if a.dtype.kind not in "biu":
            raise IndexError(
                f"tensors used as indices must be long, int, byte or bool tensors, got {a.dtype}"
            )
        if a.ndim == 0:  # a 0-d tensor acts as a Python int or bool
            return bool(a) if a.dtype == bool else int(a)
        return a
    raise IndexError(f"{_BAD_INDEX} (got {type(p).__name__})")


def _is_array(p) -> bool:
    return isinstance(p, xp.ndarray)


def numpy_index(index, shape: tuple[int, ...]) -> tuple[object, bool]:
    """``(numpy_index, advanced)``: the NumPy index giving PyTorch's ``x[index]`` for a
    tensor of ``shape``, and whether it is an advanced (copying, gathering) index."""
    cls = index.__class__
    if cls in _BASIC or (cls is tuple and all(p.__class__ in _BASIC for p in index)):
        return index, False  # basic indexing: the same in both libraries (the hot path)
    if cls is not tuple and isinstance(index, Tensor):
        a = index._data
        if a.dtype.kind in "bi" and a.ndim:
            return a, True  # one integer or bool tensor (embedding lookups, masks)
    parts = index if cls is tuple else (index,)
    parts = [_part(p) for p in parts]
    is_int = [isinstance(p, int) and not isinstance(p, bool) for p in parts]
    is_adv = [_is_array(p) or isinstance(p, bool) for p in parts]
    advanced = any(is_adv)
    if not advanced or not any(is_int):
        return (tuple(parts) if isinstance(index, tuple) else parts[0]), advanced
    numpy_adv = [i for i, (a, b) in enumerate(zip(is_int, is_adv)) if a or b]
    if numpy_adv == list(range(numpy_adv[0], numpy_adv[-1] + 1)):
        return tuple(parts), True  # ints next to the advanced block: both rules agree
    ndim = len(shape)
    if sum(p is Ellipsis for p in parts) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(
        p.ndim if _is_array(p) and p.dtype == bool else 1
        for p in parts
        if p is not None and p is not Ellipsis and not isinstance(p, bool)
    )
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} (shape {shape})")
    return _fully_advanced(parts, shape, ndim - consumed), True


def _fully_advanced(parts, shape, ellipsis_dims: int) -> tuple:
    """One integer array per dim (broadcasting to PyTorch's result shape), built from
    PyTorch's own procedure: ints select, slices and ``None`` keep or add a dim, tensor
    indices are gathered and their broadcast dims go in place when adjacent, else first."""
    post = []  # the dims after ints/slices/None: (source dim or None, positions, tensor)
    fixed = {}
    d = 0
    for p in parts:
        if p is Ellipsis:
            for _ in range(ellipsis_dims):
                post.append((d, xp.arange(shape[d]), None))
                d += 1
        elif p is None:
            post.append((None, None, None))
        elif isinstance(p, bool):
            post.append((None, None, xp.zeros(1 if p else 0, dtype=xp.intp)))
        elif isinstance(p, int):
            n = shape[d]
            if not -n <= p < n:
                raise IndexError(f"index {p} is out of bounds for dimension {d} with size {n}")
            fixed[d] = p % n
            d += 1
        elif isinstance(p, slice):
            post.append((d, xp.arange(shape[d])[p], None))
            d += 1
        elif p.dtype == bool:
            if p.shape != tuple(shape[d : d + p.ndim]):
                raise IndexError(
                    f"The shape of the mask {list(p.shape)} at index {d} does not match the "
                    f"shape of the indexed tensor {list(shape)} at index {d}"
                )
            for j, nz in enumerate(p.nonzero()):
                post.append((d + j, None, nz))
            d += p.ndim
        else:
            post.append((d, None, p))
            d += 1
    while d < len(shape):
        post.append((d, xp.arange(shape[d]), None))
        d += 1

    tensor_at = [i for i, e in enumerate(post) if e[2] is not None]
    try:
        block = xp.broadcast_shapes(*[post[i][2].shape for i in tensor_at])
    except ValueError:
        shapes = ", ".join(str(list(post[i][2].shape)) for i in tensor_at)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    basic = [i for i, e in enumerate(post) if e[2] is None]
    if tensor_at == list(range(tensor_at[0], tensor_at[-1] + 1)):
        start = sum(1 for i in basic if i < tensor_at[0])
    else:
        start = 0
    out_ndim = len(basic) + len(block)
    axis_of = {}
    k = 0
    for i in basic:
        if k == start:
            k += len(block)
        axis_of[i] = k
        k += 1

    def place(values, axis):
        shaped = [1] * out_ndim
        shaped[axis] = values.size
        return values.reshape(shaped)

    def place_block(values):
        values = values.reshape((1,) * (len(block) - values.ndim) + values.shape)
        return values.reshape((1,) * start + values.shape + (1,) * (out_ndim - start - len(block)))

    index = [None] * len(shape)
    for dim, value in fixed.items():
        index[dim] = xp.full((1,) * out_ndim, value, dtype=xp.intp)
    carrier = None
    for i, (dim, positions, tensor) in enumerate(post):
        if dim is None:
            if tensor is not None:  # a bool scalar: shapes the result, selects nothing
                carrier = place_block(tensor)
            continue
        index[dim] = place(positions, axis_of[i]) if tensor is None else place_block(tensor)
    if carrier is not None:
        index[0] = index[0] + carrier
    return tuple(index)
