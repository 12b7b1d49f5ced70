"""Keras callbacks: hook order and ``logs`` keys equal real Keras 3's for ``fit`` with
validation, ``evaluate`` and ``predict``; the ``on_batch_*`` aliases fire (the issue's
silent defect); and the standard callbacks behave as Keras's (concepts NN-EARLYSTOP,
NN-LR)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("Keras is not on its torch backend", allow_module_level=True)

from gradkit import keras as gk_keras  # noqa: E402

HOOKS = [
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
]


def recorder(base):
    """A callback of library ``base`` that records (hook, index, sorted logs keys)."""

    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.calls = []

    def make(name):
        def hook(self, *args, **kwargs):
            logs = kwargs["logs"] if "logs" in kwargs else (args[-1] if args else "missing")
            index = args[0] if args and isinstance(args[0], int) else None
            keys = sorted(logs) if isinstance(logs, dict) else logs
            self.calls.append((name, index, keys, "logs" in kwargs))
            getattr(base, name)(self, *args, **kwargs)  # keep the base's forwarding

        return hook

    for name in HOOKS:
        setattr(Recorder, name, make(name))
    return Recorder


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 3)).astype(np.float32)
    y = rng.integers(0, 2, (20, 1)).astype(np.float32)
    return x, y


def _model(lib):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy", "mse"])
    return model


def _run(lib):
    x, y = _data()
    model = _model(lib)
    rec = recorder(lib.callbacks.Callback)()
    history = model.fit(
        x, y, batch_size=8, epochs=2, validation_split=0.25, verbose=0, callbacks=[rec]
    )
    rec_eval = recorder(lib.callbacks.Callback)()
    model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[rec_eval])
    rec_pred = recorder(lib.callbacks.Callback)()
    model.predict(x, batch_size=8, verbose=0, callbacks=[rec_pred])
    return rec, rec_eval, rec_pred, history, model


def test_hook_sequence_and_logs_keys_match_keras():
    """NN-SEQ-API: the same hooks, in the same order, with the same logs keys."""
    k_fit, k_eval, k_pred, k_hist, _ = _run(keras)
    g_fit, g_eval, g_pred, g_hist, _ = _run(gk_keras)
    assert g_fit.calls == k_fit.calls
    assert g_eval.calls == k_eval.calls
    assert g_pred.calls == k_pred.calls
    assert list(g_hist.history) == list(k_hist.history)
    assert g_hist.params == k_hist.params
    assert g_hist.epoch == k_hist.epoch


def test_on_batch_end_alias_sees_losses():
    """The issue's defect: a callback overriding only on_batch_end collects losses."""

    class LossHistory(gk_keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.losses, self.begin_logs = [], logs

        def on_batch_end(self, batch, logs=None):
            self.losses.append(logs.get("loss"))

    x, y = _data()
    model = _model(gk_keras)
    cb = LossHistory()
    model.fit(x, y, batch_size=5, epochs=3, verbose=0, callbacks=[cb])
    assert len(cb.losses) == 12 and all(isinstance(v, float) for v in cb.losses)
    assert cb.begin_logs == {}


def test_logs_are_running_means_like_keras():
    """Batch logs are running means over the epoch and the epoch logs equal the last
    batch's, as in Keras (same weights, no shuffling)."""
    x, y = _data()
    logs = {}
    for lib in (keras, gk_keras):
        lib.utils.set_random_seed(0)
        model = _model(lib)
        model.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
        seen = []
        cb = lib.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs, s=seen: s.append(logs)
        )
        history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
        logs[lib.__name__] = (seen, history.history)
    (k_batches, k_hist), (g_batches, g_hist) = logs["keras"], logs["gradkit.keras"]
    for kb, gb in zip(k_batches, g_batches):
        assert sorted(kb) == sorted(gb)
        for key in kb:
            np.testing.assert_allclose(gb[key], kb[key], rtol=1e-5)
    for key in k_hist:
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-5)


def _train_curve(lib, callbacks, epochs=12, **fit_kwargs):
    x, y = _data()
    model = _model(lib)
    model.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
    history = model.fit(
        x,
        y,
        batch_size=20,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        validation_data=(x[:10], y[:10]),
        callbacks=callbacks,
        **fit_kwargs,
    )
    return model, history


def test_early_stopping_matches_keras():
    """NN-EARLYSTOP: the same stopping epoch and restored weights as Keras."""
    results = {}
    for lib in (keras, gk_keras):
        stop = lib.callbacks.EarlyStopping(
            monitor="loss",
            min_delta=0.05,
            patience=2,
            restore_best_weights=True,
            start_from_epoch=1,
        )
        model, history = _train_curve(lib, [stop])
        results[lib.__name__] = (history.epoch, stop.stopped_epoch, model.get_weights())
    k, g = results["keras"], results["gradkit.keras"]
    assert g[0] == k[0] and g[1] == k[1]
    for a, b in zip(g[2], k[2]):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_reduce_lr_and_scheduler_match_keras():
    """NN-LR: ReduceLROnPlateau and LearningRateScheduler log the same learning rates."""
    rates = {}
    for lib in (keras, gk_keras):
        cbs = [
            lib.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9 if epoch > 2 else lr),
            lib.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.5, patience=1, min_delta=0.01
            ),
        ]
        _, history = _train_curve(lib, cbs, epochs=8)
        rates[lib.__name__] = history.history["learning_rate"]
    np.testing.assert_allclose(rates["gradkit.keras"], rates["keras"], rtol=1e-6)


def test_csv_logger_model_checkpoint_terminate_on_nan(tmp_path):
    x, y = _data()
    model = _model(gk_keras)
    csv_path = tmp_path / "log.csv"
    ckpt = str(tmp_path / "best.keras")
    model.fit(
        x,
        y,
        epochs=3,
        verbose=0,
        validation_data=(x, y),
        callbacks=[
            gk_keras.callbacks.CSVLogger(csv_path),
            gk_keras.callbacks.ModelCheckpoint(ckpt, monitor="val_loss", save_best_only=True),
        ],
    )
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,mse,val_accuracy,val_loss,val_mse"
    assert len(lines) == 4
    restored = gk_keras.models.load_model(ckpt)
    assert restored.predict(x, verbose=0).shape == (20, 1)
    regression = gk_keras.Sequential([gk_keras.Input((3,)), gk_keras.layers.Dense(1)])
    regression.compile(optimizer="sgd", loss="mse")
    regression.set_weights([np.full((3, 1), 1e30, np.float32), np.zeros(1, np.float32)])
    stop = gk_keras.callbacks.TerminateOnNaN()
    with np.errstate(over="ignore", invalid="ignore"):
        history = regression.fit(x * 1e10, y, batch_size=4, epochs=5, verbose=0, callbacks=[stop])
    assert len(history.epoch) == 1 and not np.isfinite(history.history["loss"][0])
    with pytest.raises(ValueError, match="weights.h5"):
        gk_keras.callbacks.ModelCheckpoint(str(tmp_path / "w.keras"), save_weights_only=True)


def test_model_checkpoint_messages_match_keras(tmp_path, capsys):
    """ModelCheckpoint(verbose=1) prints Keras 3's lines, "finished saving" included
    (keras.io's training guide shows them)."""
    x, y = _data()
    out = {}
    for lib in (keras, gk_keras):
        model = _model(lib)
        model.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
        path = str(tmp_path / f"{lib.__name__}_{{epoch}}.keras")
        check = lib.callbacks.ModelCheckpoint(path, save_best_only=True, verbose=1)
        capsys.readouterr()
        model.fit(x, y, epochs=3, batch_size=20, shuffle=False, validation_data=(x, y),
                  verbose=0, callbacks=[check])  # fmt: skip
        text = capsys.readouterr().out.replace(str(tmp_path / lib.__name__), "PATH")
        out[lib.__name__] = [line for line in text.splitlines() if line]
    assert any("finished saving model to PATH_1.keras" in line for line in out["keras"])
    assert out["gradkit.keras"] == out["keras"]


def test_progress_bar_format(capsys):
    """The verbose=1 bar and the verbose=2 line have Keras 3's layout."""
    x, y = _data()
    model = _model(gk_keras)
    model.fit(x, y, batch_size=10, epochs=2, verbose=2)
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln]
    assert lines[0] == "Epoch 1/2"
    assert lines[1].startswith("2/2 - ") and "/step - accuracy: " in lines[1]
    assert " - loss: " in lines[1] and " - mse: " in lines[1]
    model.fit(x, y, batch_size=10, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "\x1b[1m2/2\x1b[0m " in out and "━" * 20 in out and "/step" in out
