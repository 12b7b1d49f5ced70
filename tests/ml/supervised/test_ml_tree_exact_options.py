"""ML-TREE (issue 24): every option of DecisionTreeClassifier / DecisionTreeRegressor
grows scikit-learn's tree on tiny data (the same node arrays: children, features,
thresholds, counts, weights, impurities and values), and every bad option is refused
as scikit-learn refuses it."""

from __future__ import annotations

import numpy as np
import pytest
from _tree_parity import assert_same_tree

from gradkit.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor

sk_tree = pytest.importorskip("sklearn.tree")


def _data(n=80, d=6, seed=0, classes=3):
    """Coarse values (ties), a constant column, integer classes."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)), 1)
    X[:, 2] = 0.5
    y = (X[:, 0] + X[:, 1] * X[:, 3] + rng.normal(scale=0.7, size=n) > 0).astype(int)
    if classes > 2:
        y[X[:, 4] > 0.8] = 2
    return X, y


def _same_tree(ours, theirs):
    assert_same_tree(ours, theirs)
    assert ours.get_n_leaves() == theirs.get_n_leaves()
    assert ours.max_features_ == theirs.max_features_


def _pair(cls, X, y, sample_weight=None, **options):
    ours = getattr(__import__("gradkit.ml.tree", fromlist=[cls]), cls)(**options).fit(
        X, y, sample_weight=sample_weight
    )
    theirs = getattr(sk_tree, cls)(**options).fit(X, y, sample_weight=sample_weight)
    _same_tree(ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("d", [1, 3, 9, 17])
@pytest.mark.parametrize("max_features", [None, "sqrt", "log2", 1, 2, 40, 0.01, 0.35, 1.0])
def test_ml_tree_max_features_resolved_as_sklearn(d, max_features):
    """ML-TREE: max_features as None / "sqrt" / "log2" / int (clipped to d) / fraction
    (at least one) gives scikit-learn's max_features_ and its tree."""
    rng = np.random.default_rng(d)
    X = np.round(rng.normal(size=(40, d)), 1)
    y = (X.sum(axis=1) + rng.normal(size=40) > 0).astype(int)
    _pair("DecisionTreeClassifier", X, y, max_features=max_features, random_state=3)


_CLF_OPTIONS = [
    {"criterion": "entropy", "max_depth": 3},
    {"criterion": "log_loss", "max_features": 2},
    {"min_samples_split": 0.2},
    {"min_samples_split": 17, "min_samples_leaf": 2},
    {"min_samples_leaf": 0.06},
    {"min_samples_leaf": 4, "max_features": 3},
    {"min_weight_fraction_leaf": 0.08},
    {"min_weight_fraction_leaf": 0.2, "criterion": "entropy"},
    {"min_impurity_decrease": 0.01},
    {"min_impurity_decrease": 0.03, "criterion": "entropy"},
    {"max_leaf_nodes": 2},
    {"max_leaf_nodes": 5},
    {"max_leaf_nodes": 8, "max_features": 2, "min_samples_leaf": 2},
    {"max_leaf_nodes": 13, "criterion": "entropy"},
    {"max_leaf_nodes": 500},
    {"max_leaf_nodes": 7, "max_depth": 2},
    {"max_depth": 1},
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("options", _CLF_OPTIONS, ids=str)
def test_ml_tree_classifier_option_is_sklearns_tree(options, weighted):
    """ML-TREE: each stopping rule, criterion and max_leaf_nodes (best-first growth), with
    and without integer sample weights (zeros drop samples), gives scikit-learn's tree
    and its predictions, probabilities, log-probabilities, leaves and importances."""
    X, y = _data()
    w = None
    if weighted:
        w = np.random.default_rng(1).integers(0, 4, len(y)).astype(float)
    ours, theirs = _pair("DecisionTreeClassifier", X, y, sample_weight=w, random_state=0,
                         **options)  # fmt: skip
    Xq = X + np.random.default_rng(2).normal(scale=0.07, size=X.shape)
    np.testing.assert_array_equal(ours.predict(Xq), theirs.predict(Xq))
    np.testing.assert_array_equal(ours.predict_proba(Xq), theirs.predict_proba(Xq))
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(ours.predict_log_proba(Xq), theirs.predict_log_proba(Xq))
    np.testing.assert_array_equal(ours.apply(Xq), theirs.apply(Xq))
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_,
                               rtol=1e-12, atol=1e-15)  # fmt: skip


_REG_OPTIONS = [
    {},
    {"max_depth": 3, "min_samples_leaf": 3},
    {"min_samples_split": 0.25},
    {"min_weight_fraction_leaf": 0.1},
    {"min_impurity_decrease": 0.5},
    {"max_leaf_nodes": 6},
    {"max_leaf_nodes": 11, "max_features": 3},
    {"max_features": "sqrt", "max_depth": 4},
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("options", _REG_OPTIONS, ids=str)
def test_ml_tree_regressor_option_is_sklearns_tree(options, weighted):
    """ML-TREE: integer targets and integer weights (every sum exact): scikit-learn's
    regression tree, node for node, and its predictions."""
    X, _ = _data(seed=4)
    rng = np.random.default_rng(5)
    y = np.round(3 * X[:, 0] - 2 * X[:, 1] * X[:, 3] + rng.normal(size=len(X)))
    w = rng.integers(0, 3, len(y)).astype(float) if weighted else None
    ours, theirs = _pair("DecisionTreeRegressor", X, y, sample_weight=w, random_state=1,
                         **options)  # fmt: skip
    Xq = X + rng.normal(scale=0.07, size=X.shape)
    np.testing.assert_array_equal(ours.predict(Xq), theirs.predict(Xq))
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_,
                               rtol=1e-12, atol=1e-15)  # fmt: skip


def test_ml_tree_class_weight_and_random_state_forms():
    """ML-TREE: class_weight (dict, "balanced") multiplies the sample weights as
    scikit-learn's, and a RandomState instance seeds the draws as its does."""
    X, y = _data(seed=6)
    _pair("DecisionTreeClassifier", X, y, class_weight={0: 1, 1: 3, 2: 2}, random_state=2,
          max_features=3)  # fmt: skip
    ours = DecisionTreeClassifier(class_weight="balanced", random_state=0).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(class_weight="balanced", random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.tree_.weighted_n_node_samples[0],
                               theirs.tree_.weighted_n_node_samples[0], rtol=1e-12)  # fmt: skip
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    ours = DecisionTreeClassifier(random_state=np.random.RandomState(11), max_features=2)
    theirs = sk_tree.DecisionTreeClassifier(random_state=np.random.RandomState(11),
                                            max_features=2)  # fmt: skip
    _same_tree(ours.fit(X, y), theirs.fit(X, y))


def test_ml_tree_two_classes_and_string_labels():
    """ML-TREE: string labels come back from predict; two classes as scikit-learn."""
    X, y = _data(seed=8, classes=2)
    labels = np.array(["no", "yes"])[y]
    ours, theirs = _pair("DecisionTreeClassifier", X, labels, random_state=0, max_depth=4)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)


_BAD = [
    {"criterion": "gni"},
    {"max_depth": 0},
    {"max_depth": 2.5},
    {"min_samples_split": 1},
    {"min_samples_split": 1.5},
    {"min_samples_split": 0.0},
    {"min_samples_leaf": 0},
    {"min_samples_leaf": 1.5},
    {"max_features": 0},
    {"max_features": 1.5},
    {"max_features": 0.0},
    {"max_features": "auto"},
    {"max_leaf_nodes": 1},
    {"max_leaf_nodes": 3.0},
    {"min_weight_fraction_leaf": 0.6},
    {"min_weight_fraction_leaf": -0.1},
    {"min_impurity_decrease": -1.0},
]


@pytest.mark.parametrize("options", _BAD, ids=str)
def test_ml_tree_bad_options_refused_as_sklearn(options):
    """ML-TREE: scikit-learn refuses each of these with a ValueError; so does gradkit."""
    X, y = _data(n=20)
    with pytest.raises(ValueError):
        sk_tree.DecisionTreeClassifier(**options).fit(X, y)
    with pytest.raises(ValueError):
        DecisionTreeClassifier(**options).fit(X, y)
    if "criterion" not in options:
        with pytest.raises(ValueError):
            DecisionTreeRegressor(**options).fit(X, y * 1.0)


def test_ml_tree_boundary_options_accepted_as_sklearn():
    """ML-TREE: the edges scikit-learn accepts: max_depth=1, min_samples_split=2 and 1.0,
    min_samples_leaf=1.0 fraction edge, max_leaf_nodes=2, min_weight_fraction_leaf=0.5,
    max_features=1.0."""
    X, y = _data(n=30, seed=9)
    for options in [
        {"max_depth": 1},
        {"min_samples_split": 2},
        {"min_samples_split": 1.0},
        {"min_samples_split": 0.01},  # ⌈0.3⌉ = 1, raised to 2
        {"min_samples_leaf": 0.01, "max_depth": 3},  # ⌈0.3⌉ = 1
        {"min_samples_leaf": 0.5},
        {"max_leaf_nodes": 2},
        {"min_weight_fraction_leaf": 0.5},
        {"min_weight_fraction_leaf": 0.0, "max_features": 1.0},
        {"min_impurity_decrease": 0.0},
    ]:
        _pair("DecisionTreeClassifier", X, y, random_state=0, **options)


@pytest.mark.parametrize("name", ["DecisionTreeClassifier", "DecisionTreeRegressor"])
def test_ml_tree_defaults_and_tags_are_sklearns(name):
    """ML-TREE: every constructor default is scikit-learn's, the estimator declares
    sparse input as scikit-learn's does, and a sparse X grows the dense X's tree."""
    sp = pytest.importorskip("scipy.sparse")
    ours = getattr(__import__("gradkit.ml.tree", fromlist=[name]), name)()
    theirs = getattr(sk_tree, name)()
    mine = ours.get_params()
    assert mine == {k: theirs.get_params()[k] for k in mine}
    assert ours.__sklearn_tags__().input_tags.sparse is theirs.__sklearn_tags__().input_tags.sparse
    X, y = _data(n=40, seed=12)
    dense = type(ours)(random_state=0, max_features=3).fit(X, y)
    sparse = type(ours)(random_state=0, max_features=3).fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(dense.tree_.threshold, sparse.tree_.threshold)
    np.testing.assert_array_equal(dense.predict(sp.csr_matrix(X)), dense.predict(X))


def test_ml_tree_predict_checks_the_fit_and_width():
    """ML-TREE: predicting before fit, or with another number of features, is refused
    (scikit-learn: NotFittedError, a ValueError; ValueError)."""
    X, y = _data(n=30, seed=13)
    for method in ("predict", "predict_proba", "predict_log_proba", "apply"):
        with pytest.raises(ValueError):
            getattr(DecisionTreeClassifier(), method)(X)
        with pytest.raises(ValueError):
            getattr(DecisionTreeClassifier().fit(X, y), method)(X[:, :4])
    for method in ("predict", "apply"):
        with pytest.raises(ValueError):
            getattr(DecisionTreeRegressor().fit(X, y * 1.0), method)(X[:, 1:])
    with pytest.raises(ValueError):
        DecisionTreeRegressor().get_depth()
    with pytest.raises(ValueError):
        DecisionTreeRegressor().get_n_leaves()
    with pytest.raises(ValueError):
        DecisionTreeRegressor().feature_importances_  # noqa: B018


def test_ml_tree_regressor_refuses_nan_in_an_object_target():
    """ML-TREE: an object-dtype target is read as numbers, so a NaN in it is refused as
    scikit-learn refuses it (not grown into NaN leaves)."""
    X, y = _data(n=20, seed=14)
    y = y.astype(object)
    y[3] = np.nan
    with pytest.raises(ValueError):
        sk_tree.DecisionTreeRegressor().fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        DecisionTreeRegressor().fit(X, y)
    y[3] = 1.5
    ours = DecisionTreeRegressor(random_state=0).fit(X, y)
    _same_tree(ours, sk_tree.DecisionTreeRegressor(random_state=0).fit(X, y.astype(float)))
