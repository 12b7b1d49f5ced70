"""Argument checks shared by the functional layers and losses."""

from __future__ import annotations

from gradkit.tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"reduction must be one of {', '.join(repr(r) for r in REDUCTIONS)}, got {reduction!r}"
        )


def as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def check_same_shape(name: str, input: Tensor, target: Tensor) -> None:  # noqa: A002
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: input shape {tuple(input.shape)} and target shape "
            f"{tuple(target.shape)} must be equal"
        )


def constant(value, like: Tensor, name: str, shape=None):
    """An optional constant argument (class weights, pos_weight) as an array of
    ``like``'s dtype, checked to broadcast against ``shape`` when given."""
    if value is None:
        return None
    array = (value._data if isinstance(value, Tensor) else Tensor(value)._data).astype(
        like.dtype, copy=False
    )
    if shape is not None and array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {tuple(array.shape)}")
    return array
