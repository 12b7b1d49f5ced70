"""Pooling options no other test reaches (concepts CNN-POOL, CNN-SIZE): integer inputs
(−∞ padding as the dtype's minimum, averages rounded toward zero), 1-d pooling's defaults,
1-tuple spellings and unbatched inputs with indices. Oracle: PyTorch (exact for integers,
float64 forward and gradients otherwise)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as gF
from parity import assert_parity, random_inputs, requires_torch, torch

F = None if torch is None else torch.nn.functional

INT_CASES = [
    dict(kernel_size=2, stride=1, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 1), ceil_mode=True),
]


def _ints(dtype, seed=0, shape=(2, 2, 5, 6)):
    return np.random.default_rng(seed).integers(-9, 10, shape).astype(dtype)


@requires_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
@pytest.mark.parametrize("kw", INT_CASES, ids=str)
def test_integer_max_pool2d_matches_torch(kw, dtype):
    """CNN-POOL on integers: the padding never wins, the indices are PyTorch's."""
    x = _ints(dtype) - 20  # every value negative: a 0 padding would win
    out, idx = gF.max_pool2d(gk.tensor(x), **kw, return_indices=True)
    t_out, t_idx = F.max_pool2d(torch.tensor(x), **kw, return_indices=True)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.data, t_out.numpy())
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


@requires_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 3])
@pytest.mark.parametrize("kw", INT_CASES, ids=str)
def test_integer_avg_pool2d_matches_torch(kw, divisor_override, count_include_pad, dtype):
    """CNN-POOL on integers: the sum divided and rounded toward zero, as PyTorch does."""
    x = _ints(dtype, seed=1)
    opts = dict(kw, count_include_pad=count_include_pad, divisor_override=divisor_override)
    out = gF.avg_pool2d(gk.tensor(x), **opts)
    # PyTorch has no int32 average pooling: its int64 result is the oracle for both
    expected = F.avg_pool2d(torch.tensor(x.astype(np.int64)), **opts).numpy()
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.data, expected)


@requires_torch
def test_pool1d_defaults_match_torch():
    """CNN-POOL: stride defaults to the kernel, no padding, floor mode, pad counted."""
    (x,) = random_inputs([(2, 3, 11)], seed=2)
    assert_parity(lambda a: gF.max_pool1d(a, 3), lambda a: F.max_pool1d(a, 3), [x])
    assert_parity(lambda a: gF.avg_pool1d(a, 3), lambda a: F.avg_pool1d(a, 3), [x])
    kw = dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)  # counts the padding
    assert_parity(lambda a: gF.avg_pool1d(a, **kw), lambda a: F.avg_pool1d(a, **kw), [x])


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,)),
        dict(kernel_size=(2,), stride=(1,), padding=(1,), ceil_mode=True),
    ],
    ids=str,
)
def test_max_pool1d_one_tuples_and_unbatched_indices(kw):
    """1-tuples spell the same options; unbatched (C, L) input keeps its shape, and the
    indices index L."""
    (x,) = random_inputs([(3, 10)], seed=3)
    assert_parity(lambda a: gF.max_pool1d(a, **kw), lambda a: F.max_pool1d(a, **kw), [x])
    out, idx = gF.max_pool1d(gk.tensor(x), **kw, return_indices=True)
    t_out, t_idx = F.max_pool1d(torch.tensor(x), **kw, return_indices=True)
    assert out.shape == tuple(t_out.shape) and idx.shape == tuple(t_idx.shape)
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


@requires_torch
def test_avg_pool1d_one_tuples_and_exclude_pad():
    (x,) = random_inputs([(2, 3, 9)], seed=4)
    kw = dict(kernel_size=(3,), stride=(2,), padding=(1,), count_include_pad=False)
    assert_parity(lambda a: gF.avg_pool1d(a, **kw), lambda a: F.avg_pool1d(a, **kw), [x])


@requires_torch
def test_max_pool2d_unbatched_indices_match_torch():
    (x,) = random_inputs([(2, 5, 6)], seed=5)
    out, idx = gF.max_pool2d(gk.tensor(x), 2, return_indices=True)
    t_out, t_idx = F.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(out.data, t_out.numpy())
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


def test_pool1d_rejects_two_tuples():
    x = gk.zeros(1, 1, 8)
    with pytest.raises(ValueError, match="kernel_size must be an int or a 1-tuple"):
        gF.max_pool1d(x, (2, 2))
    with pytest.raises(ValueError, match="stride must be an int or a 1-tuple"):
        gF.avg_pool1d(x, 2, stride=(1, 1))
