"""Decision trees (CART) for classification and regression."""

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor, grow_trees, presort
from ._tree import Tree, predict_many, stack_trees

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "Tree",
    "grow_trees",
    "predict_many",
    "presort",
    "stack_trees",
]
