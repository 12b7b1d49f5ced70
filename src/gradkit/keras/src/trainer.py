"""``compile``/``fit``/``evaluate``/``predict`` with Keras 3's semantics, on gradkit's
autograd (concepts NN-SEQ-API, NN-BACKPROP).

A training step is the loop one writes by hand: ``y_pred = model(x, training=True)``,
``loss = compute_loss(...)`` (compiled loss + ``model.losses``), ``loss.backward()``,
``optimizer.apply(grads, trainable_weights)``, then the metrics. Logs are running
means over the epoch (the loss weighted by batch size), sorted by name as Keras
sorts them; callbacks see the hooks in Keras' order (see
``gradkit.keras.callbacks.callback``). ``train_step``/``test_step``/``predict_step``
may be overridden as in Keras.
"""

from __future__ import annotations

import types
import warnings

import numpy as np

from gradkit.keras import optimizers as optimizers_module
from gradkit.keras.src import tree
from gradkit.keras.src.compile_utils import CompileLoss, CompileMetrics, output_names_of
from gradkit.keras.src.data_adapter import (
    ArrayIterator,
    DatasetIterator,
    EpochIterator,
    _is_dataset,
    check_finite,
    is_array_data,
    standardize_arrays,
    train_validation_split,
    unpack_x_y_sample_weight,
)
from gradkit.tensor import Tensor, no_grad
from gradkit.validation import check_int, check_probability


def pythonify_logs(logs) -> dict:
    """Logs as floats, nested dicts flattened, keys sorted (Keras' ``pythonify_logs``)."""
    out = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            out.update(pythonify_logs(value))
            continue
        if isinstance(value, Tensor):
            value = value._data
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        out[key] = value
    return out


def _batch_size_of(x) -> int:
    for leaf in tree.flatten(x):
        if leaf is not None and getattr(leaf, "ndim", 0):
            return int(leaf.shape[0])
    return 1


def _class_weight_to_sample_weight(y, class_weight: dict) -> np.ndarray:
    y = np.asarray(getattr(y, "_data", y))
    if y.ndim > 1 and y.shape[-1] != 1:
        classes = np.argmax(y, axis=-1)
    elif y.ndim > 1:
        classes = np.round(y[..., 0]).astype(np.int64)
    else:
        classes = np.round(y).astype(np.int64)
    unknown = set(np.unique(classes).tolist()) - set(int(k) for k in class_weight)
    if unknown:
        raise ValueError(
            f"`class_weight` has no weight for class(es) {sorted(unknown)} found in y; "
            f"classes given: {sorted(int(k) for k in class_weight)}"
        )
    lookup = {int(k): float(v) for k, v in class_weight.items()}
    return np.vectorize(lookup.get, otypes=[np.float32])(classes)


def _concat(batches):
    first = batches[0]
    if isinstance(first, dict):
        return {k: _concat([b[k] for b in batches]) for k in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([b[i] for b in batches]) for i in range(len(first)))
    return np.concatenate(batches, axis=0)


class Trainer:
    """Mixed into ``keras.Model``: everything about training and inference."""

    def _init_trainer(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "compiled", False)
        setattr_(self, "optimizer", None)
        setattr_(self, "loss", None)
        setattr_(self, "_compile_loss", None)
        setattr_(self, "_compile_metrics", None)
        setattr_(self, "_loss_tracker", None)
        setattr_(self, "stop_training", False)
        setattr_(self, "history", None)
        setattr_(self, "_compile_config", None)

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile="auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Choose the optimizer, loss(es) and metrics (Keras 3's arguments).

        ``optimizer``: a name (``"adam"``, with Keras' defaults) or a
        ``keras.optimizers`` instance (a ``gradkit.optim`` optimizer over
        ``model.parameters()`` works too). ``loss``: a name, a ``keras.losses`` object,
        a function ``(y_true, y_pred) -> per-sample values``, or a list/dict per
        output; ``loss_weights`` likewise. ``metrics``/``weighted_metrics``: names
        (``"accuracy"`` resolved from the data as Keras does), metric objects or
        functions, per output as a list or dict. ``run_eagerly``, ``jit_compile`` and
        ``steps_per_execution`` are accepted; gradkit always runs eagerly.
        """
        setattr_ = object.__setattr__
        if isinstance(optimizer, str) or isinstance(optimizer, dict):
            optimizer = optimizers_module.get(optimizer)
        elif not isinstance(optimizer, optimizers_module.Optimizer) and not (
            hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")
        ):
            raise ValueError(
                f"Could not interpret optimizer identifier: {optimizer!r} (expected a name "
                "such as 'adam' or a keras.optimizers.Optimizer)"
            )
        names = output_names_of(self)
        setattr_(self, "optimizer", optimizer)
        # As in Keras 3, compiling again without a loss keeps the loss compiled before,
        # and without metrics keeps the metrics (keras.io's training guide relies on it).
        if loss is not None:
            setattr_(self, "loss", loss)
            setattr_(self, "_compile_loss", CompileLoss(loss, loss_weights, names))
        if metrics is not None or weighted_metrics is not None:
            setattr_(self, "_compile_metrics", CompileMetrics(metrics, weighted_metrics, names))
        from gradkit.keras.metrics.base import Mean

        setattr_(self, "_loss_tracker", Mean(name="loss"))
        setattr_(self, "run_eagerly", run_eagerly)
        setattr_(self, "compiled", True)
        setattr_(self, "_compile_config", {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
        })  # fmt: skip

    def _assert_compile_called(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before using the model. (`{method}` was called on "
                f"model '{self.name}' before `compile()`.)"
            )

    @property
    def metrics(self) -> list:
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_loss is not None and self._compile_loss.trackers:
            out.extend(t for t in self._compile_loss.trackers if t is not None)
        if self._compile_metrics is not None:
            out.append(self._compile_metrics)
        for layer in self._flatten_layers(include_self=False):
            out.extend(getattr(layer, "_tracked_metrics", []))
        return out

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def _flat_compiled_metrics(self) -> list:
        return self._compile_metrics.metrics if self._compile_metrics is not None else []

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict:
        out = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[metric.name] = result
        return pythonify_logs(out)

    def _flatten_metrics_in_order(self, logs: dict):
        names = []
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                names.extend(m.name for m in metric.metrics)
            else:
                names.append(metric.name)
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    # ------------------------------------------------------------------ steps
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of ``y_pred`` against ``y`` plus ``self.losses``
        (regularization penalties and ``add_loss`` terms)."""
        terms = []
        if self._compile_loss is not None:
            value = self._compile_loss(y, y_pred, sample_weight)
            if value is not None:
                terms.append(value)
        terms.extend(loss.sum() if loss.ndim else loss for loss in self.losses)
        if not terms:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics and return every metric's result."""
        if self._compile_metrics is not None:
            with no_grad():
                self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data) -> dict:
        """One step on a batch: forward, loss, backward, optimizer update, metrics."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self._loss_tracker.update_state(loss._data, sample_weight=_batch_size_of(x))
        self._apply_gradients(loss)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def _apply_gradients(self, loss) -> None:
        optimizer = self.optimizer
        if not isinstance(optimizer, optimizers_module.Optimizer):  # a gradkit.optim one
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return
        trainable = self.trainable_weights
        if not trainable:
            import warnings

            warnings.warn("The model does not have any trainable weights.", stacklevel=3)
            return
        for weight in trainable:
            weight.grad = None
        if not loss.requires_grad:
            raise ValueError(
                "The loss does not depend on any trainable weight: check that the model's "
                "output comes from its layers"
            )
        loss.backward()
        optimizer.apply([w.grad for w in trainable], trainable)

    def test_step(self, data) -> dict:
        """Loss and metrics on a batch, in inference mode."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)  # fmt: skip
        self._loss_tracker.update_state(loss._data, sample_weight=_batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _logs_or_metrics(self, logs) -> dict:
        metric_logs = self.get_metrics_result()
        logs = pythonify_logs(logs)
        if set(logs) == set(metric_logs):
            return metric_logs
        return logs

    # ------------------------------------------------------------------ data
    def _make_iterator(self, x, y, sample_weight, batch_size, shuffle, where, class_weight=None):
        if is_array_data(x):
            batch_size = 32 if batch_size is None else check_int(where, "batch_size", batch_size)
            x, y = standardize_arrays(x), standardize_arrays(y)
            sample_weight = standardize_arrays(sample_weight)
            check_finite(x, f"{where}(): x")
            if y is not None:
                check_finite(y, f"{where}(): y")
            if class_weight is not None:
                sample_weight = self._class_weights(y, sample_weight, class_weight)
            return ArrayIterator(x, y, sample_weight, batch_size, shuffle)
        if y is not None:
            raise ValueError(
                f"{where}(): `y` must not be given when `x` is a dataset or generator (the "
                "batches carry the targets)"
            )
        if sample_weight is not None:
            raise ValueError(
                f"{where}(): `sample_weight` must not be given when `x` is a dataset or "
                "generator (let each batch be `(x, y, sample_weight)`)"
            )
        if class_weight is not None:
            raise ValueError("`class_weight` is only supported with array inputs in gradkit")
        if shuffle and not _is_dataset(x):
            kind = "generator" if isinstance(x, types.GeneratorType) else type(x).__name__
            warnings.warn(
                f"`shuffle=True` was passed, but will be ignored since the data `x` was "
                f"provided as a {kind} (an iterable of batches), which is expected to yield "
                "already-shuffled data.",
                stacklevel=3,
            )
        return DatasetIterator(x, shuffle=bool(shuffle))

    def _class_weights(self, y, sample_weight, class_weight):
        if not isinstance(class_weight, dict):
            raise ValueError(f"`class_weight` must be a dict, got {type(class_weight).__name__}")
        if len(tree.flatten(y)) != 1:
            raise ValueError("`class_weight` is only supported for Models with a single output.")
        weights = _class_weight_to_sample_weight(tree.flatten(y)[0], class_weight)
        return weights if sample_weight is None else weights * sample_weight

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs: int = 1,
        verbose="auto",
        callbacks=None,
        validation_split: float = 0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch: int = 0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        """Train for ``epochs`` epochs; returns the :class:`History` (Keras 3's
        arguments and meaning)."""
        from gradkit.keras.callbacks.callback_list import CallbackList

        self._assert_compile_called("fit")
        if x is None:
            raise ValueError("fit() needs input data x")
        epochs = check_int("fit", "epochs", epochs, low=0)
        initial_epoch = check_int("fit", "initial_epoch", initial_epoch, low=0)
        if steps_per_epoch is not None:
            steps_per_epoch = check_int("fit", "steps_per_epoch", steps_per_epoch)
        validation_split = check_probability("fit", "validation_split", validation_split,
                                             high_open=True)  # fmt: skip
        if verbose not in (0, 1, 2, "auto"):
            raise ValueError(f"fit: `verbose` must be 0, 1, 2 or 'auto', got {verbose!r}")
        verbose = 1 if verbose == "auto" else verbose
        if validation_split and validation_data is None:
            if not is_array_data(x):
                raise ValueError(
                    "`validation_split` is only supported for arrays; pass validation_data "
                    "for datasets and generators"
                )
            arrays = (standardize_arrays(x), standardize_arrays(y),
                      standardize_arrays(sample_weight))  # fmt: skip
            (x, y, sample_weight), validation_data = train_validation_split(
                arrays, validation_split
            )
        source = self._make_iterator(x, y, sample_weight, batch_size, shuffle, "fit",
                                     class_weight)  # fmt: skip
        iterator = EpochIterator(source, steps_per_epoch)
        val = None
        if validation_data is not None:
            if isinstance(validation_data, (tuple, list)) and is_array_data(validation_data[0]):
                val_x, val_y, val_sw = unpack_x_y_sample_weight(tuple(validation_data))
                val = (val_x, val_y, val_sw)
            else:
                val = (validation_data, None, None)
        if isinstance(callbacks, CallbackList):
            callback_list = callbacks
        else:
            callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                         model=self, verbose=verbose, epochs=epochs,
                                         steps=iterator.num_batches)  # fmt: skip
        object.__setattr__(self, "stop_training", False)
        training_logs = {}
        callback_list.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            for step, batch in iterator:
                callback_list.on_train_batch_begin(step)
                logs = self.train_step(batch)
                callback_list.on_train_batch_end(step, pythonify_logs(logs))
                if self.stop_training:
                    break
            epoch_logs = dict(self._logs_or_metrics(logs))
            if val is not None and self._should_eval(epoch, validation_freq):
                val_logs = self.evaluate(
                    x=val[0], y=val[1], sample_weight=val[2],
                    batch_size=validation_batch_size or batch_size, steps=validation_steps,
                    callbacks=callback_list, return_dict=True, verbose=0,
                )  # fmt: skip
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training or iterator._exhausted:
                break
        if isinstance(self.optimizer, optimizers_module.Optimizer) and epochs > 0:
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callback_list.on_train_end(logs=training_logs)
        return self.history

    @staticmethod
    def _should_eval(epoch: int, validation_freq) -> bool:
        epoch = epoch + 1
        if isinstance(validation_freq, int):
            return epoch % validation_freq == 0
        if isinstance(validation_freq, (list, tuple)):
            return epoch in validation_freq
        raise ValueError(
            f"Expected `validation_freq` to be a list or int. Received: "
            f"validation_freq={validation_freq!r} of the type {type(validation_freq)}."
        )

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict: bool = False,
        **kwargs,
    ):
        """The loss and metrics on ``(x, y)`` in inference mode: a scalar (loss only), a
        list ``[loss, *metrics]``, or a dict with ``return_dict=True``."""
        from gradkit.keras.callbacks.callback_list import CallbackList

        self._assert_compile_called("evaluate")
        if x is None:
            raise ValueError("evaluate() needs input data x")
        verbose = 1 if verbose == "auto" else verbose
        source = self._make_iterator(x, y, sample_weight, batch_size, False, "evaluate")
        iterator = EpochIterator(source, steps)
        if isinstance(callbacks, CallbackList):
            callback_list = callbacks
        else:
            callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                         verbose=verbose, epochs=1,
                                         steps=iterator.num_batches)  # fmt: skip
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = {}
        with no_grad():
            for step, batch in iterator:
                callback_list.on_test_batch_begin(step)
                logs = self.test_step(batch)
                callback_list.on_test_batch_end(step, pythonify_logs(logs))
        logs = self._logs_or_metrics(logs)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x`` in inference mode, batch by batch, as NumPy arrays
        (a list or dict of them for several outputs)."""
        from gradkit.keras.callbacks.callback_list import CallbackList

        verbose = 1 if verbose == "auto" else verbose
        source = self._make_iterator(x, None, None, batch_size, False, "predict")
        iterator = EpochIterator(source, steps)
        if isinstance(callbacks, CallbackList):
            callback_list = callbacks
        else:
            callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                         verbose=verbose, epochs=1,
                                         steps=iterator.num_batches)  # fmt: skip
        callback_list.on_predict_begin()
        outputs = []
        with no_grad():
            for step, batch in iterator:
                callback_list.on_predict_batch_begin(step)
                out = tree.map_structure(
                    lambda t: t._data if isinstance(t, Tensor) else np.asarray(t),
                    self.predict_step(batch),
                )
                outputs.append(out)
                callback_list.on_predict_batch_end(step, {"outputs": out})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("predict(): no batches were produced from x")
        return _concat(outputs)

    # ------------------------------------------------------------------ single batches
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict: bool = False):  # fmt: skip
        """One optimizer step on one batch; metrics accumulate across calls (Keras 3)."""
        self._assert_compile_called("train_on_batch")
        x, y = standardize_arrays(x), standardize_arrays(y)
        sample_weight = standardize_arrays(sample_weight)
        if class_weight is not None:
            sample_weight = self._class_weights(y, sample_weight, class_weight)
        logs = pythonify_logs(self.train_step((x, y, sample_weight)))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """Loss and metrics on one batch (inference mode)."""
        self._assert_compile_called("test_on_batch")
        x, y = standardize_arrays(x), standardize_arrays(y)
        with no_grad():
            logs = pythonify_logs(self.test_step((x, y, standardize_arrays(sample_weight))))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x):
        """Outputs for one batch as NumPy arrays."""
        with no_grad():
            out = self.predict_step((standardize_arrays(x), None, None))
        return tree.map_structure(lambda t: t._data if isinstance(t, Tensor) else t, out)

    # ------------------------------------------------------------------ compile config
    def get_compile_config(self) -> dict | None:
        if not self.compiled or self._compile_config is None:
            return None
        from gradkit.keras.src.serialization import serialize_keras_object

        config = dict(self._compile_config)
        try:
            return serialize_keras_object(config)
        except TypeError:
            return None

    def compile_from_config(self, config: dict) -> None:
        from gradkit.keras import losses, metrics

        config = dict(config)
        optimizer = config.get("optimizer")
        if isinstance(optimizer, dict):
            config["optimizer"] = optimizers_module.deserialize(optimizer)
        for key in ("loss", "metrics", "weighted_metrics"):
            value = config.get(key)
            module = losses if key == "loss" else metrics
            config[key] = tree.map_structure(
                lambda v, module=module: module.deserialize(v) if isinstance(v, dict) else v,
                value,
            ) if not isinstance(value, dict) or "class_name" not in value else module.deserialize(
                value
            )  # fmt: skip
        self.compile(**config)
