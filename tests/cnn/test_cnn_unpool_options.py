"""Max unpooling options and boundary inputs against PyTorch (CNN-POOL): default stride
and output size of the 1-d form, unbatched input, NumPy indices, the output_size window
(default ± stride, both ends open), a size-1 output, the dtype of a second-order gradient
and the error messages naming the function and the argument."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops.unpool import max_unpool1d, max_unpool2d

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _pooled1d(shape, k, s, p, seed=0):
    x = torch.tensor(np.random.default_rng(seed).standard_normal(shape))
    return F.max_pool1d(x, k, s, p, return_indices=True)


def test_unpool1d_default_stride_and_size_unbatched():
    """CNN-POOL: stride defaults to kernel_size, output length (L − 1)·S − 2P + k, and a
    (C, L) input comes back (C, L_out)."""
    y, idx = _pooled1d((3, 7), 2, 2, 0)  # unbatched (C, L)
    want = F.max_unpool1d(y, idx, 2)
    got = max_unpool1d(gk.tensor(y.numpy()), gk.tensor(idx.numpy()), 2)
    assert tuple(got.shape) == tuple(want.shape) == (3, 6)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    y, idx = _pooled1d((2, 3, 9), 3, 2, 1)
    want = F.max_unpool1d(y, idx, 3, 2, 1)
    got = max_unpool1d(gk.tensor(y.numpy()), gk.tensor(idx.numpy()), 3, 2, 1)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_unpool_numpy_indices():
    """CNN-POOL: indices given as a NumPy array, as well as a tensor."""
    x = torch.tensor(np.random.default_rng(1).standard_normal((1, 2, 4, 4)))
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    got = max_unpool2d(gk.tensor(y.numpy()), idx.numpy(), 2)
    np.testing.assert_array_equal(got.numpy(), F.max_unpool2d(y, idx, 2).numpy())


def test_unpool_output_size_window_is_open():
    """CNN-POOL: output_size must lie strictly between default − S and default + S; the
    ends themselves are refused, by PyTorch as by gradkit; the largest and smallest
    sizes inside are accepted."""
    y, idx = _pooled1d((1, 1, 4), 2, 2, 0)  # default 4, stride 2: 3 and 5 allowed
    gy, gi = gk.tensor(y.numpy()), gk.tensor(idx.numpy())
    for size in (3, 5):
        want = F.max_unpool1d(y, idx, 2, output_size=(size,))
        np.testing.assert_array_equal(
            max_unpool1d(gy, gi, 2, output_size=(size,)).numpy(), want.numpy()
        )
    for size in (2, 6):
        with pytest.raises((ValueError, RuntimeError)):
            F.max_unpool1d(y, idx, 2, output_size=(size,))
        with pytest.raises(ValueError, match="max_unpool1d: output_size"):
            max_unpool1d(gy, gi, 2, output_size=(size,))
    y2, idx2 = F.max_pool2d(torch.ones(1, 1, 4, 4, dtype=torch.float64), 2, return_indices=True)
    with pytest.raises(ValueError, match="max_unpool2d: output_size"):
        max_unpool2d(gk.tensor(y2.numpy()), gk.tensor(idx2.numpy()), 2, output_size=(6, 4))


def test_unpool_size_one_output():
    """CNN-POOL: an output of length 1 is valid (kernel 1 over a length-1 input)."""
    y = torch.tensor([[[2.5]]], dtype=torch.float64)
    idx = torch.zeros(1, 1, 1, dtype=torch.int64)
    want = F.max_unpool1d(y, idx, 1)
    got = max_unpool1d(gk.tensor(y.numpy()), gk.tensor(idx.numpy()), 1)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    want = F.max_unpool2d(y[None], idx[None], 1)
    got = max_unpool2d(gk.tensor(y[None].numpy()), gk.tensor(idx[None].numpy()), 1)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_unpool_index_equal_to_plane_size_refused():
    """CNN-POOL: an index equal to H_out·W_out is outside the plane (PyTorch refuses it)."""
    y = torch.ones(1, 1, 2, 2, dtype=torch.float64)
    idx = torch.tensor([[[[0, 1], [2, 16]]]])  # plane 4×4 = 16 positions: 16 is outside
    with pytest.raises(RuntimeError):
        F.max_unpool2d(y, idx, 2)
    with pytest.raises(ValueError, match=r"max_unpool2d: indices must lie in \[0, 16\)"):
        max_unpool2d(gk.tensor(y.numpy()), gk.tensor(idx.numpy()), 2)
    ok = idx.clone()
    ok[0, 0, 1, 1] = 15
    np.testing.assert_array_equal(
        max_unpool2d(gk.tensor(y.numpy()), gk.tensor(ok.numpy()), 2).numpy(),
        F.max_unpool2d(y, ok, 2).numpy(),
    )
    with pytest.raises(ValueError, match=r"max_unpool1d: indices must lie in \[0, 4\)"):
        max_unpool1d(gk.ones(1, 1, 2), gk.tensor(np.array([[[0, 4]]])), 2)


def test_unpool_second_order_gradient_keeps_float32():
    """CNN-POOL: with a repeated index (two stride-1 windows sharing a maximum), the
    create_graph backward stays float32 as PyTorch's does, and its value is the gather."""
    x = np.array([[[1.0, 9.0, 2.0]]], np.float32)
    y, idx = F.max_pool1d(torch.tensor(x), 2, 1, return_indices=True)  # idx = [1, 1]
    t = gk.tensor(y.numpy(), requires_grad=True)
    out = max_unpool1d(t, gk.tensor(idx.numpy()), 2, 1, output_size=(3,))
    w = gk.tensor(np.array([[[0.5, 3.0, -1.0]]], np.float32))
    (g,) = gk.autograd.grad((out * w).sum(), t, create_graph=True)
    assert g.dtype == gk.float32
    # the landing copy gets w at index 1, the overwritten one nothing
    assert sorted(g.numpy().ravel().tolist()) == [0.0, 3.0]


@pytest.mark.parametrize(
    ("fn", "args", "match"),
    [
        (max_unpool1d, ((2, 2),), "kernel_size"),
        (max_unpool1d, (2, (2, 2)), "stride"),
        (max_unpool1d, (2, 2, (0, 0)), "padding"),
        (max_unpool2d, ((2, 2, 2),), "kernel_size"),
        (max_unpool2d, (2, (2, 2, 2)), "stride"),
        (max_unpool2d, (2, 2, (0, 0, 0)), "padding"),
    ],
)
def test_unpool_argument_errors_name_the_argument(fn, args, match):
    """CNN-POOL: a malformed kernel_size / stride / padding is refused naming it."""
    shape = (1, 1, 2) if fn is max_unpool1d else (1, 1, 2, 2)
    x = gk.ones(*shape)
    idx = gk.tensor(np.zeros(shape, np.int64))
    with pytest.raises((ValueError, TypeError), match=rf"(^|[^A-Za-z_]){match}([^A-Za-z_]|$)"):
        fn(x, idx, *args)


def test_unpool_errors_name_the_function():
    """CNN-POOL: indices of the wrong shape are refused naming the function."""
    with pytest.raises(ValueError, match="max_unpool1d: indices shape"):
        max_unpool1d(gk.ones(1, 1, 2), gk.tensor(np.zeros((1, 1, 3), np.int64)), 2)
    with pytest.raises(ValueError, match="max_unpool2d: indices shape"):
        max_unpool2d(gk.ones(1, 1, 2, 2), gk.tensor(np.zeros((1, 1, 2, 3), np.int64)), 2)
