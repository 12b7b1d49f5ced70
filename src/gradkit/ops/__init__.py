"""Differentiable primitives, grouped by kind, and the Tensor methods that call them."""

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
    unsqueeze,
)
from gradkit.tensor import Tensor

cat = concatenate

__all__ = [
    "abs", "add", "argmax", "argmin", "broadcast_to", "cat", "chunk", "clip", "concatenate",
    "cos", "div", "exp", "expand", "flatten", "getitem", "log", "log1p", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg", "pad",
    "permute", "pow", "relu", "reshape", "sigmoid", "sin", "softmax", "split", "sqrt",
    "squeeze", "stack", "std", "sub", "sum", "swapaxes", "tanh", "transpose", "unsqueeze",
    "var", "where",
]  # fmt: skip


def _compare(ufunc):
    def method(self, other):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor(ufunc(self.data, other))

    return method


def _reflected(fn):
    return lambda self, other: fn(lift(other, self), self)


def _install_methods() -> None:
    """Attach operators and methods to Tensor (kept here so tensor.py stays the engine)."""
    methods = {
        "__add__": add,
        "__radd__": _reflected(add),
        "__sub__": sub,
        "__rsub__": _reflected(sub),
        "__mul__": mul,
        "__rmul__": _reflected(mul),
        "__truediv__": div,
        "__rtruediv__": _reflected(div),
        "__pow__": pow,
        "__rpow__": _reflected(pow),
        "__matmul__": matmul,
        "__rmatmul__": _reflected(matmul),
        "__neg__": neg,
        "__pos__": lambda self: self,
        "__abs__": abs,
        "__getitem__": getitem,
        "__eq__": _compare(xp.equal),
        "__ne__": _compare(xp.not_equal),
        "__lt__": _compare(xp.less),
        "__le__": _compare(xp.less_equal),
        "__gt__": _compare(xp.greater),
        "__ge__": _compare(xp.greater_equal),
        "add": add,
        "sub": sub,
        "mul": mul,
        "div": div,
        "pow": pow,
        "matmul": matmul,
        "neg": neg,
        "exp": exp,
        "log": log,
        "log1p": log1p,
        "sqrt": sqrt,
        "abs": abs,
        "sin": sin,
        "cos": cos,
        "sigmoid": sigmoid,
        "tanh": tanh,
        "relu": relu,
        "maximum": maximum,
        "minimum": minimum,
        "clip": clip,
        "clamp": clip,
        "sum": sum,
        "mean": mean,
        "var": var,
        "std": std,
        "max": max,
        "min": min,
        "logsumexp": logsumexp,
        "argmax": argmax,
        "argmin": argmin,
        "softmax": softmax,
        "log_softmax": log_softmax,
        "reshape": reshape,
        "view": reshape,
        "flatten": flatten,
        "transpose": transpose,
        "permute": permute,
        "swapaxes": swapaxes,
        "expand": expand,
        "broadcast_to": broadcast_to,
        "squeeze": squeeze,
        "unsqueeze": unsqueeze,
        "split": split,
        "chunk": chunk,
        "pad": pad,
    }
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(lambda self: permute(self))


_install_methods()
