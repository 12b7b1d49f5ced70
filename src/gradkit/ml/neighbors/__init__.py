"""k-nearest neighbours (brute force and k-d tree) and the nearest centroid."""

from ._knn import KNeighborsClassifier, KNeighborsRegressor
from ._nearest_centroid import NearestCentroid

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor", "NearestCentroid"]
