"""Accuracy metrics with Keras 3's rules (all return 1.0 per match, 0.0 otherwise).

* ``accuracy``: y_true == y_pred exactly;
* ``binary_accuracy``: y_true == (y_pred > threshold), averaged over the last axis;
* ``categorical_accuracy``: argmax y_true == argmax y_pred;
* ``sparse_categorical_accuracy``: y_true (int or float labels) == argmax y_pred;
* ``top_k_categorical_accuracy`` / ``sparse_top_k_categorical_accuracy``: the true
  class's score is at least the k-th largest score (ties count as hits).
"""

from __future__ import annotations

import numpy as np

from gradkit.keras.metrics.base import MeanMetricWrapper, squeeze_or_expand, to_numpy
from gradkit.tensor import Tensor


def _out(values: np.ndarray) -> Tensor:
    return Tensor(values.astype(np.float32))


def accuracy(y_true, y_pred):
    y_true, y_pred = squeeze_or_expand(to_numpy(y_true), to_numpy(y_pred))
    return _out(np.equal(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5):
    y_true, y_pred = squeeze_or_expand(to_numpy(y_true), to_numpy(y_pred))
    return _out(np.equal(y_true, (y_pred > threshold).astype(y_true.dtype)).mean(axis=-1))


def categorical_accuracy(y_true, y_pred):
    y_true, y_pred = to_numpy(y_true), to_numpy(y_pred)
    labels = np.argmax(y_true, axis=-1)
    return _out(np.equal(labels, np.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred):
    y_true, y_pred = to_numpy(y_true), to_numpy(y_pred)
    original_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
        reshape = True
    if y_pred.ndim > y_true.ndim:
        y_pred = np.argmax(y_pred, axis=-1)
    matches = np.equal(y_true, y_pred.astype(y_true.dtype))
    if reshape:
        matches = matches.reshape(original_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return _out(matches)


def _in_top_k(labels: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, scores.shape[-1])
    kth = -np.sort(-scores, axis=-1)[..., k - 1]
    labels = labels.astype(np.int64)
    target = np.take_along_axis(scores, labels[..., None], axis=-1)[..., 0]
    return target >= kth


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    y_true, y_pred = to_numpy(y_true), to_numpy(y_pred)
    return _out(_in_top_k(np.argmax(y_true, axis=-1), y_pred, k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5, from_sorted_ids=False):
    y_true, y_pred = to_numpy(y_true), to_numpy(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if from_sorted_ids:
        return _out(np.any(y_pred[..., :k] == y_true[..., None], axis=-1))
    return _out(_in_top_k(y_true, y_pred, k))


def _accuracy_class(class_name, fn, default_name, doc, **defaults):
    params = list(defaults)

    def __init__(self, *args, name=default_name, dtype=None, **kwargs):
        options = dict(defaults)
        options.update(zip(params, args))
        unknown = set(kwargs) - set(params)
        if unknown:
            raise TypeError(f"{class_name} got unexpected keyword arguments {sorted(unknown)}")
        options.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **options)

    return type(
        class_name,
        (MeanMetricWrapper,),
        {"__init__": __init__, "__doc__": doc, "_direction": "up", "__module__": __name__},
    )


Accuracy = _accuracy_class("Accuracy", accuracy, "accuracy", "How often y_pred equals y_true.")
BinaryAccuracy = _accuracy_class(
    "BinaryAccuracy", binary_accuracy, "binary_accuracy",
    "How often y_pred > threshold matches binary labels.", threshold=0.5,
)  # fmt: skip
CategoricalAccuracy = _accuracy_class(
    "CategoricalAccuracy", categorical_accuracy, "categorical_accuracy",
    "How often argmax y_pred matches argmax of one-hot labels.",
)  # fmt: skip
SparseCategoricalAccuracy = _accuracy_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy",
    "How often argmax y_pred matches integer labels.",
)  # fmt: skip
TopKCategoricalAccuracy = _accuracy_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "How often the one-hot target is in the top k predictions.", k=5,
)  # fmt: skip
SparseTopKCategoricalAccuracy = _accuracy_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy",
    "How often the integer target is in the top k predictions.", k=5, from_sorted_ids=False,
)  # fmt: skip
