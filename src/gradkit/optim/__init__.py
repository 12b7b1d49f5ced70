"""Optimizers, learning-rate schedules and gradient clipping (PyTorch's ``torch.optim``).

Every optimizer takes an iterable of tensors with ``requires_grad=True`` (``nn``
Parameters are tensors) or a list of parameter-group dicts, updates ``p.data`` in place
under ``no_grad`` and keeps its state in preallocated arrays of the parameter's dtype.
``swa_utils`` averages a model's weights over training (SWA and EMA).
"""

from gradkit.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from gradkit.optim import lr_scheduler, swa_utils
from gradkit.optim.adagrad import Adagrad
from gradkit.optim.adam import Adam, AdamW
from gradkit.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from gradkit.optim.newton import Newton, newton
from gradkit.optim.optimizer import Optimizer
from gradkit.optim.rmsprop import RMSprop
from gradkit.optim.sgd import SGD

__all__ = [
    "SGD", "Adagrad", "Adam", "AdamW", "ChainedScheduler", "ConstantLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "CyclicLR", "ExponentialLR", "LRScheduler", "LambdaLR",
    "LinearLR", "MultiStepLR", "MultiplicativeLR", "Newton", "OneCycleLR", "Optimizer",
    "PolynomialLR", "RMSprop", "ReduceLROnPlateau", "SequentialLR", "StepLR",
    "clip_grad_norm_", "clip_grad_value_", "lr_scheduler", "newton", "swa_utils",
]  # fmt: skip
