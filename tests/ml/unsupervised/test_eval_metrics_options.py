"""EVAL-METRICS: every keyword option of the metrics against scikit-learn (issue 24).

The random-input tests in test_eval_metrics.py exercise the defaults; here each option
(labels subsets and orders, normalize axes, beta, pos_label, zero_division,
drop_intermediate, multioutput, weighted averages) is set to a value where ignoring or
mis-spelling it changes the answer.
"""

import warnings

import numpy as np
import pytest

from gradkit.ml import metrics as gm

pytest.importorskip("sklearn")
import sklearn.metrics as skm  # noqa: E402
from sklearn.exceptions import UndefinedMetricWarning as SkUndefinedMetricWarning  # noqa: E402

RNG = np.random.default_rng(7)
Y3 = RNG.integers(0, 3, 50)
P3 = np.where(RNG.random(50) < 0.6, Y3, RNG.integers(0, 3, 50))
W = RNG.uniform(0.2, 3.0, 50)
YB = (RNG.random(40) < 0.4).astype(int)
SB = np.round(YB * 0.3 + RNG.random(40), 1)  # rounded: ties in the scores
WB = RNG.uniform(0.2, 3.0, 40)


def at_caller(warning) -> bool:
    """The warning points at the calling test, not into gradkit (under the mutation
    harness, mutmut's trampoline stands between the two and is reported instead)."""
    return warning.filename == __file__ or warning.filename.endswith("trampoline.py")


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore:A single label was found")
@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
@pytest.mark.parametrize("labels", [None, [2, 0], [1], [2, 1, 0], [0, 1, 2, 3]])
@pytest.mark.parametrize("weighted", [False, True])
def test_eval_metrics_confusion_matrix_labels_and_normalize(normalize, labels, weighted):
    w = W if weighted else None
    kw = dict(labels=labels, sample_weight=w, normalize=normalize)
    with np.errstate(all="ignore"):
        ref = skm.confusion_matrix(Y3, P3, **kw)
    close(gm.confusion_matrix(Y3, P3, **kw), ref)


def test_eval_metrics_confusion_matrix_normalize_axes_closed_form():
    # rows are true labels: "true" makes rows sum to 1, "pred" columns
    cm = gm.confusion_matrix([0, 0, 0, 1], [0, 1, 1, 1], normalize="true")
    close(cm, [[1 / 3, 2 / 3], [0, 1]])
    cm = gm.confusion_matrix([0, 0, 0, 1], [0, 1, 1, 1], normalize="pred")
    close(cm, [[1, 2 / 3], [0, 1 / 3]])


@pytest.mark.parametrize("weighted", [False, True])
def test_eval_metrics_accuracy_normalize_false(weighted):
    w = W if weighted else None
    close(
        gm.accuracy_score(Y3, P3, normalize=False, sample_weight=w),
        skm.accuracy_score(Y3, P3, normalize=False, sample_weight=w),
    )


@pytest.mark.parametrize("beta", [0.5, 2.0, 3.0])
@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"])
@pytest.mark.parametrize("labels", [None, [2, 0]])
def test_eval_metrics_fbeta_beta_squared(beta, average, labels):
    kw = dict(beta=beta, average=average, labels=labels, sample_weight=W)
    close(gm.fbeta_score(Y3, P3, **kw), skm.fbeta_score(Y3, P3, **kw))
    got = gm.precision_recall_fscore_support(Y3, P3, **kw)
    ref = skm.precision_recall_fscore_support(Y3, P3, **kw)
    for a, b in zip(got, ref, strict=True):
        if b is None:
            assert a is None
        else:
            close(a, b)


def test_eval_metrics_fbeta_closed_form():
    # tp=1, fp=1, fn=2: P=1/2, R=1/3, F_beta = (1+b²)PR / (b²P + R)
    y, p = [1, 1, 1, 0], [1, 0, 0, 1]
    for b in (0.5, 2.0):
        P, R = 0.5, 1 / 3
        close(gm.fbeta_score(y, p, beta=b), (1 + b * b) * P * R / (b * b * P + R))


@pytest.mark.parametrize("fn", ["precision_score", "recall_score", "f1_score"])
def test_eval_metrics_pos_label_and_binary(fn):
    yt = np.where(YB == 1, "spam", "ham")
    yp = np.where(SB > 0.6, "spam", "ham")
    for pos in ("spam", "ham"):
        close(
            getattr(gm, fn)(yt, yp, pos_label=pos, sample_weight=WB),
            getattr(skm, fn)(yt, yp, pos_label=pos, sample_weight=WB),
        )


@pytest.mark.parametrize("zd", [0.0, 1.0])
@pytest.mark.parametrize("fn", ["precision_score", "recall_score", "f1_score"])
def test_eval_metrics_zero_division(fn, zd):
    # label 3 is never predicted nor true; label 2 never predicted
    y, p = [0, 1, 2, 0, 1], [0, 1, 1, 0, 0]
    for avg in (None, "macro"):
        kw = dict(average=avg, labels=[0, 1, 2, 3], zero_division=zd)
        with np.errstate(all="ignore"):
            close(getattr(gm, fn)(y, p, **kw), getattr(skm, fn)(y, p, **kw))


def test_eval_metrics_log_loss_options():
    proba = RNG.dirichlet(np.ones(3), size=50)
    for kw in (
        dict(normalize=False),
        dict(sample_weight=W),
        dict(normalize=False, sample_weight=W),
        dict(labels=[0, 1, 2, 3]),
    ):
        pr = np.c_[proba, np.zeros(50)] if "labels" in kw else proba
        if "labels" in kw:
            pr = pr / pr.sum(1, keepdims=True)
        close(gm.log_loss(Y3, pr, **kw), skm.log_loss(Y3, pr, **kw))


def test_eval_metrics_auc_decreasing_x_is_positive():
    x, y = [3.0, 2.0, 1.0, 0.0], [0.0, 1.0, 3.0, 4.0]
    close(gm.auc(x, y), skm.auc(x, y))
    close(gm.auc(x, y), 6.0)  # trapezoids: 0.5 + 2 + 3.5
    with pytest.raises(ValueError, match="increasing"):
        gm.auc([0.0, 2.0, 1.0], [0.0, 1.0, 2.0])


@pytest.mark.parametrize("drop", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_eval_metrics_curves_options(drop, weighted):
    w = WB if weighted else None
    for a, b in zip(
        gm.roc_curve(YB, SB, sample_weight=w, drop_intermediate=drop),
        skm.roc_curve(YB, SB, sample_weight=w, drop_intermediate=drop),
        strict=True,
    ):
        close(a, b)
    for a, b in zip(
        gm.precision_recall_curve(YB, SB, sample_weight=w, drop_intermediate=drop),
        skm.precision_recall_curve(YB, SB, sample_weight=w, drop_intermediate=drop),
        strict=True,
    ):
        close(a, b)
    for pos in (0, 1):
        close(
            gm.average_precision_score(YB, SB, pos_label=pos, sample_weight=w),
            skm.average_precision_score(YB, SB, pos_label=pos, sample_weight=w),
        )
    # roc_curve's pos_label picks the class the scores rank
    for a, b in zip(
        gm.roc_curve(YB + 1, SB, pos_label=1, sample_weight=w),
        skm.roc_curve(YB + 1, SB, pos_label=1, sample_weight=w),
        strict=True,
    ):
        close(a, b)


@pytest.mark.parametrize("average", ["macro", "weighted", None])
def test_eval_metrics_ovr_auc_average_and_weights(average):
    proba = RNG.dirichlet(np.ones(3), size=50)
    for w in (None, W):
        close(
            gm.roc_auc_score(Y3, proba, multi_class="ovr", average=average, sample_weight=w),
            skm.roc_auc_score(Y3, proba, multi_class="ovr", average=average, sample_weight=w),
        )
    close(gm.roc_auc_score(YB, SB, sample_weight=WB), skm.roc_auc_score(YB, SB, sample_weight=WB))


@pytest.mark.parametrize("multioutput", ["raw_values", "uniform_average", "variance_weighted"])
@pytest.mark.parametrize("weighted", [False, True])
def test_eval_metrics_regression_multioutput(multioutput, weighted):
    y = RNG.normal(size=(30, 3)) * [1.0, 5.0, 0.2]
    p = y + RNG.normal(size=(30, 3))
    w = W[:30] if weighted else None
    pairs = [(gm.r2_score, skm.r2_score)]
    if multioutput != "variance_weighted":
        pairs += [
            (gm.mean_squared_error, skm.mean_squared_error),
            (gm.mean_absolute_error, skm.mean_absolute_error),
        ]
    for ours, ref in pairs:
        close(
            ours(y, p, sample_weight=w, multioutput=multioutput),
            ref(y, p, sample_weight=w, multioutput=multioutput),
        )


def test_eval_metrics_ovr_auc_label_absent_from_y_true_is_nan_like_sklearn():
    # a label listed in `labels` but absent from y_true: its AUC is NaN with a warning;
    # the macro mean is NaN, the prevalence-weighted mean skips it
    proba = np.random.default_rng(0).dirichlet(np.ones(4), 6)
    y = np.array([0, 1, 2, 0, 1, 2])
    for average in ("macro", "weighted", None):
        kw = dict(multi_class="ovr", labels=[0, 1, 2, 3], average=average)
        with pytest.warns(
            gm.UndefinedMetricWarning, match="^Only one class is present in y_true"
        ) as rec:
            got = gm.roc_auc_score(y, proba, **kw)
        assert at_caller(rec[0])
        with pytest.warns(SkUndefinedMetricWarning):
            ref = skm.roc_auc_score(y, proba, **kw)
        np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_eval_metrics_ranking_shapes_and_bad_options():
    close(gm.roc_auc_score(YB, SB[:, None]), skm.roc_auc_score(YB, SB[:, None]))
    close(gm.average_precision_score(YB, SB[:, None]), skm.average_precision_score(YB, SB))
    # two columns of binary scores, one-vs-rest: each class's AUC is the binary AUC
    close(gm.roc_auc_score(YB, np.c_[1 - SB, SB], multi_class="ovr"), skm.roc_auc_score(YB, SB))
    with pytest.raises(ValueError, match="1-D scores"):
        gm.average_precision_score(YB, np.c_[1 - SB, SB])
    proba = RNG.dirichlet(np.ones(3), size=50)
    with pytest.raises(ValueError, match="multi_class"):
        gm.roc_auc_score(Y3, proba)  # multiclass scores need multi_class='ovr'
    with pytest.raises(ValueError, match=r"\bmulti_class='ovo'"):
        gm.roc_auc_score(Y3, proba, multi_class="ovo")
    with pytest.raises(ValueError, match=r"\baverage='micro'"):
        gm.roc_auc_score(Y3, proba, multi_class="ovr", average="micro")
    with pytest.raises(ValueError, match="inconsistent"):
        gm.auc([0.0, 1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="inconsistent"):
        gm.auc([0.0, 1.0], [0.0, 1.0, 2.0])


def test_eval_metrics_pr_curve_boundaries_match_sklearn():
    # three thresholds, the middle one inside a run of equal TP counts: dropped
    y, s = [1, 0, 0], [0.9, 0.5, 0.1]
    for a, b in zip(
        gm.precision_recall_curve(y, s, drop_intermediate=True),
        skm.precision_recall_curve(y, s, drop_intermediate=True),
        strict=True,
    ):
        close(a, b)
    # the top-scored sample weighs nothing: nothing is predicted at the first threshold
    y, s, w = [1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], [0.0, 1.0, 1.0, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the 0/0 precision is set to 0 silently
        got = gm.precision_recall_curve(y, s, sample_weight=w)
    for a, b in zip(got, skm.precision_recall_curve(y, s, sample_weight=w), strict=True):
        close(a, b)
    # a sample of weight 0 makes no threshold of either curve
    w = np.where(np.arange(40) % 7 == 0, 0.0, WB)
    for fn in ("roc_curve", "precision_recall_curve"):
        for a, b in zip(
            getattr(gm, fn)(YB, SB, sample_weight=w),
            getattr(skm, fn)(YB, SB, sample_weight=w),
            strict=True,
        ):
            close(a, b)


def test_eval_metrics_pr_curve_no_positive_warns_at_the_caller():
    with pytest.warns(UserWarning, match="^No positive class found in y_true") as rec:
        _, recall, _ = gm.precision_recall_curve([0, 0, 0], [0.1, 0.5, 0.3])
    assert rec[0].category is UserWarning and at_caller(rec[0])
    close(recall, [1.0, 1.0, 1.0, 0.0])


def test_eval_metrics_roc_curve_defaults_and_boundaries_match_sklearn():
    cases = [
        ((YB, SB), {}),  # default drop_intermediate=True
        (([1, 1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1, 0.1]), {}),  # 3 thresholds, middle collinear
        (([1, 0], [0.9, 0.1]), {}),
        ((np.where(YB == 1, 1, -1), SB), {}),  # labels {-1, 1} need no pos_label
    ]
    for args, kw in cases:
        for a, b in zip(gm.roc_curve(*args, **kw), skm.roc_curve(*args, **kw), strict=True):
            close(a, b)
    for y in ([1, 2, 1, 2], np.array([0, 1, 0, 1], dtype=object)):
        with pytest.raises(ValueError):  # not {0, 1} / {-1, 1} numbers: pos_label needed
            gm.roc_curve(y, [0.1, 0.5, 0.3, 0.2])
    with pytest.raises(ValueError, match="inconsistent"):
        gm.roc_curve([0, 1, 1], [0.1, 0.5])
    with pytest.raises(ValueError, match="inconsistent"):
        gm.precision_recall_curve([0, 1], [0.1, 0.5, 0.3])
    for w in ([1.0, 1.0], [1.0, 1.0, 1.0, 1.0]):
        with pytest.raises(ValueError, match="inconsistent"):
            gm.roc_curve([0, 1, 1], [0.1, 0.5, 0.3], sample_weight=w)


@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1, 1]])
def test_eval_metrics_roc_curve_single_class_is_nan_like_sklearn(y):
    s = [0.1, 0.5, 0.3]
    with pytest.warns(gm.UndefinedMetricWarning) as rec:
        got = gm.roc_curve(y, s)
    assert at_caller(rec[0])
    with pytest.warns(SkUndefinedMetricWarning) as ref_rec:
        ref = skm.roc_curve(y, s)
    assert [str(r.message) for r in rec] == [str(r.message) for r in ref_rec]
    for a, b in zip(got, ref, strict=True):
        assert a.dtype == b.dtype == np.float64
        close(a, b)


def test_eval_metrics_auc_boundaries_match_sklearn():
    for x, y in (([0.0, 1.0], [0.0, 1.0]), ([3.0, 2.0, 2.0, 0.0], [0.0, 1.0, 2.0, 4.0])):
        close(gm.auc(x, y), skm.auc(x, y))
    with pytest.raises(ValueError, match="At least 2 points"):
        gm.auc([1.0], [1.0])
    with pytest.raises(ValueError, match="increasing"):
        gm.auc([0.0, 0.5, 0.2], [0.0, 1.0, 2.0])


REPORT_CASES = [
    {},
    {"labels": [0, 1]},  # a subset: "micro avg" instead of "accuracy"
    {"labels": [0, 1, 2]},  # every label present, given: "accuracy"
    {"labels": [2, 0, 1, 3]},  # a superset, unsorted
    {"target_names": ["zero", "one", "two"], "digits": 4},
    {"sample_weight": W},
    {"zero_division": 1.0, "labels": [0, 1, 2, 3]},
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@pytest.mark.parametrize("kw", REPORT_CASES, ids=lambda kw: ",".join(kw) or "default")
def test_eval_metrics_classification_report_matches_sklearn(kw):
    assert gm.classification_report(Y3, P3, **kw) == skm.classification_report(Y3, P3, **kw)
    ours = gm.classification_report(Y3, P3, output_dict=True, **kw)
    ref = skm.classification_report(Y3, P3, output_dict=True, **kw)
    assert list(ours) == list(ref)
    for key, value in ref.items():
        if isinstance(value, dict):
            assert list(ours[key]) == list(value)
            close(list(ours[key].values()), list(value.values()))
        else:
            close(ours[key], value)


def test_eval_metrics_classification_report_target_names_mismatch():
    with pytest.warns(
        UserWarning, match="labels size, 2, does not match size of target_names, 3"
    ) as rec:
        gm.classification_report(Y3, P3, labels=[0, 1], target_names=["a", "b", "c"])
    assert rec[0].category is UserWarning and at_caller(rec[0])
    with pytest.raises(ValueError, match="target_names"):
        gm.classification_report(Y3, P3, target_names=["a", "b"])


@pytest.mark.parametrize(
    "w", [None, [1.0, 2.0, 1.0, 1.0], [1, 2, 1, 1], [0.5, 1, 1, 1], [True, True, False, True]]
)
def test_eval_metrics_confusion_matrix_dtype_follows_weights_like_sklearn(w):
    y, p = [0, 1, 1, 2], [0, 1, 2, 2]
    ours = gm.precision_recall_fscore_support(y, p, sample_weight=w)[3]
    ref = skm.precision_recall_fscore_support(y, p, sample_weight=w)[3]
    assert ours.dtype == ref.dtype  # support: int64 counts, or float64 weight sums
    close(ours, ref)
    kw = dict(sample_weight=w, target_names=["a class name longer than twelve", "b", "c"])
    assert gm.classification_report(y, p, **kw) == skm.classification_report(y, p, **kw)
    ours, ref = (
        gm.confusion_matrix(y, p, sample_weight=w),
        skm.confusion_matrix(y, p, sample_weight=w),
    )
    assert ours.dtype == ref.dtype
    close(ours, ref)


def test_eval_metrics_log_loss_float32_input_and_lengths():
    # float32 probabilities are scored in float64 (closed form: mean of -ln p[i, y_i])
    y = np.array([0, 1, 1, 0])
    p = np.array([[0.7, 0.3], [0.2, 0.8], [0.1, 0.9], [0.6, 0.4]], dtype=np.float32)
    want = -np.mean(np.log(p.astype(np.float64)[np.arange(4), y]))
    assert gm.log_loss(y, p) == pytest.approx(want, rel=1e-13)
    with pytest.raises(ValueError, match="inconsistent"):
        gm.log_loss(y[:3], p)
    with pytest.raises(ValueError, match="inconsistent"):
        gm.log_loss(np.r_[y, 1], p)


def _warning_texts(fn, *args, **kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        value = fn(*args, **kw)
    return value, sorted({str(r.message) for r in rec if issubclass(r.category, Warning)})


@pytest.mark.parametrize("fn", ["precision_score", "recall_score", "f1_score", "fbeta_score"])
@pytest.mark.parametrize(
    ("y", "p", "kw"),
    [
        ([0, 1, 2, 0, 1], [0, 1, 1, 0, 0], {"average": "macro", "labels": [0, 1, 2, 3]}),
        ([0, 1, 2, 0, 1], [0, 1, 1, 0, 0], {"average": None, "labels": [0, 1, 2, 3]}),
        ([0, 0, 0, 0], [0, 0, 0, 0], {"average": "binary"}),  # nothing positive at all
        ([0, 1, 0, 0], [0, 0, 0, 0], {"average": "binary"}),
        ([0, 1, 2, 0], [0, 1, 2, 0], {"average": "micro"}),  # well defined: no warning
    ],
)
def test_eval_metrics_zero_division_warnings_match_sklearn(fn, y, p, kw):
    extra = {"beta": 2.0} if fn == "fbeta_score" else {}
    for zd in ("warn", 0.0, 1.0):
        got, got_w = _warning_texts(getattr(gm, fn), y, p, zero_division=zd, **kw, **extra)
        ref, ref_w = _warning_texts(getattr(skm, fn), y, p, zero_division=zd, **kw, **extra)
        close(got, ref)
        assert got_w == ref_w
    # gradkit's default is zero_division=0.0: scikit-learn's values, without a warning
    got, got_w = _warning_texts(getattr(gm, fn), y, p, **kw, **extra)
    close(got, getattr(skm, fn)(y, p, zero_division=0.0, **kw, **extra))
    assert got_w == []


def test_eval_metrics_prfs_warn_for_matches_sklearn():
    y, p = [0, 1, 2, 0, 1], [0, 1, 1, 0, 0]
    for warn_for in (("precision",), ("recall", "f-score"), ()):
        kw = dict(labels=[0, 1, 2, 3], zero_division="warn", warn_for=warn_for)
        _, got_w = _warning_texts(gm.precision_recall_fscore_support, y, p, **kw)
        _, ref_w = _warning_texts(skm.precision_recall_fscore_support, y, p, **kw)
        assert got_w == ref_w


def test_eval_metrics_confusion_matrix_bad_normalize_and_no_runtime_warning():
    with pytest.raises(ValueError, match=r"\bnormalize='rows'"):
        gm.confusion_matrix(Y3, P3, normalize="rows")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an all-zero row or column divides 0 by 0 silently
        cm = gm.confusion_matrix(Y3, P3, labels=[0, 1, 2, 3], normalize="true")
    close(cm, skm.confusion_matrix(Y3, P3, labels=[0, 1, 2, 3], normalize="true"))


def test_eval_metrics_prfs_binary_default_pos_label():
    # labels {0, 2}: pos_label=2 must be given; the default pos_label=1 scores {0, 1} data
    y, p = np.array([0, 2, 2, 0, 2]), np.array([0, 2, 0, 2, 2])
    got = gm.precision_recall_fscore_support(y, p, average="binary", pos_label=2)
    close(got[:3], skm.precision_recall_fscore_support(y, p, average="binary", pos_label=2)[:3])
    pb = (SB > 0.6).astype(int)
    got = gm.precision_recall_fscore_support(YB, pb, average="binary")
    close(got[:3], skm.precision_recall_fscore_support(YB, pb, average="binary")[:3])


def test_eval_metrics_prfs_beta_limits_and_bad_input():
    for beta in (0.0, np.inf):
        close(
            gm.fbeta_score(Y3, P3, beta=beta, average="macro"),
            skm.fbeta_score(Y3, P3, beta=beta, average="macro"),
        )
    with pytest.raises(ValueError, match="beta"):
        gm.fbeta_score(Y3, P3, beta=-1.0, average="macro")
    with pytest.raises(ValueError, match=r"\baverage='samples-wise'"):
        gm.precision_score(Y3, P3, average="samples-wise")
    with pytest.raises(ValueError, match="pos_label"):
        gm.f1_score([0, 2, 2, 0], [0, 2, 0, 0])  # binary labels {0, 2}, pos_label=1


@pytest.mark.parametrize(
    "fn", ["accuracy_score", "confusion_matrix", "precision_score", "classification_report"]
)
def test_eval_metrics_inconsistent_lengths_raise(fn):
    for y, p in (([0, 1, 1], [0, 1]), ([0, 1], [0, 1, 1])):
        with pytest.raises(ValueError, match="inconsistent"):
            getattr(gm, fn)(y, p)


def test_eval_metrics_log_loss_clipping_and_unknown_labels():
    y = np.array([0, 1, 2, 1])
    perfect = np.eye(3)[y]
    assert gm.log_loss(y, perfect) == skm.log_loss(y, perfect)  # clipped at 1 − eps
    wrong = np.eye(3)[(y + 1) % 3]
    assert gm.log_loss(y, wrong) == pytest.approx(skm.log_loss(y, wrong), rel=1e-12)  # at eps
    proba = RNG.dirichlet(np.ones(3), size=4)
    for bad in ([0, 1, 5, 1], [0, 1, 3, 1]):  # beyond the labels, between them
        with pytest.raises(ValueError, match="labels"):
            gm.log_loss(bad, proba, labels=[0, 1, 4] if bad[2] == 3 else [0, 1, 2])


def test_eval_metrics_classification_report_wide_digits():
    kw = dict(digits=15)
    assert gm.classification_report(Y3, P3, **kw) == skm.classification_report(Y3, P3, **kw)


@pytest.mark.parametrize("zd", ["warn", 0.0, 1.0, np.nan])
@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
@pytest.mark.parametrize("labels", [[2, 3], [0, 1, 2, 3], None])
def test_eval_metrics_averages_skip_nan_and_zero_weight_like_sklearn(zd, average, labels):
    # zero_division=np.nan labels are left out of the average; a weighted average whose
    # labels have no true sample falls back to the plain mean (scikit-learn's _nanaverage)
    y, p = [0, 0, 1, 1, 0], [0, 2, 1, 2, 1]
    for fn in ("precision_score", "recall_score", "f1_score"):
        kw = dict(labels=labels, average=average, zero_division=zd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got, ref = getattr(gm, fn)(y, p, **kw), getattr(skm, fn)(y, p, **kw)
        np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_eval_metrics_regression_defaults_weights_and_bad_input():
    y = RNG.normal(size=(30, 3)) * [1.0, 5.0, 0.2]
    p = y + RNG.normal(size=(30, 3))
    for ours, ref in (
        (gm.mean_squared_error, skm.mean_squared_error),
        (gm.mean_absolute_error, skm.mean_absolute_error),
        (gm.r2_score, skm.r2_score),
    ):
        close(ours(y, p), ref(y, p))  # default multioutput="uniform_average"
        close(ours(y, p, multioutput=[0.2, 0.3, 0.5]), ref(y, p, multioutput=[0.2, 0.3, 0.5]))
        with pytest.raises(ValueError, match=r"\bmultioutput='mean'"):
            ours(y, p, multioutput="mean")
        with pytest.raises(ValueError, match="inconsistent"):
            ours(y[:-1], p)
        with pytest.raises(ValueError, match="inconsistent"):
            ours(y, p, sample_weight=np.ones(29))
        for name, args in (("y_true", (y * np.nan, p)), ("y_pred", (y, p * np.inf))):
            with pytest.raises(ValueError, match=f"^Input {name} contains NaN or infinity"):
                ours(*args)


@pytest.mark.parametrize("multioutput", ["raw_values", "uniform_average", "variance_weighted"])
def test_eval_metrics_r2_constant_targets_match_sklearn(multioutput):
    y = np.c_[np.full(6, 2.0), np.full(6, -1.0)]
    for p in (y, y + 0.5, np.c_[y[:, 0], y[:, 1] + 1.0]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # scikit-learn's force_finite: no 0-division warning
            got = gm.r2_score(y, p, multioutput=multioutput)
        close(got, skm.r2_score(y, p, multioutput=multioutput))
