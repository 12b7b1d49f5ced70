"""Weight averaging: stochastic weight averaging and exponential moving averages of a
model's parameters (PyTorch's ``torch.optim.swa_utils``).

An averaged copy of a model often generalizes better than the last iterate (SWA,
Izmailov et al. 2018) and, for GAN generators, gives visibly cleaner samples (Yazıcı et
al. 2019). Two averages are provided:

    SWA (equal weights):  θ̄ₙ₊₁ = θ̄ₙ + (θ − θ̄ₙ) / (n + 1)
    EMA (decay d):        θ̄ ← d θ̄ + (1 − d) θ

Batch-norm running statistics are not averages of anything the averaged weights
produced, so ``update_bn`` recomputes them with one pass over data.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from gradkit.backend import check_device
from gradkit.nn.module import Module
from gradkit.nn.normalization import _BatchNorm
from gradkit.tensor import Tensor, no_grad

AvgFn = Callable[[np.ndarray, np.ndarray, int], np.ndarray]
MultiAvgFn = Callable[[Sequence[np.ndarray], Sequence[np.ndarray], int], None]


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """``avg_fn`` of an exponential moving average: d θ̄ + (1 − d) θ."""
    _check_decay(decay)

    def ema_update(averaged: np.ndarray, current: np.ndarray, num_averaged: int) -> np.ndarray:
        return decay * averaged + (1 - decay) * current

    return ema_update


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """``multi_avg_fn`` of an exponential moving average, updating the arrays in place:
    θ̄ ← θ̄ + (1 − d)(θ − θ̄)."""
    _check_decay(decay)

    def ema_update(averaged: Sequence[np.ndarray], current: Sequence[np.ndarray], _n: int):
        for avg, cur in zip(averaged, current):
            avg += (1 - decay) * (cur - avg)

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """``avg_fn`` of the running equal-weight mean: θ̄ + (θ − θ̄) / (n + 1)."""

    def swa_update(averaged: np.ndarray, current: np.ndarray, num_averaged: int) -> np.ndarray:
        return averaged + (current - averaged) / (num_averaged + 1)

    return swa_update


def _check_decay(decay: float) -> None:
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in [0, 1], got {decay}")


class AveragedModel(Module):
    """A copy of ``model`` whose parameters hold an average of ``model``'s over time.

    Call ``update_parameters(model)`` after each optimizer step (or epoch); the first
    call copies the weights, later ones fold them into the average with ``avg_fn``
    (one array at a time, returning the new average) or ``multi_avg_fn`` (all arrays at
    once, in place); with neither, the equal-weight SWA mean. Buffers (batch-norm
    statistics) are copied from ``model`` unless ``use_buffers=True``, which averages
    them too (integer buffers such as batch counters are copied, never averaged).
    ``forward`` runs the averaged copy; its state dict holds ``module.*`` and
    the count ``n_averaged``, as in PyTorch. ``device`` (PyTorch's argument, where the
    copy lives) must be None or the CPU.

    Examples
    --------
    >>> import gradkit as gk
    >>> net = gk.nn.Linear(2, 1)
    >>> ema = AveragedModel(net, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    >>> ema.update_parameters(net)
    >>> with gk.no_grad():
    ...     _ = net.weight.fill_(0.0)
    >>> ema.update_parameters(net)          # 0.9 * w0 + 0.1 * 0
    >>> int(ema.n_averaged.data)
    2
    """

    def __init__(
        self,
        model: Module,
        device=None,
        avg_fn: AvgFn | None = None,
        multi_avg_fn: MultiAvgFn | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if device is not None:
            check_device(device)
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: give avg_fn or multi_avg_fn, not both")
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", Tensor(np.zeros((), dtype=np.int64)))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model: Module) -> tuple[list[np.ndarray], list[np.ndarray]]:
        mine, theirs = list(self.module.parameters()), list(model.parameters())
        if self.use_buffers:
            mine += [b for b in self.module.buffers() if b is not None]
            theirs += [b for b in model.buffers() if b is not None]
        if len(mine) != len(theirs) or any(a.shape != b.shape for a, b in zip(mine, theirs)):
            raise ValueError(
                "AveragedModel.update_parameters: the model's parameters do not match the "
                "averaged copy's (a different architecture?)"
            )
        return [t._data for t in mine], [t._data for t in theirs]

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters into the average."""
        averaged, current = self._averaged_tensors(model)
        n = int(self.n_averaged._data)
        # integer buffers (batch counters) are copied, never averaged
        pairs = [(a, c) for a, c in zip(averaged, current) if np.issubdtype(a.dtype, np.floating)]
        for a, c in zip(averaged, current):
            if n == 0 or not np.issubdtype(a.dtype, np.floating):
                a[...] = c
        if n > 0 and pairs:
            avg, cur = [a for a, _ in pairs], [c for _, c in pairs]
            if self.avg_fn is not None:
                for a, c in pairs:
                    a[...] = self.avg_fn(a, c, n)
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn(avg, cur, n)
            else:
                swa = get_swa_avg_fn()
                for a, c in pairs:
                    a[...] = swa(a, c, n)
        if not self.use_buffers:
            for mine, theirs in zip(self.module.buffers(), model.buffers()):
                if mine is not None and theirs is not None:
                    mine._data[...] = theirs._data
        self.n_averaged._data[...] = n + 1


def update_bn(loader: Iterable, model: Module, device=None) -> None:
    """Recompute the batch-norm running statistics of ``model`` with one pass over
    ``loader`` (batches of inputs, or tuples whose first item is the input): the
    statistics are reset and accumulated as a cumulative average (momentum None),
    then each layer's momentum and the model's train/eval mode are restored.
    ``device`` (where PyTorch moves each batch) must be None or the CPU."""
    if device is not None:
        check_device(device)
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            model(batch if isinstance(batch, Tensor) else Tensor(np.asarray(batch)))
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)
