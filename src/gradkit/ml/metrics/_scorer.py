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


def _predict_scorer(metric, sign=1.0, **kwargs):
    def scorer(estimator, X, y):
        return sign * metric(y, estimator.predict(X), **kwargs)

    return scorer


def _proba_scorer(metric, sign=1.0):
    def scorer(estimator, X, y):
        return sign * metric(y, estimator.predict_proba(X), labels=estimator.classes_)

    return scorer


def _roc_auc(estimator, X, y):
    if hasattr(estimator, "decision_function"):
        s = np.asarray(estimator.decision_function(X))
    else:
        s = np.asarray(estimator.predict_proba(X))
        s = s[:, 1] if s.ndim == 2 and s.shape[1] == 2 else s
    return roc_auc_score(y, s, multi_class="ovr" if s.ndim == 2 else "raise")


SCORERS: dict[str, Callable] = {
    "accuracy": _predict_scorer(accuracy_score),
    "precision": _predict_scorer(precision_score),
    "recall": _predict_scorer(recall_score),
    "f1": _predict_scorer(f1_score),
    "f1_macro": _predict_scorer(f1_score, average="macro"),
    "f1_micro": _predict_scorer(f1_score, average="micro"),
    "f1_weighted": _predict_scorer(f1_score, average="weighted"),
    "roc_auc": _roc_auc,
    "neg_log_loss": _proba_scorer(log_loss, -1.0),
    "neg_mean_squared_error": _predict_scorer(mean_squared_error, -1.0),
    "neg_mean_absolute_error": _predict_scorer(mean_absolute_error, -1.0),
    "r2": _predict_scorer(r2_score),
    "adjusted_rand_score": _predict_scorer(adjusted_rand_score),
    "rand_score": _predict_scorer(rand_score),
    "homogeneity_score": _predict_scorer(homogeneity_score),
    "completeness_score": _predict_scorer(completeness_score),
    "v_measure_score": _predict_scorer(v_measure_score),
    "mutual_info_score": _predict_scorer(mutual_info_score),
    "adjusted_mutual_info_score": _predict_scorer(adjusted_mutual_info_score),
    "normalized_mutual_info_score": _predict_scorer(normalized_mutual_info_score),
    "fowlkes_mallows_score": _predict_scorer(fowlkes_mallows_score),
}


def get_scorer(scoring: str | Callable | None) -> Callable:
    """A scorer from its name, a callable ``(estimator, X, y)``, or None (``estimator.score``)."""
    if scoring is None:
        return lambda estimator, X, y: estimator.score(X, y)
    if callable(scoring):
        return scoring
    if scoring not in SCORERS:
        raise ValueError(f"Unknown scoring={scoring!r}; valid choices are {sorted(SCORERS)}.")
    return SCORERS[scoring]
