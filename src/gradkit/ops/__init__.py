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
    mean,
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

# issue 16 slice A: reductions, sorting, scans, gathers/scatters
from gradkit.ops import return_types  # noqa: E402
from gradkit.ops.index import (  # noqa: E402
    argwhere,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_select,
    masked_scatter,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    take,
    take_along_dim,
)
from gradkit.ops.order import (  # noqa: E402
    argsort,
    kthvalue,
    max,
    median,
    min,
    mode,
    msort,
    nanmedian,
    sort,
    topk,
)
from gradkit.ops.reduce import (  # noqa: E402
    all,
    amax,
    amin,
    aminmax,
    any,
    count_nonzero,
    nanmean,
    nansum,
)
from gradkit.ops.scan import cumprod, cumsum, logcumsumexp, prod  # noqa: E402

__all__ += [
    "all", "amax", "amin", "aminmax", "any", "argsort", "argwhere", "count_nonzero",
    "cumprod", "cumsum", "gather", "index_add", "index_copy", "index_fill", "index_select",
    "kthvalue", "logcumsumexp", "masked_scatter", "masked_select", "median", "mode", "msort",
    "nanmean", "nanmedian", "nansum", "nonzero", "prod", "return_types", "scatter",
    "scatter_add", "scatter_reduce", "sort", "take", "take_along_dim", "topk",
]  # fmt: skip

# issue 16 slice B: shape ops, indexing rules, linear algebra
from gradkit.ops.decomp import (  # noqa: E402
    cholesky,
    det,
    inv,
    logdet,
    matrix_power,
    slogdet,
)
from gradkit.ops.decomp import inv as inverse  # noqa: E402
from gradkit.ops.decomp import pinv as pinverse  # noqa: E402
from gradkit.ops.diagonals import diag, diag_embed, diagonal, trace, tril, triu  # noqa: E402
from gradkit.ops.layout import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    column_stack,
    dstack,
    flip,
    fliplr,
    flipud,
    hstack,
    meshgrid,
    narrow,
    repeat_interleave,
    roll,
    row_stack,
    tile,
    unflatten,
    vstack,
)
from gradkit.ops.products import (  # noqa: E402
    bmm,
    dot,
    einsum,
    ger,
    inner,
    kron,
    mm,
    mv,
    outer,
    tensordot,
    vdot,
)
from gradkit.ops.shape import moveaxis, movedim  # noqa: E402
from gradkit.ops.shape import swapaxes as swapdims  # noqa: E402

concat = concatenate

__all__ += [
    "atleast_1d", "atleast_2d", "atleast_3d", "bmm", "cholesky", "column_stack", "concat",
    "det", "diag", "diag_embed", "diagonal", "dot", "dstack", "einsum", "flip", "fliplr",
    "flipud", "ger", "hstack", "inner", "inv", "inverse", "kron", "logdet", "matrix_power",
    "meshgrid", "mm", "moveaxis", "movedim", "mv", "narrow", "outer", "pinverse",
    "repeat_interleave", "roll", "row_stack", "slogdet", "swapdims", "tensordot", "tile",
    "trace", "tril", "triu", "unflatten", "vdot", "vstack",
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
