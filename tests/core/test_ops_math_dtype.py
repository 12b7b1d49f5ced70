"""T-TENSOR, T-HADAMARD, T-AUTODIFF: PyTorch's element-wise math, dtypes and type promotion.

Every differentiable op: float64 gradcheck (first and second order) and PyTorch parity
(forward, gradients under a random upstream gradient, output dtype). Type promotion is
checked against ``torch.result_type`` over a grid of dtypes and operand kinds.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, requires_torch, torch


def _t(name):
    """``torch.<name>``, looked up when called (the table builds without torch)."""
    return lambda *args, **kw: getattr(torch, name)(*args, **kw)


# How each input is drawn: a map from standard normal samples into the op's domain.
DOMAINS = {
    "any": lambda z: z,
    "pos": lambda z: np.abs(z) + 0.5,
    "unit": lambda z: 0.9 * np.tanh(z),
    "gt1": lambda z: np.abs(z) + 1.5,
    "offint": lambda z: np.round(3 * z) + 0.2 + 0.6 * (np.abs(z) % 1),  # away from integers
    "big": lambda z: 3 * z,
}

# (id, gradkit fn, torch fn, shapes, domains)
CASES = [
    ("tan", gk.tan, _t("tan"), [(3, 4)], ["unit"]),
    ("atan", gk.atan, _t("atan"), [(3, 4)], ["big"]),
    ("asin", gk.asin, _t("asin"), [(5,)], ["unit"]),
    ("acos", gk.acos, _t("acos"), [(5,)], ["unit"]),
    ("sinh", gk.sinh, _t("sinh"), [(2, 3)], ["any"]),
    ("cosh", gk.cosh, _t("cosh"), [(2, 3)], ["any"]),
    ("asinh", gk.asinh, _t("asinh"), [(4,)], ["big"]),
    ("acosh", gk.acosh, _t("acosh"), [(4,)], ["gt1"]),
    ("atanh", gk.atanh, _t("atanh"), [(4,)], ["unit"]),
    ("log2", gk.log2, _t("log2"), [(3, 3)], ["pos"]),
    ("log10", gk.log10, _t("log10"), [(3, 3)], ["pos"]),
    ("exp2", gk.exp2, _t("exp2"), [(3, 3)], ["any"]),
    ("expm1", gk.expm1, _t("expm1"), [(3, 3)], ["any"]),
    ("rsqrt", gk.rsqrt, _t("rsqrt"), [(2, 5)], ["pos"]),
    ("reciprocal", gk.reciprocal, _t("reciprocal"), [(2, 5)], ["pos"]),
    ("erf", gk.erf, _t("erf"), [(6,)], ["any"]),
    ("erfc", gk.erfc, _t("erfc"), [(6,)], ["any"]),
    ("erfinv", gk.erfinv, _t("erfinv"), [(6,)], ["unit"]),
    ("square", gk.square, _t("square"), [(2, 3)], ["any"]),
    ("frac", gk.frac, _t("frac"), [(2, 3)], ["offint"]),
    ("fmod", gk.fmod, _t("fmod"), [(3, 4), (4,)], ["offint", "pos"]),
    ("fmod-scalar", lambda a: gk.fmod(a, 1.5), lambda a: torch.fmod(a, 1.5), [(5,)], ["big"]),
    ("remainder", gk.remainder, _t("remainder"), [(3, 4), (4,)], ["offint", "pos"]),
    ("atan2", gk.atan2, _t("atan2"), [(3, 4), (3, 1)], ["any", "any"]),
    ("hypot", gk.hypot, _t("hypot"), [(3, 4), (4,)], ["any", "any"]),
    ("copysign", gk.copysign, _t("copysign"), [(3, 4), (3, 4)], ["any", "any"]),
    (
        "lerp-scalar",
        lambda a, b: gk.lerp(a, b, 0.3),
        lambda a, b: torch.lerp(a, b, 0.3),
        [(3, 4), (4,)],
        ["any", "any"],
    ),
    (
        "lerp-scalar-high",
        lambda a, b: a.lerp(b, 0.8),
        lambda a, b: a.lerp(b, 0.8),
        [(3, 4), (3, 4)],
        ["any", "any"],
    ),
    ("lerp-tensor", gk.lerp, _t("lerp"), [(3, 4), (3, 4), (4,)], ["any", "any", "unit"]),
    ("addcmul", gk.addcmul, _t("addcmul"), [(3, 4), (3, 1), (4,)], ["any"] * 3),
    (
        "addcmul-value",
        lambda a, b, c: a.addcmul(b, c, value=-0.5),
        lambda a, b, c: a.addcmul(b, c, value=-0.5),
        [(3, 4), (3, 4), (3, 4)],
        ["any"] * 3,
    ),
    (
        "addcdiv-value",
        lambda a, b, c: gk.addcdiv(a, b, c, value=2.0),
        lambda a, b, c: torch.addcdiv(a, b, c, value=2.0),
        [(3, 4), (4,), (3, 4)],
        ["any", "any", "pos"],
    ),
    (
        "float_power-scalar",
        lambda a: gk.float_power(a, 2.5),
        lambda a: torch.float_power(a, 2.5),
        [(4,)],
        ["pos"],
    ),
    ("float_power-tensor", gk.float_power, _t("float_power"), [(3, 2), (2,)], ["pos", "any"]),
    (
        "clamp-tensor-both",
        lambda x, lo, hi: gk.clamp(x, lo, hi),
        lambda x, lo, hi: torch.clamp(x, lo, hi),
        [(4, 5), (5,), (4, 1)],
        ["big", "any", "any"],  # some rows have lo > hi: torch's rule gives hi there
    ),
    (
        "clamp-tensor-min",
        lambda x, lo: x.clamp(min=lo),
        lambda x, lo: x.clamp(min=lo),
        [(4, 5), (5,)],
        ["any", "any"],
    ),
    (
        "clip-tensor-max",
        lambda x, hi: gk.clip(x, max=hi),
        lambda x, hi: torch.clip(x, max=hi),
        [(4, 5), (4, 5)],
        ["any", "any"],
    ),
    (
        "clamp-tensor-min-scalar-max",
        lambda x, lo: gk.clamp(x, lo, 0.5),
        lambda x, lo: torch.clamp(x, lo, torch.tensor(0.5, dtype=torch.float64)),
        [(4, 5), (5,)],
        ["any", "any"],
    ),
    ("clamp_min", lambda x, lo: gk.clamp_min(x, lo), _t("clamp_min"), [(6,), (6,)], ["any"] * 2),
    ("clamp_max-scalar", lambda x: x.clamp_max(0.2), lambda x: x.clamp_max(0.2), [(6,)], ["any"]),
    (
        "nan_to_num",
        lambda x: gk.nan_to_num(x, nan=1.0),
        lambda x: torch.nan_to_num(x, nan=1.0),
        [(6,)],
        ["any"],
    ),
    (
        "div-floor",
        lambda a, b: gk.div(a, b, rounding_mode="floor"),
        lambda a, b: torch.div(a, b, rounding_mode="floor"),
        [(3, 4), (4,)],
        ["big", "pos"],
    ),
    (
        "div-trunc",
        lambda a, b: a.div(b, rounding_mode="trunc"),
        lambda a, b: a.div(b, rounding_mode="trunc"),
        [(3, 4), (4,)],
        ["big", "pos"],
    ),
]
IDS = [c[0] for c in CASES]
# piecewise-constant ops: finite differences see steps, parity covers their zero gradient
NO_GRADCHECK = {"div-floor", "div-trunc"}


def _inputs(shapes, domains, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [DOMAINS[d](rng.standard_normal(s)).astype(dtype) for s, d in zip(shapes, domains)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck(case):
    name, fn, _, shapes, domains = case
    if name in NO_GRADCHECK:
        pytest.skip("piecewise constant: parity checks its zero gradient")
    tensors = [gk.tensor(a, requires_grad=True) for a in _inputs(shapes, domains)]
    assert gradcheck(fn, *tensors)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] not in NO_GRADCHECK], ids=lambda c: c[0])
def test_gradgradcheck(case):
    """Every op here claims double backward (differentiable_backward)."""
    _, fn, _, shapes, domains = case
    tensors = [gk.tensor(a, requires_grad=True) for a in _inputs(shapes, domains, seed=3)]
    assert gradgradcheck(fn, *tensors)


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_torch_parity(case):
    _, fn, tfn, shapes, domains = case
    assert_parity(fn, tfn, _inputs(shapes, domains, seed=1))


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_output_dtype_matches_torch(case):
    """float32 inputs: the same output dtype as torch (float_power gives float64)."""
    _, fn, tfn, shapes, domains = case
    arrays = _inputs(shapes, domains, seed=2, dtype=np.float32)
    out = fn(*[gk.tensor(a) for a in arrays])
    expected = tfn(*[torch.tensor(a) for a in arrays])
    assert str(out.dtype) == str(expected.dtype).replace("torch.", "")


@requires_torch
def test_clamp_tensor_bounds_gradients_at_ties_and_crossed_bounds():
    """x on a bound gets the gradient (not the bound); with lo > hi everything goes to hi."""
    x = np.array([0.0, 1.0, 2.0, 3.0, -1.0])
    lo = np.array([0.0, 0.5, 2.5, 4.0, 0.0])
    hi = np.array([1.0, 1.0, 3.0, 3.5, -0.5])
    assert_parity(lambda *a: gk.clamp(*a), lambda *a: torch.clamp(*a), [x, lo, hi])


@requires_torch
def test_nan_to_num_forward_on_non_finite_values():
    x = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32)
    for kwargs in ({}, {"nan": 2.0, "posinf": 10.0}, {"neginf": -3.0}):
        out = gk.nan_to_num(gk.tensor(x), **kwargs)
        np.testing.assert_array_equal(out.numpy(), torch.nan_to_num(torch.tensor(x), **kwargs))
        assert out.dtype == np.float32
    g = gk.tensor(np.array([np.nan, 1.0, np.inf]), requires_grad=True)
    gk.nan_to_num(g).sum().backward()
    np.testing.assert_array_equal(g.grad.numpy(), [0.0, 1.0, 0.0])  # torch: grad · isfinite


@requires_torch
def test_heaviside_matches_torch_and_refuses_a_gradient():
    x = np.array([-1.5, 0.0, 2.0, 0.0])
    v = np.array([0.5, 0.25, 0.5, 1.0])
    out = gk.heaviside(gk.tensor(x), gk.tensor(v))
    np.testing.assert_array_equal(out.numpy(), torch.heaviside(torch.tensor(x), torch.tensor(v)))
    with pytest.raises(TypeError, match="same dtype"):
        gk.heaviside(gk.tensor(x), gk.tensor(v.astype(np.float32)))
    y = gk.heaviside(gk.tensor(x, requires_grad=True), gk.tensor(v))
    with pytest.raises(RuntimeError, match="derivative for 'heaviside'"):
        y.sum().backward()


# ---------------------------------------------------------------- numeric defects
@requires_torch
@pytest.mark.parametrize("how", ["**", "pow", "pow-tensor"])
def test_power_zero_at_zero_has_gradient_zero(how):
    """x**0 at x = 0: PyTorch gives gradient 0, not 0·0⁻¹ = NaN."""
    x = gk.tensor([0.0, 0.0, 2.0], requires_grad=True)
    y = {"**": lambda: x**0, "pow": lambda: x.pow(0), "pow-tensor": lambda: x.pow(gk.tensor(0.0))}
    y[how]().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


@requires_torch
def test_pow_with_tensor_exponent_at_zero_and_negative_base_matches_torch():
    """∂/∂b is 0 where a = 0 and b ≥ 0, −∞ where a = 0 and b < 0, NaN for a < 0."""
    a = np.array([0.0, 0.0, 0.0, -1.0, -2.0, 2.0, 0.0])
    b = np.array([0.0, 2.0, 0.5, 3.0, 2.0, 1.5, -1.0])
    assert_parity(lambda x, y: x**y, lambda x, y: x**y, [a, b])
    assert_parity(lambda y: 0.0**y, lambda y: 0.0**y, [b])
    assert_parity(lambda y: 2.0**y, lambda y: 2.0**y, [b])


@requires_torch
def test_integer_and_bool_arithmetic_keeps_torch_dtypes():
    i = np.array([1, -2, 3])
    b = np.array([True, False, True])
    gi, ti = gk.tensor(i), torch.tensor(i)
    gb, tb = gk.tensor(b), torch.tensor(b)
    pairs = [
        (gi + 0.5, ti + 0.5),
        (gi / gi, ti / ti),
        (gi / 2, ti / 2),
        (7 / gi, 7 / ti),
        (gi * 2, ti * 2),
        (gi**2, ti**2),
        (gi**0.5, ti**0.5),
        (gb**2, tb**2),
        (gk.square(gb), torch.square(tb)),
        (gb + gb, tb + tb),
        (gb * gb, tb * tb),
        (gb + 1, tb + 1),
        (gb / gb, tb / tb),
        (gi == 1, ti == 1),
        (gi < 1.5, ti < 1.5),
        (gi // 2, ti // 2),
        (gi % 2, ti % 2),
        (gk.div(gi, 2, rounding_mode="trunc"), torch.div(ti, 2, rounding_mode="trunc")),
        (gk.div(gi, -2, rounding_mode="floor"), torch.div(ti, -2, rounding_mode="floor")),
        (gk.fmod(gi, 2), torch.fmod(ti, 2)),
        (gk.fmod(gi, 2.5), torch.fmod(ti, 2.5)),
        (gk.clamp(gi, 0.5), torch.clamp(ti, 0.5)),
        (gk.clamp(gi, 0, 2), torch.clamp(ti, 0, 2)),
        (gk.where(gb, gi, 0.5), torch.where(tb, ti, 0.5)),
        (gk.maximum(gi, gk.tensor([0.5])), torch.maximum(ti, torch.tensor([0.5]))),
        (gk.addcmul(gi, gi, gi, value=2), torch.addcmul(ti, ti, ti, value=2)),
        (gk.float_power(gi, 2), torch.float_power(ti, 2)),
        (gk.atan2(gi, gi), torch.atan2(ti, ti)),
        (gk.copysign(gi, -1), torch.copysign(ti, -1)),
        (gk.sgn(gi), torch.sgn(ti)),
        (gk.nan_to_num(gi), torch.nan_to_num(ti)),
        (gi.abs(), ti.abs()),
        (gi.relu(), ti.relu()),
    ]
    for k, (g, t) in enumerate(pairs):
        assert str(g.dtype) == str(t.dtype).replace("torch.", ""), (k, g.dtype, t.dtype)
        # float32 rounding: torch computes 7 / t as 7 · (1/t), one ulp from 7 / t
        np.testing.assert_allclose(
            g.numpy().astype(float), t.numpy().astype(float), rtol=3e-7, err_msg=str(k)
        )


@requires_torch
@pytest.mark.parametrize(
    "name",
    ["exp", "log", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "tan", "atan", "sinh",
     "cosh", "log2", "log10", "exp2", "expm1", "rsqrt", "reciprocal", "erf", "erfc"],
)  # fmt: skip
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_float_valued_ops_on_integer_tensors_give_the_default_float(name, dtype):
    a = np.array([1, 2, 3]).astype(dtype)
    out = getattr(gk.tensor(a), name)()
    expected = getattr(torch.tensor(a), name)()
    assert out.dtype == np.float32 and str(expected.dtype) == "torch.float32"
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


def test_integer_division_by_zero_raises():
    i = gk.tensor([5, -5])
    for op in (
        lambda: i // 0,
        lambda: i % 0,
        lambda: gk.fmod(i, 0),
        lambda: i.div(0, rounding_mode="trunc"),
    ):  # noqa: E501
        with pytest.raises(ZeroDivisionError):
            op()
    assert np.isinf((i / 0).numpy()).all()  # true division: ±inf, as torch


@requires_torch
def test_rounding_of_integer_and_bool_tensors_as_torch():
    i, ti = gk.tensor([-2, 3]), torch.tensor([-2, 3])
    for name in ("floor", "ceil", "round", "trunc", "sign"):
        out, expected = getattr(gk, name)(i), getattr(torch, name)(ti)
        assert _same(out, expected) and out.tolist() == expected.tolist()
    b = gk.tensor([True, False])
    assert gk.sign(b).tolist() == [True, False] and gk.sign(b).dtype == np.bool_
    with pytest.raises(TypeError, match="bool"):
        gk.floor(b)


def _same(g, t) -> bool:
    return str(g.dtype) == str(t.dtype).replace("torch.", "")


def test_frac_and_hypot_and_addcdiv_refuse_integer_tensors():
    i = gk.tensor([1, 2])
    with pytest.raises(TypeError, match="frac"):
        gk.frac(i)
    with pytest.raises(TypeError, match="hypot"):
        gk.hypot(i, i)
    with pytest.raises(TypeError, match="integer division"):
        gk.addcdiv(i, i, i)


# ---------------------------------------------------------------- type promotion
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 2.5]


def _operand(kind, lib):
    """A tensor with dimensions ("dim:<dtype>"), a 0-d tensor ("0d:<dtype>") or a
    Python scalar, in gradkit or torch; values are ones (no overflow, no zero divisors)."""
    if not isinstance(kind, str):
        return kind
    shape, dtype = kind.split(":")
    data = np.ones((2,) if shape == "dim" else (), dtype=dtype)
    if lib == "gk":
        return gk.tensor(data)
    return torch.tensor(data)


KINDS = [f"{s}:{d}" for s in ("dim", "0d") for d in DTYPES]
PAIRS = [(a, b) for a in KINDS for b in KINDS + SCALARS] + [(s, b) for s in SCALARS for b in KINDS]


@requires_torch
@pytest.mark.parametrize("shape_a", ["dim", "0d"])
def test_result_type_matches_torch_over_the_grid(shape_a):
    """T-HADAMARD: gk.result_type and the dtype of +, *, / and where equal torch's for
    every pair of dtypes and operand kinds (tensor, 0-d tensor, Python scalar)."""
    mismatches, checked = [], 0
    for a, b in PAIRS:
        if not (isinstance(a, str) and a.startswith(shape_a)) and not (
            not isinstance(a, str) and shape_a == "dim"
        ):
            continue
        ga, gb = _operand(a, "gk"), _operand(b, "gk")
        ta, tb = _operand(a, "torch"), _operand(b, "torch")
        want = str(torch.result_type(ta, tb)).replace("torch.", "")
        got = {
            "result_type": str(gk.result_type(ga, gb)),
            "add": str((ga + gb).dtype),
            "mul": str((ga * gb).dtype),
        }
        checked += 1
        for op, dtype in got.items():
            if dtype != want:
                mismatches.append((a, b, op, dtype, want))
        div_want = str((ta / tb).dtype).replace("torch.", "")
        if str((ga / gb).dtype) != div_want:
            mismatches.append((a, b, "div", str((ga / gb).dtype), div_want))
        cond = np.array([True, False])
        if isinstance(a, str) or isinstance(b, str):
            w = gk.where(cond, ga, gb)
            tw = torch.where(torch.tensor(cond), ta, tb)
            if str(w.dtype) != str(tw.dtype).replace("torch.", ""):
                mismatches.append((a, b, "where", str(w.dtype), str(tw.dtype)))
    assert not mismatches, mismatches[:20]
    assert checked >= 18 * 21 // 2


@requires_torch
def test_promote_types_matches_torch():
    for a in DTYPES:
        for b in DTYPES:
            want = torch.promote_types(getattr(torch, a), getattr(torch, b))
            got = gk.promote_types(getattr(gk, a if a != "bool" else "bool_"), getattr(gk, b))
            assert str(got) == str(want).replace("torch.", ""), (a, b)


@requires_torch
def test_integer_scalars_wrap_around_into_narrow_integer_tensors_as_torch():
    for dtype, scalar in (("int8", 1000), ("uint8", -1), ("uint8", 300), ("int16", -40000)):
        a = np.array([1, 2], dtype=dtype)
        g, t = gk.tensor(a) + scalar, torch.tensor(a) + scalar
        assert g.dtype == a.dtype and g.tolist() == t.tolist(), (dtype, scalar)


@requires_torch
def test_numpy_scalars_count_as_python_numbers():
    i, ti = gk.tensor([1, 2]), torch.tensor([1, 2])
    for s in (np.float64(0.5), np.float32(0.5), np.int32(2)):
        assert str((i * s).dtype) == str((ti * s).dtype).replace("torch.", "")


def test_mixed_float_gradients_reach_each_input_in_its_own_dtype():
    a = gk.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = gk.tensor(3.0, dtype=gk.float64, requires_grad=True)  # 0-d float64: result float32
    c = gk.tensor([0.5, 0.25], dtype=gk.float64, requires_grad=True)
    y = a * b
    assert y.dtype == np.float32
    z = y + c  # float32 + float64 with dimensions: float64
    assert z.dtype == np.float64
    z.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(b.grad.numpy(), 3.0)


# ---------------------------------------------------------------- comparisons, logic, bits
@requires_torch
def test_bitwise_and_logical_ops_match_torch():
    i = np.array([5, -3, 0, 12])
    j = np.array([3, 6, 1, 1])
    b = np.array([True, False, True, False])
    G = {
        "i": gk.tensor(i),
        "j": gk.tensor(j),
        "b": gk.tensor(b),
        "i32": gk.tensor(i.astype(np.int32)),
    }  # noqa: E501
    T = {
        "i": torch.tensor(i),
        "j": torch.tensor(j),
        "b": torch.tensor(b),
        "i32": torch.tensor(i.astype(np.int32)),
    }  # noqa: E501
    exprs = [
        lambda m: m["i"] & m["j"], lambda m: m["i"] | 2, lambda m: 3 ^ m["i"],
        lambda m: m["b"] & True, lambda m: m["b"] | m["i"], lambda m: m["b"] ^ m["b"],
        lambda m: ~m["b"], lambda m: ~m["i"], lambda m: m["i32"] & 7,
        lambda m: m["i"] << 2, lambda m: m["i"] >> 1, lambda m: 1 << m["j"], lambda m: m["b"] << 1,
        lambda m: m["i32"] >> m["j"],
        lambda m: m["i"].bitwise_and(m["j"]), lambda m: m["i"].bitwise_not(),
        lambda m: m["i"].logical_and(m["j"]), lambda m: m["i"].logical_or(m["b"]),
        lambda m: m["i"].logical_xor(m["j"]), lambda m: m["i"].logical_not(),
        lambda m: m["i"].eq(m["j"]), lambda m: m["i"].ge(1), lambda m: m["i"] != m["j"],
    ]  # fmt: skip
    for k, e in enumerate(exprs):
        g, t = e(G), e(T)
        assert str(g.dtype) == str(t.dtype).replace("torch.", ""), (k, g.dtype, t.dtype)
        np.testing.assert_array_equal(g.numpy(), t.numpy(), err_msg=str(k))


def test_bitwise_ops_refuse_float_tensors():
    f = gk.tensor([1.0, 2.0])
    for op in (lambda: f & 1, lambda: f | f, lambda: f ^ 1, lambda: f << 1, lambda: ~f,
               lambda: gk.bitwise_not(f), lambda: gk.bitwise_xor(f, 1)):  # fmt: skip
        with pytest.raises(TypeError, match="integer"):
            op()


def test_in_place_bitwise_ops_keep_storage_and_dtype():
    i = gk.tensor([5, 6, 7])
    view = i[1:]
    i &= 3
    i |= 8
    i <<= 1
    assert i.tolist() == [18, 20, 22] and view.tolist() == [20, 22] and i.dtype == np.int64
    m = gk.tensor([True, False])
    with pytest.raises(RuntimeError, match="cannot be stored"):
        m &= gk.tensor([1, 2])


@requires_torch
def test_predicates_match_torch():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, 1.0 + 1e-7, 2.0])
    y = np.array([np.nan, np.inf, np.inf, 1e-9, 1.0, 2.1])
    gx, gy, tx, ty = gk.tensor(x), gk.tensor(y), torch.tensor(x), torch.tensor(y)
    for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf"):
        np.testing.assert_array_equal(getattr(gk, name)(gx).numpy(), getattr(torch, name)(tx))
        assert getattr(gx, name)().dtype == np.bool_
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.1}, {"atol": 1e-6}):
        np.testing.assert_array_equal(gk.isclose(gx, gy, **kw).numpy(), torch.isclose(tx, ty, **kw))
        assert gk.allclose(gx[3:5], gy[3:5], **kw) == torch.allclose(tx[3:5], ty[3:5], **kw)
    assert gk.isnan(gk.tensor([1, 2])).tolist() == [False, False]
    assert gk.equal(gx[3:], gx[3:]) and not gk.equal(gx[3:], gy[3:])
    assert not gk.equal(gk.tensor([1.0]), gk.tensor([1.0, 1.0]))
    assert gk.equal(gk.tensor([1.0, 2.0]), gk.tensor([1.0, 2.0], dtype=gk.float64))


# ---------------------------------------------------------------- dtypes
@requires_torch
def test_dtype_names_and_limits_match_torch():
    for name in ("float", "float32", "double", "float64", "half", "float16", "long", "int64",
                 "int", "int32", "int16", "short", "int8", "uint8", "bool"):  # fmt: skip
        assert str(np.dtype(getattr(gk, name))) == str(getattr(torch, name)).replace("torch.", "")
    for name in ("float16", "float32", "float64"):
        f, tf = gk.finfo(getattr(gk, name)), torch.finfo(getattr(torch, name))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
            assert getattr(f, attr) == getattr(tf, attr), (name, attr)
        assert f.dtype == tf.dtype
    assert gk.finfo().eps == torch.finfo().eps
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        i, ti = gk.iinfo(getattr(gk, name)), torch.iinfo(getattr(torch, name))
        assert (i.bits, i.min, i.max, i.dtype) == (ti.bits, ti.min, ti.max, ti.dtype)
    with pytest.raises(TypeError, match="iinfo"):
        gk.finfo(gk.int32)
    with pytest.raises(TypeError, match="finfo"):
        gk.iinfo(gk.float32)


def test_bfloat16_is_absent_with_a_clear_error():
    assert not hasattr(gk, "bfloat16")
    with pytest.raises(AttributeError, match="NumPy has no bfloat16"):
        gk.bfloat16  # noqa: B018
    x = gk.tensor([1.0])
    with pytest.raises(TypeError, match="bfloat16"):
        x.bfloat16()
    with pytest.raises(TypeError, match="bfloat16"):
        x.to("torch.bfloat16")
    with pytest.raises(TypeError, match="bfloat16"):
        gk.zeros(2, dtype="bfloat16")
    with pytest.raises(TypeError, match="not a dtype"):
        gk.zeros(2, dtype="floot32")


@requires_torch
def test_tensor_dtype_methods_match_torch():
    a = np.array([1.7, -2.2, 300.0])
    g, t = gk.tensor(a.astype(np.float32)), torch.tensor(a.astype(np.float32))
    for method in ("half", "float", "double", "short", "char", "byte", "int", "long", "bool"):
        assert str(getattr(g, method)().dtype) == str(getattr(t, method)().dtype)[6:], method
        np.testing.assert_array_equal(getattr(g, method)().numpy(), getattr(t, method)().numpy())
    for method in ("half", "float", "double", "short", "char", "byte", "int", "long", "bool"):
        assert getattr(g, method)().type() == getattr(t, method)().type()
    assert g.type(gk.float64).dtype == np.float64
    assert g.type("torch.DoubleTensor").dtype == np.float64
    assert g.type("torch.LongTensor").tolist() == [1, -2, 300]
    assert g.to(gk.tensor([1], dtype=gk.int8)).dtype == np.int8
    assert g.to("cpu", gk.float64).dtype == np.float64
    assert g.to(dtype=gk.int32).dtype == np.int32
    assert g.to(device="cpu") is g and g.to(gk.float32) is g
    copied = g.to(gk.float32, copy=True)
    assert copied is not g and not np.shares_memory(copied.numpy(), g.numpy())
    with pytest.raises(RuntimeError, match="not available"):
        g.to("cuda", gk.float64)
    assert g.is_floating_point() and not g.long().is_floating_point()
    assert gk.is_floating_point(g.half()) and not gk.is_floating_point(g.bool())
    for method in ("half", "double", "short", "long", "bool"):
        assert getattr(g, method)().element_size() == getattr(t, method)().element_size()
    assert g.long().type_as(g.double()).dtype == np.float64


@requires_torch
def test_new_tensor_methods_inherit_dtype_as_torch():
    for dtype in ("float32", "float64", "int64", "int32"):
        g, t = gk.zeros(2, dtype=getattr(gk, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
        calls = [
            lambda x: x.new_zeros(2, 3), lambda x: x.new_ones((3,)), lambda x: x.new_empty(1, 2),
            lambda x: x.new_full((2,), 3.5), lambda x: x.new_tensor([1, 2]),
            lambda x: x.new_tensor([1.5], dtype=gk.float64 if x.__class__ is gk.Tensor else torch.float64),  # noqa: E501
            lambda x: x.new_zeros((2,), dtype=gk.int8 if x.__class__ is gk.Tensor else torch.int8),
        ]  # fmt: skip
        for k, call in enumerate(calls):
            out, expected = call(g), call(t)
            assert str(out.dtype) == str(expected.dtype)[6:], (dtype, k)
            assert out.shape == tuple(expected.shape)
            if k != 2:  # new_empty is uninitialised
                np.testing.assert_array_equal(out.numpy(), expected.numpy())
    w = gk.zeros(3).new_zeros(2, requires_grad=True)
    assert w.requires_grad and w.is_leaf


def test_float_casts_are_differentiable_and_half_round_trips():
    x = gk.tensor([0.1, 0.2], requires_grad=True)
    y = x.double() * 2
    y.half().float().sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_set_default_dtype_changes_what_floats_become():
    before = gk.get_default_dtype()
    try:
        gk.set_default_dtype(gk.float64)
        assert gk.get_default_dtype() == np.float64
        assert gk.zeros(2).dtype == np.float64 and gk.ones(1, 2).dtype == np.float64
        assert gk.tensor([1.5]).dtype == np.float64 and gk.arange(0.5, 2).dtype == np.float64
        assert gk.full((2,), 1.5).dtype == np.float64 and gk.randn(2).dtype == np.float64
        assert (gk.tensor([1, 2]) + 0.5).dtype == np.float64  # int + float: the default
        assert (gk.tensor([1, 2]) / 2).dtype == np.float64
        assert gk.tensor([1, 2]).exp().dtype == np.float64
        assert gk.finfo().bits == 64
        assert gk.tensor([1.0], dtype=gk.float32).mul(2.0).dtype == np.float32
        with pytest.raises(TypeError, match="floating-point"):
            gk.set_default_dtype(gk.int64)
    finally:
        gk.set_default_dtype(before)
    assert gk.zeros(2).dtype == np.float32


def test_dtype_specs_accept_torch_spellings():
    assert gk.zeros(1, dtype="torch.long").dtype == np.int64
    assert gk.zeros(1, dtype=float).dtype == np.float64  # Python float is float64, as torch
    assert gk.zeros(1, dtype=int).dtype == np.int64
    assert gk.tensor([1], dtype=gk.half).dtype == np.float16
    assert gk.tensor([1.0]).to("torch.float16").dtype == np.float16
    with pytest.raises(TypeError, match="unknown dtype"):
        gk.zeros(1, dtype="torch.float8")


@requires_torch
def test_torch_dtype_objects_are_understood():
    assert gk.zeros(2, dtype=torch.float64).dtype == np.float64
    assert gk.tensor([1.0]).to(torch.int16).dtype == np.int16
