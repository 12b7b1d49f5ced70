"""Reductions (issue 24; L-LSE for logsumexp): every dim= / keepdim= / correction=
spelling, and the NumPy spellings axis= / keepdims= / ddof=, against PyTorch and NumPy,
values and gradients; tied extrema share the gradient as in PyTorch."""

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
