"""Utilities on parameters, with PyTorch's names (``torch.nn.utils``), plus gradient and
activation inspection."""

from gradkit.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from gradkit.nn.utils.inspect import dead_unit_fraction, grad_norms

__all__ = ["clip_grad_norm_", "clip_grad_value_", "dead_unit_fraction", "grad_norms"]
