"""PyTorch's pre-0.4 spellings that tutorials still use: ``autograd.Variable`` and the
typed constructors ``LongTensor``, ``FloatTensor``, ... (``isinstance`` checks the dtype,
as in PyTorch)."""

from __future__ import annotations

import numbers

from gradkit.backend import xp
from gradkit.tensor import Tensor


class _TensorType(type):
    """Metaclass of the typed constructors: calling one makes a Tensor of its dtype, and
    ``isinstance(t, gk.FloatTensor)`` is ``t.dtype == float32``."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args) -> Tensor:
        if args and all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
            return Tensor(xp.zeros(tuple(int(a) for a in args), dtype=cls.dtype))  # sizes
        if len(args) == 1:
            data = args[0]._data if isinstance(args[0], Tensor) else args[0]
            return Tensor(xp.asarray(data, dtype=cls.dtype))
        if not args:
            return Tensor(xp.zeros((0,), dtype=cls.dtype))
        raise TypeError(
            f"{cls.__name__}(): pass sizes as ints or one sequence/array of values, got {args!r}"
        )


def _typed(name: str, dtype):
    return _TensorType(name, (), {"dtype": xp.dtype(dtype), "__doc__": f"A {dtype} tensor."})


FloatTensor = _typed("FloatTensor", xp.float32)
DoubleTensor = _typed("DoubleTensor", xp.float64)
HalfTensor = _typed("HalfTensor", xp.float16)
LongTensor = _typed("LongTensor", xp.int64)
IntTensor = _typed("IntTensor", xp.int32)
ShortTensor = _typed("ShortTensor", xp.int16)
CharTensor = _typed("CharTensor", xp.int8)
ByteTensor = _typed("ByteTensor", xp.uint8)
BoolTensor = _typed("BoolTensor", xp.bool_)
