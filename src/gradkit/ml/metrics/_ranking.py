"""Ranking metrics: the ROC and precision-recall curves, the area under a curve, ROC AUC,
average precision."""

from __future__ import annotations

import warnings

import numpy as np

from ..base import check_consistent_length, check_option, column_or_1d
from ..exceptions import UndefinedMetricWarning


def _positive_mask(y_true: np.ndarray, pos_label, curve: str = "ROC") -> np.ndarray:
    classes = np.unique(y_true)
    if pos_label is None:
        if classes.dtype.kind in "OUS" or not (
            np.isin(classes, [0, 1]).all() or np.isin(classes, [-1, 1]).all()
        ):
            raise ValueError(
                f"y_true takes values in {classes.tolist()} and pos_label is not specified: "
                "either make y_true take values in {0, 1} or {-1, 1} or pass pos_label "
                "explicitly."
            )
        pos_label = 1
    if len(classes) > 2:
        raise ValueError(f"{curve} needs binary y_true, got labels {classes.tolist()}.")
    return y_true == pos_label


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None, curve: str = "ROC"):
    """Cumulative false and true positives at each distinct score, scores descending."""
    y_true, y_score = column_or_1d(y_true), column_or_1d(y_score).astype(np.float64)
    check_consistent_length(y_true, y_score)
    if not np.isfinite(y_score).all():
        raise ValueError("y_score contains NaN or infinity.")
    pos = _positive_mask(y_true, pos_label, curve).astype(np.float64)
    w = np.ones_like(y_score) if sample_weight is None else column_or_1d(sample_weight) * 1.0
    if sample_weight is not None:  # a sample of weight 0 makes no threshold (scikit-learn)
        check_consistent_length(y_true, w)
        kept = w != 0
        y_score, pos, w = y_score[kept], pos[kept], w[kept]
    order = np.argsort(y_score, kind="mergesort")[::-1]
    y_score, pos, w = y_score[order], pos[order], w[order]
    distinct = np.where(np.diff(y_score))[0]
    idx = np.r_[distinct, len(y_score) - 1]
    tps = np.cumsum(pos * w)[idx]
    fps = np.cumsum((1 - pos) * w)[idx] if sample_weight is not None else 1 + idx - tps
    return fps, tps, y_score[idx]


def roc_curve(
    y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate: bool = True
):
    """Receiver operating characteristic: FPR = FP/N and TPR = TP/P per threshold.

    Thresholds are the distinct scores in decreasing order, preceded by +inf (nothing
    predicted positive). With ``drop_intermediate`` collinear points are removed, as in
    scikit-learn.

    Returns
    -------
    fpr, tpr, thresholds : arrays of shape (n_thresholds,).
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and len(fps) > 2:
        keep = np.where(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds]
    return _rate(fps, "negative", "false"), _rate(tps, "positive", "true"), thresholds


def _rate(counts: np.ndarray, kind: str, which: str) -> np.ndarray:
    """counts / counts[-1]; NaN with a warning when y_true has no sample of that kind
    (scikit-learn's behaviour for a single-class y_true)."""
    if counts[-1] <= 0:
        warnings.warn(
            f"No {kind} samples in y_true, {which} positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return np.full(counts.shape, np.nan)
    return counts / counts[-1]


def precision_recall_curve(
    y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate: bool = False
):
    """Precision TP/(TP + FP) and recall TP/P for every threshold (scikit-learn's layout).

    Thresholds are the distinct scores in increasing order; entry i of precision and
    recall counts the samples with score >= thresholds[i], and a last point (recall 0,
    precision 1) closes the curve. Precision is 0 where nothing is predicted positive;
    with no positive sample, recall is 1 everywhere (with a warning). With
    ``drop_intermediate`` the points inside a run of equal TP count are dropped.

    Returns
    -------
    precision, recall : arrays of shape (n_thresholds + 1,), recall decreasing.
    thresholds : array of shape (n_thresholds,), increasing.

    Examples
    --------
    >>> p, r, t = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> p.round(3).tolist(), r.tolist(), t.tolist()
    ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0], [0.1, 0.35, 0.4, 0.8])
    """
    fps, tps, thresholds = _binary_clf_curve(
        y_true, y_score, pos_label, sample_weight, curve="The precision-recall curve"
    )
    if drop_intermediate and len(fps) > 2:
        keep = np.where(np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True])[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    if tps[-1] == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds.",
            UserWarning,
            stacklevel=2,
        )
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def average_precision_score(y_true, y_score, *, pos_label=1, sample_weight=None) -> float:
    """Average precision AP = sum_n (R_n − R_{n−1}) P_n over the thresholds (the step
    integral of the precision-recall curve, no interpolation), for binary ``y_true``.

    Examples
    --------
    >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    y_score = np.asarray(y_score)
    if y_score.ndim == 2 and y_score.shape[1] > 1:
        raise ValueError(
            f"average_precision_score here takes binary y_true and 1-D scores; got y_score "
            f"of shape {y_score.shape}. Score each class one-vs-rest instead."
        )
    precision, recall, _ = precision_recall_curve(
        y_true, y_score.ravel(), pos_label=pos_label, sample_weight=sample_weight
    )
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def auc(x, y) -> float:
    """Area under the curve y(x) by the trapezoidal rule; x must be monotonic."""
    x, y = column_or_1d(x).astype(float), column_or_1d(y).astype(float)
    check_consistent_length(x, y)
    if x.shape[0] < 2:
        raise ValueError(f"At least 2 points are needed to compute an AUC, got {x.shape[0]}.")
    dx = np.diff(x)
    direction = 1.0
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1.0
        else:
            raise ValueError(f"x is neither increasing nor decreasing: {x}.")
    return float(direction * np.trapezoid(y, x))


def roc_auc_score(
    y_true,
    y_score,
    *,
    average: str | None = "macro",
    sample_weight=None,
    multi_class: str = "raise",
    labels=None,
):
    """Area under the ROC curve = P(score of a random positive > a random negative).

    Binary: ``y_score`` (n,) scores the larger label (or label 1). Multiclass with
    ``multi_class='ovr'``: ``y_score`` (n, n_classes), one-vs-rest AUC per class,
    averaged 'macro' or 'weighted' by prevalence (None returns them all).
    """
    check_option("multi_class", multi_class, ("raise", "ovr"))
    check_option("average", average, ("macro", "weighted", None))
    y_true = column_or_1d(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    classes = np.unique(y_true) if labels is None else np.asarray(labels)
    if y_score.ndim == 1 or (y_score.ndim == 2 and y_score.shape[1] == 1 and len(classes) <= 2):
        if len(classes) != 2:
            raise ValueError(
                f"Only one class present in y_true ({classes.tolist()}); ROC AUC is undefined."
                if len(classes) < 2
                else f"y_true has {len(classes)} classes; pass (n, n_classes) scores and "
                "multi_class='ovr'."
            )
        fpr, tpr, _ = roc_curve(
            y_true == classes[1], y_score.ravel(), pos_label=True, sample_weight=sample_weight
        )
        return auc(fpr, tpr)
    if multi_class == "raise":
        raise ValueError("multi_class must be 'ovr' for multiclass scores (got 'raise').")
    if y_score.shape[1] != len(classes):
        raise ValueError(
            f"Number of classes in y_true ({len(classes)}) not equal to the number of "
            f"columns in y_score ({y_score.shape[1]})."
        )
    scores = np.empty(len(classes))
    for k, c in enumerate(classes):  # a loop, not a comprehension: the warning's stacklevel
        scores[k] = _ovr_auc(y_true == c, y_score[:, k], sample_weight)
    if average is None:
        return scores
    if average == "macro":
        return float(np.mean(scores))
    w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, float)
    weights = np.array([w[y_true == c].sum() for c in classes])
    seen = weights > 0  # a label absent from y_true weighs nothing (its AUC is NaN)
    return float(np.average(scores[seen], weights=weights[seen]))


def _ovr_auc(positive: np.ndarray, score: np.ndarray, sample_weight) -> float:
    """One-vs-rest AUC of one class; NaN with a warning when y_true lacks it (or holds
    nothing else), as scikit-learn does for a label listed in ``labels`` only."""
    if positive.all() or not positive.any():
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return float("nan")
    return auc(*roc_curve(positive, score, pos_label=True, sample_weight=sample_weight)[:2])
