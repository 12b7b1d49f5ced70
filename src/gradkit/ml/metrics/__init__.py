"""Evaluation metrics (EVAL-METRICS) with scikit-learn's names and conventions."""

from ._classification import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    fbeta_score,
    log_loss,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from ._cluster import adjusted_rand_score, silhouette_samples, silhouette_score
from ._ranking import auc, roc_auc_score, roc_curve
from ._regression import mean_absolute_error, mean_squared_error, r2_score
from ._scorer import SCORERS, get_scorer

__all__ = [
    "SCORERS",
    "accuracy_score",
    "adjusted_rand_score",
    "auc",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "get_scorer",
    "log_loss",
    "mean_absolute_error",
    "mean_squared_error",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "silhouette_samples",
    "silhouette_score",
]
