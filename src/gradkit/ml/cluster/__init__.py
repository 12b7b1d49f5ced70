"""Clustering: k-means (U-KMEANS) and agglomerative hierarchical clustering (U-HIER)."""

from ._agglomerative import AgglomerativeClustering, cut_tree_labels, linkage
from ._kmeans import KMeans, kmeans_plusplus

__all__ = ["AgglomerativeClustering", "KMeans", "cut_tree_labels", "kmeans_plusplus", "linkage"]
