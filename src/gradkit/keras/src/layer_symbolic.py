"""The symbolic side of a Keras layer (mixed into ``keras.Layer``): a call on
KerasTensors records a :class:`Node` and returns KerasTensors whose shapes come from
``compute_output_shape`` or from two probe runs on zeros (see the Layer docstring)."""

from __future__ import annotations

import numpy as np

from gradkit.keras.src import backend as kbackend
from gradkit.keras.src import tree
from gradkit.keras.src.keras_tensor import KerasTensor, Node
from gradkit.nn.module import Module
from gradkit.tensor import Tensor, no_grad


def _shape_of(x):
    if x is None:
        return None
    if isinstance(x, (Tensor, KerasTensor, np.ndarray)):
        return tuple(x.shape)
    if tree.is_nested(x):
        return tree.map_structure(_shape_of, x)
    return None


def _dtype_name(dtype) -> str:
    return kbackend.standardize_dtype(dtype)


class SymbolicMixin:
    """Functional-API calls of :class:`~gradkit.keras.src.layer.Layer`."""

    # ------------------------------------------------------------------ symbolic
    def _symbolic_call(self, args, kwargs):
        self._assert_input_compatibility(args[0])
        if not self.built:
            self._maybe_build(args, kwargs)
        outputs = self.compute_output_spec(*args, **kwargs)
        object.__setattr__(self, "built", True)
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensor(s) for the outputs of a call on KerasTensor inputs (see the
        module docstring: ``compute_output_shape`` if overridden, else two probe runs)."""
        if type(self).compute_output_shape is not SymbolicMixin.compute_output_shape:
            shapes = self._shapes_for(self.compute_output_shape, args, kwargs)
            out_shape = self.compute_output_shape(**shapes)
            if isinstance(out_shape, list) and tree.is_shape_tuple(out_shape):
                out_shape = tuple(out_shape)
            return tree.map_shape_structure(
                lambda s: KerasTensor(s, dtype=self.compute_dtype), out_shape
            )
        return self._probe_output_spec(args, kwargs)

    def _probe_output_spec(self, args, kwargs):
        leaves = [x for x in tree.flatten([list(args), kwargs]) if isinstance(x, KerasTensor)]
        unknown = any(d is None for x in leaves for d in x.shape)
        fills = (2, 3) if unknown else (2,)
        runs = []
        for fill in fills:

            def concrete(x, fill=fill):
                if not isinstance(x, KerasTensor):
                    return x
                shape = tuple(fill if d is None else d for d in x.shape)
                return Tensor(np.zeros(shape, dtype=x.dtype))

            a = tree.map_structure(concrete, args)
            kw = {k: tree.map_structure(concrete, v) for k, v in kwargs.items()}
            kw.setdefault("training", False)
            outer = kbackend._call_context[0]
            kbackend._call_context[0] = None
            try:
                with no_grad():
                    runs.append(self(*a, **kw))
            except Exception as exc:
                raise type(exc)(
                    f"Layer '{self.name}' ({type(self).__name__}) could not be called on "
                    f"symbolic inputs of shape {_shape_of(args[0])}: {exc}"
                ) from exc
            finally:
                kbackend._call_context[0] = outer
                self._clear_losses()
        flat = [tree.flatten(run) for run in runs]
        specs = []
        for i, out in enumerate(flat[0]):
            if not isinstance(out, Tensor):
                specs.append(out)
                continue
            shape = list(out.shape)
            for other in flat[1:]:
                shape = [a if a == b else None for a, b in zip(shape, other[i].shape)]
            if len(flat) == 1:
                batch = [x.shape[0] for x in leaves if x.ndim]
                if shape and batch and batch[0] is None:
                    shape[0] = None
            specs.append(KerasTensor(tuple(shape), dtype=_dtype_name(out.dtype)))
        return tree.pack_sequence_as(runs[0], specs)

    def compute_output_shape(self, *args, **kwargs):
        raise NotImplementedError(
            f"Layer {type(self).__name__} should implement "
            "`def compute_output_shape(self, input_shape)`."
        )

    # ------------------------------------------------------------------ graph info
    def _node_attribute(self, attr: str, label: str):
        if not self._inbound_nodes:
            raise AttributeError(
                f"The layer {self.name} has never been called and thus has no defined {label}."
            )
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"The layer {self.name} has been called {len(self._inbound_nodes)} times, so "
                f"its {label} is ambiguous; use the model's tensors instead."
            )
        node = self._inbound_nodes[0]
        values = node.input_tensors if attr == "input" else node.outputs
        return values[0] if len(values) == 1 else values

    def __getattr__(self, name: str):
        if name in ("input", "output"):  # the property raised: say why
            self._node_attribute(name, name)
        return Module.__getattr__(self, name)

    @property
    def input(self):
        """The symbolic input of the layer's (single) functional call."""
        return self._node_attribute("input", "input")

    @property
    def output(self):
        """The symbolic output of the layer's (single) functional call."""
        return self._node_attribute("output", "output")
