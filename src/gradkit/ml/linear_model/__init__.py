"""Linear models: least squares, ridge, lasso / elastic net, logistic and softmax
regression, and the perceptron."""

from ._coordinate_descent import ElasticNet, Lasso, enet_coordinate_descent
from ._least_squares import LinearRegression, Ridge
from ._logistic import LogisticRegression, SoftmaxRegression
from ._perceptron import Perceptron
from ._stochastic_gradient import SGDClassifier, SGDRegressor

__all__ = [
    "ElasticNet",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "Perceptron",
    "Ridge",
    "SGDClassifier",
    "SGDRegressor",
    "SoftmaxRegression",
    "enet_coordinate_descent",
]
