"""What every plotting function shares: the lazy matplotlib import, the axes to draw on,
and the conversion of tensors, Series and lists to NumPy arrays.

matplotlib is the optional extra ``[plot]``: nothing here imports it at module level, so
``import gradkit`` and ``import gradkit.plot`` work without it, and the first call that
draws raises an ImportError naming the install command.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

INSTALL_HINT = 'pip install "gradkit[plot]"'


def require_matplotlib():
    """Import and return matplotlib, or raise an ImportError that says how to get it."""
    try:
        return importlib.import_module("matplotlib")
    except ImportError as exc:
        raise ImportError(
            f"gradkit.plot draws with matplotlib, which is not installed; install it with "
            f"{INSTALL_HINT} (or pip install matplotlib)."
        ) from exc


def get_ax(ax=None, *, figsize: tuple[float, float] = (6.4, 4.8)):
    """``ax`` itself, or the axes of a new ``matplotlib.figure.Figure`` (object API: no
    pyplot, no GUI backend, nothing shown; ``ax.figure.savefig(path)`` saves it)."""
    require_matplotlib()
    if ax is not None:
        if not hasattr(ax, "plot") or not hasattr(ax, "figure"):
            raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=figsize).add_subplot()


def as_array(owner: str, name: str, value: Any, *, ndim=None, dtype=np.float64) -> np.ndarray:
    """``value`` (array, list, gradkit Tensor, pandas object) as a NumPy array.

    ``ndim`` (an int or a tuple of allowed ints) is checked and a wrong one named with the
    shape received; a tensor that requires grad is detached (plotting never backpropagates).
    """
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().numpy()
    try:
        array = np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{owner}: `{name}` must be array-like of numbers, got {type(value).__name__} ({exc})"
        ) from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{owner}: `{name}` must be {want}, got shape {array.shape} ({array.ndim}-D)"
            )
    return array


def check_fitted(estimator: Any, attributes=None) -> None:
    """The library's NotFittedError for an unfitted scikit-learn-style estimator."""
    from gradkit.ml.base import check_is_fitted

    check_is_fitted(estimator, attributes)


def index_of(value: Any):
    """The index of a pandas Series/DataFrame, or None for anything else."""
    index = getattr(value, "index", None)
    return None if index is None or callable(index) else index
