"""The tree builders learn which drawn features are constant in a node either all at
once (small nodes) or from dry runs of scikit-learn's draws (large nodes); every way
gives scikit-learn's trees (ML-TREE, ML-FOREST)."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml import ensemble
from gradkit.ml.tree import DecisionTreeClassifier, _exact, _lockstep

sk_ens = pytest.importorskip("sklearn.ensemble")


def _sparse_pixels(n=400, d=60, seed=0):
    """Image-like data: mostly zero columns (many features constant in deep nodes),
    a few columns zero everywhere, 4 classes."""
    rng = np.random.default_rng(seed)
    X = np.where(rng.random((n, d)) < 0.15, rng.integers(1, 6, (n, d)), 0).astype(float)
    X[:, :3] = 0.0
    y = (X[:, 3:10].sum(axis=1) + X[:, 10:20].sum(axis=1) % 3 + rng.integers(0, 2, n)) % 4
    return X, y


@pytest.mark.parametrize(
    ("small", "probes"),
    [(0, 8), (0, 1), (0, 0), (10**9, 8)],
    ids=["dry-runs", "one-dry-run", "all-at-once-after-none", "all-small"],
)
def test_ml_forest_constancy_checks_give_sklearns_trees(monkeypatch, small, probes):
    """ML-FOREST: with every node checked by dry runs (of which at most ``probes``),
    or all nodes checked at once, the trees are scikit-learn's."""
    monkeypatch.setattr(_lockstep._State, "_SMALL", small)
    monkeypatch.setattr(_lockstep._State, "_PROBES", probes)
    X, y = _sparse_pixels()
    options = {"n_estimators": 6, "random_state": 3, "max_features": "sqrt"}
    ours = ensemble.RandomForestClassifier(**options).fit(X, y)
    theirs = sk_ens.RandomForestClassifier(**options).fit(X, y)
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        assert a.tree_.node_count == b.tree_.node_count
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
        np.testing.assert_array_equal(a.tree_.n_node_samples, b.tree_.n_node_samples)
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))


@pytest.mark.parametrize(
    ("small", "probes"),
    [(0, 8), (0, 1), (10**9, 8)],
    ids=["dry-runs", "one-dry-run", "all-small"],
)
def test_ml_tree_constancy_checks_give_sklearns_trees(monkeypatch, small, probes):
    """ML-TREE, ML-FOREST: the tree-by-tree builder with drawn features (a tree, a
    regression forest) learns constancy the same ways and grows scikit-learn's trees."""
    sk_tree = pytest.importorskip("sklearn.tree")
    monkeypatch.setattr(_exact.ExactBuilder, "_SMALL", small)
    monkeypatch.setattr(_exact.ExactBuilder, "_PROBES", probes)
    X, y = _sparse_pixels(seed=1)
    for ours, theirs in [
        (
            DecisionTreeClassifier(max_features="sqrt", random_state=5).fit(X, y),
            sk_tree.DecisionTreeClassifier(max_features="sqrt", random_state=5).fit(X, y),
        ),
        (
            DecisionTreeClassifier(max_features=4, max_leaf_nodes=30, random_state=2).fit(X, y),
            sk_tree.DecisionTreeClassifier(max_features=4, max_leaf_nodes=30, random_state=2).fit(
                X, y
            ),
        ),
    ]:
        np.testing.assert_array_equal(ours.tree_.feature, theirs.tree_.feature)
        np.testing.assert_array_equal(ours.tree_.threshold, theirs.tree_.threshold)
        np.testing.assert_array_equal(
            ours.tree_.value, theirs.tree_.value.reshape(len(ours.tree_.value), -1)
        )
    options = {"n_estimators": 4, "random_state": 0, "max_features": 0.2}
    ours = ensemble.RandomForestRegressor(**options).fit(X, y.astype(float))
    theirs = sk_ens.RandomForestRegressor(**options).fit(X, y.astype(float))
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
