"""Predicates, logical and bitwise ops (no gradients): isnan/isinf/isfinite, isclose,
allclose, equal, logical_and/or/xor/not, bitwise_and/or/xor/not and the shifts, and the
operators ``&``, ``|``, ``^``, ``~``, ``<<``, ``>>`` on bool and integer tensors.

Bitwise ops follow PyTorch: operands are promoted with its rules (``bool & 1`` is
int64, ``int32 | 2`` stays int32), and floating-point tensors are refused with a clear
error rather than reinterpreted.
"""

from __future__ import annotations

from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor as _new_tensor
from gradkit.backend import result_type, xp


def _array(x):
    return x._data if isinstance(x, Tensor) else xp.asarray(x)


def _bool_result(name: str, fn, *operands) -> Tensor:
    try:
        return _new_tensor(xp.asarray(fn(*operands)))
    except ValueError:
        shapes = ", ".join(str(tuple(xp.shape(o))) for o in operands)
        raise ValueError(f"{name}: shapes {shapes} are not broadcastable") from None


# ---------------------------------------------------------------- predicates
def isnan(x: Tensor) -> Tensor:
    """A bool tensor: True where x is NaN (never for integer tensors)."""
    return _new_tensor(xp.asarray(xp.isnan(_array(x))))


def isinf(x: Tensor) -> Tensor:
    """A bool tensor: True where x is +∞ or −∞."""
    return _new_tensor(xp.asarray(xp.isinf(_array(x))))


def isposinf(x: Tensor) -> Tensor:
    return _new_tensor(xp.asarray(xp.isposinf(_array(x))))


def isneginf(x: Tensor) -> Tensor:
    return _new_tensor(xp.asarray(xp.isneginf(_array(x))))


def isfinite(x: Tensor) -> Tensor:
    """A bool tensor: True where x is neither NaN nor ±∞."""
    return _new_tensor(xp.asarray(xp.isfinite(_array(x))))


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """A bool tensor: |a − b| ≤ atol + rtol·|b| element-wise (equal infinities count as
    close; NaNs only with ``equal_nan``), as ``torch.isclose``."""
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol ({rtol}) and atol ({atol}) must be non-negative")
    dtype = result_type(a, b)
    if dtype.kind == "b":  # True/False count as 1/0 against the tolerances, as in PyTorch
        dtype = xp.dtype(xp.int64)
    x, y = _array(a).astype(dtype, copy=False), _array(b).astype(dtype, copy=False)
    return _bool_result("isclose", lambda u, v: xp.isclose(u, v, rtol, atol, equal_nan), x, y)


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether every element of a is close to b's (:func:`isclose`), as a Python bool."""
    return bool(isclose(a, b, rtol, atol, equal_nan)._data.all())


def equal(a: Tensor, b: Tensor) -> bool:
    """True if a and b have the same shape and the same elements (``torch.equal``)."""
    x, y = _array(a), _array(b)
    return x.shape == y.shape and bool(xp.equal(x, y).all())


# ---------------------------------------------------------------- logical ops
def logical_and(a, b) -> Tensor:
    """Element-wise a ∧ b, nonzero counting as True; a bool tensor."""
    return _bool_result("logical_and", xp.logical_and, _array(a), _array(b))


def logical_or(a, b) -> Tensor:
    """Element-wise a ∨ b, nonzero counting as True; a bool tensor."""
    return _bool_result("logical_or", xp.logical_or, _array(a), _array(b))


def logical_xor(a, b) -> Tensor:
    """Element-wise a ⊕ b, nonzero counting as True; a bool tensor."""
    return _bool_result("logical_xor", xp.logical_xor, _array(a), _array(b))


def logical_not(x) -> Tensor:
    """Element-wise ¬x (True where x is zero); a bool tensor."""
    return _new_tensor(xp.asarray(xp.logical_not(_array(x))))


# ---------------------------------------------------------------- bitwise ops
def _integral(name: str, *operands, bool_ok: bool = True):
    """The operands as arrays of their promoted bool or integer dtype."""
    dtype = result_type(*operands)
    if dtype.kind not in ("biu" if bool_ok else "iu"):
        kinds = "integer and bool" if bool_ok else "integer"
        raise TypeError(f"{name} is only implemented on {kinds} tensors, got {dtype.name}")
    return [_array(o).astype(dtype, copy=False) for o in operands]


def _bitwise(name: str, ufunc, bool_ok: bool = True):
    def op(a, b) -> Tensor:
        x, y = _integral(name, a, b, bool_ok=bool_ok)
        try:
            return _new_tensor(xp.asarray(ufunc(x, y)))
        except ValueError:
            raise ValueError(
                f"{name}: shapes {tuple(x.shape)} and {tuple(y.shape)} are not broadcastable"
            ) from None

    op.__name__ = name
    op.__doc__ = f"Element-wise ``{name}`` of bool or integer tensors (``torch.{name}``)."
    return op


bitwise_and = _bitwise("bitwise_and", xp.bitwise_and)
bitwise_or = _bitwise("bitwise_or", xp.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", xp.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", xp.left_shift, bool_ok=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", xp.right_shift, bool_ok=False)


def bitwise_not(x: Tensor) -> Tensor:
    """Element-wise ¬x: logical not for bool tensors, ~x = −x − 1 for integers."""
    (a,) = _integral("bitwise_not", x)
    return _new_tensor(xp.asarray(xp.invert(a)))


# ---------------------------------------------------------------- the operators
def invert(x: Tensor) -> Tensor:
    """``~x`` on a bool or integer tensor."""
    if x._data.dtype.kind not in "biu":
        raise TypeError(
            f"~ (operator.invert) is only implemented on integer and bool tensors, got "
            f"{x.dtype}; for a mask use (x == 0) or logical_not"
        )
    return bitwise_not(x)


def _operator(fn):
    def forward(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return fn(self, other)

    def reflected(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return fn(other, self)

    return forward, reflected


_OPERANDS = (Tensor, bool, int, xp.integer, xp.bool_, xp.ndarray)
and_, rand = _operator(bitwise_and)
or_, ror = _operator(bitwise_or)
xor, rxor = _operator(bitwise_xor)
lshift, rlshift = _operator(bitwise_left_shift)
rshift, rrshift = _operator(bitwise_right_shift)


# ---------------------------------------------------------------- in place (&=, |=, ...)
def _bitwise_inplace(name: str, op, ufunc):
    def method(self: Tensor, other) -> Tensor:
        from gradkit.ops import inplace as _ip

        _integral(name, self, other)  # refuses floating-point operands first

        def fast(a):
            ufunc(a, _array(other), out=a)

        return _ip.inplace(self, name, lambda t: op(t, other), fast, (other,))

    method.__name__ = name
    method.__doc__ = f"In-place ``{name[:-1]}`` (the tensor keeps its dtype)."
    return method


bitwise_and_ = _bitwise_inplace("bitwise_and_", bitwise_and, xp.bitwise_and)
bitwise_or_ = _bitwise_inplace("bitwise_or_", bitwise_or, xp.bitwise_or)
bitwise_xor_ = _bitwise_inplace("bitwise_xor_", bitwise_xor, xp.bitwise_xor)
bitwise_left_shift_ = _bitwise_inplace("bitwise_left_shift_", bitwise_left_shift, xp.left_shift)
bitwise_right_shift_ = _bitwise_inplace("bitwise_right_shift_", bitwise_right_shift, xp.right_shift)
