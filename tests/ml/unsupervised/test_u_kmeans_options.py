"""KMeans options (U-KMEANS) against scikit-learn: seeding, n_init, max_iter, tol,
sample_weight, empty clusters and parameter checks, each with the same seed or init array."""

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.cluster import KMeans as SkKMeans  # noqa: E402
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus  # noqa: E402

from gradkit.ml.cluster import KMeans, kmeans_plusplus  # noqa: E402
from gradkit.ml.cluster._kmeans import _same_partition  # noqa: E402

_rng = np.random.RandomState(0)
# three blobs, scaled so the mean feature variance is far from 1 (tol is relative to it)
X = 10.0 * np.vstack([_rng.randn(30, 3) * s + c for s, c in [(1.0, 0.0), (0.5, 6.0), (2.0, -5.0)]])
W = _rng.uniform(0.1, 3.0, len(X))


def _assert_same_fit(ours, ref):
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-9, atol=1e-9)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)
    assert ours.n_iter_ == ref.n_iter_


@pytest.mark.parametrize("k", [1, 2, 5, 9])
@pytest.mark.parametrize(
    "kw",
    [{}, {"sample_weight": W}, {"n_local_trials": 1}, {"n_local_trials": 6, "sample_weight": W}],
    ids=["plain", "weighted", "one-trial", "six-trials-weighted"],
)
def test_u_kmeans_plusplus_draws_scikit_learns_seeds(k, kw):
    centers, idx = kmeans_plusplus(X, k, random_state=3, **kw)
    ref_centers, ref_idx = sk_kmeans_plusplus(X, k, random_state=3, **kw)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(centers, ref_centers)


def test_u_kmeans_plusplus_zero_weight_rows_are_never_seeds():
    w = np.zeros(len(X))
    w[::7] = 1.0
    _, idx = kmeans_plusplus(X, 6, sample_weight=w, random_state=0)
    _, ref_idx = sk_kmeans_plusplus(X, 6, sample_weight=w, random_state=0)
    np.testing.assert_array_equal(idx, ref_idx)
    assert np.all(w[idx] > 0)


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("n_init", ["auto", 1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_u_kmeans_seeded_fit_equals_sklearn(init, n_init, weighted):
    sw = W if weighted else None
    ours = KMeans(6, init=init, n_init=n_init, random_state=1).fit(X, sample_weight=sw)
    ref = SkKMeans(6, init=init, n_init=n_init, random_state=1).fit(X, sample_weight=sw)
    _assert_same_fit(ours, ref)


@pytest.mark.parametrize(("max_iter", "tol"), [(1, 1e-4), (2, 0.0), (3, 0.0), (300, 0.5)])
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_u_kmeans_max_iter_and_relative_tol_equal_sklearn(max_iter, tol, init):
    kw = dict(init=init, n_init=2, random_state=4, max_iter=max_iter, tol=tol)
    ours = KMeans(7, **kw).fit(X, sample_weight=W)
    ref = SkKMeans(7, **kw).fit(X, sample_weight=W)
    _assert_same_fit(ours, ref)


def test_u_kmeans_tol_is_relative_to_the_mean_feature_variance():
    # tol = 0.05 * mean variance stops after a different number of iterations than 0.05
    init = X[[0, 1, 2, 3]]
    for tol in (0.05, 0.002):
        ours = KMeans(4, init=init, tol=tol).fit(X)
        ref = SkKMeans(4, init=init, n_init=1, tol=tol).fit(X)
        _assert_same_fit(ours, ref)


@pytest.mark.parametrize("max_iter", [1, 2, 300])
def test_u_kmeans_init_array_uncentered_data_equals_sklearn(max_iter):
    Xs = X + 1000.0
    init = Xs[[5, 40, 41, 80]] + 0.5
    ours = KMeans(4, init=init, max_iter=max_iter, tol=0).fit(Xs, sample_weight=W)
    ref = SkKMeans(4, init=init, n_init=1, max_iter=max_iter, tol=0).fit(Xs, sample_weight=W)
    _assert_same_fit(ours, ref)
    np.testing.assert_array_equal(init, Xs[[5, 40, 41, 80]] + 0.5)  # init left untouched


@pytest.mark.parametrize("n_far", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_u_kmeans_empty_cluster_takes_the_farthest_point_as_sklearn(n_far, weighted):
    sw = W if weighted else None
    init = np.vstack([X[[0, 35, 70]], np.full((n_far, 3), 1e4) + np.arange(n_far)[:, None]])
    k = len(init)
    for max_iter in (1, 2, 300):
        ours = KMeans(k, init=init, max_iter=max_iter, tol=0).fit(X, sample_weight=sw)
        ref = SkKMeans(k, init=init, n_init=1, max_iter=max_iter, tol=0).fit(X, sample_weight=sw)
        _assert_same_fit(ours, ref)
        assert np.all(np.isfinite(ours.cluster_centers_))


def test_u_kmeans_predict_transform_score_equal_sklearn():
    kw = dict(n_init=1, random_state=2)
    ours = KMeans(5, **kw).fit(X)
    ref = SkKMeans(5, **kw).fit(X)
    Z = _rng.randn(20, 3) * 30
    np.testing.assert_array_equal(ours.predict(Z), ref.predict(Z))
    np.testing.assert_allclose(ours.transform(Z), ref.transform(Z), rtol=1e-10)
    np.testing.assert_allclose(ours.fit_transform(X), ref.fit_transform(X), rtol=1e-10)
    w = W[:20]
    assert ours.score(Z, sample_weight=w) == pytest.approx(ref.score(Z, sample_weight=w))
    assert ours.score(Z) == pytest.approx(ref.score(Z))
    assert ours.score(Z) < 0


def test_u_kmeans_same_partition_matches_sklearns_relabelling_rule():
    from sklearn.cluster._kmeans import _is_same_clustering

    rng = np.random.RandomState(5)
    for _ in range(200):
        a = rng.randint(0, 3, 8).astype(np.int32)
        perm = rng.permutation(3).astype(np.int32)
        b = perm[a] if rng.rand() < 0.5 else rng.randint(0, 3, 8).astype(np.int32)
        assert _same_partition(a, b) == bool(_is_same_clustering(a, b, 3))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_clusters": 0}, "n_clusters"),
        ({"n_clusters": 1.5}, "n_clusters"),
        ({"n_init": 0}, "n_init"),
        ({"n_init": "x"}, "n_init"),
        ({"n_init": 2.0}, "n_init"),
        ({"max_iter": 0}, "max_iter"),
        ({"max_iter": 0, "n_init": 1}, "max_iter"),
        ({"max_iter": 1.5}, "max_iter"),
        ({"tol": -1.0}, "tol"),
        ({"tol": "0.1"}, "tol"),
        ({"init": "kmeans"}, "init"),
        ({"init": np.zeros((3, 3))}, "shape of the initial centers"),
        ({"init": np.zeros((2, 2))}, "shape of the initial centers"),
    ],
)
def test_u_kmeans_bad_parameters_rejected_as_sklearn_rejects_them(params, match):
    kw = {"n_clusters": 2, **params}
    with pytest.raises(ValueError):
        SkKMeans(**kw).fit(X)
    with pytest.raises(ValueError, match=match):
        KMeans(**kw).fit(X)


def test_u_kmeans_boundary_parameters_accepted():
    # n_clusters == n_samples, n_init=1, max_iter=1 and tol=0 are valid (scikit-learn's bounds)
    ours = KMeans(len(X[:6]), n_init=1, max_iter=1, tol=0, random_state=0).fit(X[:6])
    ref = SkKMeans(len(X[:6]), n_init=1, max_iter=1, tol=0, random_state=0).fit(X[:6])
    _assert_same_fit(ours, ref)
    with pytest.raises(ValueError, match="n_samples=6 should be >= n_clusters=7"):
        KMeans(7).fit(X[:6])


def test_u_kmeans_defaults_are_sklearns():
    ours, ref = KMeans().get_params(), SkKMeans().get_params()
    assert ours == {k: ref[k] for k in ours}
    ours = KMeans(random_state=0).fit(X)
    ref = SkKMeans(random_state=0).fit(X)
    _assert_same_fit(ours, ref)  # 8 clusters, one k-means++ run, max_iter 300, tol 1e-4


def test_u_kmeans_one_cluster_is_the_weighted_mean():
    ours = KMeans(1, n_init=1, random_state=0).fit(X, sample_weight=W)
    np.testing.assert_allclose(ours.cluster_centers_[0], W @ X / W.sum(), rtol=1e-12)
    _assert_same_fit(ours, SkKMeans(1, n_init=1, random_state=0).fit(X, sample_weight=W))


def test_u_kmeans_auto_n_init_is_ten_random_runs():
    Xr = np.random.RandomState(0).randn(200, 2)[160:]
    ten = SkKMeans(5, init="random", n_init=10, random_state=4).fit(Xr)
    eleven = SkKMeans(5, init="random", n_init=11, random_state=4).fit(Xr)
    assert eleven.inertia_ < ten.inertia_ - 1e-9  # an 11th run would change the answer
    ours = KMeans(5, init="random", n_init="auto", random_state=4).fit(Xr)
    _assert_same_fit(ours, ten)


@pytest.mark.parametrize("init", ["random", "k-means++"])
def test_u_kmeans_equal_inertia_keeps_the_first_run_as_sklearn(init):
    # the two partitions of a unit square have the same J = 1 exactly: the first run wins
    sq = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    for seed in range(10):
        ours = KMeans(2, init=init, n_init=10, random_state=seed).fit(sq)
        ref = SkKMeans(2, init=init, n_init=10, random_state=seed).fit(sq)
        np.testing.assert_array_equal(ours.labels_, ref.labels_)
        assert ours.inertia_ == ref.inertia_ == 1.0


def test_u_kmeans_stops_when_the_shift_equals_tol_zero():
    # init at the exact cluster means: the first update moves nothing, shift 0 <= tol 0
    Xe = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [12.0, 0.0]])
    init = np.array([[1.0, 0.0], [11.0, 0.0]])
    ours = KMeans(2, init=init, tol=0).fit(Xe)
    ref = SkKMeans(2, init=init, n_init=1, tol=0).fit(Xe)
    _assert_same_fit(ours, ref)
    assert ours.n_iter_ == 1


def test_u_kmeans_centering_keeps_far_offset_data_accurate():
    # feature means 1e9 and -3e9, spread 0.5: ‖x‖² − 2x·μ + ‖μ‖² is only accurate once
    # each feature is centered by its own mean (one scalar mean leaves |x| ~ 2e9)
    rng = np.random.RandomState(0)
    base = np.vstack([rng.randn(30, 2) * 0.5 + [-1, 0], rng.randn(30, 2) * 0.5 + [1, 0]])
    Xo = base + [1e9, -3e9]
    init = Xo[[0, 30]]
    ours = KMeans(2, init=init, tol=0).fit(Xo)
    ref = SkKMeans(2, init=init, n_init=1, tol=0).fit(Xo)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-12)


def test_u_kmeans_tol_uses_per_feature_variances():
    # columns with very different means: var of all entries ≠ mean of column variances
    Xs = X / 10.0 + [0.0, 40.0, -25.0]
    init = Xs[[0, 1, 2, 3]]
    for tol in (0.05, 0.01, 0.002):
        ours = KMeans(4, init=init, tol=tol).fit(Xs)
        ref = SkKMeans(4, init=init, n_init=1, tol=tol).fit(Xs)
        _assert_same_fit(ours, ref)


def test_u_kmeans_plusplus_small_distances_equal_sklearn():
    # squared distances far below 1 (they must not be clipped at any floor but 0)
    Xt = X * 1e-3
    for k in (3, 7):
        _, idx = kmeans_plusplus(Xt, k, random_state=1)
        _, ref_idx = sk_kmeans_plusplus(Xt, k, random_state=1)
        np.testing.assert_array_equal(idx, ref_idx)


def test_u_kmeans_empty_cluster_ties_go_to_the_lowest_sample_index():
    # 12 samples exactly 5 from the origin (the farthest); the data mean is exactly 0.
    # Which tied sample an empty cluster takes is a convention (scikit-learn's
    # argpartition picks any of them): gradkit takes the first in sample order.
    ring = [(3, 4), (4, 3), (-3, 4), (-4, 3), (3, -4), (4, -3), (-3, -4), (-4, -3)]
    ring += [(5, 0), (-5, 0), (0, 5), (0, -5)]
    inner = [(1, 0), (-1, 0), (0, 1), (0, -1), (2, 0), (-2, 0), (0, 2), (0, -2)]
    inner += [(1, 1), (-1, -1), (1, -1), (-1, 1)]
    base = np.vstack([inner, ring, np.array(inner) * 0.5]).astype(float)
    init = np.array([[0.0, 0.0], [64.0, 64.0]])
    for seed in range(4):
        Xr = base[np.random.RandomState(seed).permutation(len(base))]
        first = int(np.flatnonzero(np.isclose((Xr**2).sum(1), 25.0))[0])
        ours = KMeans(2, init=init, max_iter=1, tol=0).fit(Xr)
        np.testing.assert_array_equal(ours.cluster_centers_[1], Xr[first])
        ref = SkKMeans(2, init=init, n_init=1, max_iter=1, tol=0).fit(Xr)
        assert np.sum(ref.cluster_centers_[1] ** 2) == 25.0  # scikit-learn: a tied one too


def test_u_kmeans_refit_and_predict_check_the_number_of_features():
    from gradkit.ml.exceptions import NotFittedError

    km = KMeans(2, n_init=1, random_state=0).fit(X)
    km.fit(X[:, :2])  # a refit on other data learns its width
    assert km.n_features_in_ == 2
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 2"):
        km.predict(X)
    with pytest.raises(ValueError, match="expecting 2"):
        km.transform(X)
    with pytest.raises(NotFittedError):
        KMeans(2).predict(X)
    bad = KMeans(0)
    with pytest.raises(ValueError):
        bad.fit(X)  # a failed fit leaves no fitted model behind
    with pytest.raises(NotFittedError):
        bad.predict(X)
    with pytest.raises(ValueError, match="Unknown init='kmeans'"):
        KMeans(2, init="kmeans").fit(X)
