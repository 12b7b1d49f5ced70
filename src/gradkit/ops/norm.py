"""Normalization as fused ops: :class:`Normalize` (batch norm, concept NN-BATCHNORM, over
any axes with precomputed statistics) and :class:`LayerNorm` (statistics of each row,
computed inside with matrix–vector products).

Both backward passes are fused NumPy code with in-place updates. With
``create_graph=True`` (the upstream gradient is a Tensor) they take a composed branch
instead: x̂ and the statistics are recomputed from the saved input x with gradkit ops and
the same formulas run on Tensors, so the gradient is differentiable again."""

from __future__ import annotations

import math

from gradkit.autograd.function import Function, TensorBase
from gradkit.backend import column_sums, scratch, scratch_like, xp


class Normalize(Function):
    """y = γ ⊙ x̂ + β with x̂ = (x − μ) / √(σ² + ε).

    ``mean`` and ``inv_std`` = 1/√(σ² + ε) arrive precomputed (broadcastable to x). When
    they are the statistics of x itself over ``stat_axes`` (``batch_stats``: batch norm
    in training), with m the number of elements reduced and ĝ = γ ⊙ g:

        ∂L/∂x = inv_std · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))

    otherwise (running statistics, batch norm in eval) ∂L/∂x = inv_std · ĝ. The affine
    parameters get ∂L/∂γ = Σ g ⊙ x̂ and ∂L/∂β = Σ g over ``param_axes``.

    Inputs are ``x`` followed by γ if ``has_weight`` and β if ``has_bias``;
    ``param_shape`` is the shape that broadcasts γ and β against x.
    """

    differentiable_backward = True

    @staticmethod
    def forward(
        ctx,
        x,
        *params,
        mean=None,
        inv_std=None,
        stat_axes=(),
        param_axes=(),
        param_shape=(),
        has_weight=True,
        has_bias=True,
        batch_stats=True,
    ):
        xhat = xp.subtract(x, mean, out=scratch_like(x, xp.result_type(x, mean, inv_std)))
        xhat *= inv_std
        weight = params[0].reshape(param_shape) if has_weight else None
        y = xhat * weight if has_weight else xhat.copy()
        if has_bias:
            y += params[-1].reshape(param_shape)
        ctx.x, ctx.params, ctx.mean, ctx.param_shape = x, params, mean, param_shape
        ctx.xhat, ctx.inv_std, ctx.weight = xhat, inv_std, weight
        ctx.stat_axes, ctx.param_axes = stat_axes, param_axes
        ctx.has_weight, ctx.has_bias, ctx.batch_stats = has_weight, has_bias, batch_stats
        return y

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, TensorBase):
            return _normalize_graph_backward(ctx, g)
        xhat, weight = ctx.xhat, ctx.weight
        needs = ctx.needs_input_grad
        grads = [None]
        gx = None  # g ⊙ x̂, shared by ∂L/∂γ and the batch-statistics term
        if (ctx.has_weight and needs[1]) or (needs[0] and ctx.batch_stats):
            gx = xp.multiply(g, xhat, out=scratch_like(xhat))
        if ctx.has_weight:
            grads.append(gx.sum(axis=ctx.param_axes) if needs[1] else None)
        if ctx.has_bias:
            grads.append(g.sum(axis=ctx.param_axes) if needs[-1] else None)
        if needs[0]:
            gh = scratch_like(xhat)  # ĝ, then ∂L/∂x in place
            if weight is not None:
                xp.multiply(g, weight, out=gh)
            else:
                gh[...] = g
            if ctx.batch_stats:
                axes = ctx.stat_axes
                if weight is not None:
                    gx *= weight  # ĝ ⊙ x̂
                m2 = gx.mean(axis=axes, keepdims=True)
                gh -= gh.mean(axis=axes, keepdims=True)
                gh -= xp.multiply(xhat, m2, out=gx)
            gh *= ctx.inv_std
            grads[0] = gh
        return tuple(grads)


class LayerNorm(Function):
    """Layer normalization of each row of x viewed as (N, D), D the trailing ``shape``::

        y = γ ⊙ x̂ + β,   x̂ = (x − μ) r,   μ = mean(x),   r = 1/√(mean((x − μ)²) + ε)

    With ĝ = γ ⊙ g (g = ∂L/∂y), the gradients are

        ∂L/∂x = r (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)),   ∂L/∂γ = Σ_rows g ⊙ x̂,   ∂L/∂β = Σ_rows g

    Means over a row and sums over the rows are matrix–vector products and row-wise dot
    products, each one pass, instead of NumPy reductions over many short rows.

    Inputs are ``x`` followed by γ if ``has_weight`` and β if ``has_bias`` (both of
    ``shape``).
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, *params, shape=(), eps=1e-5, has_weight=True, has_bias=True):
        d = math.prod(shape)
        x2 = x.reshape(-1, d)
        mean_w = xp.full(d, 1.0 / d, dtype=x.dtype)
        xhat = xp.subtract(x2, (x2 @ mean_w)[:, None], out=scratch(x2.shape, x.dtype))
        var = xp.einsum("ij,ij->i", xhat, xhat) / d  # row-wise dot products, no BLAS needed
        r = 1.0 / xp.sqrt(var + eps)
        xhat *= r[:, None]
        weight = params[0].reshape(d) if has_weight else None
        y = scratch(x2.shape, xhat.dtype)
        if has_weight:
            xp.multiply(xhat, weight, out=y)
        else:
            xp.copyto(y, xhat)
        if has_bias:
            y += params[-1].reshape(d)
        ctx.x, ctx.params, ctx.eps = x, params, eps
        ctx.xhat, ctx.r, ctx.weight, ctx.mean_w = xhat, r, weight, mean_w
        ctx.has_weight, ctx.has_bias, ctx.shape = has_weight, has_bias, shape
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, TensorBase):
            return _layer_norm_graph_backward(ctx, g)
        xhat, r, weight = ctx.xhat, ctx.r, ctx.weight
        n, d = xhat.shape
        g2 = g.reshape(n, d)
        needs = ctx.needs_input_grad
        grads = [None]
        if ctx.has_weight:
            gw = xp.multiply(g2, xhat, out=scratch(xhat.shape, g2.dtype)) if needs[1] else None
            grads.append(None if gw is None else column_sums(gw).reshape(ctx.shape))
        if ctx.has_bias:
            grads.append(column_sums(g2).reshape(ctx.shape) if needs[-1] else None)
        if needs[0]:
            gh = scratch(xhat.shape, g2.dtype)  # ĝ, then ∂L/∂x in place
            if weight is not None:
                xp.multiply(g2, weight, out=gh)
            else:
                xp.copyto(gh, g2)
            a = (gh @ ctx.mean_w) * r  # r mean(ĝ)
            b = xp.einsum("ij,ij->i", gh, xhat) * (r / d)  # r mean(ĝ ⊙ x̂)
            t = xp.multiply(xhat, b[:, None], out=scratch(xhat.shape, g2.dtype))
            gh *= r[:, None]
            gh -= a[:, None]
            gh -= t
            grads[0] = gh.reshape(g.shape)
        return tuple(grads)


def _affine_grads(ctx, g, xhat, axes, gx):
    """(∂L/∂x, ∂L/∂γ, ∂L/∂β) as the op's inputs ask, from g, x̂ and ∂L/∂x."""
    needs = ctx.needs_input_grad
    grads = [gx if needs[0] else None]
    if ctx.has_weight:
        grads.append((g * xhat).sum(axis=axes) if needs[1] else None)
    if ctx.has_bias:
        grads.append(g.sum(axis=axes) if needs[-1] else None)
    return tuple(grads)


def _normalized_grad(gh, xhat, inv_std, axes):
    """r (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) over ``axes``, out of place (for Tensors)."""
    mean_g = gh.mean(axis=axes, keepdims=True)
    mean_gx = (gh * xhat).mean(axis=axes, keepdims=True)
    return inv_std * (gh - mean_g - xhat * mean_gx)


def _normalize_graph_backward(ctx, g):
    """:class:`Normalize`'s backward on Tensors (``create_graph``): x̂ is rebuilt from x.

    With batch statistics, μ and σ² are recomputed as graphs of x; ε comes back as
    1/inv_std² − σ² (inv_std arrived precomputed), a constant. Otherwise μ and inv_std
    are the constant running statistics. x is a plain array (a constant) when it needs
    no gradient itself, e.g. a second derivative with respect to γ or β only."""
    x, axes = ctx.x, ctx.stat_axes
    if ctx.batch_stats:
        centred = x - x.mean(axis=axes, keepdims=True)
        var = (centred * centred).mean(axis=axes, keepdims=True)
        var_data = var._data if isinstance(var, TensorBase) else var
        eps = 1 / (ctx.inv_std * ctx.inv_std) - var_data
        inv_std = (var + eps) ** -0.5
        xhat = centred * inv_std
    else:
        inv_std = ctx.inv_std
        xhat = (x - ctx.mean) * inv_std
    gx = None
    if ctx.needs_input_grad[0]:
        gh = g * ctx.params[0].reshape(ctx.param_shape) if ctx.has_weight else g
        if ctx.batch_stats:
            gx = _normalized_grad(gh, xhat, inv_std, axes)
        else:
            gx = gh * inv_std
    return _affine_grads(ctx, g, xhat, ctx.param_axes, gx)


def _layer_norm_graph_backward(ctx, g):
    """:class:`LayerNorm`'s backward on Tensors (``create_graph``): μ, r and x̂ are
    recomputed from x as graphs and the gradients built out of place."""
    d = math.prod(ctx.shape)
    x2 = ctx.x.reshape(-1, d)
    centred = x2 - x2.mean(axis=1, keepdims=True)
    r = ((centred * centred).mean(axis=1, keepdims=True) + ctx.eps) ** -0.5
    xhat = centred * r
    g2 = g.reshape(-1, d)
    gx = None
    if ctx.needs_input_grad[0]:
        gh = g2 * ctx.params[0].reshape(d) if ctx.has_weight else g2
        gx = _normalized_grad(gh, xhat, r, 1).reshape(ctx.x.shape)
    grads = _affine_grads(ctx, g2, xhat, 0, gx)
    return tuple(t if t is None or i == 0 else t.reshape(ctx.shape) for i, t in enumerate(grads))


def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """:class:`LayerNorm` over the trailing ``normalized_shape`` axes (sizes checked by
    the caller)."""
    params = [p for p in (weight, bias) if p is not None]
    return LayerNorm.apply(
        x, *params, shape=tuple(normalized_shape), eps=eps,
        has_weight=weight is not None, has_bias=bias is not None,
    )  # fmt: skip
