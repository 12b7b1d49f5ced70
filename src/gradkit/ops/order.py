"""Order statistics with PyTorch's ``(values, indices)`` results: ``max``/``min`` (with
a dim, or elementwise against a second tensor), sort, argsort, msort, topk, kthvalue,
median, nanmedian, mode.

The indices are computed on the arrays (they carry no gradient); the values are then
taken from the input by :func:`gradkit.ops.index.take_distinct`, so the gradient goes to
exactly the element each index names, as in PyTorch, and differentiates again. Ties:
``max``/``min`` with a dim, ``kthvalue``, ``median`` and ``sort``/``topk`` pick the first
occurrence (a stable order; PyTorch's non-stable ``sort``/``topk``/``kthvalue`` may pick
another of equal value), ``mode`` the last; NaN sorts above every number.
``median()``/``nanmedian()`` without a dim share the gradient equally among the
elements equal to the result, as PyTorch does.
"""

from __future__ import annotations

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops import elementwise as ew
from gradkit.ops import return_types as rt
from gradkit.ops import shape as sh
from gradkit.ops.index import take_distinct
from gradkit.ops.reduce import extreme_all, normalize_dim


def _pick(x: Tensor, d: int, idx, keepdim: bool, result):
    """``result(values, indices)`` from indices ``idx`` (with ``d`` kept, size k)."""
    if x.ndim == 0:
        values = sh.reshape(take_distinct(sh.reshape(x, 1), 0, idx.reshape(-1)), idx.shape[1:])
        return result(values, new_tensor(idx.reshape(idx.shape[1:])))
    values = take_distinct(x, d, idx)
    if not keepdim:
        values = sh.squeeze(values, d)
        idx = idx.squeeze(d)
    return result(values, new_tensor(idx))


def _data_1d(x: Tensor):
    return x._data if x.ndim else x._data.reshape(1)


def _stable_order(a, d: int, descending: bool):
    """Indices that sort ``a`` along ``d`` stably (ties keep their order; NaN largest)."""
    if not descending:
        return xp.argsort(a, axis=d, kind="stable")
    n = a.shape[d]
    flipped = xp.argsort(xp.flip(a, d), axis=d, kind="stable")
    return (n - 1) - xp.flip(flipped, d)


def _check_nonempty(x: Tensor, d: int, op: str) -> None:
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


# ---------------------------------------------------------------- max and min
def _extreme(x, dim, keepdim, other, axis, keepdims, largest: bool):
    op = "max" if largest else "min"
    if isinstance(dim, (Tensor, xp.ndarray)):
        other, dim = dim, None
    if other is not None:
        return (ew.maximum if largest else ew.minimum)(x, other)
    if axis is not None:
        dim = axis
    if dim is None:
        return extreme_all(x, largest, op)
    if isinstance(dim, (tuple, list)):
        raise TypeError(
            f"{op}() takes a single dim and returns (values, indices); for several dims "
            f"use amax/amin (got dim={dim!r})"
        )
    d = normalize_dim(dim, x.ndim)
    _check_nonempty(x, d, op)
    idx = (xp.argmax if largest else xp.argmin)(_data_1d(x), axis=d, keepdims=True)
    return _pick(x, d, idx, bool(keepdim or keepdims), rt.max if largest else rt.min)


def max(x: Tensor, dim=None, keepdim=False, *, other=None, axis=None, keepdims=False):  # noqa: A001
    """``max(x)``: the largest element (the gradient is shared among ties);
    ``max(x, dim)``: ``(values, indices)`` along ``dim``, the gradient going to the
    element each index names (the first maximum); ``max(x, other)``: elementwise
    maximum. NaN propagates.

    >>> import gradkit as gk
    >>> values, indices = gk.tensor([[1.0, 5.0], [4.0, 2.0]]).max(1)
    >>> values, indices
    (tensor([5., 4.]), tensor([1, 0]))
    """
    return _extreme(x, dim, keepdim, other, axis, keepdims, True)


def min(x: Tensor, dim=None, keepdim=False, *, other=None, axis=None, keepdims=False):  # noqa: A001
    """The smallest element, ``(values, indices)`` along ``dim``, or the elementwise
    minimum with ``other`` (see :func:`max`)."""
    return _extreme(x, dim, keepdim, other, axis, keepdims, False)


# ---------------------------------------------------------------- sorting
def sort(x: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """``(values, indices)`` with ``values = x`` sorted along ``dim`` (ascending unless
    ``descending``) and ``indices`` the positions they came from. The order is always
    stable; the gradient of ``values`` goes back to the original positions.

    >>> import gradkit as gk
    >>> gk.tensor([3.0, 1.0, 2.0]).sort(descending=True)
    sort(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
    """
    d = normalize_dim(dim, x.ndim)
    idx = _stable_order(_data_1d(x), d, descending)
    return _pick(x, d, idx, True, rt.sort)


def argsort(x: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """The indices that sort ``x`` along ``dim`` (int64; no graph)."""
    d = normalize_dim(dim, x.ndim)
    idx = _stable_order(_data_1d(x), d, descending)
    return new_tensor(idx if x.ndim else idx.reshape(()))


def msort(x: Tensor) -> Tensor:
    """``x`` sorted along dim 0 (the values of ``sort(x, dim=0)``)."""
    return sort(x, 0).values


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) elements
    along ``dim``, largest first. (With ``sorted=False`` PyTorch's order is unspecified;
    here they are sorted either way.) A 0-d ``x`` gives itself for ``k`` = 0 or 1."""
    d = normalize_dim(dim, x.ndim)
    n = (x.shape or (1,))[d]
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k={k}, dim {d} has size {n})")
    idx = _stable_order(_data_1d(x), d, largest)
    # a 0-d input gives its one element for k = 0 as well as k = 1, as PyTorch does
    idx = xp.take(idx, xp.arange(k if x.ndim else 1), axis=d)
    return _pick(x, d, idx, True, rt.topk)


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``."""
    d = normalize_dim(dim, x.ndim)
    n = (x.shape or (1,))[d]
    if not 1 <= k <= n:
        raise RuntimeError(
            f"kthvalue(): selected number k out of range for dimension {d} (k={k}, size {n})"
        )
    idx = _stable_order(_data_1d(x), d, False)
    return _pick(x, d, xp.take(idx, [k - 1], axis=d), keepdim, rt.kthvalue)


class SelectAll(Function):
    """y = the element of x at the (flat) positions ``mask``; the gradient is shared
    equally among them (``median()`` among the elements equal to the median)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, mask=None):
        ctx.weights = mask / x.dtype.type(mask.sum())
        return xp.asarray(x[mask][0])

    @staticmethod
    def backward(ctx, g):
        return g * ctx.weights


def _median_index(a, d: int, ignore_nan: bool):
    """Index of the lower median along ``d`` (kept dim): the ⌊(n−1)/2⌋-th in stable
    order. A slice with NaN gives its first NaN (``median``) or the median of the rest
    (``nanmedian``)."""
    order = xp.argsort(a, axis=d, kind="stable")
    nan = xp.isnan(a) if a.dtype.kind == "f" else xp.zeros(a.shape, dtype=bool)
    if ignore_nan:
        valid = (~nan).sum(axis=d, keepdims=True)
        pos = xp.maximum(valid - 1, 0) // 2
        return xp.take_along_axis(order, pos, axis=d)
    pos = xp.full_like(order.take([0], axis=d), (a.shape[d] - 1) // 2)
    idx = xp.take_along_axis(order, pos, axis=d)
    has_nan = nan.any(axis=d, keepdims=True)
    return xp.where(has_nan, xp.argmax(nan, axis=d, keepdims=True), idx)


def _median(x: Tensor, dim, keepdim: bool, ignore_nan: bool, result, op: str):
    if dim is None:
        if x._data.size == 0:
            return new_tensor(xp.asarray(xp.nan, dtype=x._data.dtype))
        flat = x._data.reshape(-1)
        i = int(_median_index(flat, 0, ignore_nan)[0])
        v = flat[i]
        mask = xp.isnan(x._data) if v != v else x._data == v
        return SelectAll.apply(x, mask=mask)
    d = normalize_dim(dim, x.ndim)
    _check_nonempty(x, d, op)
    return _pick(x, d, _median_index(_data_1d(x), d, ignore_nan), keepdim, result)


def median(x: Tensor, dim=None, keepdim: bool = False):
    """The lower median: without ``dim`` the ⌊(n−1)/2⌋-th smallest element of all (a
    0-d tensor); with ``dim``, ``(values, indices)`` along it. NaN propagates."""
    return _median(x, dim, keepdim, False, rt.median, "median")


def nanmedian(x: Tensor, dim=None, keepdim: bool = False):
    """:func:`median` ignoring NaN (NaN only where every element is NaN)."""
    return _median(x, dim, keepdim, True, rt.nanmedian, "nanmedian")


def mode(x: Tensor, dim: int = -1, keepdim: bool = False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest one
    when several are equally frequent) and the index of its last occurrence."""
    d = normalize_dim(dim, x.ndim)
    _check_nonempty(x, d, "mode")
    a = xp.moveaxis(_data_1d(x), d, -1)
    n = a.shape[-1]
    order = xp.argsort(a, axis=-1, kind="stable")
    s = xp.take_along_axis(a, order, axis=-1)
    pos = xp.broadcast_to(xp.arange(n), s.shape)
    new_run = xp.ones(s.shape, dtype=bool)
    new_run[..., 1:] = s[..., 1:] != s[..., :-1]
    start = xp.maximum.accumulate(xp.where(new_run, pos, 0), axis=-1)
    last = xp.ones(s.shape, dtype=bool)
    last[..., :-1] = new_run[..., 1:]
    end = xp.flip(xp.minimum.accumulate(xp.flip(xp.where(last, pos, n), -1), axis=-1), -1)
    best = xp.argmax(end - start, axis=-1)[..., None]  # the first longest run: smallest value
    idx = xp.take_along_axis(order, xp.take_along_axis(end, best, axis=-1), axis=-1)
    return _pick(x, d, xp.moveaxis(idx, -1, d), keepdim, rt.mode)
