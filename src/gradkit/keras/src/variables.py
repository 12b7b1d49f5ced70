"""``keras.Variable``: a weight of a Keras layer, as a gradkit ``Parameter``.

A Variable *is* a ``gradkit.nn.Parameter`` (so autograd, gradkit optimizers and
``state_dict`` see it) with Keras' attributes on top: ``name`` (``"kernel"``), ``path``
(``"dense/kernel"``), a settable ``trainable`` (mapped to ``requires_grad``),
``regularizer``, ``constraint``, and ``assign``/``assign_add``/``assign_sub``/``numpy()``
(a copy) / ``value``.
"""

from __future__ import annotations

import numpy as np

from gradkit.autograd.function import bump
from gradkit.keras.src.backend import auto_name, standardize_dtype
from gradkit.nn.parameter import Parameter
from gradkit.tensor import Tensor, no_grad


class Variable(Parameter):
    """A layer weight.

    Parameters
    ----------
    initializer : initializer, callable, array or Tensor
        A callable ``(shape, dtype) -> values`` (with ``shape`` given), or the values.
    shape : tuple of int, optional
    dtype : str, optional
        Defaults to the float type (``"float32"``).
    trainable : bool
    name : str, optional
        Defaults to ``"variable"``, ``"variable_1"``, ...
    """

    def __init__(
        self,
        initializer=None,
        shape=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "none",
        name: str | None = None,
        **kwargs,
    ) -> None:
        if kwargs.pop("synchronization", None) not in (None, "auto"):
            raise ValueError("gradkit.keras Variables have no synchronization modes")
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to Variable: {kwargs}")
        if not isinstance(trainable, bool):
            raise ValueError(f"`trainable` must be a boolean, got {trainable!r}")
        if name is None:
            name = auto_name("variable")
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name!r}"
            )
        dtype = standardize_dtype(dtype) if dtype is not None else None
        if callable(initializer) and not isinstance(initializer, (Tensor, np.ndarray)):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, the `shape` argument "
                    f"should be specified. Received: initializer={initializer!r}"
                )
            values = initializer(tuple(int(d) for d in shape), dtype=dtype or "float32")
        else:
            values = initializer
        array = values._data if isinstance(values, Tensor) else np.asarray(values)
        if dtype is None:
            dtype = "float32" if array.dtype.kind == "f" or array.dtype == object else array.dtype
        array = np.array(array, dtype=dtype)  # own copy
        if shape is not None and tuple(array.shape) != tuple(int(d) for d in shape):
            raise ValueError(
                f"Variable '{name}': initial value has shape {tuple(array.shape)}, expected "
                f"{tuple(shape)}"
            )
        super().__init__(array, requires_grad=trainable and array.dtype.kind in "fc")
        self.name = name
        self.path = name
        self._trainable = trainable
        self.autocast = autocast
        self.aggregation = aggregation
        self.regularizer = None
        self.constraint = None

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        if self._data.dtype.kind in "fc":
            self.requires_grad_(self._trainable)

    @property
    def value(self) -> Variable:
        """The variable itself (as Keras' torch backend, ``variable.value.grad`` is the
        gradient after ``loss.backward()``)."""
        return self

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the current value."""
        return self._data.copy()

    def __array__(self, dtype=None, copy=None):
        return np.array(self._data, dtype=dtype)

    def assign(self, value) -> Variable:
        """Overwrite the value in place (shape must match)."""
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        if tuple(array.shape) != tuple(self._data.shape):
            raise ValueError(
                f"The shape of the target variable and the shape of the value in `assign()` "
                f"must match. variable.shape={tuple(self._data.shape)}, "
                f"Received: value.shape={tuple(array.shape)}. Target variable: {self.path}"
            )
        with no_grad():
            np.copyto(self._data, array, casting="unsafe")
            bump(self)
        return self

    def assign_add(self, value) -> Variable:
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        return self.assign(self._data + array)

    def assign_sub(self, value) -> Variable:
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        return self.assign(self._data - array)

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={tuple(self._data.shape)}, "
            f"dtype={self._data.dtype}, value={self._data}>"
        )

    def __reduce_ex__(self, protocol):
        raise TypeError("gradkit.keras Variables are saved with model.save(), never pickled")

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Variable(self._data.copy(), trainable=self._trainable, name=self.name)
        out.path, out.regularizer, out.constraint = self.path, self.regularizer, self.constraint
        memo[id(self)] = out
        return out
