"""Training curves: loss and metrics per epoch, and learning curves over training size."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gradkit.plot._core import as_array, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _read_csv_log(path: Path, separator: str) -> tuple[np.ndarray | None, dict[str, list]]:
    """Epochs and columns of a CSVLogger file (``epoch`` first; "NA" cells become NaN)."""
    if not path.is_file():
        raise FileNotFoundError(f"history: no CSV log at {str(path)!r}")
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=separator))
    if not rows or not rows[0]:
        raise ValueError(f"history: the CSV log {str(path)!r} is empty")
    header, body = rows[0], [r for r in rows[1:] if r]
    columns: dict[str, list] = {key: [] for key in header}
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(
                f"history: line {line} of {str(path)!r} has {len(row)} fields, the header "
                f"{len(header)}"
            )
        for key, cell in zip(header, row):
            try:
                columns[key].append(math.nan if cell in ("NA", "") else float(cell))
            except ValueError:
                raise ValueError(
                    f"history: column {key!r} of {str(path)!r} holds {cell!r} on line {line}, "
                    "not a number"
                ) from None
    epochs = columns.pop("epoch", None)
    return (None if epochs is None else np.asarray(epochs)), columns


def _history_logs(owner: str, source: Any, separator: str):
    """(epoch numbers or None, {metric: values}) from a History, a dict or a CSV path."""
    if isinstance(source, str | os.PathLike):
        return _read_csv_log(Path(source), separator)
    epochs = None
    logs = source
    if hasattr(source, "history") and isinstance(source.history, dict):
        logs = source.history
        if getattr(source, "epoch", None):
            epochs = np.asarray(source.epoch)
    if not isinstance(logs, dict):
        raise TypeError(
            f"{owner}: expected a History (from fit), a dict of metric lists or the path "
            f"of a CSVLogger file, got {type(source).__name__}"
        )
    return epochs, logs


def history(
    history_or_dict: Any,
    ax: Axes | None = None,
    *,
    metrics=None,
    separator: str = ",",
) -> Axes:
    """Loss and metric curves per epoch (x axis: epoch, counted from 1 as Keras prints).

    Parameters
    ----------
    history_or_dict : History, dict or path
        What ``fit`` returns (``history.history`` and ``history.epoch``), a dict
        ``{"loss": [...], "val_loss": [...]}``, or the CSV file a ``CSVLogger`` wrote.
    ax : matplotlib Axes, optional
        Drawn on a new ``Figure`` when None.
    metrics : str or list of str, optional
        Keys to draw (default all). ``val_<key>`` is drawn dashed in ``<key>``'s colour.

    Returns
    -------
    ax : the Axes drawn on, one line per metric labelled with its key.

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.history({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
    >>> ax.lines[0].get_ydata().tolist()
    [1.0, 0.5, 0.3]
    """
    epochs, logs = _history_logs("history", history_or_dict, separator)
    keys = list(logs) if metrics is None else [metrics] if isinstance(metrics, str) else metrics
    missing = [k for k in keys if k not in logs]
    if missing:
        raise KeyError(f"history: no metric {missing} in the logs; available: {sorted(logs)}")
    if not keys:
        raise ValueError("history: the logs hold no metric to draw")
    ax = get_ax(ax)
    colours: dict[str, Any] = {}
    for key in keys:
        values = as_array("history", key, logs[key], ndim=1)
        if epochs is not None and len(epochs) == len(values):
            x = epochs + 1.0
        else:
            x = np.arange(1, len(values) + 1, dtype=np.float64)
        base = key[4:] if key.startswith("val_") else key
        colour = colours.setdefault(base, f"C{len(colours) % 10}")
        style = "--" if key.startswith("val_") else "-"
        ax.plot(x, values, style, color=colour, label=key, marker="." if len(x) < 30 else None)
    ax.set_xlabel("epoch")
    ax.set_ylabel(keys[0] if len({k.removeprefix("val_") for k in keys}) == 1 else "value")
    ax.legend()
    return ax


def learning_curve(
    train_sizes, train_scores, test_scores, ax: Axes | None = None, *, std: bool = True
) -> Axes:
    """Mean training and validation score against the number of training samples, with
    ±1 standard deviation bands over the folds (what ``model_selection.learning_curve``
    returns: sizes (n_sizes,), scores (n_sizes, n_folds); 1-D scores are taken as means).

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.learning_curve([10, 20], [[1.0, 0.9], [0.9, 0.9]], [[0.6, 0.7], [0.8, 0.8]])
    >>> ax.lines[1].get_ydata().round(2).tolist()
    [0.65, 0.8]
    """
    sizes = as_array("learning_curve", "train_sizes", train_sizes, ndim=1)
    curves = []
    for name, scores in (("train_scores", train_scores), ("test_scores", test_scores)):
        s = as_array("learning_curve", name, scores, ndim=(1, 2))
        s = s[:, None] if s.ndim == 1 else s
        if s.shape[0] != len(sizes):
            raise ValueError(
                f"learning_curve: `{name}` has {s.shape[0]} rows (shape {s.shape}) but there "
                f"are {len(sizes)} train_sizes; rows are sizes, columns folds"
            )
        curves.append(s)
    ax = get_ax(ax)
    for s, label, colour in zip(curves, ("training score", "validation score"), ("C0", "C1")):
        mean = s.mean(axis=1)
        ax.plot(sizes, mean, "o-", color=colour, label=label)
        if std and s.shape[1] > 1:
            sd = s.std(axis=1)
            ax.fill_between(sizes, mean - sd, mean + sd, color=colour, alpha=0.2)
    ax.set_xlabel("training examples")
    ax.set_ylabel("score")
    ax.legend()
    return ax
