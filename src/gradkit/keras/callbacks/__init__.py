"""``keras.callbacks``: hooks into ``fit``/``evaluate``/``predict`` with Keras 3's
names, order and ``logs``."""

from gradkit.keras.callbacks.callback import Callback, LambdaCallback, TerminateOnNaN
from gradkit.keras.callbacks.callback_list import CallbackList
from gradkit.keras.callbacks.history import History
from gradkit.keras.callbacks.misc import CSVLogger, LearningRateScheduler
from gradkit.keras.callbacks.monitor import (
    EarlyStopping,
    ModelCheckpoint,
    MonitorCallback,
    ReduceLROnPlateau,
)
from gradkit.keras.callbacks.progbar_logger import ProgbarLogger

__all__ = [
    "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
    "LearningRateScheduler", "ModelCheckpoint", "MonitorCallback", "ProgbarLogger",
    "ReduceLROnPlateau", "TerminateOnNaN",
]  # fmt: skip
