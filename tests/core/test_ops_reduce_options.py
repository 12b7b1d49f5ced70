"""Reductions (issue 24; L-LSE for logsumexp): every dim= / keepdim= / correction=
spelling, and the NumPy spellings axis= / keepdims= / ddof=, against PyTorch and NumPy,
values and gradients; tied extrema share the gradient as in PyTorch."""

import warnings

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.normal(size=(2, 3, 4))
A_NAN = A.copy()
A_NAN[0, 1, 2] = A_NAN[1, 0, 0] = np.nan
DIMS = [{"dim": 1}, {"dim": (0, 2)}, {"dim": -1, "keepdim": True}, {"dim": (0, 1), "keepdim": True}]


def check(fn, tfn, arr=A):
    x = gk.tensor(arr, requires_grad=True)
    t = torch.tensor(arr, requires_grad=True)
    y, u = fn(x), tfn(t)
    assert tuple(y.shape) == tuple(u.shape)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(1).normal(size=tuple(u.shape))
    y.backward(gk.tensor(g))
    u.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kw", DIMS)
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp"])
def test_reduce_dim_keepdim_match_torch(name, kw):
    check(lambda x: getattr(gk, name)(x, **kw), lambda t: getattr(torch, name)(t, **kw))
    check(lambda x: getattr(x, name)(**kw), lambda t: getattr(t, name)(**kw))


@pytest.mark.parametrize("kw", DIMS)
@pytest.mark.parametrize("name", ["nansum", "nanmean"])
def test_reduce_nan_reductions_match_torch(name, kw):
    check(lambda x: getattr(gk, name)(x, **kw), lambda t: getattr(torch, name)(t, **kw), A_NAN)


@pytest.mark.parametrize("kw", [{}, *DIMS])
@pytest.mark.parametrize("name", ["var", "std"])
def test_reduce_var_std_correction_match_torch(name, kw):
    for c in (0, 1, 2):
        check(
            lambda x, c=c: getattr(gk, name)(x, correction=c, **kw),
            lambda t, c=c: getattr(torch, name)(t, correction=c, **kw),
        )
    check(
        lambda x: getattr(gk, name)(x, unbiased=False, **kw),
        lambda t: getattr(torch, name)(t, unbiased=False, **kw),
    )


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "amax", "amin", "nansum"])
def test_reduce_numpy_spellings_match_numpy(name):
    extra = {"ddof": 1} if name in ("var", "std") else {}
    ref = getattr(np, {"amax": "max", "amin": "min"}.get(name, name))(
        A, axis=(0, 2), keepdims=True, **extra
    )
    got = getattr(gk, name)(gk.tensor(A), axis=(0, 2), keepdims=True, **extra)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-12)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.amax(dim=1),
        lambda m: m.amin(dim=1),
        lambda m: m.amax(),
        lambda m: m.max(),
        lambda m: m.min(),
        lambda m: m.max(dim=1).values,
        lambda m: m.amax(dim=0, keepdim=True),
    ],
)
def test_reduce_tied_extrema_share_gradient(fn):
    tie = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [-1.0, -1.0, 0.0]])
    check(fn, fn, tie)


def test_reduce_tied_amax_closed_form():
    x = gk.tensor([1.0, 3.0, 3.0], requires_grad=True)
    gk.amax(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.5])


@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}])
def test_reduce_index_and_logical_match_torch(kw):
    for name in ("argmax", "argmin"):
        got = getattr(gk, name)(gk.tensor(A), **kw).numpy()
        np.testing.assert_array_equal(got, getattr(torch, name)(torch.tensor(A), **kw).numpy())
    B = A > 0.3
    for name in ("all", "any"):
        got = getattr(gk, name)(gk.tensor(B), **kw).numpy()
        np.testing.assert_array_equal(got, getattr(torch, name)(torch.tensor(B), **kw).numpy())
    kc = {k: v for k, v in kw.items() if k == "dim"}
    np.testing.assert_array_equal(
        gk.count_nonzero(gk.tensor(B), **kc).numpy(),
        torch.count_nonzero(torch.tensor(B), **kc).numpy(),
    )


@pytest.mark.parametrize("kw", [{"dim": 1}, {"dim": 0, "keepdim": True}, {}])
def test_reduce_aminmax_matches_torch(kw):
    lo, hi = gk.aminmax(gk.tensor(A), **kw)
    tlo, thi = torch.aminmax(torch.tensor(A), **kw)
    np.testing.assert_array_equal(lo.numpy(), tlo.numpy())
    np.testing.assert_array_equal(hi.numpy(), thi.numpy())


def test_reduce_var_std_degenerate_denominator_match_torch():
    # N − correction ≤ 0: PyTorch divides by max(N − correction, 0) (with a UserWarning);
    # NumPy's division warnings must not leak out
    x = np.array([[1.0, 2.0], [3.0, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", RuntimeWarning)
        for kw in ({"dim": 1, "correction": 2}, {"dim": 1, "correction": 3}, {"correction": 4}):
            for name in ("var", "std"):  # values only: the gradient is undefined there
                got = getattr(gk, name)(gk.tensor(x), **kw).numpy()
                np.testing.assert_allclose(got, getattr(torch, name)(torch.tensor(x), **kw).numpy())
        one = np.array([[5.0], [7.0]])
        for name in ("var", "std"):
            check(
                lambda a, n=name: getattr(gk, n)(a, dim=1),
                lambda t, n=name: getattr(torch, n)(t, dim=1),
                one,
            )


def test_reduce_std_constant_slice_gradient_matches_torch():
    x = np.array([[2.0, 2.0, 2.0], [1.0, 4.0, 0.5]])
    for kw in ({"dim": 1}, {"dim": 1, "keepdim": True}):
        check(lambda a, kw=kw: gk.std(a, **kw), lambda t, kw=kw: torch.std(t, **kw), x)


def test_reduce_unbiased_and_ddof_spellings():
    for unbiased in (True, False):
        check(lambda a, u=unbiased: gk.var(a, 1, u), lambda t, u=unbiased: torch.var(t, 1, u))
        check(
            lambda a, u=unbiased: gk.std(a, dim=0, unbiased=u),
            lambda t, u=unbiased: torch.std(t, dim=0, unbiased=u),
        )
    for ddof in (0, 2):
        for name in ("var", "std"):
            got = getattr(gk, name)(gk.tensor(A), axis=1, ddof=ddof).numpy()
            np.testing.assert_allclose(got, getattr(np, name)(A, axis=1, ddof=ddof), rtol=1e-12)


def test_reduce_logsumexp_stable_per_slice_and_integer_input():
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0]])
    for kw in ({"dim": 1}, {"dim": 0}, {"dim": 1, "keepdim": True}):
        check(lambda a, kw=kw: gk.logsumexp(a, **kw), lambda t, kw=kw: torch.logsumexp(t, **kw), x)
    xi = np.array([[1, 2, 3], [4, 5, 7]])
    got, ref = gk.logsumexp(gk.tensor(xi), dim=1), torch.logsumexp(torch.tensor(xi), dim=1)
    assert str(got.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1] == "float32"
    np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-6)


def test_reduce_nan_reductions_dtype_integers_and_numpy_spellings():
    xi = np.array([[1, 2, 3], [4, 5, 7]])
    for kw in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}):
        np.testing.assert_array_equal(
            gk.nansum(gk.tensor(xi), **kw).numpy(), torch.nansum(torch.tensor(xi), **kw).numpy()
        )
        got = gk.nanmean(gk.tensor(xi), dtype=gk.float64, **kw).numpy()
        npkw = {"axis": kw.get("dim"), "keepdims": kw.get("keepdim", False)}
        np.testing.assert_allclose(got, np.nanmean(xi.astype(np.float64), **npkw), rtol=1e-12)
    with pytest.raises(RuntimeError, match="floating point"):
        gk.nanmean(gk.tensor(xi))  # as torch.nanmean: an integer tensor needs dtype=
    x32 = A_NAN.astype(np.float32)
    for name in ("nansum", "nanmean"):
        got = getattr(gk, name)(gk.tensor(x32), dim=1, dtype=gk.float64)
        ref = getattr(torch, name)(torch.tensor(x32), dim=1, dtype=torch.float64)
        assert got.numpy().dtype == np.float64
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-12)
        got = getattr(gk, name)(gk.tensor(x32), dim=1)
        assert got.numpy().dtype == np.float32
        np.testing.assert_allclose(got.numpy(), getattr(np, name)(x32, axis=1), rtol=1e-6)
        got = getattr(gk, name)(gk.tensor(A_NAN), axis=(0, 2), keepdims=True).numpy()
        np.testing.assert_allclose(got, getattr(np, name)(A_NAN, axis=(0, 2), keepdims=True))
    all_nan = np.array([[np.nan, np.nan], [1.0, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the 0/0 of an all-NaN slice is silent, as in torch
        got = gk.nanmean(gk.tensor(all_nan), dim=1).numpy()
    np.testing.assert_array_equal(got, torch.nanmean(torch.tensor(all_nan), dim=1).numpy())


def test_reduce_arg_extreme_logical_count_numpy_spellings_and_shapes():
    B = A > 0.3
    for name in ("argmax", "argmin"):
        ours, ref = getattr(gk, name), getattr(np, name)
        np.testing.assert_array_equal(
            ours(gk.tensor(A), axis=1, keepdims=True).numpy(), ref(A, axis=1, keepdims=True)
        )
        for x in (A, np.array(3.5), np.array([2.0])):  # n-d, 0-d and one element
            for kw in ({}, {"keepdim": True}, {"dim": 0}, {"dim": 0, "keepdim": True}):
                got = ours(gk.tensor(x), **kw).numpy()
                want = getattr(torch, name)(torch.tensor(x), **kw).numpy()
                assert got.shape == want.shape
                np.testing.assert_array_equal(got, want)
        with pytest.raises(RuntimeError, match=name):
            ours(gk.tensor(np.zeros((0, 3))))
        with pytest.raises(IndexError, match=name):
            ours(gk.tensor(np.zeros((0, 3))), dim=0)
        np.testing.assert_array_equal(ours(gk.tensor(np.zeros((0, 3))), dim=1).numpy(), [])
    for name in ("all", "any"):
        got = getattr(gk, name)(gk.tensor(B), axis=(0, 2), keepdims=True).numpy()
        np.testing.assert_array_equal(got, getattr(np, name)(B, axis=(0, 2), keepdims=True))
    np.testing.assert_array_equal(
        gk.count_nonzero(gk.tensor(B), axis=(0, 2)).numpy(), np.count_nonzero(B, axis=(0, 2))
    )


def test_reduce_dtype_keyword_matches_torch():
    xi = np.array([[1, 2, 3], [4, 5, 7]])
    for name in ("sum", "nansum"):
        for x, dt in ((xi, "float64"), (A, "float32"), (A.astype(np.float32), "float64")):
            got = getattr(gk, name)(gk.tensor(x), dim=1, dtype=getattr(gk, dt))
            ref = getattr(torch, name)(torch.tensor(x), dim=1, dtype=getattr(torch, dt))
            assert got.numpy().dtype == np.dtype(dt)
            np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-6)
    got = gk.mean(gk.tensor(xi), dim=0, dtype=gk.float64).numpy()
    np.testing.assert_allclose(got, torch.mean(torch.tensor(xi), dim=0, dtype=torch.float64))
    # integer products keep their shape with keepdim (prod shares the reduced-shape helper)
    for kw in ({"dim": 1}, {"dim": 1, "keepdim": True}, {"dim": 0, "keepdim": True}):
        got = gk.prod(gk.tensor(xi), **kw).numpy()
        np.testing.assert_array_equal(got, torch.prod(torch.tensor(xi), **kw).numpy())
    for kw in ({"axis": 1, "keepdims": True}, {"axis": 0}):
        got = gk.nansum(gk.tensor(xi), **kw).numpy()
        np.testing.assert_array_equal(got, np.nansum(xi, **kw))


def test_reduce_zero_d_and_tensor_dims():
    s = np.array(2.5)
    for kw in ({"dim": 0}, {"dim": [0]}, {"dim": -1, "keepdim": True}, {"dim": ()}):
        for name in ("sum", "amax", "logsumexp"):
            got = getattr(gk, name)(gk.tensor(s), **kw).numpy()
            want = getattr(torch, name)(torch.tensor(s), **kw).numpy()
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want)
    got = gk.sum(gk.tensor(A), dim=gk.tensor([0, 2])).numpy()  # a tensor of dims
    np.testing.assert_allclose(got, A.sum(axis=(0, 2)), rtol=1e-12)
    with pytest.raises(RuntimeError, match="dim 1 appears multiple times"):
        gk.sum(gk.tensor(A), dim=(1, 0, -2))


def test_reduce_std_degenerate_backward_is_silent():
    # N − correction = 0 and a constant slice: no NumPy division warning leaks out
    x = gk.tensor(np.array([[1.0, 2.0], [3.0, 3.0]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for name in ("std", "var"):
            getattr(gk, name)(x, dim=1, correction=2).sum().backward()
