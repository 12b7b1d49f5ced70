"""``keras.losses.Loss``: a loss object ``loss(y_true, y_pred, sample_weight=None)``.

``call`` gives one value per sample; ``__call__`` weights them and reduces with
``reduction``: ``"sum_over_batch_size"`` (default: Σ wᵢlᵢ / number of values),
``"sum"``, ``"mean"`` (same as sum_over_batch_size), ``"mean_with_sample_weight"``
(Σ wᵢlᵢ / Σ wᵢ) or ``"none"``. A ``_keras_mask`` on ``y_pred`` or on the values
(``ignore_class``) leaves masked entries out of the mean.
"""

from __future__ import annotations

import numpy as np

from gradkit.keras.losses.functions import as_pred, as_true, squeeze_or_expand_to_same_rank
from gradkit.keras.src import tree
from gradkit.keras.src.backend import to_snake_case
from gradkit.tensor import Tensor

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {list(_REDUCTIONS)}. "
            f"Received: reduction={reduction!r}"
        )
    return reduction


def _as_weight(value, like: Tensor):
    if value is None:
        return None
    if isinstance(value, Tensor):
        return value.detach().to(like.dtype) if value.dtype != like.dtype else value.detach()
    return Tensor(np.asarray(value, dtype=like.dtype))


def reduce_weighted_values(values: Tensor, sample_weight=None, mask=None, reduction=None):
    """Weight (and mask) per-sample values, then reduce them (see the module doc)."""
    sample_weight = _as_weight(sample_weight, values)
    if mask is not None:
        mask_array = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        if reduction in ("mean", "sum_over_batch_size"):
            valid = float(mask_array.sum())
            scale = mask_array.size / valid if valid else 0.0
            float_mask = Tensor(np.where(mask_array.astype(bool), scale, 0.0).astype(values.dtype))
        else:
            float_mask = Tensor(mask_array.astype(values.dtype))
        if sample_weight is not None:
            float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
            sample_weight = sample_weight * float_mask
        else:
            sample_weight = float_mask
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    if reduction in (None, "none") or values.ndim == 0 or tuple(values.shape) == (0,):
        return values
    loss = values.sum()
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = float(sample_weight._data.sum())
        else:
            divisor = float(np.prod(values.shape))
        loss = loss / divisor if divisor else loss * 0.0
    return loss


class Loss:
    """Base class: subclasses implement ``call(y_true, y_pred)`` (per-sample values).

    Parameters
    ----------
    name : str, optional
    reduction : str
        See the module docstring.
    dtype : str, optional
        The float type computations run in (float32).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None) -> None:
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self):
        return self._dtype or "float32"

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = as_pred(y_pred)
        if self._dtype is not None and y_pred.dtype != np.dtype(self._dtype):
            y_pred = y_pred.to(np.dtype(self._dtype))
        y_true = tree.map_structure(lambda t: as_true(t, y_pred), y_true)  # floats, as Keras
        losses = self.call(y_true, y_pred)
        if not isinstance(losses, Tensor):
            losses = as_pred(losses)
        out_mask = getattr(losses, "_keras_mask", None)
        if in_mask is not None and out_mask is not None:
            mask = np.logical_and(np.asarray(in_mask._data), np.asarray(out_mask._data))
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A loss object around a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)  # fmt: skip
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if not isinstance(y_true, Tensor):
            y_true = Tensor(np.asarray(y_true))
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn.__name__}, kwargs={self._fn_kwargs})>"
