"""gradkit.ml.datasets (issue 18): scikit-learn's generators, parameters and draws.

The same random_state gives scikit-learn's arrays exactly (the draws are taken from a
RandomState in scikit-learn's order); the statistical checks (shapes, class balance,
noise level, centers) hold on their own."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit.ml.datasets as gd
from gradkit.ml.utils import shuffle

skd = pytest.importorskip("sklearn.datasets")

CASES = [
    ("make_moons", dict(n_samples=100, noise=0.1, random_state=0)),
    ("make_moons", dict(n_samples=(10, 20), random_state=1, shuffle=False)),
    ("make_circles", dict(n_samples=101, noise=0.05, factor=0.5, random_state=3)),
    ("make_blobs", dict(n_samples=200, centers=4, random_state=0, return_centers=True)),
    ("make_blobs", dict(n_samples=[10, 20, 30], random_state=2, cluster_std=[1, 2, 3])),
    ("make_blobs", dict(n_samples=50, centers=[[0, 0, 0], [3, 3, 3]], random_state=5)),
    ("make_classification", dict(random_state=0)),
    (
        "make_classification",
        dict(
            n_samples=300,
            n_features=10,
            n_informative=5,
            n_redundant=2,
            n_repeated=1,
            n_classes=3,
            weights=[0.2, 0.3],
            flip_y=0.05,
            hypercube=False,
            shift=None,
            scale=None,
            random_state=4,
        ),
    ),
    ("make_classification", dict(n_features=40, n_informative=35, n_redundant=0, random_state=0)),
    ("make_regression", dict(random_state=0, noise=1.0, coef=True)),
    (
        "make_regression",
        dict(n_features=20, effective_rank=5, n_targets=2, bias=3.0, random_state=1),
    ),
]


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_generators_give_sklearns_arrays(name, kw):
    ours, ref = getattr(gd, name)(**kw), getattr(skd, name)(**kw)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(a, b)


def test_generators_follow_numpy_global_seed():
    np.random.seed(11)
    a = gd.make_classification(50, 6)
    np.random.seed(11)
    b = skd.make_classification(50, 6)
    np.testing.assert_array_equal(a[0], b[0])


def test_make_blobs_shapes_balance_and_spread():
    X, y, centers = gd.make_blobs(
        3001, 5, centers=3, cluster_std=0.5, random_state=7, return_centers=True
    )
    assert X.shape == (3001, 5) and np.bincount(y).tolist() == [1001, 1000, 1000]
    assert np.all((centers >= -10) & (centers <= 10))
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.06)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.03)


def test_make_moons_and_circles_geometry():
    X, y = gd.make_moons(200, random_state=0)
    outer = X[y == 0]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    X, y = gd.make_circles(200, factor=0.3, random_state=0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)
    Xn, _ = gd.make_circles(20000, noise=0.2, random_state=0, shuffle=False)
    Xc, _ = gd.make_circles(20000, random_state=0, shuffle=False)
    assert abs((Xn - Xc).std() - 0.2) < 0.005
    with pytest.raises(ValueError, match="factor"):
        gd.make_circles(factor=1.5)


def test_make_classification_balance_flip_and_errors():
    X, y = gd.make_classification(
        1000, 8, n_classes=4, n_informative=4, weights=[0.1, 0.2, 0.3], flip_y=0.0, random_state=0
    )
    # floor(n w_k / clusters) per cluster, the remainder dealt round-robin: ±2 of n w_k
    np.testing.assert_allclose(np.bincount(y), [100, 200, 300, 400], atol=2)
    b = gd.make_classification(
        100, 6, n_redundant=1, n_repeated=1, random_state=0, return_X_y=False
    )
    assert sorted(b.feature_info) == sorted(
        ["informative"] * 2 + ["redundant", "repeated"] + ["random"] * 2
    )
    with pytest.raises(ValueError, match="must sum to less"):
        gd.make_classification(n_features=3)
    with pytest.raises(ValueError, match="smaller or equal 2"):
        gd.make_classification(n_classes=5, n_informative=2)


def test_make_regression_is_linear_in_x():
    X, y, w = gd.make_regression(200, 10, n_informative=3, bias=2.0, coef=True, random_state=3)
    np.testing.assert_allclose(X @ w + 2.0, y, atol=1e-10)
    assert (w != 0).sum() == 3 and np.all((w >= 0) & (w <= 100))


def test_shuffle_is_sklearns():
    from sklearn.utils import shuffle as sk_shuffle

    a, b = np.arange(20).reshape(10, 2), np.arange(10)
    for ours, ref in zip(
        shuffle(a, b, random_state=4), sk_shuffle(a, b, random_state=4), strict=True
    ):
        np.testing.assert_array_equal(ours, ref)
    assert shuffle([1, 2, 3], random_state=0) == sk_shuffle([1, 2, 3], random_state=0)
