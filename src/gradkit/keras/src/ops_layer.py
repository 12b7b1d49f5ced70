"""Arithmetic on symbolic tensors: ``x + y``, ``2 * x``, ``x[:, 0]`` on KerasTensors
record a :class:`TensorOp` layer in the functional graph, as Keras records operations."""

from __future__ import annotations

import numpy as np

from gradkit.keras.src.keras_tensor import SYMBOLIC_OPS, KerasTensor
from gradkit.keras.src.layer import Layer

_OPS = {
    "add": lambda a, b: a + b,
    "radd": lambda a, b: b + a,
    "sub": lambda a, b: a - b,
    "rsub": lambda a, b: b - a,
    "mul": lambda a, b: a * b,
    "rmul": lambda a, b: b * a,
    "truediv": lambda a, b: a / b,
    "rtruediv": lambda a, b: b / a,
    "pow": lambda a, b: a**b,
    "matmul": lambda a, b: a @ b,
    "neg": lambda a, b: -a,
    "abs": lambda a, b: a.abs(),
    "getitem": lambda a, key: a[key],
}
_NAMES = {"add": "add", "radd": "add", "sub": "subtract", "rsub": "subtract", "mul": "multiply"}
_NAMES.update({"rmul": "multiply", "truediv": "divide", "rtruediv": "divide", "pow": "power"})
_NAMES.update({"matmul": "matmul", "neg": "negative", "abs": "absolute", "getitem": "get_item"})


def _encode_key(key):
    if isinstance(key, tuple):
        return {"tuple": [_encode_key(k) for k in key]}
    if isinstance(key, slice):
        return {"slice": [key.start, key.stop, key.step]}
    if key is Ellipsis:
        return {"ellipsis": True}
    if isinstance(key, np.ndarray):
        return {"array": key.tolist()}
    return key


def _decode_key(key):
    if isinstance(key, dict):
        if "tuple" in key:
            return tuple(_decode_key(k) for k in key["tuple"])
        if "slice" in key:
            return slice(*key["slice"])
        if "ellipsis" in key:
            return Ellipsis
        if "array" in key:
            return np.asarray(key["array"])
    return key


class TensorOp(Layer):
    """One arithmetic operation of a functional graph (``op`` names it); a non-tensor
    operand is kept as ``constant``."""

    def __init__(self, op: str, constant=None, **kwargs) -> None:
        if op not in _OPS:
            raise ValueError(f"Unknown tensor operation {op!r}; valid: {', '.join(_OPS)}")
        kwargs.setdefault("name", None)
        if kwargs["name"] is None:
            from gradkit.keras.src.backend import uniquify

            kwargs["name"] = uniquify(_NAMES[op])
        super().__init__(**kwargs)
        self.op = op
        self.constant = _decode_key(constant) if op == "getitem" else constant
        self._build_at_init()

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            a, b = inputs
        else:
            a, b = inputs, self.constant
        return _OPS[self.op](a, b)

    def get_config(self) -> dict:
        config = super().get_config()
        constant = self.constant
        if self.op == "getitem":
            constant = _encode_key(constant)
        elif isinstance(constant, np.ndarray):
            constant = constant.tolist()
        config.update({"op": self.op, "constant": constant})
        return config


def symbolic_op(op: str, x: KerasTensor, other=None, key=None):
    if op == "getitem":
        return TensorOp(op, constant=key)(x)
    if isinstance(other, KerasTensor):
        return TensorOp(op)([x, other])
    return TensorOp(op, constant=other)(x)


SYMBOLIC_OPS["record"] = symbolic_op
