"""What ``compile`` builds: the loss over the model's outputs and the metric set.

``CompileLoss``: one loss per output (a single loss applies to every output; a list
or a dict by output name picks them), each reduced over the batch, weighted by
``loss_weights`` and summed; with several outputs it tracks ``<output>_loss``.
``CompileMetrics``: the metrics per output, created at the first batch so that
``"accuracy"`` can become binary, sparse or categorical accuracy from the shapes (as
Keras decides); names are what the user typed (``"acc"``), a metric object's name,
prefixed ``<output>_`` when there are several outputs, and made unique with ``_1``.
"""

from __future__ import annotations

import numpy as np

from gradkit.keras import losses as losses_module
from gradkit.keras import metrics as metrics_module
from gradkit.keras.metrics.base import Mean, MeanMetricWrapper, Metric
from gradkit.keras.src import tree


def _is_function_loss(obj) -> bool:
    return not isinstance(obj, losses_module.Loss)


def _resolve_loss(identifier):
    loss = losses_module.get(identifier)
    if loss is None:
        return None
    if _is_function_loss(loss):
        name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
        loss = losses_module.LossFunctionWrapper(loss, name=name)
    return loss


def _structure(value, output_names, what: str) -> list:
    """``value`` as a list aligned with the outputs."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = set(value) - set(output_names)
        if unknown:
            raise ValueError(
                f"In the dict argument `{what}`, key(s) {sorted(unknown)} do not match any "
                f"model output. The model's outputs are named {output_names}."
            )
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and n > 1:
        if len(value) != n:
            raise ValueError(
                f"`{what}` should have one entry per output ({n} outputs: {output_names}); "
                f"received {len(value)} entries: {value!r}"
            )
        return list(value)
    if n > 1 and what == "loss":
        return [value] * n
    return [value]


class CompileLoss:
    """The compiled loss: ``(y_true, y_pred, sample_weight) -> scalar Tensor``."""

    def __init__(self, loss, loss_weights=None, output_names=None) -> None:
        self.output_names = list(output_names or ["output"])
        self.losses = [_resolve_loss(item) for item in _structure(loss, self.output_names,
                                                                  "loss")]  # fmt: skip
        if all(item is None for item in self.losses):
            raise ValueError("compile(): `loss` resolved to no loss for any output")
        if loss_weights is None:
            self.loss_weights = [1.0] * len(self.losses)
        else:
            weights = _structure(loss_weights, self.output_names, "loss_weights")
            self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.trackers = []
        if len(self.output_names) > 1:
            self.trackers = [
                Mean(name=f"{name}_loss") if loss is not None else None
                for name, loss in zip(self.output_names, self.losses)
            ]

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true = flatten_targets(y_true, self.output_names)
        y_pred = flatten_targets(y_pred, self.output_names)
        sample_weight = flatten_targets(sample_weight, self.output_names, allow_single=True)
        if len(y_true) != len(y_pred):
            raise ValueError(
                f"The model has {len(y_pred)} output(s) ({self.output_names}) but "
                f"{len(y_true)} target(s) were given"
            )
        total = None
        batch = None
        for i, (loss, weight, t, p) in enumerate(zip(self.losses, self.loss_weights, y_true,
                                                     y_pred)):  # fmt: skip
            if loss is None:
                continue
            sw = sample_weight[i] if len(sample_weight) > i else None
            value = loss(t, p, sample_weight=sw)
            if self.trackers and self.trackers[i] is not None:
                batch = batch or (len(p) if getattr(p, "ndim", 0) else 1)
                self.trackers[i].update_state(value._data, sample_weight=batch)
            term = value * weight if weight != 1.0 else value
            total = term if total is None else total + term
        return total

    def get_config(self) -> dict:
        return {"loss_weights": self.loss_weights}


def flatten_targets(values, output_names, allow_single: bool = False) -> list:
    """Targets or predictions as a list aligned with the outputs."""
    if values is None:
        return [None] * len(output_names)
    if isinstance(values, dict):
        missing = [n for n in output_names if n not in values]
        if missing and len(output_names) > 1:
            raise ValueError(
                f"Targets given as a dict must have one entry per output; missing {missing} "
                f"(outputs: {output_names})"
            )
        return [values.get(n) for n in output_names]
    if isinstance(values, (list, tuple)) and len(output_names) > 1:
        return list(values)
    if isinstance(values, (list, tuple)) and len(values) == 1 and not np.isscalar(values[0]):
        if hasattr(values[0], "shape"):
            return [values[0]]
    if allow_single and len(output_names) > 1:
        return [values] * len(output_names)
    return [values]


class CompileMetrics(Metric):
    """All compiled metrics; ``result()`` is a dict ``{name: value}``."""

    def __init__(self, metrics, weighted_metrics, output_names) -> None:
        super().__init__(name="compile_metrics")
        self.output_names = list(output_names or ["output"])
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self.built = False
        self._flat: list = []
        self._flat_weighted: list = []

    @property
    def metrics(self) -> list:
        return [m for group in (self._flat, self._flat_weighted) for ms in group for m in ms]

    @property
    def variables(self) -> list:
        return [v for m in self.metrics for v in m.variables]

    def _resolve(self, identifier, y_true, y_pred) -> Metric:
        if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
            shape_p = tuple(getattr(y_pred, "shape", ()))
            shape_t = tuple(np.shape(getattr(y_true, "_data", y_true)))
            if shape_p and shape_p[-1] == 1:
                return metrics_module.BinaryAccuracy(name=identifier)
            sparse = len(shape_t) == len(shape_p) - 1 or (shape_t and shape_t[-1] == 1)
            if sparse:
                return metrics_module.SparseCategoricalAccuracy(name=identifier)
            return metrics_module.CategoricalAccuracy(name=identifier)
        obj = metrics_module.get(identifier)
        if not isinstance(obj, Metric):
            name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None)
            wrapped = MeanMetricWrapper(obj, name=name)
            wrapped._direction = metrics_module.metric_direction(obj)
            return wrapped
        if isinstance(identifier, str):
            obj.name = identifier
        return obj

    def _build_group(self, spec, y_true, y_pred, what) -> list:
        if spec is None:
            return [[] for _ in self.output_names]
        n = len(self.output_names)
        if isinstance(spec, dict):
            per_output = _structure(spec, self.output_names, what)
        elif n == 1:
            per_output = [spec]
        else:
            if not isinstance(spec, (list, tuple)) or len(spec) != n:
                raise ValueError(
                    f"Invalid `{what}`. `{what}` should contain metrics objects and either be "
                    f"a dict or a list matching the output names of the functional model "
                    f"{self.output_names}. Received: {what}={spec!r}"
                )
            per_output = list(spec)
        groups = []
        for i, item in enumerate(per_output):
            if item is None:
                groups.append([])
                continue
            items = item if isinstance(item, (list, tuple)) else [item]
            groups.append([self._resolve(m, y_true[i], y_pred[i]) for m in items])
        return groups

    def build(self, y_true, y_pred) -> None:
        self._flat = self._build_group(self._user_metrics, y_true, y_pred, "metrics")
        self._flat_weighted = self._build_group(
            self._user_weighted, y_true, y_pred, "weighted_metrics"
        )
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = flatten_targets(y_true, self.output_names)
        y_pred = flatten_targets(y_pred, self.output_names)
        if not self.built:
            self.build(y_true, y_pred)
        for group, t, p in zip(self._flat, y_true, y_pred):
            for m in group:
                m.update_state(t, p)
        weights = flatten_targets(sample_weight, self.output_names, allow_single=True)
        for i, (group, t, p) in enumerate(zip(self._flat_weighted, y_true, y_pred)):
            for m in group:
                m.update_state(t, p, sample_weight=weights[i] if i < len(weights) else None)

    def result(self) -> dict:
        """``{name: value}`` with Keras' naming: ``<output>_`` prefixes for several
        outputs, ``_1``, ``_2`` for repeated names, ``weighted_`` for a weighted metric
        whose name is taken."""
        results, counters = {}, {}
        prefix = len(self.output_names) > 1
        for group, output in zip(self._flat, self.output_names):
            for m in group:
                name = f"{output}_{m.name}" if prefix else m.name
                if name in counters:
                    index = counters[name]
                    counters[name] += 1
                    name = f"{name}_{index}"
                else:
                    counters[name] = 1
                results[name] = m.result()
        for group, output in zip(self._flat_weighted, self.output_names):
            for m in group:
                name = f"{output}_{m.name}" if prefix else m.name
                if name not in counters:
                    counters[name] = 1
                else:
                    name = f"weighted_{m.name}"
                    if prefix:
                        name = f"{output}_{name}"
                    if name not in counters:
                        counters[name] = 1
                    else:
                        index = counters[name]
                        counters[name] += 1
                        name = f"{name}_{index}"
                results[name] = m.result()
        return results

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


def output_names_of(model) -> list:
    if getattr(model, "_is_graph_network", False):
        struct = model._outputs_struct
        if isinstance(struct, dict):
            return list(struct)
        return [x._keras_history.operation.name for x in tree.flatten(struct)]
    functional = getattr(model, "_functional", None)
    if functional is not None:
        return output_names_of(functional)
    return ["output"]
