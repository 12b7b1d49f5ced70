"""n_jobs through joblib (T-DEVICE, ML-FOREST, ML-BAGGING, ML-KNN, NN-SEARCH, EVAL-KFOLD)
and the predict paths of issue #23 against scikit-learn (ML-KNN, ML-TREE, ML-FOREST,
U-PCA, U-KMEANS)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.sparse as sp

from gradkit.ml.cluster import KMeans
from gradkit.ml.decomposition import PCA
from gradkit.ml.ensemble import BaggingClassifier, RandomForestClassifier, RandomForestRegressor
from gradkit.ml.linear_model import Perceptron
from gradkit.ml.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
    cross_validate,
)
from gradkit.ml.neighbors import KNeighborsClassifier, KNeighborsRegressor
from gradkit.ml.tree import Tree, apply_many, predict_mean, stack_trees
from gradkit.ml.utils._parallel import effective_n_jobs, run_parallel, shares

joblib = pytest.importorskip("joblib")


def _data(n=240, d=6, seed=0, classes=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (classes > 2) * (X[:, 2] > 0.8)
    return X, y


# --- the parallel helper -------------------------------------------------------------


def test_effective_n_jobs_follows_scikit_learn():
    assert effective_n_jobs(None) == 1
    assert effective_n_jobs(3) == 3
    assert effective_n_jobs(-1) == (os.cpu_count() or 1)
    assert effective_n_jobs(np.int64(2)) == 2
    with pytest.raises(ValueError, match="n_jobs == 0"):
        effective_n_jobs(0)
    with pytest.raises(ValueError, match="nonzero int"):
        effective_n_jobs(1.5)
    assert [(s.start, s.stop) for s in shares(5, 2)] == [(0, 2), (2, 5)]
    assert len(shares(1, 4)) == 1


def _blas_threads(_):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


def test_run_parallel_keeps_order_and_pins_one_blas_thread():
    """T-DEVICE: results in task order; each worker process runs one BLAS thread."""
    pytest.importorskip("threadpoolctl")
    assert run_parallel(pow, [(i, 2) for i in range(7)], n_jobs=2) == [i * i for i in range(7)]
    for threads in run_parallel(_blas_threads, [(i,) for i in range(4)], n_jobs=2):
        assert threads and all(t == 1 for t in threads)


# --- n_jobs=2 gives the n_jobs=1 answer --------------------------------------------------


def _same_trees(a, b):
    assert len(a) == len(b)
    for ta, tb in zip(a, b, strict=True):
        for name in ("children_left", "feature", "threshold", "value"):
            np.testing.assert_array_equal(getattr(ta.tree_, name), getattr(tb.tree_, name))


@pytest.mark.parametrize("cls", [RandomForestClassifier, RandomForestRegressor])
def test_forest_n_jobs_same_forest(cls):
    """ML-FOREST: the trees' seeds are drawn before dispatch, so workers change nothing."""
    X, y = _data()
    one = cls(12, max_depth=6, random_state=3).fit(X, y)
    two = cls(12, max_depth=6, random_state=3, n_jobs=2).fit(X, y)
    _same_trees(one.estimators_, two.estimators_)
    out = "predict_proba" if cls is RandomForestClassifier else "predict"
    np.testing.assert_array_equal(getattr(one, out)(X), getattr(two, out)(X))


@pytest.mark.parametrize(
    "base", [None, KNeighborsClassifier(3), Perceptron(random_state=0)], ids=str
)
def test_bagging_n_jobs_same_ensemble(base):
    """ML-BAGGING: trees grown side by side, other members fitted, members without
    predict_proba voting: the same with 2 workers."""
    X, y = _data()
    kw = dict(n_estimators=6, max_samples=0.8, max_features=0.8, random_state=1)
    if base is None:
        kw["max_features"] = 1.0  # the members grow side by side
    one = BaggingClassifier(base, **kw).fit(X, y)
    two = BaggingClassifier(base, n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    for a, b in zip(one.estimators_features_, two.estimators_features_, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
def test_knn_n_jobs_same_neighbours(algorithm):
    """ML-KNN: queries shared among workers give the same neighbours."""
    X, y = _data(d=4)
    Q = np.random.default_rng(5).standard_normal((50, 4))
    one = KNeighborsClassifier(4, algorithm=algorithm).fit(X, y)
    two = KNeighborsClassifier(4, algorithm=algorithm, n_jobs=2).fit(X, y)
    for a, b in zip(one.kneighbors(Q), two.kneighbors(Q), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(one.predict(Q), two.predict(Q))
    reg = KNeighborsRegressor(4, weights="distance", algorithm=algorithm)
    np.testing.assert_array_equal(
        reg.fit(X, X[:, 0]).predict(Q), reg.set_params(n_jobs=2).fit(X, X[:, 0]).predict(Q)
    )


def test_searches_and_cross_validation_n_jobs_same_scores():
    """NN-SEARCH / EVAL-KFOLD: the grid, the random draws and the folds are fixed before
    the fits are dispatched."""
    X, y = _data()
    est = RandomForestClassifier(5, max_depth=3, random_state=0)
    grid = {"max_depth": [2, 4], "min_samples_leaf": [1, 5]}
    for search in (
        GridSearchCV(est, grid, cv=3),
        RandomizedSearchCV(est, {"max_depth": [1, 2, 3, 4, 5]}, n_iter=3, cv=3, random_state=0),
    ):
        one = search.fit(X, y).cv_results_
        two = search.set_params(n_jobs=2).fit(X, y).cv_results_
        np.testing.assert_array_equal(one["mean_test_score"], two["mean_test_score"])
        assert one["params"] == two["params"]
    np.testing.assert_array_equal(
        cross_val_score(est, X, y, cv=4), cross_val_score(est, X, y, cv=4, n_jobs=2)
    )
    a = cross_validate(est, X, y, cv=4, return_train_score=True)
    b = cross_validate(est, X, y, cv=4, return_train_score=True, n_jobs=2)
    for key in ("test_score", "train_score"):
        np.testing.assert_array_equal(a[key], b[key])


# --- predictions against scikit-learn ---------------------------------------------------

sk_neighbors = pytest.importorskip("sklearn.neighbors")


@pytest.mark.parametrize("algorithm", ["brute", "auto"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("d", [3, 20])
def test_knn_identical_to_scikit_learn(algorithm, weights, d):
    """ML-KNN: the same neighbours, distances and predictions (untied data; tiles of the
    brute force cross the 2048-point boundary)."""
    rng = np.random.default_rng(d)
    X, Q = rng.standard_normal((5000, d)), rng.standard_normal((300, d))
    y = rng.integers(0, 4, 5000)
    ours = KNeighborsClassifier(7, weights=weights, algorithm=algorithm).fit(X, y)
    ref = sk_neighbors.KNeighborsClassifier(7, weights=weights, algorithm=algorithm).fit(X, y)
    (d_ours, i_ours), (d_ref, i_ref) = ours.kneighbors(Q), ref.kneighbors(Q)
    np.testing.assert_array_equal(i_ours, i_ref)
    np.testing.assert_allclose(d_ours, d_ref, rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), rtol=1e-12)
    ours_r = KNeighborsRegressor(7, weights=weights, algorithm=algorithm).fit(X, X[:, 0])
    ref_r = sk_neighbors.KNeighborsRegressor(7, weights=weights, algorithm=algorithm)
    np.testing.assert_allclose(ours_r.predict(Q), ref_r.fit(X, X[:, 0]).predict(Q), rtol=1e-12)
    # X=None: each training point's neighbours without itself
    np.testing.assert_array_equal(ours.kneighbors()[1], ref.kneighbors()[1])


def test_knn_brute_ties_go_to_the_lower_index():
    """ML-KNN: by brute force, on integer data (many equal distances) the neighbours are
    the k smallest by (distance, index), dense and sparse alike. (The k-d tree follows
    scikit-learn's tree instead: tests/ml/supervised/test_knn_sklearn_ties.py.)"""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, (3000, 5)).astype(float)
    Q = rng.integers(0, 3, (200, 5)).astype(float)
    d2 = ((Q[:, None, :] - X[None]) ** 2).sum(axis=2)  # exact for small integers
    expect = np.argsort(d2, axis=1, kind="stable")[:, :6]
    model = KNeighborsClassifier(6, algorithm="brute").fit(X, np.arange(3000) % 3)
    dist, idx = model.kneighbors(Q)
    np.testing.assert_array_equal(idx, expect)
    np.testing.assert_array_equal(dist**2, np.take_along_axis(d2, expect, 1))
    sparse = KNeighborsClassifier(6).fit(sp.csr_matrix(X), np.arange(3000) % 3)
    np.testing.assert_array_equal(sparse.kneighbors(sp.csr_matrix(Q))[1], expect)


def test_knn_kd_tree_ties_follow_sklearn_at_scale():
    """ML-KNN: 3000 integer points in 5-D, k-d tree: the tied rows are replayed through
    scikit-learn's tree, so kneighbors equals scikit-learn's, n_jobs or not."""
    sk_nb = pytest.importorskip("sklearn.neighbors")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, (3000, 5)).astype(float)
    Q = rng.integers(0, 3, (200, 5)).astype(float)
    y = np.arange(3000) % 3
    ref = sk_nb.KNeighborsClassifier(6, algorithm="kd_tree").fit(X, y)
    for n_jobs in (None, 2):
        model = KNeighborsClassifier(6, algorithm="kd_tree", n_jobs=n_jobs).fit(X, y)
        for mine, theirs in zip(model.kneighbors(Q), ref.kneighbors(Q), strict=True):
            np.testing.assert_array_equal(mine, theirs)
        np.testing.assert_array_equal(model.predict(Q), ref.predict(Q))


sk_tree = pytest.importorskip("sklearn.tree")
sk_ensemble = pytest.importorskip("sklearn.ensemble")


def _transplant(sk_est) -> Tree:
    """scikit-learn's fitted tree structure as a gradkit Tree."""
    t = sk_est.tree_
    return Tree(
        children_left=t.children_left.astype(np.intp),
        children_right=t.children_right.astype(np.intp),
        feature=np.where(t.children_left < 0, 0, t.feature).astype(np.intp),
        threshold=t.threshold,
        value=t.value[:, 0, :],
        impurity=t.impurity,
        n_node_samples=t.n_node_samples,
        weighted_n_node_samples=t.weighted_n_node_samples,
        max_depth=t.max_depth,
    )


def test_tree_and_forest_predict_identical_to_scikit_learn_structure():
    """ML-TREE / ML-FOREST: given scikit-learn's trees, the same leaves and probabilities;
    queries on half-integers land exactly on thresholds (x ≤ t goes left). The values are
    float32-exact, as scikit-learn compares in float32."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 10, (3000, 8)).astype(np.float64)
    y = ((X[:, 0] - 4.5) * (X[:, 1] - 4.5) > 0).astype(int) + (X[:, 2] > 6)
    y[rng.random(3000) < 0.1] = 2
    Q = rng.integers(0, 20, (2000, 8)) / 2.0
    ref = sk_tree.DecisionTreeClassifier(random_state=0).fit(X, y)
    tree = _transplant(ref)
    np.testing.assert_array_equal(tree.apply(Q), ref.apply(Q))
    np.testing.assert_array_equal(tree.predict(Q), ref.predict_proba(Q))
    forest = sk_ensemble.RandomForestClassifier(15, random_state=0).fit(X, y)
    stack = stack_trees([_transplant(est) for est in forest.estimators_])
    leaves = stack[6][apply_many(stack, Q)]
    np.testing.assert_array_equal(leaves, forest.apply(Q))
    proba = predict_mean(stack, Q)
    np.testing.assert_allclose(proba, forest.predict_proba(Q), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(proba.argmax(axis=1), forest.predict_proba(Q).argmax(axis=1))


sk_decomposition = pytest.importorskip("sklearn.decomposition")
sk_cluster = pytest.importorskip("sklearn.cluster")


def test_pca_transform_and_kmeans_predict_match_scikit_learn():
    """U-PCA / U-KMEANS: transform within float tolerance; predict with the same centers
    gives the same labels."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6000, 12)) @ rng.standard_normal((12, 12)) + 3.0
    for whiten in (False, True):
        ours = PCA(4, whiten=whiten).fit(X)
        ref = sk_decomposition.PCA(4, whiten=whiten).fit(X)
        np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-8, atol=1e-9)
    km = KMeans(6, random_state=0, n_init=1).fit(X)
    ref = sk_cluster.KMeans(6, random_state=0, n_init=1).fit(X)
    ref.cluster_centers_ = km.cluster_centers_.copy()
    np.testing.assert_array_equal(km.predict(X), ref.predict(X))
    np.testing.assert_array_equal(km.predict(X), km.labels_)
