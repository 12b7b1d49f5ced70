"""Trees and ensembles against brute force and scikit-learn (ML-TREE, ML-FOREST,
ML-BAGGING, ML-ADABOOST, ML-GBM)."""

from __future__ import annotations

import numpy as np
import pytest
from _supervised_data import split

from gradkit.ml import ensemble
from gradkit.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor

sk_ens = pytest.importorskip("sklearn.ensemble")
sk_tree = pytest.importorskip("sklearn.tree")


def _brute_force_root_split(X, y, impurity):
    """Best (weighted child impurity) over every feature and every midpoint, by loops."""
    best = np.inf
    for f in range(X.shape[1]):
        values = np.unique(X[:, f])
        for t in (values[:-1] + values[1:]) / 2:
            left = X[:, f] <= t
            cost = left.sum() * impurity(y[left]) + (~left).sum() * impurity(y[~left])
            best = min(best, cost)
    return best


def _gini(y):
    p = np.bincount(y) / len(y)
    return 1 - p @ p


def _sse(y):
    return y.var()


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_ml_tree_root_split_is_the_brute_force_optimum(rng, kind):
    """ML-TREE: the vectorised split search finds the best split a loop over thresholds finds."""
    X = np.round(rng.normal(size=(80, 4)), 1)  # ties in the feature values
    if kind == "classifier":
        y = (X[:, 0] + X[:, 2] ** 2 + 0.5 * rng.normal(size=80) > 0.8).astype(int)
        tree = DecisionTreeClassifier(max_depth=1).fit(X, y)
        impurity = _gini
    else:
        y = X[:, 1] * 2 + np.sin(X[:, 3]) + 0.1 * rng.normal(size=80)
        tree = DecisionTreeRegressor(max_depth=1).fit(X, y)
        impurity = _sse
    t = tree.tree_
    left = X[:, t.feature[0]] <= t.threshold[0]
    cost = left.sum() * impurity(y[left]) + (~left).sum() * impurity(y[~left])
    assert cost == pytest.approx(_brute_force_root_split(X, y, impurity), rel=1e-12)


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_ml_tree_same_shape_as_sklearn(name, criterion):
    """ML-TREE: grown to purity, the tree has scikit-learn's depth and number of leaves."""
    Xtr, Xte, ytr, yte = split(name)
    ours = DecisionTreeClassifier(criterion=criterion).fit(Xtr, ytr)
    ref = sk_tree.DecisionTreeClassifier(criterion=criterion, random_state=0).fit(Xtr, ytr)
    assert ours.get_n_leaves() == ref.get_n_leaves()
    assert ours.get_depth() == ref.get_depth()
    assert ours.score(Xtr, ytr) == 1.0


def test_ml_tree_regressor_matches_sklearn_on_diabetes():
    Xtr, Xte, ytr, _ = split("diabetes")
    for depth in (2, 4):
        ours = DecisionTreeRegressor(max_depth=depth, random_state=0).fit(Xtr, ytr)
        ref = sk_tree.DecisionTreeRegressor(max_depth=depth, random_state=0).fit(Xtr, ytr)
        # the same seed breaks equally good splits alike (same random feature order)
        np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))
        mse = np.mean((ours.predict(Xtr) - ytr) ** 2)
        assert mse == pytest.approx(np.mean((ref.predict(Xtr) - ytr) ** 2), rel=1e-10)


def test_ml_tree_stopping_rules(rng):
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int) ^ (X[:, 1] > 0.5).astype(int)
    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=10).fit(X, y)
    assert tree.get_depth() <= 3
    assert tree.tree_.n_node_samples[tree.tree_.children_left < 0].min() >= 10
    with pytest.raises(ValueError, match="criterion.*valid choices"):
        DecisionTreeClassifier(criterion="mse").fit(X, y)


def _mean_score(cls, kwargs, Xtr, ytr, Xte, yte, seeds=range(5)):
    return np.mean([cls(random_state=s, **kwargs).fit(Xtr, ytr).score(Xte, yte) for s in seeds])


ALL = ["iris", "wine", "breast_cancer", "digits"]
# (estimator, kwargs, datasets, seeds): AdaBoost on stumps and gradient boosting without
# subsampling are deterministic (the seed only breaks ties), so one seed is their mean.
ENSEMBLE_CASES = [
    ("RandomForestClassifier", {"n_estimators": 30}, ALL, range(5)),
    ("BaggingClassifier", {}, ALL, range(5)),
    ("AdaBoostClassifier", {}, ALL, (0,)),
    ("GradientBoostingClassifier", {"n_estimators": 30}, ["iris", "wine", "breast_cancer"], (0,)),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "dataset", "seeds"),
    [(n, k, d, s) for n, k, ds, s in ENSEMBLE_CASES for d in ds],
)
def test_ml_ensembles_within_two_points_of_sklearn(name, kwargs, dataset, seeds):
    """ML-FOREST / ML-BAGGING / ML-ADABOOST / ML-GBM: mean test accuracy over 5 seeds is
    within 2 points of scikit-learn's."""
    Xtr, Xte, ytr, yte = split(dataset)
    ours = _mean_score(getattr(ensemble, name), kwargs, Xtr, ytr, Xte, yte, seeds)
    ref = _mean_score(getattr(sk_ens, name), kwargs, Xtr, ytr, Xte, yte, seeds)
    assert abs(ours - ref) <= 0.02, (ours, ref)


@pytest.mark.parametrize("name", ["RandomForestRegressor", "GradientBoostingRegressor"])
def test_ml_ensemble_regressors_within_two_points_of_sklearn(name):
    """ML-FOREST / ML-GBM on diabetes: mean test R² over 5 seeds within 0.02 of scikit-learn."""
    Xtr, Xte, ytr, yte = split("diabetes")
    kwargs = {"n_estimators": 30}
    seeds = range(5) if name.startswith("Random") else (0,)
    ours = _mean_score(getattr(ensemble, name), kwargs, Xtr, ytr, Xte, yte, seeds)
    ref = _mean_score(getattr(sk_ens, name), kwargs, Xtr, ytr, Xte, yte, seeds)
    assert abs(ours - ref) <= 0.02, (ours, ref)


def test_ml_gbm_squared_error_stages_fit_residuals(rng):
    """ML-GBM: with squared error each stage's tree is fit to y − F_{m−1}, and the training
    loss decreases monotonically."""
    X = rng.normal(size=(150, 3))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    gb = ensemble.GradientBoostingRegressor(n_estimators=20, learning_rate=0.3).fit(X, y)
    assert np.all(np.diff(gb.train_score_) < 0)
    F1 = gb.init_[0] + 0.3 * gb.estimators_[0, 0].predict(X)
    tree = DecisionTreeRegressor(max_depth=3).fit(X, y - gb.init_[0])
    np.testing.assert_allclose(gb.estimators_[1, 0].tree_.value[0, 0], (y - F1).mean(), atol=1e-12)
    np.testing.assert_allclose(gb.estimators_[0, 0].predict(X), tree.predict(X))


def test_ml_adaboost_reweights_mistakes(rng):
    """ML-ADABOOST: α_m = log((1 − err)/err) + log(K − 1), and boosting stumps beats one stump."""
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 1.2).astype(int)
    ada = ensemble.AdaBoostClassifier(n_estimators=60).fit(X, y)
    err = ada.estimator_errors_
    np.testing.assert_allclose(ada.estimator_weights_, np.log((1 - err) / err))
    stump = DecisionTreeClassifier(max_depth=1).fit(X, y)
    assert ada.score(X, y) > stump.score(X, y) + 0.1
