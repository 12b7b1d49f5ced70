"""ML-TREE, ML-FOREST (issue 24): prediction with many trees at once (the stacked
layout walked in blocks of rows) gives scikit-learn's leaves, probabilities and means,
bit for bit, across several blocks, and a single tree's apply / predict / importances."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml import ensemble
from gradkit.ml.tree import DecisionTreeRegressor, apply_many, predict_many, stack_trees

sk_ens = pytest.importorskip("sklearn.ensemble")
sk_tree = pytest.importorskip("sklearn.tree")


def _data(n=80, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)), 2)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int) + (X[:, 3] > 1.0)
    yr = np.round(5 * X[:, 0] - 3 * X[:, 1] * X[:, 2] + rng.normal(size=n))
    return X, y, yr


def _leaves(forest, Xq):
    """Every tree's leaf for every row, numbered in its own tree: (n, n_trees)."""
    stack = stack_trees([e.tree_ for e in forest.estimators_])
    return stack[6].take(apply_many(stack, Xq))


def test_ml_forest_many_trees_predict_in_blocks_as_sklearn():
    """ML-FOREST: 100 shallow trees, 1400 query rows (the (row, tree) paths walked in
    three blocks): every tree's leaves and values and the forest's mean probabilities
    equal scikit-learn's."""
    X, y, _ = _data()
    kw = {"n_estimators": 100, "max_depth": 3, "random_state": 0, "max_features": 2}
    ours = ensemble.RandomForestClassifier(**kw).fit(X, y)
    theirs = sk_ens.RandomForestClassifier(**kw).fit(X, y)
    Xq = np.random.default_rng(1).normal(scale=1.2, size=(1400, 4))
    np.testing.assert_array_equal(_leaves(ours, Xq), theirs.apply(Xq))
    values = predict_many(stack_trees([e.tree_ for e in ours.estimators_]), Xq)
    for t in (0, 57, 99):
        np.testing.assert_array_equal(values[:, t], theirs.estimators_[t].predict_proba(Xq))
    np.testing.assert_array_equal(ours.predict_proba(Xq), theirs.predict_proba(Xq))
    np.testing.assert_array_equal(ours.predict(Xq), theirs.predict(Xq))


def test_ml_forest_regressor_mean_accumulates_as_sklearn():
    """ML-FOREST: the forest's mean adds the trees' values one after another, as
    scikit-learn does, so the means are equal bit for bit."""
    X, _, yr = _data(seed=2)
    kw = {"n_estimators": 23, "random_state": 3, "max_features": 0.5, "min_samples_leaf": 2}
    ours = ensemble.RandomForestRegressor(**kw).fit(X, yr)
    theirs = sk_ens.RandomForestRegressor(**kw).fit(X, yr)
    Xq = np.random.default_rng(4).normal(scale=1.2, size=(300, 4))
    np.testing.assert_array_equal(ours.predict(Xq), theirs.predict(Xq))
    np.testing.assert_array_equal(_leaves(ours, Xq), theirs.apply(Xq))


def test_ml_tree_single_tree_leaves_values_and_importances():
    """ML-TREE: one tree: leaves of rows on both sides of every threshold (rows equal to
    a threshold go left), a stump, and importances."""
    X, _, yr = _data(seed=5)
    ours = DecisionTreeRegressor(random_state=0, max_depth=4).fit(X, yr)
    theirs = sk_tree.DecisionTreeRegressor(random_state=0, max_depth=4).fit(X, yr)
    t = theirs.tree_
    inner = np.flatnonzero(t.children_left >= 0)
    Xq = np.repeat(X[:1], 3 * len(inner), axis=0)
    for k, node in enumerate(inner):  # on, just below and just above each threshold
        thr = np.float32(t.threshold[node])
        Xq[3 * k : 3 * k + 3, t.feature[node]] = [thr, np.nextafter(thr, -np.inf),
                                                   np.nextafter(thr, np.inf)]  # fmt: skip
    np.testing.assert_array_equal(ours.apply(Xq), theirs.apply(Xq))
    np.testing.assert_array_equal(ours.predict(Xq), theirs.predict(Xq))
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_,
                               rtol=1e-12)  # fmt: skip
    stump = DecisionTreeRegressor().fit(X, np.full(len(X), 2.5))
    assert stump.get_n_leaves() == 1 and stump.get_depth() == 0
    np.testing.assert_array_equal(stump.apply(Xq), np.zeros(len(Xq)))
    np.testing.assert_array_equal(stump.predict(Xq), np.full(len(Xq), 2.5))
    np.testing.assert_array_equal(stump.feature_importances_, np.zeros(4))
