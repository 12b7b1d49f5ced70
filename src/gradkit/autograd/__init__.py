"""Autograd: the engine (Function, Node, the backward walk), ``grad``/``backward``,
grad mode, gradient checking and graph inspection (PyTorch's ``torch.autograd`` names)."""

from gradkit.autograd import functional
from gradkit.autograd.function import Context, Function, Node
from gradkit.autograd.grad import backward, grad
from gradkit.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from gradkit.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from gradkit.autograd.graph import count_nodes, graph_str, print_graph
from gradkit.autograd.variable import Variable

__all__ = [
    "Context", "Function", "GradcheckError", "Node", "backward", "count_nodes", "enable_grad",
    "functional", "grad", "gradcheck", "gradgradcheck", "graph_str", "inference_mode",
    "is_grad_enabled",
    "no_grad", "print_graph", "set_grad_enabled", "Variable",
]  # fmt: skip
