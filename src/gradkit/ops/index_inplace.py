"""In-place gathers and scatters: ``scatter_``, ``scatter_add_``, ``scatter_reduce_``,
``index_add_``, ``index_copy_``, ``index_fill_``, ``masked_scatter_``.

Each validates its arguments like its out-of-place form in :mod:`gradkit.ops.index`,
then follows PyTorch's in-place rules through :func:`gradkit.ops.inplace.inplace`: under
``no_grad`` (or with nothing requiring grad) the storage changes and every view sees it;
on a leaf that requires grad it is refused; on any other tensor the out-of-place op is
recorded and written back, so the change is differentiable. The version counter moves.
"""

from __future__ import annotations

from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor
from gradkit.backend import xp
from gradkit.ops.index import (
    add_region,
    index_add,
    index_args,
    index_copy,
    index_fill,
    masked_scatter,
    masked_scatter_args,
    put_region,
    scatter,
    scatter_args,
    scatter_reduce,
    source_shaped,
)
from gradkit.ops.inplace import inplace


def _arr(v):
    return v._data if isinstance(v, Tensor) else v


def _nd(a):
    """A 0-d array as a 1-element view (the regions above index 0-d tensors that way)."""
    return a.reshape(1) if a.ndim == 0 else a


def scatter_(self: Tensor, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    """In-place :func:`scatter`."""
    if reduce is not None:

        def compute(t):
            return scatter(t, dim, index, src, value=value, reduce=reduce)

        def fast_reduce(a):
            plain = src if not isinstance(src, Tensor) else new_tensor(src._data)
            a[...] = scatter(new_tensor(a), dim, index, plain, value=value, reduce=reduce)._data

        return inplace(self, "scatter_", compute, fast_reduce, (src,))
    if src is None:
        if value is None:
            raise TypeError("scatter_() needs src (a tensor) or value (a number)")
        src = value
    _, region, src_c = scatter_args(self, dim, index, src, "scatter_")

    def fast(a):
        _nd(a)[region] = _arr(src_c)

    return inplace(self, "scatter_", lambda t: put_region(t, region, src_c), fast, (src,))


def scatter_add_(self: Tensor, dim: int, index, src: Tensor) -> Tensor:
    """In-place :func:`scatter_add`."""
    _, region, src_c = scatter_args(self, dim, index, src, "scatter_add_")

    def fast(a):
        xp.add.at(_nd(a), region, _arr(src_c))

    return inplace(self, "scatter_add_", lambda t: add_region(t, region, src_c), fast, (src,))


def scatter_reduce_(
    self: Tensor, dim: int, index, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """In-place :func:`scatter_reduce`."""

    def compute(t):
        return scatter_reduce(t, dim, index, src, reduce, include_self=include_self)

    def fast(a):
        out = scatter_reduce(
            new_tensor(a), dim, index, new_tensor(_arr(src)), reduce, include_self=include_self
        )
        a[...] = out._data

    return inplace(self, "scatter_reduce_", compute, fast, (src,))


def index_add_(self: Tensor, dim: int, index, source: Tensor, *, alpha=1) -> Tensor:
    """In-place :func:`index_add`."""
    d, region = index_args(self, dim, index, "index_add_", source)

    def fast(a):
        s = _arr(source_shaped(source, self, d, region[-1].size))
        xp.add.at(_nd(a), region, s if alpha == 1 else s * alpha)

    def compute(t):
        return index_add(t, dim, index, source, alpha=alpha)

    return inplace(self, "index_add_", compute, fast, (source,))


def index_copy_(self: Tensor, dim: int, index, source: Tensor) -> Tensor:
    """In-place :func:`index_copy`."""
    d, region = index_args(self, dim, index, "index_copy_", source)

    def fast(a):
        _nd(a)[region] = _arr(source_shaped(source, self, d, region[-1].size))

    def compute(t):
        return index_copy(t, dim, index, source)

    return inplace(self, "index_copy_", compute, fast, (source,))


def index_fill_(self: Tensor, dim: int, index, value) -> Tensor:
    """In-place :func:`index_fill`."""
    _, region = index_args(self, dim, index, "index_fill_")

    def fast(a):
        _nd(a)[region] = _arr(value)

    def compute(t):
        return index_fill(t, dim, index, value)

    return inplace(self, "index_fill_", compute, fast, (value,))


def masked_scatter_(self: Tensor, mask, source: Tensor) -> Tensor:
    """In-place :func:`masked_scatter` (the mask broadcasts to this tensor's shape)."""
    _, m, n = masked_scatter_args(self, mask, source, "masked_scatter_", True)

    def fast(a):
        _nd(a)[_nd(m)] = _arr(source).reshape(-1)[:n]

    def compute(t):
        return masked_scatter(t, mask, source)

    return inplace(self, "masked_scatter_", compute, fast, (source,))
