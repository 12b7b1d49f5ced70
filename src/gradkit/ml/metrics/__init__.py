"""Evaluation metrics (EVAL-METRICS) with scikit-learn's names and conventions."""

from ..exceptions import UndefinedMetricWarning
from ._classification import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    fbeta_score,
    log_loss,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from ._cluster import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
)
from ._cluster_supervised import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    completeness_score,
    contingency_matrix,
    entropy,
    expected_mutual_information,
    fowlkes_mallows_score,
    homogeneity_completeness_v_measure,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    pair_confusion_matrix,
    rand_score,
    v_measure_score,
)
from ._ranking import auc, roc_auc_score, roc_curve
from ._regression import mean_absolute_error, mean_squared_error, r2_score
from ._scorer import SCORERS, get_scorer

__all__ = [
    "SCORERS",
    "UndefinedMetricWarning",
    "accuracy_score",
    "adjusted_mutual_info_score",
    "adjusted_rand_score",
    "auc",
    "calinski_harabasz_score",
    "classification_report",
    "completeness_score",
    "confusion_matrix",
    "contingency_matrix",
    "davies_bouldin_score",
    "entropy",
    "expected_mutual_information",
    "fowlkes_mallows_score",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "pair_confusion_matrix",
    "rand_score",
    "v_measure_score",
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
