"""EVAL-METRICS / U-EVAL (issue 18): classification_report and the clustering metrics
against scikit-learn, to 1e-10 (text reports character for character)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit.ml.metrics as gm
from gradkit.ml.cluster import KMeans

skm = pytest.importorskip("sklearn.metrics")
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.svm import SVC  # noqa: E402


@pytest.fixture(scope="module")
def digits_predictions():
    """A real classifier's predictions: SVC on the second half of digits."""
    X, y = load_digits(return_X_y=True)
    n = len(X) // 2
    return y[n:], SVC(gamma=0.001).fit(X[:n], y[:n]).predict(X[n:])


REPORT_CASES = [
    dict(),
    dict(digits=4),
    dict(target_names=[f"digit {i}" for i in range(10)]),
    dict(labels=[0, 3, 8]),
    dict(labels=[0, 3, 8, 11]),
    dict(sample_weight="random"),
]


@pytest.mark.parametrize("kw", REPORT_CASES, ids=[str(k) for k in REPORT_CASES])
def test_eval_classification_report_text_and_dict_equal_sklearns(digits_predictions, kw):
    y_true, y_pred = digits_predictions
    if kw.get("sample_weight") == "random":
        kw = {**kw, "sample_weight": np.random.default_rng(0).random(len(y_true))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gm.classification_report(y_true, y_pred, **kw) == skm.classification_report(
            y_true, y_pred, **kw
        )
        ours = gm.classification_report(y_true, y_pred, output_dict=True, **kw)
        ref = skm.classification_report(y_true, y_pred, output_dict=True, **kw)
    assert ours == ref


def test_eval_classification_report_strings_binary_and_zero_division():
    y_true = np.array(["spam", "ham"] * 10 + ["ham"])
    y_pred = np.array(["spam"] * 21)
    with pytest.warns(gm.UndefinedMetricWarning):
        ours = gm.classification_report(y_true, y_pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours == skm.classification_report(y_true, y_pred)
        for zd in (0.0, 1.0):
            assert gm.classification_report(
                y_true, y_pred, zero_division=zd, output_dict=True
            ) == skm.classification_report(y_true, y_pred, zero_division=zd, output_dict=True)
    with pytest.raises(ValueError, match="does not match size of target_names"):
        gm.classification_report(y_true, y_pred, target_names=["a"])


@pytest.fixture(scope="module")
def clusterings():
    """Ground truth and k-means labels on digits, plus a random labelling."""
    X, y = load_digits(return_X_y=True)
    km = KMeans(10, n_init=2, random_state=0).fit(X).labels_
    rand = np.random.default_rng(0).integers(0, 7, len(y))
    return X, y, km, rand


LABEL_METRICS = [
    "homogeneity_score",
    "completeness_score",
    "v_measure_score",
    "adjusted_rand_score",
    "rand_score",
    "adjusted_mutual_info_score",
    "normalized_mutual_info_score",
    "mutual_info_score",
    "fowlkes_mallows_score",
]


@pytest.mark.parametrize("metric", LABEL_METRICS)
def test_u_eval_label_metrics_equal_sklearns(clusterings, metric):
    _, y, km, rand = clusterings
    for a, b in (
        (y, km),
        (km, y),
        (y, rand),
        (y, y),
        ([0, 0, 0], [1, 1, 1]),
        ([0, 1, 2], [0, 0, 0]),
    ):
        ours, ref = getattr(gm, metric)(a, b), getattr(skm, metric)(a, b)
        assert isinstance(ours, float)
        assert abs(ours - ref) < 1e-10, (metric, ours, ref)


@pytest.mark.parametrize("method", ["min", "geometric", "arithmetic", "max"])
def test_u_eval_mutual_information_averages(clusterings, method):
    _, y, km, _ = clusterings
    for name in ("adjusted_mutual_info_score", "normalized_mutual_info_score"):
        ours = getattr(gm, name)(y, km, average_method=method)
        assert abs(ours - getattr(skm, name)(y, km, average_method=method)) < 1e-10
    for beta in (0.5, 2.0):
        np.testing.assert_allclose(
            gm.homogeneity_completeness_v_measure(y, km, beta=beta),
            skm.homogeneity_completeness_v_measure(y, km, beta=beta),
            atol=1e-10,
        )


def test_u_eval_contingency_and_pair_confusion(clusterings):
    _, y, km, _ = clusterings
    np.testing.assert_array_equal(
        gm.contingency_matrix(y, km), skm.cluster.contingency_matrix(y, km)
    )
    np.testing.assert_array_equal(
        gm.pair_confusion_matrix(y, km), skm.cluster.pair_confusion_matrix(y, km)
    )
    assert abs(gm.entropy(y) - skm.cluster.entropy(y)) < 1e-12


@pytest.mark.parametrize("metric", ["calinski_harabasz_score", "davies_bouldin_score"])
def test_u_eval_internal_indices_equal_sklearns(clusterings, metric):
    X, y, km, _ = clusterings
    Xi, yi = load_iris(return_X_y=True)
    for data, labels in ((X, y), (X, km), (Xi, yi)):
        ours, ref = getattr(gm, metric)(data, labels), getattr(skm, metric)(data, labels)
        assert abs(ours - ref) <= 1e-10 * max(1.0, abs(ref))
    with pytest.raises(ValueError, match="Number of labels is 1"):
        getattr(gm, metric)(X[:5], [0] * 5)
