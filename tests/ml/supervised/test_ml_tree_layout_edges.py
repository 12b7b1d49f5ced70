"""ML-TREE (issue 24): the two layouts of the level-wise builder (``grow_trees``) on
edge cases: the presorted layout reading the rows of the drawn features (not of other
features), and several trees whose samples all have positive weight (no sample left
out of any tree). The oracle is scikit-learn's tree for each weight row."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor, grow_trees

sk_tree = pytest.importorskip("sklearn.tree")


def _facts(t, node=0):
    """Nested (feature, threshold, n, weight, impurity) of the inner nodes and (n, weight,
    value) of the leaves: independent of the node numbering."""
    n, w = int(t.n_node_samples[node]), float(t.weighted_n_node_samples[node])
    if t.children_left[node] < 0:
        return [n, w, *np.ravel(t.value[node]).tolist()]
    thr = float(np.float32(t.threshold[node]))  # float32 midpoints, as scikit-learn's
    head = [int(t.feature[node]), thr, n, w, float(t.impurity[node])]
    return head + _facts(t, t.children_left[node]) + _facts(t, t.children_right[node])


def _same(ours, theirs):
    a, b = _facts(ours), _facts(theirs)
    assert len(a) == len(b)
    np.testing.assert_allclose(np.array(a, float), np.array(b, float), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("regression", [False, True])
def test_ml_tree_presorted_drawn_pairs_read_the_drawn_features(regression):
    """ML-TREE: three features, the middle one the only informative one, two drawn per
    node (the presorted layout): every split is on feature 1, as scikit-learn's, with
    its thresholds; reading another feature's row would label splits with feature 2."""
    rng = np.random.default_rng(0)
    n = 40
    c = np.round(rng.normal(size=n), 1)
    X = np.column_stack([np.full(n, 0.5), c, np.full(n, -1.0)])
    y = (c + 0.5 * rng.normal(size=n) > 0).astype(int)
    yr = np.round(3 * c + rng.normal(size=n))
    target = yr if regression else y
    W = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(3)]) * 1.0
    cls = DecisionTreeRegressor if regression else DecisionTreeClassifier
    sk_cls = sk_tree.DecisionTreeRegressor if regression else sk_tree.DecisionTreeClassifier
    for seed in range(3):
        template = cls(max_features=2, random_state=seed, max_depth=3)
        if not regression:
            template.fit(X[:2], [0, 1])
        trees = grow_trees(template, X, np.tile(target, (3, 1)), W)
        for tree, w in zip(trees, W, strict=True):
            ref = sk_cls(max_features=2, random_state=seed, max_depth=3)
            ref.fit(X, target, sample_weight=w)
            _same(tree.tree_, ref.tree_)
            inner = tree.tree_.children_left >= 0
            assert np.all(tree.tree_.feature[inner] == 1)


@pytest.mark.parametrize("max_features", [None, 1])
def test_ml_tree_levelwise_trees_with_every_sample_weighted(max_features):
    """ML-TREE: two trees grown together whose weights are all positive (no bootstrap
    zeros: Bagging without bootstrap), in either layout, are scikit-learn's trees (one
    informative feature among constants, so the features drawn change no split)."""
    rng = np.random.default_rng(1)
    n = 30
    c = np.round(rng.normal(size=n), 1)
    X = np.column_stack([np.full(n, 0.5), np.full(n, 2.0), np.full(n, 1.0), c, np.zeros(n)])
    y = (c + 0.5 * rng.normal(size=n) > 0).astype(int)
    W = np.stack([np.ones(n), rng.integers(1, 4, n).astype(float)])
    template = DecisionTreeClassifier(max_depth=3, max_features=max_features)
    template.fit(X[:2], [0, 1])
    trees = grow_trees(template, X, np.tile(y, (2, 1)), W)
    for tree, w in zip(trees, W, strict=True):
        ref = sk_tree.DecisionTreeClassifier(max_depth=3, random_state=0)
        ref.fit(X, y, sample_weight=w)
        _same(tree.tree_, ref.tree_)
