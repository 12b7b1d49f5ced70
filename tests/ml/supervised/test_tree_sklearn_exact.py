"""With an int ``random_state``, gradkit grows scikit-learn's trees and forests: the same
nodes, features, thresholds and values, so the same predictions (ML-TREE, ML-FOREST).

Exact whenever every sum of weights and targets is exact: integer sample weights
(none, bootstrap counts, integer ``sample_weight`` or ``class_weight``) and
classification or integer regression targets. With real weights or targets the sums
are taken in another order than scikit-learn's (its introsort and partition order), so
values agree to rounding and a near-tie between two splits may go the other way.
"""

from __future__ import annotations

import numpy as np
import pytest
from _tree_parity import assert_same_tree

from gradkit.ml import ensemble
from gradkit.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor

sk_ens = pytest.importorskip("sklearn.ensemble")
sk_tree = pytest.importorskip("sklearn.tree")
sk_data = pytest.importorskip("sklearn.datasets")


def _iris():
    return sk_data.load_iris(return_X_y=True)


def _cancer():
    return sk_data.load_breast_cancer(return_X_y=True)


def _ties(seed=0, n=300):
    """Coarse values (many ties), a constant column, a duplicated column, 3 classes."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, 6)), 1)
    X[:, 2] = 1.5  # constant
    X[:, 4] = X[:, 0]  # the same as column 0: ties between features
    X[:, 5] = rng.integers(0, 3, n)  # three values
    y = (X[:, 0] + X[:, 1] * X[:, 5] + rng.normal(size=n) > 0.3).astype(int)
    y[X[:, 3] > 1.0] = 2
    return X, y


_DATA = {"iris": _iris, "breast_cancer": _cancer, "ties": _ties}


_TREE_OPTIONS = [
    {},
    {"max_features": "sqrt"},
    {"max_features": "log2", "criterion": "entropy"},
    {"max_features": 2, "criterion": "log_loss"},
    {"max_features": 0.5, "max_depth": 4},
    {"min_samples_split": 10, "min_samples_leaf": 3},
    {"min_samples_split": 0.05, "min_samples_leaf": 0.02, "max_features": 3},
    {"min_weight_fraction_leaf": 0.03, "max_features": "sqrt"},
    {"min_impurity_decrease": 0.005},
    {"max_leaf_nodes": 9},
    {"max_leaf_nodes": 25, "max_features": 2, "criterion": "entropy"},
]


@pytest.mark.parametrize("data", sorted(_DATA))
@pytest.mark.parametrize("options", _TREE_OPTIONS, ids=str)
def test_ml_tree_classifier_is_sklearns_tree(data, options):
    """ML-TREE: same nodes, features, thresholds, values and predictions for 2 seeds."""
    X, y = _DATA[data]()
    rng = np.random.default_rng(1)
    Xq = X[rng.integers(0, len(X), 200)] + rng.normal(scale=0.05, size=(200, X.shape[1]))
    for seed in (0, 5):
        ours = DecisionTreeClassifier(random_state=seed, **options).fit(X, y)
        theirs = sk_tree.DecisionTreeClassifier(random_state=seed, **options).fit(X, y)
        assert_same_tree(ours, theirs)
        np.testing.assert_array_equal(ours.predict_proba(Xq), theirs.predict_proba(Xq))
        np.testing.assert_array_equal(ours.apply(Xq), theirs.apply(Xq))


def test_ml_tree_integer_weights_are_exact():
    """ML-TREE: integer sample weights (zeros drop samples) and integer class weights."""
    X, y = _ties(3)
    w = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    for seed, options in enumerate([{}, {"max_features": 3}, {"class_weight": {0: 1, 1: 3, 2: 2}}]):
        ours = DecisionTreeClassifier(random_state=seed, **options).fit(X, y, sample_weight=w)
        theirs = sk_tree.DecisionTreeClassifier(random_state=seed, **options)
        assert_same_tree(ours, theirs.fit(X, y, sample_weight=w))


@pytest.mark.parametrize(
    "options", [{}, {"max_features": 0.4}, {"min_samples_leaf": 4, "max_depth": 6},
                {"max_leaf_nodes": 30, "max_features": 3}], ids=str)  # fmt: skip
def test_ml_tree_regressor_is_sklearns_tree(options):
    """ML-TREE: with integer targets (diabetes: every sum exact) the regression tree is
    scikit-learn's, nodes, thresholds and values."""
    X, y = sk_data.load_diabetes(return_X_y=True)
    for seed in (0, 1):
        ours = DecisionTreeRegressor(random_state=seed, **options).fit(X, y)
        theirs = sk_tree.DecisionTreeRegressor(random_state=seed, **options).fit(X, y)
        assert_same_tree(ours, theirs)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_ml_tree_regressor_real_targets_agree_to_rounding():
    """ML-TREE: with real targets the sums are rounded in another order than
    scikit-learn's (a known limit): the trees start alike and nearly all predictions
    agree."""
    X, y = sk_data.make_regression(400, 6, n_informative=4, noise=5.0, random_state=0)
    ours = DecisionTreeRegressor(random_state=2, max_features=0.5).fit(X, y)
    theirs = sk_tree.DecisionTreeRegressor(random_state=2, max_features=0.5).fit(X, y)
    np.testing.assert_array_equal(ours.tree_.feature[:15], theirs.tree_.feature[:15])
    np.testing.assert_array_equal(ours.tree_.threshold[:15], theirs.tree_.threshold[:15])
    Xq = X + np.random.default_rng(0).normal(scale=0.05, size=X.shape)
    close = np.isclose(ours.predict(Xq), theirs.predict(Xq), rtol=1e-9)
    assert close.mean() >= 0.95


def test_ml_tree_seeding_follows_sklearn():
    """ML-TREE: the splitter's seed comes from RandomState(random_state), so the trees of
    different seeds differ as scikit-learn's do and a RandomState instance works too."""
    X, y = _cancer()
    trees = [DecisionTreeClassifier(random_state=s, max_features=3).fit(X, y) for s in (0, 1)]
    assert not np.array_equal(trees[0].tree_.feature[:5], trees[1].tree_.feature[:5])
    ours = DecisionTreeClassifier(random_state=np.random.RandomState(7), max_features=3)
    theirs = sk_tree.DecisionTreeClassifier(random_state=np.random.RandomState(7), max_features=3)
    assert_same_tree(ours.fit(X, y), theirs.fit(X, y))


def _forest_pair(cls_name, X, y, **options):
    ours = getattr(ensemble, cls_name)(**options).fit(X, y)
    theirs = getattr(sk_ens, cls_name)(**options).fit(X, y)
    assert len(ours.estimators_) == len(theirs.estimators_)
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    return ours, theirs


@pytest.mark.parametrize(
    ("data", "options"),
    [
        ("iris", {"n_estimators": 10, "random_state": 0}),
        ("breast_cancer", {"n_estimators": 25, "random_state": 3, "criterion": "entropy"}),
        ("ties", {"n_estimators": 50, "random_state": 1, "max_features": 2}),
        ("ties", {"n_estimators": 10, "random_state": 2, "max_samples": 0.6, "max_depth": 5}),
        ("breast_cancer", {"n_estimators": 10, "random_state": 4, "bootstrap": False,
                           "max_features": 0.3}),
        ("breast_cancer", {"n_estimators": 10, "random_state": 5, "max_leaf_nodes": 12,
                           "min_weight_fraction_leaf": 0.01}),
        ("ties", {"n_estimators": 10, "random_state": 6, "min_samples_leaf": 3,
                  "class_weight": {0: 2, 1: 1, 2: 3}, "min_impurity_decrease": 0.002}),
    ],
    ids=str,
)  # fmt: skip
def test_ml_forest_classifier_is_sklearns_forest(data, options):
    """ML-FOREST: the same trees, so predict_proba and predict are equal."""
    X, y = _DATA[data]()
    ours, theirs = _forest_pair("RandomForestClassifier", X, y, **options)
    Xq = X + np.random.default_rng(0).normal(scale=0.1, size=X.shape)
    np.testing.assert_array_equal(ours.predict_proba(Xq), theirs.predict_proba(Xq))
    np.testing.assert_array_equal(ours.predict(Xq), theirs.predict(Xq))


def test_ml_forest_oob_is_sklearns():
    """ML-FOREST: out-of-bag decision function and score as scikit-learn's."""
    X, y = _cancer()
    ours, theirs = _forest_pair(
        "RandomForestClassifier", X, y, n_estimators=15, oob_score=True, random_state=0
    )
    np.testing.assert_array_equal(ours.oob_decision_function_, theirs.oob_decision_function_)
    assert ours.oob_score_ == theirs.oob_score_
    Xr, yr = sk_data.load_diabetes(return_X_y=True)
    ours, theirs = _forest_pair(
        "RandomForestRegressor", Xr, yr, n_estimators=8, oob_score=True, random_state=2,
        max_features=0.5, max_samples=200,
    )  # fmt: skip
    np.testing.assert_allclose(ours.oob_prediction_, theirs.oob_prediction_, rtol=1e-12)
    assert ours.oob_score_ == pytest.approx(theirs.oob_score_, rel=1e-12)
    np.testing.assert_allclose(ours.predict(Xr), theirs.predict(Xr), rtol=1e-12)


def test_ml_forest_option_errors():
    """ML-FOREST: scikit-learn's refusals for the bootstrap options."""
    X, y = _iris()
    with pytest.raises(ValueError, match="bootstrap"):
        ensemble.RandomForestClassifier(3, bootstrap=False, oob_score=True).fit(X, y)
    with pytest.raises(ValueError, match="max_samples"):
        ensemble.RandomForestClassifier(3, bootstrap=False, max_samples=10).fit(X, y)
    with pytest.raises(ValueError, match="max_samples"):
        ensemble.RandomForestClassifier(3, max_samples=1.5).fit(X, y)
    with pytest.raises(ValueError, match="max_leaf_nodes"):
        DecisionTreeClassifier(max_leaf_nodes=1).fit(X, y)
    with pytest.raises(ValueError, match="min_weight_fraction_leaf"):
        DecisionTreeClassifier(min_weight_fraction_leaf=0.7).fit(X, y)


@pytest.mark.slow
def test_ml_forest_bench_workload_agrees_fully():
    """ML-FOREST: bench_scale's forest (50 trees, 10k × 20, 3 classes): every
    prediction and probability equal to scikit-learn's."""
    X, y = sk_data.make_classification(
        n_samples=20_000, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    ours, theirs = _forest_pair(
        "RandomForestClassifier", X[:10_000], y[:10_000], n_estimators=50, random_state=0
    )
    np.testing.assert_array_equal(ours.predict_proba(X[10_000:]), theirs.predict_proba(X[10_000:]))
