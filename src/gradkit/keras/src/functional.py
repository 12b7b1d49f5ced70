"""The functional graph: a model defined by ``Model(inputs, outputs)`` over KerasTensors.

Building (``_init_graph``) walks the nodes back from the outputs as Keras' ``map_graph``
does: a depth-first search gives the nodes from inputs to outputs; each node's depth is
the longest path to an output; operations are listed by decreasing depth and, within a
depth, in first-traversal order. That order is ``model.layers`` and the order of
``model.weights``, as in Keras. Calling the model replays the nodes depth by depth on
real tensors.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from gradkit.keras.src import tree
from gradkit.keras.src.input_layer import InputLayer
from gradkit.keras.src.keras_tensor import KerasTensor
from gradkit.tensor import Tensor


def _build_map(inputs: list, outputs: list):
    finished, in_progress = set(), set()
    ordered, operation_indices = [], {}

    def visit(tensor):
        history = tensor._keras_history
        if history is None:
            raise ValueError(
                f"Tensor {tensor} was not produced by a layer: build models from "
                "keras.Input() tensors and layer calls"
            )
        operation, node_index = history.operation, history.node_index
        node = operation._inbound_nodes[node_index]
        if node in finished:
            return
        if not node.is_input and any(tensor is x for x in inputs):
            finished.add(node)
            return
        if node in in_progress:
            raise ValueError(
                f"Tensor {tensor} from operation '{operation.name}' is part of a cycle."
            )
        operation_indices.setdefault(operation, len(operation_indices))
        in_progress.add(node)
        if not node.is_input:
            for parent in node.input_tensors:
                visit(parent)
        finished.add(node)
        in_progress.discard(node)
        ordered.append(node)

    for output in outputs:
        visit(output)
    return ordered, operation_indices


def map_graph(inputs: list, outputs: list):
    """``(nodes_by_depth, operations)`` of the graph from ``inputs`` to ``outputs``."""
    ordered, operation_indices = _build_map(inputs, outputs)
    in_graph = set(ordered)
    node_depths: dict = {}
    operation_depths: dict = {}
    for node in reversed(ordered):
        depth = node_depths.setdefault(node, 0)
        depth = max(depth, operation_depths.get(node.operation, 0))
        operation_depths[node.operation] = depth
        node_depths[node] = depth
        for parent in node.parent_nodes:
            if parent in in_graph:
                node_depths[parent] = max(depth + 1, node_depths.get(parent, 0))
    for x in inputs:
        operation = x._keras_history.operation
        if operation not in operation_depths:
            node = operation._inbound_nodes[x._keras_history.node_index]
            if node.is_input:
                operation_depths[operation] = 0
                operation_indices[operation] = -1
                node_depths[node] = 0
    nodes_by_depth = defaultdict(list)
    for node, depth in node_depths.items():
        nodes_by_depth[depth].append(node)
    operations_by_depth = defaultdict(list)
    for operation, depth in operation_depths.items():
        operations_by_depth[depth].append(operation)
    operations = []
    for depth in sorted(operations_by_depth, reverse=True):
        operations.extend(sorted(operations_by_depth[depth], key=lambda op: operation_indices[op]))
    computable = {id(x) for x in inputs}
    done = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for x in node.input_tensors:
                if id(x) not in computable:
                    raise ValueError(
                        f"Graph disconnected: cannot find parent for tensor {x} at operation "
                        f"'{node.operation.name}'. The following previous operations were "
                        f"accessed without issue: {done}"
                    )
            done.append(node.operation.name)
            computable.update(id(x) for x in node.outputs)
    names = [op.name for op in operations]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the model. All '
                "operation names should be unique."
            )
    return dict(nodes_by_depth), operations


class GraphMixin:
    """The functional part of ``Model``: set up by ``_init_graph(inputs, outputs)``."""

    def _init_graph(self, inputs, outputs) -> None:
        if isinstance(inputs, dict):
            for key, value in inputs.items():
                if isinstance(value, KerasTensor) and key != value.name:
                    raise ValueError(
                        "When providing `inputs` as a dict, all keys in the dict must match the "
                        f"names of the corresponding tensors. Received key '{key}' mapping to "
                        f"value {value} which has name '{value.name}'. Change the tensor name "
                        f"to '{key}' (via `Input(..., name='{key}')`)"
                    )
        flat_inputs, flat_outputs = tree.flatten(inputs), tree.flatten(outputs)
        for label, values, struct in (
            ("inputs", flat_inputs, inputs),
            ("outputs", flat_outputs, outputs),
        ):
            for x in values:
                if not isinstance(x, KerasTensor):
                    raise ValueError(
                        f"All `{label}` values must be KerasTensors. Received: {label}={struct} "
                        f"including invalid value {x!r} of type {type(x)}"
                    )
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        set_ = object.__setattr__
        set_(self, "_inputs_struct", inputs)
        set_(self, "_outputs_struct", outputs)
        set_(self, "_inputs", flat_inputs)
        set_(self, "_outputs", flat_outputs)
        nodes_by_depth, operations = map_graph(flat_inputs, flat_outputs)
        set_(self, "_nodes_by_depth", nodes_by_depth)
        set_(self, "_operations", operations)
        set_(self, "_is_graph_network", True)
        modules = self.__dict__["_modules"]
        for operation in operations:
            modules[operation.name] = operation
        from gradkit.keras.src.input_spec import InputSpec

        self._input_spec = [
            InputSpec(
                shape=(None, *x.shape[1:]),
                allow_last_axis_squeeze=True,
                name=x._keras_history.operation.name,
            )
            for x in flat_inputs
        ]
        set_(self, "built", True)

    # ------------------------------------------------------------------ inputs
    @property
    def inputs(self) -> list:
        return list(self._inputs)

    @property
    def outputs(self) -> list:
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = tree.map_structure(lambda x: x.shape, self._inputs_struct)
        return shapes

    @property
    def output_shape(self):
        return tree.map_structure(lambda x: x.shape, self._outputs_struct)

    def _flat_inputs(self, inputs) -> list:
        struct = self._inputs_struct
        if isinstance(struct, list) and len(struct) == 1 and not tree.is_nested(inputs):
            inputs = [inputs]
        elif isinstance(inputs, dict) and not isinstance(struct, dict):
            expected = [x.name for x in self._inputs]
            if not set(expected) <= set(inputs):
                raise ValueError(
                    f'Model "{self.name}" expects inputs named {expected}, but got a dict with '
                    f"keys {sorted(inputs)}"
                )
            inputs = [inputs[name] for name in expected]
        elif isinstance(struct, dict) and isinstance(inputs, dict):
            missing = sorted(set(struct) - set(inputs))
            if missing:
                raise ValueError(
                    f'Model "{self.name}" expects inputs {sorted(struct)}; missing {missing}'
                )
            inputs = {k: inputs[k] for k in struct}
        elif isinstance(struct, KerasTensor) and isinstance(inputs, (list, tuple)):
            if len(inputs) == 1:
                inputs = inputs[0]
        flat = tree.flatten(inputs)
        if len(flat) != len(self._inputs):
            raise ValueError(
                f'Layer "{self.name}" expects {len(self._inputs)} input(s), but it received '
                f"{len(flat)} input tensors. Expected inputs: "
                f"{[x.name for x in self._inputs]}"
            )
        return flat

    def _check_input_shapes(self, flat) -> None:
        for i, (x, ref) in enumerate(zip(flat, self._inputs)):
            if x is None:
                continue
            shape = tuple(x.shape)
            ref_shape = ref.shape
            adjusted = shape
            if len(shape) == len(ref_shape) + 1 and shape[-1] == 1:
                adjusted = shape[:-1]
            elif len(shape) == len(ref_shape) - 1 and ref_shape[-1] == 1:
                adjusted = (*shape, 1)
            ok = len(adjusted) == len(ref_shape) and all(
                r is None or d is None or r == d for r, d in zip(ref_shape, adjusted)
            )
            if not ok:
                raise ValueError(
                    f"Input {i} with name '{ref._keras_history.operation.name}' of layer "
                    f"'{self.name}' is incompatible with the layer: expected "
                    f"shape={ref_shape}, found shape={shape}"
                )

    def _standardize_inputs(self, inputs) -> list:
        flat = self._flat_inputs(inputs)
        self._check_input_shapes(flat)
        out = []
        for x, ref in zip(flat, self._inputs):
            if x is None:
                layer = ref._keras_history.operation
                if isinstance(layer, InputLayer) and not layer.optional:
                    raise ValueError(
                        f"The input '{ref.name}' is not optional, but None was passed. Please "
                        "provide a valid tensor."
                    )
                out.append(None)
                continue
            if isinstance(x, KerasTensor):
                out.append(x)
                continue
            mask = getattr(x, "_keras_mask", None)
            if not isinstance(x, Tensor):
                x = Tensor(np.asarray(x, dtype=ref.dtype))
            elif np.dtype(ref.dtype) != x.dtype:
                x = x.to(np.dtype(ref.dtype))
            if x.ndim == len(ref.shape) + 1 and x.shape[-1] == 1:
                x = x.squeeze(-1)
            elif x.ndim == len(ref.shape) - 1 and ref.shape[-1] == 1:
                x = x.unsqueeze(-1)
            if mask is not None:
                x._keras_mask = mask
            out.append(x)
        return out

    def _assert_input_compatibility(self, first) -> None:
        self._check_input_shapes(self._flat_inputs(first))

    # ------------------------------------------------------------------ running
    def _run_graph(self, inputs, training=None):
        flat = self._standardize_inputs(inputs)
        values = {id(x): y for x, y in zip(self._inputs, flat)}
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                if node.is_input or any(id(x) not in values for x in node.input_tensors):
                    continue

                def fill(x):
                    return values[id(x)] if isinstance(x, KerasTensor) else x

                args = tree.map_structure(fill, node.call_args)
                kwargs = {k: tree.map_structure(fill, v) for k, v in node.call_kwargs.items()}
                out = node.operation(*args, **kwargs)
                for x, y in zip(node.outputs, tree.flatten(out)):
                    values[id(x)] = y
        results = []
        for i, x in enumerate(self._outputs):
            if id(x) not in values:
                raise ValueError(f"Output {i} ({x.name}) is not connected to the inputs")
            results.append(values[id(x)])
        return tree.pack_sequence_as(self._outputs_struct, results)

    @property
    def layers(self) -> list:
        from gradkit.keras.src.layer import Layer

        return [op for op in self._operations if isinstance(op, Layer)]
