"""ML-KNN: the ``metric`` / ``p`` / ``metric_params`` options and callable ``weights``.

Oracle: scikit-learn 1.9's k-NN estimators and ``KDTree`` with the same options. Where
scikit-learn searches its k-d tree the neighbours, their order and the predictions are
identical, ties included (reduced distances are summed as it sums them, and its tree is
replayed with the same metric); by brute force the distances are equal and, without
ties, the neighbours too."""

import math
import warnings

import numpy as np
import pytest

sk_nb = pytest.importorskip("sklearn.neighbors")
sp = pytest.importorskip("scipy.sparse")

from gradkit.ml.neighbors import KNeighborsClassifier, KNeighborsRegressor  # noqa: E402
from gradkit.ml.neighbors._distance import Reduced  # noqa: E402
from gradkit.ml.neighbors._kd_replay import KDReplay  # noqa: E402

METRICS = [
    dict(p=1),
    dict(p=3),
    dict(p=math.inf),
    dict(metric="manhattan"),
    dict(metric="cityblock"),
    dict(metric="l1"),
    dict(metric="chebyshev"),
    dict(metric="infinity"),
    dict(metric="euclidean"),
    dict(metric="l2"),
    dict(metric="minkowski", metric_params={"p": 1.5}),
]


def _ids(kw):
    return ",".join(f"{k}={v}" for k, v in kw.items())


def _pair(kw, X, y, cls_name="KNeighborsClassifier"):
    ours = {
        "KNeighborsClassifier": KNeighborsClassifier,
        "KNeighborsRegressor": KNeighborsRegressor,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's "p found in metric_params" note
        ref = getattr(sk_nb, cls_name)(**kw).fit(X, y)
    return ours[cls_name](
        **{k: (dict(v) if isinstance(v, dict) else v) for k, v in kw.items()}
    ).fit(X, y), ref


@pytest.mark.parametrize("metric", METRICS, ids=_ids)
@pytest.mark.parametrize("algorithm", ["auto", "kd_tree", "brute"])
def test_neighbours_without_ties_equal_sklearn(metric, algorithm):
    if algorithm == "brute" and metric.get("metric") == "infinity":
        with pytest.raises(ValueError, match="'infinity' not valid for algorithm 'brute'"):
            KNeighborsClassifier(algorithm="brute", metric="infinity").fit(np.eye(3), [0, 1, 1])
        return
    rng = np.random.default_rng(0)
    X, Q = rng.normal(size=(200, 4)), rng.normal(size=(60, 4))
    y = rng.integers(0, 3, 200)
    ours, ref = _pair(dict(n_neighbors=7, algorithm=algorithm, **metric), X, y)
    d, i = ours.kneighbors(Q)
    rd, ri = ref.kneighbors(Q)
    np.testing.assert_array_equal(i, ri)
    euclidean_brute = algorithm == "brute" and ours._reduced.p == 2.0
    if euclidean_brute:  # ‖y‖² − 2x·y by BLAS, in both libraries: rounding differs
        np.testing.assert_allclose(d, rd, rtol=1e-13, atol=0)
    else:  # summed feature by feature with the C library's pow, as scikit-learn does
        np.testing.assert_array_equal(d, rd)
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), atol=1e-15)
    assert ours.effective_metric_ == ref.effective_metric_
    assert ours.effective_metric_params_ == ref.effective_metric_params_


@pytest.mark.parametrize("metric", METRICS, ids=_ids)
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_ties_on_a_grid_resolve_as_sklearn_kdtree(metric, weights):
    """Integer grids: distances tie everywhere; scikit-learn's k-d tree decides which
    tied point is kept and in what order, for every metric."""
    rng = np.random.default_rng(1)
    X = rng.integers(0, 4, (300, 5)).astype(float)
    Q = rng.integers(-1, 5, (80, 5)).astype(float)
    y = rng.integers(0, 3, 300)
    for k in (1, 5, 16):
        kw = dict(n_neighbors=k, weights=weights, leaf_size=7, **metric)
        ours, ref = _pair(kw, X, y)
        d, i = ours.kneighbors(Q)
        rd, ri = ref.kneighbors(Q)
        np.testing.assert_array_equal(i, ri)
        np.testing.assert_array_equal(d, rd)
        np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), atol=1e-15)
        reg, ref_reg = _pair(kw, X, y.astype(float), "KNeighborsRegressor")
        np.testing.assert_allclose(reg.predict(Q), ref_reg.predict(Q), rtol=1e-14)


@pytest.mark.parametrize("p", [1.0, 3.0, math.inf, 1.5])
@pytest.mark.parametrize("k", [1, 6, 17])
def test_replayed_query_equals_sklearn_kdtree_for_each_metric(p, k):
    rng = np.random.default_rng(int(k))
    # sevenths: ties everywhere, and powers where NumPy's vectorised pow and the C
    # library's differ in the last bit (scikit-learn uses the latter)
    X = rng.integers(0, 30, (250, 3)) / 7.0
    Q = rng.integers(-3, 33, (50, 3)) / 7.0
    metric = {1.0: "manhattan", math.inf: "chebyshev"}.get(p, "minkowski")
    extra = {} if metric != "minkowski" else {"p": p}
    tree = sk_nb.KDTree(X, leaf_size=9, metric=metric, **extra)
    ours = KDReplay(X, 9, Reduced(p))
    dist, idx = tree.query(Q, k)
    got_d, got_i = ours.query(Q, k)
    np.testing.assert_array_equal(got_i, idx)
    np.testing.assert_array_equal(got_d, dist)
    np.testing.assert_array_equal(
        ours.query(Q, k, sort=False)[1], tree.query(Q, k, sort_results=False)[1]
    )


def test_brute_force_ties_keep_sklearn_distances():
    """By brute force scikit-learn's choice among tied points follows its thread
    layout; the distances listed must still be the same."""
    rng = np.random.default_rng(2)
    X = rng.integers(0, 3, (200, 20)).astype(float)
    Q = rng.integers(0, 3, (40, 20)).astype(float)
    y = rng.integers(0, 2, 200)
    for metric in (dict(p=1), dict(p=math.inf), dict(p=3)):
        ours, ref = _pair(dict(n_neighbors=6, algorithm="brute", **metric), X, y)
        np.testing.assert_array_equal(ours.kneighbors(Q)[0], ref.kneighbors(Q)[0])
        assert ours.effective_algorithm_ == "brute"


def test_fractional_p_below_one_is_brute_force_with_sklearns_warning():
    rng = np.random.default_rng(3)
    X, Q, y = rng.normal(size=(80, 3)), rng.normal(size=(20, 3)), rng.integers(0, 2, 80)
    with pytest.warns(UserWarning, match="0 < p < 1"):
        ours = KNeighborsClassifier(4, p=0.5).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sk_nb.KNeighborsClassifier(4, p=0.5).fit(X, y)
    d, i = ours.kneighbors(Q)
    rd, ri = ref.kneighbors(Q)
    np.testing.assert_array_equal(i, ri)
    np.testing.assert_allclose(d, rd, rtol=1e-13)
    with pytest.raises(ValueError, match="0 < p < 1"):
        KNeighborsClassifier(4, p=0.5, algorithm="kd_tree").fit(X, y)


@pytest.mark.parametrize("sparse", [False, True])
def test_cosine_metric_equals_sklearn(sparse):
    rng = np.random.default_rng(4)
    X = rng.poisson(0.7, (150, 30)).astype(float)
    Q = rng.poisson(0.7, (40, 30)).astype(float)
    X[3] = 0.0  # a zero row: scikit-learn's normalize leaves it zero
    y = rng.integers(0, 3, 150)
    Xf, Qf = (sp.csr_matrix(X), sp.csr_matrix(Q)) if sparse else (X, Q)
    for weights in ("uniform", "distance"):
        ours, ref = _pair(dict(n_neighbors=5, metric="cosine", weights=weights), Xf, y)
        d, i = ours.kneighbors(Qf)
        rd, ri = ref.kneighbors(Qf)
        np.testing.assert_allclose(d, rd, rtol=0, atol=1e-12)
        assert (i == ri).mean() > 0.97  # only exact cosine ties may be listed otherwise
        assert ours.effective_algorithm_ == "brute"
    with pytest.raises(ValueError, match="cosine.*kd_tree"):
        KNeighborsClassifier(metric="cosine", algorithm="kd_tree").fit(X, y)


def test_callable_weights_equal_sklearn():
    rng = np.random.default_rng(5)
    X, Q = rng.normal(size=(120, 3)), rng.normal(size=(30, 3))
    y = rng.normal(size=120)

    def gaussian(d):
        return np.exp(-(d**2))

    ours, ref = _pair(dict(n_neighbors=6, weights=gaussian), X, y, "KNeighborsRegressor")
    np.testing.assert_allclose(ours.predict(Q), ref.predict(Q), rtol=1e-13)
    flat = np.where(y > 0, 1, 0)
    ours, ref = _pair(dict(n_neighbors=6, weights=gaussian, p=1), X, flat)
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), atol=1e-14)
    with pytest.raises(ValueError, match="weights callable returned shape"):
        KNeighborsRegressor(3, weights=lambda d: d[:, :1]).fit(X, y).predict(Q)


def test_metric_options_are_checked_and_input_is_not_mutated():
    X, y = np.eye(6), np.arange(6) % 2
    with pytest.raises(ValueError, match="metric='hamming' is not supported.*chebyshev"):
        KNeighborsClassifier(metric="hamming").fit(X, y)
    with pytest.raises(ValueError, match="metric_params \\['w'\\]"):
        KNeighborsClassifier(metric_params={"p": 3, "w": np.ones(6)}).fit(X, y)
    with pytest.raises(ValueError, match="p must be a number > 0"):
        KNeighborsClassifier(p=0).fit(X, y)
    with pytest.raises(ValueError, match="needs dense input"):
        KNeighborsClassifier(p=1).fit(sp.csr_matrix(X), y)
    params = {"p": 1.5}
    model = KNeighborsClassifier(2, metric_params=params).fit(X, y)
    model.predict_proba(X)
    assert params == {"p": 1.5}  # scikit-learn's predict_proba rewrites it to p=2
    assert model.get_params()["metric_params"] is params
    assert {"p", "metric", "metric_params"} <= set(model.get_params())
