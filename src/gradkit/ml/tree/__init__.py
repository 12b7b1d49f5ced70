"""Decision trees (CART) for classification and regression."""

from ._builder import Tree
from ._classes import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "Tree"]
