"""Cut the learning rate when a metric plateaus (concept NN-LR; PyTorch's
``torch.optim.lr_scheduler.ReduceLROnPlateau``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from gradkit.optim._lr_base import LRScheduler, check_optimizer
from gradkit.optim.optimizer import Optimizer


class ReduceLROnPlateau(LRScheduler):
    """Cut the rate by ``factor`` when a metric stops improving.

    After more than ``patience`` steps without improvement (better than the best by
    ``threshold``, relative or absolute), every group's rate becomes
    ``max(lr · factor, min_lr)``; then ``cooldown`` steps pass before bad steps count
    again. ``step(metric)`` takes the metric, e.g. the validation loss.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}
        Whether the metric should go down or up.
    factor : float
        Multiplier of the rate, in ``(0, 1)``.
    patience : int
        Steps without improvement tolerated before cutting.
    threshold : float
        Smallest change that counts as an improvement.
    threshold_mode : {"rel", "abs"}
        Compare against ``best · (1 ∓ threshold)`` or ``best ∓ threshold``.
    cooldown : int
        Steps to wait after a cut before counting bad steps.
    min_lr : float or list of float
        Lower bound of the rate (one per group if a list).
    eps : float
        Changes smaller than this are not applied.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        check_optimizer(optimizer)
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must lie in (0, 1), got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}"
                )
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self._last_lr = self._current()

    def _is_better(self, current: float) -> bool:
        sign = 1.0 if self.mode == "min" else -1.0
        if self.threshold_mode == "rel":
            return sign * current < sign * self.best * (1.0 - sign * self.threshold)
        return sign * current < sign * self.best - self.threshold

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """Record ``metrics`` (e.g. validation loss) and cut the rates if it plateaued."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current()
