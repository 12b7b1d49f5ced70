"""U-EVAL / U-SIL / EVAL-METRICS (issue 24): clustering metrics and scorers against
scikit-learn on small labelings — every option, the edge cases each formula special-cases
(one cluster, singletons, empty input, zero spread) and the input checks."""

import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("sklearn")
import sklearn.metrics as skm  # noqa: E402
from sklearn.metrics.cluster import _expected_mutual_info_fast as sk_emi  # noqa: E402

from gradkit.ml import metrics as gm  # noqa: E402

_rng = np.random.RandomState(0)
LABELINGS = [
    ([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 2, 2]),  # identical up to renaming
    ([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]),  # independent
    ([0, 0, 1, 1], [0, 0, 0, 0]),  # one cluster predicted
    ([5, 5, 5], [5, 5, 5]),  # one class, one cluster
    ([0, 1, 2, 3], [0, 1, 2, 3]),  # all singletons
    (["a", "b", "a", "c", "c", "b", "a"], ["x", "x", "y", "y", "z", "z", "z"]),
    (list(_rng.randint(0, 4, 40)), list(_rng.randint(0, 3, 40))),
    (list(_rng.randint(0, 7, 60)), list(_rng.randint(0, 9, 60))),
    ([0, 0, 1, 2, 2, 2, 3], [1, 1, 1, 0, 0, 2, 2]),
]
PAIR_METRICS = [
    "rand_score",
    "adjusted_rand_score",
    "mutual_info_score",
    "homogeneity_score",
    "completeness_score",
    "v_measure_score",
    "fowlkes_mallows_score",
    "adjusted_mutual_info_score",
    "normalized_mutual_info_score",
]


@pytest.mark.parametrize("name", PAIR_METRICS)
def test_u_eval_label_metrics_equal_sklearn_on_edge_labelings(name):
    for t, p in LABELINGS:
        for a, b in ((t, p), (p, t)):
            ours, ref = getattr(gm, name)(a, b), getattr(skm, name)(a, b)
            assert ours == pytest.approx(ref, abs=1e-12), (a, b)
            assert isinstance(ours, float)


def test_u_eval_label_metrics_of_empty_labelings_equal_sklearn():
    for name in PAIR_METRICS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ref = getattr(skm, name)([], [])
            except ValueError:  # scikit-learn's mutual_info_score has no value for n = 0
                with pytest.raises(ValueError):
                    getattr(gm, name)([], [])
                continue
        assert getattr(gm, name)([], []) == pytest.approx(ref), name
    assert gm.homogeneity_completeness_v_measure([], []) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("method", ["min", "geometric", "arithmetic", "max"])
def test_u_eval_mutual_info_average_methods_equal_sklearn(method):
    for t, p in LABELINGS:
        for f in ("adjusted_mutual_info_score", "normalized_mutual_info_score"):
            ours = getattr(gm, f)(t, p, average_method=method)
            ref = getattr(skm, f)(t, p, average_method=method)
            assert ours == pytest.approx(ref, abs=1e-12), (f, t, p)
    with pytest.raises(ValueError, match="average_method"):
        gm.adjusted_mutual_info_score([0, 1], [0, 1], average_method="harmonic")
    with pytest.raises(ValueError, match="average_method"):
        gm.normalized_mutual_info_score([0, 1], [0, 1], average_method="mean")


def test_u_eval_ami_below_chance_is_negative_as_sklearn():
    t, p = [0, 0, 1, 1], [0, 1, 0, 1]
    assert gm.adjusted_mutual_info_score(t, p) == pytest.approx(
        skm.adjusted_mutual_info_score(t, p)
    )
    assert gm.adjusted_mutual_info_score(t, p) < 0


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 3.0])
def test_u_eval_v_measure_beta_equals_sklearn(beta):
    for t, p in LABELINGS:
        ours = gm.homogeneity_completeness_v_measure(t, p, beta=beta)
        ref = skm.homogeneity_completeness_v_measure(t, p, beta=beta)
        np.testing.assert_allclose(ours, ref, atol=1e-12)
        assert gm.v_measure_score(t, p, beta=beta) == pytest.approx(ref[2], abs=1e-12)


def test_u_eval_entropy_mi_and_emi_equal_sklearn():
    from sklearn.metrics.cluster import entropy as sk_entropy

    for t, p in LABELINGS:
        assert gm.entropy(t) == pytest.approx(sk_entropy(np.asarray(t)), abs=1e-12)
        c = skm.cluster.contingency_matrix(t, p)
        for given in (c, sp.csr_matrix(c)):
            assert gm.mutual_info_score(None, None, contingency=given) == pytest.approx(
                skm.mutual_info_score(None, None, contingency=given), abs=1e-12
            )
        assert gm.expected_mutual_information(c, len(t)) == pytest.approx(
            sk_emi.expected_mutual_information(c.astype(np.int64), len(t)), abs=1e-12
        )
        assert gm.expected_mutual_information(sp.csr_matrix(c), len(t)) == pytest.approx(
            sk_emi.expected_mutual_information(c.astype(np.int64), len(t)), abs=1e-12
        )
    assert gm.entropy([]) == 1.0
    assert gm.entropy([3, 3]) == 0.0


def test_u_eval_contingency_options_equal_sklearn():
    for t, p in LABELINGS:
        ref = skm.cluster.contingency_matrix(t, p)
        np.testing.assert_array_equal(gm.contingency_matrix(t, p), ref)
        for dtype in (np.int32, np.float64):
            got = gm.contingency_matrix(t, p, dtype=dtype)
            assert got.dtype == dtype
            np.testing.assert_array_equal(got, ref)
            s = gm.contingency_matrix(t, p, sparse=True, dtype=dtype)
            assert sp.issparse(s) and s.dtype == dtype
            np.testing.assert_array_equal(s.toarray(), ref)
        np.testing.assert_allclose(
            gm.contingency_matrix(t, p, eps=0.25), skm.cluster.contingency_matrix(t, p, eps=0.25)
        )
        np.testing.assert_array_equal(
            gm.pair_confusion_matrix(t, p), skm.cluster.pair_confusion_matrix(t, p)
        )
    with pytest.raises(ValueError, match="eps"):
        gm.contingency_matrix([0, 1], [0, 1], eps=1.0, sparse=True)


def test_u_eval_label_checks():
    with pytest.raises(ValueError, match="labels_true must be 1D"):
        gm.adjusted_rand_score([[0, 1]], [0, 1])
    with pytest.raises(ValueError, match="labels_pred must be 1D"):
        gm.rand_score([0, 1], [[0, 1]])
    with pytest.raises(ValueError):
        gm.mutual_info_score([0, 1, 1], [0, 1])
    with pytest.warns(UserWarning, match="continuous"):
        gm.v_measure_score([0.5, 1.0], [0, 1])
    with pytest.warns(UserWarning, match="continuous"):
        gm.v_measure_score([0, 1], [0.0, 1.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gm.v_measure_score([0.0, 1.0], [1.0, 0.0])  # whole floats are discrete


# ------------------------------------------------------------------ internal indices
X = np.vstack([_rng.randn(6, 2), _rng.randn(5, 2) + 4, _rng.randn(4, 2) * 0.3 + [0, 5]])
LAB = np.array([0] * 6 + [1] * 5 + [2] * 4)
LAB_STR = np.array(["c"] * 6 + ["a"] * 5 + ["b"] * 4)


@pytest.mark.parametrize("labels", [LAB, LAB_STR, np.r_[LAB[:-1], 7], np.arange(15) % 2])
def test_u_sil_samples_and_score_equal_sklearn(labels):
    np.testing.assert_allclose(
        gm.silhouette_samples(X, labels), skm.silhouette_samples(X, labels), atol=1e-12
    )
    D = skm.pairwise_distances(X)
    np.testing.assert_allclose(
        gm.silhouette_samples(D, labels, metric="precomputed"),
        skm.silhouette_samples(D, labels, metric="precomputed"),
        atol=1e-12,
    )
    assert gm.silhouette_score(X, labels) == pytest.approx(skm.silhouette_score(X, labels))
    for metric, data in (("euclidean", X), ("precomputed", D)):
        for seed in (0, 3):
            ours = gm.silhouette_score(
                data, labels, metric=metric, sample_size=9, random_state=seed
            )
            ref = skm.silhouette_score(
                data, labels, metric=metric, sample_size=9, random_state=seed
            )
            assert ours == pytest.approx(ref, abs=1e-12)


def test_u_sil_singletons_and_k_bounds_equal_sklearn():
    lab = np.arange(15)
    lab[:2] = 0  # 14 clusters, 13 of them singletons: s = 0 there
    np.testing.assert_allclose(gm.silhouette_samples(X, lab), skm.silhouette_samples(X, lab))
    for bad in (np.zeros(15, int), np.arange(15)):
        with pytest.raises(ValueError, match="Number of labels"):
            gm.silhouette_samples(X, bad)
    # identical points in two clusters: a = b = 0 gives s = 0, not NaN
    Z = np.zeros((4, 2))
    np.testing.assert_allclose(gm.silhouette_samples(Z, [0, 0, 1, 1]), [0, 0, 0, 0])


def test_u_sil_rows_beyond_one_chunk_equal_sklearn():
    from gradkit.ml.metrics import _cluster

    rng = np.random.RandomState(1)
    n = _cluster._CHUNK + 37
    Xb = rng.randn(n, 2) + 100.0
    lab = rng.randint(0, 3, n)
    np.testing.assert_allclose(
        gm.silhouette_samples(Xb, lab), skm.silhouette_samples(Xb, lab), atol=1e-9
    )


def test_u_sil_precomputed_checks():
    D = skm.pairwise_distances(X)
    with pytest.raises(ValueError, match="square"):
        gm.silhouette_samples(D[:, :5], LAB, metric="precomputed")
    D[3, 3] = 0.1
    with pytest.raises(ValueError, match="diagonal"):
        gm.silhouette_samples(D, LAB, metric="precomputed")
    with pytest.raises(ValueError, match="metric"):
        gm.silhouette_score(X, LAB, metric="manhattan")
    with pytest.raises(ValueError):
        gm.silhouette_samples(X, LAB[:-1])


@pytest.mark.parametrize("name", ["calinski_harabasz_score", "davies_bouldin_score"])
def test_u_eval_internal_indices_edge_cases_equal_sklearn(name):
    ours, ref = getattr(gm, name), getattr(skm, name)
    for labels in (LAB, LAB_STR, np.arange(15) % 2, np.r_[np.zeros(13, int), 1, 2]):
        assert ours(X, labels) == pytest.approx(ref(X, labels), rel=1e-12)
        assert isinstance(ours(X, labels), float)
    # zero spread inside every cluster
    Z = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 4.0], [3.0, 4.0], [6.0, 0.0]])
    lab = [0, 0, 1, 1, 2]
    assert ours(Z, lab) == pytest.approx(ref(Z, lab))
    # two clusters with the same centroid (a zero centroid gap) next to a third
    W = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, -1.0], [0.0, 1.0], [5.0, 5.0], [6.0, 5.0]])
    lab = [0, 0, 1, 1, 2, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours(W, lab) == pytest.approx(ref(W, lab))
    for bad in (np.zeros(15, int), np.arange(15)):
        with pytest.raises(ValueError, match="Number of labels"):
            ours(X, bad)


# ------------------------------------------------------------------ scorers
@functools.lru_cache(maxsize=1)
def _fitted():
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.naive_bayes import GaussianNB

    rng = np.random.RandomState(2)
    Xc = rng.randn(60, 3)
    yb = (Xc[:, 0] + 0.7 * rng.randn(60) > 0).astype(int)
    y3 = np.digitize(Xc[:, 1] + 0.5 * rng.randn(60), [-0.5, 0.5])
    yr = Xc @ [1.0, -2.0, 0.5] + rng.randn(60)
    return {
        "bin": (LogisticRegression().fit(Xc[:40], yb[:40]), Xc[40:], yb[40:]),
        "bin_nb": (GaussianNB().fit(Xc[:40], yb[:40]), Xc[40:], yb[40:]),
        "multi": (LogisticRegression().fit(Xc[:40], y3[:40]), Xc[40:], y3[40:]),
        "reg": (LinearRegression().fit(Xc[:40], yr[:40]), Xc[40:], yr[40:]),
        "clu": (KMeans(3, n_init=1, random_state=0).fit(Xc), Xc, y3),
    }


CASES = {
    "accuracy": ["bin", "multi"],
    "precision": ["bin"],
    "recall": ["bin"],
    "f1": ["bin"],
    "f1_macro": ["multi"],
    "f1_micro": ["multi"],
    "f1_weighted": ["multi"],
    "roc_auc": ["bin", "bin_nb"],
    "neg_log_loss": ["bin", "multi"],
    "neg_mean_squared_error": ["reg"],
    "neg_mean_absolute_error": ["reg"],
    "r2": ["reg"],
    "adjusted_rand_score": ["clu"],
    "rand_score": ["clu"],
    "homogeneity_score": ["clu"],
    "completeness_score": ["clu"],
    "v_measure_score": ["clu"],
    "mutual_info_score": ["clu"],
    "adjusted_mutual_info_score": ["clu"],
    "normalized_mutual_info_score": ["clu"],
    "fowlkes_mallows_score": ["clu"],
}


def test_eval_metrics_every_scorer_equals_sklearns():
    fitted = _fitted()
    assert set(gm.SCORERS) == set(CASES)
    for name, cases in CASES.items():
        for case in cases:
            est, Xs, ys = fitted[case]
            ours = gm.get_scorer(name)(est, Xs, ys)
            ref = skm.get_scorer(name)(est, Xs, ys)
            assert ours == pytest.approx(ref, rel=1e-10, abs=1e-12), (name, case)
    # multiclass probabilities: one-vs-rest AUC, scikit-learn's 'roc_auc_ovr'
    from sklearn.naive_bayes import GaussianNB

    est, Xs, ys = fitted["multi"]
    nb = GaussianNB().fit(Xs, ys)
    assert gm.get_scorer("roc_auc")(nb, Xs, ys) == pytest.approx(
        skm.get_scorer("roc_auc_ovr")(nb, Xs, ys)
    )
    # log loss with a class absent from the test labels: the estimator's classes are used
    est, Xs, ys = fitted["multi"]
    keep = ys != 2
    ref = -skm.log_loss(ys[keep], est.predict_proba(Xs[keep]), labels=est.classes_)
    assert gm.get_scorer("neg_log_loss")(est, Xs[keep], ys[keep]) == pytest.approx(ref)


def test_eval_metrics_get_scorer_none_callable_and_unknown():
    est, Xs, ys = _fitted()["reg"]
    assert gm.get_scorer(None)(est, Xs, ys) == pytest.approx(est.score(Xs, ys))

    def mine(estimator, X_, y_):
        return 42.0

    assert gm.get_scorer(mine) is mine
    with pytest.raises(ValueError, match="Unknown scoring='accuracy_score'"):
        gm.get_scorer("accuracy_score")


def test_eval_metrics_package_exports_every_public_name():
    import gradkit.ml.metrics as pkg

    for name in pkg.__all__:
        assert callable(getattr(pkg, name)) or name == "SCORERS", name
    for name in PAIR_METRICS + ["silhouette_score", "calinski_harabasz_score"]:
        assert name in pkg.__all__


def test_u_sil_precomputed_diagonal_rounding_is_tolerated_as_in_sklearn():
    D = skm.pairwise_distances(X)
    near = D + np.eye(len(D)) * 1e-15  # within 100 float64 ulp of zero
    assert gm.silhouette_score(near, LAB, metric="precomputed") == pytest.approx(
        skm.silhouette_score(near, LAB, metric="precomputed"), abs=1e-12
    )
    with pytest.raises(ValueError, match="diagonal"):
        gm.silhouette_score(D + np.eye(len(D)) * 1e-13, LAB, metric="precomputed")
    # float32 distances: 100 float32 ulp (about 1.2e-5) is the bound
    near32 = (D + np.eye(len(D)) * 1e-6).astype(np.float32)
    assert gm.silhouette_score(near32, LAB, metric="precomputed") == pytest.approx(
        skm.silhouette_score(near32, LAB, metric="precomputed"), abs=1e-5
    )
    with pytest.raises(ValueError, match="diagonal"):
        gm.silhouette_score(
            (D + np.eye(len(D)) * 1e-4).astype(np.float32), LAB, metric="precomputed"
        )
    Di = np.round(D * 10).astype(np.int64)  # integers: any non-zero diagonal is refused
    assert gm.silhouette_score(Di, LAB, metric="precomputed") == pytest.approx(
        skm.silhouette_score(Di, LAB, metric="precomputed")
    )
    Di[0, 0] = 1
    with pytest.raises(ValueError, match="diagonal"):
        gm.silhouette_score(Di, LAB, metric="precomputed")


def test_u_eval_continuous_label_warning_is_given_once():
    for f in (
        gm.homogeneity_completeness_v_measure,
        gm.adjusted_mutual_info_score,
        gm.normalized_mutual_info_score,
        gm.fowlkes_mallows_score,
    ):
        with pytest.warns(UserWarning, match="continuous") as record:
            f([0.5, 1.5, 2.5], [0.25, 1.0, 1.0])  # both continuous: one warning
        assert len(record) == 1, f.__name__


def test_u_eval_mutual_information_of_independent_labelings_is_exactly_zero():
    t, p = [0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]
    assert gm.mutual_info_score(t, p) == skm.mutual_info_score(t, p) == 0.0
    assert gm.normalized_mutual_info_score(t, p) == 0.0
    rng = np.random.RandomState(4)
    for _ in range(20):
        a, b = rng.randint(0, 3, 30), rng.randint(0, 4, 30)
        assert gm.mutual_info_score(a, b) >= 0.0
        assert gm.mutual_info_score(a, b) == pytest.approx(skm.mutual_info_score(a, b), abs=1e-15)


def test_u_sil_input_forms_and_checks_equal_sklearn():
    D = skm.pairwise_distances(X)
    # lists are accepted, and a list's float diagonal gets the float64 rounding tolerance
    near = (D + np.eye(len(D)) * 1e-15).tolist()
    assert gm.silhouette_score(near, list(LAB), metric="precomputed") == pytest.approx(
        skm.silhouette_score(near, list(LAB), metric="precomputed"), abs=1e-12
    )
    assert gm.silhouette_score(X.tolist(), list(LAB)) == pytest.approx(skm.silhouette_score(X, LAB))
    eps = np.finfo(np.float64).eps
    with pytest.raises(ValueError, match="diagonal"):  # just past 100 ulp
        gm.silhouette_score(D + np.eye(len(D)) * 100.5 * eps, LAB, metric="precomputed")
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.silhouette_samples(X, LAB[:-1])
    with pytest.raises(ValueError, match="Unknown metric='cosine'"):
        gm.silhouette_samples(X, LAB, metric="cosine")


def test_u_sil_singletons_and_duplicates_raise_no_numpy_warning():
    lab = np.arange(15)
    lab[:2] = 0
    Z = np.zeros((4, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gm.silhouette_samples(X, lab)  # 0 / 0 for the singletons' a
        gm.silhouette_samples(Z, [0, 0, 1, 1])  # a = b = 0
        # a tolerated rounding diagonal: a singleton's a is 1e-15 / 0
        D = skm.pairwise_distances(X) + np.eye(len(X)) * 1e-15
        got = gm.silhouette_samples(D, lab, metric="precomputed")
    np.testing.assert_allclose(got, skm.silhouette_samples(D, lab, metric="precomputed"))


def test_u_eval_davies_bouldin_near_zero_spread_or_gap_is_zero_as_sklearn():
    # spreads within allclose of 0 (1e-12): 0.0, not (s_i + s_j) / gap
    tiny = np.array([[0.0, 0.0], [2e-12, 0.0], [5.0, 0.0], [5.0, 2e-12], [0.0, 7.0], [0, 7.0]])
    lab = [0, 0, 1, 1, 2, 2]
    assert gm.davies_bouldin_score(tiny, lab) == skm.davies_bouldin_score(tiny, lab) == 0.0
    # all centroids within allclose of each other (1e-12 apart): 0.0, not s / 1e-12
    close = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, -1.0 + 2e-12], [0.0, 1.0]])
    assert gm.davies_bouldin_score(close, [0, 0, 1, 1]) == 0.0
    assert skm.davies_bouldin_score(close, [0, 0, 1, 1]) == 0.0
    # every spread exactly 1 is an ordinary case
    ones = np.array([[-1.0, 0.0], [1.0, 0.0], [9.0, 0.0], [11.0, 0.0], [0, 19.0], [0, 21.0]])
    ref = skm.davies_bouldin_score(ones, lab)
    assert gm.davies_bouldin_score(ones, lab) == pytest.approx(ref) and ref > 0


def test_eval_metrics_roc_auc_scorer_prefers_decision_function_as_sklearn():
    # SVC's Platt-scaled probabilities rank samples differently from its decision function
    from sklearn.svm import SVC

    rng = np.random.RandomState(4)
    Xs = rng.randn(80, 2)
    ys = (Xs[:, 0] + rng.randn(80) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probability=True is deprecated in 1.9
        svc = SVC(probability=True, random_state=0).fit(Xs[:50], ys[:50])
    auc_dec = skm.roc_auc_score(ys[50:], svc.decision_function(Xs[50:]))
    auc_prob = skm.roc_auc_score(ys[50:], svc.predict_proba(Xs[50:])[:, 1])
    assert auc_dec != auc_prob
    assert gm.get_scorer("roc_auc")(svc, Xs[50:], ys[50:]) == pytest.approx(auc_dec)
    assert gm.SCORERS["roc_auc"](svc, Xs[50:], ys[50:]) == pytest.approx(
        skm.get_scorer("roc_auc")(svc, Xs[50:], ys[50:])
    )
    est, Xe, ye = _fitted()["bin"]
    for name in ("accuracy", "neg_log_loss", "f1_macro"):
        assert gm.SCORERS[name](est, Xe, ye) == pytest.approx(skm.get_scorer(name)(est, Xe, ye))


@pytest.mark.parametrize("method", ["min", "geometric", "arithmetic", "max"])
def test_u_eval_ami_of_identical_singleton_labelings_is_one_as_sklearn(method):
    # H − E[MI] rounds below 0 here (n = 3, 5, 8, 9 with 'min'): the clamps keep AMI = 1
    for n in (3, 5, 8, 9, 15):
        t = list(range(n))
        ours = gm.adjusted_mutual_info_score(t, t, average_method=method)
        assert ours == pytest.approx(skm.adjusted_mutual_info_score(t, t, average_method=method))
        assert ours == pytest.approx(1.0)


def test_u_eval_label_metric_details_equal_sklearn():
    # an exactly independent pair whose MI terms round to ±eps: MI is exactly 0
    t, p = [0] * 6 + [1] * 6, [0, 0, 0, 1, 1, 1] * 2
    assert gm.mutual_info_score(t, p) == skm.mutual_info_score(t, p) == 0.0
    # two-cluster labelings on either side
    for a, b in (([0, 0, 1, 1, 1], [0, 0, 1, 1, 2]), ([0, 0, 1, 1, 2], [0, 0, 1, 1, 1])):
        assert gm.mutual_info_score(a, b) == pytest.approx(skm.mutual_info_score(a, b))
        assert gm.mutual_info_score(a, b) > 0
        # homogeneity_completeness_v_measure's default beta is 1
        np.testing.assert_allclose(
            gm.homogeneity_completeness_v_measure(a, b),
            skm.homogeneity_completeness_v_measure(a, b),
        )
    C = gm.pair_confusion_matrix([0, 0, 1], [0, 1, 1])
    assert C.dtype == np.int64
    np.testing.assert_array_equal(C, skm.cluster.pair_confusion_matrix([0, 0, 1], [0, 1, 1]))
    # an empty column in a given table, before a non-empty one
    c = np.array([[3, 0, 5], [1, 0, 2]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gm.expected_mutual_information(c, 11) == pytest.approx(
            sk_emi.expected_mutual_information(c, 11)
        )
    assert gm.expected_mutual_information(np.array([[3, 2, 5]]), 10) == 0.0
    msg = r"^Clustering metrics expects discrete values but received continuous values\.$"
    with pytest.warns(UserWarning, match=msg):
        gm.fowlkes_mallows_score([0.5, 1.0], [0, 1])
    for f in (gm.rand_score, gm.mutual_info_score, gm.homogeneity_score):
        with pytest.raises(ValueError, match="inconsistent numbers of samples"):
            f([0, 1, 1], [0, 1])
    for f in (gm.adjusted_mutual_info_score, gm.normalized_mutual_info_score):
        with pytest.raises(ValueError, match="Unknown average_method='harmonic'"):
            f([0, 1], [0, 1], average_method="harmonic")


def test_u_eval_mutual_information_rounding_cases_equal_sklearn():
    # one predicted cluster: its terms sum to 8e-17 by rounding; MI is 0 by definition
    t = [0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0]
    assert gm.mutual_info_score(t, [0] * 14) == skm.mutual_info_score(t, [0] * 14) == 0.0
    # terms summing to -4e-16: MI is clipped at 0, never negative
    a = [0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1]
    b = [0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0]
    assert gm.mutual_info_score(a, b) == skm.mutual_info_score(a, b) == 0.0
