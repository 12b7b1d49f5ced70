"""Gathers and scatters with PyTorch's semantics: gather, scatter (src or value, and
``reduce=``), scatter_add, scatter_reduce, index_select, index_add, index_copy,
index_fill, masked_select, masked_scatter, take, take_along_dim, nonzero/argwhere, and
(their in-place forms are in :mod:`gradkit.ops.index_inplace`).

Every one is indexing in disguise, so they reuse the indexing ops: ``gather`` is
``x[I]`` with an advanced index ``I`` built from ``index`` (:class:`GetItem`; its adjoint
adds back, so repeated indices accumulate), a scatter is "x with its ``I`` region
replaced" (:class:`_PutValue`: ∂/∂x is g with the region zeroed, ∂/∂src is g[I]), an
add-scatter is x + zeros-with-src-added-at-I (:class:`ScatterIndex`). Their backwards are
again such ops, so all of them differentiate twice. Only ``scatter_reduce`` has a
Function of its own.

The index is built by :func:`along_dim`: for ``gather(x, 1, index)`` on 3-D tensors,
``out[i, j, k] = x[i, index[i, j, k], k]``, i.e. ``I = (arange(a)[:, None, None],
index, arange(c)[None, None, :])``.
"""

from __future__ import annotations

import builtins

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops import elementwise as ew
from gradkit.ops import shape as sh
from gradkit.ops.inplace import _PutValue
from gradkit.ops.reduce import normalize_dim


# ---------------------------------------------------------------- index helpers
def index_array(index, op: str):
    """The index as an integer ndarray (Tensor, array or list); floats are refused."""
    a = index._data if isinstance(index, Tensor) else xp.asarray(index)
    if a.dtype.kind not in "iu":
        if a.size == 0 and a.dtype.kind == "f":
            return a.astype(xp.int64)
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {a.dtype}")
    return a


def _check_range(idx, size: int, dim: int, op: str) -> None:
    """Indices along ``dim`` must lie in [0, size) (no negative ones, as PyTorch)."""
    if idx.size == 0:
        return
    lo, hi = int(idx.min()), int(idx.max())
    bad = lo if lo < 0 else hi if hi >= size else None
    if bad is not None:
        raise RuntimeError(
            f"{op}(): index {bad} is out of bounds for dimension {dim} with size {size}"
        )


def along_dim(index, dim: int) -> tuple:
    """The advanced index ``I`` with ``x[I][p] = x[p with p[dim] replaced by index[p]]``
    for every position ``p`` of ``index``."""
    nd = index.ndim
    parts = []
    for d, n in enumerate(index.shape):
        if d == dim:
            parts.append(index)
        else:
            shape = [1] * nd
            shape[d] = n
            parts.append(xp.arange(n).reshape(shape))
    return tuple(parts)


def _crop(t: Tensor, shape) -> Tensor:
    """``t``'s leading block of ``shape`` (PyTorch uses only that part of ``src``)."""
    if t.shape == tuple(shape):
        return t
    return sh.getitem(t, tuple(slice(0, n) for n in shape))


def _check_shapes(x: Tensor, dim: int, idx, src, op: str) -> None:
    """PyTorch's rule: index has x's ndim and is no larger than x outside ``dim`` and
    no larger than ``src`` anywhere."""
    if builtins.max(idx.ndim, 1) != builtins.max(x.ndim, 1):  # 0-d counts as 1-d
        raise RuntimeError(
            f"{op}(): Index tensor must have the same number of dimensions as input tensor "
            f"(index shape {tuple(idx.shape)}, input shape {tuple(x.shape)})"
        )
    xs = x.shape or (1,)
    ish = idx.shape or (1,)
    if any(i > n for d, (i, n) in enumerate(zip(ish, xs)) if d != dim):
        raise RuntimeError(
            f"{op}(): Expected index {list(ish)} to be no larger than self {list(xs)} apart "
            f"from dimension {dim}"
        )
    if src is not None:
        ss = src.shape or (1,)
        if len(ss) != len(ish) or any(i > n for i, n in zip(ish, ss)):
            raise RuntimeError(
                f"{op}(): Expected index {list(ish)} to be no larger than src {list(ss)}"
            )


def _same_dtype(x: Tensor, src: Tensor, op: str, name: str = "src") -> None:
    if src._data.dtype != x._data.dtype:
        raise RuntimeError(
            f"{op}(): Expected self.dtype to be equal to {name}.dtype (got {x._data.dtype} "
            f"and {src._data.dtype})"
        )


def _as_1d(x: Tensor) -> Tensor:
    return sh.reshape(x, 1) if x.ndim == 0 else x


def _back_to_0d(out: Tensor, x: Tensor) -> Tensor:
    return sh.reshape(out, ()) if x.ndim == 0 and out.ndim else out


# ---------------------------------------------------------------- gather
def gather(x: Tensor, dim: int, index, *, sparse_grad: bool = False) -> Tensor:
    """``out[p] = x[p with p[dim] = index[p]]``; ``out`` has ``index``'s shape.

    The gradient adds ``g`` back at the gathered positions (repeats accumulate); it is
    always dense (``sparse_grad`` is accepted for PyTorch's signature).

    Shape: x (d0, ..., dn), index (i0, ..., in) with i_k ≤ d_k for k ≠ dim → (i0, ..., in).

    >>> import gradkit as gk
    >>> gk.tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, gk.tensor([[1, 1], [0, 1]]))
    tensor([[2., 2.],
            [3., 4.]])
    """
    d = normalize_dim(dim, x.ndim)
    idx = index_array(index, "gather")
    _check_shapes(x, d, idx, None, "gather")
    _check_range(idx, (x.shape or (1,))[d], d, "gather")
    region = along_dim(idx.reshape(idx.shape or (1,)), d)
    out = sh.GetItem.apply(_as_1d(x), index=region, advanced=True)
    return sh.reshape(out, ()) if idx.ndim == 0 else out


def take_distinct(x: Tensor, dim: int, idx) -> Tensor:
    """``gather`` for indices known to be distinct along ``dim`` (a sort order, an
    argmax): the backward may assign instead of accumulate. ``x`` has ndim ≥ 1."""
    return sh.GetItem.apply(x, index=along_dim(idx, dim), advanced=False)


def take_along_dim(x: Tensor, indices, dim=None) -> Tensor:
    """``gather`` after broadcasting ``x`` and ``indices`` over every dim but ``dim``
    (``torch.take_along_dim``); with ``dim=None`` both are flattened first."""
    idx = index_array(indices, "take_along_dim")
    if dim is None:
        return gather(sh.reshape(x, -1), 0, idx.reshape(-1))
    d = normalize_dim(dim, x.ndim)
    if idx.ndim != x.ndim:
        raise RuntimeError(
            "take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {x.ndim} dimensions for input, and {idx.ndim} dimensions for indices"
        )
    outside = [(1 if k == d else n) for k, n in enumerate(x.shape)]
    try:
        full = list(xp.broadcast_shapes(tuple(outside), idx.shape[:d] + (1,) + idx.shape[d + 1 :]))
    except ValueError:
        raise RuntimeError(
            f"take_along_dim(): shapes {tuple(x.shape)} and {tuple(idx.shape)} do not "
            f"broadcast outside dim {d}"
        ) from None
    x_shape, i_shape = list(full), list(full)
    x_shape[d], i_shape[d] = x.shape[d], idx.shape[d]
    return gather(sh.broadcast_to(x, tuple(x_shape)), d, xp.broadcast_to(idx, tuple(i_shape)))


def take(x: Tensor, index) -> Tensor:
    """``x.flatten()[index]`` (negative indices count from the end); ``index``'s shape."""
    idx = index_array(index, "take")
    n = x._data.size
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        bad = int(idx.min()) if int(idx.min()) < -n else int(idx.max())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return sh.GetItem.apply(sh.reshape(x, -1), index=idx, advanced=True)


# ---------------------------------------------------------------- scatter family
def scatter_args(x: Tensor, dim, index, src, op: str):
    """(dim, advanced index, src cropped to index's shape or a scalar value)."""
    d = normalize_dim(dim, x.ndim)
    idx = index_array(index, op)
    src_t = src if isinstance(src, Tensor) else None
    _check_shapes(x, d, idx, src_t, op)
    _check_range(idx, (x.shape or (1,))[d], d, op)
    idx = idx.reshape(idx.shape or (1,))
    if src_t is not None:
        _same_dtype(x, src_t, op)
        src_t = _as_1d(src_t)
        src = _crop(src_t, idx.shape)
    return d, along_dim(idx, d), src


def put_region(x: Tensor, region, value) -> Tensor:
    """x with ``x[region] = value`` (value a tensor, or a scalar cast to x's dtype)."""
    if not isinstance(value, Tensor):
        value = new_tensor(xp.asarray(value, dtype=x._data.dtype))
    return _back_to_0d(_PutValue.apply(_as_1d(x), value, index=region), x)


def add_region(x: Tensor, region, src: Tensor) -> Tensor:
    """x + (zeros with ``src`` added at ``region``; repeats accumulate)."""
    x1 = _as_1d(x)
    spread = sh.ScatterIndex.apply(src, shape=x1.shape, index=region, advanced=True)
    return _back_to_0d(ew.add(x1, spread), x)


_SCATTER_REDUCE = {"add": "sum", "multiply": "prod"}


def scatter(x: Tensor, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    """A copy of ``x`` with ``out[p with p[dim] = index[p]] = src[p]`` for every position
    ``p`` of ``index`` (``src`` a tensor, or a scalar ``value``). With repeated indices
    the last write wins (PyTorch leaves it unspecified). ``reduce="add"``/``"multiply"``
    combine instead, as ``scatter_reduce`` with ``"sum"``/``"prod"``.

    Gradient: g with the written positions zeroed for ``x``; ``gather(g, dim, index)``
    for ``src``.
    """
    if src is None:
        if value is None:
            raise TypeError("scatter() needs src (a tensor) or value (a number)")
        src = value
    if reduce is not None:
        if reduce not in _SCATTER_REDUCE:
            raise RuntimeError(
                f"scatter(): reduce argument must be either 'add' or 'multiply', got {reduce!r}"
            )
        if not isinstance(src, Tensor):
            idx = index_array(index, "scatter")
            src = new_tensor(xp.full(idx.shape, src, dtype=x._data.dtype))
        return scatter_reduce(x, dim, index, src, _SCATTER_REDUCE[reduce])
    _, region, src = scatter_args(x, dim, index, src, "scatter")
    return put_region(x, region, src)


def scatter_add(x: Tensor, dim: int, index, src: Tensor) -> Tensor:
    """``x`` plus ``src[p]`` added at ``p with p[dim] = index[p]`` (repeats add up).

    Gradient: g for ``x``, ``gather(g, dim, index)`` for ``src``.
    """
    _, region, src = scatter_args(x, dim, index, src, "scatter_add")
    return add_region(x, region, src)


def _reduce_into(x, src, region, reduce: str, include_self: bool):
    """(out, hit, count): ``x`` with ``src`` reduced in at ``region``; ``hit`` marks the
    written positions, ``count`` their number of contributors (for ``mean``)."""
    hit = xp.zeros(x.shape, dtype=bool)
    hit[region] = True
    out = x.copy()
    if not include_self:
        out[hit] = _IDENTITY[reduce](x.dtype)
    if reduce != "mean":
        _UFUNC[reduce].at(out, region, src)
        return out, hit, None
    xp.add.at(out, region, src)
    count = xp.full(x.shape, int(include_self), dtype=xp.int64)
    xp.add.at(count, region, 1)
    count = xp.maximum(count, 1)
    if x.dtype.kind == "f":
        out /= count.astype(x.dtype)
    else:
        out //= count  # PyTorch rounds an integer mean down
    return out, hit, count


class ScatterReduce(Function):
    """out = x with each written position p reduced over its contributors: the ``src``
    values scattered to p and, when ``include_self``, x[p]. Positions no index reaches
    keep x. For sum, mean, amax and amin the gradient is a fixed weight per contributor
    (sum 1; mean 1/count_p; amax/amin 1/t_p where the contributor equals out_p, t_p such
    ties, else 0), so ∂/∂x = g·w_x and ∂/∂src = g[I]·w_src, and it differentiates again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, src, region=(), reduce="sum", include_self=True):
        out, hit, count = _reduce_into(x, src, region, reduce, include_self)
        if True in ctx.needs_input_grad:
            ctx.region = region
            keep = 1 if include_self else 0
            if reduce == "sum":
                ctx.wx, ctx.wsrc = (xp.where(hit, keep, 1).astype(x.dtype), None)
            elif reduce == "mean":
                share = (1 / count).astype(x.dtype)
                ctx.wx, ctx.wsrc = xp.where(hit, keep * share, 1), share[region]
            else:
                self_tie = hit & (x == out) & bool(include_self)
                src_tie = src == out[region]
                ties = self_tie.astype(x.dtype)
                xp.add.at(ties, region, src_tie.astype(x.dtype))
                ties = xp.where(hit, ties, 1)
                ctx.wx = xp.where(hit, self_tie / ties, 1).astype(x.dtype)
                ctx.wsrc = (src_tie / ties[region]).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        nx, ns = ctx.needs_input_grad
        gx = g * ctx.wx if nx else None
        if not ns:
            return gx, None
        gs = g[ctx.region]
        return gx, (gs if ctx.wsrc is None else gs * ctx.wsrc)


class ScatterProd(Function):
    """``scatter_reduce`` with ``"prod"``: ∂out_p/∂c is the product of p's other
    contributors (out_p / c when p has no zero; with one zero, the product of the
    nonzero ones for the zero and 0 for the rest; with more zeros, 0)."""

    @staticmethod
    def forward(ctx, x, src, region=(), include_self=True):
        out, hit, _ = _reduce_into(x, src, region, "prod", include_self)
        ctx.x, ctx.src, ctx.out, ctx.hit = x, src, out, hit
        ctx.region, ctx.include_self = region, include_self
        return out

    @staticmethod
    def backward(ctx, g):
        nx, ns = ctx.needs_input_grad
        x, src, out, hit, region = ctx.x, ctx.src, ctx.out, ctx.hit, ctx.region
        mine = hit & ctx.include_self  # x[p] is one of p's contributors
        zeros = (mine & (x == 0)).astype(xp.int64)
        xp.add.at(zeros, region, (src == 0).astype(xp.int64))
        nonzero = xp.where(mine & (x != 0), x, 1).astype(x.dtype)
        xp.multiply.at(nonzero, region, xp.where(src == 0, 1, src))

        def share(c, z, p, o):
            with xp.errstate(divide="ignore", invalid="ignore"):
                ratio = o / xp.where(c == 0, 1, c)
            return xp.where(z == 0, ratio, xp.where((z == 1) & (c == 0), p, 0))

        gx = g * xp.where(mine, share(x, zeros, nonzero, out), ~hit) if nx else None
        gs = g[region] * share(src, zeros[region], nonzero[region], out[region]) if ns else None
        return gx, gs


_IDENTITY = {
    "sum": lambda dt: 0,
    "mean": lambda dt: 0,
    "prod": lambda dt: 1,
    "amax": lambda dt: -xp.inf if dt.kind == "f" else xp.iinfo(dt).min,
    "amin": lambda dt: xp.inf if dt.kind == "f" else xp.iinfo(dt).max,
}
_UFUNC = {"sum": xp.add, "prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(
    x: Tensor, dim: int, index, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """Reduce ``src`` into a copy of ``x`` at ``p with p[dim] = index[p]`` with
    ``reduce`` ∈ {"sum", "prod", "mean", "amax", "amin"}; with ``include_self=False`` the
    written positions start from ``src`` alone. Integer ``mean`` rounds down."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"scatter_reduce(): reduce argument must be one of {', '.join(_REDUCTIONS)}, "
            f"got {reduce!r}"
        )
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): src must be a Tensor, got {type(src).__name__}")
    _, region, src = scatter_args(x, dim, index, src, "scatter_reduce")
    if reduce == "prod":
        out = ScatterProd.apply(_as_1d(x), src, region=region, include_self=bool(include_self))
    else:
        out = ScatterReduce.apply(
            _as_1d(x), src, region=region, reduce=reduce, include_self=bool(include_self)
        )
    return _back_to_0d(out, x)


# ---------------------------------------------------------------- index_* family
def index_args(x: Tensor, dim, index, op: str, source=None):
    """(dim, region ``(:, ..., :, index)`` of ``x``) after PyTorch's checks."""
    d = normalize_dim(dim, x.ndim)
    idx = index_array(index, op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, got shape {idx.shape}")
    idx = idx.reshape(-1)
    size = (x.shape or (1,))[d]
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise IndexError(f"{op}(): index {bad} is out of range for dimension {d} with size {size}")
    if source is not None:
        _same_dtype(x, source, op, "source")
        expect = list(x.shape or (1,))
        expect[d] = idx.size
        got = list(source.shape or (1,))
        if got != expect:
            raise RuntimeError(
                f"{op}(): source of shape {tuple(source.shape)} does not match the {idx.size} "
                f"indexed slices of a tensor of shape {tuple(x.shape)} along dim {d} (expected "
                f"{tuple(expect)})"
            )
    return d, (slice(None),) * d + (idx,)


def source_shaped(source: Tensor, x: Tensor, d: int, n: int) -> Tensor:
    expect = list(x.shape or (1,))
    expect[d] = n
    return sh.reshape(source, tuple(expect)) if list(source.shape) != expect else source


def index_select(x: Tensor, dim: int, index) -> Tensor:
    """The slices ``index`` (a 1-D integer tensor) of ``x`` along ``dim``, in that order.

    Shape: x (..., n, ...) → (..., len(index), ...). Repeated indices accumulate the
    gradient.
    """
    _, region = index_args(x, dim, index, "index_select")
    return _back_to_0d(sh.GetItem.apply(_as_1d(x), index=region, advanced=True), x)


def index_add(x: Tensor, dim: int, index, source: Tensor, *, alpha=1) -> Tensor:
    """``x`` with ``alpha · source[i]`` added to slice ``index[i]`` along ``dim``."""
    d, region = index_args(x, dim, index, "index_add", source)
    source = source_shaped(source, x, d, region[-1].size)
    if alpha != 1:
        source = ew.mul(source, alpha)
    return add_region(x, region, source)


def index_copy(x: Tensor, dim: int, index, source: Tensor) -> Tensor:
    """``x`` with slice ``index[i]`` along ``dim`` replaced by ``source[i]``."""
    d, region = index_args(x, dim, index, "index_copy", source)
    return put_region(x, region, source_shaped(source, x, d, region[-1].size))


def index_fill(x: Tensor, dim: int, index, value) -> Tensor:
    """``x`` with the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d
    tensor, which then gets the sum of their gradient)."""
    _, region = index_args(x, dim, index, "index_fill")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        if value._data.dtype != x._data.dtype:
            value = value.astype(x._data.dtype)
    return put_region(x, region, value)


# ---------------------------------------------------------------- masks
def _bool_mask(mask, op: str):
    m = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype != xp.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask, got {m.dtype}")
    return m


def masked_select(x: Tensor, mask) -> Tensor:
    """The elements of ``x`` where ``mask`` is true, as a 1-D tensor (``x`` and ``mask``
    broadcast together first)."""
    m = _bool_mask(mask, "masked_select")
    try:
        shape = xp.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_select: mask of shape {tuple(m.shape)} and input of shape "
            f"{tuple(x.shape)} are not broadcastable"
        ) from None
    xb = sh.broadcast_to(x, shape)
    if xb.ndim == 0:
        xb = sh.reshape(xb, 1)
        shape = (1,)
    return sh.GetItem.apply(xb, index=xp.broadcast_to(m, shape), advanced=True)


def masked_scatter_args(x: Tensor, mask, source: Tensor, op: str, inplace_op: bool):
    m = _bool_mask(mask, op)
    try:
        shape = xp.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        shape = None
    if shape is None or (inplace_op and shape != x.shape):
        raise RuntimeError(
            f"{op}: mask of shape {tuple(m.shape)} does not broadcast to the tensor's shape "
            f"{tuple(x.shape)}"
        )
    _same_dtype(x, source, op, "source")
    m = xp.broadcast_to(m, shape)
    n = int(m.sum())
    if source._data.size < n:
        raise RuntimeError(
            f"{op}: Number of elements of source ({source._data.size}) < number of ones in "
            f"mask ({n})"
        )
    return shape, m, n


def masked_scatter(x: Tensor, mask, source: Tensor) -> Tensor:
    """``x`` with the positions where ``mask`` is true filled, in row-major order, by
    the first elements of ``source``. ∂/∂x is g where the mask is false; ∂/∂source is
    g at the mask's positions, in order (0 for unused elements)."""
    shape, m, n = masked_scatter_args(x, mask, source, "masked_scatter", False)
    xb = sh.broadcast_to(x, shape)
    values = sh.getitem(sh.reshape(source, -1), slice(0, n))
    return put_region(xb, m if xb.ndim else m.reshape(1), values)


# ---------------------------------------------------------------- nonzero
def nonzero(x: Tensor, *, as_tuple: bool = False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or with
    ``as_tuple=True`` one 1-D tensor per dim (a 0-d input counts as 1-D)."""
    data = x._data
    if as_tuple:
        return tuple(new_tensor(i.astype(xp.int64)) for i in xp.nonzero(xp.atleast_1d(data)))
    return new_tensor(xp.argwhere(data).astype(xp.int64))


def argwhere(x: Tensor) -> Tensor:
    """``nonzero(x)``: an (n, ndim) int64 tensor of the nonzero elements' indices."""
    return nonzero(x)
