"""Keras's merge layers (concept NN-SEQ-API: graphs with several branches): ``Add``,
``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``, ``Concatenate`` and
``Dot``, each called on a list of tensors."""

from __future__ import annotations

import functools
import numbers

from gradkit.backend import xp
from gradkit.keras.src import backend as kbackend
from gradkit.keras.src.layer import Layer
from gradkit.ops.elementwise import maximum as _maximum
from gradkit.ops.elementwise import minimum as _minimum
from gradkit.ops.shape import concatenate as _concatenate
from gradkit.ops.shape import permute, reshape, unsqueeze
from gradkit.tensor import Tensor


def _shapes(layer, inputs) -> list[tuple]:
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}): a merge layer should be called on "
            f"a list of inputs. Received: inputs of shape {tuple(getattr(inputs, 'shape', ()))} "
            "(not a list of tensors)"
        )
    return [tuple(x.shape) for x in inputs]


class _Merge(Layer):
    """Elementwise merges: inputs of lower rank get axes inserted after the batch axis,
    then all broadcast to one shape (sizes equal or 1 on each axis)."""

    min_inputs = 1

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self._build_at_init()

    def _check(self, shapes) -> tuple:
        if len(shapes) < self.min_inputs:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) should be called on a list of at "
                f"least {self.min_inputs} inputs. Received {len(shapes)} inputs: {shapes}"
            )
        batches = {s[0] for s in shapes if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. Received tensors with "
                f"shapes {shapes} (layer '{self.name}')"
            )
        rank = max(len(s) for s in shapes)
        out = [None] * rank
        out[0] = next(iter(batches), None)
        padded = [(s[0],) + (1,) * (rank - len(s)) + tuple(s[1:]) for s in shapes]
        for axis in range(1, rank):
            sizes = {s[axis] for s in padded if s[axis] is not None and s[axis] != 1}
            if len(sizes) > 1:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): inputs have incompatible "
                    f"shapes. Received shapes {shapes}"
                )
            known = [s[axis] for s in padded]
            out[axis] = sizes.pop() if sizes else (None if None in known else 1)
        return tuple(out)

    def call(self, inputs):
        shapes = _shapes(self, inputs)
        self._check(shapes)
        rank = max(len(s) for s in shapes)
        aligned = []
        for x in inputs:
            for _ in range(rank - x.ndim):
                x = unsqueeze(x, 1)
            aligned.append(x)
        return self._merge(aligned)

    def compute_output_shape(self, input_shape):
        return self._check([tuple(s) for s in input_shape])

    def compute_mask(self, inputs, previous_mask):
        if previous_mask is None or not isinstance(previous_mask, (list, tuple)):
            return None
        if any(m is None for m in previous_mask):
            return None
        out = previous_mask[0]._data
        for m in previous_mask[1:]:
            out = out | m._data
        return Tensor(out)


class Add(_Merge):
    """y = x₁ + x₂ + … (same shapes, or broadcastable)."""

    def _merge(self, xs):
        return functools.reduce(lambda a, b: a + b, xs)


class Subtract(_Merge):
    """y = x₁ − x₂ (exactly two inputs)."""

    min_inputs = 2

    def _check(self, shapes):
        if len(shapes) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: "
                f"{len(shapes)} inputs of shapes {shapes} (layer '{self.name}')"
            )
        return super()._check(shapes)

    def _merge(self, xs):
        return xs[0] - xs[1]


class Multiply(_Merge):
    """y = x₁ ⊙ x₂ ⊙ … elementwise."""

    def _merge(self, xs):
        return functools.reduce(lambda a, b: a * b, xs)


class Average(_Merge):
    """y = (x₁ + … + x_n) / n."""

    def _merge(self, xs):
        return functools.reduce(lambda a, b: a + b, xs) / len(xs)


class Maximum(_Merge):
    """y = max(x₁, x₂, …) elementwise."""

    def _merge(self, xs):
        return functools.reduce(_maximum, xs)


class Minimum(_Merge):
    """y = min(x₁, x₂, …) elementwise."""

    def _merge(self, xs):
        return functools.reduce(_minimum, xs)


class Concatenate(Layer):
    """Join the inputs along ``axis`` (default −1); every other axis must match."""

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"Concatenate: `axis` must be an int, got {axis!r}")
        self.axis = int(axis)
        self.supports_masking = True
        self._build_at_init()

    def _check(self, shapes) -> tuple:
        if len(shapes) < 1:
            raise ValueError(f"Layer '{self.name}' (Concatenate) needs at least 1 input")
        rank = len(shapes[0])
        if not -rank <= self.axis < rank or any(len(s) != rank for s in shapes):
            raise ValueError(
                "A `Concatenate` layer requires inputs with matching shapes except for the "
                f"concatenation axis. Received: input_shape={shapes} (axis={self.axis}, "
                f"layer '{self.name}')"
            )
        axis = self.axis % rank
        out = list(shapes[0])
        for d in range(rank):
            if d == axis:
                sizes = [s[d] for s in shapes]
                out[d] = None if None in sizes else sum(sizes)
                continue
            known = {s[d] for s in shapes if s[d] is not None}
            if len(known) > 1:
                raise ValueError(
                    "A `Concatenate` layer requires inputs with matching shapes except for "
                    f"the concatenation axis. Received: input_shape={shapes} (axis="
                    f"{self.axis}, layer '{self.name}')"
                )
            out[d] = known.pop() if known else None
        return tuple(out)

    def call(self, inputs):
        self._check(_shapes(self, inputs))
        return _concatenate(list(inputs), self.axis)

    def compute_output_shape(self, input_shape):
        return self._check([tuple(s) for s in input_shape])

    def compute_mask(self, inputs, previous_mask):
        if previous_mask is None or not isinstance(previous_mask, (list, tuple)):
            return None
        if all(m is None for m in previous_mask):
            return None
        masks = []
        for x, m in zip(inputs, previous_mask):
            if m is None:
                masks.append(xp.ones(x.shape, dtype=bool))
            else:
                m = m._data.astype(bool)
                masks.append(xp.broadcast_to(m[..., None], x.shape) if m.ndim < x.ndim else m)
        return Tensor(xp.concatenate(masks, axis=self.axis).any(axis=-1))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def _l2_normalize(x, axis: int):
    """x / max(‖x‖₂, ε) along ``axis`` (ε = ``keras.backend.epsilon()``)."""
    norm = (x * x).sum(dim=axis, keepdim=True).sqrt()
    return x / _maximum(norm, Tensor(xp.asarray(kbackend.epsilon(), dtype=x.dtype)))


def batch_dot(x, y, axes):
    """Per-sample dot product over ``x``'s axis ``axes[0]`` and ``y``'s ``axes[1]``:
    the output keeps x's other axes, then y's other non-batch axes; a result of rank 1
    becomes ``(batch, 1)``."""
    a0, a1 = axes
    x_rest = [d for d in range(1, x.ndim) if d != a0]
    y_rest = [d for d in range(1, y.ndim) if d != a1]
    xm = permute(x, 0, *x_rest, a0)
    ym = permute(y, 0, a1, *y_rest)
    b = x.shape[0]
    x_dims = [x.shape[d] for d in x_rest]
    y_dims = [y.shape[d] for d in y_rest]
    m = 1
    for d in x_dims:
        m *= d
    out = reshape(xm, b, m, x.shape[a0]).matmul(reshape(ym, b, y.shape[a1], -1))
    out = reshape(out, b, *x_dims, *y_dims)
    return unsqueeze(out, 1) if out.ndim == 1 else out


class Dot(Layer):
    """Dot product of two samples-batched tensors along ``axes`` (an int for both, or
    one per input); ``normalize=True`` takes the cosine similarity (both L2-normalized
    along the axes first). ``(batch, d)`` · ``(batch, d)`` → ``(batch, 1)``."""

    def __init__(self, axes, normalize: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, numbers.Integral):
            self.axes = int(axes)
        elif isinstance(axes, (list, tuple)) and len(axes) == 2:
            self.axes = tuple(int(a) for a in axes)
        else:
            raise TypeError(
                "Invalid type/value for argument `axes`: expected an int or a list/tuple of "
                f"2 ints. Received: axes={axes!r}"
            )
        self.normalize = bool(normalize)
        self.supports_masking = True
        self._build_at_init()

    def _axes(self, shapes):
        if len(shapes) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received: {len(shapes)} "
                f"inputs of shapes {shapes} (layer '{self.name}')"
            )
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        axes = [a % len(s) if a < 0 else a for a, s in zip(pair, shapes)]
        (s1, s2), (a0, a1) = shapes, axes
        if min(len(s1), len(s2)) < 2 or 0 in axes or a0 >= len(s1) or a1 >= len(s2):
            raise ValueError(
                f"Layer '{self.name}' (Dot) cannot contract axes {axes} of inputs with shapes "
                f"{shapes}: both need rank >= 2 and the batch axis 0 cannot be an axis"
            )
        if s1[a0] is not None and s2[a1] is not None and s1[a0] != s2[a1]:
            raise ValueError(
                f"Incompatible input shapes: axis values {s1[a0]} (at axis {a0}) != "
                f"{s2[a1]} (at axis {a1}). Full input shapes: {s1}, {s2} (layer '{self.name}')"
            )
        return a0, a1

    def call(self, inputs):
        shapes = _shapes(self, inputs)
        a0, a1 = self._axes(shapes)
        x, y = inputs
        if self.normalize:
            x, y = _l2_normalize(x, a0), _l2_normalize(y, a1)
        return batch_dot(x, y, (a0, a1))

    def compute_output_shape(self, input_shape):
        s1, s2 = (tuple(s) for s in input_shape)
        a0, a1 = self._axes([s1, s2])
        out = (s1[0], *(d for i, d in enumerate(s1) if i not in (0, a0)),
               *(d for i, d in enumerate(s2) if i not in (0, a1)))  # fmt: skip
        return out if len(out) > 1 else (*out, 1)

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self) -> dict:
        axes = self.axes if isinstance(self.axes, int) else list(self.axes)
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def add(inputs, **kwargs):
    """Functional form of :class:`Add`: ``add([x1, x2])``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of :class:`Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of :class:`Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of :class:`Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of :class:`Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of :class:`Minimum`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of :class:`Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional form of :class:`Dot`."""
    return Dot(axes=axes, **kwargs)(inputs)
