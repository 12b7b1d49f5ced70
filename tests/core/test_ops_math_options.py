"""Keyword options of the element-wise math, rounding and logical ops (issue 24;
T-TENSOR, T-AUTODIFF): each option changes the result as it does in PyTorch — addcmul/
addcdiv ``value``, lerp's weight on both sides of ½, clamp with tensor bounds, float_power,
nan_to_num's ``nan``/``posinf``/``neginf``, round's ``decimals``, div's ``rounding_mode``,
remainder/fmod signs, isclose/allclose ``rtol``/``atol``/``equal_nan`` — values and
gradients in float64."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")
TOL = dict(rtol=1e-12, atol=1e-12)
RNG = np.random.default_rng(0)


def check(fn, tfn, *arrays, grads=True):
    xs = [gk.tensor(a, requires_grad=grads) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grads) for a in arrays]
    y, u = fn(*xs), tfn(*ts)
    assert str(y.dtype).split(".")[-1] == str(u.dtype).split(".")[-1]
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **TOL)
    if not grads:
        return
    w = np.asarray(RNG.normal(size=tuple(u.shape)))
    y.backward(gk.tensor(w))
    u.backward(torch.tensor(w))
    for a, b in zip(xs, ts):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **TOL)


A, B, C = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4)), RNG.uniform(0.5, 2, size=(3, 4))


@pytest.mark.parametrize("value", [1, 0.5, -2.0, 3])
def test_addcmul_addcdiv_value_matches_torch(value):
    check(
        lambda a, b, c: gk.addcmul(a, b, c, value=value),
        lambda a, b, c: torch.addcmul(a, b, c, value=value),
        A,
        B,
        C,
    )
    check(
        lambda a, b, c: gk.addcdiv(a, b, c, value=value),
        lambda a, b, c: torch.addcdiv(a, b, c, value=value),
        A,
        B,
        C,
    )
    check(
        lambda a, b, c: a.addcmul(b, c, value=value),
        lambda a, b, c: a.addcmul(b, c, value=value),
        A,
        B,
        C,
    )


def test_addcmul_default_value_and_integer_truncation_match_torch():
    check(gk.addcmul, torch.addcmul, A, B, C)
    check(gk.addcdiv, torch.addcdiv, A, B, C)
    i, j, k = (np.arange(1, 7).reshape(2, 3) * s for s in (1, 2, 3))
    for v in (2, 2.7, -1.5):
        y = gk.addcmul(gk.tensor(i), gk.tensor(j), gk.tensor(k), value=v)
        u = torch.addcmul(torch.tensor(i), torch.tensor(j), torch.tensor(k), value=int(v))
        assert y.dtype == gk.int64
        np.testing.assert_array_equal(y.numpy(), u.numpy())
    y = gk.addcmul(gk.tensor(A), gk.tensor(B), gk.tensor(C), value=gk.tensor(0.5))
    np.testing.assert_allclose(y.numpy(), A + 0.5 * B * C, **TOL)


@pytest.mark.parametrize("weight", [0.25, 0.5, 0.9, -0.5, 1.5])
def test_lerp_scalar_weight_matches_torch(weight):
    check(lambda a, b: gk.lerp(a, b, weight), lambda a, b: torch.lerp(a, b, weight), A, B)


def test_lerp_tensor_weight_on_both_sides_of_a_half_matches_torch():
    w = np.array([[0.1, 0.5, 0.7, 1.2]] * 3)
    check(gk.lerp, torch.lerp, A, B, w)
    check(lambda a, b, c: a.lerp(b, c), lambda a, b, c: a.lerp(b, c), A, B, w)
    # only the weight wants a gradient
    x = gk.tensor(w, requires_grad=True)
    t = torch.tensor(w, requires_grad=True)
    gk.lerp(gk.tensor(A), gk.tensor(B), x).sum().backward()
    torch.lerp(torch.tensor(A), torch.tensor(B), t).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **TOL)


@pytest.mark.parametrize("which", ["min", "max", "both", "crossed"])
def test_clamp_tensor_bounds_match_torch(which):
    lo, hi = np.full((3, 4), -0.3), np.full((1, 4), 0.4)
    if which == "crossed":
        lo, hi = np.full((3, 4), 0.5), np.full((1, 4), -0.5)
    if which == "min":
        check(lambda a, b: gk.clamp(a, min=b), lambda a, b: torch.clamp(a, min=b), A, lo)
        check(gk.clamp_min, torch.clamp_min, A, lo)
    elif which == "max":
        check(lambda a, c: gk.clamp(a, max=c), lambda a, c: torch.clamp(a, max=c), A, hi)
        check(gk.clamp_max, torch.clamp_max, A, hi)
    else:
        check(gk.clamp, torch.clamp, A, lo, hi)
        check(gk.clip, torch.clip, A, lo, hi)


def test_clamp_min_max_with_numbers_match_torch():
    check(lambda a: gk.clamp_min(a, 0.1), lambda a: torch.clamp_min(a, 0.1), A)
    check(lambda a: gk.clamp_max(a, 0.1), lambda a: torch.clamp_max(a, 0.1), A)


def test_float_power_is_float64_and_casts_gradients_back():
    a = np.array([1.5, 2.0, 3.0], dtype=np.float32)
    for b in (2, 2.5, np.array([1.0, 2.0, 0.5], dtype=np.float32)):
        x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        bg = gk.tensor(b, requires_grad=True) if isinstance(b, np.ndarray) else b
        bt = torch.tensor(b, requires_grad=True) if isinstance(b, np.ndarray) else b
        y, u = gk.float_power(x, bg), torch.float_power(t, bt)
        assert y.dtype == gk.float64
        np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **TOL)
        y.sum().backward()
        u.sum().backward()
        assert x.grad.dtype == gk.float32
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-7)
        if isinstance(b, np.ndarray):
            assert bg.grad.dtype == gk.float32
            np.testing.assert_allclose(bg.grad.numpy(), bt.grad.numpy(), rtol=1e-7)
    y = gk.float_power(gk.tensor([2, 3]), 2)
    assert y.dtype == gk.float64
    np.testing.assert_array_equal(y.numpy(), [4.0, 9.0])
    y = gk.float_power(2, gk.tensor([1, 2]))
    assert y.dtype == gk.float64
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"nan": 1.5},
        {"posinf": 7.0},
        {"neginf": -7.0},
        {"nan": -1.0, "posinf": 2.0, "neginf": -3.0},
    ],
)
def test_nan_to_num_options_match_torch(kw):
    a = np.array([1.0, np.nan, np.inf, -np.inf, -2.0])
    check(lambda x: gk.nan_to_num(x, **kw), lambda t: torch.nan_to_num(t, **kw), a)
    check(lambda x: x.nan_to_num(**kw), lambda t: t.nan_to_num(**kw), a)
    f = a.astype(np.float32)
    y, u = gk.nan_to_num(gk.tensor(f), **kw), torch.nan_to_num(torch.tensor(f), **kw)
    assert y.dtype == gk.float32
    np.testing.assert_array_equal(y.numpy(), u.numpy())


def test_nan_to_num_of_integers_is_a_copy():
    x = gk.tensor([1, 2, 3])
    y = gk.nan_to_num(x, nan=5.0)
    assert y.dtype == gk.int64
    np.testing.assert_array_equal(y.numpy(), [1, 2, 3])
    y[0] = 9
    assert int(x[0]) == 1


@pytest.mark.parametrize("decimals", [0, 1, 2, -1])
def test_round_decimals_matches_torch(decimals):
    a = np.array([1.25, -2.35, 12.5, 0.5, 1.5, -0.05, 123.456])
    check(lambda x: gk.round(x, decimals=decimals), lambda t: torch.round(t, decimals=decimals), a)
    check(lambda x: x.round(decimals=decimals), lambda t: t.round(decimals=decimals), a)


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("ints", [False, True])
def test_div_rounding_mode_matches_torch(mode, ints):
    a = np.array([7.0, -7.0, 7.5, -7.5, 6.0, 0.0])
    b = np.array([2.0, 2.0, -2.0, -2.0, 3.0, -3.0])
    if ints:
        a, b = np.array([7, -7, 7, -7, 6, 0]), np.array([2, 2, -2, -2, 3, -3])
    check(
        lambda x, y: gk.div(x, y, rounding_mode=mode),
        lambda x, y: torch.div(x, y, rounding_mode=mode),
        a,
        b,
        grads=not ints,
    )
    check(
        lambda x, y: x.div(y, rounding_mode=mode),
        lambda x, y: x.div(y, rounding_mode=mode),
        a,
        b,
        grads=not ints,
    )
    with pytest.raises(ValueError, match="rounding_mode"):
        gk.div(gk.tensor(a), gk.tensor(b), rounding_mode="round")


@pytest.mark.parametrize("name", ["remainder", "fmod", "floor_divide"])
def test_remainder_fmod_floor_divide_signs_match_torch(name):
    a = np.array([7.0, -7.0, 7.5, -7.5, 6.0])
    b = np.array([2.0, 2.0, -2.0, -2.0, 4.0])
    grads = name != "floor_divide"  # PyTorch has no floor_divide derivative
    check(getattr(gk, name), getattr(torch, name), a, b, grads=grads)
    ia, ib = a.astype(np.int64), b.astype(np.int64)
    check(getattr(gk, name), getattr(torch, name), ia, ib, grads=False)
    check(lambda x: getattr(gk, name)(x, 3), lambda t: getattr(torch, name)(t, 3), a, grads=grads)


def test_operators_percent_and_floordiv_match_torch():
    a, b = np.array([7.0, -7.0, 7.5]), np.array([2.0, -2.0, -2.0])
    check(lambda x, y: x % y, lambda x, y: x % y, a, b)
    check(lambda x, y: x // y, lambda x, y: x // y, a, b, grads=False)
    check(lambda x: 10.0 % x, lambda t: 10.0 % t, b, grads=False)  # PyTorch: no derivative
    check(lambda x: 10.0 // x, lambda t: 10.0 // t, b, grads=False)


@pytest.mark.parametrize(
    "kw", [{}, {"rtol": 0.1}, {"atol": 0.05}, {"rtol": 0, "atol": 0}, {"equal_nan": True}]
)
def test_isclose_allclose_options_match_torch(kw):
    a = np.array([1.0, 1.001, 100.0, np.nan, np.inf, -np.inf, 0.0])
    b = np.array([1.0, 1.0, 101.0, np.nan, np.inf, np.inf, 0.04])
    y = gk.isclose(gk.tensor(a), gk.tensor(b), **kw)
    u = torch.isclose(torch.tensor(a), torch.tensor(b), **kw)
    np.testing.assert_array_equal(y.numpy(), u.numpy())
    for s in (slice(0, 2), slice(0, 3), slice(3, 4), slice(6, 7)):
        assert gk.allclose(gk.tensor(a[s]), gk.tensor(b[s]), **kw) == torch.allclose(
            torch.tensor(a[s]), torch.tensor(b[s]), **kw
        )
    y = gk.tensor(a).isclose(gk.tensor(b), **kw)
    np.testing.assert_array_equal(y.numpy(), u.numpy())


def test_isclose_of_mixed_and_bool_dtypes_matches_torch():
    a, b = np.array([1, 2, 3]), np.array([1.0, 2.00001, 3.5])
    np.testing.assert_array_equal(
        gk.isclose(gk.tensor(a), gk.tensor(b)).numpy(),
        torch.isclose(torch.tensor(a, dtype=torch.float64), torch.tensor(b)).numpy(),
    )
    p, q = np.array([True, False, True]), np.array([True, True, False])
    np.testing.assert_array_equal(
        gk.isclose(gk.tensor(p), gk.tensor(q)).numpy(),
        torch.isclose(torch.tensor(p), torch.tensor(q)).numpy(),
    )
    with pytest.raises(ValueError, match="non-negative"):
        gk.isclose(gk.tensor(a), gk.tensor(b), rtol=-1)


def test_equal_compares_shape_and_values():
    assert gk.equal(gk.tensor([1.0, 2.0]), gk.tensor([1.0, 2.0]))
    assert not gk.equal(gk.tensor([1.0, 2.0]), gk.tensor([1.0, 3.0]))
    assert not gk.equal(gk.tensor([1.0, 2.0]), gk.tensor([[1.0, 2.0]]))


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "sign"])
def test_rounding_integer_and_bool_tensors_like_torch(name):
    a = np.array([1, -2, 3, 0])
    y, u = getattr(gk, name)(gk.tensor(a)), getattr(torch, name)(torch.tensor(a))
    assert y.dtype == gk.int64
    np.testing.assert_array_equal(y.numpy(), u.numpy())
    b = np.array([True, False, True])
    if name == "sign":  # sign(bool) is the bool itself; PyTorch refuses the others
        y = gk.sign(gk.tensor(b))
        assert y.dtype == gk.bool
        np.testing.assert_array_equal(y.numpy(), torch.sign(torch.tensor(b)).numpy())
    else:
        with pytest.raises(TypeError, match="bool"):
            getattr(gk, name)(gk.tensor(b))


def test_round_default_is_zero_decimals_like_torch():
    a = np.array([1.25, 2.5, -0.5, 0.45, 3.7])
    check(gk.round, torch.round, a)
    check(lambda x: x.round(), lambda t: t.round(), a)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_div_rounding_of_bool_tensors_computes_in_int64(mode):
    # PyTorch has no bool div with a rounding mode; gradkit computes it as int64
    a, b = np.array([True, False, True]), np.array([True, True, True])
    y = gk.div(gk.tensor(a), gk.tensor(b), rounding_mode=mode)
    u = torch.div(
        torch.tensor(a, dtype=torch.int64), torch.tensor(b, dtype=torch.int64), rounding_mode=mode
    )
    assert y.dtype == gk.int64
    np.testing.assert_array_equal(y.numpy(), u.numpy())


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_div_rounding_of_clashing_shapes_names_them(mode):
    with pytest.raises(ValueError, match=r"^div: shapes \(2, 3\) and \(4,\)"):
        gk.div(gk.tensor(np.ones((2, 3))), gk.tensor(np.ones(4)), rounding_mode=mode)


@pytest.mark.parametrize(
    "ufunc, name", [(np.floor, "floor"), (np.sign, "sign"), (np.trunc, "trunc")]
)
def test_rounding_factory_builds_torch_rounding_ops(ufunc, name):
    # gk.floor & co. are built by this factory at import; build one at test time too
    from gradkit.ops import rounding

    op = rounding._rounding(ufunc)
    assert op.__name__ == ufunc.__name__
    tfn = getattr(torch, name)
    a = np.array([1, -2, 3, 0])
    y = op(gk.tensor(a))
    assert y.dtype == gk.int64
    np.testing.assert_array_equal(y.numpy(), tfn(torch.tensor(a)).numpy())
    check(op, tfn, np.array([1.5, -2.5, 0.2, -0.7]))
    b = np.array([True, False])
    if name == "sign":
        y = op(gk.tensor(b))
        assert y.dtype == gk.bool
        np.testing.assert_array_equal(y.numpy(), b)
    else:
        with pytest.raises(TypeError, match="bool"):
            op(gk.tensor(b))
