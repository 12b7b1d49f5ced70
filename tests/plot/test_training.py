"""plot.history and plot.learning_curve draw exactly the logged / scored values
(NN-EARLYSTOP's curves, EVAL-CV's learning curve)."""

import numpy as np
import pytest

import gradkit
from gradkit import plot
from gradkit.train.callbacks import CSVLogger, History


def _fit_keras(tmp_path, epochs=3):
    from gradkit import keras

    gradkit.manual_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    log = tmp_path / "log.csv"
    hist = model.fit(
        x, y, epochs=epochs, validation_split=0.25, verbose=0,
        callbacks=[keras.callbacks.CSVLogger(str(log))],
    )  # fmt: skip
    return hist, log


def test_history_from_keras_fit_csv_log_and_dict_draw_the_logged_values(tmp_path):
    hist, log = _fit_keras(tmp_path)
    for source in (hist, log, str(log), hist.history):
        ax = plot.history(source)
        assert [line.get_label() for line in ax.lines] == ["loss", "mae", "val_loss", "val_mae"]
        for line in ax.lines:
            np.testing.assert_array_equal(line.get_ydata(), hist.history[line.get_label()])
            np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])  # epochs from 1
    # val_loss shares loss's colour, dashed
    ax = plot.history(hist, metrics=["loss", "val_loss"])
    loss, val = ax.lines
    assert loss.get_color() == val.get_color() and val.get_linestyle() == "--"


def test_history_plot_shortcut_on_both_history_classes(tmp_path, ax):
    hist, _ = _fit_keras(tmp_path)
    out = hist.plot(ax=ax, metrics="val_loss")
    assert out is ax and [line.get_label() for line in ax.lines] == ["val_loss"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), hist.history["val_loss"])

    h = History()  # gradkit.train's, driven as fit drives it, starting at epoch 2
    for epoch, logs in [(2, {"loss": 0.9}), (3, {"loss": 0.4})]:
        h.on_epoch_end(epoch, logs)
    line = h.plot().lines[0]
    np.testing.assert_array_equal(line.get_xdata(), [3, 4])
    np.testing.assert_array_equal(line.get_ydata(), [0.9, 0.4])


def test_history_from_train_csvlogger_with_missing_cells(tmp_path):
    path = tmp_path / "train.csv"
    logger = CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.5, "val_loss": 1.7})
    logger.on_epoch_end(1, {"loss": 1.0})  # val_loss written as NA
    logger.on_train_end()
    ax = plot.history(path)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.5, 1.0])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [1.7, np.nan])


def test_history_bad_input(tmp_path):
    with pytest.raises(KeyError, match=r"no metric \['acc'\].*available: \['loss'\]"):
        plot.history({"loss": [1.0]}, metrics=["acc"])
    with pytest.raises(FileNotFoundError, match="no CSV log"):
        plot.history(tmp_path / "absent.csv")
    with pytest.raises(TypeError, match="expected a History"):
        plot.history([1.0, 2.0])
    with pytest.raises(ValueError, match="`loss` must be 1-D, got shape"):
        plot.history({"loss": [[1.0, 2.0]]})
    bad = tmp_path / "bad.csv"
    bad.write_text("epoch,loss\n0,abc\n")
    with pytest.raises(ValueError, match="column 'loss'.*'abc'"):
        plot.history(bad)


def test_learning_curve_draws_fold_means_and_std_bands():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_iris

    from gradkit.ml.model_selection import learning_curve
    from gradkit.ml.neighbors import KNeighborsClassifier

    X, y = load_iris(return_X_y=True)
    sizes, train, test = learning_curve(
        KNeighborsClassifier(3), X, y, train_sizes=[0.3, 0.6, 1.0], cv=3
    )
    ax = plot.learning_curve(sizes, train, test)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), sizes)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), train.mean(axis=1), rtol=0, atol=0)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), test.mean(axis=1), rtol=0, atol=0)
    assert len(ax.collections) == 2  # one band per curve
    band = ax.collections[1].get_paths()[0].vertices
    lo = test.mean(axis=1) - test.std(axis=1)
    assert np.allclose(np.sort(band[:, 1]).min(), lo.min())
    with pytest.raises(ValueError, match="`test_scores` has 2 rows"):
        plot.learning_curve(sizes, train, test[:2])
