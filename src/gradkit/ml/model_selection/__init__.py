"""Model selection: splits (EVAL-SPLIT), cross-validation (EVAL-KFOLD), learning curves
(EVAL-FIT) and hyperparameter search (NN-SEARCH)."""

from ._search import GridSearchCV, ParameterGrid, ParameterSampler, RandomizedSearchCV
from ._split import KFold, StratifiedKFold, check_cv, train_test_split
from ._validation import cross_val_score, cross_validate, learning_curve

__all__ = [
    "GridSearchCV",
    "KFold",
    "ParameterGrid",
    "ParameterSampler",
    "RandomizedSearchCV",
    "StratifiedKFold",
    "check_cv",
    "cross_val_score",
    "cross_validate",
    "learning_curve",
    "train_test_split",
]
