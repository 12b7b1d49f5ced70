"""T-TENSOR: constructors and random draws with PyTorch's names, arguments and dtypes.

Random draws cannot be compared with PyTorch's stream (gradkit draws from NumPy's
PCG64), so their distributions are tested: frequencies and moments against the exact
values, with tolerances of 5 standard errors of the sample size used, and
reproducibility under ``gradkit.manual_seed`` and ``generator=``.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from parity import requires_torch, torch


def _same_dtype(g, t) -> bool:
    return str(g.dtype) == str(t.dtype).replace("torch.", "")


def assert_frequencies(counts, probs, n):
    """Each count within 5 binomial standard deviations of n·p (a false alarm has
    probability below 1e-6 per category)."""
    counts, probs = np.asarray(counts, float), np.asarray(probs, float)
    sd = np.sqrt(n * probs * (1 - probs))
    assert np.all(np.abs(counts - n * probs) <= 5 * sd + 1e-9), (counts, n * probs, sd)


# ---------------------------------------------------------------- constructors
@requires_torch
def test_constructors_take_shapes_and_dtypes_as_torch():
    calls = [
        lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3)), lambda m: m.zeros([4]),
        lambda m: m.zeros(size=(2,)), lambda m: m.ones(2, 3, dtype=m.int16),
        lambda m: m.ones((), dtype=m.float64), lambda m: m.empty(3, 1).fill_(1),
        lambda m: m.full((2,), 3), lambda m: m.full((2,), True), lambda m: m.full([2], 3.0),
        lambda m: m.full((2, 1), 3, dtype=m.float64), lambda m: m.full((2,), -1, dtype=m.int8),
        lambda m: m.tensor([1, 2]), lambda m: m.tensor([True]), lambda m: m.tensor(2.5),
        lambda m: m.tensor([1, 2.5]), lambda m: m.tensor(np.float64(2.0)),
        lambda m: m.tensor([[1, 2]], dtype=m.uint8), lambda m: m.tensor(3),
        lambda m: m.arange(5), lambda m: m.arange(5.0), lambda m: m.arange(1, 4, 0.5),
        lambda m: m.arange(m.tensor(4)), lambda m: m.arange(0, 10, 3, dtype=m.float64),
        lambda m: m.arange(5, 0, -2), lambda m: m.linspace(0, 1, 5),
        lambda m: m.eye(3, 2), lambda m: m.eye(2, dtype=m.int64),
        lambda m: m.zeros_like(m.tensor([1, 2])),
        lambda m: m.ones_like(m.tensor([1.0]), dtype=m.int32),
        lambda m: m.empty_like(m.tensor([1, 2])).fill_(0),
        lambda m: m.full_like(m.tensor([1, 2]), 2.7),
        lambda m: m.zeros(2, dtype=m.half), lambda m: m.ones(2, dtype=m.bool),
    ]  # fmt: skip
    for k, call in enumerate(calls):
        g, t = call(gk), call(torch)
        assert _same_dtype(g, t), (k, g.dtype, t.dtype)
        assert g.shape == tuple(t.shape), k
        np.testing.assert_allclose(g.numpy().astype(float), t.numpy().astype(float), err_msg=str(k))


def test_constructor_errors_are_clear():
    with pytest.raises(ValueError, match="negative dimension"):
        gk.zeros(2, -1)
    with pytest.raises(TypeError, match="shape"):
        gk.ones("a")
    with pytest.raises(ValueError, match="step must be nonzero"):
        gk.arange(0, 3, 0)
    with pytest.raises(ValueError, match="inconsistent with step sign"):
        gk.arange(0, 3, -1)
    with pytest.raises(RuntimeError, match="not available"):
        gk.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="floating point"):
        gk.zeros(2, dtype=gk.int64, requires_grad=True)
    with pytest.raises(TypeError, match="floating point"):
        gk.randn(2, dtype=gk.int64)
    assert gk.zeros(2, device="cpu", requires_grad=True).requires_grad


# ---------------------------------------------------------------- reproducibility
DRAWS = {
    "rand": lambda g: gk.rand(2, 3, generator=g),
    "randn": lambda g: gk.randn((4,), generator=g),
    "randint": lambda g: gk.randint(0, 100, (5,), generator=g),
    "randint_like": lambda g: gk.randint_like(gk.zeros(4), 10, generator=g),
    "randperm": lambda g: gk.randperm(10, generator=g),
    "multinomial": lambda g: gk.multinomial(gk.tensor([[1.0, 2.0, 3.0]] * 2), 2, generator=g),
    "multinomial-replacement": lambda g: gk.tensor([1.0, 3.0]).multinomial(
        6, replacement=True, generator=g
    ),
    "normal": lambda g: gk.normal(0.0, 1.0, (3,), generator=g),
    "normal-tensor": lambda g: gk.normal(gk.zeros(3), gk.ones(3), generator=g),
    "bernoulli": lambda g: gk.bernoulli(gk.full((6,), 0.5), generator=g),
    "poisson": lambda g: gk.poisson(gk.full((4,), 3.0), generator=g),
    "random_": lambda g: gk.zeros(5).random_(0, 50, generator=g),
    "geometric_": lambda g: gk.zeros(5).geometric_(0.3, generator=g),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_draws_replay_under_manual_seed_and_generator(name):
    draw = DRAWS[name]
    gk.manual_seed(11)
    first = draw(None).numpy().copy()
    gk.manual_seed(11)
    np.testing.assert_array_equal(draw(None).numpy(), first)
    a = draw(gk.Generator().manual_seed(5)).numpy().copy()
    gk.manual_seed(0)  # the global stream does not touch a private generator
    np.testing.assert_array_equal(draw(gk.Generator().manual_seed(5)).numpy(), a)
    g = gk.Generator().manual_seed(5)
    draw(g)
    draws = [draw(g).numpy().copy() for _ in range(3)]
    assert any(not np.array_equal(d, a) for d in draws)  # the generator moves on


# ---------------------------------------------------------------- randint, randperm
def test_randint_signatures_dtypes_and_range():
    assert gk.randint(5, (3,)).dtype == np.int64 and gk.randint(5, (3,)).shape == (3,)
    assert gk.randint(3, 5, (2, 2), dtype=gk.int32).dtype == np.int32
    assert gk.randint(3, 5, size=(4,)).shape == (4,) and gk.randint(10, size=[2]).shape == (2,)
    assert gk.randint(0, 5, (3,), dtype=gk.float32).dtype == np.float32
    assert gk.randint(low=2, high=4, size=(3,)).shape == (3,)
    assert gk.randint_like(gk.zeros(3), 5).dtype == np.float32  # the input's dtype, as torch
    assert gk.randint_like(gk.tensor([1, 2]), 3, 5).dtype == np.int64
    x = gk.randint(-3, 4, (20000,), generator=gk.Generator().manual_seed(0)).numpy()
    assert x.min() == -3 and x.max() == 3
    assert_frequencies(np.bincount(x + 3, minlength=7), np.full(7, 1 / 7), x.size)
    with pytest.raises(RuntimeError, match="less than 'to'"):
        gk.randint(5, 3, (2,))
    with pytest.raises(TypeError, match="size a tuple"):
        gk.randint(5, 3)


def test_randperm_is_a_uniform_permutation():
    g = gk.Generator().manual_seed(1)
    perms = np.stack([gk.randperm(5, generator=g).numpy() for _ in range(6000)])
    assert gk.randperm(4).dtype == np.int64 and gk.randperm(3, dtype=gk.float32).dtype == np.float32
    assert (np.sort(perms, axis=1) == np.arange(5)).all()
    for position in range(5):  # each value lands in each position with probability 1/5
        assert_frequencies(np.bincount(perms[:, position], minlength=5), np.full(5, 0.2), 6000)
    assert gk.randperm(0).shape == (0,)


# ---------------------------------------------------------------- multinomial
def test_multinomial_with_replacement_follows_the_normalised_weights():
    w = np.array([[1.0, 0.0, 3.0, 6.0], [5.0, 5.0, 0.0, 0.0]])
    n = 20000
    out = gk.multinomial(gk.tensor(w), n, replacement=True, generator=0).numpy()
    assert out.shape == (2, n) and out.dtype == np.int64
    for row, weights in zip(out, w):
        counts = np.bincount(row, minlength=4)
        assert counts[weights == 0].sum() == 0  # weight 0 is never drawn
        assert_frequencies(counts, weights / weights.sum(), n)
    one = gk.multinomial(gk.tensor([0.2, 0.8]), 5, True)
    assert one.shape == (5,)


def test_multinomial_without_replacement_draws_pairs_as_sequential_sampling():
    """P(first = i, second = j) = w_i/W · w_j/(W − w_i) for distinct draws."""
    w = np.array([1.0, 2.0, 3.0, 4.0])
    n = 20000
    probs = gk.tensor(np.tile(w, (n, 1)))
    out = gk.multinomial(probs, 2, generator=gk.Generator().manual_seed(3)).numpy()
    assert (out[:, 0] != out[:, 1]).all()
    pairs = np.zeros((4, 4))
    np.add.at(pairs, (out[:, 0], out[:, 1]), 1)
    W = w.sum()
    expected = np.array([[w[i] / W * w[j] / (W - w[i]) if i != j else 0 for j in range(4)]
                         for i in range(4)])  # fmt: skip
    assert_frequencies(pairs.ravel(), expected.ravel(), n)
    full = gk.multinomial(gk.tensor([0.0, 1.0, 0.0, 2.0]), 4).numpy()
    assert sorted(full.tolist()) == [0, 1, 2, 3] and set(full[:2]) == {1, 3}  # zeros last


@requires_torch
def test_multinomial_errors_as_torch():
    bad = [
        (lambda m: m.multinomial(m.tensor([1.0, -1.0]), 1), RuntimeError, "element < 0"),
        (lambda m: m.multinomial(m.tensor([1.0, float("nan")]), 1), RuntimeError, "inf, nan"),
        (lambda m: m.multinomial(m.tensor([[1.0, 1.0], [0.0, 0.0]]), 1), RuntimeError, "sum of"),
        (lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3), RuntimeError, "n_sample"),
        (lambda m: m.multinomial(m.tensor([1.0, 1.0]), 0), RuntimeError, "n_sample <= 0"),
        (lambda m: m.multinomial(m.tensor(1.0), 1), ValueError, "1 or 2 dim"),
        (lambda m: m.multinomial(m.tensor([1, 2]), 1), TypeError, "floating-point"),
    ]
    for call, error, message in bad:
        with pytest.raises(error, match=message):
            call(gk)
        with pytest.raises(Exception):  # noqa: B017 - torch refuses the same input
            call(torch)


# ---------------------------------------------------------------- normal, bernoulli, poisson
def _moments_close(x, mean, std):
    """Sample mean within 5 standard errors; sample std within 5 of its standard errors
    (≈ σ/√(2n) for a normal sample)."""
    n = x.size
    assert abs(x.mean() - mean) <= 5 * std / np.sqrt(n), (x.mean(), mean)
    assert abs(x.std() - std) <= 5 * std / np.sqrt(2 * n), (x.std(), std)


def test_normal_forms_and_moments():
    g = gk.Generator().manual_seed(2)
    x = gk.normal(1.5, 2.0, (40000,), generator=g)
    assert x.dtype == np.float32
    _moments_close(x.numpy().astype(float), 1.5, 2.0)
    mean = gk.tensor([[-1.0], [4.0]], dtype=gk.float64)
    y = gk.normal(mean, gk.tensor([0.5, 1.0, 2.0] * 1000, dtype=gk.float64), generator=g)
    assert y.shape == (2, 3000) and y.dtype == np.float64
    for r, m in enumerate((-1.0, 4.0)):
        for c, s in enumerate((0.5, 1.0, 2.0)):
            _moments_close(y.numpy()[r, c::3], m, s)
    z = gk.normal(gk.zeros(20000), 3.0, generator=g)
    _moments_close(z.numpy().astype(float), 0.0, 3.0)
    assert gk.normal(0.0, gk.ones(2)).shape == (2,)
    assert gk.normal(0.0, 1.0, size=(2,), dtype=gk.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match="std >= 0"):
        gk.normal(gk.zeros(2), -1.0)
    with pytest.raises(TypeError, match="size"):
        gk.normal(0.0, 1.0)
    with pytest.raises(TypeError, match="floating point"):
        gk.normal(gk.tensor([1, 2]), 1.0)


@requires_torch
def test_draws_from_parameters_that_require_grad_give_gradient_zero_as_torch():
    m = gk.tensor([1.0, 2.0], requires_grad=True)
    tm = torch.tensor([1.0, 2.0], requires_grad=True)
    gk.normal(m, 1.0).sum().backward()
    torch.normal(tm, 1.0).sum().backward()
    np.testing.assert_array_equal(m.grad.numpy(), tm.grad.numpy())
    p = gk.tensor([0.3, 0.6], requires_grad=True)
    tp = torch.tensor([0.3, 0.6], requires_grad=True)
    gk.bernoulli(p).sum().backward()
    torch.bernoulli(tp).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())


def test_bernoulli_frequencies_and_dtype():
    p = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    n = 20000
    draws = gk.bernoulli(gk.tensor(np.tile(p, (n, 1)), dtype=gk.float32), generator=4).numpy()
    assert draws.dtype == np.float32 and set(np.unique(draws)) <= {0.0, 1.0}
    for j, pj in enumerate(p):
        assert_frequencies([draws[:, j].sum()], [pj], n)
    fixed = gk.zeros(n, dtype=gk.float64).bernoulli(0.25, generator=gk.Generator().manual_seed(1))
    assert fixed.dtype == np.float64
    assert_frequencies([fixed.numpy().sum()], [0.25], n)
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        gk.bernoulli(gk.tensor([1.5]))
    with pytest.raises(TypeError, match="floating point"):
        gk.bernoulli(gk.tensor([0, 1]))


def test_poisson_mean_and_variance():
    rate = 4.0
    x = gk.poisson(gk.full((40000,), rate), generator=gk.Generator().manual_seed(6)).numpy()
    assert x.dtype == np.float32 and (x == np.round(x)).all()
    n = x.size
    assert abs(x.mean() - rate) <= 5 * np.sqrt(rate / n)
    # Var of the sample variance of a Poisson(λ): (λ + 2λ²(n/(n−1)))/n ≈ (λ + 2λ²)/n
    assert abs(x.var() - rate) <= 5 * np.sqrt((rate + 2 * rate**2) / n)
    with pytest.raises(RuntimeError, match="non-negative"):
        gk.poisson(gk.tensor([-1.0]))


# ---------------------------------------------------------------- in-place fills
def test_random_fill_ranges_and_dtypes():
    g = gk.Generator().manual_seed(8)
    x = gk.zeros(30000).random_(2, 6, generator=g)
    assert x.dtype == np.float32
    counts = np.bincount(x.numpy().astype(int), minlength=6)[2:]
    assert_frequencies(counts, np.full(4, 0.25), x.numel())
    y = gk.zeros(1000, dtype=gk.int64).random_(3, generator=g).numpy()
    assert y.dtype == np.int64 and y.min() == 0 and y.max() == 2
    z = gk.zeros(1000, dtype=gk.uint8).random_(generator=g).numpy()
    assert z.min() >= 0 and z.max() <= 255 and z.max() > 200
    b = gk.zeros(1000, dtype=gk.bool).random_(generator=g).numpy()
    assert b.dtype == np.bool_ and b.any() and not b.all()
    f = gk.zeros(1000).random_(generator=g).numpy()
    assert f.max() <= 2**24 and (f == np.round(f)).all() and f.max() > 2**23
    w = gk.zeros(100).random_(10, None, generator=g).numpy()
    assert w.min() >= 10
    with pytest.raises(RuntimeError, match="less than 'to'"):
        gk.zeros(2).random_(5, 5)


def test_geometric_fill_has_the_geometric_mean():
    p = 0.25
    x = gk.zeros(40000, dtype=gk.float64).geometric_(p, generator=gk.Generator().manual_seed(9))
    x = x.numpy()
    assert x.min() >= 1 and (x == np.round(x)).all()
    sd = np.sqrt((1 - p) / p**2)
    assert abs(x.mean() - 1 / p) <= 5 * sd / np.sqrt(x.size)
    with pytest.raises(RuntimeError, match=r"\(0, 1\]"):
        gk.zeros(2).geometric_(0.0)


def test_in_place_fills_refuse_leaves_that_require_grad():
    w = gk.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.random_(0, 5)
    with gk.no_grad():
        w.random_(0, 5)
    assert w.requires_grad and (w.detach().numpy() < 5).all()


def test_rand_and_randn_in_half_precision():
    x = gk.rand(1000, dtype=gk.float16, generator=0)
    assert x.dtype == np.float16 and (x.numpy() < 1).all() and (x.numpy() >= 0).all()
    y = gk.randn(4000, dtype=gk.half, generator=0).numpy().astype(float)
    _moments_close(y, 0.0, 1.0)
    assert gk.randn_like(gk.zeros(2, dtype=gk.float64)).dtype == np.float64
    assert gk.rand_like(gk.zeros(2), dtype=gk.float16).dtype == np.float16
