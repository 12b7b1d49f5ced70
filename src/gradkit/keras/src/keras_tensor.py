"""Symbolic tensors and graph nodes of the functional API.

``keras.Input((3,))`` returns a :class:`KerasTensor`: a shape with ``None`` for the
batch axis, a dtype and a history ``(layer, node_index, tensor_index)`` naming the
layer call that produced it. Calling a layer on KerasTensors records a :class:`Node`
(the layer, the call's arguments, its output KerasTensors) instead of computing; a
functional ``Model(inputs, outputs)`` walks those nodes back from its outputs and
replays them on real tensors.
"""

from __future__ import annotations

from collections import namedtuple

from gradkit.keras.src import tree
from gradkit.keras.src.backend import auto_name, standardize_dtype

KerasHistory = namedtuple("KerasHistory", ["operation", "node_index", "tensor_index"])


#: ``{"record": symbolic_op}``, filled in by ``gradkit.keras.src.ops_layer`` when it loads
#: (it builds on Layer, which builds on this module)
SYMBOLIC_OPS: dict = {}


class KerasTensor:
    """A symbolic tensor: shape (``None`` for unknown axes), dtype, name, history.

    Parameters
    ----------
    shape : tuple of int or None
        Including the batch axis, as Keras shows it: ``(None, 28, 28, 1)``.
    dtype : str
        ``"float32"`` by default.
    """

    def __init__(self, shape, dtype="float32", sparse: bool = False, name=None) -> None:
        try:
            self._shape = tuple(None if d is None else int(d) for d in shape)
        except TypeError:
            raise ValueError(
                f"KerasTensor shape must be a tuple of ints or None, got {shape!r}"
            ) from None
        self._dtype = standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.name = name or auto_name("KerasTensor")
        self._keras_history: KerasHistory | None = None
        self._keras_mask = None

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def __repr__(self) -> str:
        return (
            f"<KerasTensor shape={self._shape}, dtype={self._dtype}, sparse={self.sparse}, "
            f"ragged=False, name={self.name}>"
        )

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a Python bool.")

    def __len__(self):
        raise TypeError(
            "A symbolic KerasTensor has no len(); use its .shape (the batch axis is None)."
        )

    def __iter__(self):
        raise TypeError(
            "A symbolic KerasTensor cannot be iterated; index it or use a layer such as "
            "keras.layers.Lambda."
        )

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "A symbolic KerasTensor (from keras.Input or a layer called on one) has no "
            "values: it is converted only when a Model built from it is called on data."
        )

    # arithmetic on symbolic tensors records an operation layer (see ops_layer)
    def _op(self, name, *others, **kwargs):
        return SYMBOLIC_OPS["record"](name, self, *others, **kwargs)

    def __add__(self, other):
        return self._op("add", other)

    def __radd__(self, other):
        return self._op("radd", other)

    def __sub__(self, other):
        return self._op("sub", other)

    def __rsub__(self, other):
        return self._op("rsub", other)

    def __mul__(self, other):
        return self._op("mul", other)

    def __rmul__(self, other):
        return self._op("rmul", other)

    def __truediv__(self, other):
        return self._op("truediv", other)

    def __rtruediv__(self, other):
        return self._op("rtruediv", other)

    def __pow__(self, other):
        return self._op("pow", other)

    def __matmul__(self, other):
        return self._op("matmul", other)

    def __neg__(self):
        return self._op("neg")

    def __abs__(self):
        return self._op("abs")

    def __getitem__(self, key):
        return self._op("getitem", key=key)


def any_symbolic(args=(), kwargs=None) -> bool:
    """Whether a KerasTensor occurs anywhere in ``args`` or ``kwargs``."""
    return any(isinstance(x, KerasTensor) for x in tree.flatten([list(args), kwargs or {}]))


class Node:
    """One recorded layer call: ``operation(*call_args, **call_kwargs) -> outputs``.

    Creating a node stamps every output KerasTensor with its history and links the node
    into the layers' ``_inbound_nodes`` / ``_outbound_nodes``.
    """

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=None) -> None:
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.output_structure = outputs
        self.outputs = [t for t in tree.flatten(outputs) if isinstance(t, KerasTensor)]
        flat_inputs = tree.flatten([list(self.call_args), self.call_kwargs])
        self.input_tensors = [t for t in flat_inputs if isinstance(t, KerasTensor)]
        self.is_input = not self.input_tensors
        node_index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for parent in self.input_tensors:
            if parent._keras_history is not None:
                parent._keras_history.operation._outbound_nodes.append(self)
        for i, tensor in enumerate(self.outputs):
            tensor._keras_history = KerasHistory(operation, node_index, i)

    @property
    def parent_nodes(self) -> list[Node]:
        parents = []
        for tensor in self.input_tensors:
            history = tensor._keras_history
            if history is not None:
                node = history.operation._inbound_nodes[history.node_index]
                if node not in parents:
                    parents.append(node)
        return parents

    def __repr__(self) -> str:
        return f"<Node operation={self.operation.name}, id={id(self)}>"
