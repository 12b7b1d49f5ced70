"""Running ops and products (issue 24; T-AUTODIFF): cumsum, cumprod, logcumsumexp and prod
with every spelling (dim=, axis=, dtype=, keepdim=/keepdims=), integer and 0-d inputs, and
zeros in products, against PyTorch in float64: values, gradients and second derivatives."""

import warnings

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")
TOL = dict(rtol=1e-11, atol=1e-12)


def check(fn, tfn, a, second=True):
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = fn(x), tfn(t)
    assert tuple(y.shape) == tuple(u.shape)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **TOL)
    rng = np.random.default_rng(int(np.nansum(np.abs(a)) * 100) % 1000)
    w = np.asarray(rng.normal(size=tuple(u.shape)))
    x2 = gk.tensor(a, requires_grad=True)
    fn(x2).backward(gk.tensor(w))
    (gt,) = torch.autograd.grad(u, t, torch.tensor(w), create_graph=second)
    np.testing.assert_allclose(x2.grad.numpy(), gt.detach().numpy(), **TOL)
    if not second:
        return
    (gx,) = gk.autograd.grad(y, x, gk.tensor(w), create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), gt.detach().numpy(), **TOL)
    v = rng.normal(size=a.shape)
    if not gx.requires_grad:  # a linear op (cumsum): its gradient is a constant
        assert (
            not gt.requires_grad
            or not torch.autograd.grad(
                (gt * torch.tensor(v)).sum(), t, allow_unused=True, materialize_grads=True
            )[0].any()
        )
        return
    (h,) = gk.autograd.grad((gx * gk.tensor(v)).sum(), x)
    (ht,) = torch.autograd.grad((gt * torch.tensor(v)).sum(), t)
    np.testing.assert_allclose(h.numpy(), ht.numpy(), **TOL)


A = np.random.default_rng(0).normal(size=(3, 4)) + 0.5
ZEROS = {
    "none": A,
    "one": np.where(np.arange(12).reshape(3, 4) == 5, 0.0, A),
    "first": np.where(np.arange(4) == 0, 0.0, A),
    "last": np.where(np.arange(4) == 3, 0.0, A),
    "two": np.where(np.isin(np.arange(12).reshape(3, 4), [1, 2, 9]), 0.0, A),
    "all": np.zeros((3, 4)),
}


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_running_ops_dim_and_axis_match_torch(name, dim):
    # logcumsumexp has no double backward in gradkit (it raises, saying so)
    second = name != "logcumsumexp"
    fn, tfn = getattr(gk, name), getattr(torch, name)
    check(lambda x: fn(x, dim), lambda t: tfn(t, dim), A, second)
    check(lambda x: fn(x, dim=dim), lambda t: tfn(t, dim=dim), A, second)
    check(lambda x: fn(x, axis=dim), lambda t: tfn(t, dim), A, second)
    check(lambda x: getattr(x, name)(dim), lambda t: getattr(t, name)(dim), A, second)


@pytest.mark.parametrize("zeros", list(ZEROS))
@pytest.mark.parametrize("dim", [0, 1])
def test_cumprod_with_zeros_matches_torch(zeros, dim):
    check(lambda x: gk.cumprod(x, dim), lambda t: torch.cumprod(t, dim), ZEROS[zeros])


@pytest.mark.parametrize("zeros", list(ZEROS))
@pytest.mark.parametrize(
    "kw", [{}, {"dim": 0}, {"dim": 1}, {"dim": 1, "keepdim": True}, {"dim": -2, "keepdim": True}]
)
def test_prod_with_zeros_matches_torch(zeros, kw):
    check(lambda x: gk.prod(x, **kw), lambda t: torch.prod(t, **kw), ZEROS[zeros])
    check(lambda x: x.prod(**kw), lambda t: t.prod(**kw), ZEROS[zeros])


def test_prod_numpy_spellings():
    a = ZEROS["one"]
    check(lambda x: gk.prod(x, axis=1, keepdims=True), lambda t: torch.prod(t, 1, keepdim=True), a)
    check(lambda x: gk.prod(x, axis=0), lambda t: torch.prod(t, 0), a)


def test_prod_over_several_axes_with_zeros():
    # a tuple of dims (NumPy's spelling): the product of the others is exact at the zeros
    a = np.random.default_rng(3).normal(size=(2, 3, 2))
    a[0, 1, 0] = 0.0
    a[1, 2, 1] = a[1, 0, 0] = 0.0
    check(
        lambda x: gk.prod(x, axis=(0, 2)),
        lambda t: torch.prod(torch.prod(t, 2), 0),
        a,
    )


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["int32", "bool", "int64"])
def test_running_ops_of_integers_give_int64_like_torch(name, dtype):
    a = np.array([[1, 0, 3], [2, 2, 1]]).astype(dtype)
    y, u = getattr(gk, name)(gk.tensor(a), 1), getattr(torch, name)(torch.tensor(a), 1)
    assert y.dtype == gk.int64 and u.dtype == torch.int64
    np.testing.assert_array_equal(y.numpy(), u.numpy())


@pytest.mark.parametrize("dtype", ["int32", "bool"])
def test_prod_of_integers_gives_int64_like_torch(dtype):
    a = np.array([[1, 3, 3], [2, 2, 1]]).astype(dtype)
    for kw in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}):
        y, u = gk.prod(gk.tensor(a), **kw), torch.prod(torch.tensor(a), **kw)
        assert y.dtype == gk.int64 and u.dtype == torch.int64
        assert tuple(y.shape) == tuple(u.shape)
        np.testing.assert_array_equal(y.numpy(), u.numpy())


def test_logcumsumexp_of_integers_is_float32_like_torch():
    a = np.array([[1, 0, 3], [2, 2, 1]])
    y = gk.logcumsumexp(gk.tensor(a), 1)
    assert y.dtype == gk.float32
    np.testing.assert_allclose(
        y.numpy(), torch.logcumsumexp(torch.tensor(a, dtype=torch.float32), 1).numpy(), rtol=1e-6
    )


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "prod"])
def test_dtype_option_casts_first_like_torch(name):
    a = np.array([[1, 2, 3], [4, 5, 6]])
    for dt, tdt in [
        (gk.float64, torch.float64),
        (gk.float32, torch.float32),
        (gk.int32, torch.int32),
    ]:
        args = () if name == "prod" else (1,)
        y = getattr(gk, name)(gk.tensor(a), *args, dtype=dt)
        u = getattr(torch, name)(torch.tensor(a), *args, dtype=tdt)
        assert str(y.dtype).split(".")[-1] == str(u.dtype).split(".")[-1] or (
            dt == gk.int32 and y.dtype == gk.int64
        )
        np.testing.assert_allclose(y.numpy(), u.numpy(), rtol=1e-6)
    # a float32 input with dtype=float64: a float64 result, a float32 gradient (PyTorch
    # sums that gradient in float32, gradkit in float64 before rounding: an ulp apart)
    b = np.array([[1.5, 2.0, -3.0], [4.0, 0.5, 6.0]], dtype=np.float32)
    x, t = gk.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    y, u = (
        getattr(gk, name)(x, *args, dtype=gk.float64),
        getattr(torch, name)(t, *args, dtype=torch.float64),
    )
    assert y.dtype == gk.float64
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=1e-12)
    w = np.random.default_rng(4).normal(size=tuple(u.shape))
    y.backward(gk.tensor(w))
    u.backward(torch.tensor(w))
    assert x.grad.dtype == gk.float32
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp"])
def test_running_ops_of_a_0d_tensor_match_torch(name):
    check(
        lambda x: getattr(gk, name)(x, 0),
        lambda t: getattr(torch, name)(t, 0),
        np.array(1.7),
        False,
    )
    y = getattr(gk, name)(gk.tensor(np.array(3)), 0) if name != "logcumsumexp" else None
    if y is not None:
        assert y.shape == () and y.dtype == gk.int64 and int(y) == 3


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp"])
def test_running_ops_need_a_dim(name):
    with pytest.raises(TypeError, match=rf"^{name}\(\) missing required argument 'dim'"):
        getattr(gk, name)(gk.tensor(A))


def test_logcumsumexp_far_apart_values_and_mixed_sign_gradients_match_torch():
    a = np.array([[-800.0, 0.0, 700.0, 1.0, -5.0], [3.0, 3.0, 3.0, -1000.0, 2.0]])
    check(lambda x: gk.logcumsumexp(x, 1), lambda t: torch.logcumsumexp(t, 1), a, second=False)
    check(lambda x: gk.logcumsumexp(x, 0), lambda t: torch.logcumsumexp(t, 0), a, second=False)


def test_cumsum_reverse_gradient_matches_torch_flip():
    # the backward of cumsum is a reversed running sum; differentiating it again runs the
    # forward direction
    check(lambda x: gk.cumsum(x, 1), lambda t: torch.cumsum(t, 1), A)
    check(
        lambda x: gk.cumsum(x.flip(1), 1).flip(1),
        lambda t: torch.cumsum(t.flip(1), 1).flip(1),
        A,
    )


def test_logcumsumexp_gradient_with_zero_and_negative_upstream_entries():
    # exact zeros in g take neither the positive nor the negative part, quietly
    a = np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -3.0, 4.0]])
    g = np.array([[0.0, 1.5, -2.0, 0.0], [0.0, 0.0, 0.0, -1.0]])
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gk.logcumsumexp(x, 1).backward(gk.tensor(g))
    torch.logcumsumexp(t, 1).backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **TOL)
