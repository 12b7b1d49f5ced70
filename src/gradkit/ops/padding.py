"""Padding in PyTorch's argument order (``torch.nn.functional.pad``): constant, reflect,
replicate and circular modes, negative amounts cropping.

``pad`` lists (before, after) amounts from the LAST axis backwards:
``(left, right)`` pads the last axis, ``(left, right, top, bottom)`` the last two, and so
on. Every mode is a gather along each padded axis: output position i of an axis of size
n, padded by (b, a), reads input position src(i) (i − b before any folding):

    constant   src = i − b, or the fill value where that lies outside [0, n)
    reflect    src = |i − b| folded at 0 and n − 1 (edges not repeated): needs b, a < n
    replicate  src = clip(i − b, 0, n − 1)
    circular   src = c + ((i − max(b, 0)) mod m) over the kept (cropped) span [c, c + m)

The backward adds each output gradient back at src(i) (an index-add along the axis), so
reflected, replicated and wrapped inputs collect every copy's gradient. That index-add
is itself the op :class:`PadGrad`, whose backward is the padding again, so gradients of
any order follow.

``ops.shape.pad`` is a different function: NumPy's ``pad_width`` order (first axis
first), the ``Tensor.pad`` method.
"""

from __future__ import annotations

import operator

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp

MODES = ("constant", "reflect", "replicate", "circular")


def _sources(mode: str, n: int, before: int, after: int):
    """Input index read by each output position of one axis, and a boolean mask of the
    positions that read the input (None when all do; constant mode fills the rest)."""
    i = xp.arange(n + before + after) - before
    if mode == "constant":
        inside = (i >= 0) & (i < n)
        return xp.clip(i, 0, max(n - 1, 0)), None if inside.all() else inside
    if mode == "reflect":
        i = xp.abs(i)
        return xp.where(i > n - 1, 2 * (n - 1) - i, i), None
    if mode == "replicate":
        return xp.clip(i, 0, n - 1), None
    start, kept = max(-before, 0), n - max(-before, 0) - max(-after, 0)
    return start + (xp.arange(n + before + after) - max(before, 0)) % kept, None


def _runs(src, inside):
    """Output positions [start, stop) of one axis split into runs whose sources step by
    +1, −1 or 0 (a copy, a reversed copy, a repeated input): ``(start, stop, first source,
    step)``; positions outside ``inside`` (constant fill) belong to no run."""
    runs, n, j = [], len(src), 0
    while j < n:
        if inside is not None and not inside[j]:
            j += 1
            continue
        stop, step = j + 1, 1
        if stop < n and (inside is None or inside[stop]) and abs(int(src[stop] - src[j])) <= 1:
            step = int(src[stop] - src[j])
            while (
                stop < n and (inside is None or inside[stop]) and src[stop] - src[stop - 1] == step
            ):
                stop += 1
        runs.append((j, stop, int(src[j]), step))
        j = stop
    return tuple(runs)


def _plan(shape, pads, mode):
    """(axis, new size, runs) for every axis whose amounts are not both 0."""
    plan = []
    for k in range(len(pads) // 2):
        axis = len(shape) - 1 - k
        before, after = pads[2 * k], pads[2 * k + 1]
        if before or after:
            runs = _runs(*_sources(mode, shape[axis], before, after))
            plan.append((axis, shape[axis] + before + after, runs))
    return tuple(plan)


def _source_slice(first: int, step: int, length: int):
    if step == 1:
        return slice(first, first + length)
    if step == -1:
        return slice(first, first - length if first - length >= 0 else None, -1)
    return slice(first, first + 1)


def _gather(x, plan, value):
    for axis, size, runs in plan:
        lead = (slice(None),) * axis
        out = xp.empty((*x.shape[:axis], size, *x.shape[axis + 1 :]), dtype=x.dtype)
        if sum(stop - start for start, stop, _, _ in runs) < size:
            out[...] = value
        for start, stop, first, step in runs:
            out[(*lead, slice(start, stop))] = x[(*lead, _source_slice(first, step, stop - start))]
        x = out
    return x


def _scatter(g, plan, shape):
    """Adjoint of :func:`_gather`: add each run's gradient back onto its sources, last
    axis gathered first; filled positions contribute nothing."""
    sizes = list(g.shape)
    for axis, _, _ in plan:
        sizes[axis] = shape[axis]
    for axis, _, runs in reversed(plan):
        lead = (slice(None),) * axis
        out = xp.zeros((*g.shape[:axis], sizes[axis], *g.shape[axis + 1 :]), dtype=g.dtype)
        for start, stop, first, step in runs:
            piece = g[(*lead, slice(start, stop))]
            if step == 0:
                piece = piece.sum(axis=axis, keepdims=True)
            out[(*lead, _source_slice(first, step, stop - start))] += piece
        g = out
    return g


class Pad(Function):
    """y = x gathered at src(i) along every padded axis (module docstring); the fill
    ``value`` where constant padding reads outside the input. ∂L/∂x = index-add of
    ∂L/∂y back at src(i) (:class:`PadGrad`)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, *, pads, mode, value):
        ctx.plan, ctx.pads, ctx.mode, ctx.shape = _plan(x.shape, pads, mode), pads, mode, x.shape
        return _gather(x, ctx.plan, value)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return PadGrad.apply(g, pads=ctx.pads, mode=ctx.mode, shape=ctx.shape)
        return _scatter(g, ctx.plan, ctx.shape)


class PadGrad(Function):
    """The backward of :class:`Pad` as an op of the output gradient G (recorded under
    ``create_graph``): gx = index-add of G at src(i). Linear in G; its adjoint is the
    padding itself with fill 0."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, g, *, pads, mode, shape):
        ctx.pads, ctx.mode, ctx.plan = pads, mode, _plan(shape, pads, mode)
        return _scatter(g, ctx.plan, shape)

    @staticmethod
    def backward(ctx, gg):
        if isinstance(gg, Tensor):
            return Pad.apply(gg, pads=ctx.pads, mode=ctx.mode, value=0)
        return _gather(gg, ctx.plan, 0)


_NON_CONSTANT_HELP = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


def _check(x: Tensor, pads: tuple[int, ...], mode: str) -> None:
    if len(pads) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {len(pads)}: {pads}")
    if len(pads) > 2 * x.ndim:
        raise RuntimeError(
            f"pad: padding length should be less than or equal to two times the input "
            f"dimension but got padding length {len(pads)} and input of dimension {x.ndim}"
        )
    if mode != "constant":
        k = len(pads) // 2
        if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
            raise NotImplementedError(
                f"pad: padding size {len(pads)} is not supported for {x.ndim}D input tensor in "
                f"mode {mode!r}.\n{_NON_CONSTANT_HELP}"
            )
    for k in range(len(pads) // 2):
        axis = x.ndim - 1 - k
        n, before, after = x.shape[axis], pads[2 * k], pads[2 * k + 1]
        if n + before + after < 0:
            raise RuntimeError(
                f"pad: padding ({before}, {after}) leaves a negative size along "
                f"dimension {axis} of input of shape {tuple(x.shape)}"
            )
        if mode == "constant":
            continue
        if n == 0:
            raise RuntimeError(
                f"pad: mode {mode!r} needs non-empty dimensions, but dimension {axis} of input "
                f"of shape {tuple(x.shape)} is empty"
            )
        if mode == "reflect" and (before >= n or after >= n):
            raise RuntimeError(
                f"pad: reflect padding size should be less than the corresponding input "
                f"dimension, but got padding ({before}, {after}) at dimension {axis} of input "
                f"of shape {tuple(x.shape)}"
            )
        kept = n - max(-before, 0) - max(-after, 0)
        if mode == "circular" and (before > kept or after > kept):
            raise RuntimeError(
                f"pad: circular padding ({before}, {after}) at dimension {axis} of input of "
                f"shape {tuple(x.shape)} would wrap around more than once (each amount must be "
                f"at most the size {kept} left after cropping)"
            )


def pad(
    input: Tensor,  # noqa: A002 - PyTorch's name
    pad,  # noqa: A002
    mode: str = "constant",
    value: float | None = None,
) -> Tensor:
    """Pad (or, with negative amounts, crop) the trailing axes, as
    ``torch.nn.functional.pad``.

    Parameters
    ----------
    input : Tensor
    pad : sequence of int
        (before, after) amounts from the last axis backwards: ``(left, right)``,
        ``(left, right, top, bottom)``, ``(left, right, top, bottom, front, back)``, ...
    mode : {"constant", "reflect", "replicate", "circular"}
        See the module docstring. Non-constant modes pad the last 1, 2 or 3 axes of an
        input with one or two more axes (batch and channel).
    value : float, optional
        Fill value of constant padding (default 0), cast to the input's dtype.

    Shape
    -----
    Each padded axis grows from n to n + before + after.

    Examples
    --------
    >>> import gradkit as gk
    >>> pad(gk.arange(3.0).reshape(1, 3), (2, 1), mode="reflect")
    tensor([[2., 1., 0., 1., 2., 1.]])
    """
    if mode not in MODES:
        raise NotImplementedError(
            f"pad: unrecognised padding mode {mode!r}; choose one of {', '.join(MODES)}"
        )
    if mode != "constant" and value not in (None, 0):
        raise RuntimeError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
    try:
        pads = tuple(operator.index(p) for p in pad)
    except TypeError:
        raise TypeError(f"pad: expected a sequence of ints, got {pad!r}") from None
    _check(input, pads, mode)
    fill = 0 if value is None else value
    return Pad.apply(input, pads=pads, mode=mode, value=xp.asarray(fill).astype(input.dtype))
