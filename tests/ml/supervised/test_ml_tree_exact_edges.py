"""ML-TREE (issue 24): edge cases of scikit-learn's tree builder that the exact builder
reproduces: equal improvements on the best-first frontier, values so large that
x + 1e-7 == x in float64 (constancy and split points), leaf weights below one."""

from __future__ import annotations

import numpy as np
import pytest
from _tree_parity import assert_same_tree

from gradkit.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor, _exact

sk_tree = pytest.importorskip("sklearn.tree")


def _same_tree(ours, theirs):
    assert_same_tree(ours, theirs)


def test_ml_tree_best_first_equal_improvements_pop_as_sklearn():
    """ML-TREE: four copies of one labelled block give the frontier many equal
    improvements; the heap pops them in libstdc++'s order, as scikit-learn's does."""
    block = np.array([1, 0, 0, 1, 1, 1, 0])
    y = np.tile(block, 4)
    X = (np.arange(28) % 7 + 100 * (np.arange(28) // 7))[:, None] * 1.0
    for max_leaf_nodes in range(3, 20):
        ours = DecisionTreeClassifier(max_leaf_nodes=max_leaf_nodes, random_state=0)
        theirs = sk_tree.DecisionTreeClassifier(max_leaf_nodes=max_leaf_nodes, random_state=0)
        _same_tree(ours.fit(X, y), theirs.fit(X, y))


def _huge(n=60, seed=0):
    """Values about 3e9 (float32 steps of 256, and x + 1e-7 == x in float64): a constant
    column, a column of three tied values, a copy of it, and two ordinary columns."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, 6))
    X[:, 0] = 3e9  # constant
    X[:, 1] = 3e9 + 256.0 * rng.integers(0, 3, n)  # ties
    X[:, 2] = X[:, 1]  # tied with column 1 everywhere
    X[:, 3] = np.round(rng.normal(size=n), 1)
    X[:, 4] = 3e9  # constant
    X[:, 5] = np.round(rng.normal(size=n), 1)
    y = ((X[:, 1] > 3e9) ^ (X[:, 3] > 0.3) | (X[:, 5] > 1.2)).astype(int)
    return X, y


@pytest.mark.parametrize("small", [None, 0])
@pytest.mark.parametrize("max_features", [None, 2, 4])
def test_ml_tree_huge_values_constancy_and_splits_as_sklearn(monkeypatch, max_features, small):
    """ML-TREE: a feature is constant when max ≤ min + 1e-7 and a split fits between
    x < x' only when x' > x + 1e-7: at 3e9 equal values are constant and tied, never
    split apart, whichever way constancy is learned (all at once, or by dry runs)."""
    if small is not None:
        monkeypatch.setattr(_exact.ExactBuilder, "_SMALL", small)
    X, y = _huge()
    for seed in range(4):
        ours = DecisionTreeClassifier(max_features=max_features, random_state=seed)
        theirs = sk_tree.DecisionTreeClassifier(max_features=max_features, random_state=seed)
        _same_tree(ours.fit(X, y), theirs.fit(X, y))


@pytest.mark.parametrize("fraction", [0.03, 0.045])
def test_ml_tree_min_weight_leaf_below_one_as_sklearn(fraction):
    """ML-TREE: weights of 0.5 (exact sums) with min_weight_fraction_leaf giving a least
    leaf weight under 1 (one sample is not enough, two are)."""
    rng = np.random.default_rng(1)
    X = np.round(rng.normal(size=(40, 3)), 1)
    y = (X[:, 0] + rng.normal(scale=0.5, size=40) > 0).astype(int)
    w = np.full(40, 0.5)
    kw = {"min_weight_fraction_leaf": fraction, "random_state": 0}
    ours = DecisionTreeClassifier(**kw).fit(X, y, sample_weight=w)
    theirs = sk_tree.DecisionTreeClassifier(**kw).fit(X, y, sample_weight=w)
    _same_tree(ours, theirs)
    assert ours.tree_.weighted_n_node_samples[ours.tree_.children_left < 0].min() >= 1.0  # > 0.5
    yr = np.round(3 * X[:, 0] + rng.normal(size=40))
    ours = DecisionTreeRegressor(**kw).fit(X, yr, sample_weight=w)
    theirs = sk_tree.DecisionTreeRegressor(**kw).fit(X, yr, sample_weight=w)
    _same_tree(ours, theirs)


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_ml_tree_entropy_near_ties_ranked_as_sklearn(seed):
    """ML-TREE: small integer features and random labels make many splits whose
    entropy proxies tie in exact arithmetic; computed with scikit-learn's expression
    (log₂ p = ln p / ln 2, class after class) the same one wins."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(10, 60)), int(rng.integers(2, 5))
    X = rng.integers(0, 4, size=(n, 3)) * 1.0
    y = rng.integers(0, k, n)
    ours = DecisionTreeClassifier(criterion="entropy", random_state=0).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(criterion="entropy", random_state=0).fit(X, y)
    _same_tree(ours, theirs)


def test_ml_tree_min_impurity_decrease_at_the_improvement_keeps_the_split():
    """ML-TREE: scikit-learn keeps a split unless improvement + ε < min_impurity_decrease:
    set exactly to the root's improvement + ε (its expression on its node arrays), the
    root still splits; a hair above, it does not."""
    rng = np.random.default_rng(2)
    X = np.round(rng.normal(size=(50, 3)), 1)
    y = (X[:, 0] + rng.normal(scale=0.5, size=50) > 0).astype(int)
    t = sk_tree.DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    W, wl, wr = t.weighted_n_node_samples[[0, t.children_left[0], t.children_right[0]]]
    il, ir = t.impurity[t.children_left[0]], t.impurity[t.children_right[0]]
    improvement = (W / W) * (t.impurity[0] - (wr / W * ir) - (wl / W * il))
    eps = float(np.finfo(np.float64).eps)
    for mid in (improvement + eps, np.nextafter(improvement + eps, 1.0)):
        ours = DecisionTreeClassifier(min_impurity_decrease=mid, random_state=0).fit(X, y)
        theirs = sk_tree.DecisionTreeClassifier(min_impurity_decrease=mid, random_state=0)
        _same_tree(ours, theirs.fit(X, y))
    assert ours.tree_.node_count == 1


def test_ml_tree_one_feature_with_integer_weights_as_sklearn():
    """ML-TREE: a single feature, integer weights (zeros drop samples)."""
    rng = np.random.default_rng(3)
    X = np.round(rng.normal(size=(40, 1)), 1)
    y = (X[:, 0] + rng.normal(scale=0.6, size=40) > 0).astype(int)
    w = rng.integers(0, 4, 40).astype(float)
    ours = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=w)
    _same_tree(ours, sk_tree.DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=w))


def test_ml_tree_rand_r_seed_zero_is_taken_as_one():
    """ML-TREE: scikit-learn's rand_r replaces a zero state by its default seed 1 (a
    xorshift would stay at 0), so the splitter seeds 0 and 1 draw the same features."""
    rng = np.random.default_rng(4)
    X = np.round(rng.normal(size=(60, 8)), 1)
    y = (X[:, :4].sum(axis=1) > 0).astype(int)
    XT = np.ascontiguousarray(X.T)

    def grow(seed):
        builder = _exact.ExactBuilder("gini", None, 2, 1, 0.0, 2, None, 0.0)
        return builder.build(XT, y, np.ones(60), 2, seed)

    zero, one, two = grow(0), grow(1), grow(2)
    np.testing.assert_array_equal(zero.feature, one.feature)
    np.testing.assert_array_equal(zero.threshold, one.threshold)
    assert not np.array_equal(one.feature, two.feature)


def test_ml_tree_rand_r_seed_from_a_generator():
    """ML-TREE: the splitter seed is ``randint(0, 2³¹ − 1)`` of a RandomState (its
    legacy stream, scikit-learn's draw) or ``integers(0, 2³¹ − 1)`` of a Generator."""
    for s in range(12):
        expect = np.random.RandomState(s).randint(0, 2**31 - 1)
        assert _exact.rand_r_seed(np.random.RandomState(s)) == expect
        expect = np.random.default_rng(s).integers(0, 2**31 - 1)
        assert _exact.rand_r_seed(np.random.default_rng(s)) == expect
    big = [_exact.rand_r_seed(np.random.default_rng(s)) for s in range(50)]
    assert max(big) > 2**30 and min(big) >= 0  # the whole range, not a narrower one


def test_ml_tree_impurity_of_exactly_epsilon_is_a_leaf():
    """ML-TREE: scikit-learn makes a node a leaf when its impurity ≤ ε (2⁻⁵²): targets
    0 and 2⁻²⁵ have variance 2⁻⁵¹ − 2⁻⁵² = ε exactly, so the root is a leaf of depth 0;
    twice as far apart, it splits."""
    X = np.array([[0.0], [1.0]])
    for y, nodes in (([0.0, 2.0**-25], 1), ([0.0, 2.0**-24], 3)):
        ours = DecisionTreeRegressor().fit(X, y)
        theirs = sk_tree.DecisionTreeRegressor().fit(X, y)
        _same_tree(ours, theirs)
        assert ours.tree_.node_count == nodes
        assert ours.get_depth() == theirs.get_depth() == (nodes > 1)


@pytest.mark.parametrize("max_features", [None, 1])
def test_ml_tree_threshold_test_rounds_in_float32_as_sklearn(max_features):
    """ML-TREE: scikit-learn adds its 1e-7 threshold to float32 values in float32, so
    1.0 and the next float32 (1 + 2⁻²³ ≈ 1 + 1.19e-7) are not split apart (1.0 + 1e-7
    rounds to that next float32), while 1.0 and the one after are: the feature is
    constant in the first case (a leaf), split in the second (also in a forest)."""
    sk_ens = pytest.importorskip("sklearn.ensemble")
    from gradkit.ml.ensemble import RandomForestClassifier

    up = np.nextafter(np.float32(1.0), np.float32(2.0))
    for step in (up, np.nextafter(up, np.float32(2.0))):
        X = np.array([[1.0, 0.0], [1.0, 0.0], [step, 0.0], [step, 0.0], [1.0, 0.0]])
        y = [0, 0, 1, 1, 0]
        kw = {"random_state": 0, "max_features": max_features}
        ours = DecisionTreeClassifier(**kw).fit(X, y)
        _same_tree(ours, sk_tree.DecisionTreeClassifier(**kw).fit(X, y))
        assert ours.tree_.node_count == (1 if step == up else 3)
        ours = RandomForestClassifier(n_estimators=3, bootstrap=False, **kw).fit(X, y)
        theirs = sk_ens.RandomForestClassifier(n_estimators=3, bootstrap=False, **kw).fit(X, y)
        for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
            _same_tree(a, b)


def test_ml_tree_builder_takes_float64_columns_as_float32():
    """ML-TREE: the builder tests closeness in float32 whatever the dtype of the columns
    it is given: float64 columns holding 1.0 and the next float32 give the leaf that
    scikit-learn grows."""
    up = float(np.nextafter(np.float32(1.0), np.float32(2.0)))
    XT = np.array([[1.0, 1.0, up, up, 1.0]])  # float64, (d, N)
    y = np.array([0, 0, 1, 1, 0])
    for max_features in (1, 2):
        XT2 = np.vstack([XT, np.zeros((max_features - 1, 5))])
        builder = _exact.ExactBuilder("gini", None, 2, 1, 0.0, max_features, None, 0.0)
        tree = builder.build(XT2, y, np.ones(5), 2, 1)
        ref = sk_tree.DecisionTreeClassifier(random_state=0).fit(XT2.T, y)
        assert tree.node_count == ref.tree_.node_count == 1
