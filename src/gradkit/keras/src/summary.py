"""``model.summary()`` in Keras 3's layout, character for character (plain text, as Keras
prints when ``print_fn`` is given or output is not a terminal).

The table is drawn like ``rich``'s ``HEAVY_HEAD`` box with lines between rows. Column
widths follow Keras: ``line_length`` defaults to 88 (108 with a "Connected to"
column for non-sequential graphs), capped at the terminal width − 4; ``positions``
give each column's right edge as a fraction; rich then removes the excess (padding
included) evenly from the columns, as its ``ratio_reduce`` does.
"""

from __future__ import annotations

import math
import shutil

import numpy as np

from gradkit.keras.src import tree
from gradkit.keras.src.serialization import registered_objects


def _count(weights) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def _memory(weights) -> float:
    seen = {id(w): w for w in weights}.values()
    return float(sum(math.prod(w.shape) * np.dtype(w.dtype).itemsize for w in seen))


def readable_memory_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def format_layer_shape(layer) -> str:
    if layer._inbound_nodes:
        node = layer._inbound_nodes[-1]
        shapes = tree.map_structure(lambda t: _shape_text(t.shape), node.output_structure)
    elif layer._build_shapes_dict:
        try:
            if type(layer).compute_output_shape is not _base_compute_output_shape():
                out = layer.compute_output_shape(**layer._build_shapes_dict)
                shapes = tree.map_shape_structure(_shape_text, out)
            elif layer.__dict__.get("_eager_output_shapes") is not None:
                shapes = tree.map_shape_structure(_shape_text, layer._eager_output_shapes)
            else:
                return "?"
        except (NotImplementedError, TypeError, ValueError):
            return "?"
    else:
        return "?"
    flat = tree.flatten(shapes)
    if len(flat) == 1:
        return flat[0]
    return str(shapes).replace("'", "")


def _base_compute_output_shape():
    from gradkit.keras.src.layer import Layer

    return Layer.compute_output_shape


def _ratio_reduce(total: int, ratios: list, maximums: list, values: list) -> list:
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, out = total, []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _ratio_distribute(total: int, ratios: list) -> list:
    total_ratio, remaining, out = sum(ratios), total, []
    for ratio in ratios:
        share = math.ceil(ratio * remaining / total_ratio) if total_ratio > 0 else remaining
        out.append(share)
        total_ratio -= ratio
        remaining -= share
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at spaces; a word longer than ``width`` gets a line of its own,
    cut with an ellipsis (rich's default ``overflow="ellipsis"``)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            if len(word) > width:
                if current:
                    lines.append(current)
                lines.append(word[: width - 1] + "…")
                current = ""
                continue
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= width:
                current = candidate
            else:
                lines.append(current)
                current = word
        if current or not lines:
            lines.append(current)
    return lines or [""]


def render_table(header, rows, widths, justify) -> list[str]:
    """Lines of a HEAVY_HEAD box table with a separator between rows."""
    inner = [w - 2 for w in widths]

    def cells(values) -> list[str]:
        wrapped = [_wrap(v, w) for v, w in zip(values, inner)]
        height = max(len(c) for c in wrapped)
        lines = []
        for i in range(height):
            parts = []
            for col, w, just in zip(wrapped, inner, justify):
                text = col[i] if i < len(col) else ""
                if just == "right":
                    text = text.rjust(w)
                elif just == "center":
                    left = (w - len(text)) // 2
                    text = " " * left + text + " " * (w - len(text) - left)
                else:
                    text = text.ljust(w)
                parts.append(" " + text + " ")
            lines.append(parts)
        return lines

    out = ["┏" + "┳".join("━" * w for w in widths) + "┓"]
    out += ["┃" + "┃".join(p) + "┃" for p in cells(header)]
    out.append("┡" + "╇".join("━" * w for w in widths) + "┩")
    for i, row in enumerate(rows):
        out += ["│" + "│".join(p) + "│" for p in cells(row)]
        if i < len(rows) - 1:
            out.append("├" + "┼".join("─" * w for w in widths) + "┤")
    out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    return out


def _column_widths(line_length: int, positions: list) -> list[int]:
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    padded = [w + 2 for w in widths]
    max_width = line_length - (len(widths) + 1)
    total = sum(padded)
    if total > max_width:
        padded = _ratio_reduce(total - max_width, [1] * len(padded), padded, padded)
    elif total < max_width:
        padded = [w + p for w, p in zip(padded, _ratio_distribute(max_width - total, padded))]
    return padded


def _model_classes():
    """``(Functional, Sequential)``, as registered by ``model`` (which imports this
    module)."""
    classes = registered_objects("models")
    return classes["Functional"], classes["Sequential"]


def _sequential_like(model) -> bool:
    Functional, Sequential = _model_classes()  # noqa: N806

    if isinstance(model, Sequential) or not isinstance(model, Functional):
        return True
    nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and
                                    len(depth_nodes[0].input_tensors) > 1):  # fmt: skip
            return False
        nodes += depth_nodes
    for layer in model.layers:
        seen = False
        for node in layer._inbound_nodes:
            if node in nodes:
                if seen:
                    return False
                seen = True
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False, layer_range=None) -> None:  # fmt: skip
    Functional, _ = _model_classes()  # noqa: N806

    graph = isinstance(model, Functional)
    layers = list(model._operations) if graph else list(model.layers)
    sequential_like = _sequential_like(model)
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
    relevant = [n for v in getattr(model, "_nodes_by_depth", {}).values() for n in v]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    widths = _column_widths(line_length, positions)

    def connections(layer) -> str:
        text = ""
        for node in layer._inbound_nodes:
            if relevant and node not in relevant:
                continue
            for tensor in node.input_tensors:
                history = tensor._keras_history
                if text:
                    text += ", "
                text += f"{history.operation.name}[{history.node_index}][{history.tensor_index}]"
        return text or "-"

    def fields(layer, prefix=""):
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", format_layer_shape(layer),
               params]  # fmt: skip
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def rows_of(layer, level=0):
        prefix = "   " * level + "└ " if level else ""
        out = [fields(layer, prefix)]
        if expand_nested and getattr(layer, "layers", None):
            for sub in layer.layers:
                out.extend(rows_of(sub, level + 1))
        return out

    start, stop = _layer_range(layers, layer_range)
    rows = [row for layer in layers[start:stop] for row in rows_of(layer)]
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    counts = [_count(trainable), _count(non_trainable)]
    sizes = [_memory(trainable), _memory(non_trainable)]
    optimizer = getattr(model, "optimizer", None)
    opt_built = bool(
        getattr(model, "compiled", False)
        and optimizer is not None
        and getattr(optimizer, "built", False)
        and hasattr(optimizer, "variables")
    )
    opt_count = _count(optimizer.variables) if opt_built else 0
    opt_size = _memory(optimizer.variables) if opt_built else 0.0
    console = shutil.get_terminal_size().columns  # rich crops the table to the console
    table = [line[:console] for line in render_table(header, rows, widths, justify)]
    lines = [f'Model: "{model.name}"', *table]
    lines.append(f" Total params: {sum(counts) + opt_count:,} "
                 f"({readable_memory_size(sum(sizes) + opt_size)})")  # fmt: skip
    lines.append(f" Trainable params: {counts[0]:,} ({readable_memory_size(sizes[0])})")
    lines.append(f" Non-trainable params: {counts[1]:,} ({readable_memory_size(sizes[1])})")
    if opt_built:
        lines.append(f" Optimizer params: {opt_count:,} ({readable_memory_size(opt_size)})")
    text = "\n".join(lines) + "\n"
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)


def _layer_range(layers, layer_range) -> tuple[int, int]:
    import re

    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(x, str) for x in layer_range):
        raise ValueError(
            f"layer_range must be a list or tuple of two strings. Received: {layer_range}"
        )
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(
            f"Passed layer_names do not match the layer names in the model. Received: {layer_range}"
        )
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1
