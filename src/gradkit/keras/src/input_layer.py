"""``keras.Input`` and ``keras.layers.InputLayer``: where a functional graph starts."""

from __future__ import annotations

from gradkit.keras.src.backend import standardize_dtype
from gradkit.keras.src.keras_tensor import KerasTensor, Node
from gradkit.keras.src.layer import Layer, UnrecognizedArgumentError


def _check_shape(shape, what: str) -> tuple:
    if isinstance(shape, int):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"{what} must be a tuple of ints or None, got {shape!r}") from None
    for d in shape:
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0):
            raise ValueError(f"{what} must be a tuple of non-negative ints or None, got {shape}")
    return shape


class InputLayer(Layer):
    """The entry of a functional model: holds the symbolic input tensor.

    Parameters
    ----------
    shape : tuple
        The shape of one sample (no batch axis); ``None`` for a variable axis.
    batch_size : int, optional
    dtype : str, optional
        ``"float32"`` by default; ``"int32"``/``"int64"`` for token ids.
    batch_shape : tuple, optional
        The full shape, batch axis included (instead of ``shape``/``batch_size``).
    name : str, optional
        Default ``input_layer``, ``input_layer_1``, ...
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        ragged=None,
        batch_shape=None,
        input_tensor=None,
        optional: bool = False,
        name=None,
        **kwargs,
    ) -> None:
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise UnrecognizedArgumentError(
                f"Unrecognized keyword arguments passed to InputLayer: {kwargs}"
            )
        super().__init__(name=name)
        if sparse or ragged:
            raise ValueError("gradkit.keras inputs are dense: sparse and ragged are not supported")
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `batch_size` and `batch_shape` at the same time."
            )
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(
                    f"Argument `input_tensor` must be a KerasTensor. Received invalid type: "
                    f"input_tensor={input_tensor!r}"
                )
            batch_shape = input_tensor.shape
            dtype = dtype or input_tensor.dtype
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument, e.g. keras.Input(shape=(28, 28))")
        if shape is not None:
            batch_shape = (batch_size, *_check_shape(shape, "Argument `shape`"))
        else:
            batch_shape = _check_shape(batch_shape, "Argument `batch_shape`")
        self._batch_shape = batch_shape
        self._input_dtype = standardize_dtype(dtype)
        self.optional = optional
        self.sparse = False
        self._build_at_init()
        tensor = input_tensor or KerasTensor(batch_shape, dtype=self._input_dtype, name=self.name)
        self._input_tensor = tensor
        Node(self, call_args=(), call_kwargs={}, outputs=tensor)

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def dtype(self) -> str:
        return self._input_dtype

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {
            "batch_shape": list(self._batch_shape),
            "dtype": self._input_dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for key in ("sparse", "ragged"):
            config.pop(key, None)
        if config.get("batch_shape") is not None:
            config["batch_shape"] = tuple(config["batch_shape"])
        return cls(**config)


def Input(  # noqa: N802 - Keras' public name
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    ragged=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional: bool = False,
) -> KerasTensor:
    """A symbolic input: ``keras.Input(shape=(28, 28, 1))`` is a KerasTensor of shape
    ``(None, 28, 28, 1)`` to build a functional model from.

    Examples
    --------
    >>> from gradkit import keras
    >>> keras.Input(shape=(3,)).shape
    (None, 3)
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
    )
    return layer.output


__all__ = ["Input", "InputLayer"]
