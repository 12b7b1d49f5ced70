"""Functional forms of layers, activations and losses (``gradkit.nn.functional``,
imported as ``F`` like ``torch.nn.functional``)."""

from gradkit.nn.functional.activation import *  # noqa: F403
from gradkit.nn.functional.activation import __all__ as _activation_all
from gradkit.nn.functional.layers import *  # noqa: F403
from gradkit.nn.functional.layers import __all__ as _layers_all
from gradkit.nn.functional.loss import *  # noqa: F403
from gradkit.nn.functional.loss import __all__ as _loss_all

__all__ = [*_activation_all, *_layers_all, *_loss_all]
