"""ML-TREE (issue 24): the level-wise builder (``grow_trees``) with weights of 0 and 1
only (the counting fast path: counts from positions, the last class as the rest) grows
scikit-learn's trees, for two classes and for three."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml.tree import DecisionTreeClassifier, grow_trees

sk_tree = pytest.importorskip("sklearn.tree")


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_ml_tree_levelwise_zero_one_weights_are_sklearns(n_classes, criterion):
    """ML-TREE: two trees whose weights are a random half of the samples (0/1), one
    informative feature among constants: every node's counts, impurity, threshold and
    the probabilities equal scikit-learn's."""
    rng = np.random.default_rng(3)
    n = 50
    c = np.round(rng.normal(size=n), 1)
    X = np.column_stack([np.full(n, 1.0), c, np.full(n, -2.0)])
    y = (c + 0.7 * rng.normal(size=n) > 0).astype(int)
    if n_classes == 3:
        y[rng.random(n) < 0.25] = 2
    W = (rng.random((2, n)) < 0.6).astype(float)
    template = DecisionTreeClassifier(criterion=criterion, max_depth=4, random_state=0)
    template.fit(X[:n_classes], np.arange(n_classes))
    trees = grow_trees(template, X, np.tile(y, (2, 1)), W)
    for tree, w in zip(trees, W, strict=True):
        ref = sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=4, random_state=0)
        ref.fit(X, y, sample_weight=w)
        t, r = tree.tree_, ref.tree_
        assert t.node_count == r.node_count
        np.testing.assert_array_equal(np.sort(t.n_node_samples), np.sort(r.n_node_samples))
        np.testing.assert_allclose(np.sort(t.impurity), np.sort(r.impurity), rtol=1e-9,
                                   atol=1e-12)  # fmt: skip
        np.testing.assert_allclose(np.sort(t.threshold), np.sort(r.threshold), rtol=1e-6)
        np.testing.assert_allclose(tree.predict_proba(X), ref.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize("scale, n_classes", [("real", 3), ("two", 2)])
def test_ml_tree_levelwise_weighted_class_sums_are_sklearns(scale, n_classes):
    """ML-TREE: real weights with three classes (summed run by run in float64) and
    weights of 0 and 2 only (not the counting path: weighted sums are twice the
    counts) give scikit-learn's node weights, impurities and thresholds."""
    rng = np.random.default_rng(5)
    n = 50
    c = np.round(rng.normal(size=n), 1)
    X = np.column_stack([c, np.full(n, 3.0)])
    y = (c + 0.7 * rng.normal(size=n) > 0).astype(int)
    if n_classes == 3:
        y[rng.random(n) < 0.25] = 2
    mask = rng.random((2, n)) < 0.6
    W = mask * (rng.uniform(0.5, 1.5, (2, n)) if scale == "real" else 2.0)
    template = DecisionTreeClassifier(max_depth=3, random_state=0)
    template.fit(X[:n_classes], np.arange(n_classes))
    trees = grow_trees(template, X, np.tile(y, (2, 1)), W)
    for tree, w in zip(trees, W, strict=True):
        ref = sk_tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y, sample_weight=w)
        t, r = tree.tree_, ref.tree_
        assert t.node_count == r.node_count
        np.testing.assert_allclose(np.sort(t.weighted_n_node_samples),
                                   np.sort(r.weighted_n_node_samples), rtol=1e-12)  # fmt: skip
        np.testing.assert_allclose(np.sort(t.impurity), np.sort(r.impurity), rtol=1e-9,
                                   atol=1e-12)  # fmt: skip
        np.testing.assert_allclose(np.sort(t.threshold), np.sort(r.threshold), rtol=1e-6)
