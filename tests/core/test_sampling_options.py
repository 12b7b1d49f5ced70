"""T-TENSOR: options and edge values of the random draws: defaults, zero scales
and rates, keyword forms and generators, against PyTorch's rules and the distributions'
closed-form moments and frequencies."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk


def _close(values, mean, std, n):
    assert abs(values.mean() - mean) < 5 * std / np.sqrt(n), values.mean()


def test_normal_defaults_and_scalar_forms():
    """normal(): mean 0 and std 1 by default; an int size; std 0 gives the mean (as
    torch); the dtype keyword."""
    n = 40000
    x = gk.normal(size=(n,), generator=0).numpy()
    _close(x, 0.0, 1.0, n)
    assert abs(x.std() - 1.0) < 0.03
    assert gk.normal(2.0, 0.5, 5, generator=1).shape == (5,)
    np.testing.assert_array_equal(gk.normal(1.5, 0.0, (3,)).numpy(), 1.5)
    y = gk.normal(0.0, 0.5, (n,), generator=2).numpy()
    assert abs(y.std() - 0.5) < 0.02
    assert gk.normal(0.0, 1.0, (2,), dtype=gk.float32).dtype == np.float32
    z = gk.normal(0.0, 1.0, (2,), requires_grad=True)
    assert z.requires_grad and z.is_leaf and z.shape == (2,)
    assert np.isfinite(z.detach().numpy()).all()


def test_normal_tensor_forms():
    """normal(mean, std) with tensors: std 0 allowed, float32 kept, a matching size
    accepted and another refused, and a std that requires grad gets gradient 0."""
    m = gk.zeros(3, dtype=gk.float32)
    np.testing.assert_array_equal(gk.normal(m, gk.zeros(3, dtype=gk.float32)).numpy(), 0.0)
    assert gk.normal(m, 1.0).dtype == np.float32
    assert gk.normal(m, 1.0, size=(3,)).shape == (3,)
    with pytest.raises(ValueError, match="size"):
        gk.normal(m, 1.0, size=(4,))
    std = gk.ones(3, requires_grad=True)
    out = gk.normal(0.0, std)
    out.sum().backward()
    np.testing.assert_array_equal(std.grad.numpy(), 0.0)


def test_poisson_zero_rates_and_gradient():
    """poisson: rate 0 draws 0 (rates must be ≥ 0, not > 0); rates that require grad
    get gradient 0, as torch."""
    r = gk.tensor([0.0, 0.0, 0.5], requires_grad=True)
    out = gk.poisson(r, generator=0)
    assert out.detach().numpy()[:2].tolist() == [0.0, 0.0]
    out.sum().backward()
    np.testing.assert_array_equal(r.grad.numpy(), 0.0)


def test_bernoulli_method_uses_its_generator():
    """Tensor.bernoulli(p, generator=g) draws from g: the same seed, the same draws."""
    a = gk.zeros(50).bernoulli(0.5, generator=gk.Generator().manual_seed(7)).numpy()
    gk.manual_seed(123)
    b = gk.zeros(50).bernoulli(0.5, generator=gk.Generator().manual_seed(7)).numpy()
    gk.manual_seed(321)
    c = gk.bernoulli(gk.full((50,), 0.5), generator=gk.Generator().manual_seed(7)).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_geometric_probability_bounds():
    """geometric_(p) accepts p = 1 (every draw 1) and refuses p > 1."""
    np.testing.assert_array_equal(gk.zeros(4).geometric_(1.0).numpy(), 1.0)
    with pytest.raises(RuntimeError, match="geometric_"):
        gk.zeros(4).geometric_(1.5)


def test_random_bounds_and_keywords():
    """random_: from/to as keywords, a one-value range, bool tensors fair coins, and
    bad arguments refused."""
    x = gk.zeros(2000).random_(**{"from": 3, "to": 6}, generator=0).numpy()
    assert set(np.unique(x)) == {3.0, 4.0, 5.0}
    y = gk.zeros(200).random_(to=4, generator=1).numpy()
    assert set(np.unique(y)) == {0.0, 1.0, 2.0, 3.0}
    np.testing.assert_array_equal(gk.zeros(5).random_(3, 4).numpy(), 3.0)
    n = 20000
    coins = gk.zeros(n, dtype=gk.bool).random_(generator=2).numpy()
    _close(coins.astype(float), 0.5, 0.5, n)
    with pytest.raises(TypeError):
        gk.zeros(2).random_(1, 2, 3)
    with pytest.raises(TypeError):
        gk.zeros(2).random_(1, 2, foo=3)


def test_multinomial_shapes_inputs_and_frequencies():
    """multinomial: NumPy input, weights summing below 1, one draw per row for many
    rows (with replacement), full permutations per row without replacement, and a single
    draw without replacement following the normalised weights."""
    w = np.array([0.1, 0.2])
    assert gk.multinomial(w, 3, replacement=True, generator=0).shape == (3,)
    rows = gk.tensor(np.tile([1.0, 3.0], (5, 1)))
    assert gk.multinomial(rows, 4, replacement=True, generator=1).shape == (5, 4)
    perm = gk.multinomial(gk.tensor(np.tile([1.0, 2.0, 3.0], (4, 1))), 3, generator=2).numpy()
    for r in perm:
        assert sorted(r.tolist()) == [0, 1, 2]
    n = 8000
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    one = gk.multinomial(gk.tensor(np.tile(weights, (n, 1))), 1, generator=3).numpy()[:, 0]
    freq = np.bincount(one, minlength=4) / n
    p = weights / weights.sum()
    assert (np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / n)).all(), freq


@pytest.mark.parametrize("name", ["bernoulli", "poisson"])
def test_integer_input_is_refused_naming_the_draw(name):
    """bernoulli and poisson need floating-point input, and the error names the draw."""
    with pytest.raises(TypeError, match=f"^{name}: needs a floating point tensor"):
        getattr(gk, name)(gk.tensor([0, 1]))
