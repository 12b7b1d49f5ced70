"""NN-SEQ-API: compile / fit / evaluate / predict / summary / callbacks / save, with Keras
semantics."""

from __future__ import annotations

import csv
import functools

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn


def _linear_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    w, b = np.array([2.0, -1.0, 0.5], np.float32), 1.0
    return x, (x @ w + b).astype(np.float32), w, b


def test_nn_neuron_keras_one_neuron_example():
    """NN-NEURON: Sequential([Dense(units=1, input_shape=[3])]) recovers y = w·x + b."""
    gk.manual_seed(0)
    x, y, w, b = _linear_data()
    model = gk.Sequential([gk.nn.Dense(units=1, input_shape=[3])])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit(x, y, epochs=400, batch_size=32, verbose=0, seed=0)
    dense = model.layers[0]
    np.testing.assert_allclose(dense.weight.detach().numpy().ravel(), w, atol=1e-3)
    np.testing.assert_allclose(dense.bias.detach().numpy(), [b], atol=1e-3)
    assert history.history["loss"][-1] < 1e-6
    assert history.epoch == list(range(400))


def _classifier(seed=0):
    gk.manual_seed(seed)
    return gk.Sequential([nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)])


def _blobs(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.standard_normal((n, 4)).astype(np.float32) + 2.5 * np.eye(3, 4)[y].astype(np.float32)
    return x, y


def test_fit_matches_the_explicit_loop():
    """NN-BACKPROP: fit() runs exactly batch → forward → loss → backward → step."""
    x, y = _blobs()
    a, b = _classifier(1), _classifier(1)
    a.compile(optimizer=functools.partial(gk.optim.SGD, lr=0.1), loss="cross_entropy")
    a.fit(x, y, epochs=2, batch_size=50, shuffle=False, verbose=0)
    opt = gk.optim.SGD(b.parameters(), lr=0.1)
    for _ in range(2):
        for s in range(0, len(x), 50):
            loss = nn.functional.cross_entropy(
                b(gk.tensor(x[s : s + 50])), gk.tensor(y[s : s + 50])
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_validation_split_takes_the_last_fraction():
    """EVAL-SPLIT: Keras' validation_split holds out the last samples, before shuffling."""
    x, y = _blobs()
    model = _classifier()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    val = model.evaluate(x[-60:], y[-60:], return_dict=True)
    assert hist.history["val_loss"][0] == pytest.approx(val["loss"], rel=1e-6)
    assert hist.history["val_accuracy"][0] == pytest.approx(val["accuracy"])
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_evaluate_and_predict_shapes():
    x, y = _blobs()
    model = _classifier()
    model.compile(
        optimizer=functools.partial(gk.optim.Adam, lr=0.01), loss="cross_entropy", metrics=["acc"]
    )
    model.fit(x, y, epochs=10, verbose=0)
    loss, acc = model.evaluate(x, y)
    assert acc > 0.9 and loss < 0.5
    assert model.predict(x, batch_size=7).shape == (300, 3)


def test_nn_earlystop_restores_best_weights():
    """NN-EARLYSTOP: stops after `patience` epochs without improvement and puts back the
    weights of the best epoch."""
    x, y = _blobs()
    model = _classifier()
    model.compile(optimizer=functools.partial(gk.optim.SGD, lr=5.0), loss="cross_entropy")
    snapshots = []
    record = gk.train.LambdaCallback(
        on_epoch_end=lambda e, logs: snapshots.append(model.get_weights())
    )
    stop = gk.train.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    hist = model.fit(x, y, epochs=50, validation_split=0.3, callbacks=[record, stop], verbose=0)
    val = hist.history["val_loss"]
    best = int(np.argmin(val))
    assert len(val) == best + 3 < 50  # stopped two epochs after the best one
    for w, s in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(w, s)


def test_callbacks_checkpoint_csv_and_lr_schedule(tmp_path):
    """NN-LR: LearningRateScheduler sets the rate per epoch; CSVLogger and ModelCheckpoint
    write their files."""
    x, y = _blobs()
    model = _classifier()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    ckpt = tmp_path / "best.safetensors"
    callbacks = [
        gk.train.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5**epoch),
        gk.train.CSVLogger(tmp_path / "log.csv"),
        gk.train.ModelCheckpoint(ckpt, monitor="val_loss", save_best_only=True),
    ]
    hist = model.fit(x, y, epochs=3, validation_split=0.2, callbacks=callbacks, verbose=0)
    assert hist.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert float(rows[2]["val_loss"]) == pytest.approx(hist.history["val_loss"][2])
    assert ckpt.exists()


def test_nn_capacity_summary_counts_parameters():
    """NN-CAPACITY: summary() lists layers, output shapes and parameter counts."""
    model = gk.Sequential(
        [nn.Dense(256, activation="relu", input_shape=[784]), nn.Dense(128), nn.Dense(10)]
    )
    text = model.summary(print_fn=None)
    assert "Total params: 235,146" in text
    assert "(None, 128)" in text and "(None, 10)" in text


def test_save_and_load_model_roundtrip(tmp_path):
    """A saved model rebuilds from its JSON config and predicts identically."""
    x, y = _blobs()
    model = gk.Sequential(
        [nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3)]
    )
    model.compile(optimizer="adam", loss="cross_entropy")
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = gk.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_corrupt_checkpoint_and_interrupted_save(tmp_path, monkeypatch):
    """A truncated file gives a clear error; a save that dies midway leaves the previous
    checkpoint intact."""
    x, y = _blobs()
    model = _classifier()
    model.compile(optimizer="adam", loss="cross_entropy")
    path = tmp_path / "m.safetensors"
    model.save(path)
    good = path.read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="(?i)truncated|corrupt"):
        gk.load_model(tmp_path / "cut.safetensors")
    model.fit(x, y, epochs=1, verbose=0)

    import os

    def dying_replace(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_input_errors():
    model = _classifier()
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="Unknown loss 'nope'"):
        model.compile(optimizer="adam", loss="nope")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        model.compile(optimizer="adamax", loss="mse")
    model.compile(optimizer="adam", loss="cross_entropy")
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        model.fit(np.zeros((4, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.full((4, 4), np.nan), np.zeros(4))
