"""``Model.summary()``: a Keras-style table of layers, output shapes and parameter counts
(concept NN-CAPACITY)."""

from __future__ import annotations

import numpy as np

from gradkit.nn.module import Module
from gradkit.tensor import Tensor, no_grad


def _count(module: Module, trainable: bool | None = None, recurse: bool = True) -> int:
    total = 0
    for p in module.parameters(recurse=recurse):
        if trainable is None or p.requires_grad == trainable:
            total += int(np.prod(p.shape)) if p._data is not None else 0
    return total


def _leaf_modules(model) -> list[tuple[str, Module]]:
    root = model.module if hasattr(model, "module") and model.module is not None else model
    children = list(root.named_children())
    return children if children else [("", root)]


def summarize(model, input_shape=None) -> str:
    """Render the summary; output shapes come from one forward pass on zeros of
    ``(1, *input_shape)`` when an input shape is known, else they show as ``?``."""
    layers = _leaf_modules(model)
    shapes: dict[int, str] = {}
    if input_shape is None and layers:
        input_shape = _declared_input_shape(layers[0][1])
    if input_shape is not None:
        handles = [
            layer.register_forward_hook(
                lambda mod, inp, out: shapes.__setitem__(id(mod), _shape_text(out))
            )
            for _, layer in layers
        ]
        was_training = model.training
        model.eval()
        try:
            with no_grad():
                model(Tensor(np.zeros((1, *tuple(input_shape)), dtype=np.float32)))
        finally:
            model.train(was_training)
            for h in handles:
                h.remove()
    rows = []
    for name, layer in layers:
        label = f"{name} ({type(layer).__name__})" if name else type(layer).__name__
        rows.append((label, shapes.get(id(layer), "?"), f"{_count(layer):,}"))
    w0 = max(28, *(len(r[0]) + 2 for r in rows))
    w1 = max(20, *(len(r[1]) + 2 for r in rows))
    rule = "_" * (w0 + w1 + 14)
    lines = [f'Model: "{type(model).__name__.lower()}"', rule]
    lines.append(f"{'Layer (type)':<{w0}}{'Output Shape':<{w1}}{'Param #':>14}")
    lines.append("=" * len(rule))
    for label, shape, count in rows:
        lines.append(f"{label:<{w0}}{shape:<{w1}}{count:>14}")
    lines.append("=" * len(rule))
    total, trainable = _count(model), _count(model, True)
    lines.append(f"Total params: {total:,}")
    lines.append(f"Trainable params: {trainable:,}")
    lines.append(f"Non-trainable params: {total - trainable:,}")
    lines.append(rule)
    return "\n".join(lines)


def _declared_input_shape(layer: Module):
    """The Keras-style ``input_shape=`` / ``input_dim=`` a first layer was built with."""
    _, kwargs = getattr(layer, "_init_args", ((), {}))
    if kwargs.get("input_shape") is not None:
        shape = kwargs["input_shape"]
        return (shape,) if isinstance(shape, int) else tuple(shape)
    if kwargs.get("input_dim") is not None:
        return (kwargs["input_dim"],)
    return None


def _shape_text(out) -> str:
    if isinstance(out, Tensor):
        return str((None, *out.shape[1:]))
    if isinstance(out, (tuple, list)):
        return ", ".join(_shape_text(o) for o in out)
    return "?"
