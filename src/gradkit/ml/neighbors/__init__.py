"""k-nearest neighbours (brute force and k-d tree)."""

from ._knn import KNeighborsClassifier, KNeighborsRegressor

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]
