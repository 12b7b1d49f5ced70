"""ML-KNN: equal distances resolved as scikit-learn's k-d tree resolves them.

Oracle: scikit-learn 1.9 (``KDTree.get_arrays``/``query`` and the k-NN estimators) on
data full of exact ties (small integer grids, iris' two rounded features)."""

import numpy as np
import pytest

sk_nb = pytest.importorskip("sklearn.neighbors")
from sklearn import datasets  # noqa: E402

from gradkit.ml.neighbors import KNeighborsClassifier, KNeighborsRegressor  # noqa: E402
from gradkit.ml.neighbors._kd_replay import KDReplay  # noqa: E402


def _tie_data(rng, n, d, levels=4):
    return rng.integers(0, levels, (n, d)).astype(float)


@pytest.mark.parametrize("seed", range(6))
def test_replayed_tree_layout_equals_sklearn_kdtree(seed):
    rng = np.random.default_rng(seed)
    for n, d, leaf in [(2, 1, 1), (37, 2, 1), (150, 3, 5), (400, 4, 30), (97, 1, 7)]:
        X = _tie_data(rng, n, d) if seed % 2 else rng.normal(size=(n, d))
        _, idx_array, nodes, bounds = sk_nb.KDTree(X, leaf_size=leaf).get_arrays()
        ours = KDReplay(X, leaf)
        np.testing.assert_array_equal(ours.idx_array, idx_array)
        np.testing.assert_array_equal(ours.node_start, nodes["idx_start"])
        np.testing.assert_array_equal(ours.node_end, nodes["idx_end"])
        np.testing.assert_array_equal(ours.is_leaf, nodes["is_leaf"].astype(bool))
        np.testing.assert_array_equal(ours.lower, bounds[0])
        np.testing.assert_array_equal(ours.upper, bounds[1])


@pytest.mark.parametrize("k", [1, 4, 15, 16, 33])
def test_replayed_query_equals_sklearn_kdtree_query(k):
    rng = np.random.default_rng(k)
    X = _tie_data(rng, 300, 3)
    Q = rng.integers(-1, 5, (60, 3)).astype(float)
    tree, ours = sk_nb.KDTree(X, leaf_size=11), KDReplay(X, 11)
    dist, idx = tree.query(Q, k)
    got_d, got_i = ours.query(Q, k)
    np.testing.assert_array_equal(got_i, idx)
    np.testing.assert_array_equal(got_d, dist)
    _, heap_idx = tree.query(Q, k, sort_results=False)
    np.testing.assert_array_equal(ours.query(Q, k, sort=False)[1], heap_idx)


@pytest.mark.parametrize("algorithm", ["auto", "kd_tree"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("leaf_size", [30, 3])
def test_classifier_on_ties_equals_sklearn(algorithm, weights, leaf_size):
    rng = np.random.default_rng(0)
    X, y = _tie_data(rng, 240, 2, levels=6), rng.integers(0, 3, 240)
    Q = rng.integers(-1, 7, (300, 2)) / 2.0
    kw = dict(n_neighbors=9, weights=weights, algorithm=algorithm, leaf_size=leaf_size)
    ours = KNeighborsClassifier(**kw).fit(X, y)
    ref = sk_nb.KNeighborsClassifier(**kw).fit(X, y)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), rtol=0, atol=1e-15)
    for mine, theirs in zip(ours.kneighbors(Q), ref.kneighbors(Q), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(ours.kneighbors(), ref.kneighbors(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_regressor_and_auto_up_to_15_features_follow_sklearns_tree():
    """With 12 features gradkit searches by brute force, scikit-learn's "auto" by its
    tree: the tied rows still get the tree's answer."""
    rng = np.random.default_rng(1)
    X = _tie_data(rng, 200, 12, levels=2)
    y = rng.normal(size=200)
    Q = _tie_data(rng, 80, 12, levels=2)
    ours = KNeighborsRegressor(6).fit(X, y)
    ref = sk_nb.KNeighborsRegressor(6).fit(X, y)
    assert ours.effective_algorithm_ == "brute"
    np.testing.assert_allclose(ours.predict(Q), ref.predict(Q), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ours.kneighbors(Q)[1], ref.kneighbors(Q)[1])


def test_gallery_knn_classification_grid_matches_sklearn():
    """scikit-learn's "Nearest Neighbors Classification" example: iris' first two
    features, k = 15, predictions on a mesh (coarser than the example's 0.02 step)."""
    iris = datasets.load_iris()
    X, y = iris.data[:, :2], iris.target
    xx, yy = np.meshgrid(np.arange(3.3, 8.9, 0.04), np.arange(1.0, 5.4, 0.04))
    grid = np.c_[xx.ravel(), yy.ravel()]
    for weights in ("uniform", "distance"):
        ours = KNeighborsClassifier(15, weights=weights).fit(X, y)
        ref = sk_nb.KNeighborsClassifier(15, weights=weights).fit(X, y)
        np.testing.assert_array_equal(ours.predict(grid), ref.predict(grid))
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_parallel_queries_keep_the_tie_rule():
    pytest.importorskip("joblib")
    rng = np.random.default_rng(2)
    X, y = _tie_data(rng, 150, 2), rng.integers(0, 2, 150)
    Q = _tie_data(rng, 90, 2)
    ref = sk_nb.KNeighborsClassifier(7).fit(X, y).kneighbors(Q)[1]
    got = KNeighborsClassifier(7, n_jobs=2).fit(X, y).kneighbors(Q)[1]
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "30"])
def test_leaf_size_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="leaf_size must be an int >= 1"):
        KNeighborsClassifier(leaf_size=bad).fit([[0.0], [1.0]], [0, 1])


def test_predict_none_predicts_the_training_points_without_themselves():
    """scikit-learn's predict(None): each training point voted on by its neighbours,
    itself excluded (ties included)."""
    rng = np.random.default_rng(3)
    X, y = _tie_data(rng, 120, 2), rng.integers(0, 3, 120)
    ours = KNeighborsClassifier(5).fit(X, y)
    ref = sk_nb.KNeighborsClassifier(5).fit(X, y)
    np.testing.assert_array_equal(ours.predict(None), ref.predict(None))
    np.testing.assert_allclose(ours.predict_proba(None), ref.predict_proba(None), atol=1e-15)
    reg = KNeighborsRegressor(4).fit(X, y.astype(float))
    sk_reg = sk_nb.KNeighborsRegressor(4).fit(X, y.astype(float))
    np.testing.assert_allclose(reg.predict(None), sk_reg.predict(None), atol=1e-12)
