"""Normalization as one fused op: batch norm (concept NN-BATCHNORM) and layer norm share
the same forward and backward, differing only in the axes they reduce over."""

from __future__ import annotations

from gradkit.tensor import Function


class Normalize(Function):
    """y = γ ⊙ x̂ + β with x̂ = (x − μ) / √(σ² + ε).

    ``mean`` and ``inv_std`` = 1/√(σ² + ε) arrive precomputed (broadcastable to x). When
    they are the statistics of x itself over ``stat_axes`` (``batch_stats``: batch norm
    in training, layer norm), with m the number of elements reduced and ĝ = γ ⊙ g:

        ∂L/∂x = inv_std · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))

    otherwise (running statistics, batch norm in eval) ∂L/∂x = inv_std · ĝ. The affine
    parameters get ∂L/∂γ = Σ g ⊙ x̂ and ∂L/∂β = Σ g over ``param_axes``.

    Inputs are ``x`` followed by γ if ``has_weight`` and β if ``has_bias``;
    ``param_shape`` is the shape that broadcasts γ and β against x.
    """

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
        xhat = (x - mean) * inv_std
        weight = params[0].reshape(param_shape) if has_weight else None
        y = xhat * weight if has_weight else xhat.copy()
        if has_bias:
            y += params[-1].reshape(param_shape)
        ctx.xhat, ctx.inv_std, ctx.weight = xhat, inv_std, weight
        ctx.stat_axes, ctx.param_axes = stat_axes, param_axes
        ctx.has_weight, ctx.has_bias, ctx.batch_stats = has_weight, has_bias, batch_stats
        return y

    @staticmethod
    def backward(ctx, g):
        xhat, weight = ctx.xhat, ctx.weight
        needs = ctx.needs_input_grad
        grads = [None]
        if ctx.has_weight:
            grads.append((g * xhat).sum(axis=ctx.param_axes) if needs[1] else None)
        if ctx.has_bias:
            grads.append(g.sum(axis=ctx.param_axes) if needs[-1] else None)
        if needs[0]:
            gh = g * weight if weight is not None else g
            if ctx.batch_stats:
                axes = ctx.stat_axes
                gh = (
                    gh
                    - gh.mean(axis=axes, keepdims=True)
                    - xhat * (gh * xhat).mean(axis=axes, keepdims=True)
                )
            grads[0] = gh * ctx.inv_std
        return tuple(grads)
