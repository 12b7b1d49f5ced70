"""Padding layers with PyTorch's names and arguments: ``ZeroPad{1,2,3}d``,
``ConstantPad{1,2,3}d``, ``ReflectionPad{1,2,3}d``, ``ReplicationPad{1,2,3}d`` and
``CircularPad{1,2,3}d``, each a call of :func:`gradkit.ops.padding.pad` (``F.pad``)."""

from __future__ import annotations

import operator

from gradkit.nn.module import Module
from gradkit.ops.padding import pad
from gradkit.tensor import Tensor


class _PadNd(Module):
    """Pad the last ``dims`` axes by ``padding``: an int for every side, or the
    2·``dims`` amounts (left, right, top, bottom, front, back) in ``F.pad``'s order.

    Shape: each padded axis of size n becomes n + before + after.
    """

    dims = 1
    mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        n = 2 * self.dims
        try:
            sides = (
                (operator.index(padding),) * n
                if not isinstance(padding, (tuple, list))
                else tuple(operator.index(p) for p in padding)
            )
        except TypeError:
            sides = ()
        if len(sides) != n:
            raise ValueError(
                f"{type(self).__name__}: padding must be an int or {n} ints "
                f"({', '.join(('left', 'right', 'top', 'bottom', 'front', 'back')[:n])}), "
                f"got {padding!r}"
            )
        self.padding = sides

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last axis with ``value``: (left, right)."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two axes with ``value``: (left, right, top, bottom)."""

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three axes with ``value``: (left, right, top, bottom, front, back)."""

    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last axis with zeros: (left, right).

    Examples
    --------
    >>> import gradkit as gk
    >>> ZeroPad1d((1, 2))(gk.ones(1, 2, 3)).shape
    (1, 2, 6)
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two axes with zeros: (left, right, top, bottom).

    Examples
    --------
    >>> import gradkit as gk
    >>> ZeroPad2d((1, 0, 2, 0))(gk.ones(1, 1, 2, 2)).shape
    (1, 1, 4, 3)
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three axes with zeros: (left, right, top, bottom, front, back)."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Reflect the last axis about its end elements (not repeated): (left, right), each
    less than the axis size. Input (N, C, W) or (C, W)."""

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Reflect the last two axes: (left, right, top, bottom). Input (N, C, H, W) or
    (C, H, W).

    Examples
    --------
    >>> import gradkit as gk
    >>> ReflectionPad2d(1)(gk.arange(4.0).reshape(1, 2, 2))
    tensor([[[3., 2., 3., 2.],
             [1., 0., 1., 0.],
             [3., 2., 3., 2.],
             [1., 0., 1., 0.]]])
    """

    dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Reflect the last three axes. Input (N, C, D, H, W) or (C, D, H, W)."""

    dims = 3


class ReplicationPad1d(_PadNd):
    """Repeat the edge elements of the last axis: (left, right)."""

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Repeat the edge elements of the last two axes: (left, right, top, bottom)."""

    dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Repeat the edge elements of the last three axes."""

    dims = 3


class CircularPad1d(_PadNd):
    """Wrap the last axis around (periodic boundary): (left, right)."""

    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Wrap the last two axes around: (left, right, top, bottom)."""

    dims = 2


class CircularPad3d(CircularPad1d):
    """Wrap the last three axes around."""

    dims = 3
