"""``keras.callbacks.Callback`` with Keras 3's hooks, their order and ``logs`` (the
``CallbackList`` that ``fit``/``evaluate``/``predict`` drive is in
:mod:`gradkit.keras.callbacks.callback_list`).

Order in ``fit`` (validation included)::

    on_train_begin({})
      on_epoch_begin(epoch, {})
        on_train_batch_begin(step, {})      -> on_batch_begin (the base class forwards)
        on_train_batch_end(step, logs)      -> on_batch_end; logs: running metrics
        on_test_begin({}) on_test_batch_begin/end ... on_test_end(logs)   (validation)
      on_epoch_end(epoch, logs + val_*)
    on_train_end(last epoch logs)

``logs`` are dicts of Python floats with sorted keys (``loss``, metric names). The
``on_batch_*`` methods are aliases a callback may override instead of
``on_train_batch_*``: the base class's ``on_train_batch_*`` calls them.
"""

from __future__ import annotations

import numpy as np

from gradkit.tensor import Tensor


def _pythonify(logs) -> dict:
    out = {}
    for key, value in (logs or {}).items():
        if isinstance(value, Tensor):
            value = value._data
        if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
            value = float(value)
        out[key] = value
    return out


class Callback:
    """Base class: override any ``on_*`` hook; ``self.model`` is the model being
    trained, ``self.params`` holds ``verbose``, ``epochs`` and ``steps``."""

    def __init__(self) -> None:
        self.params = None
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, value) -> None:
        self._model = value

    def on_batch_begin(self, batch, logs=None):
        """A backwards-compatibility alias for ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """A backwards-compatibility alias for ``on_train_batch_end``."""

    def on_epoch_begin(self, epoch, logs=None):
        """At the start of an epoch (training only)."""

    def on_epoch_end(self, epoch, logs=None):
        """At the end of an epoch; ``logs`` has the epoch's metrics and ``val_*``."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Before an ``evaluate`` batch (also validation inside ``fit``)."""

    def on_test_batch_end(self, batch, logs=None):
        """After an ``evaluate`` batch; ``logs`` has running metrics."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Before a ``predict`` batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """After a ``predict`` batch; ``logs["outputs"]`` is the batch's output."""

    def on_train_begin(self, logs=None):
        """At the start of ``fit``."""

    def on_train_end(self, logs=None):
        """At the end of ``fit``; ``logs`` are the last epoch's."""

    def on_test_begin(self, logs=None):
        """At the start of ``evaluate`` (and of validation)."""

    def on_test_end(self, logs=None):
        """At the end of ``evaluate``; ``logs`` are its results."""

    def on_predict_begin(self, logs=None):
        """At the start of ``predict``."""

    def on_predict_end(self, logs=None):
        """At the end of ``predict``."""


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs:
    ...)``; any hook name is accepted as a keyword."""

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ) -> None:
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
            **kwargs,
        }
        for name, fn in hooks.items():
            if not (name.startswith("on_") and hasattr(Callback, name)):
                raise ValueError(
                    f"LambdaCallback: unknown hook {name!r}; hooks are "
                    f"{sorted(n for n in vars(Callback) if n.startswith('on_'))}"
                )
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stop training when the batch loss is NaN or infinite (``raise_error=True``
    raises RuntimeError instead)."""

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
