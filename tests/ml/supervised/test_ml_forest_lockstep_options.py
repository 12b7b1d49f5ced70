"""ML-FOREST (issue 24): a classification forest's trees grown in lock step are
scikit-learn's trees for every tree option, node for node, on tiny data."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml import ensemble

sk_ens = pytest.importorskip("sklearn.ensemble")


def _data(n=70, d=7, seed=0):
    """Coarse values (ties), a constant column, three classes."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)), 1)
    X[:, 3] = -1.0
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.8, size=n) > 0).astype(int)
    y[X[:, 4] > 0.9] = 2
    return X, y


_OPTIONS = [
    {},
    {"criterion": "entropy", "max_features": 3},
    {"criterion": "log_loss", "max_depth": 3},
    {"max_features": None, "min_samples_leaf": 3},
    {"max_features": 0.5, "min_samples_split": 9},
    {"min_samples_leaf": 0.05, "min_samples_split": 0.2},
    {"min_weight_fraction_leaf": 0.06},
    {"min_weight_fraction_leaf": 0.15, "max_features": None},
    {"min_impurity_decrease": 0.01},
    {"min_impurity_decrease": 0.02, "criterion": "entropy", "max_features": None},
    {"class_weight": {0: 2, 1: 1, 2: 3}},
    {"class_weight": {0: 1, 1: 4, 2: 1}, "max_depth": 4},
    {"bootstrap": False, "max_features": 2},
    {"max_samples": 25, "max_depth": 2},
    {"max_depth": 1, "max_features": 1},
]


@pytest.mark.parametrize("options", _OPTIONS, ids=str)
def test_ml_forest_lockstep_option_is_sklearns(options):
    """ML-FOREST: every tree's children, features, thresholds, node counts, weights,
    impurities and values equal scikit-learn's, and so the forest's probabilities."""
    X, y = _data()
    kw = {"n_estimators": 4, "random_state": 1, **options}
    ours = ensemble.RandomForestClassifier(**kw).fit(X, y)
    theirs = sk_ens.RandomForestClassifier(**kw).fit(X, y)
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        g, s = a.tree_, b.tree_
        assert g.node_count == s.node_count
        np.testing.assert_array_equal(g.children_left, s.children_left)
        np.testing.assert_array_equal(g.children_right, s.children_right)
        np.testing.assert_array_equal(g.feature, s.feature)
        np.testing.assert_array_equal(g.threshold, s.threshold)
        np.testing.assert_array_equal(g.n_node_samples, s.n_node_samples)
        np.testing.assert_allclose(g.weighted_n_node_samples, s.weighted_n_node_samples,
                                   rtol=1e-12)  # fmt: skip
        np.testing.assert_allclose(g.impurity, s.impurity, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(g.value, s.value.reshape(s.node_count, -1), rtol=1e-12)
        assert a.get_depth() == b.get_depth()
    Xq = X + np.random.default_rng(3).normal(scale=0.07, size=X.shape)
    np.testing.assert_allclose(ours.predict_proba(Xq), theirs.predict_proba(Xq), rtol=1e-12)


def test_ml_forest_lockstep_deep_sparse_nodes_are_sklearns():
    """ML-FOREST: many samples and deep small nodes (their pairs sorted rather than
    marked), one pure class region, integer features."""
    rng = np.random.default_rng(4)
    X = rng.integers(0, 12, size=(400, 5)).astype(float)
    y = ((X[:, 0] * X[:, 1]) % 5 + (X[:, 2] > 8)).astype(int)
    kw = {"n_estimators": 3, "random_state": 2, "max_features": 2}
    ours = ensemble.RandomForestClassifier(**kw).fit(X, y)
    theirs = sk_ens.RandomForestClassifier(**kw).fit(X, y)
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
        np.testing.assert_array_equal(a.tree_.n_node_samples, b.tree_.n_node_samples)
        np.testing.assert_array_equal(a.tree_.value, b.tree_.value.reshape(len(b.tree_.value), -1))
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))
