"""Error and probabilistic metrics: means of the loss functions over all samples seen
(``MeanSquaredError``, ``MeanAbsoluteError``, ``RootMeanSquaredError`` = √mean(e²),
crossentropies, ...), as in Keras 3. The metric ``CosineSimilarity`` is +cos (the loss
is −cos)."""

from __future__ import annotations

import numpy as np

from gradkit.keras.losses import functions as lf
from gradkit.keras.metrics.base import Mean, MeanMetricWrapper, squeeze_or_expand, to_numpy
from gradkit.tensor import Tensor


def _metric_class(class_name, fn, default_name, direction, doc, **defaults):
    params = list(defaults)

    def __init__(self, *args, name=default_name, dtype=None, **kwargs):
        options = dict(defaults)
        options.update(zip(params, args))
        unknown = set(kwargs) - set(params)
        if unknown:
            raise TypeError(f"{class_name} got unexpected keyword arguments {sorted(unknown)}")
        options.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **options)

    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "__doc__": doc, "_direction": direction, "__module__": __name__,
    })  # fmt: skip


def _positive_cosine(y_true, y_pred, axis=-1):
    return -lf.cosine_similarity(y_true, y_pred, axis=axis)


MeanSquaredError = _metric_class(
    "MeanSquaredError", lf.mean_squared_error, "mean_squared_error", "down", "mean(e²)."
)
MeanAbsoluteError = _metric_class(
    "MeanAbsoluteError", lf.mean_absolute_error, "mean_absolute_error", "down", "mean|e|."
)
MeanAbsolutePercentageError = _metric_class(
    "MeanAbsolutePercentageError", lf.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "down", "100·mean|e/y|.",
)  # fmt: skip
MeanSquaredLogarithmicError = _metric_class(
    "MeanSquaredLogarithmicError", lf.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "down", "mean((log(p+1) − log(t+1))²).",
)  # fmt: skip
BinaryCrossentropy = _metric_class(
    "BinaryCrossentropy", lf.binary_crossentropy, "binary_crossentropy", "down",
    "Mean binary cross-entropy.", from_logits=False, label_smoothing=0.0,
)  # fmt: skip
CategoricalCrossentropy = _metric_class(
    "CategoricalCrossentropy", lf.categorical_crossentropy, "categorical_crossentropy",
    "down", "Mean categorical cross-entropy.", from_logits=False, label_smoothing=0.0,
    axis=-1,
)  # fmt: skip
SparseCategoricalCrossentropy = _metric_class(
    "SparseCategoricalCrossentropy", lf.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "down", "Mean sparse categorical cross-entropy.",
    from_logits=False, axis=-1,
)  # fmt: skip
KLDivergence = _metric_class(
    "KLDivergence", lf.kl_divergence, "kl_divergence", "down", "Mean KL divergence."
)
Poisson = _metric_class("Poisson", lf.poisson, "poisson", "down", "Mean Poisson loss.")
Hinge = _metric_class("Hinge", lf.hinge, "hinge", "down", "Mean hinge loss.")
SquaredHinge = _metric_class(
    "SquaredHinge", lf.squared_hinge, "squared_hinge", "down", "Mean squared hinge loss."
)
CategoricalHinge = _metric_class(
    "CategoricalHinge", lf.categorical_hinge, "categorical_hinge", "down",
    "Mean categorical hinge loss.",
)  # fmt: skip
LogCoshError = _metric_class("LogCoshError", lf.log_cosh, "logcosh", "down", "Mean log-cosh error.")
CosineSimilarity = _metric_class(
    "CosineSimilarity", _positive_cosine, "cosine_similarity", "up",
    "Mean cosine similarity between y_true and y_pred.", axis=-1,
)  # fmt: skip


class RootMeanSquaredError(Mean):
    """√(mean of squared errors over everything seen)."""

    _direction = "down"

    def __init__(self, name: str = "root_mean_squared_error", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = squeeze_or_expand(
            to_numpy(y_true, self._dtype), to_numpy(y_pred, self._dtype)
        )
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> Tensor:
        return Tensor(np.sqrt(super().result()._data))
