"""ML-TREE, ML-FOREST (issue 24): the stacked prediction layout on edge cases: one
query row with one feature (a leaf's own feature must index X's row, as the paths
that reached a leaf go on stepping until a quarter of them have), and importances of
a tree whose weighted impurity decreases sum to less than 1. The oracle is
scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml import ensemble
from gradkit.ml.tree import DecisionTreeClassifier

sk_ens = pytest.importorskip("sklearn.ensemble")
sk_tree = pytest.importorskip("sklearn.tree")


def test_ml_forest_single_row_single_feature_predicts_as_sklearn():
    """ML-FOREST: 40 trees on one feature, each query a single row: every tree's value
    and the forest's mean are scikit-learn's (leaves at many depths, so some paths end
    while most still descend)."""
    rng = np.random.default_rng(0)
    X = np.round(rng.normal(size=(60, 1)), 2)
    y = np.round(3 * np.sin(2 * X[:, 0]) + 0.5 * rng.normal(size=60))  # exact sums
    kw = {"n_estimators": 40, "random_state": 0}
    ours = ensemble.RandomForestRegressor(**kw).fit(X, y)
    theirs = sk_ens.RandomForestRegressor(**kw).fit(X, y)
    for q in (-2.5, -0.7, 0.0, 0.31, 1.2, 3.0):
        row = np.array([[q]])
        np.testing.assert_array_equal(ours.predict(row), theirs.predict(row))
        for e_ours, e_theirs in zip(ours.estimators_, theirs.estimators_, strict=True):
            np.testing.assert_array_equal(e_ours.predict(row), e_theirs.predict(row))


def test_ml_tree_importances_normalised_when_gains_are_small():
    """ML-TREE: sample weights of 1e-3 make the weighted gains sum to far less than 1;
    the importances are still normalised to sum to 1, as scikit-learn's."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + 0.5 * X[:, 2] > 0).astype(int)
    w = np.full(40, 1e-3)
    ours = DecisionTreeClassifier(random_state=0, max_depth=3).fit(X, y, sample_weight=w)
    theirs = sk_tree.DecisionTreeClassifier(random_state=0, max_depth=3)
    theirs.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_,
                               rtol=1e-9)  # fmt: skip
    assert ours.feature_importances_.sum() == pytest.approx(1.0)
