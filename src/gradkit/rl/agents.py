"""Model-free tabular control: Q-learning (RL-Q) and SARSA on Gymnasium-API environments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradkit.rl.schedules import ExponentialDecay, as_schedule

__all__ = ["SARSA", "QLearning", "TrainingHistory", "run_episodes"]


@dataclass
class TrainingHistory:
    """Per-episode training curves, ready to plot.

    Attributes
    ----------
    returns : list of float
        Undiscounted return of each training episode (the reward curve).
    lengths : list of int
        Steps in each episode.
    epsilons, lrs : list of float
        Exploration rate and learning rate used in each episode.
    """

    returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    epsilons: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)

    def moving_average(self, window: int = 100) -> np.ndarray:
        """Mean return over a sliding window, shape ``(len(returns) - window + 1,)``."""
        r = np.asarray(self.returns, dtype=np.float64)
        if window < 1 or window > r.size:
            raise ValueError(f"window must lie in [1, {r.size}]; got {window}")
        c = np.concatenate([[0.0], np.cumsum(r)])
        return (c[window:] - c[:-window]) / window


def _n(space: Any, what: str) -> int:
    n = getattr(space, "n", None)
    if n is None:
        raise TypeError(f"{what} must be discrete (have an integer .n) for a tabular agent")
    return int(n)


class _TabularAgent:
    """Shared machinery: Q table, epsilon-greedy behaviour, episode loop, history."""

    def __init__(
        self,
        env: Any,
        *,
        gamma: float = 0.99,
        lr: float | Callable[[int], float] = 0.1,
        epsilon: float | Callable[[int], float] | None = None,
        q_init: float = 0.0,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma must lie in [0, 1]; got {gamma}")
        self.env = env
        self.n_states = _n(env.observation_space, "env.observation_space")
        self.n_actions = _n(env.action_space, "env.action_space")
        self.gamma = float(gamma)
        self.lr = as_schedule(lr, "lr", low_open=True)
        eps = ExponentialDecay(1.0, 0.01, 0.999) if epsilon is None else epsilon
        self.epsilon = as_schedule(eps, "epsilon")
        self.rng = np.random.default_rng(seed)
        self.q_table = np.full((self.n_states, self.n_actions), float(q_init))
        self.history = TrainingHistory()
        self.episodes_done = 0
        self._reset_seed = int(self.rng.integers(2**31))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_states={self.n_states}, n_actions={self.n_actions}, "
            f"gamma={self.gamma}, episodes_done={self.episodes_done})"
        )

    @property
    def policy(self) -> np.ndarray:
        """Greedy policy ``argmax_a Q(s, a)``, shape (S,)."""
        return np.argmax(self.q_table, axis=1)

    def predict(self, obs: int) -> int:
        """Greedy action for one observation."""
        return int(np.argmax(self.q_table[int(obs)]))

    def _act(self, s: int, eps: float, u: float, tie: float) -> int:
        # u, tie: uniform draws; explore with probability eps, break greedy ties at random
        if u < eps:
            return int(tie * self.n_actions)
        row = self.q_table[s]
        best = np.flatnonzero(row == row.max())
        return int(best[int(tie * best.size)])

    def learn(
        self,
        n_episodes: int,
        *,
        max_steps: int | None = None,
        callback: Callable[[_TabularAgent], bool | None] | None = None,
    ) -> TrainingHistory:
        """Train for ``n_episodes`` more episodes (training continues across calls).

        Parameters
        ----------
        n_episodes : int
        max_steps : int, optional
            Cut episodes after this many steps (treated as truncation, not termination).
        callback : callable, optional
            Called as ``callback(agent)`` after every episode; returning ``True`` stops.

        Returns
        -------
        TrainingHistory
            The full history (``self.history``).
        """
        if n_episodes < 0:
            raise ValueError(f"n_episodes must be >= 0; got {n_episodes}")
        env, Q, gamma = self.env, self.q_table, self.gamma
        for _ in range(int(n_episodes)):
            k = self.episodes_done
            eps, lr = float(self.epsilon(k)), float(self.lr(k))
            s, _ = env.reset(seed=self._reset_seed + k)
            s = int(s)
            draws = self.rng.random((2, 256))
            a = self._act(s, eps, draws[0, 0], draws[1, 0])
            total, t = 0.0, 0
            while True:
                s2, r, terminated, truncated, _ = env.step(a)
                s2 = int(s2)
                t += 1
                total += r
                j = t % 256
                if j == 0:
                    draws = self.rng.random((2, 256))
                a2 = self._act(s2, eps, draws[0, j], draws[1, j])
                target = r if terminated else r + gamma * self._bootstrap(s2, a2)
                Q[s, a] += lr * (target - Q[s, a])
                if terminated or truncated or (max_steps is not None and t >= max_steps):
                    break
                s, a = s2, a2
            self.episodes_done += 1
            h = self.history
            h.returns.append(float(total))
            h.lengths.append(t)
            h.epsilons.append(eps)
            h.lrs.append(lr)
            if callback is not None and callback(self):
                break
        return self.history

    def _bootstrap(self, s2: int, a2: int) -> float:
        raise NotImplementedError


class QLearning(_TabularAgent):
    """Tabular Q-learning (RL-Q), off-policy temporal-difference control.

    After each step ``(s, a, r, s')`` of an epsilon-greedy behaviour policy::

        Q(s, a) <- Q(s, a) + alpha [r + gamma max_a' Q(s', a') - Q(s, a)]

    with the bootstrap term dropped when ``s'`` is terminal (Gymnasium's ``terminated``;
    a ``truncated`` episode still bootstraps).

    Parameters
    ----------
    env : environment
        Any object with Gymnasium's ``reset()/step()`` API and discrete
        ``observation_space``/``action_space`` (Gymnasium toy-text envs, ``GridWorld``).
    gamma : float
        Discount factor.
    lr : float or callable
        Learning rate alpha, or a schedule ``episode -> alpha``.
    epsilon : float or callable, optional
        Exploration rate or schedule; default ``ExponentialDecay(1.0, 0.01, 0.999)``.
    q_init : float
        Initial Q values (optimistic values encourage exploration).
    seed : int or Generator, optional
        Seeds exploration and the environment resets.

    Attributes
    ----------
    q_table : ndarray, shape (S, A)
    history : TrainingHistory
        Reward curve and schedules, one entry per episode.

    Examples
    --------
    >>> from gradkit.rl import GridWorld
    >>> agent = QLearning(GridWorld(slip=0.0), gamma=1.0, lr=0.5, epsilon=0.2, seed=0)
    >>> _ = agent.learn(300)
    >>> run_episodes(agent.env, agent.policy, 1, seed=0).round(2).tolist()
    [0.84]
    """

    def _bootstrap(self, s2: int, a2: int) -> float:
        return float(self.q_table[s2].max())


class SARSA(_TabularAgent):
    """Tabular SARSA, on-policy temporal-difference control.

    ``Q(s, a) <- Q(s, a) + alpha [r + gamma Q(s', a') - Q(s, a)]`` where ``a'`` is the
    action the epsilon-greedy policy actually takes next. Parameters as
    :class:`QLearning`.
    """

    def _bootstrap(self, s2: int, a2: int) -> float:
        return float(self.q_table[s2, a2])


def run_episodes(
    env: Any, policy: Any, n_episodes: int, *, seed: int | None = None, max_steps: int = 10_000
) -> np.ndarray:
    """Run a fixed deterministic policy for ``n_episodes``; return each episode's return.

    Parameters
    ----------
    env : environment with Gymnasium's API
    policy : array_like of int, shape (S,)
    n_episodes : int
    seed : int, optional
        Episode ``i`` is reset with ``seed + i`` (reproducible).
    max_steps : int
        Safety cap per episode (the env's own time limit usually ends it first).

    Returns
    -------
    ndarray, shape (n_episodes,)
    """
    pi = np.asarray(policy).tolist()
    out = np.empty(int(n_episodes))
    base = 0 if seed is None else int(seed)
    for i in range(int(n_episodes)):
        s, _ = env.reset(seed=base + i if seed is not None else None)
        total = 0.0
        for _ in range(max_steps):
            s, r, terminated, truncated, _ = env.step(pi[int(s)])
            total += r
            if terminated or truncated:
                break
        out[i] = total
    return out
