"""``keras.callbacks.CallbackList``: the list of callbacks ``fit``/``evaluate``/
``predict`` drive, with the ``History`` and ``ProgbarLogger`` Keras adds by default.

It sits above :mod:`~gradkit.keras.callbacks.callback`,
:mod:`~gradkit.keras.callbacks.history` and
:mod:`~gradkit.keras.callbacks.progbar_logger` (which import ``Callback``), so no import
goes back down.
"""

from __future__ import annotations

from gradkit.keras.callbacks.callback import Callback, _pythonify
from gradkit.keras.callbacks.history import History
from gradkit.keras.callbacks.progbar_logger import ProgbarLogger


class CallbackList(Callback):
    """Calls every callback's hook in order; adds ``History`` and ``ProgbarLogger``
    (when ``verbose``) after the user's callbacks, as Keras does."""

    def __init__(
        self,
        callbacks=None,
        add_history: bool = False,
        add_progbar: bool = False,
        model=None,
        **params,
    ) -> None:
        super().__init__()
        if callbacks is None:
            callbacks = []
        elif isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be keras.callbacks.Callback instances, got {cb!r} (of "
                    f"type {type(cb).__name__})"
                )
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model) -> None:
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def _batch(self, hook: str, batch, logs) -> None:
        logs = _pythonify(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(batch, logs=logs)

    def _whole(self, hook: str, logs) -> None:
        logs = _pythonify(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(logs)

    def on_batch_begin(self, batch, logs=None):
        self._batch("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._batch("on_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        # the same dict goes to every callback, so ReduceLROnPlateau's additions reach
        # History, as in Keras
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_predict_batch_end(batch, logs=logs)

    def on_train_begin(self, logs=None):
        self._whole("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._whole("on_train_end", logs)

    def on_test_begin(self, logs=None):
        self._whole("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._whole("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._whole("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._whole("on_predict_end", logs)
