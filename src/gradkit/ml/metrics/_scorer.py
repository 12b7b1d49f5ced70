"""Scorers: ``scorer(estimator, X, y) -> float``, greater is better (scikit-learn names)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._classification import accuracy_score, f1_score, log_loss, precision_score, recall_score
from ._cluster_supervised import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    completeness_score,
    fowlkes_mallows_score,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    rand_score,
    v_measure_score,
)
from ._ranking import roc_auc_score
from ._regression import mean_absolute_error, mean_squared_error, r2_score


class _Scorer:
    """``scorer(estimator, X, y) = sign · metric(y, estimator.predict(X), **kwargs)``;
    with ``proba``, ``sign · metric(y, estimator.predict_proba(X), labels=classes_)``
    (the estimator's classes, so a class absent from y still has its column)."""

    def __init__(self, metric, sign: float = 1.0, proba: bool = False, **kwargs):
        self._metric, self._sign, self._proba, self._kwargs = metric, sign, proba, kwargs

    def __call__(self, estimator, X, y) -> float:
        if self._proba:
            pred = estimator.predict_proba(X)
            return self._sign * self._metric(y, pred, labels=estimator.classes_)
        return self._sign * self._metric(y, estimator.predict(X), **self._kwargs)

    def __repr__(self) -> str:
        return f"make_scorer({self._metric.__name__}, sign={self._sign:g})"


def _roc_auc(estimator, X, y):
    if hasattr(estimator, "decision_function"):
        s = np.asarray(estimator.decision_function(X))
    else:
        s = np.asarray(estimator.predict_proba(X))
        s = s[:, 1] if s.ndim == 2 and s.shape[1] == 2 else s
    return roc_auc_score(y, s, multi_class="ovr" if s.ndim == 2 else "raise")


# name → (metric, sign, proba, keyword arguments); scorers are built on demand
_SPECS: dict[str, tuple] = {
    "accuracy": (accuracy_score,),
    "precision": (precision_score,),
    "recall": (recall_score,),
    "f1": (f1_score,),
    "f1_macro": (f1_score, 1.0, False, {"average": "macro"}),
    "f1_micro": (f1_score, 1.0, False, {"average": "micro"}),
    "f1_weighted": (f1_score, 1.0, False, {"average": "weighted"}),
    "neg_log_loss": (log_loss, -1.0, True),
    "neg_mean_squared_error": (mean_squared_error, -1.0),
    "neg_mean_absolute_error": (mean_absolute_error, -1.0),
    "r2": (r2_score,),
    "adjusted_rand_score": (adjusted_rand_score,),
    "rand_score": (rand_score,),
    "homogeneity_score": (homogeneity_score,),
    "completeness_score": (completeness_score,),
    "v_measure_score": (v_measure_score,),
    "mutual_info_score": (mutual_info_score,),
    "adjusted_mutual_info_score": (adjusted_mutual_info_score,),
    "normalized_mutual_info_score": (normalized_mutual_info_score,),
    "fowlkes_mallows_score": (fowlkes_mallows_score,),
}


def _make(name: str) -> Callable:
    if name == "roc_auc":
        return _roc_auc
    metric, *rest = _SPECS[name]
    kwargs = rest.pop() if len(rest) == 3 else {}
    return _Scorer(metric, *rest, **kwargs)


SCORERS: dict[str, Callable] = {name: _make(name) for name in [*_SPECS, "roc_auc"]}


def get_scorer(scoring: str | Callable | None) -> Callable:
    """A scorer from its name, a callable ``(estimator, X, y)``, or None (``estimator.score``)."""
    if scoring is None:
        return lambda estimator, X, y: estimator.score(X, y)
    if callable(scoring):
        return scoring
    if scoring not in SCORERS:
        raise ValueError(f"Unknown scoring={scoring!r}; valid choices are {sorted(SCORERS)}.")
    return _make(scoring)
