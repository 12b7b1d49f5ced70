"""Fully connected layers (concept NN-NEURON): ``Linear``, the lazily-shaped Keras-style
``Dense``, and the shape-only ``Identity``, ``Flatten`` and ``Unflatten``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from gradkit.backend import get_default_dtype, xp
from gradkit.nn import init
from gradkit.nn.activation import get_activation
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter, UninitializedParameter
from gradkit.ops.linear import linear
from gradkit.ops.shape import flatten
from gradkit.tensor import Tensor, no_grad
from gradkit.validation import check_int


class Identity(Module):
    """Returns its input unchanged (the linear activation, or a placeholder layer)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input


class Flatten(Module):
    """Flatten axes ``start_dim`` to ``end_dim`` into one (concept CNN-FC).

    Shape: input (N, *dims) → output (N, Π dims) with the defaults.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = check_int("Flatten", "start_dim", start_dim, low=None)
        self.end_dim = check_int("Flatten", "end_dim", end_dim, low=None)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand axis ``dim`` into ``unflattened_size`` (PyTorch's ``nn.Unflatten``), the
    inverse of :class:`Flatten`; one entry of ``unflattened_size`` may be -1.

    Shape: input (*, S_dim, *) → output (*, U_1, …, U_n, *) with Π U_i = S_dim.

    Examples
    --------
    >>> import gradkit as gk
    >>> Unflatten(1, (2, 5, 5))(gk.zeros(3, 50)).shape
    (3, 2, 5, 5)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        sizes = tuple(int(s) for s in unflattened_size)
        if not sizes or sizes.count(-1) > 1 or any(s < -1 or s == 0 for s in sizes):
            raise ValueError(
                f"Unflatten: unflattened_size must be non-empty positive sizes with at most "
                f"one -1, got {tuple(unflattened_size)}"
            )
        self.dim, self.unflattened_size = int(dim), sizes

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        shape = input.shape
        dim = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= dim < len(shape):
            raise IndexError(f"Unflatten: dim {self.dim} out of range for shape {shape}")
        known = math.prod(s for s in self.unflattened_size if s != -1)
        if (-1 in self.unflattened_size and shape[dim] % known) or (
            -1 not in self.unflattened_size and known != shape[dim]
        ):
            raise ValueError(
                f"Unflatten: size {shape[dim]} of dim {self.dim} of input {shape} cannot be "
                f"unflattened into {self.unflattened_size}"
            )
        return input.reshape(*shape[:dim], *self.unflattened_size, *shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


def _reset_linear(weight: Parameter, bias: Parameter | None) -> None:
    """PyTorch's default: W ~ kaiming_uniform(a=√5) = U(±1/√fan_in), b ~ U(±1/√fan_in)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = weight.shape[1]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """Fully connected layer y = x Wᵀ + b (a row of neurons y_j = w_j · x + b_j).

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output sample.
    bias : bool
        Learn an additive bias b (default True).
    dtype : optional
        Parameter dtype (default float32).

    Attributes
    ----------
    weight : Parameter, shape (out_features, in_features)
        Initialized from U(−1/√in_features, 1/√in_features), as in PyTorch.
    bias : Parameter, shape (out_features,)
        Same distribution.

    Shape
    -----
    Input (*, in_features); output (*, out_features).

    Examples
    --------
    >>> import gradkit as gk
    >>> from gradkit import nn
    >>> nn.Linear(3, 2)(gk.ones(4, 3)).shape
    (4, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None) -> None:
        super().__init__()
        in_features = check_int("Linear", "in_features", in_features, low=0)
        out_features = check_int("Linear", "out_features", out_features, low=0)
        self.in_features, self.out_features = in_features, out_features
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(xp.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_linear(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Linear: the input is {input._data.dtype} but the weight is "
                f"{self.weight._data.dtype} (mat1 and mat2 must have the same dtype); "
                "convert the input with .float()"
            )
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Dense(Module):
    """Keras-style fully connected layer: ``Linear`` whose input size is inferred, plus
    an optional activation (concept NN-NEURON).

    The weight is created when ``input_shape`` (or ``input_dim``) is given, else at the
    first call from the input's last axis; build optimizers after that point. The
    parameters are named and initialized like ``Linear``'s, so state dicts interchange.

    Parameters
    ----------
    units : int
        Output size.
    activation : str or callable, optional
        ``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"softmax"``, ... or any callable on a
        tensor; None is linear.
    use_bias : bool
        Learn a bias (default True).
    input_shape : sequence of int, optional
        Shape of one sample, without the batch axis (Keras' convention).
    input_dim : int, optional
        Shorthand for ``input_shape=(input_dim,)``.

    Shape
    -----
    Input (*, in_features); output (*, units).

    Examples
    --------
    >>> import gradkit as gk
    >>> from gradkit import nn
    >>> layer = nn.Dense(units=1, input_shape=[3])
    >>> layer(gk.ones(5, 3)).shape
    (5, 1)
    """

    def __init__(
        self,
        units: int,
        activation: str | Callable | None = None,
        use_bias: bool = True,
        input_shape: Sequence[int] | None = None,
        input_dim: int | None = None,
        dtype=None,
    ) -> None:
        super().__init__()
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units}")
        self.units = int(units)
        self.activation_name = activation if isinstance(activation, str) else None
        self.activation = get_activation(activation)
        self.weight = UninitializedParameter(dtype=dtype)
        if use_bias:
            self.bias = UninitializedParameter(dtype=dtype)
        else:
            self.register_parameter("bias", None)
        if input_dim is not None:
            input_shape = (input_dim,)
        if input_shape is not None:
            shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
            if not shape:
                raise ValueError("Dense: input_shape must have at least one axis")
            self.build(shape[-1])

    @property
    def in_features(self) -> int | None:
        return None if isinstance(self.weight, UninitializedParameter) else self.weight.shape[1]

    @property
    def out_features(self) -> int:
        return self.units

    def build(self, in_features: int) -> None:
        """Create the weight (units, in_features) and bias, initialized as ``Linear``."""
        self.weight.materialize((self.units, int(in_features)))
        if self.bias is not None:
            self.bias.materialize((self.units,))
        with no_grad():
            _reset_linear(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if isinstance(self.weight, UninitializedParameter):
            if input.ndim == 0:
                raise ValueError("Dense: input must have at least one axis")
            self.build(input.shape[-1])
        out = linear(input, self.weight, self.bias)
        return out if self.activation is None else self.activation(out)

    def extra_repr(self) -> str:
        act = self.activation_name or getattr(self.activation, "__name__", None)
        return (
            f"units={self.units}, in_features={self.in_features}, "
            f"bias={self.bias is not None}, activation={act}"
        )
