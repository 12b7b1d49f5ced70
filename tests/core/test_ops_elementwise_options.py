"""Element-wise ops (issue 24; T-TENSOR, T-AUTODIFF, T-HADAMARD): integer and bool inputs,
tied maximum/minimum, clamp at its bounds, where and masked_fill spellings, and gradients
of constant operands, against PyTorch in float64.

The op tables (``_unary``, ``_comparison``) are built when the module is imported; the
tests here also build ops with them at test time, so a wrong factory is seen."""

import warnings

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops import elementwise as ew

torch = pytest.importorskip("torch")

TORCH_DTYPE = {np.dtype(k): v for k, v in [
    ("float32", torch.float32), ("float64", torch.float64), ("int64", torch.int64),
    ("int32", torch.int32), ("bool", torch.bool), ("float16", torch.float16),
]}  # fmt: skip


def same(y, u, tol=1e-12):
    """gradkit result y equals the torch result u: dtype, shape and values."""
    assert TORCH_DTYPE[np.dtype(y.dtype)] == u.dtype, (y.dtype, u.dtype)
    assert tuple(y.shape) == tuple(u.shape)
    np.testing.assert_allclose(
        np.asarray(y.detach().numpy(), float), u.detach().double().numpy(), rtol=tol, atol=tol
    )


INTS = np.array([[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize("name", ["exp", "log", "log1p", "sqrt", "sin", "cos", "sigmoid", "tanh"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_float_valued_ops_of_integers_are_float32_like_torch(name, dtype):
    a = INTS.astype(dtype)
    same(getattr(gk, name)(gk.tensor(a)), getattr(torch, name)(torch.tensor(a)), 1e-6)


def test_true_division_of_integers_is_float32_like_torch():
    a, b = INTS, INTS[::-1] + 1
    same(gk.tensor(a) / gk.tensor(b), torch.tensor(a) / torch.tensor(b), 1e-6)
    same(gk.div(gk.tensor(a), 4), torch.div(torch.tensor(a), 4), 1e-6)


def test_division_by_a_constant_gives_the_numerator_its_gradient():
    x, t = (
        gk.tensor([1.0, -2.0, 3.0], requires_grad=True),
        torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True),
    )
    d = np.array([2.0, 4.0, -8.0])
    (x / gk.tensor(d)).sum().backward()
    (t / torch.tensor(d)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    y, u = gk.tensor(d, requires_grad=True), torch.tensor(d, requires_grad=True)
    (gk.tensor([1.0, -2.0, 3.0]) / y).sum().backward()
    (torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64) / u).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), u.grad.numpy())


@pytest.mark.parametrize(
    "base, exponent",
    [
        (INTS, 2), (INTS, 2.5), (INTS.astype("int32"), 3), (INTS > 3, 2), (INTS > 3, 0.5),
        (INTS.astype("float32"), 2), (INTS.astype("float32"), 1.5), (INTS * 0.5, 3),
    ],
)  # fmt: skip
def test_pow_by_a_number_keeps_torch_dtypes(base, exponent):
    same(gk.tensor(base) ** exponent, torch.tensor(base) ** exponent, 1e-6)
    same(gk.pow(gk.tensor(base), exponent), torch.pow(torch.tensor(base), exponent), 1e-6)


def test_pow_of_bool_tensors_computes_in_int64():
    # PyTorch has no bool pow; gradkit computes it as int64 (documented in gk.pow)
    a, b = np.array([True, False, True]), np.array([True, True, False])
    y = gk.pow(gk.tensor(a), gk.tensor(b))
    same(y, torch.pow(torch.tensor(a, dtype=torch.int64), torch.tensor(b, dtype=torch.int64)))


def test_pow_gradients_at_zero_warn_nothing_and_match_torch():
    a = np.array([0.0, 0.0, 2.0, 3.0])
    b = np.array([0.0, 2.0, 0.5, -1.0])
    x, y = gk.tensor(a, requires_grad=True), gk.tensor(b, requires_grad=True)
    s, u = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x**y).sum().backward()
    (s**u).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), s.grad.numpy())
    np.testing.assert_allclose(y.grad.numpy(), u.grad.numpy())
    # only the base needs a gradient: the exponent is a constant tensor
    x = gk.tensor(a, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x ** gk.tensor(b)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), s.grad.numpy())


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_tied_maximum_minimum_split_the_gradient_like_torch(op):
    a = np.array([1.0, 2.0, 3.0, -1.0])
    b = np.array([1.0, 5.0, 0.0, -1.0])
    x, y = gk.tensor(a, requires_grad=True), gk.tensor(b, requires_grad=True)
    s, u = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    g = np.array([1.0, 2.0, 3.0, 4.0])
    getattr(gk, op)(x, y).backward(gk.tensor(g))
    getattr(torch, op)(s, u).backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), s.grad.numpy())
    np.testing.assert_allclose(y.grad.numpy(), u.grad.numpy())


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_gradient_of_an_intermediate_keeps_float32(op):
    # autograd.grad with respect to a non-leaf returns the gradient as the op made it
    x = gk.tensor([1.0, 2.0, 3.0], dtype=gk.float32, requires_grad=True)
    h = x * 1.0
    (gh,) = gk.autograd.grad(getattr(gk, op)(h, gk.tensor([1.0, 0.0, 5.0])).sum(), h)
    assert gh.dtype == gk.float32
    s = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    hs = s * 1.0
    (gt,) = torch.autograd.grad(getattr(torch, op)(hs, torch.tensor([1.0, 0.0, 5.0])).sum(), hs)
    np.testing.assert_allclose(gh.numpy(), gt.numpy())


def test_where_gradient_of_an_intermediate_keeps_float32():
    x = gk.tensor([1.0, 2.0, 3.0], dtype=gk.float32, requires_grad=True)
    h = x * 1.0
    c = gk.tensor([True, False, True])
    (gh,) = gk.autograd.grad(gk.where(c, h, 0.0).sum(), h)
    assert gh.dtype == gk.float32
    np.testing.assert_array_equal(gh.numpy(), [1.0, 0.0, 1.0])


@pytest.mark.parametrize("lo, hi", [(-1.0, 2.0), (-1.0, None), (None, 2.0), (2.0, -1.0)])
def test_clamp_at_its_bounds_passes_the_gradient_like_torch(lo, hi):
    a = np.array([-2.0, -1.0, 0.0, 2.0, 3.0])
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = gk.clamp(x, min=lo, max=hi), torch.clamp(t, min=lo, max=hi)
    same(y, u)
    y.sum().backward()
    u.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("lo, hi", [(0.5, None), (None, 4.5), (1, 4.5), (1, 4)])
def test_clamp_of_integers_by_float_bounds_promotes_like_torch(lo, hi):
    same(gk.clamp(gk.tensor(INTS), min=lo, max=hi), torch.clamp(torch.tensor(INTS), lo, hi))
    a = INTS.astype("int32")
    same(gk.clip(gk.tensor(a), lo, hi), torch.clip(torch.tensor(a), lo, hi))


@pytest.mark.parametrize(
    "a, b",
    [
        (np.array([1.5, 2.5, 3.5]), np.array([-1.0, -2.0, -3.0])),
        (np.array([1, 2, 3], dtype="int32"), 7),
        (7, np.array([1, 2, 3], dtype="int32")),
        (0.5, np.array([1.0, 2.0, 3.0])),
        (np.array([1.0, 2.0, 3.0], dtype="float32"), 2),
        (1.0, 0.0),
        (1, 0),
    ],
)
def test_where_promotes_its_operands_like_torch(a, b):
    c = np.array([True, False, True])

    def conv(v, lib):
        return lib.tensor(v) if isinstance(v, np.ndarray) else v

    want = torch.where(torch.tensor(c), conv(a, torch), conv(b, torch))
    same(gk.where(gk.tensor(c), conv(a, gk), conv(b, gk)), want)
    same(gk.where(c, conv(a, gk), conv(b, gk)), want)
    same(gk.where(c.tolist(), conv(a, gk), conv(b, gk)), want)


def test_where_gradients_reach_both_branches_like_torch():
    c = np.array([True, False, True])
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    for req in [(True, True), (True, False), (False, True)]:
        x, y = gk.tensor(a, requires_grad=req[0]), gk.tensor(b, requires_grad=req[1])
        s, u = torch.tensor(a, requires_grad=req[0]), torch.tensor(b, requires_grad=req[1])
        gk.where(gk.tensor(c), x, y).backward(gk.tensor([1.0, 2.0, 3.0]))
        torch.where(torch.tensor(c), s, u).backward(torch.tensor([1.0, 2.0, 3.0], dtype=s.dtype))
        for mine, theirs in [(x, s), (y, u)]:
            if theirs.requires_grad:
                np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy())


def test_sub_gradient_with_a_constant_subtrahend_like_torch():
    x, t = gk.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    (x - gk.tensor([3.0, 4.0])).sum().backward()
    (t - torch.tensor([3.0, 4.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    y, u = gk.tensor([3.0, 4.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
    (gk.tensor([1.0, 2.0]) - y).sum().backward()
    (torch.tensor([1.0, 2.0]) - u).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), u.grad.numpy())


# ---------------------------------------------------------------- masked_fill
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_masked_fill_matches_torch(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    mask = np.array([True, False, True])  # broadcasts over rows
    for value in (-1, 2.5) if dtype != "int64" else (-1, 7):
        want = torch.tensor(a).masked_fill(torch.tensor(mask), value)
        same(gk.tensor(a).masked_fill(gk.tensor(mask), value), want)
        same(ew.masked_fill(gk.tensor(a), mask, value), want)
        same(gk.tensor(a).masked_fill(mask.tolist(), value), want)


def test_masked_fill_gradients_like_torch():
    a = np.arange(6.0).reshape(2, 3)
    mask = np.array([[True, False, False], [False, True, True]])
    g = np.arange(1.0, 7.0).reshape(2, 3)
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    x.masked_fill(gk.tensor(mask), 0.5).backward(gk.tensor(g))
    t.masked_fill(torch.tensor(mask), 0.5).backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    # a tensor value (0-d) that wants a gradient gets the masked entries' sum
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    v, w = gk.tensor(3.0, requires_grad=True), torch.tensor(3.0, requires_grad=True, dtype=t.dtype)
    y, u = x.masked_fill(gk.tensor(mask), v), t.masked_fill(torch.tensor(mask), w)
    same(y, u)
    y.backward(gk.tensor(g))
    u.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    np.testing.assert_allclose(v.grad.numpy(), w.grad.numpy())
    # a constant tensor value
    same(
        gk.tensor(a).masked_fill(gk.tensor(mask), gk.tensor(-2.0)),
        torch.tensor(a).masked_fill(torch.tensor(mask), torch.tensor(-2.0, dtype=torch.float64)),
    )


def test_masked_fill_rejects_bad_masks():
    x = gk.tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="bool"):
        x.masked_fill(gk.tensor([1, 0, 1]), 1.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        x.masked_fill(gk.tensor([True, False]), 1.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        x.masked_fill(gk.tensor(np.ones((4, 2, 3), bool)), 1.0)


# ---------------------------------------------------------------- the op factories
def test_unary_factory_builds_a_differentiable_op_from_the_input():
    Cube = ew._unary("Cube", "y = x³, dy/dx = 3x²", lambda x: x**3, lambda x, g: g * 3 * x * x, "x")
    assert Cube.__name__ == "Cube" and Cube.__doc__ == "Cube: y = x³, dy/dx = 3x²"
    assert issubclass(Cube, gk.autograd.Function) and Cube.differentiable_backward is True
    a = np.array([-1.5, 0.5, 2.0])
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = Cube.apply(x), t**3
    same(y, u)
    (gx,) = gk.autograd.grad(y.sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad(u.sum(), t, create_graph=True)
    same(gx, gt)
    gx.sum().backward()
    gt.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


def test_unary_factory_builds_an_op_whose_backward_reads_the_output():
    Exp = ew._unary("Exp", "y = eˣ, dy/dx = y", np.exp, lambda y, g: g * y, "y")
    a = np.array([-1.5, 0.5, 2.0])
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = Exp.apply(x), torch.exp(t)
    same(y, u)
    g = np.array([1.0, -2.0, 0.5])
    y.backward(gk.tensor(g))
    u.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize(
    "ufunc, name", [(np.less, "lt"), (np.greater_equal, "ge"), (np.equal, "eq")]
)
def test_comparison_factory_builds_torch_comparisons(ufunc, name):
    cmp = ew._comparison(ufunc)
    assert cmp.__name__ == ufunc.__name__ and f"numpy.{ufunc.__name__}" in cmp.__doc__
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    tfn = getattr(torch, name)
    same(cmp(gk.tensor(a), gk.tensor(b)), tfn(torch.tensor(a), torch.tensor(b)))
    same(cmp(gk.tensor(a), 2.0), tfn(torch.tensor(a), 2.0))
    same(cmp(gk.tensor(a), b), tfn(torch.tensor(a), torch.tensor(b)))
    assert cmp(gk.tensor(a), object()) is NotImplemented
    assert cmp(gk.tensor(a), "2") is NotImplemented


@pytest.mark.parametrize("name", ["lt", "le", "gt", "ge", "eq", "ne"])
def test_comparisons_match_torch(name):
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    tfn = getattr(torch, name)
    same(getattr(gk, name)(gk.tensor(a), gk.tensor(b)), tfn(torch.tensor(a), torch.tensor(b)))
    same(getattr(gk, name)(gk.tensor(a), 2), tfn(torch.tensor(a), 2))


@pytest.mark.parametrize("op", ["maximum", "minimum", "where"])
def test_float16_gradients_round_like_torch_through_a_chain(op):
    # the gradient stays float16 through every op, as in PyTorch: each product in the
    # chain rounds to float16 (a float64 gradient would round only once, at the leaf)
    rng = np.random.default_rng(5)
    a, c, d, g = (rng.uniform(0.5, 2.0, size=64).astype(np.float16) for _ in range(4))
    x, s = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    other = np.where(rng.random(64) < 0.5, a * c * d, -a * c * d).astype(np.float16)

    def run(lib, t):
        h = t * lib.tensor(c) * lib.tensor(d)
        o = lib.tensor(other)
        if op == "where":
            return lib.where(lib.tensor(other > 0), h, o)
        return getattr(lib, op)(h, o)

    run(gk, x).backward(gk.tensor(g))
    run(torch, s).backward(torch.tensor(g))
    assert x.grad.dtype == gk.float16
    np.testing.assert_array_equal(x.grad.numpy(), s.grad.numpy())
