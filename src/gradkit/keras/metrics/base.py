"""``keras.metrics.Metric``: a stateful metric (``update_state``, ``result``,
``reset_state``), and the averaging metrics ``Mean``, ``Sum`` and
``MeanMetricWrapper`` that most metrics are built on.

State lives in non-trainable :class:`~gradkit.keras.src.variables.Variable`\\ s made by
``add_variable`` (a custom metric writes ``self.total = self.add_variable(shape=(),
initializer="zeros", name="total")`` and ``self.total.assign_add(...)``). Metrics never
record gradients. ``Mean`` follows Keras: values are first averaged over the non-batch
axes (to the rank of ``sample_weight``), then Σ wᵢvᵢ / Σ wᵢ is accumulated.
"""

from __future__ import annotations

import numpy as np

from gradkit.keras import initializers
from gradkit.keras.src.backend import auto_name, standardize_dtype
from gradkit.keras.src.variables import Variable
from gradkit.tensor import Tensor, no_grad


def to_numpy(x, dtype=None) -> np.ndarray:
    """A NumPy view of a Tensor, array or nested list (no gradient)."""
    if isinstance(x, Tensor):
        x = x._data
    x = np.asarray(x)
    return x.astype(dtype) if dtype is not None and x.dtype != dtype else x


def squeeze_or_expand(x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True):
    """NumPy twin of the loss module's rank matching (Keras' rule)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


class Metric:
    """Base class of metrics.

    Subclasses create state with ``add_variable`` in ``__init__`` and implement
    ``update_state(*args, **kwargs)`` and ``result()``; ``reset_state`` zeroes every
    state variable (override it for other initial values). Calling a metric updates
    it and returns the result.
    """

    _direction = None

    def __init__(self, name=None, dtype=None) -> None:
        self.name = name or auto_name(type(self).__name__)
        self._dtype = standardize_dtype(dtype)
        self._variables: list[Variable] = []
        self._initial_values: list[np.ndarray] = []

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def variables(self) -> list:
        return list(self._variables)

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum", name=None):
        """A non-trainable state variable of this metric."""
        init = initializers.get(initializer)
        variable = Variable(
            initializer=init,
            shape=shape,
            dtype=dtype or self._dtype,
            trainable=False,
            name=name or "variable",
        )
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        self._initial_values.append(variable._data.copy())
        return variable

    add_weight = add_variable

    def reset_state(self) -> None:
        for variable, initial in zip(self._variables, self._initial_values):
            variable._data[...] = initial

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def __call__(self, *args, **kwargs):
        with no_grad():
            self.update_state(*args, **kwargs)
            return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values: np.ndarray, sample_weight, mask=None, reduce=np.mean):
    """Average ``values`` over the axes beyond ``sample_weight``'s rank and weight
    them (Keras' ``reduce_to_samplewise_values``)."""
    if sample_weight is not None:
        sample_weight = to_numpy(sample_weight, values.dtype)
        if mask is not None:
            mask = to_numpy(mask, values.dtype)
            mask, sample_weight = squeeze_or_expand(mask, sample_weight)
            sample_weight = sample_weight * mask
        values, sample_weight = squeeze_or_expand(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if values_ndim > 1:
            sample_weight = reduce(sample_weight, axis=tuple(range(1, weight_ndim)))
    elif mask is not None:
        return reduce_to_samplewise_values(values, np.ones(values.shape[:1]), mask, reduce)
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values,
    sample_weight=None)``."""

    def __init__(self, name: str = "mean", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values, sample_weight=None) -> None:
        mask = getattr(values, "_keras_mask", None)
        values = to_numpy(values, self._dtype)
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, mask)
        self.total._data[...] += np.sum(values, dtype=np.float64)
        if sample_weight is not None:
            count = np.sum(sample_weight, dtype=np.float64)
        elif values.ndim >= 1:
            count = values.shape[0]
        else:
            count = 1
        self.count._data[...] += count

    def result(self) -> Tensor:
        count = float(self.count._data)
        return Tensor(np.asarray(self.total._data / count if count else 0.0, dtype=self._dtype))


class Sum(Metric):
    """The (weighted) sum of the values given to ``update_state``."""

    def __init__(self, name: str = "sum", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, values, sample_weight=None) -> None:
        values = to_numpy(values, self._dtype)
        values, _ = reduce_to_samplewise_values(values, sample_weight, reduce=np.sum)
        self.total._data[...] += np.sum(values, dtype=np.float64)

    def result(self) -> Tensor:
        return Tensor(np.array(self.total._data))


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over every sample seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        mask = getattr(y_pred, "_keras_mask", None)
        with no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None and getattr(values, "_keras_mask", None) is None:
            try:
                values._keras_mask = mask
            except AttributeError:
                values = Tensor(to_numpy(values))
                values._keras_mask = mask
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype, **self._fn_kwargs}
