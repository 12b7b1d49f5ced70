"""T-TENSOR integer arithmetic where NumPy and PyTorch part ways: integer tensors to
negative integer tensor powers (PyTorch: 0, 1 or ±1 by parity; NumPy refuses), true
division of narrow integer tensors by Python ints (computed in the default float type,
the int never squeezed into int8), and subtraction with bools (refused, with PyTorch's
two messages). Oracle: torch."""

import itertools

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8"])
def test_integer_power_grid_with_negative_exponents_matches_torch(dtype):
    grid = np.array(list(itertools.product(range(-3, 4), range(-4, 4))))
    base, exp = grid[:, 0].astype(dtype), grid[:, 1].astype(dtype)
    want = torch.pow(torch.tensor(base), torch.tensor(exp))
    got = gk.pow(gk.tensor(base), gk.tensor(exp))
    assert str(got.dtype) == str(want.dtype)[6:]
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    # broadcasting: a column of bases against a row of exponents
    b2, e2 = base[:7].reshape(7, 1), np.arange(-3, 3, dtype=dtype).reshape(1, 6)
    np.testing.assert_array_equal(
        (gk.tensor(b2) ** gk.tensor(e2)).numpy(), (torch.tensor(b2) ** torch.tensor(e2)).numpy()
    )


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32", "int64", "bool"])
@pytest.mark.parametrize("scalar", [300, -7, 2, 1000003])
def test_true_division_of_integers_by_python_ints_matches_torch(dtype, scalar):
    values = np.array([3, 10, 1, 0] if dtype in ("uint8", "bool") else [3, 10, -5, 0]).astype(dtype)
    for left, right in ((values, scalar), (scalar, values)):
        t = [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in (left, right)]
        g = [gk.tensor(v) if isinstance(v, np.ndarray) else v for v in (left, right)]
        want, got = t[0] / t[1], g[0] / g[1]
        assert str(got.dtype) == str(want.dtype)[6:]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_subtraction_with_bools_is_refused_with_torchs_messages():
    cases = [
        lambda L: L.tensor([True]) - L.tensor([False]),
        lambda L: L.tensor([True]) - 1,
        lambda L: 1 - L.tensor([True]),
        lambda L: L.tensor([1.5]) - True,
        lambda L: L.sub(L.tensor([2]), L.tensor([True])),
    ]
    for case in cases:
        with pytest.raises(RuntimeError) as want:
            case(torch)
        with pytest.raises(RuntimeError) as got:
            case(gk)
        assert str(got.value) == str(want.value)
