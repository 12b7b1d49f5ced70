"""Thresholded confusion-matrix metrics: ``Precision``, ``Recall``, ``AUC`` (and the
raw counts ``TruePositives`` ...), with Keras 3's rules.

A prediction is positive when ``y_pred > threshold`` (strictly); a label is positive
when non-zero. ``top_k`` keeps only each row's k largest scores; ``class_id`` looks at
one column. ``AUC`` accumulates the counts at ``num_thresholds`` thresholds
(−ε, 1/(n−1), ..., 1+ε) and integrates the ROC curve (TPR over FPR) or the PR curve
by trapezoids (``"interpolation"``; PR uses Davis & Goadrich's interpolation),
``"minoring"`` or ``"majoring"``.
"""

from __future__ import annotations

import numpy as np

from gradkit.keras.metrics.base import Metric, to_numpy
from gradkit.keras.src.backend import epsilon
from gradkit.tensor import Tensor

_EPS = 1e-7


def _div(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


def _confusion_counts(y_true, y_pred, thresholds, sample_weight, top_k=None, class_id=None,
                      multi_label=False):  # fmt: skip
    """(tp, fp, tn, fn) per threshold (per label with ``multi_label``)."""
    y_true = to_numpy(y_true).astype(np.float64)
    y_pred = to_numpy(y_pred).astype(np.float64)
    if y_true.shape != y_pred.shape:
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        if y_true.size != y_pred.size:
            raise ValueError(
                f"Confusion metrics need y_true and y_pred of the same shape, got "
                f"{y_true.shape} and {y_pred.shape}"
            )
        y_true = y_true.reshape(y_pred.shape)
    if top_k is not None:
        kth = -np.sort(-y_pred, axis=-1)[
            ..., min(top_k, y_pred.shape[-1]) - 1 : min(top_k, y_pred.shape[-1])
        ]
        y_pred = np.where(y_pred >= kth, y_pred, -np.inf)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    weights = np.ones_like(y_pred)
    if sample_weight is not None:
        sw = to_numpy(sample_weight).astype(np.float64)
        while sw.ndim < y_pred.ndim:
            sw = sw[..., None]
        weights = np.broadcast_to(sw, y_pred.shape)
    label = y_true != 0
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if multi_label:
        flat_pred = y_pred.reshape(-1, y_pred.shape[-1])
        flat_label = label.reshape(flat_pred.shape)
        flat_w = weights.reshape(flat_pred.shape)
        pred_pos = flat_pred[None] > thresholds[:, None, None]
        lab, w = flat_label[None], flat_w[None]
        axis = 1
    else:
        pred_pos = y_pred.reshape(-1)[None] > thresholds[:, None]
        lab, w = label.reshape(-1)[None], weights.reshape(-1)[None]
        axis = 1
    tp = np.sum(w * (pred_pos & lab), axis=axis)
    fp = np.sum(w * (pred_pos & ~lab), axis=axis)
    tn = np.sum(w * (~pred_pos & ~lab), axis=axis)
    fn = np.sum(w * (~pred_pos & lab), axis=axis)
    return tp, fp, tn, fn


def _thresholds(thresholds, default=0.5):
    if thresholds is None:
        return [default]
    if np.isscalar(thresholds):
        thresholds = [thresholds]
    thresholds = [float(t) for t in thresholds]
    for t in thresholds:
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds}")
    return thresholds


class _ConfusionMetric(Metric):
    _direction = "up"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else -np.inf)
        if top_k is not None and thresholds is None:
            self.thresholds = [-1e30]
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.false_positives = self.add_variable((n,), "zeros", name="false_positives")
        self.true_negatives = self.add_variable((n,), "zeros", name="true_negatives")
        self.false_negatives = self.add_variable((n,), "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        tp, fp, tn, fn = _confusion_counts(
            y_true, y_pred, self.thresholds, sample_weight, self.top_k, self.class_id
        )
        self.true_positives._data[...] += tp
        self.false_positives._data[...] += fp
        self.true_negatives._data[...] += tn
        self.false_negatives._data[...] += fn

    def _single(self, values) -> Tensor:
        values = np.asarray(values, dtype=self._dtype)
        return Tensor(values[0] if len(self.thresholds) == 1 else values)

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self._dtype,
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_ConfusionMetric):
    """TP / (TP + FP) at ``thresholds`` (default 0.5)."""

    def result(self) -> Tensor:
        tp, fp = self.true_positives._data, self.false_positives._data
        return self._single(_div(tp, tp + fp))


class Recall(_ConfusionMetric):
    """TP / (TP + FN) at ``thresholds`` (default 0.5)."""

    def result(self) -> Tensor:
        tp, fn = self.true_positives._data, self.false_negatives._data
        return self._single(_div(tp, tp + fn))


def _count_class(class_name: str, field: str, doc: str):
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ConfusionMetric.__init__(self, thresholds, None, None, name, dtype)

    def result(self) -> Tensor:
        return self._single(getattr(self, field)._data)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype, "thresholds": self.init_thresholds}

    return type(class_name, (_ConfusionMetric,), {
        "__init__": __init__, "result": result, "get_config": get_config, "__doc__": doc,
        "__module__": __name__,
    })  # fmt: skip


TruePositives = _count_class("TruePositives", "true_positives", "Weighted count of TP.")
FalsePositives = _count_class("FalsePositives", "false_positives", "Weighted count of FP.")
TrueNegatives = _count_class("TrueNegatives", "true_negatives", "Weighted count of TN.")
FalseNegatives = _count_class("FalseNegatives", "false_negatives", "Weighted count of FN.")


class AUC(Metric):
    """Area under the ROC (default) or PR curve, from counts at ``num_thresholds``
    thresholds."""

    _direction = "up"

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label: bool = False,
        num_labels=None,
        label_weights=None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        curve = curve.upper() if isinstance(curve, str) else curve
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected "ROC" or "PR"')
        summation_method = summation_method.lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f'Invalid `summation_method` argument value "{summation_method}". Expected '
                '"interpolation", "minoring" or "majoring"'
            )
        self.curve, self.summation_method = curve, summation_method
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights)
        self.from_logits = from_logits
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            interior = sorted(float(t) for t in thresholds)
            self._init_from_thresholds = True
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"Argument `num_thresholds` must be an integer > 1. Received: "
                    f"num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            interior = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._init_from_thresholds = False
        self._thresholds = np.array([0.0 - epsilon(), *interior, 1.0 + epsilon()])
        self._built = False
        if not multi_label or num_labels is not None:
            self._build(num_labels)

    def _build(self, num_labels) -> None:
        shape = (self.num_thresholds,) if not self.multi_label else (self.num_thresholds,
                                                                     num_labels)  # fmt: skip
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")
        self._built = True

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_numpy(y_pred).astype(np.float64)
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred))
        if not self._built:
            self._build(y_pred.shape[-1])
        counts = _confusion_counts(
            y_true, y_pred, self._thresholds, sample_weight, multi_label=self.multi_label
        )
        for variable, value in zip(
            (self.true_positives, self.false_positives, self.true_negatives,
             self.false_negatives), counts,
        ):  # fmt: skip
            variable._data[...] += value

    def _by_label(self, terms):
        if not self.multi_label:
            return float(np.sum(terms))
        by_label = np.sum(terms, axis=0)
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(_div(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def _interpolate_pr_auc(self):
        n = self.num_thresholds
        tp = self.true_positives._data.astype(np.float64)
        fp = self.false_positives._data.astype(np.float64)
        fn = self.false_negatives._data.astype(np.float64)
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        slope = _div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where(
            (p[: n - 1] > 0) & (p[1:] > 0), _div(p[: n - 1], np.maximum(p[1:], 0)), 1.0
        )
        increment = _div(
            slope * (dtp + intercept * np.log(np.maximum(ratio, 1e-300))),
            np.maximum(tp[1:] + fn[1:], 0),
        )
        return self._by_label(increment)

    def result(self) -> Tensor:
        if not self._built:
            return Tensor(np.asarray(0.0, dtype=self._dtype))
        if self.curve == "PR" and self.summation_method == "interpolation":
            return Tensor(np.asarray(self._interpolate_pr_auc(), dtype=self._dtype))
        n = self.num_thresholds
        tp = self.true_positives._data.astype(np.float64)
        fp = self.false_positives._data.astype(np.float64)
        tn = self.true_negatives._data.astype(np.float64)
        fn = self.false_negatives._data.astype(np.float64)
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        else:
            x, y = recall, _div(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        return Tensor(np.asarray(self._by_label((x[: n - 1] - x[1:]) * heights), self._dtype))

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        config = {
            "name": self.name,
            "dtype": self._dtype,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self.from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        else:
            config["num_thresholds"] = self.num_thresholds
        return config
