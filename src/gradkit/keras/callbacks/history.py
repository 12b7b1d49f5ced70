"""``keras.callbacks.History``: the per-epoch logs that ``fit`` returns."""

from __future__ import annotations

from gradkit.keras.callbacks.callback import Callback


class History(Callback):
    """``history.history[key]`` is the list of ``logs[key]`` over epochs;
    ``history.epoch`` the epoch numbers. ``fit`` adds one and returns it."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self

    def plot(self, ax=None, metrics=None):
        """Draw the loss and metric curves with :func:`gradkit.plot.history` (needs the
        ``[plot]`` extra); returns the matplotlib Axes.

        Examples
        --------
        >>> h = History()
        >>> h.history, h.epoch = {"loss": [0.9, 0.4]}, [0, 1]
        >>> h.plot().lines[0].get_ydata().tolist()
        [0.9, 0.4]
        """
        from gradkit.plot import history

        return history(self, ax=ax, metrics=metrics)
