"""A built-in grid world with the Gymnasium ``reset()/step()`` API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from gradkit.rl.spaces import Discrete

__all__ = ["GridWorld"]

# Russell & Norvig's 4x3 world (AIMA, Fig. 17.1): start bottom-left, a wall at (2, 2).
AIMA_4X3 = ("...G", ".#.H", "S...")
# Actions in FrozenLake's order; (row, column) moves.
_MOVES = ((0, -1), (1, 0), (0, 1), (-1, 0))


class GridWorld:
    """A grid of cells; the agent moves left, down, right or up (actions 0, 1, 2, 3).

    Layout characters: ``S`` start, ``.`` free, ``#`` wall, ``G`` goal (terminal, reward
    ``goal_reward``), ``H`` hole (terminal, reward ``hole_reward``). A move goes the
    intended way with probability ``1 - slip`` and to either perpendicular side with
    ``slip / 2``; moving into a wall or the border stays put. Entering a cell pays that
    cell's reward (``step_reward`` for non-terminal cells). Episodes are truncated after
    ``max_episode_steps``. The default is Russell and Norvig's 4x3 world.

    It has Gymnasium's interface — ``reset(seed=None, options=None) -> (obs, info)``,
    ``step(a) -> (obs, reward, terminated, truncated, info)``, ``observation_space``,
    ``action_space`` — and its toy-text transition table ``P[s][a] = [(prob, s', r,
    terminated), ...]``, so :meth:`gradkit.rl.MDP.from_gymnasium` accepts it.

    States are numbered row-major over all cells (walls included, never reached).

    Examples
    --------
    >>> env = GridWorld(slip=0.0)
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step(3)   # up
    >>> int(obs), round(reward, 2), terminated
    (4, -0.04, False)
    """

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(
        self,
        layout: Sequence[str] = AIMA_4X3,
        *,
        slip: float = 0.2,
        step_reward: float = -0.04,
        goal_reward: float = 1.0,
        hole_reward: float = -1.0,
        max_episode_steps: int | None = 100,
    ) -> None:
        rows = [str(r) for r in layout]
        if not rows or len({len(r) for r in rows}) != 1:
            raise ValueError("layout must be a non-empty list of equal-length strings")
        bad = set("".join(rows)) - set("S.#GH")
        if bad:
            raise ValueError(f"unknown layout characters {sorted(bad)}; valid: S . # G H")
        if "".join(rows).count("S") != 1:
            raise ValueError("layout must contain exactly one start cell 'S'")
        if not 0.0 <= slip <= 1.0:
            raise ValueError(f"slip must lie in [0, 1]; got {slip}")
        self.layout = tuple(rows)
        self.grid = np.array([list(r) for r in rows])
        self.nrow, self.ncol = self.grid.shape
        self.slip = float(slip)
        self.rewards = {"step": step_reward, "goal": goal_reward, "hole": hole_reward}
        self.max_episode_steps = max_episode_steps
        n = self.nrow * self.ncol
        self.observation_space = Discrete(n)
        self.action_space = Discrete(4)
        self.start_state = int(np.flatnonzero(self.grid.ravel() == "S")[0])
        self.P = self._build_table()
        self.np_random = np.random.default_rng()
        self.s = self.start_state
        self._elapsed = 0

    @property
    def unwrapped(self) -> GridWorld:
        return self

    def _move(self, s: int, a: int) -> int:
        r, c = divmod(s, self.ncol)
        dr, dc = _MOVES[a]
        r2, c2 = r + dr, c + dc
        if 0 <= r2 < self.nrow and 0 <= c2 < self.ncol and self.grid[r2, c2] != "#":
            return r2 * self.ncol + c2
        return s

    def _build_table(self) -> dict[int, dict[int, list[tuple[float, int, float, bool]]]]:
        cells = self.grid.ravel()
        table: dict[int, dict[int, list[tuple[float, int, float, bool]]]] = {}
        for s in range(cells.size):
            table[s] = {}
            for a in range(4):
                if cells[s] in "GH#":  # absorbing: terminal cells and unreachable walls
                    table[s][a] = [(1.0, s, 0.0, True)]
                    continue
                outcomes = []
                for b, p in (
                    (a, 1.0 - self.slip),
                    ((a - 1) % 4, self.slip / 2),
                    ((a + 1) % 4, self.slip / 2),
                ):
                    if p == 0.0:
                        continue
                    s2 = self._move(s, b)
                    kind = {"G": "goal", "H": "hole"}.get(cells[s2], "step")
                    outcomes.append((p, s2, float(self.rewards[kind]), kind != "step"))
                table[s][a] = outcomes
        return table

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
            self.action_space.seed(seed)
        self.s = self.start_state
        self._elapsed = 0
        return self.s, {"prob": 1.0}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an integer in [0, 4); got {action!r}")
        outcomes = self.P[self.s][int(action)]
        k = 0
        if len(outcomes) > 1:
            probs = np.array([o[0] for o in outcomes])
            k = int(np.searchsorted(np.cumsum(probs), self.np_random.random() * probs.sum()))
            k = min(k, len(outcomes) - 1)
        prob, s2, reward, terminated = outcomes[k]
        self.s = s2
        self._elapsed += 1
        truncated = (
            self.max_episode_steps is not None
            and self._elapsed >= self.max_episode_steps
            and not terminated
        )
        return s2, reward, terminated, bool(truncated), {"prob": prob}

    def __repr__(self) -> str:
        return f"GridWorld({self.nrow}x{self.ncol}, slip={self.slip})"
