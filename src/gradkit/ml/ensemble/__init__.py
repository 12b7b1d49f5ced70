"""Ensembles: random forests, bagging, AdaBoost (SAMME) and gradient boosting."""

from ._adaboost import AdaBoostClassifier
from ._bagging import BaggingClassifier
from ._forest import RandomForestClassifier, RandomForestRegressor
from ._gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor

__all__ = [
    "AdaBoostClassifier",
    "BaggingClassifier",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
]
