"""Transfer learning helpers (concept NN-TRANSFER): reuse a trained network by loading
its weights (partially), freezing the backbone, replacing the head and fine-tuning.

    backbone = pretrained features (frozen: requires_grad = False, no gradient work)
    head     = a new Linear for the new task (trained)

A frozen parameter gets no ``.grad`` and the convolutions skip its weight gradient
(``ctx.needs_input_grad``), so fine-tuning only the head is also much cheaper.
"""

from __future__ import annotations

from collections.abc import Mapping

from gradkit.nn.linear import Linear
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter


def freeze(module: Module) -> Module:
    """Stop training ``module``: every parameter gets ``requires_grad = False``.

    Batch-norm running statistics still update in ``train()`` mode; call ``module.eval()``
    as well to keep them fixed.
    """
    return module.requires_grad_(False)


def unfreeze(module: Module) -> Module:
    """Train ``module`` again (``requires_grad = True`` for every parameter)."""
    return module.requires_grad_(True)


def trainable_parameters(module: Module) -> list[Parameter]:
    """The parameters that will be trained (``requires_grad``), for the optimizer."""
    return [p for p in module.parameters() if p.requires_grad]


def _head_owner(model: Module) -> tuple[Module, str]:
    """The module holding the last Linear layer of ``model`` and that layer's name."""
    found = None
    for name, sub in model.named_modules():
        if isinstance(sub, Linear):
            found = name
    if found is None:
        raise ValueError(f"{type(model).__name__} has no Linear layer to replace")
    owner_path, _, attr = found.rpartition(".")
    return (model.get_submodule(owner_path) if owner_path else model), attr


def replace_head(model: Module, head: int | Module) -> Module:
    """Swap the last ``Linear`` layer of ``model`` for a new one (in place).

    Parameters
    ----------
    model : Module
        E.g. :class:`~gradkit.models.cnn.LeNet5`, ``VGG`` (last layer of ``classifier``)
        or ``ResNet`` (``fc``).
    head : int or Module
        The number of classes of the new task (a fresh ``Linear(in_features, head)``), or
        the module to put there.

    Returns
    -------
    Module
        The new head (trainable).

    Examples
    --------
    >>> from gradkit.models import LeNet5
    >>> net = LeNet5(num_classes=10)
    >>> replace_head(net, 5)
    Linear(in_features=84, out_features=5, bias=True)
    """
    owner, attr = _head_owner(model)
    old = getattr(owner, attr)
    if isinstance(head, int):
        head = Linear(old.in_features, head, bias=old.bias is not None, dtype=old.weight.dtype)
    setattr(owner, attr, head)
    return head


def load_partial_state_dict(model: Module, state_dict: Mapping) -> tuple[list[str], list[str]]:
    """Load every entry of ``state_dict`` whose name and shape match ``model``; skip the
    rest (a head trained for another number of classes, say).

    ``Module.load_state_dict(strict=False)`` tolerates missing and extra names but, like
    PyTorch, refuses shape mismatches; this drops those first.

    Returns
    -------
    loaded, skipped : list of str
        Names copied into ``model`` and names left out (missing or mismatched).
    """
    own = model.state_dict()
    usable = {
        k: v for k, v in state_dict.items() if k in own and tuple(v.shape) == tuple(own[k].shape)
    }
    model.load_state_dict(usable, strict=False)
    skipped = sorted(set(state_dict) - set(usable))
    return sorted(usable), skipped
