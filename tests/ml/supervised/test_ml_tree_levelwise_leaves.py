"""ML-TREE (issue 24): the level-wise builder (``grow_trees``) writes scikit-learn's
leaf markers (children −1, feature and threshold −2), reads ``criterion="log_loss"``
as entropy, and grows trees side by side when one tree's root cannot split."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml.tree import DecisionTreeClassifier, grow_trees

sk_tree = pytest.importorskip("sklearn.tree")


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    c = np.round(rng.normal(size=n), 1)
    X = np.column_stack([c, np.full(n, 0.5)])
    y = (c + 0.6 * rng.normal(size=n) > 0).astype(int)
    y[rng.random(n) < 0.2] = 2
    return X, y


def _check(tree, ref):
    t, r = tree.tree_, ref.tree_
    assert t.node_count == r.node_count
    leaf, rleaf = t.children_left < 0, r.children_left < 0
    assert leaf.sum() == rleaf.sum()
    for arr, ra in [(t.children_left, r.children_left), (t.children_right, r.children_right),
                    (t.feature, r.feature), (t.threshold, r.threshold)]:  # fmt: skip
        np.testing.assert_array_equal(arr[leaf], ra[rleaf])  # −1, −1, −2, −2.0
    np.testing.assert_allclose(np.sort(t.impurity), np.sort(r.impurity), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(tree.predict_proba(ref_X), ref.predict_proba(ref_X), rtol=1e-12)


ref_X = _data()[0]


def test_ml_tree_levelwise_log_loss_leaf_markers_and_unsplittable_root():
    """ML-TREE: two trees grown together, the first on one class only (its root is a
    leaf), the second with ``criterion="log_loss"``: each equals scikit-learn's tree,
    leaf markers included."""
    X, y = _data()
    W = np.ones((2, len(y)))
    targets = np.stack([np.zeros_like(y), y])
    template = DecisionTreeClassifier(criterion="log_loss", max_depth=3, random_state=0)
    template.fit(X[:3], [0, 1, 2])
    trees = grow_trees(template, X, targets, W)
    ref0 = sk_tree.DecisionTreeClassifier(criterion="log_loss", max_depth=3, random_state=0)
    ref0.fit(np.vstack([X, X[:2]]), np.concatenate([targets[0], [1, 2]]),
             sample_weight=np.concatenate([W[0], [0, 0]]))  # fmt: skip
    ref1 = sk_tree.DecisionTreeClassifier(criterion="log_loss", max_depth=3, random_state=0)
    ref1.fit(X, y)
    assert trees[0].tree_.node_count == 1
    _check(trees[0], ref0)
    _check(trees[1], ref1)
    gini = sk_tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    assert not np.allclose(np.sort(gini.tree_.impurity), np.sort(trees[1].tree_.impurity))
