"""``keras.metrics``: stateful metrics (``update_state``/``result``/``reset_state``),
metric functions and string names, as in Keras 3.

``get("accuracy")`` is resolved by ``compile`` against the targets and outputs
(binary, sparse or categorical accuracy, as Keras does); other names map to the
classes and functions below; unknown names raise ValueError listing the valid ones.
"""

from __future__ import annotations

from gradkit.keras.losses import functions as _lf
from gradkit.keras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from gradkit.keras.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from gradkit.keras.metrics.confusion import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from gradkit.keras.metrics.regression import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from gradkit.keras.src.backend import to_snake_case
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object

binary_crossentropy = _lf.binary_crossentropy
categorical_crossentropy = _lf.categorical_crossentropy
sparse_categorical_crossentropy = _lf.sparse_categorical_crossentropy
mean_squared_error = _lf.mean_squared_error
mean_absolute_error = _lf.mean_absolute_error
mean_absolute_percentage_error = _lf.mean_absolute_percentage_error
mean_squared_logarithmic_error = _lf.mean_squared_logarithmic_error
kl_divergence = _lf.kl_divergence
poisson = _lf.poisson
hinge = _lf.hinge
squared_hinge = _lf.squared_hinge
categorical_hinge = _lf.categorical_hinge
log_cosh = _lf.log_cosh

_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
    SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, AUC,
    Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, RootMeanSquaredError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge,
    SquaredHinge, CategoricalHinge, LogCoshError, CosineSimilarity,
)  # fmt: skip
_FUNCTIONS = (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    kl_divergence, poisson, hinge, squared_hinge, categorical_hinge, log_cosh,
)  # fmt: skip
ALL_OBJECTS_DICT: dict = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({fn.__name__: fn for fn in _FUNCTIONS})
ALL_OBJECTS_DICT.update(
    {
        "acc": accuracy, "ACC": accuracy,
        "mse": mean_squared_error, "MSE": mean_squared_error,
        "mae": mean_absolute_error, "MAE": mean_absolute_error,
        "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
        "kld": kl_divergence, "KLD": kl_divergence, "logcosh": log_cosh,
        "rmse": RootMeanSquaredError, "auc": AUC,
    }
)  # fmt: skip
_DIRECTIONS = {
    accuracy: "up", binary_accuracy: "up", categorical_accuracy: "up",
    sparse_categorical_accuracy: "up", top_k_categorical_accuracy: "up",
    sparse_top_k_categorical_accuracy: "up",
}  # fmt: skip


def serialize(metric):
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, ALL_OBJECTS_DICT, custom_objects, "metric")


def get(identifier):
    """A metric class instance or function from a name (``"mae"``, ``"AUC"``,
    ``"sparse_categorical_accuracy"``), a config dict, a class, an instance or a
    callable. Unknown names raise ValueError listing the valid ones."""
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            from gradkit.keras.src.serialization import get_registered_object

            obj = get_registered_object(identifier)
        if obj is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}. Valid names: "
                f"{', '.join(sorted(ALL_OBJECTS_DICT))}."
            )
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj) and not isinstance(obj, Metric):
        raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
    return obj


def metric_direction(fn) -> str | None:
    return _DIRECTIONS.get(fn)


__all__ = [
    *(cls.__name__ for cls in _CLASSES), *(fn.__name__ for fn in _FUNCTIONS),
    "deserialize", "get", "serialize",
]  # fmt: skip
