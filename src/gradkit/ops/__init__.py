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

# issue 16 slice C: element-wise math, comparisons, logical/bitwise ops, random draws
from gradkit.ops.elementwise import eq, ge, gt, le, lt, ne  # noqa: E402
from gradkit.ops.logical import (  # noqa: E402
    allclose,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    equal,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
)
from gradkit.ops.math import (  # noqa: E402
    acos,
    acosh,
    addcdiv,
    addcmul,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    clamp,
    clamp_max,
    clamp_min,
    copysign,
    cosh,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    float_power,
    heaviside,
    hypot,
    lerp,
    log2,
    log10,
    nan_to_num,
    reciprocal,
    rsqrt,
    sinh,
    square,
    tan,
)
from gradkit.ops.rounding import (  # noqa: E402
    ceil,
    floor,
    floor_divide,
    fmod,
    frac,
    remainder,
    round,
    sgn,
    sign,
    trunc,
)
from gradkit.ops.sampling import bernoulli, multinomial, normal, poisson  # noqa: E402

divide = true_divide = div
multiply = mul
subtract = sub
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
__all__ += [
    "acos", "acosh", "addcdiv", "addcmul", "allclose", "arccos", "arccosh", "arcsin",
    "arcsinh", "arctan", "arctan2", "arctanh", "asin", "asinh", "atan", "atan2", "atanh",
    "bernoulli", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "ceil", "clamp", "clamp_max", "clamp_min",
    "copysign", "cosh", "divide", "eq", "equal", "erf", "erfc", "erfinv", "exp2", "expm1",
    "float_power", "floor", "floor_divide", "fmod", "frac", "ge", "greater",
    "greater_equal", "gt", "heaviside", "hypot", "isclose", "isfinite", "isinf", "isnan",
    "isneginf", "isposinf", "le", "lerp", "less", "less_equal", "log10", "log2",
    "logical_and", "logical_not", "logical_or", "logical_xor", "lt", "multinomial",
    "multiply", "nan_to_num", "ne", "normal", "not_equal", "poisson", "reciprocal",
    "remainder", "round", "rsqrt", "sgn", "sign", "sinh", "square", "subtract", "tan",
    "true_divide", "trunc",
]  # fmt: skip
