"""ML-FOREST (issue 24): the lock-step forest builder at its boundaries: leaves of
exactly ``min_weight_leaf`` weight or ``min_samples_leaf`` samples, a split whose
decrease equals ``min_impurity_decrease``, and the forests it must not grow
(regression, best-first ``max_leaf_nodes``, non-integer weights). The oracle is
scikit-learn's forest, tree for tree."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml import ensemble

sk_ens = pytest.importorskip("sklearn.ensemble")


def _same_trees(ours, theirs):
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        ta, tb = a.tree_, b.tree_
        np.testing.assert_array_equal(ta.children_left, tb.children_left)
        np.testing.assert_array_equal(ta.feature, tb.feature)
        np.testing.assert_array_equal(ta.n_node_samples, tb.n_node_samples)
        np.testing.assert_allclose(ta.threshold, tb.threshold, rtol=1e-6)


def _edge_data(side):
    """20 samples on one feature (plus a noisy one); two outlying samples of class 1 at
    one end, so the best root split leaves exactly two samples on that side."""
    rng = np.random.default_rng(0)
    x = np.arange(20.0)
    y = np.zeros(20, dtype=int)
    y[slice(None, 2) if side == "left" else slice(-2, None)] = 1
    y[[7, 12]] = 1
    X = np.column_stack([x, np.round(rng.normal(size=20), 1)])
    return X, y


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize(
    "options",
    [
        {"min_weight_fraction_leaf": 0.1},  # leaves of weight exactly 2 allowed
        {"min_samples_leaf": 2},
        {"min_samples_leaf": 3, "min_weight_fraction_leaf": 0.05},  # both bounds apply
    ],
    ids=str,
)
def test_ml_forest_lockstep_leaf_bounds_are_inclusive(side, options):
    """ML-FOREST: a leaf may hold exactly the minimum weight / samples, as in
    scikit-learn; with both bounds, both are enforced."""
    X, y = _edge_data(side)
    kw = {"n_estimators": 3, "bootstrap": False, "max_features": None, "random_state": 0}
    ours = ensemble.RandomForestClassifier(**kw, **options).fit(X, y)
    theirs = sk_ens.RandomForestClassifier(**kw, **options).fit(X, y)
    _same_trees(ours, theirs)


def test_ml_forest_lockstep_min_impurity_decrease_equal_is_split():
    """ML-FOREST: four samples, a perfect split of gini 0.5 (decrease 0.5 in closed
    form): with ``min_impurity_decrease=0.5`` the root still splits, as scikit-learn."""
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    kw = {"n_estimators": 2, "bootstrap": False, "min_impurity_decrease": 0.5}
    ours = ensemble.RandomForestClassifier(**kw, random_state=0).fit(X, y)
    theirs = sk_ens.RandomForestClassifier(**kw, random_state=0).fit(X, y)
    for est in ours.estimators_:
        assert est.tree_.node_count == 3
    _same_trees(ours, theirs)


@pytest.mark.parametrize(
    "make, options",
    [
        ("RandomForestRegressor", {}),
        ("RandomForestClassifier", {"max_leaf_nodes": 4}),
        ("RandomForestClassifier", {"class_weight": "balanced", "max_depth": 3}),
    ],
    ids=str,
)
def test_ml_forest_non_lockstep_forests_are_sklearns(make, options):
    """ML-FOREST: forests the lock step cannot grow (regression, best-first growth,
    non-integer class weights) are still scikit-learn's, tree for tree."""
    rng = np.random.default_rng(2)
    X = np.round(rng.normal(size=(40, 3)), 1)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    y[X[:, 2] > 1.0] = 2
    target = np.round(2 * X[:, 0] - X[:, 1]) if make == "RandomForestRegressor" else y
    kw = {"n_estimators": 3, "random_state": 0, **options}
    ours = getattr(ensemble, make)(**kw).fit(X, target)
    theirs = getattr(sk_ens, make)(**kw).fit(X, target)
    _same_trees(ours, theirs)
