"""Order statistics at their edges (issue 24; T-AUTODIFF), against PyTorch in float64:
size-1 dims beside the reduced one (only that dim is squeezed), 0-d inputs (the shapes of
values and indices, k out of range, ``topk(k=0)``), ``nanmedian`` of integers."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)


def same(y, u, grad=True):
    """Values, indices (dtype and shape included) and the gradient of ``values`` match."""
    (xg, vy, iy), (xt, vu, iu) = y, u
    assert tuple(vy.shape) == tuple(vu.shape)
    assert tuple(iy.shape) == tuple(iu.shape)
    assert iy.dtype == gk.int64
    np.testing.assert_array_equal(vy.detach().numpy(), vu.detach().numpy())
    np.testing.assert_array_equal(iy.numpy(), iu.numpy())
    if grad:
        w = RNG.normal(size=tuple(vu.shape))
        vy.backward(gk.tensor(w))
        vu.backward(torch.tensor(w))
        np.testing.assert_array_equal(xg.grad.numpy(), xt.grad.numpy())


def run(a, fn, tfn, grad=True):
    x, t = gk.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)
    y, u = fn(x), tfn(t)
    same((x, y[0], y[1]), (t, u[0], u[1]), grad)


CALLS = {
    "max": ((1,), {}),
    "min": ((1,), {}),
    "median": ((1,), {}),
    "nanmedian": ((1,), {}),
    "mode": ((1,), {}),
    "kthvalue": ((2, 1), {}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1), (2, 3, 1)])
def test_only_the_reduced_dim_is_squeezed_like_torch(name, shape):
    a = RNG.permutation(int(np.prod(shape))).reshape(shape).astype(float)
    args, kw = CALLS[name]
    run(a, lambda x: getattr(gk, name)(x, *args, **kw), lambda t: getattr(torch, name)(t, *args))


@pytest.mark.parametrize("name", ["sort", "topk", "kthvalue", "median", "nanmedian", "mode", "max"])
def test_0d_input_gives_0d_values_and_indices_like_torch(name):
    args = {"topk": (1,), "kthvalue": (1,)}.get(name, ())
    kw = {} if name in ("sort", "topk") else {"dim": 0}
    a = np.array(-1.25)
    run(
        a,
        lambda x: getattr(gk, name)(x, *args, **kw),
        lambda t: getattr(torch, name)(t, *args, **kw),
    )


@pytest.mark.parametrize("largest", [True, False])
def test_topk_of_a_0d_input_with_k_0_gives_the_element_like_torch(largest):
    a = np.array(4.5)
    run(a, lambda x: gk.topk(x, 0, largest=largest), lambda t: torch.topk(t, 0, largest=largest))


@pytest.mark.parametrize("k", [2, -1])
def test_topk_and_kthvalue_of_a_0d_input_refuse_k_beyond_one_like_torch(k):
    x, t = gk.tensor(2.0), torch.tensor(2.0)
    with pytest.raises(RuntimeError, match="out of range"):
        torch.topk(t, k)
    with pytest.raises(RuntimeError, match="out of range"):
        gk.topk(x, k)
    with pytest.raises(RuntimeError, match="out of range"):
        torch.kthvalue(t, k)
    with pytest.raises(RuntimeError, match="out of range"):
        gk.kthvalue(x, k)


def test_nanmedian_of_integers_matches_torch():
    a = np.array([[3, 1, 2, 5], [4, 4, 0, 9], [7, 7, 7, 1]])
    for dim in (0, 1):
        y, u = gk.nanmedian(gk.tensor(a), dim), torch.nanmedian(torch.tensor(a), dim)
        assert y.values.dtype == gk.int64
        np.testing.assert_array_equal(y.values.numpy(), u.values.numpy())
        np.testing.assert_array_equal(y.indices.numpy(), u.indices.numpy())
    for fn in ("median", "nanmedian"):
        y, u = getattr(gk, fn)(gk.tensor(a)), getattr(torch, fn)(torch.tensor(a))
        assert y.shape == () and int(y) == int(u)
