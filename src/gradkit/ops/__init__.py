"""Differentiable primitives, grouped by kind (the Tensor methods that call them are
listed in :mod:`gradkit.tensor`)."""

from __future__ import annotations

from gradkit.backend import xp
from gradkit.ops.elementwise import (
    abs,
    add,
    clip,
    cos,
    div,
    exp,
    lift,
    log,
    log1p,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sin,
    sqrt,
    sub,
    tanh,
    where,
)
from gradkit.ops.linalg import matmul
from gradkit.ops.nn import log_softmax, softmax
from gradkit.ops.reduce import (
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    std,
    sum,
    var,
)
from gradkit.ops.shape import (
    broadcast_to,
    chunk,
    concatenate,
    expand,
    flatten,
    getitem,
    pad,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    swapaxes,
    transpose,
    unbind,
    unsqueeze,
)

cat = concatenate

__all__ = [
    "abs", "add", "argmax", "argmin", "broadcast_to", "cat", "chunk", "clip", "concatenate",
    "cos", "div", "exp", "expand", "flatten", "getitem", "log", "log1p", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg", "pad",
    "permute", "pow", "relu", "reshape", "sigmoid", "sin", "softmax", "split", "sqrt",
    "squeeze", "stack", "std", "sub", "sum", "swapaxes", "tanh", "transpose", "unbind",
    "unsqueeze", "var", "where",
]  # fmt: skip
