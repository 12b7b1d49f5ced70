"""EVAL-METRICS: precision_recall_curve and average_precision_score equal scikit-learn's."""

import numpy as np
import pytest

from gradkit.ml import metrics as gm

pytest.importorskip("sklearn")
import sklearn.metrics as skm  # noqa: E402


@pytest.mark.parametrize("seed", range(40))
def test_eval_metrics_precision_recall_curve_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    score = np.round(rng.normal(size=n), 1)  # ties in the scores
    w = rng.uniform(0.1, 3.0, n) if seed % 2 else None
    for drop in (False, True):
        ours = gm.precision_recall_curve(y, score, sample_weight=w, drop_intermediate=drop)
        ref = skm.precision_recall_curve(y, score, sample_weight=w, drop_intermediate=drop)
        for a, b in zip(ours, ref, strict=True):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert gm.average_precision_score(y, score, sample_weight=w) == pytest.approx(
        skm.average_precision_score(y, score, sample_weight=w), abs=1e-12
    )


def test_eval_metrics_precision_recall_curve_edges():
    # string labels with pos_label, as scikit-learn
    y = np.array(["spam", "ham", "spam", "ham"])
    s = np.array([0.9, 0.2, 0.4, 0.5])
    for a, b in zip(
        gm.precision_recall_curve(y, s, pos_label="spam"),
        skm.precision_recall_curve(y, s, pos_label="spam"),
        strict=True,
    ):
        np.testing.assert_allclose(a, b)
    # no positive sample: recall 1 with a warning (scikit-learn's behaviour)
    with pytest.warns(UserWarning, match="No positive class"):
        p, r, _ = gm.precision_recall_curve([0, 0, 0], [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(r, [1.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="precision-recall curve needs binary"):
        gm.precision_recall_curve([0, 1, 2], [0.1, 0.2, 0.3], pos_label=1)
    with pytest.raises(ValueError, match="pos_label"):
        gm.precision_recall_curve(["a", "b"], [0.1, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        gm.precision_recall_curve([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="shape"):
        gm.average_precision_score([0, 1, 2], np.eye(3))
