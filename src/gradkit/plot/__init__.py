"""Figures for the results a user would rather see than read (``gradkit[plot]``).

Every function draws on the matplotlib Axes ``ax`` it is given, or on a new
``matplotlib.figure.Figure`` (no pyplot, no window) when ``ax`` is None, and returns the
Axes; save with ``ax.figure.savefig("out.png")``. matplotlib is imported on the first
call, so ``import gradkit`` never loads it; without it the call raises an ImportError
naming ``pip install "gradkit[plot]"``.

>>> from gradkit import plot
>>> ax = plot.history({"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]})
>>> [line.get_label() for line in ax.lines]
['loss', 'val_loss']
"""

from gradkit.plot.classification import (
    confusion_matrix,
    decision_boundary,
    feature_importances,
    precision_recall_curve,
    roc_curve,
)
from gradkit.plot.clustering import dendrogram, embedding, silhouette, som_umatrix
from gradkit.plot.images import filters, image_grid
from gradkit.plot.networks import activations, gradient_norms
from gradkit.plot.rl import value_function
from gradkit.plot.time_series import acf, forecast, pacf
from gradkit.plot.training import history, learning_curve

__all__ = [
    "acf",
    "activations",
    "confusion_matrix",
    "decision_boundary",
    "dendrogram",
    "embedding",
    "feature_importances",
    "filters",
    "forecast",
    "gradient_norms",
    "history",
    "image_grid",
    "learning_curve",
    "pacf",
    "precision_recall_curve",
    "roc_curve",
    "silhouette",
    "som_umatrix",
    "value_function",
]
