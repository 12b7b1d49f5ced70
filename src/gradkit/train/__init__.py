"""Keras-style training API: ``Model``, ``Sequential``, callbacks, ``load_model``."""

from gradkit.train.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    TerminateOnNaN,
)
from gradkit.train.model import Model, Sequential, load_model
