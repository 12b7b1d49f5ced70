"""Decision trees (CART) for classification and regression."""

from ._builder import Tree, predict_many, stack_trees
from ._classes import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "Tree", "predict_many", "stack_trees"]
