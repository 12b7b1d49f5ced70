"""Classification metrics: accuracy, confusion matrix, precision / recall / F, log loss.

All follow scikit-learn's signatures and conventions (labels sorted, ``pos_label`` for
the binary case, ``average`` in {'binary', 'micro', 'macro', 'weighted', None}).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..base import check_consistent_length, check_option, column_or_1d
from ..exceptions import UndefinedMetricWarning

_AVERAGES = ("binary", "micro", "macro", "weighted", None)


def _targets(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred)
    return y_true, y_pred


def _weights(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = column_or_1d(np.asarray(sample_weight, dtype=np.float64))
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} entries, expected {n}.")
    return w


def accuracy_score(y_true, y_pred, *, normalize: bool = True, sample_weight=None) -> float:
    """Fraction (or, with ``normalize=False``, weighted count) of exact matches.

    accuracy = Σ_i w_i [y_i = ŷ_i] / Σ_i w_i   (EVAL-METRICS)

    Examples
    --------
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    0.5
    """
    y_true, y_pred = _targets(y_true, y_pred)
    w = _weights(sample_weight, len(y_true))
    correct = (y_true == y_pred).astype(float)
    if normalize:
        return float(np.average(correct, weights=w))
    return float(np.dot(correct, w))


def confusion_matrix(
    y_true, y_pred, *, labels=None, sample_weight=None, normalize: str | None = None
) -> np.ndarray:
    """C[i, j] = (weighted) number of samples of true class i predicted as class j.

    Rows are true labels, columns predictions, both in the order of ``labels``
    (default: the sorted union of labels seen). ``normalize`` in {'true', 'pred',
    'all', None} divides by row sums, column sums or the total.

    Shape: (n_labels, n_labels).

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 1, 0]).tolist()
    [[1, 0], [1, 1]]
    """
    check_option("normalize", normalize, ("true", "pred", "all", None))
    y_true, y_pred = _targets(y_true, y_pred)
    labels = np.union1d(y_true, y_pred) if labels is None else np.asarray(labels)
    if labels.size == 0:
        raise ValueError("'labels' should contain at least one label.")
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    n = len(labels)

    def index(y):
        pos = np.clip(np.searchsorted(sorted_labels, y), 0, n - 1)
        found = sorted_labels[pos] == y
        return order[pos], found

    it, ft = index(y_true)
    ip, fp = index(y_pred)
    keep = ft & fp
    w = _weights(sample_weight, len(y_true))
    # integer counts unless the weights are floats (scikit-learn decides by their dtype)
    integral = sample_weight is None or np.asarray(sample_weight).dtype.kind in "iub"
    cm = np.bincount(it[keep] * n + ip[keep], weights=w[keep], minlength=n * n).reshape(n, n)
    if normalize is None:
        return cm.astype(np.int64) if integral else cm
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        else:
            cm = cm / cm.sum()
    return np.nan_to_num(cm)


def _divide(
    num: np.ndarray, den: np.ndarray, zero_division, metric: str, modifier: str, warn_for
) -> np.ndarray:
    """num / den, with ``zero_division`` (0.0, 1.0, np.nan, or "warn": 0.0 and an
    UndefinedMetricWarning naming ``metric`` when it is in ``warn_for``, scikit-learn's
    wording) where den is 0."""
    warn = isinstance(zero_division, str)
    if warn and zero_division != "warn":
        raise ValueError(
            f"zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}."
        )
    out = np.full(num.shape, 0.0 if warn else float(zero_division))
    np.divide(num, den, out=out, where=den != 0)
    if warn and metric in warn_for and np.any(den == 0):
        where = "due to" if num.shape[0] == 1 else "in labels with"
        warnings.warn(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
            "samples. Use `zero_division` parameter to control this behavior.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
    return out


def precision_recall_fscore_support(
    y_true,
    y_pred,
    *,
    beta: float = 1.0,
    labels=None,
    pos_label=1,
    average: str | None = None,
    warn_for=("precision", "recall", "f-score"),
    sample_weight=None,
    zero_division: float = 0.0,
):
    """Precision P = TP/(TP+FP), recall R = TP/(TP+FN), F_β = (1+β²)PR/(β²P+R), support.

    ``average``: 'binary' scores only ``pos_label``; 'micro' pools the counts of all
    labels; 'macro' is the unweighted mean of per-label scores; 'weighted' the mean
    weighted by support; None returns per-label arrays. A 0/0 ratio gives
    ``zero_division`` (scikit-learn's default behaviour without the warning); with
    ``zero_division="warn"`` the metrics named in ``warn_for`` warn where they are 0/0.
    F is computed from the counts, F_β = (1+β²)TP / (β²(TP+FN) + TP+FP).

    Returns
    -------
    precision, recall, fbeta, support : floats, or arrays of shape (n_labels,) when
        ``average`` is None (support is None when averaged).
    """
    check_option("average", average, _AVERAGES)
    if beta < 0:
        raise ValueError(f"beta should be >= 0 in the F-beta score, got {beta}.")
    y_true, y_pred = _targets(y_true, y_pred)
    present = np.union1d(y_true, y_pred)
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                f"Target is multiclass (labels {present.tolist()}) but average='binary'. "
                "Choose another average setting, one of ['micro', 'macro', 'weighted', None]."
            )
        if len(present) == 2 and pos_label not in present:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label: {present.tolist()}")
        labels = np.asarray([pos_label])
    elif labels is None:
        labels = present
    else:
        labels = np.asarray(labels)
    # per-label sums by bincount over the encoded labels, scikit-learn's summation order
    # (so weighted supports agree to the last bit)
    all_labels = np.union1d(labels, present)
    it, ip = np.searchsorted(all_labels, y_true), np.searchsorted(all_labels, y_pred)
    w = None if sample_weight is None else _weights(sample_weight, len(y_true))
    hit = it == ip
    k = len(all_labels)
    tp_all = np.bincount(it[hit], weights=None if w is None else w[hit], minlength=k)
    pred_all = np.bincount(ip, weights=w, minlength=k)
    true_all = np.bincount(it, weights=w, minlength=k)
    idx = np.searchsorted(all_labels, labels)
    tp = tp_all[idx].astype(float)
    pred_pos = pred_all[idx].astype(float)
    true_pos = true_all[idx].astype(float)
    if average == "micro":
        tp, pred_pos, true_pos = (np.array([a.sum()]) for a in (tp, pred_pos, true_pos))
    b2 = beta * beta
    precision = _divide(tp, pred_pos, zero_division, "precision", "predicted", warn_for)
    recall = _divide(tp, true_pos, zero_division, "recall", "true", warn_for)
    if np.isinf(beta):
        f = recall
    elif beta == 0:
        f = precision
    else:  # (1 + β²) TP / (β² (TP + FN) + (TP + FP)), scikit-learn's expression
        den = b2 * true_pos + pred_pos
        f = _divide((1 + b2) * tp, den, zero_division, "f-score", "true nor predicted", warn_for)
    if average is None:
        # the support counts samples (int64) or sums their weights (float64), as scikit-learn
        return precision, recall, f, true_pos.astype(np.int64) if w is None else true_pos
    weights = true_pos if average == "weighted" else None
    return (
        _nanaverage(precision, weights),
        _nanaverage(recall, weights),
        _nanaverage(f, weights),
        None,
    )


def _nanaverage(a: np.ndarray, weights) -> float:
    """Weighted mean of the non-NaN entries (a NaN comes from zero_division=np.nan);
    unweighted when their weights sum to 0, NaN when none is left — scikit-learn's rule."""
    keep = ~np.isnan(a)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:
        return float(np.mean(a[keep]))
    return float(np.average(a[keep], weights=weights[keep]))


def precision_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division: float = 0.0,
):
    """Precision TP / (TP + FP); see :func:`precision_recall_fscore_support`.

    Examples
    --------
    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        warn_for=("precision",),
        zero_division=zero_division,
    )[0]


def recall_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division: float = 0.0,
):
    """Recall TP / (TP + FN); see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        warn_for=("recall",),
        zero_division=zero_division,
    )[1]


def fbeta_score(
    y_true,
    y_pred,
    *,
    beta: float,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division: float = 0.0,
):
    """F_β = (1 + β²) P R / (β² P + R); see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        warn_for=("f-score",),
        zero_division=zero_division,
    )[2]


def f1_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division: float = 0.0,
):
    """F1 = 2 P R / (P + R), the harmonic mean of precision and recall.

    Examples
    --------
    >>> f1_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.8
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def log_loss(y_true, y_proba, *, normalize: bool = True, sample_weight=None, labels=None) -> float:
    """Cross-entropy −(1/N) Σ_i Σ_k [y_i = k] ln p_ik, probabilities clipped to [ε, 1−ε].

    ``y_proba`` is (n_samples, n_classes) with columns in the order of the sorted
    labels, or (n_samples,) holding the probability of the larger label in a binary
    problem. ε is the machine epsilon of float64.

    Examples
    --------
    >>> round(log_loss(["spam", "ham", "ham", "spam"],
    ...                [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]), 5)
    0.21616
    """
    y_true = column_or_1d(y_true)
    p = np.asarray(y_proba, dtype=np.float64)
    if p.ndim == 1:
        p = p[:, None]
    if p.ndim != 2:
        raise ValueError(f"y_proba must be 1-D or 2-D, got shape {p.shape}.")
    check_consistent_length(y_true, p)
    classes = np.unique(y_true) if labels is None else np.unique(labels)
    if len(classes) < 2:
        raise ValueError(
            f"y_true contains only one label ({classes.tolist()}); pass all the labels "
            "with the `labels` argument."
        )
    if p.shape[1] == 1:
        p = np.hstack([1 - p, p])
    if p.shape[1] != len(classes):
        raise ValueError(
            f"y_true and y_proba contain different numbers of classes: {len(classes)} vs "
            f"{p.shape[1]}. Classes found: {classes.tolist()}; pass `labels` explicitly."
        )
    idx = np.searchsorted(classes, y_true)
    if np.any(idx >= len(classes)) or np.any(classes[np.minimum(idx, len(classes) - 1)] != y_true):
        raise ValueError("y_true contains labels that are not in `labels`.")
    eps = np.finfo(np.float64).eps
    p = np.clip(p, eps, 1 - eps)
    loss = -np.log(p[np.arange(len(idx)), idx])
    w = _weights(sample_weight, len(loss))
    return float(np.average(loss, weights=w) if normalize else np.dot(loss, w))


def classification_report(
    y_true,
    y_pred,
    *,
    labels=None,
    target_names=None,
    sample_weight=None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division="warn",
):
    """Per-class precision, recall, F1 and support, with accuracy and the macro and
    support-weighted averages, laid out exactly as scikit-learn prints them.

    The averages row "accuracy" replaces "micro avg" for single-label problems when
    every label present is reported. ``output_dict`` returns
    ``{label: {"precision", "recall", "f1-score", "support"}, ..., "accuracy": float,
    "macro avg": {...}, "weighted avg": {...}}`` with Python floats.

    Examples
    --------
    >>> print(classification_report([0, 1, 2, 2], [0, 1, 1, 2]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       1.00      1.00      1.00         1
               1       0.50      1.00      0.67         1
               2       1.00      0.50      0.67         2
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.83      0.83      0.78         4
    weighted avg       0.88      0.75      0.75         4
    <BLANKLINE>
    """
    y_true, y_pred = _targets(y_true, y_pred)
    present = np.union1d(y_true, y_pred)
    labels_given = labels is not None
    labels = present if labels is None else np.asarray(labels)
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(present.tolist())
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(
                f"labels size, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}",
                UserWarning,
                stacklevel=2,
            )
        else:
            raise ValueError(
                f"Number of classes, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}. Try specifying the labels parameter"
            )
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    headers = ["precision", "recall", "f1-score", "support"]
    p, r, f1, support = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        average=None,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    rows = list(zip(target_names, p, r, f1, support))
    averages = []
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            y_true,
            y_pred,
            labels=labels,
            average=average,
            sample_weight=sample_weight,
            zero_division=zero_division,
        )
        averages.append((heading, [avg_p, avg_r, avg_f1, np.sum(support)]))
    if output_dict:
        report: dict = {
            str(name): dict(zip(headers, [float(v) for v in values], strict=True))
            for name, *values in rows
        }
        for heading, values in averages:
            report[heading] = dict(zip(headers, [float(v) for v in values], strict=True))
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    width = max(max(len(str(name)) for name in target_names), len("weighted avg"), digits)
    text = ("{:>{width}s} " + " {:>9}" * len(headers)).format("", *headers, width=width)
    text += "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in rows:
        text += row_fmt.format(*row, width=width, digits=digits)
    text += "\n"
    for heading, values in averages:
        if heading == "accuracy":
            acc_fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += acc_fmt.format(heading, "", "", *values[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *values, width=width, digits=digits)
    return text
