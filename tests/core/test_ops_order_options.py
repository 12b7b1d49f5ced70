"""Order statistics (issue 24; T-AUTODIFF): max/min (all, with a dim or axis, keepdim/
keepdims, against another tensor), sort/argsort (descending, stable), msort, topk
(largest, k), kthvalue, median/nanmedian, mode, against PyTorch in float64: values,
indices and gradients (which go to the element each index names)."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.permutation(24).reshape(2, 3, 4) * 0.5 - 3.0  # distinct values: no ties
TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0], [0.0, 0.0, 5.0, 5.0, 5.0]])


def check(fn, tfn, a=A, indices=True):
    x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = fn(x), tfn(t)
    if isinstance(u, torch.Tensor):
        y, u = (y,), (u,)
    else:
        y, u = tuple(y), tuple(u)
    vy, vu = y[0], u[0]
    assert tuple(vy.shape) == tuple(vu.shape)
    np.testing.assert_array_equal(vy.detach().numpy(), vu.detach().numpy())
    if indices and len(u) > 1:
        assert y[1].dtype == gk.int64
        np.testing.assert_array_equal(y[1].numpy(), u[1].numpy())
    w = np.asarray(RNG.normal(size=tuple(vu.shape)))
    vy.backward(gk.tensor(w))
    vu.backward(torch.tensor(w))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1, 2])
@pytest.mark.parametrize("keep", [False, True])
def test_max_min_with_a_dim_match_torch(name, dim, keep):
    check(lambda x: getattr(gk, name)(x, dim, keep), lambda t: getattr(torch, name)(t, dim, keep))
    check(
        lambda x: getattr(gk, name)(x, dim=dim, keepdim=keep),
        lambda t: getattr(torch, name)(t, dim=dim, keepdim=keep),
    )
    check(lambda x: getattr(x, name)(dim, keep), lambda t: getattr(t, name)(dim, keep))
    check(
        lambda x: getattr(gk, name)(x, axis=dim, keepdims=keep),
        lambda t: getattr(torch, name)(t, dim, keep),
    )


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_ties_pick_the_first_and_all_share(name):
    check(lambda x: getattr(gk, name)(x, 1), lambda t: getattr(torch, name)(t, 1), TIES)
    check(lambda x: getattr(gk, name)(x), lambda t: getattr(torch, name)(t), TIES)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_against_another_tensor_match_torch(name):
    b = RNG.permutation(24).reshape(2, 3, 4) * 0.5 - 3.0
    check(
        lambda x: getattr(gk, name)(x, gk.tensor(b)),
        lambda t: getattr(torch, name)(t, torch.tensor(b)),
    )
    check(
        lambda x: getattr(gk, name)(x, other=gk.tensor(b)),
        lambda t: getattr(torch, name)(t, torch.tensor(b)),
    )
    check(lambda x: getattr(gk, name)(x, b), lambda t: getattr(torch, name)(t, torch.tensor(b)))


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_of_a_0d_tensor_with_a_dim(name):
    fn, tfn = getattr(gk, name), getattr(torch, name)
    check(lambda x: fn(x, 0), lambda t: tfn(t, 0), np.array(2.5))
    check(lambda x: fn(x, 0, True), lambda t: tfn(t, 0, True), np.array(2.5))


def test_max_min_refuse_several_dims_and_empty_dims():
    with pytest.raises(TypeError, match="amax"):
        gk.max(gk.tensor(A), (0, 1))
    with pytest.raises(TypeError, match="amax/amin"):
        gk.min(gk.tensor(A), [0])
    with pytest.raises(IndexError, match="non-zero size"):
        gk.max(gk.tensor(np.zeros((2, 0))), 1)
    with pytest.raises(IndexError, match="min"):
        gk.min(gk.tensor(np.zeros((0, 2))), 0)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_and_argsort_match_torch(dim, descending):
    check(lambda x: gk.sort(x, dim, descending), lambda t: torch.sort(t, dim, descending))
    check(
        lambda x: x.sort(dim=dim, descending=descending),
        lambda t: t.sort(dim=dim, descending=descending),
    )
    y = gk.argsort(gk.tensor(A), dim, descending)
    np.testing.assert_array_equal(
        y.numpy(), torch.argsort(torch.tensor(A), dim, descending).numpy()
    )
    y = gk.tensor(A).argsort(dim=dim, descending=descending)
    np.testing.assert_array_equal(
        y.numpy(), torch.tensor(A).argsort(dim=dim, descending=descending).numpy()
    )


@pytest.mark.parametrize("descending", [False, True])
def test_sort_with_ties_is_stable_like_torch_stable(descending):
    check(
        lambda x: gk.sort(x, 1, descending, stable=True),
        lambda t: torch.sort(t, dim=1, descending=descending, stable=True),
        TIES,
    )
    check(
        lambda x: gk.sort(x, 1, descending),
        lambda t: torch.sort(t, dim=1, descending=descending, stable=True),
        TIES,
    )
    y = gk.argsort(gk.tensor(TIES), 1, descending, stable=True)
    u = torch.argsort(torch.tensor(TIES), dim=1, descending=descending, stable=True)
    np.testing.assert_array_equal(y.numpy(), u.numpy())


def test_sort_nan_goes_last_like_torch():
    a = np.array([2.0, np.nan, -1.0, 5.0])
    for descending in (False, True):
        y, u = (
            gk.sort(gk.tensor(a), descending=descending),
            torch.sort(torch.tensor(a), descending=descending),
        )
        np.testing.assert_array_equal(y.values.numpy(), u.values.numpy())
        np.testing.assert_array_equal(y.indices.numpy(), u.indices.numpy())


def test_sort_and_argsort_of_a_0d_tensor():
    check(lambda x: gk.sort(x), lambda t: torch.sort(t), np.array(1.5))
    y = gk.argsort(gk.tensor(np.array(1.5)))
    assert y.shape == () and int(y) == 0


def test_msort_matches_torch():
    check(gk.msort, torch.msort)
    check(gk.msort, torch.msort, A[0, 0])


@pytest.mark.parametrize("k", [0, 1, 2, 4])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [-1, 1])
def test_topk_matches_torch(k, largest, dim):
    if k > A.shape[dim]:
        pytest.skip("k larger than the dim")
    check(lambda x: gk.topk(x, k, dim, largest), lambda t: torch.topk(t, k, dim, largest))
    check(
        lambda x: x.topk(k, dim=dim, largest=largest, sorted=True),
        lambda t: t.topk(k, dim=dim, largest=largest, sorted=True),
    )
    check(lambda x: gk.topk(x, k, largest=largest), lambda t: torch.topk(t, k, largest=largest))


def test_topk_and_kthvalue_refuse_k_out_of_range():
    with pytest.raises(RuntimeError, match="out of range"):
        gk.topk(gk.tensor(A), 5)
    with pytest.raises(RuntimeError, match="out of range"):
        gk.topk(gk.tensor(A), -1)
    with pytest.raises(RuntimeError, match="out of range"):
        gk.kthvalue(gk.tensor(A), 0)
    with pytest.raises(RuntimeError, match="out of range"):
        gk.kthvalue(gk.tensor(A), 5)


@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("dim, keep", [(-1, False), (-1, True), (1, False), (0, True)])
def test_kthvalue_matches_torch(k, dim, keep):
    if k > A.shape[dim]:
        pytest.skip("k larger than the dim")
    check(lambda x: gk.kthvalue(x, k, dim, keep), lambda t: torch.kthvalue(t, k, dim, keep))
    check(
        lambda x: x.kthvalue(k, dim=dim, keepdim=keep),
        lambda t: t.kthvalue(k, dim=dim, keepdim=keep),
    )


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("dim, keep", [(0, False), (1, True), (-1, False), (2, True)])
def test_median_with_a_dim_matches_torch(name, dim, keep):
    check(lambda x: getattr(gk, name)(x, dim, keep), lambda t: getattr(torch, name)(t, dim, keep))


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_median_of_all_shares_the_gradient_among_ties_like_torch(name):
    check(lambda x: getattr(gk, name)(x), lambda t: getattr(torch, name)(t), TIES)
    check(lambda x: getattr(gk, name)(x), lambda t: getattr(torch, name)(t))
    check(lambda x: getattr(gk, name)(x), lambda t: getattr(torch, name)(t), TIES[:, :4])


def test_median_and_nanmedian_with_nan_match_torch():
    a = np.array([[1.0, np.nan, 3.0, 0.5], [2.0, 4.0, np.nan, np.nan], [np.nan] * 4])
    for name in ("median", "nanmedian"):
        for dim in (1, 0):
            y = getattr(gk, name)(gk.tensor(a), dim)
            u = getattr(torch, name)(torch.tensor(a), dim)
            np.testing.assert_array_equal(y.values.numpy(), u.values.numpy())
            # PyTorch's nanmedian index of an all-NaN slice is an artifact of its
            # selection algorithm (0, 2, 2 for 3, 4, 5 NaNs): compare the others
            keep = ~np.isnan(a).all(axis=dim) if name == "nanmedian" else slice(None)
            np.testing.assert_array_equal(y.indices.numpy()[keep], u.indices.numpy()[keep])
        for b in (a, a[:2, :2]):
            y, u = getattr(gk, name)(gk.tensor(b)), getattr(torch, name)(torch.tensor(b))
            np.testing.assert_array_equal(y.numpy(), u.numpy())


def test_median_of_an_empty_tensor_is_nan():
    assert np.isnan(float(gk.median(gk.tensor(np.zeros(0)))))
    with pytest.raises(IndexError, match="median"):
        gk.median(gk.tensor(np.zeros((2, 0))), 1)


@pytest.mark.parametrize("dim, keep", [(-1, False), (1, True), (0, False)])
def test_mode_matches_torch(dim, keep):
    a = np.array(
        [
            [3.0, 1.0, 3.0, 2.0, 1.0, 1.0],
            [0.0, 0.0, 5.0, 5.0, 5.0, 0.0],
            [2.0, 4.0, 6.0, 8.0, 9.0, 7.0],
        ]
    )
    check(lambda x: gk.mode(x, dim, keep), lambda t: torch.mode(t, dim, keep), a)
    check(lambda x: x.mode(dim=dim, keepdim=keep), lambda t: t.mode(dim=dim, keepdim=keep), a)


@pytest.mark.parametrize("dim", [0, 1, 2, -2])
@pytest.mark.parametrize("keep", [False, True])
def test_mode_along_every_dim_of_a_3d_tensor_matches_torch(dim, keep):
    a = np.random.default_rng(7).integers(0, 3, size=(4, 5, 6)).astype(float)
    check(lambda x: gk.mode(x, dim, keep), lambda t: torch.mode(t, dim, keep), a)


@pytest.mark.parametrize("name", ["sort", "topk", "kthvalue", "median", "nanmedian", "mode"])
def test_order_ops_of_a_0d_tensor_match_torch(name):
    args = {"topk": (1,), "kthvalue": (1,)}.get(name, ())
    kw = {} if name == "sort" or name == "topk" else {"dim": 0}
    check(
        lambda x: getattr(gk, name)(x, *args, **kw),
        lambda t: getattr(torch, name)(t, *args, **kw),
        np.array(2.5),
    )
    if name in ("median", "nanmedian", "mode", "kthvalue"):
        kw = {"dim": 0, "keepdim": True}
        check(
            lambda x: getattr(gk, name)(x, *args, **kw),
            lambda t: getattr(torch, name)(t, *args, **kw),
            np.array(2.5),
        )


def test_median_of_integers_with_a_dim_matches_torch():
    a = np.array([[3, 1, 2, 5], [4, 4, 0, 9]])
    for dim in (0, 1):
        y, u = gk.median(gk.tensor(a), dim), torch.median(torch.tensor(a), dim)
        np.testing.assert_array_equal(y.values.numpy(), u.values.numpy())
        np.testing.assert_array_equal(y.indices.numpy(), u.indices.numpy())


def test_median_of_an_empty_float32_tensor_is_a_float32_nan():
    y = gk.median(gk.tensor(np.zeros(0, np.float32)))
    assert y.dtype == gk.float32 and y.shape == () and np.isnan(float(y))


@pytest.mark.parametrize("name", ["max", "min", "median", "nanmedian", "mode"])
def test_empty_dim_errors_name_the_op(name):
    with pytest.raises(IndexError, match=rf"^{name}\(\): Expected reduction dim 1"):
        getattr(gk, name)(gk.tensor(np.zeros((2, 0))), 1)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_of_an_empty_tensor_name_the_op(name):
    with pytest.raises(RuntimeError, match=rf"^{name}\(\): Expected reduction dim to be specified"):
        getattr(gk, name)(gk.tensor(np.zeros(0)))
