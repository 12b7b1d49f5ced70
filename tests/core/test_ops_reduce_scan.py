"""Reductions and running reductions with PyTorch's semantics (concepts T-TENSOR,
T-AUTODIFF): dims and keepdim, tuple dims, 0-d tensors, out-of-range dims, output dtypes,
var/std corrections, prod/cumprod with zeros, and float64 gradcheck, gradgradcheck and
PyTorch parity for every differentiable one.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch


def _with_zeros(a, where):
    a = a.copy()
    a.reshape(-1)[list(where)] = 0.0
    return a


RNG = np.random.default_rng(16)
ZEROS_1 = _with_zeros(RNG.standard_normal((3, 4)), [1, 6])  # one zero in rows 0 and 1
ZEROS_2 = _with_zeros(RNG.standard_normal((3, 4)), [1, 2, 9])  # two zeros in row 0
CONST = np.array([[2.0, 2.0, 2.0], [1.0, -1.0, 3.0]])
NANS = _with_zeros(RNG.standard_normal((3, 4)), [])
NANS.reshape(-1)[[0, 5, 6]] = np.nan

# (id, gradkit fn, torch fn, inputs: shapes or arrays)
CASES = [
    ("sum-dim", lambda a: a.sum(1), lambda a: a.sum(1), [(3, 4, 2)]),
    ("sum-neg-keepdim", lambda a: a.sum(-1, True), lambda a: a.sum(-1, True), [(3, 4)]),
    ("sum-tuple", lambda a: gk.sum(a, dim=(0, 2)), lambda a: torch.sum(a, dim=(0, 2)), [(2, 3, 4)]),
    ("sum-empty-tuple", lambda a: a.sum(dim=()), lambda a: a.sum(dim=()), [(2, 3)]),
    ("sum-0d-dim0", lambda a: a.sum(0), lambda a: a.sum(0), [()]),
    ("sum-0d-dim-1-keep", lambda a: a.sum(-1, keepdim=True), lambda a: a.sum(-1, True), [()]),
    (
        "mean-tuple-keep",
        lambda a: a.mean((0, 1), True),
        lambda a: a.mean((0, 1), True),
        [(2, 3, 2)],
    ),
    ("mean-0d", lambda a: a.mean(0), lambda a: a.mean(0), [()]),
    ("var-unbiased-false", lambda a: a.var(1, False), lambda a: a.var(1, False), [(3, 5)]),
    ("var-bool-first", lambda a: a.var(False), lambda a: a.var(False), [(3, 5)]),
    (
        "var-correction2",
        lambda a: a.var(dim=0, correction=2, keepdim=True),
        lambda a: a.var(dim=0, correction=2, keepdim=True),
        [(6, 2)],
    ),
    ("std-dim", lambda a: a.std(1), lambda a: a.std(1), [(3, 5)]),
    ("std-all", lambda a: a.std(), lambda a: a.std(), [(3, 5)]),
    (
        "std-correction0-tuple",
        lambda a: gk.std(a, (0, 2), correction=0),
        lambda a: torch.std(a, (0, 2), correction=0),
        [(2, 3, 4)],
    ),
    ("std-constant-row", lambda a: a.std(1), lambda a: a.std(1), [CONST]),
    ("std-constant-all", lambda a: a[0].std(), lambda a: a[0].std(), [CONST]),
    ("amax-tuple", lambda a: a.amax((0, 2)), lambda a: a.amax((0, 2)), [(2, 3, 4)]),
    ("amin-keep", lambda a: gk.amin(a, 1, True), lambda a: torch.amin(a, 1, True), [(3, 4)]),
    ("amax-ties", lambda a: a.amax(1), lambda a: a.amax(1), [CONST]),
    ("max-all-ties", lambda a: a.max(), lambda a: a.max(), [np.array([[1.0, 3.0], [3.0, 3.0]])]),
    ("min-all", lambda a: gk.min(a), lambda a: torch.min(a), [(3, 4)]),
    ("aminmax-min", lambda a: a.aminmax(dim=0).min, lambda a: a.aminmax(dim=0).min, [CONST]),
    ("aminmax-max", lambda a: gk.aminmax(a)[1], lambda a: torch.aminmax(a)[1], [(3, 4)]),
    ("logsumexp-dim", lambda a: a.logsumexp(1), lambda a: a.logsumexp(1), [(3, 4)]),
    ("nansum", lambda a: a.nansum(1), lambda a: a.nansum(1), [NANS]),
    ("nanmean", lambda a: gk.nanmean(a, 0), lambda a: torch.nanmean(a, 0), [NANS]),
    ("nansum-all", lambda a: gk.nansum(a), lambda a: torch.nansum(a), [NANS]),
    ("prod-all", lambda a: a.prod(), lambda a: a.prod(), [(2, 3)]),
    ("prod-dim", lambda a: a.prod(1), lambda a: a.prod(1), [(3, 4)]),
    ("prod-keepdim", lambda a: gk.prod(a, 0, True), lambda a: torch.prod(a, 0, True), [(3, 4)]),
    ("prod-one-zero", lambda a: a.prod(1), lambda a: a.prod(1), [ZEROS_1]),
    ("prod-two-zeros", lambda a: a.prod(1), lambda a: a.prod(1), [ZEROS_2]),
    ("prod-all-one-zero", lambda a: a[0].prod(), lambda a: a[0].prod(), [ZEROS_1]),
    ("prod-0d", lambda a: a.prod(0), lambda a: a.prod(0), [()]),
    ("cumsum", lambda a: a.cumsum(1), lambda a: a.cumsum(1), [(3, 4)]),
    ("cumsum-neg", lambda a: gk.cumsum(a, dim=-3), lambda a: torch.cumsum(a, dim=-3), [(3, 2, 2)]),
    ("cumsum-0d", lambda a: a.cumsum(0), lambda a: a.cumsum(0), [()]),
    ("cumprod", lambda a: a.cumprod(1), lambda a: a.cumprod(1), [(3, 4)]),
    ("cumprod-dim0", lambda a: gk.cumprod(a, 0), lambda a: torch.cumprod(a, 0), [(4, 3)]),
    ("cumprod-one-zero", lambda a: a.cumprod(1), lambda a: a.cumprod(1), [ZEROS_1]),
    ("cumprod-two-zeros", lambda a: a.cumprod(1), lambda a: a.cumprod(1), [ZEROS_2]),
    (
        "cumprod-zero-first",
        lambda a: a.cumprod(0),
        lambda a: a.cumprod(0),
        [np.array([0.0, 2.0, -1.5, 0.5])],
    ),
    ("cumprod-0d", lambda a: a.cumprod(0), lambda a: a.cumprod(0), [()]),
    ("logcumsumexp", lambda a: a.logcumsumexp(1), lambda a: a.logcumsumexp(1), [(3, 5)]),
    (
        "logcumsumexp-large",
        lambda a: gk.logcumsumexp(a * 300, 0),
        lambda a: torch.logcumsumexp(a * 300, 0),
        [(6, 2)],
    ),
]
IDS = [c[0] for c in CASES]


def _arrays(inputs, seed):
    shapes = [s for s in inputs if not isinstance(s, np.ndarray)]
    drawn = iter(random_inputs(shapes, seed=seed))
    return [s if isinstance(s, np.ndarray) else next(drawn) for s in inputs]


@pytest.mark.parametrize("name, gk_fn, torch_fn, inputs", CASES, ids=IDS)
def test_gradcheck(name, gk_fn, torch_fn, inputs):
    """T-AUTODIFF: backprop matches float64 central differences."""
    if name.startswith(("nan", "std-constant", "amax-ties", "max-all-ties", "aminmax-min")):
        pytest.skip("not differentiable at NaN / ties / a constant slice: parity covers it")
    arrays = _arrays(inputs, seed=3)
    assert gradcheck(gk_fn, *[gk.tensor(a) for a in arrays], atol=1e-6, rtol=1e-4)


@requires_torch
@pytest.mark.parametrize("name, gk_fn, torch_fn, inputs", CASES, ids=IDS)
def test_torch_parity(name, gk_fn, torch_fn, inputs):
    """T-TENSOR: value, shape, output dtype and every input gradient equal PyTorch's."""
    arrays = _arrays(inputs, seed=5)
    assert_parity(gk_fn, torch_fn, arrays)
    out = gk_fn(*[gk.tensor(a) for a in arrays])
    assert out.dtype.name == str(torch_fn(*[torch.tensor(a) for a in arrays]).dtype)[6:]


def test_prod_and_cumprod_zero_gradients_by_hand():
    """T-AUTODIFF: the gradient at a zero is the product of the others (not NaN, not 0)."""
    x = gk.tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 24.0, 0.0, 0.0]
    x = gk.tensor([2.0, 0.0, 3.0], requires_grad=True)
    x.cumprod(0).sum().backward()  # y = (2, 0, 0): dy/dx0 = 1, dy/dx1 = 2 + 2·3, dy/dx2 = 0
    assert x.grad.tolist() == [1.0, 8.0, 0.0]


def test_std_of_a_constant_has_zero_gradient():
    """T-AUTODIFF: PyTorch gives 0 (not NaN) for the gradient of std at a constant slice."""
    x = gk.tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]], requires_grad=True)
    x.std(1).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    assert x.grad.numpy()[0].tolist() == [0.0, 0.0, 0.0]


GRADGRAD = [
    ("sum", lambda a: a.sum((0, 1)) ** 2, (3, 4, 2)),
    ("std", lambda a: a.std(1), (3, 4)),
    ("var", lambda a: a.var(0, correction=0), (3, 4)),
    ("prod", lambda a: a.prod(1), (3, 4)),
    ("prod-zero", lambda a: a.prod(1), ZEROS_1),
    ("cumsum", lambda a: a.cumsum(1) ** 2, (3, 4)),
    ("cumprod", lambda a: a.cumprod(1), (3, 4)),
    ("cumprod-zero", lambda a: a.cumprod(1), ZEROS_1),
    ("amax", lambda a: a.amax(1) * a.sum(), (3, 4)),
    ("nanmean", lambda a: gk.nanmean(a * a, 1), (3, 4)),
]


@pytest.mark.parametrize("name, fn, shape", GRADGRAD, ids=[g[0] for g in GRADGRAD])
def test_gradgradcheck(name, fn, shape):
    """T-AUTODIFF: the recorded backward differentiates again (create_graph=True)."""
    a = shape if isinstance(shape, np.ndarray) else random_inputs([shape], seed=7)[0]
    assert gradgradcheck(fn, gk.tensor(a), atol=1e-6, rtol=1e-4)


@requires_torch
@pytest.mark.parametrize("name", ["prod-zero", "cumprod-zero", "std", "cumprod"])
def test_second_derivative_parity(name):
    """T-AUTODIFF: ∂/∂x Σ(∂L/∂x)² equals PyTorch's, zeros included."""
    fn, shape = {g[0]: (g[1], g[2]) for g in GRADGRAD}[name]
    a = shape if isinstance(shape, np.ndarray) else random_inputs([shape], seed=8)[0]
    v = np.random.default_rng(2).standard_normal(fn(gk.tensor(a)).shape)
    x = gk.tensor(a, requires_grad=True)
    (g,) = gk.autograd.grad(fn(x), [x], grad_outputs=gk.tensor(v), create_graph=True)
    (g * g).sum().backward()
    t = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad(fn(t), [t], grad_outputs=torch.tensor(v), create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- dtypes and booleans
@requires_torch
@pytest.mark.parametrize(
    "expr",
    [
        "x.sum()", "x.sum(0)", "x.prod()", "x.prod(1)", "x.cumsum(1)", "x.cumprod(0)",
        "x.all()", "x.any(1)", "x.all(dim=(0, 1), keepdim=True)", "x.count_nonzero()",
        "x.count_nonzero(dim=1)", "x.amax(1)", "x.argmax()", "x.argmin(1, keepdim=True)",
        "x.nansum(0)",
    ],
)  # fmt: skip
@pytest.mark.parametrize("dtype", ["bool", "int32", "int64", "uint8", "float32"])
def test_integer_and_bool_results_match_torch(expr, dtype):
    """T-TENSOR: values, shapes and dtypes of reductions of bool/int tensors (int64 sums,
    bool all/any, uint8 all/any of uint8) equal PyTorch's."""
    data = np.array([[0, 3, 1], [2, 0, 0]]).astype(dtype)
    if dtype == "bool" and "arg" in expr:
        pytest.skip("PyTorch's argmax/argmin refuse bool input")
    ours = eval(expr, {"x": gk.tensor(data)})
    ref = eval(expr, {"x": torch.tensor(data)})
    assert ours.dtype.name == str(ref.dtype)[6:], (ours.dtype, ref.dtype)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_sum_of_bool_and_int_is_int64():
    """T-TENSOR: as PyTorch, sums of bool and small int tensors are int64."""
    assert gk.tensor([True, True, False]).sum().dtype == np.int64
    assert gk.tensor(np.array([200, 100], dtype=np.uint8)).sum().item() == 300
    assert gk.tensor(np.array([1, 2], dtype=np.int32)).sum(0).dtype == np.int64


def test_mean_of_integer_tensor_raises_like_torch():
    """T-TENSOR: mean() of an integer tensor is refused (PyTorch's RuntimeError); dtype=
    makes it float."""
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        gk.tensor([1, 2]).mean()
    assert gk.tensor([1, 2]).mean(dtype=gk.float64).item() == 1.5
    with pytest.raises(RuntimeError, match="floating point"):
        gk.tensor([1, 2]).var()


# ---------------------------------------------------------------- dims
@pytest.mark.parametrize(
    "call, shape, message",
    [
        (lambda x: x.sum(5), (2, 3), r"\[-2, 1\], but got 5"),
        (lambda x: x.mean(-3), (2, 3), r"\[-2, 1\], but got -3"),
        (lambda x: x.sum(1), (), r"\[-1, 0\], but got 1"),
        (lambda x: x.amax((0, 4)), (2, 3), r"\[-2, 1\], but got 4"),
        (lambda x: x.var(2), (2, 3), r"but got 2"),
        (lambda x: x.cumsum(2), (2, 3), r"but got 2"),
        (lambda x: x.prod(3), (2, 3), r"but got 3"),
        (lambda x: x.all(2), (2, 3), r"but got 2"),
        (lambda x: x.argmax(2), (2, 3), r"but got 2"),
        (lambda x: x.logsumexp(-4), (2, 3), r"but got -4"),
    ],
)
def test_out_of_range_dim_raises_index_error(call, shape, message):
    """T-TENSOR: an out-of-range dim raises IndexError in PyTorch's words (never wraps)."""
    with pytest.raises(IndexError, match="Dimension out of range \\(expected to be in range of"):
        call(gk.zeros(shape))
    with pytest.raises(IndexError, match=message):
        call(gk.zeros(shape))


def test_repeated_dim_is_an_error():
    with pytest.raises(RuntimeError, match="dim 1 appears multiple times"):
        gk.zeros((2, 3)).sum((1, -1))


def test_reductions_of_0d_tensors():
    """T-TENSOR: dims 0 and -1 of a 0-d tensor reduce nothing and keep it 0-d."""
    x = gk.tensor(3.0)
    for out in (x.sum(0), x.sum(-1), x.mean(0), x.amax(0), x.prod(0), x.cumsum(0), x.std(0)):
        assert out.shape == ()
    assert x.sum(0).item() == 3.0 and x.cumsum(-1).item() == 3.0
    assert x.sum(0, keepdim=True).shape == ()


def test_axis_and_keepdims_aliases():
    """NumPy's spellings still work and mean the same as PyTorch's."""
    a = gk.tensor(np.arange(6.0).reshape(2, 3))
    assert a.sum(axis=1, keepdims=True).tolist() == a.sum(dim=1, keepdim=True).tolist()
    assert a.var(axis=0, ddof=0).tolist() == a.var(0, correction=0).tolist()
    with pytest.raises(TypeError, match="not both"):
        a.sum(dim=0, axis=1)
    with pytest.raises(TypeError, match="not both"):
        a.var(0, True, correction=1)


def test_empty_reductions():
    """T-TENSOR: reducing an empty dim: sum 0, prod 1, amax refuses like PyTorch."""
    e = gk.zeros((0, 3))
    assert e.sum(0).tolist() == [0.0, 0.0, 0.0]
    assert e.prod(0).tolist() == [1.0, 1.0, 1.0]
    assert e.all(0).tolist() == [True, True, True]
    with pytest.raises(IndexError, match="amax\\(\\): Expected reduction dim 0 to have non-zero"):
        e.amax(0)
    with pytest.raises(RuntimeError, match="Specify the reduction dim"):
        e.max()
    assert e.amax(1).shape == (0,)


def test_logical_reductions():
    m = gk.tensor([[True, False], [True, True]])
    assert m.all(1).tolist() == [False, True]
    assert m.any(0, keepdim=True).tolist() == [[True, True]]
    assert gk.all(m).item() is False and gk.any(m).item() is True
    assert gk.count_nonzero(gk.tensor([[0.0, 1.5], [2.0, 0.0]]), dim=0).tolist() == [1, 1]
