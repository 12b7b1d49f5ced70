"""Nested structures of tensors (lists, tuples, dicts), as ``keras.tree``.

Dicts flatten in sorted key order, as in Keras (optree); ``None`` is a leaf.
"""

from __future__ import annotations

from collections.abc import Callable


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def flatten(structure) -> list:
    """The leaves of ``structure``, depth first."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn: Callable, structure):
    """The same structure with ``fn`` applied to every leaf."""
    if isinstance(structure, dict):  # leaves are visited in sorted key order, as flatten
        mapped = {k: map_structure(fn, structure[k]) for k in sorted(structure)}
        return type(structure)((k, mapped[k]) for k in structure)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*(map_structure(fn, v) for v in structure))
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)


def pack_sequence_as(structure, flat: list):
    """Put the leaves ``flat`` back into the shape of ``structure``."""
    leaves = iter(flat)

    def take(_):
        return next(leaves)

    return map_structure(take, structure)


def is_shape_tuple(value) -> bool:
    return isinstance(value, (list, tuple)) and all(d is None or isinstance(d, int) for d in value)


def map_shape_structure(fn: Callable, structure):
    """Apply ``fn`` to every shape tuple inside a nested structure of shapes."""
    if is_shape_tuple(structure):
        return fn(tuple(structure))
    if isinstance(structure, dict):
        return {k: map_shape_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_shape_structure(fn, v) for v in structure)
    return fn(structure)
