"""Reinforcement-learning pictures: a grid world's state values with its policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gradkit.plot._core import as_array, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Gymnasium FrozenLake's actions: 0 left, 1 down, 2 right, 3 up, as (dx, dy) on screen.
ARROWS = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 0.0], [0.0, 1.0]])


def value_function(
    values,
    shape,
    policy=None,
    ax: Axes | None = None,
    *,
    terminal=None,
    annotate: bool = True,
    cmap: str = "viridis",
) -> Axes:
    """State values of a grid world as a heat map (state s at row s // n_cols, column
    s % n_cols, row 0 on top, as FrozenLake's map is printed), with an arrow per state
    for the policy's action: 0 left, 1 down, 2 right, 3 up (Gymnasium's FrozenLake).

    Parameters
    ----------
    values : array_like (n_states,) or ``shape``, or a planning result (``V`` and
        ``policy``, as ``gradkit.rl.value_iteration`` returns; its policy is used when
        ``policy`` is None)
    shape : (n_rows, n_cols)
    policy : array_like (n_states,) of actions, or (n_states, 4) action probabilities /
        Q-values (the arrow is the argmax), optional
    terminal : iterable of states without an arrow (holes, goal), optional
    annotate : write each value in its cell

    Returns
    -------
    ax, with the values as ``ax.images[0]`` and the arrows as one quiver
    (``ax.collections``) whose U, V are the arrow directions.

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> ax = plot.value_function(np.arange(4.0), (2, 2), policy=[2, 1, 2, 0])
    >>> q = ax.collections[0]; q.U.tolist(), q.V.tolist()
    ([1.0, 0.0, 1.0, -1.0], [0.0, -1.0, 0.0, 0.0])
    """
    if hasattr(values, "V") and hasattr(values, "policy"):
        if policy is None:
            policy = values.policy
        values = values.V
    try:
        n_rows, n_cols = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise ValueError(f"value_function: shape must be (n_rows, n_cols), got {shape!r}") from None
    n = n_rows * n_cols
    v = as_array("value_function", "values", values, ndim=(1, 2))
    if v.size != n:
        raise ValueError(
            f"value_function: values has shape {v.shape} ({v.size} states) but shape "
            f"{(n_rows, n_cols)} holds {n}"
        )
    grid = v.reshape(n_rows, n_cols)
    ax = get_ax(ax)
    ax.imshow(grid, cmap=cmap, origin="upper", interpolation="nearest")
    if annotate:
        middle = (grid.max() + grid.min()) / 2.0
        for r, c in np.ndindex(n_rows, n_cols):
            ax.text(
                c,
                r + 0.3,
                f"{grid[r, c]:.2f}",
                ha="center",
                va="center",
                fontsize=8,
                color="black" if grid[r, c] > middle else "white",
            )
    if policy is not None:
        p = as_array("value_function", "policy", policy, ndim=(1, 2))
        if p.ndim == 2:
            if p.shape[0] != n:
                raise ValueError(
                    f"value_function: policy has shape {p.shape}; expected ({n}, n_actions)"
                )
            p = p.argmax(axis=1)
        if p.shape != (n,):
            raise ValueError(f"value_function: policy must have {n} actions, got {p.shape}")
        if not np.all((p == np.round(p)) & (p >= 0) & (p <= 3)):
            raise ValueError(
                "value_function: actions must be 0 (left), 1 (down), 2 (right) or 3 (up); "
                f"got {np.unique(p).tolist()}"
            )
        keep = np.ones(n, dtype=bool)
        if terminal is not None:
            skip = np.asarray(list(terminal), dtype=np.int64)
            if skip.size and (skip.min() < 0 or skip.max() >= n):
                raise ValueError(f"value_function: terminal states must be in [0, {n})")
            keep[skip] = False
        states = np.flatnonzero(keep)
        rows, cols = np.divmod(states, n_cols)
        direction = ARROWS[p[states].astype(np.int64)]
        ax.quiver(
            cols,
            rows,
            direction[:, 0],
            direction[:, 1],
            angles="uv",
            pivot="middle",
            scale=2.2,
            scale_units="xy",
            color="white",
            width=0.012,
        )
    ax.set_xticks(np.arange(n_cols))
    ax.set_yticks(np.arange(n_rows))
    return ax
