"""Linear models: least squares, ridge (regression and classifier), lasso / elastic net,
logistic and softmax regression, SGD and the perceptron."""

from ._coordinate_descent import ElasticNet, Lasso, enet_coordinate_descent
from ._least_squares import LinearRegression
from ._logistic import LogisticRegression, SoftmaxRegression
from ._perceptron import Perceptron
from ._ridge import Ridge, RidgeClassifier
from ._stochastic_gradient import SGDClassifier, SGDRegressor

__all__ = [
    "ElasticNet",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "Perceptron",
    "Ridge",
    "RidgeClassifier",
    "SGDClassifier",
    "SGDRegressor",
    "SoftmaxRegression",
    "enet_coordinate_descent",
]
