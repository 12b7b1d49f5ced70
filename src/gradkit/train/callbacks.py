"""Training callbacks with Keras names and semantics (concepts NN-EARLYSTOP, NN-LR).

Hooks: ``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch, logs)``,
``on_train_batch_begin/end(batch, logs)``; ``self.model`` is the :class:`Model`; set
``model.stop_training = True`` to stop after the current epoch.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np

from gradkit.validation import check_int


class Callback:
    """Base class of training callbacks, with Keras's hook names. ``fit`` calls
    ``on_train_begin(logs)``, then per epoch ``on_epoch_begin``, per step
    ``on_train_batch_begin``/``on_train_batch_end`` (which call Keras's older aliases
    ``on_batch_begin``/``on_batch_end`` unless overridden), ``on_epoch_end`` with the
    epoch's logs, and ``on_train_end`` with the last epoch's logs. ``logs`` is always a
    dict."""

    model = None

    def set_model(self, model) -> None:
        self.model = model

    def on_train_begin(self, logs=None) -> None: ...

    def on_train_end(self, logs=None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs=None) -> None: ...

    def on_epoch_end(self, epoch: int, logs=None) -> None: ...

    def on_batch_begin(self, batch: int, logs=None) -> None: ...

    def on_batch_end(self, batch: int, logs=None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self.on_batch_end(batch, logs=logs)


class History(Callback):
    """Records the logs of every epoch: ``history.history["val_loss"][i]``."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def plot(self, ax=None, metrics=None):
        """Draw the loss and metric curves with :func:`gradkit.plot.history` (needs the
        ``[plot]`` extra); returns the matplotlib Axes.

        Examples
        --------
        >>> h = History()
        >>> for epoch, loss in enumerate([0.9, 0.4]):
        ...     h.on_epoch_end(epoch, {"loss": loss})
        >>> h.plot().lines[0].get_ydata().tolist()
        [0.9, 0.4]
        """
        from gradkit.plot import history

        return history(self, ax=ax, metrics=metrics)


def _monitor_op(monitor: str, mode: str):
    """(better(a, b), initial best) for ``mode`` in min / max / auto (Keras rules)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"Unknown mode {mode!r}; valid modes are ['auto', 'max', 'min']")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.startswith("fmeasure")) else "min"
    if mode == "min":
        return (lambda a, b: a < b), math.inf, -1
    return (lambda a, b: a > b), -math.inf, 1


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best_weights`` the weights of the best epoch are put back at
    the end of training (Keras 3 semantics)."""

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        self.monitor = monitor
        self.patience = check_int("EarlyStopping", "patience", patience, low=0)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.better, self._initial, sign = _monitor_op(monitor, mode)
        self.min_delta = abs(min_delta) * sign

    def on_train_begin(self, logs=None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self._initial
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            available = sorted(logs or {})
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, which is not in the logs "
                f"{available}. Pass validation data or monitor one of those."
            )
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self.better(current - self.min_delta, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.better(current - self.min_delta, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                epoch = self.best_epoch + 1
                print(f"Restoring model weights from the end of the best epoch: {epoch}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or its weights) after every epoch, or only when ``monitor``
    improves (``save_best_only``). ``filepath`` may contain ``{epoch:02d}`` and log keys
    such as ``{val_loss:.4f}``. Writes are atomic, so a crash never corrupts the last
    good checkpoint."""

    def __init__(
        self,
        filepath: str | Path,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
    ) -> None:
        self.filepath = str(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.better, self.best, _ = _monitor_op(monitor, mode)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as exc:
            raise ValueError(
                f"ModelCheckpoint: filepath {self.filepath!r} names {exc.args[0]!r}, which is "
                f"not in this epoch's logs {sorted(logs)} (val_* keys need validation data)"
            ) from None
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                raise ValueError(
                    f"ModelCheckpoint monitors {self.monitor!r}, which is not in the logs "
                    f"{sorted(logs)}."
                )
            if not np.isfinite(current):
                warnings.warn(
                    f"Epoch {epoch + 1}: ModelCheckpoint did not save: {self.monitor} is "
                    f"{current}, which cannot improve on {self.best}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return
            if not self.better(current, self.best):
                return
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at each epoch start to ``schedule(epoch, lr)``."""

    def __init__(self, schedule, verbose: int = 0) -> None:
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        optimizer = self.model.optimizer
        lr = float(self.schedule(epoch, optimizer.param_groups[0]["lr"]))
        if not np.isfinite(lr):
            raise ValueError(f"schedule returned a non-finite learning rate {lr} at epoch {epoch}")
        for group in optimizer.param_groups:
            group["lr"] = lr
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.param_groups[0]["lr"]


class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file (one row per epoch, ``epoch`` first)."""

    def __init__(self, filename: str | Path, separator: str = ",", append: bool = False) -> None:
        self.filename = Path(filename)
        self.separator = separator
        self.append = append
        self.keys: list[str] | None = None

    def on_train_begin(self, logs=None) -> None:
        exists = self.append and self.filename.exists() and self.filename.stat().st_size > 0
        self.file = open(self.filename, "a" if self.append else "w", newline="")
        self.writer = None
        self.keys = None
        self._header_written = exists

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self.writer = csv.writer(self.file, delimiter=self.separator)
            if not self._header_written:
                self.writer.writerow(["epoch", *self.keys])
        self.writer.writerow([epoch, *(logs.get(k, "NA") for k in self.keys)])
        self.file.flush()

    def on_train_end(self, logs=None) -> None:
        self.file.close()


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite."""

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """Build a callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=f)``."""

    def __init__(self, **hooks) -> None:
        valid = {n for n in dir(Callback) if n.startswith("on_")}
        for name, fn in hooks.items():
            if name not in valid:
                raise ValueError(f"Unknown hook {name!r}; valid hooks are {sorted(valid)}")
            setattr(self, name, fn)
