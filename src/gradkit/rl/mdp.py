"""The tabular Markov decision process (RL-MDP)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MDP"]


class MDP:
    """A finite Markov decision process ``(S, A, {P_sa}, gamma, R)``.

    Episodes may end: ``P[s, a, :]`` holds the probabilities of *continuing* to each next
    state, and the missing mass ``1 - sum_s' P[s, a, s']`` is the probability that the
    episode terminates after taking ``a`` in ``s`` (a Gymnasium ``terminated`` transition).
    A row of zeros is an absorbing terminal state. With this convention every Bellman
    equation reads the same::

        Q(s, a) = R(s, a) + gamma * sum_s' P[s, a, s'] V(s')

    Parameters
    ----------
    P : array_like, shape (S, A, S)
        Continuation probabilities; non-negative, each ``P[s, a, :]`` sums to at most 1.
    R : array_like, shape (S,), (S, A) or (S, A, S)
        Rewards. ``R[s]`` is the reward for being in ``s`` (the textbook ``R(s)``),
        ``R[s, a]`` the expected reward for taking ``a`` in ``s``, and ``R[s, a, s']`` a
        reward per transition (its expectation under ``P`` is kept).
    gamma : float
        Discount factor in ``[0, 1]``.

    Attributes
    ----------
    P : ndarray, shape (S, A, S)
    R : ndarray, shape (S, A)
        Expected immediate reward of each state-action pair.
    gamma : float
    n_states, n_actions : int

    Examples
    --------
    >>> P = np.zeros((2, 1, 2)); P[0, 0, 1] = 1.0   # state 1 is terminal
    >>> mdp = MDP(P, R=[[1.0], [0.0]], gamma=0.9)
    >>> mdp.q_values(np.zeros(2)).ravel().tolist()
    [1.0, 0.0]
    """

    def __init__(self, P: Any, R: Any, gamma: float) -> None:
        P = np.asarray(P, dtype=np.float64)
        if P.ndim != 3 or P.shape[0] != P.shape[2]:
            raise ValueError(f"P must have shape (S, A, S); got {P.shape}")
        if not np.all(np.isfinite(P)) or np.any(P < 0):
            raise ValueError("P must hold finite, non-negative probabilities")
        if np.any(P.sum(axis=2) > 1.0 + 1e-9):
            s, a = np.argwhere(P.sum(axis=2) > 1.0 + 1e-9)[0]
            raise ValueError(
                f"P[{s}, {a}, :] sums to {P[s, a].sum():.6g} > 1; rows must be probabilities"
            )
        n_states, n_actions = P.shape[:2]
        R = np.asarray(R, dtype=np.float64)
        if R.shape == (n_states,):
            R = np.repeat(R[:, None], n_actions, axis=1)
        elif R.shape == P.shape:
            R = np.einsum("ijk,ijk->ij", P, R, optimize=True)
        elif R.shape != (n_states, n_actions):
            raise ValueError(
                f"R must have shape (S,), (S, A) or (S, A, S) = {(n_states,)}, "
                f"{(n_states, n_actions)} or {P.shape}; got {R.shape}"
            )
        if not np.all(np.isfinite(R)):
            raise ValueError("R contains NaN or inf")
        gamma = float(gamma)
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma must lie in [0, 1]; got {gamma}")
        self.P, self.R, self.gamma = P, R, gamma
        self.n_states, self.n_actions = int(n_states), int(n_actions)

    def __repr__(self) -> str:
        return f"MDP(n_states={self.n_states}, n_actions={self.n_actions}, gamma={self.gamma})"

    @classmethod
    def from_gymnasium(cls, env: Any, gamma: float = 0.99) -> MDP:
        """Build the MDP of a toy-text environment from its transition table.

        Reads ``env.unwrapped.P`` (``P[s][a] = [(prob, s', reward, terminated), ...]``, the
        format of Gymnasium's FrozenLake, CliffWalking and Taxi and of
        :class:`~gradkit.rl.GridWorld`). Gymnasium itself is not imported.

        Parameters
        ----------
        env : object
            An environment (wrapped or not) whose ``unwrapped.P`` is the table.
        gamma : float
            Discount factor.
        """
        table = getattr(getattr(env, "unwrapped", env), "P", None)
        if not isinstance(table, dict):
            raise TypeError(
                "env has no transition table: expected env.unwrapped.P as a dict "
                "P[s][a] = [(prob, next_state, reward, terminated), ...]"
            )
        n_states = len(table)
        n_actions = len(table[0])
        P = np.zeros((n_states, n_actions, n_states))
        R = np.zeros((n_states, n_actions))
        for s, row in table.items():
            for a, outcomes in row.items():
                for prob, s_next, reward, terminated in outcomes:
                    R[s, a] += prob * reward
                    if not terminated:
                        P[s, a, int(s_next)] += prob
        return cls(P, R, gamma)

    def q_values(self, V: np.ndarray) -> np.ndarray:
        """One Bellman backup ``Q(s, a) = R(s, a) + gamma * sum_s' P[s, a, s'] V(s')``.

        Shape: ``V`` (S,) -> ``Q`` (S, A).
        """
        return self.R + self.gamma * (self.P @ V)

    def policy_matrix(self, policy: Any) -> np.ndarray:
        """The policy as action probabilities of shape (S, A), validated.

        ``policy`` may be deterministic (int array of shape (S,)) or stochastic (S, A).
        """
        pi = np.asarray(policy)
        if pi.shape == (self.n_states,):
            if not np.issubdtype(pi.dtype, np.integer) or pi.min() < 0:
                raise ValueError("a deterministic policy must hold action indices >= 0")
            if pi.max() >= self.n_actions:
                raise ValueError(f"policy has action {pi.max()} but n_actions={self.n_actions}")
            return np.eye(self.n_actions)[pi]
        if pi.shape == (self.n_states, self.n_actions):
            pi = pi.astype(np.float64)
            if np.any(pi < 0) or not np.allclose(pi.sum(axis=1), 1.0):
                raise ValueError("a stochastic policy must have rows of probabilities")
            return pi
        raise ValueError(
            f"policy must have shape (S,) = ({self.n_states},) or (S, A) = "
            f"({self.n_states}, {self.n_actions}); got {pi.shape}"
        )
