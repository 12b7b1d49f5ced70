"""Predicates, logical and bitwise ops (concept T-TENSOR): dtype promotion of every
bitwise op and operator (reflected and in place), shifts refusing bool, clear errors for
floats and shapes that do not broadcast, ``isclose`` options on integer and bool
tensors — against PyTorch. The op factories run at import time, so they are also
rebuilt here (a test that only uses the built ops cannot see a fault in the factory).
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops import logical

torch = pytest.importorskip("torch")

I64 = np.array([5, -3, 0, 12])
I32 = np.array([3, 6, 1, 2], dtype=np.int32)
U8 = np.array([1, 2, 250, 7], dtype=np.uint8)
B = np.array([True, False, True, False])

OPERANDS = {"i64": I64, "i32": I32, "u8": U8, "b": B, "int": 3, "true": True}
BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor"]
SHIFTS = ["bitwise_left_shift", "bitwise_right_shift"]


def _lib_operand(lib, name):
    v = OPERANDS[name]
    return lib.tensor(v) if isinstance(v, np.ndarray) else v


def _pairs(names):
    return [(a, b) for a in names for b in names if a not in ("int", "true")]


@pytest.mark.parametrize("a, b", _pairs(["i64", "i32", "u8", "b", "int", "true"]))
@pytest.mark.parametrize("name", BITWISE)
def test_t_tensor_bitwise_promotion_matches_torch(name, a, b):
    x, y = _lib_operand(gk, a), _lib_operand(gk, b)
    want = getattr(torch, name)(_lib_operand(torch, a), _lib_operand(torch, b))
    for fn in (getattr(gk, name), logical._bitwise(name, getattr(np, name))):
        got = fn(x, y)
        assert str(got.dtype) == str(want.dtype)[6:]
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("a, b", [("i64", "i32"), ("i32", "int"), ("u8", "u8"), ("i64", "int")])
@pytest.mark.parametrize("name", SHIFTS)
def test_t_tensor_shifts_match_torch(name, a, b):
    ufunc = np.left_shift if "left" in name else np.right_shift
    x, y = _lib_operand(gk, a), _lib_operand(gk, b)
    want = getattr(torch, name)(_lib_operand(torch, a), _lib_operand(torch, b) % 4)
    for fn in (getattr(gk, name), logical._bitwise(name, ufunc, bool_ok=False)):
        got = fn(x, y % 4)
        assert str(got.dtype) == str(want.dtype)[6:]
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_t_tensor_factories_name_their_ops_and_refuse_what_torch_refuses():
    shift = logical._bitwise("bitwise_left_shift", np.left_shift, bool_ok=False)
    assert shift.__name__ == "bitwise_left_shift" and "bitwise_left_shift" in shift.__doc__
    with pytest.raises(TypeError, match="^bitwise_left_shift is only implemented on integer "):
        shift(gk.tensor(B), True)
    with pytest.raises(TypeError, match="^bitwise_or is only implemented on integer and bool"):
        logical._bitwise("bitwise_or", np.bitwise_or)(gk.tensor([1.5]), 1)
    with pytest.raises(ValueError, match="^bitwise_xor: shapes \\(4,\\) and \\(3,\\) are not"):
        logical._bitwise("bitwise_xor", np.bitwise_xor)(gk.tensor(I64), gk.tensor(I64[:3]))
    for lib in (gk, torch):
        with pytest.raises((TypeError, RuntimeError)):
            lib.bitwise_left_shift(lib.tensor(B), True)


def test_t_tensor_operators_and_reflected_operators():
    forward, reflected = logical._operator(logical.bitwise_or)
    t = gk.tensor(I64)
    assert forward(t, 2).tolist() == (I64 | 2).tolist()
    assert reflected(t, np.int64(8)).tolist() == (8 | I64).tolist()
    assert forward(t, 1.5) is NotImplemented and reflected(t, "a") is NotImplemented
    for lib in (gk, torch):
        x = lib.tensor(I64)
        assert (6 & x).tolist() == (6 & I64).tolist()
        assert (6 ^ x).tolist() == (6 ^ I64).tolist()
        assert (1 << lib.tensor([1, 2])).tolist() == [2, 4]
        assert (64 >> lib.tensor([1, 2])).tolist() == [32, 16]
        assert (x >> 1).tolist() == (I64 >> 1).tolist()
    with pytest.raises(TypeError):
        gk.tensor(I64) & 1.5
    with pytest.raises(TypeError):
        "a" | gk.tensor(I64)


@pytest.mark.parametrize(
    "name, other",
    [("bitwise_and_", 6), ("bitwise_or_", 8), ("bitwise_xor_", 5), ("bitwise_left_shift_", 2),
     ("bitwise_right_shift_", 1), ("bitwise_xor_", "i32")],
)  # fmt: skip
def test_t_tensor_inplace_bitwise_ops_match_torch(name, other):
    res = []
    for lib in (gk, torch):
        x = lib.tensor(I64.copy())
        view = x[1:]
        o = lib.tensor(I32) if other == "i32" else other
        out = getattr(x, name)(o)
        assert out is x and str(x.dtype).endswith("int64")
        res.append((x.tolist(), view.tolist()))
    assert res[0] == res[1]
    ufunc = {"bitwise_and_": np.bitwise_and, "bitwise_xor_": np.bitwise_xor}.get(name)
    if ufunc is not None:  # the factory, rebuilt
        method = logical._bitwise_inplace(name, getattr(logical, name[:-1]), ufunc)
        x = gk.tensor(I64.copy())
        method(x, gk.tensor(I32) if other == "i32" else other)
        assert x.tolist() == res[1][0] and method.__name__ == name


def test_t_tensor_inplace_bitwise_refuses_floats_and_records_on_non_leaves():
    with pytest.raises(TypeError, match="bitwise_and_ is only implemented"):
        gk.tensor(I64).bitwise_and_(gk.tensor([1.5, 2.0, 3.0, 4.0]))
    with pytest.raises(TypeError, match="bitwise_or_ is only implemented"):
        gk.tensor([1.0, 2.0]).bitwise_or_(1)


def test_t_tensor_predicates_on_integers_bools_and_lists():
    for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf"):
        for data in (I64, B):
            got = getattr(gk, name)(gk.tensor(data))
            want = getattr(torch, name)(torch.tensor(data))
            assert got.dtype == np.bool_ and got.tolist() == want.tolist()
    x = np.array([1.0, np.inf, -np.inf, np.nan])
    assert gk.isposinf(gk.tensor(x)).tolist() == [False, True, False, False]
    assert gk.isneginf(gk.tensor(x)).tolist() == [False, False, True, False]
    assert gk.logical_not(gk.tensor(I64)).tolist() == torch.logical_not(torch.tensor(I64)).tolist()


@pytest.mark.parametrize(
    "a, b, kw",
    [
        (I64, I64 + 1, {}),
        (I64, I64 + 1, {"atol": 1.0}),
        (I64, I64 * 2, {"rtol": 0.6}),
        (B, B[::-1].copy(), {}),
        (B, np.ones(4, dtype=bool), {"atol": 5.0}),
        (B, np.zeros(4, dtype=bool), {"atol": 0.5}),
        (B, np.zeros(4, dtype=bool), {"rtol": 2.0}),
        (np.array([np.nan, 1.0]), np.array([np.nan, 1.0 + 1e-6]), {"equal_nan": True, "rtol": 0}),
        (np.array([np.inf, -np.inf]), np.array([np.inf, np.inf]), {}),
    ],
)
def test_t_tensor_isclose_allclose_on_every_dtype_match_torch(a, b, kw):
    got = gk.isclose(gk.tensor(a), gk.tensor(b), **kw)
    want = torch.isclose(torch.tensor(a), torch.tensor(b), **kw)
    assert got.dtype == np.bool_ and got.tolist() == want.tolist()
    assert gk.allclose(gk.tensor(a), gk.tensor(b), **kw) == torch.allclose(
        torch.tensor(a), torch.tensor(b), **kw
    )


def test_t_tensor_logical_errors_name_the_op():
    a, b = gk.tensor(I64), gk.tensor(I64[:3])
    for name in ("logical_and", "logical_or", "logical_xor", "isclose"):
        with pytest.raises(ValueError, match=f"^{name}: shapes \\(4,\\), \\(3,\\) are not"):
            getattr(gk, name)(a, b)
    with pytest.raises(ValueError, match="must be non-negative"):
        gk.isclose(a, a, atol=-1.0)
    with pytest.raises(TypeError, match="operator.invert"):
        ~gk.tensor([1.0])
    assert not gk.equal(gk.tensor(I64), gk.tensor(I64[:3]))
    assert gk.equal(gk.tensor(I64), I64.tolist())


def test_t_tensor_rebuilt_inplace_factory_checks_and_names():
    """The in-place factory, rebuilt: it refuses floats on either side naming the op,
    names the op when the result cannot be stored, and documents the out-of-place op."""
    method = logical._bitwise_inplace("bitwise_and_", logical.bitwise_and, np.bitwise_and)
    assert method.__name__ == "bitwise_and_"
    assert method.__doc__ == "In-place ``bitwise_and`` (the tensor keeps its dtype)."
    msg = "^bitwise_and_ is only implemented on integer and bool tensors, got float"
    with pytest.raises(TypeError, match=msg):
        method(gk.tensor(I64), gk.tensor([1.5, 2.0, 3.0, 4.0]))
    with pytest.raises(TypeError, match=msg):
        method(gk.tensor([1.5, 2.0]), 1)
    with pytest.raises(RuntimeError, match="^bitwise_and_: the result cannot be stored"):
        method(gk.tensor(B), gk.tensor(I64))
    for lib in (gk, torch):
        with pytest.raises(RuntimeError):
            lib.tensor(B).bitwise_and_(lib.tensor(I64))


def test_t_tensor_integer_only_messages():
    with pytest.raises(
        TypeError, match="^bitwise_left_shift is only implemented on integer tensors"
    ):
        gk.bitwise_left_shift(gk.tensor(B), True)
    with pytest.raises(TypeError, match="^bitwise_not is only implemented on integer and bool"):
        gk.bitwise_not(gk.tensor([1.5]))


def test_t_tensor_isclose_compares_in_the_promoted_dtype():
    """float64 against float32 compares in float64 (NumPy's isclose as the oracle;
    PyTorch refuses mixed dtypes here)."""
    a, b = np.array([1.0 + 1e-9, 2.0]), np.array([1.0, 2.0], dtype=np.float32)
    want = np.isclose(a, b, rtol=0, atol=0)
    assert want.tolist() == [False, True]
    assert gk.isclose(gk.tensor(a), gk.tensor(b), rtol=0, atol=0).tolist() == want.tolist()
    assert gk.isclose(gk.tensor(b), gk.tensor(a), rtol=0, atol=0).tolist() == want.tolist()
