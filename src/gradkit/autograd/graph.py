"""Printing the computational graph that produced a tensor (concept T-GRAPH)."""

from __future__ import annotations

from gradkit.autograd.function import Node, OutputOf
from gradkit.autograd.function import TensorBase as Tensor


def _real(item):
    """A multi-output node's output edge stands for the node itself."""
    return item.node if isinstance(item, OutputOf) else item


def _leaf_label(t: Tensor) -> str:
    name = getattr(t, "name", None)
    prefix = f"{name} " if name else ""
    return f"{prefix}leaf {tuple(t.shape)} {t.dtype.name}"


def graph_str(t: Tensor) -> str:
    """The graph behind ``t`` as an indented tree, outputs first.

    Op nodes print as ``MulBackward``; leaves print their name (if set), shape and
    dtype; a node reached a second time prints ``(shared, see above)``.

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.tensor([1.0, 2.0], requires_grad=True)
    >>> print(gk.autograd.graph_str((x * x).sum()))
    SumBackward
    └── MulBackward
        ├── leaf (2,) float32
        └── leaf (2,) float32
    """
    if t._node is None:
        return _leaf_label(t) if t.requires_grad else f"constant {tuple(t.shape)}"
    root = _real(t._node)
    lines = [root.name]
    seen = {id(root)}
    stack = [(_real(child), "", i == len(root.inputs) - 1) for i, child in enumerate(root.inputs)]
    stack.reverse()
    while stack:
        item, indent, last = stack.pop()
        branch = "└── " if last else "├── "
        if item is None:
            lines.append(f"{indent}{branch}(no grad)")
            continue
        if isinstance(item, Tensor):
            lines.append(f"{indent}{branch}{_leaf_label(item)}")
            continue
        if id(item) in seen:
            lines.append(f"{indent}{branch}{item.name} (shared, see above)")
            continue
        seen.add(id(item))
        lines.append(f"{indent}{branch}{item.name}")
        child_indent = indent + ("    " if last else "│   ")
        children = list(item.inputs)
        for i in reversed(range(len(children))):
            stack.append((_real(children[i]), child_indent, i == len(children) - 1))
    return "\n".join(lines)


def print_graph(t: Tensor) -> None:
    """Print :func:`graph_str` of ``t``."""
    print(graph_str(t))


def count_nodes(t: Tensor) -> int:
    """Number of op nodes in the graph behind ``t``."""
    if t._node is None:
        return 0
    seen, stack = set(), [_real(t._node)]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(_real(c) for c in node.inputs if isinstance(c, (Node, OutputOf)))
    return len(seen)
