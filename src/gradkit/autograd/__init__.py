"""Autograd tools: the Function base class, gradient checking and graph inspection."""

from gradkit.autograd.gradcheck import GradcheckError, gradcheck
from gradkit.autograd.graph import count_nodes, graph_str, print_graph
from gradkit.tensor import (
    Context,
    Function,
    Node,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Context", "Function", "GradcheckError", "Node", "count_nodes", "enable_grad",
    "gradcheck", "graph_str", "is_grad_enabled", "no_grad", "print_graph", "set_grad_enabled",
]  # fmt: skip
