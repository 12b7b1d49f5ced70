"""T-TENSOR, T-AUTODIFF: ``ops/math.py`` against PyTorch where its earlier tests were
silent (issue 24): gradients when only some inputs need one (the ``needs_input_grad``
branches), the exact rounding of lerp's two formulas, clamp's gradient rule at ties and
at lo = hi, copysign's gradient at a = 0, heaviside's dtypes, float_power of integers,
the error of non-broadcastable operands, and the op factories (``_float_op``,
``_special``) that run only at import time, rebuilt here."""

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops import math as gm
from parity_order2 import assert_parity_order2

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(7)
A, B, C = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4)), RNG.uniform(0.5, 2, size=(3, 4))


# ---------------------------------------------------------------- only some inputs need a gradient
@pytest.mark.parametrize("frozen", [(), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2)])
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addcmul_addcdiv_gradients_of_any_subset_match_torch(name, frozen):
    """Each ∂z/∂input, ∂z/∂t1, ∂z/∂t2 (and their derivatives) with the others constant."""
    assert_parity_order2(
        lambda x, a, b: getattr(gk, name)(x, a, b, value=-1.5),
        lambda x, a, b: getattr(torch, name)(x, a, b, value=-1.5),
        [A, B, C],
        frozen=frozen,
    )


@pytest.mark.parametrize("frozen", [(), (0,), (1,), (2,), (0, 1), (1, 2), (0, 2)])
def test_lerp_gradients_of_any_subset_match_torch(frozen):
    w = np.array([0.0, 0.2, 0.5, 0.7, 1.0, 1.5, -0.3, 0.49, 0.51, 0.9, 0.1, 2.0]).reshape(3, 4)
    assert_parity_order2(gk.lerp, torch.lerp, [A, B, w], frozen=frozen)


@pytest.mark.parametrize("frozen", [(), (0,), (1,)])
@pytest.mark.parametrize("name", ["atan2", "hypot", "copysign"])
def test_binary_ops_gradients_of_either_input_match_torch(name, frozen):
    b = B.copy()
    b[0, :2] = [-0.0, 0.0]
    a = A.copy()
    a[1, :2] = 0.0  # copysign's gradient at a = 0 is 0 (as PyTorch)
    if name != "copysign":
        a[1, :2] = [0.3, -0.2]
    out = assert_parity_order2(
        getattr(gk, name), getattr(torch, name), [a, b], frozen=frozen, order2=name != "copysign"
    )
    assert out.dtype == np.float64


def test_copysign_gradients_match_torch_including_zeros():
    """∂/∂a = sign(a)·sign(b) (0 at a = 0), ∂/∂b = 0 given as zeros, not None."""
    an, bn = np.array([0.0, 1.0, -1.0, 2.0]), np.array([-1.0, -1.0, 2.0, 0.0])
    a, b = gk.tensor(an, requires_grad=True), gk.tensor(bn, requires_grad=True)
    ta, tb = torch.tensor(an, requires_grad=True), torch.tensor(bn, requires_grad=True)
    v = np.array([0.5, -2.0, 3.0, 1.5])
    gk.copysign(a, b).backward(gk.tensor(v))
    torch.copysign(ta, tb).backward(torch.tensor(v))
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
    assert b.grad is not None
    np.testing.assert_array_equal(b.grad.numpy(), tb.grad.numpy())


def test_constant_inputs_get_no_gradient_like_torch():
    """A tensor that needs no gradient keeps .grad None, whatever the op computes."""
    for name in ("atan2", "hypot", "copysign"):
        a, b = gk.tensor(A), gk.tensor(B, requires_grad=True)
        getattr(gk, name)(a, b).backward(gk.tensor(C))
        assert a.grad is None
    x, t1, t2 = gk.tensor(A), gk.tensor(B, requires_grad=True), gk.tensor(C)
    gk.addcdiv(x, t1, t2).backward(gk.tensor(A))
    assert x.grad is None and t2.grad is None


# ---------------------------------------------------------------- lerp's two formulas
@pytest.mark.parametrize("weight", [0.0, 0.25, 0.5, 0.75, 1.0, 1.25])
def test_lerp_rounds_exactly_as_torch(weight):
    """PyTorch evaluates start + w·(end − start) for w < ½ and end − (end − start)(1 − w)
    otherwise; the two differ in the last bit for most inputs, so the values are equal
    bit for bit only when the same formula is used."""
    s, e = RNG.normal(size=500), RNG.normal(size=500)
    for w in (weight, np.full(500, weight)):
        ours = gk.lerp(gk.tensor(s), gk.tensor(e), w if np.ndim(w) == 0 else gk.tensor(w))
        theirs = torch.lerp(torch.tensor(s), torch.tensor(e), w if np.ndim(w) == 0 else
                            torch.tensor(w))  # fmt: skip
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---------------------------------------------------------------- clamp
def _clamp_parity(x, lo, hi):
    args = [np.asarray(v, dtype=float) for v in (x, lo, hi) if v is not None]

    def run(lib, *ts):
        it = iter(ts[1:])
        mn = next(it) if lo is not None else None
        mx = next(it) if hi is not None else None
        return lib.clamp(ts[0], min=mn, max=mx)

    ours = [gk.tensor(a, requires_grad=True) for a in args]
    theirs = [torch.tensor(a, requires_grad=True) for a in args]
    v = np.arange(1.0, len(args[0]) + 1)
    run(gk, *ours).backward(gk.tensor(v))
    y = run(torch, *theirs)
    y.backward(torch.tensor(v))
    np.testing.assert_array_equal(run(gk, *[gk.tensor(a) for a in args]).numpy(), y.detach())
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.grad.numpy(), t.grad.numpy())


def test_clamp_tensor_bounds_gradient_at_ties_and_equal_bounds_match_torch():
    """x on a bound gets the gradient; with lo = hi and x outside nobody gets it."""
    x = [1.0, 2.0, 3.0, 2.0, 0.0, 4.0, 0.5, 2.0]
    lo = [1.0, 2.0, 3.0, 2.5, 1.0, 1.0, 1.0, 3.0]
    hi = [1.0, 2.5, 3.0, 2.5, 1.0, 1.0, 2.0, 1.0]
    _clamp_parity(x, lo, hi)


@pytest.mark.parametrize("which", ["min", "max"])
def test_clamp_one_tensor_bound_gradient_at_ties_matches_torch(which):
    x = [1.0, 2.0, 3.0, -1.0, 0.5]
    bound = [1.0, 2.5, 2.0, -1.0, 0.0]
    if which == "min":
        _clamp_parity(x, bound, None)
    else:
        _clamp_parity(x, None, bound)


def test_clamp_op_defaults_to_both_bounds():
    """``Clamp.apply(x, lo, hi)``: both bounds unless told otherwise (the documented
    defaults of the op)."""
    x, lo, hi = gk.tensor(A), gk.tensor(B - 0.5), gk.tensor(B + 0.5)
    np.testing.assert_array_equal(
        gm.Clamp.apply(x, lo, hi).numpy(),
        torch.clamp(torch.tensor(A), torch.tensor(B - 0.5), torch.tensor(B + 0.5)).numpy(),
    )


# ---------------------------------------------------------------- defaults of the ops
def test_op_defaults_are_torchs():
    """``Addcmul``/``Addcdiv`` default value 1, ``NanToNum`` default nan 0 (the functions
    always pass them, the ops document them)."""
    x, a, b = gk.tensor(A), gk.tensor(B), gk.tensor(C)
    tx, ta, tb = torch.tensor(A), torch.tensor(B), torch.tensor(C)
    np.testing.assert_allclose(gm.Addcmul.apply(x, a, b).numpy(), torch.addcmul(tx, ta, tb))
    np.testing.assert_allclose(gm.Addcdiv.apply(x, a, b).numpy(), torch.addcdiv(tx, ta, tb))
    z = np.array([np.nan, 1.0, np.inf, -np.inf])
    np.testing.assert_array_equal(
        gm.NanToNum.apply(gk.tensor(z)).numpy(), torch.nan_to_num(torch.tensor(z)).numpy()
    )


def test_addcmul_of_bool_tensors_is_logical():
    """PyTorch refuses bool addcmul; gradkit gives input ∨ (value ∧ t1 ∧ t2)."""
    x = np.array([True, False, False, False])
    t1 = np.array([True, True, False, True])
    t2 = np.array([False, True, True, True])
    for value in (True, False):
        out = gk.addcmul(gk.tensor(x), gk.tensor(t1), gk.tensor(t2), value=value)
        assert out.dtype == np.bool_
        np.testing.assert_array_equal(out.numpy(), x | (value & t1 & t2))


# ---------------------------------------------------------------- heaviside, float_power
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_heaviside_values_and_dtype_match_torch(dtype):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0], dtype=dtype)
    v = np.array([0.25, 0.25, 0.75, 0.25, 0.25, 0.25], dtype=dtype)
    ours = gk.heaviside(gk.tensor(x), gk.tensor(v))
    theirs = torch.heaviside(torch.tensor(x), torch.tensor(v))
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    # a Python number for ``values`` takes x's dtype (PyTorch wants a tensor there)
    ours = gk.heaviside(gk.tensor(x), 0.75)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.numpy(), np.heaviside(x, dtype(0.75)))


def test_float_power_of_integers_is_float64_like_torch():
    cases = [
        (lambda m, t: m.float_power(2, t), np.array([1, 2, 3])),
        (lambda m, t: m.float_power(t, 2.5), np.array([1, 2, 3])),
        (lambda m, t: m.float_power(t, 3), np.array([1.5, 2.0], dtype=np.float32)),
    ]
    for fn, a in cases:
        ours, theirs = fn(gk, gk.tensor(a)), fn(torch, torch.tensor(a))
        assert ours.dtype == np.float64 and theirs.dtype == torch.float64
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15)


# ---------------------------------------------------------------- shapes that do not broadcast
@pytest.mark.parametrize(
    "name, call",
    [
        ("lerp", lambda a, b, c: gk.lerp(a, b, c)),
        ("addcmul", lambda a, b, c: gk.addcmul(a, b, c)),
        ("addcdiv", lambda a, b, c: gk.addcdiv(a, b, c)),
        ("clamp", lambda a, b, c: gk.clamp(a, b, c)),
    ],
)
def test_non_broadcastable_operands_name_the_op_and_every_shape(name, call):
    a, b, c = gk.tensor(A), gk.tensor(np.ones((2, 4))), gk.tensor(np.ones(4))
    with pytest.raises(ValueError, match=rf"^{name}: shapes \(3, 4\), \(2, 4\), \(4,\) are not"):
        call(a, b, c)


# ---------------------------------------------------------------- the import-time factories
def test_float_op_factory_converts_integers_and_keeps_floats():
    """``_float_op`` (run at import): integer and bool inputs become float32, float
    inputs keep their dtype, the function carries its name and a docstring."""
    tan = gm._float_op("tan", gm.Tan)
    assert tan.__name__ == "tan" and tan.__doc__.startswith("Element-wise")
    for a in (np.array([0, 1, 2]), np.array([True, False]), np.array([1, 2], dtype=np.uint8)):
        out = tan(gk.tensor(a))
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), torch.tan(torch.tensor(a)).numpy(), rtol=1e-6)
    x = gk.tensor(A, requires_grad=True)
    out = tan(x)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.detach().numpy(), np.tan(A), rtol=1e-15)
    out.backward(gk.tensor(B))
    np.testing.assert_allclose(x.grad.numpy(), B / np.cos(A) ** 2, rtol=1e-12)


def test_special_factory_keeps_the_input_dtype():
    erf = gm._special("erf")
    assert erf.__name__ == "erf"
    x = np.array([-1.0, 0.0, 0.5], dtype=np.float32)
    out = erf(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, torch.erf(torch.tensor(x)).numpy(), rtol=1e-6)
