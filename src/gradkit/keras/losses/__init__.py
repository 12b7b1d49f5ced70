"""``keras.losses``: loss classes, functions and string names, as in Keras 3.

``SparseCategoricalCrossentropy(from_logits=True)`` and friends take Keras' arguments;
``get("mse")`` resolves a name (unknown names raise ValueError listing the valid
ones). Targets may be NumPy arrays or Tensors; class labels may be float (``2.0``).
"""

from __future__ import annotations

from gradkit.keras.losses import functions as _f
from gradkit.keras.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from gradkit.keras.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values
from gradkit.keras.src.serialization import deserialize_keras_object, serialize_keras_object


def _wrapper_class(class_name: str, fn, default_name: str, doc: str, **defaults):
    params = list(defaults)

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None,
                 **kwargs):  # fmt: skip
        options = dict(defaults)
        if len(args) > len(params):
            raise TypeError(f"{class_name} takes at most {len(params)} positional arguments")
        options.update(zip(params, args))
        unknown = set(kwargs) - set(params)
        if unknown:
            raise TypeError(f"{class_name} got unexpected keyword arguments {sorted(unknown)}")
        options.update(kwargs)
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype,
                                     **options)  # fmt: skip

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, **self._fn_kwargs}

    cls = type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__,
    })  # fmt: skip
    return cls


MeanSquaredError = _wrapper_class(
    "MeanSquaredError", mean_squared_error, "mean_squared_error", "mean((y_true − y_pred)²)."
)
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error", "mean|y_true − y_pred|."
)
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "100 · mean|(y_true − y_pred) / y_true|.",
)  # fmt: skip
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "mean((log(y_pred + 1) − log(y_true + 1))²).",
)  # fmt: skip
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    "Binary cross-entropy of probabilities (or logits with ``from_logits=True``).",
    from_logits=False, label_smoothing=0.0, axis=-1,
)  # fmt: skip
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    "Cross-entropy against one-hot targets.", from_logits=False, label_smoothing=0.0, axis=-1,
)  # fmt: skip
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    "Cross-entropy against class labels; ``ignore_class`` labels are left out.",
    from_logits=False, ignore_class=None, axis=-1,
)  # fmt: skip
Hinge = _wrapper_class("Hinge", hinge, "hinge", "mean(max(1 − y_true·y_pred, 0)).")
SquaredHinge = _wrapper_class(
    "SquaredHinge", squared_hinge, "squared_hinge", "mean(max(1 − y_true·y_pred, 0)²)."
)
CategoricalHinge = _wrapper_class(
    "CategoricalHinge", categorical_hinge, "categorical_hinge", "max(neg − pos + 1, 0)."
)
Huber = _wrapper_class("Huber", huber, "huber_loss", "The Huber loss with ``delta``.", delta=1.0)
KLDivergence = _wrapper_class(
    "KLDivergence", kl_divergence, "kl_divergence", "Σ y_true · log(y_true / y_pred)."
)
Poisson = _wrapper_class("Poisson", poisson, "poisson", "mean(y_pred − y_true · log y_pred).")
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", cosine_similarity, "cosine_similarity",
    "−Σ normalize(y_true) · normalize(y_pred).", axis=-1,
)  # fmt: skip
LogCosh = _wrapper_class("LogCosh", log_cosh, "log_cosh", "mean(log cosh(y_pred − y_true)).")

ALL_OBJECTS = (
    Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    CosineSimilarity, LogCosh, Huber, Hinge, SquaredHinge, CategoricalHinge,
    kl_divergence, poisson, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, mean_squared_error, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_logarithmic_error, cosine_similarity,
    log_cosh, huber, hinge, squared_hinge, categorical_hinge,
)  # fmt: skip
ALL_OBJECTS_DICT: dict = {obj.__name__: obj for obj in ALL_OBJECTS}
ALL_OBJECTS_DICT.update(
    {
        "bce": binary_crossentropy, "BCE": binary_crossentropy,
        "kld": kl_divergence, "KLD": kl_divergence,
        "mae": mean_absolute_error, "MAE": mean_absolute_error,
        "mse": mean_squared_error, "MSE": mean_squared_error,
        "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    }
)  # fmt: skip

# legacy lower-case aliases, as keras.losses.mse
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence


def serialize(loss):
    return serialize_keras_object(loss)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, ALL_OBJECTS_DICT, custom_objects, "loss")


def get(identifier):
    """A loss from a name (``"mse"``, ``"sparse_categorical_crossentropy"``,
    ``"MeanSquaredError"``), a config dict, a class, an instance or a function; None
    gives None. Unknown names raise ValueError listing the valid ones."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            from gradkit.keras.src.serialization import get_registered_object

            obj = get_registered_object(identifier)
        if obj is None:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}. Valid names: "
                f"{', '.join(sorted(ALL_OBJECTS_DICT))}."
            )
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj):
        raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
    return obj


__all__ = [
    *(obj.__name__ for obj in ALL_OBJECTS), "deserialize", "get", "reduce_weighted_values",
    "serialize",
]  # fmt: skip
del _f
