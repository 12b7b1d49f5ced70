"""Products and running reductions: prod, cumsum, cumprod, logcumsumexp.

Zeros are the hard case of product gradients: ∂/∂x_k of Π x is "the product of the
others", which ``y / x_k`` gives only when x_k ≠ 0. Both ``prod`` and ``cumprod`` compute
it exactly with zeros present, as PyTorch does, and their backward formulas are written
with differentiable ops, so they differentiate again.
"""

from __future__ import annotations

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops import shape as sh
from gradkit.ops.reduce import _expand_back, _reduced_shape, dims_and_keep, normalize_dim


def _plain(a):
    return a._data if isinstance(a, Tensor) else a


def _is_integral(x: Tensor) -> bool:
    return x._data.dtype.kind in "biu"


# ---------------------------------------------------------------- cumsum
class Cumsum(Function):
    """y_k = Σ_{i≤k} x_i along ``axis`` (``reverse``: Σ_{i≥k}); ∂L/∂x is the running sum
    of g in the other direction."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axis=0, reverse=False):
        ctx.axis, ctx.reverse = axis, reverse
        return _running_sum(x, axis, reverse)

    @staticmethod
    def backward(ctx, g):
        return _cumsum_any(g, ctx.axis, not ctx.reverse)


def _running_sum(a, axis: int, reverse: bool):
    if not reverse:
        return xp.cumsum(a, axis=axis)
    return xp.flip(xp.cumsum(xp.flip(a, axis), axis=axis), axis)


def _cumsum_any(a, axis: int, reverse: bool = False):
    """Running sum of an array, or of a Tensor as a recorded op (``create_graph``)."""
    if isinstance(a, Tensor):
        return Cumsum.apply(a, axis=axis, reverse=reverse)
    return _running_sum(a, axis, reverse)


def _one_dim(x: Tensor, dim, op: str) -> int:
    if dim is None:
        raise TypeError(f"{op}() missing required argument 'dim'")
    return normalize_dim(dim, x.ndim)


def _scan(fn: Function, x: Tensor, d: int) -> Tensor:
    """Apply a running op along ``d``; a 0-d tensor runs as a 1-element vector."""
    if x.ndim == 0:
        return sh.reshape(fn.apply(sh.reshape(x, 1), axis=0), ())
    return fn.apply(x, axis=d)


def _int_scan(x: Tensor, fn, d: int) -> Tensor:
    out = fn(x._data.reshape(x.shape or (1,)).astype(xp.int64), axis=d)
    return new_tensor(out.reshape(x.shape))


def cumsum(x: Tensor, dim=None, *, dtype=None, axis=None) -> Tensor:
    """Running sum along ``dim``: y_k = Σ_{i≤k} x_i. Bool and integer tensors give int64.

    >>> import gradkit as gk
    >>> gk.tensor([1.0, 2.0, 3.0]).cumsum(0)
    tensor([1., 3., 6.])
    """
    d = _one_dim(x, axis if dim is None else dim, "cumsum")
    if dtype is not None:
        x = x.astype(dtype)
    if _is_integral(x):
        return _int_scan(x, xp.cumsum, d)
    return _scan(Cumsum, x, d)


# ---------------------------------------------------------------- cumprod
class Cumprod(Function):
    """y_k = Π_{i≤k} x_i along ``axis``.

    ∂L/∂x_k = Σ_{j≥k} g_j Π_{i≤j, i≠k} x_i. Without zeros that is (Σ_{j≥k} g_j y_j) / x_k.
    With zeros, before the first zero z of a slice it is still that; at z it is
    Σ_{j≥z} g_j y'_j with y' the running product of x with x_z replaced by 1; after z it
    is 0 (every term contains x_z). That last 0 is only true at the point, not nearby, so
    a recorded backward (``create_graph``) with zeros uses the polynomial itself:
    ∂L/∂x_k = y_{k−1} · (g_k + Σ_{j>k} g_j Π_{k<i≤j} x_i), one running product per k
    (O(n²), as PyTorch does for double backward)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axis=0):
        y = xp.cumprod(x, axis=axis)
        ctx.x, ctx.y, ctx.axis = x, y, axis
        return y

    @staticmethod
    def backward(ctx, g):
        x, y, axis = ctx.x, ctx.y, ctx.axis
        zero = _plain(x) == 0
        if not zero.any():
            return _cumsum_any(g * y, axis, True) / x
        if isinstance(g, Tensor):
            return _cumprod_grad_polynomial(g, x, y, axis)
        zeros_so_far = xp.cumsum(zero, axis=axis)
        before = zeros_so_far == 0
        first = zero & (zeros_so_far == 1)
        part_before = _cumsum_any(g * y, axis, True) / xp.where(before, x, 1)
        part_first = _cumsum_any(g * xp.cumprod(xp.where(first, 1, x), axis=axis), axis, True)
        return xp.where(before, part_before, xp.where(first, part_first, 0))


def _along(axis: int, index) -> tuple:
    return (slice(None),) * axis + (index,)


def _cumprod_grad_polynomial(g, x, y, axis: int):
    """∂L/∂x_k = y_{k−1} · (g_k + Σ_{j>k} g_j Π_{k<i≤j} x_i) for every k, as recorded ops."""
    n = x.shape[axis]
    grads = []
    for k in range(n):
        s = g[_along(axis, k)]
        if k + 1 < n:
            tail = _along(axis, slice(k + 1, None))
            s = s + (g[tail] * Cumprod.apply(x[tail], axis=axis)).sum(axis=axis)
        grads.append(s if k == 0 else s * y[_along(axis, k - 1)])
    return xp.stack(grads, axis=axis)


def _cumprod_any(a, axis: int):
    if isinstance(a, Tensor):
        return Cumprod.apply(a, axis=axis)
    return xp.cumprod(a, axis=axis)


def cumprod(x: Tensor, dim=None, *, dtype=None, axis=None) -> Tensor:
    """Running product along ``dim``: y_k = Π_{i≤k} x_i (exact gradient with zeros)."""
    d = _one_dim(x, axis if dim is None else dim, "cumprod")
    if dtype is not None:
        x = x.astype(dtype)
    if _is_integral(x):
        return _int_scan(x, xp.cumprod, d)
    return _scan(Cumprod, x, d)


# ---------------------------------------------------------------- logcumsumexp
class LogCumSumExp(Function):
    """y_k = ln Σ_{i≤k} exp(x_i) along ``axis`` (``logaddexp.accumulate``, stable).

    ∂L/∂x_i = Σ_{k≥i} g_k exp(x_i − y_k), evaluated in log space with g split into its
    positive and negative parts so nothing overflows."""

    @staticmethod
    def forward(ctx, x, axis=0):
        y = xp.logaddexp.accumulate(x, axis=axis)
        ctx.x, ctx.y, ctx.axis = x, y, axis
        return y

    @staticmethod
    def backward(ctx, g):
        x, y, axis = ctx.x, ctx.y, ctx.axis
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = xp.zeros_like(x)
            for part, sign in ((g, 1), (-g, -1)):
                log_part = xp.where(part > 0, xp.log(xp.where(part > 0, part, 1)), -xp.inf)
                acc = xp.flip(xp.logaddexp.accumulate(xp.flip(log_part - y, axis), axis=axis), axis)
                out += sign * xp.exp(x + acc)
        return out


def logcumsumexp(x: Tensor, dim=None, *, axis=None) -> Tensor:
    """y_k = ln Σ_{i≤k} exp(x_i) along ``dim``, computed without overflow."""
    d = _one_dim(x, axis if dim is None else dim, "logcumsumexp")
    if _is_integral(x):
        x = x.astype(xp.float32)
    return _scan(LogCumSumExp, x, d)


# ---------------------------------------------------------------- prod
class Prod(Function):
    """y = Π_axes x.

    ∂y/∂x_k = Π_{i≠k} x_i: y / x_k in a slice without zeros; in a slice with exactly one
    zero, the product of the other elements at the zero and 0 elsewhere; 0 in a slice
    with two or more zeros. A recorded backward (``create_graph``) with zeros uses
    Π_{i<k} x_i · Π_{i>k} x_i (exclusive running products), whose derivatives are right
    at the zeros too."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, axes=(), keepdims=False):
        y = xp.prod(x, axis=axes, keepdims=keepdims)
        ctx.x, ctx.y, ctx.axes, ctx.keepdims = x, y, axes, keepdims
        return y

    @staticmethod
    def backward(ctx, g):
        x, axes, keep = ctx.x, ctx.axes, ctx.keepdims
        g = _expand_back(g, x.shape, axes, keep)
        y = _expand_back(ctx.y, x.shape, axes, keep)
        zero = _plain(x) == 0
        if not zero.any():
            return g * y / x
        if isinstance(g, Tensor):
            return g * _products_of_others(x, axes)
        n_zero = zero.sum(axis=axes, keepdims=True)
        safe = xp.where(zero, 1, x)
        others = xp.prod(safe, axis=axes, keepdims=True)  # the nonzero elements' product
        ratio = xp.where(n_zero == 0, y / safe, 0)
        lone = xp.where(zero & (n_zero == 1), others, 0)
        return g * (ratio + lone)


def _products_of_others(x, axes):
    """Π_{i≠k} x_i over ``axes`` for every k, as recorded ops: the reduced axes moved
    last and flattened, then exclusive running products from the left and the right."""
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)
    moved = xp.transpose(x, order)
    lead = moved.shape[: len(kept)]
    flat = moved.reshape((*lead, -1))
    one = new_tensor(xp.ones((*lead, 1), dtype=flat.dtype))
    left = Cumprod.apply(xp.concatenate([one, flat[..., :-1]], axis=-1), axis=-1)
    right = _reversed(Cumprod.apply(_reversed(xp.concatenate([flat[..., 1:], one], axis=-1)),
                                    axis=-1))  # fmt: skip
    others = (left * right).reshape(moved.shape)
    return xp.transpose(others, [order.index(a) for a in range(x.ndim)])


def _reversed(t):
    return t[..., ::-1]


def prod(x: Tensor, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False) -> Tensor:
    """Π over ``dim`` (every dim when None); bool and integer tensors give int64. The
    gradient is exact with zeros in the input.

    >>> import gradkit as gk
    >>> gk.tensor([[1.0, 2.0], [3.0, 4.0]]).prod(1)
    tensor([ 2., 12.])
    """
    axes, keep = dims_and_keep(x, dim, axis, keepdim, keepdims)
    if dtype is not None:
        x = x.astype(dtype)
    if _is_integral(x):
        out = xp.prod(x._data, axis=axes, keepdims=keep, dtype=xp.int64)
        return new_tensor(xp.asarray(out).reshape(_reduced_shape(x.shape, axes, keep)))
    return Prod.apply(x, axes=axes, keepdims=keep)
