"""``SyncBatchNorm``: batch normalization whose batch statistics are those of the combined
batch of every rank (concept NN-BATCHNORM over a data-parallel job).

Forward in training, with n_r samples (times spatial positions) on rank r, N = Σ n_r:

    μ = Σ_r n_r μ_r / N,    σ² = Σ_r (M2_r + n_r (μ_r − μ)²) / N

(Chan et al.'s pairwise merge of each rank's mean μ_r and sum of squared deviations
M2_r, so no E[x²] − μ² cancellation), then y = γ (x − μ) / √(σ² + ε) + β on each
rank's shard. Backward, with ĝ = γ ⊙ ∂L/∂y and x̂ = (x − μ) / √(σ² + ε):

    ∂L/∂x = (ĝ − (1/N) Σ_all ĝ − x̂ (1/N) Σ_all ĝ ⊙ x̂) / √(σ² + ε)

where the two sums run over every rank's samples (one allreduce), so a rank's input
gradient is the gradient of Σ_r L_r; ∂L/∂γ = Σ_local g ⊙ x̂ and ∂L/∂β = Σ_local g stay
local, and DistributedDataParallel averages them with the other gradients. The result
equals BatchNorm on the combined batch. Outside training, or on one rank, it is BatchNorm.
"""

from __future__ import annotations

from gradkit import _process_group as pg
from gradkit.autograd.function import Function
from gradkit.backend import xp
from gradkit.nn.module import Module
from gradkit.nn.normalization import _BatchNorm
from gradkit.tensor import Tensor


class _SyncNormalize(Function):
    """y = γ x̂ + β with the statistics of the batch over all ranks (see the module
    docstring for the formulas). Inputs: x, then γ if ``has_weight``, β if ``has_bias``."""

    @staticmethod
    def forward(ctx, x, *params, comm=None, eps=1e-5, has_weight=True, has_bias=True, stats=None):
        axes = (0, *range(2, x.ndim))
        shape = [1] * x.ndim
        shape[1] = x.shape[1]
        channels = x.shape[1]
        n = x.size // channels if x.size else 0
        if n:
            mean = x.mean(axis=axes)
            m2 = ((x - mean.reshape(shape)) ** 2).sum(axis=axes)
        else:
            mean = m2 = xp.zeros(channels, dtype=x.dtype)
        local = xp.concatenate([mean, m2, xp.asarray([n], dtype=x.dtype)]).astype(x.dtype)
        gathered = xp.empty((comm.Get_size(), local.size), dtype=x.dtype)
        comm.Allgather(xp.ascontiguousarray(local), gathered)
        means, m2s, counts = (
            gathered[:, :channels],
            gathered[:, channels : 2 * channels],
            gathered[:, -1:],
        )
        total = counts.sum()
        if total <= 1:
            raise ValueError(
                "SyncBatchNorm: expected more than 1 value per channel across all ranks when "
                f"training, got input of shape {tuple(x.shape)} on this rank"
            )
        g_mean = (counts * means).sum(axis=0) / total
        g_var = (m2s + counts * (means - g_mean) ** 2).sum(axis=0) / total
        stats["mean"], stats["var"], stats["count"] = g_mean, g_var, int(total)
        inv_std = 1.0 / xp.sqrt(g_var + eps)
        xhat = (x - g_mean.reshape(shape)) * inv_std.reshape(shape)
        y = xhat * params[0].reshape(shape) if has_weight else xhat.copy()
        if has_bias:
            y += params[-1].reshape(shape)
        ctx.xhat, ctx.inv_std, ctx.shape, ctx.axes, ctx.total = xhat, inv_std, shape, axes, total
        ctx.weight = params[0] if has_weight else None
        ctx.has_weight, ctx.has_bias, ctx.comm = has_weight, has_bias, comm
        return y

    @staticmethod
    def backward(ctx, g):
        xhat, shape, axes = ctx.xhat, ctx.shape, ctx.axes
        needs = ctx.needs_input_grad
        grads = [None]
        gx = g * xhat
        if ctx.has_weight:
            grads.append(gx.sum(axis=axes) if needs[1] else None)
        if ctx.has_bias:
            grads.append(g.sum(axis=axes) if needs[-1] else None)
        if needs[0]:
            gh = g * ctx.weight.reshape(shape) if ctx.has_weight else g
            sums = xp.concatenate([gh.sum(axis=axes), (gh * xhat).sum(axis=axes)])
            sums = xp.ascontiguousarray(sums, dtype=g.dtype)
            ctx.comm.Allreduce(pg.mpi().IN_PLACE, sums, op=pg.mpi().SUM)
            channels = shape[1]
            mean_g = (sums[:channels] / ctx.total).reshape(shape)
            mean_gx = (sums[channels:] / ctx.total).reshape(shape)
            grads[0] = (gh - mean_g - xhat * mean_gx) * ctx.inv_std.reshape(shape)
        return tuple(grads)


class SyncBatchNorm(_BatchNorm):
    """Batch normalization over the combined batch of every rank (PyTorch's
    ``nn.SyncBatchNorm``); the statistics and their gradients are reduced across ranks
    in training. Same parameters as ``BatchNorm1d``/``BatchNorm2d``, plus
    ``process_group`` (None: all ranks).

    Shape
    -----
    Input (N, C, *) with at least 2 dimensions; output the same.
    """

    _expected_dims = (2, 3, 4, 5)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group=None,
        dtype=None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)
        if process_group is not None:
            pg.check_group(process_group)  # only the default group exists
        self.process_group = process_group

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input(input)
        batch_stats = self.training or not self.track_running_stats
        if not (batch_stats and pg.is_initialized() and pg.comm().Get_size() > 1):
            return super().forward(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                momentum = 1.0 / int(self.num_batches_tracked._data)
        params = [t for t in (self.weight, self.bias) if t is not None]
        stats: dict = {}
        y = _SyncNormalize.apply(
            input,
            *params,
            comm=pg.comm(),
            eps=self.eps,
            has_weight=self.weight is not None,
            has_bias=self.bias is not None,
            stats=stats,
        )
        if self.training and self.track_running_stats:
            n = stats["count"]
            self.running_mean._data *= 1.0 - momentum
            self.running_mean._data += momentum * stats["mean"]
            self.running_var._data *= 1.0 - momentum
            self.running_var._data += (momentum * n / (n - 1)) * stats["var"]
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """Replace every ``BatchNorm*d`` inside ``module`` by a ``SyncBatchNorm`` holding
        the same parameters, running statistics and training flag; returns the module
        (the new layer when ``module`` itself is a batch norm)."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            dtype = module.weight if module.weight is not None else module.running_mean
            out = cls(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
                dtype=None if dtype is None else dtype.dtype,
            )
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            if module.track_running_stats:
                out.running_mean = module.running_mean
                out.running_var = module.running_var
                out.num_batches_tracked = module.num_batches_tracked
            out.train(module.training)
        for name, child in list(module.named_children()):
            setattr(out, name, cls.convert_sync_batchnorm(child, process_group))
        return out
