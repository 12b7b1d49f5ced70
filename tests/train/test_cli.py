"""The `gradkit` command: `train` writes a loadable checkpoint and a metrics CSV."""

from __future__ import annotations

import csv

import gradkit as gk
from gradkit.cli import main


def test_cli_train_writes_checkpoint_and_metrics(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        ["train", "--model", "logreg", "--dataset", "mnist", "--epochs", "2", "--limit", "3000",
         "--lr", "0.01", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "Epoch 2/2" in printed and "test accuracy" in printed
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    model = gk.load_model(out / "model.safetensors")
    model.compile(loss="cross_entropy", metrics=["accuracy"])
    x, y = gk.data.datasets.load_mnist("test")
    _, accuracy = model.evaluate(x[:1000].reshape(-1, 1, 28, 28), y[:1000])
    assert accuracy > 0.8


def test_cli_reports_missing_data(tmp_path, monkeypatch, capsys):
    """Without the data files and without a network, the command says where it looked
    (exit status 2) instead of failing with a traceback."""
    from gradkit.data import datasets

    datasets._load_raw.cache_clear()  # loaded arrays are memoized per process
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("urllib.request.urlopen", _offline)
    code = main(["train", "--epochs", "1", "--out", str(tmp_path / "run")])
    assert code == 2
    assert "GRADKIT_DATA" in capsys.readouterr().err
    datasets._load_raw.cache_clear()


def _offline(*args, **kwargs):
    raise OSError("no network in this test")
