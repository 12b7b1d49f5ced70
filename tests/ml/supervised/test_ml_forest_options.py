"""ML-FOREST (issue 24): the options of RandomForestClassifier/Regressor against
scikit-learn 1.9 with the same int ``random_state`` — the defaults, ``n_jobs``,
``max_samples`` (int, fraction, fraction of the total sample weight), ``class_weight``
("balanced" weighed by the sample weights, "balanced_subsample" per bootstrap sample,
and without a bootstrap), ``oob_score`` (with trees that leave nothing out), string
labels, sparse input, feature importances and the refusals.

Every bootstrap here gives the trees integer draw counts, so the trees are
scikit-learn's exactly; where the trees see real weights ("balanced_subsample") the
comparison is of the weights each tree was grown with (its root's weighted class sums)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradkit.ml import ensemble

sk_ens = pytest.importorskip("sklearn.ensemble")
sk_data = pytest.importorskip("sklearn.datasets")
sparse = pytest.importorskip("scipy.sparse")

CLASSES = ("RandomForestClassifier", "RandomForestRegressor")


def _data(n=90, seed=0):
    """Coarse features (ties), 3 unbalanced classes (45/30/15) and an integer target."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, 4)), 1)
    y = np.repeat([0, 1, 2], [n // 2, n // 3, n - n // 2 - n // 3])
    X[:, 0] += y * 0.7
    target = (3 * X[:, 0] - X[:, 1] + rng.integers(0, 3, n)).round()
    weight = rng.integers(1, 4, n).astype(float)
    return X, y, target, weight


def _pair(name, X, y, fit=None, **options):
    fit = fit or {}
    ours = getattr(ensemble, name)(**options).fit(X, y, **fit)
    theirs = getattr(sk_ens, name)(**options).fit(X, y, **fit)
    assert len(ours.estimators_) == len(theirs.estimators_)
    return ours, theirs


def _same_trees(ours, theirs):
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        s = b.tree_
        np.testing.assert_array_equal(a.tree_.feature, s.feature)
        np.testing.assert_array_equal(a.tree_.threshold, s.threshold)
        np.testing.assert_array_equal(a.tree_.weighted_n_node_samples, s.weighted_n_node_samples)
        np.testing.assert_array_equal(a.tree_.value, s.value.reshape(s.node_count, -1))


def _same_output(ours, theirs, X):
    out = "predict_proba" if hasattr(theirs, "predict_proba") else "predict"
    np.testing.assert_array_equal(getattr(ours, out)(X), getattr(theirs, out)(X))
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("name", CLASSES)
def test_ml_forest_defaults_are_sklearns(name):
    ours, theirs = getattr(ensemble, name)(), getattr(sk_ens, name)()
    want = theirs.get_params()
    for key, value in ours.get_params().items():
        assert key in want and value == want[key], key


def test_ml_forest_default_regressor_is_sklearns():
    """ML-FOREST: every feature at every node (max_features=1.0), squared error."""
    X, _, t, _ = _data()
    ours, theirs = _pair("RandomForestRegressor", X, t, n_estimators=6, random_state=1)
    _same_trees(ours, theirs)
    _same_output(ours, theirs, X + 0.05)


@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize(
    "options",
    [
        {"max_samples": 7},
        {"max_samples": 0.4},
        {"max_samples": 1.0},
        {"bootstrap": False, "max_features": 2},
    ],
    ids=str,
)
@pytest.mark.parametrize("weighted", [False, True])
def test_ml_forest_bootstrap_options_match_sklearn(name, options, weighted):
    """ML-FOREST: the draws per tree (an int, a fraction of n or of the total sample
    weight), the sampling probabilities w / Σw, and no bootstrap."""
    X, y, t, w = _data()
    fit = {"sample_weight": w} if weighted else {}
    target = y if name == "RandomForestClassifier" else t
    ours, theirs = _pair(name, X, target, fit, n_estimators=3, random_state=3, **options)
    _same_trees(ours, theirs)
    _same_output(ours, theirs, X + 0.05)
    draws = {tree.tree_.weighted_n_node_samples[0] for tree in ours.estimators_}
    if "max_samples" in options and not weighted:
        total = options["max_samples"]
        assert draws == {total if isinstance(total, int) else int(total * len(X))}
    np.testing.assert_allclose(
        ours.feature_importances_, theirs.feature_importances_, rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("bootstrap", [True, False])
def test_ml_forest_balanced_classes_weighed_by_sample_weight(bootstrap):
    """ML-FOREST: "balanced" gives class k the weight Σw / (K Σ_{y=k} w), as scikit-learn
    1.9 (the sample weights enter the class totals); with a bootstrap these weights are the
    sampling probabilities, without one the trees' weights."""
    X, y, _, w = _data()
    if not bootstrap:  # the trees see the weights: keep every sum exact
        y = np.repeat([0, 1], [60, 30])
        w = np.r_[np.ones(56), np.full(4, 2.0), np.full(28, 0.5), np.ones(2)]
        # class totals 64 and 16 of 80: class weights 0.625 and 2.5 (0.75 and 1.5
        # if the sample weights were left out of the totals)
    ours, theirs = _pair(
        "RandomForestClassifier",
        X,
        y,
        {"sample_weight": w},
        n_estimators=5,
        random_state=4,
        class_weight="balanced",
        bootstrap=bootstrap,
    )
    _same_trees(ours, theirs)
    _same_output(ours, theirs, X + 0.05)


def test_ml_forest_balanced_subsample_weighs_each_bootstrap_sample():
    """ML-FOREST: each tree's classes weighed n_draws / (K' · count in its sample) (K'
    the classes drawn): the weighted class sums at every root equal scikit-learn's."""
    X, y, _, _ = _data()
    ours, theirs = _pair(
        "RandomForestClassifier",
        X,
        y,
        n_estimators=6,
        random_state=5,
        class_weight="balanced_subsample",
        max_samples=20,
    )
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        s = b.tree_
        np.testing.assert_allclose(a.tree_.weighted_n_node_samples[0], s.weighted_n_node_samples[0])
        np.testing.assert_allclose(a.tree_.value[0], s.value[0].ravel(), rtol=1e-12)


def test_ml_forest_balanced_subsample_without_bootstrap_is_balanced():
    X = np.round(np.random.default_rng(6).normal(size=(90, 3)), 1)
    y = np.repeat([0, 1], [60, 30])
    ours, theirs = _pair(
        "RandomForestClassifier",
        X,
        y,
        n_estimators=3,
        random_state=6,
        class_weight="balanced_subsample",
        bootstrap=False,
    )
    _same_trees(ours, theirs)
    assert ours.estimators_[0].tree_.weighted_n_node_samples[0] == 90.0  # 60·0.75 + 30·1.5


@pytest.mark.parametrize("n_estimators", [2, 9])
def test_ml_forest_oob_matches_sklearn(n_estimators):
    """ML-FOREST: oob_decision_function_ / oob_prediction_ and oob_score_; with two
    trees some samples are drawn by both (zero rows, and scikit-learn's warning)."""
    X, y, t, w = _data()
    for name, target, fit in (
        ("RandomForestClassifier", y, {"sample_weight": w}),
        ("RandomForestRegressor", t, {}),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ours = getattr(ensemble, name)(n_estimators, oob_score=True, random_state=7)
            ours.fit(X, target, **fit)
        with warnings.catch_warnings(record=True) as theirs_caught:
            warnings.simplefilter("always")
            theirs = getattr(sk_ens, name)(n_estimators, oob_score=True, random_state=7)
            theirs.fit(X, target, **fit)
        ours_msg = [str(c.message) for c in caught if "OOB" in str(c.message)]
        theirs_msg = [str(c.message) for c in theirs_caught if "OOB" in str(c.message)]
        assert ours_msg == theirs_msg and (n_estimators > 2 or ours_msg)
        if name == "RandomForestClassifier":
            np.testing.assert_array_equal(
                ours.oob_decision_function_, theirs.oob_decision_function_
            )
        else:
            np.testing.assert_allclose(ours.oob_prediction_, theirs.oob_prediction_, rtol=1e-13)
        assert ours.oob_score_ == pytest.approx(theirs.oob_score_, rel=1e-13)


def test_ml_forest_string_labels_and_sparse_input():
    X, y, _, _ = _data()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    ours, theirs = _pair(
        "RandomForestClassifier", sparse.csr_matrix(X), labels, n_estimators=4, random_state=8
    )
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    _same_trees(ours, theirs)
    _same_output(ours, theirs, sparse.csr_matrix(X + 0.05))
    assert ours.n_features_in_ == 4


@pytest.mark.parametrize(
    "options, match",
    [
        ({"n_estimators": 0}, "n_estimators"),
        ({"max_samples": 0}, "max_samples"),
        ({"max_samples": -0.5}, "max_samples"),
        ({"max_samples": "half"}, "max_samples"),
    ],
    ids=str,
)
def test_ml_forest_refuses_bad_options(options, match):
    X, y, _, _ = _data()
    with pytest.raises(ValueError, match=match):
        sk_ens.RandomForestClassifier(**options).fit(X, y)
    with pytest.raises(ValueError, match=match):
        ensemble.RandomForestClassifier(**options).fit(X, y)


def test_ml_forest_refuses_a_bool_max_samples():
    """ML-FOREST: scikit-learn fails on True (a TypeError from its sampler); here a
    ValueError names the option instead of drawing n samples as if it were 1.0."""
    X, y, _, _ = _data()
    with pytest.raises(TypeError):
        sk_ens.RandomForestClassifier(2, max_samples=True).fit(X, y)
    with pytest.raises(ValueError, match="max_samples must be None, an int or a float"):
        ensemble.RandomForestClassifier(2, max_samples=True).fit(X, y)


def test_ml_forest_predict_checks_the_fit_and_the_features():
    X, y, _, _ = _data()
    with pytest.raises(Exception, match="not fitted"):
        ensemble.RandomForestClassifier(2).predict(X)
    forest = ensemble.RandomForestClassifier(2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        forest.predict(X[:, :3])


@pytest.mark.parametrize("name", CLASSES)
def test_ml_forest_n_jobs_shares_the_work_and_keeps_the_forest(name, monkeypatch):
    """ML-FOREST: ``n_jobs=2`` grows the trees and predicts in two shares (joblib's
    threading backend here: no worker processes), and the forest equals scikit-learn's."""
    joblib = pytest.importorskip("joblib")
    from gradkit.ml.ensemble import _forest

    calls = []
    real = _forest.run_parallel

    def recording(function, tasks, n_jobs=None, **kw):
        tasks = list(tasks)
        calls.append((function.__name__, len(tasks), n_jobs))
        return real(function, tasks, n_jobs, **kw)

    monkeypatch.setattr(_forest, "run_parallel", recording)
    X, y, t, _ = _data()
    target = y if name == "RandomForestClassifier" else t
    with joblib.parallel_backend("threading"):
        ours, theirs = _pair(name, X, target, n_estimators=4, random_state=9, n_jobs=2)
        _same_trees(ours, theirs)
        _same_output(ours, theirs, X + 0.05)
    assert calls[0] == ("_grow_share", 2, 2)
    assert {c for c in calls[1:]} == {("predict_mean", 2, 2)}


def test_ml_forest_oob_warning_names_the_callers_line(monkeypatch):
    """ML-FOREST: the too-few-trees OOB warning is a UserWarning raised 3 frames up
    (``_oob_mean`` ← ``fit`` ← caller): the line that called fit."""
    from gradkit.ml.ensemble import _forest

    X, y, _, _ = _data()
    seen = []
    monkeypatch.setattr(
        _forest.warnings,
        "warn",
        lambda msg, category=None, stacklevel=1: seen.append((category, stacklevel)),
    )
    ensemble.RandomForestClassifier(2, oob_score=True, random_state=7).fit(X, y)
    assert seen == [(UserWarning, 3)]


TREE_OPTIONS = {
    "max_depth": 4,
    "min_samples_split": 9,
    "min_samples_leaf": 2,
    "min_weight_fraction_leaf": 0.02,
    "max_leaf_nodes": 9,
    "min_impurity_decrease": 0.001,
}


@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize("option", sorted(TREE_OPTIONS))
def test_ml_forest_passes_each_tree_option_to_its_trees(name, option):
    X, y, t, _ = _data()
    target = y if name == "RandomForestClassifier" else t
    value = TREE_OPTIONS[option]
    ours, theirs = _pair(name, X, target, n_estimators=2, random_state=10, **{option: value})
    assert all(getattr(tree, option) == value for tree in ours.estimators_)
    _same_trees(ours, theirs)


@pytest.mark.parametrize("name", CLASSES)
def test_ml_forest_of_one_tree_and_attributes(name):
    X, y, t, _ = _data()
    target = y if name == "RandomForestClassifier" else t
    ours, theirs = _pair(name, X, target, n_estimators=1, random_state=11)
    _same_trees(ours, theirs)
    if name == "RandomForestClassifier":
        assert ours.n_classes_ == theirs.n_classes_ == 3


def test_ml_forest_regressor_sparse_input_and_refit_with_other_features():
    X, _, t, _ = _data()
    ours, theirs = _pair(
        "RandomForestRegressor", sparse.csr_matrix(X), t, n_estimators=2, random_state=12
    )
    _same_trees(ours, theirs)
    ours.fit(X[:, :3], t)
    assert ours.n_features_in_ == 3 and ours.predict(X[:, :3]).shape == (len(X),)


@pytest.mark.parametrize("max_samples", [1, 0.001])
def test_ml_forest_smallest_bootstrap_draws_one_sample(max_samples):
    """ML-FOREST: max_samples=1, or a fraction f with ⌊f n⌋ = 0, draws one sample."""
    X, y, _, _ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's "low number of samples" warning
        ours, theirs = _pair(
            "RandomForestClassifier", X, y, n_estimators=3, random_state=13,
            max_samples=max_samples,
        )  # fmt: skip
    _same_trees(ours, theirs)
    assert {tree.tree_.weighted_n_node_samples[0] for tree in ours.estimators_} == {1.0}


def test_ml_forest_refuses_a_zero_fraction():
    X, y, _, _ = _data()
    for cls in (sk_ens.RandomForestClassifier, ensemble.RandomForestClassifier):
        with pytest.raises(ValueError, match="max_samples"):
            cls(2, max_samples=0.0).fit(X, y)


def test_ml_forest_class_weight_dict_times_sample_weight():
    X, y, _, w = _data()
    ours, theirs = _pair(
        "RandomForestClassifier", X, y, {"sample_weight": w}, n_estimators=4,
        random_state=14, class_weight={0: 1, 1: 3, 2: 2},
    )  # fmt: skip
    _same_trees(ours, theirs)


def test_ml_forest_balanced_subsample_with_classes_drawn_once_or_not_at_all():
    """ML-FOREST: five draws from 45/30/15: classes drawn once keep their weight
    n_draws / (K' · 1); classes not drawn weigh nothing and leave K'."""
    X, y, _, _ = _data()
    ours, theirs = _pair(
        "RandomForestClassifier", X, y, n_estimators=12, random_state=15,
        class_weight="balanced_subsample", max_samples=5,
    )  # fmt: skip
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        s = b.tree_
        np.testing.assert_allclose(a.tree_.weighted_n_node_samples[0], s.weighted_n_node_samples[0])
        np.testing.assert_allclose(a.tree_.value[0], s.value[0].ravel(), rtol=1e-12)


@pytest.mark.parametrize("name", CLASSES)
def test_ml_forest_tags_accept_sparse_like_sklearn(name):
    get_tags = pytest.importorskip("sklearn.utils").get_tags
    ours, theirs = getattr(ensemble, name)(), getattr(sk_ens, name)()
    assert get_tags(ours).input_tags.sparse is get_tags(theirs).input_tags.sparse is True
