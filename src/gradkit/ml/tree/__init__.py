"""Decision trees (CART) for classification and regression."""

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor, grow_trees, presort
from ._tree import Tree, apply_many, predict_many, predict_mean, stack_trees

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "Tree",
    "grow_trees",
    "apply_many",
    "predict_many",
    "predict_mean",
    "presort",
    "stack_trees",
]
