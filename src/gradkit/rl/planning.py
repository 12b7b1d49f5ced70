"""Dynamic programming on a known MDP: policy evaluation, value and policy iteration.

Concepts RL-POLICY (policy evaluation), RL-BELLMAN (the optimality equation and greedy
policy) and RL-VI (value iteration; policy iteration alongside).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gradkit.rl.mdp import MDP
from gradkit.validation import check_finite, check_int, check_number

__all__ = [
    "PlanningResult",
    "greedy_policy",
    "policy_evaluation",
    "policy_iteration",
    "value_iteration",
]


@dataclass
class PlanningResult:
    """Output of :func:`value_iteration` and :func:`policy_iteration`.

    Attributes
    ----------
    V : ndarray, shape (S,)
        State values.
    policy : ndarray of int, shape (S,)
        Greedy (optimal) action per state.
    Q : ndarray, shape (S, A)
        Action values ``R + gamma * P V``.
    n_iter : int
        Sweeps (value iteration) or improvement steps (policy iteration) used.
    """

    V: np.ndarray
    policy: np.ndarray
    Q: np.ndarray
    n_iter: int


def greedy_policy(mdp: MDP, V: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Greedy policy ``pi(s) = argmax_a [R(s, a) + gamma * sum_s' P[s, a, s'] V(s')]``.

    Actions whose value is within ``tol`` of the best are ties and the lowest index wins,
    so two value functions that agree to ``tol`` give the same policy.

    Returns
    -------
    ndarray of int, shape (S,)
    """
    Q = mdp.q_values(np.asarray(V, dtype=np.float64))
    return _argmax_ties(Q, tol)


def _argmax_ties(Q: np.ndarray, tol: float) -> np.ndarray:
    return np.argmax(Q >= Q.max(axis=1, keepdims=True) - tol, axis=1)


def policy_evaluation(
    mdp: MDP,
    policy: Any,
    *,
    horizon: int | None = None,
    tol: float | None = None,
    max_iter: int = 100_000,
) -> np.ndarray:
    """Value of a policy, ``V^pi(s) = E[r_0 + gamma r_1 + gamma^2 r_2 + ... | s_0 = s, pi]``.

    It solves the Bellman expectation equation ``V = R_pi + gamma P_pi V`` with
    ``R_pi(s) = sum_a pi(a|s) R(s, a)`` and ``P_pi(s, s') = sum_a pi(a|s) P[s, a, s']``:

    - exactly, ``V = (I - gamma P_pi)^{-1} R_pi`` (default);
    - iteratively, ``V_{k+1} = R_pi + gamma P_pi V_k`` until ``max|V_{k+1} - V_k| < tol``;
    - or over a finite ``horizon`` H, ``V_H = sum_{t<H} (gamma P_pi)^t R_pi``: the expected
      return of an episode cut off after H steps (Gymnasium's ``TimeLimit``).

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S,) of int or (S, A) of probabilities
    horizon : int, optional
        Finite horizon H; excludes ``tol``.
    tol : float, optional
        Use iterative evaluation to this tolerance instead of the linear solve.
    max_iter : int
        Cap on iterative sweeps.

    Returns
    -------
    ndarray, shape (S,)
    """
    pi = mdp.policy_matrix(policy)
    R_pi = np.einsum("sa,sa->s", pi, mdp.R)
    P_pi = np.einsum("sa,sat->st", pi, mdp.P, optimize=True)
    if horizon is not None:
        if horizon < 0 or int(horizon) != horizon:
            raise ValueError(f"horizon must be a non-negative integer; got {horizon}")
        V = np.zeros(mdp.n_states)
        for _ in range(int(horizon)):
            V = R_pi + mdp.gamma * (P_pi @ V)
        return V
    if tol is not None:
        V = np.zeros(mdp.n_states)
        for _ in range(max_iter):
            V_new = R_pi + mdp.gamma * (P_pi @ V)
            if np.max(np.abs(V_new - V)) < tol:
                return V_new
            V = V_new
        raise RuntimeError(f"policy evaluation did not converge in {max_iter} sweeps")
    A = np.eye(mdp.n_states) - mdp.gamma * P_pi
    try:
        V = np.linalg.solve(A, R_pi)
    except np.linalg.LinAlgError:
        V = np.full(mdp.n_states, np.nan)
    if not np.all(np.isfinite(V)) or np.linalg.cond(A) > 1e12:
        raise ValueError(
            "I - gamma * P_pi is singular: with gamma=1 the policy never terminates from "
            "some state (an improper policy); use gamma < 1 or a finite horizon"
        )
    return V


def _start_values(mdp: MDP, V0, owner: str) -> np.ndarray:
    """``V0`` as a finite float64 copy of shape (S,)."""
    V = check_finite(owner, "V0", np.asarray(V0, dtype=np.float64)).copy()
    if V.shape != (mdp.n_states,):
        raise ValueError(f"{owner}: `V0` must have shape ({mdp.n_states},), got {V.shape}")
    return V


def value_iteration(
    mdp: MDP, *, tol: float = 1e-10, max_iter: int = 100_000, V0: Any = None
) -> PlanningResult:
    """Value iteration (RL-VI): ``V_{i+1}(s) = max_a [R(s, a) + gamma sum_s' P_sa(s') V_i(s')]``.

    Starting from ``V_0 = 0`` it applies the optimal Bellman operator (RL-BELLMAN) until
    the values are within ``tol`` of the fixed point ``V*``: it stops when
    ``max|V_{i+1} - V_i| < tol (1 - gamma) / gamma`` (for ``gamma = 1``, when the change is
    below ``tol``). The policy is greedy with respect to the final values.

    Parameters
    ----------
    mdp : MDP
    tol : float
        Target sup-norm distance to ``V*``.
    max_iter : int
    V0 : array_like, shape (S,), optional
        Starting values (default zeros).

    Returns
    -------
    PlanningResult
    """
    check_number("value_iteration", "tol", tol, 0.0, low_open=True)
    max_iter = check_int("value_iteration", "max_iter", max_iter)
    V = np.zeros(mdp.n_states) if V0 is None else _start_values(mdp, V0, "value_iteration")
    g = mdp.gamma
    threshold = tol * (1.0 - g) / g if 0.0 < g < 1.0 else tol
    P2 = mdp.P.reshape(-1, mdp.n_states)
    for it in range(1, max_iter + 1):
        Q = mdp.R + g * (P2 @ V).reshape(mdp.n_states, mdp.n_actions)
        V_new = Q.max(axis=1)
        delta = np.max(np.abs(V_new - V))
        V = V_new
        if delta < threshold:
            Q = mdp.q_values(V)
            return PlanningResult(V, _argmax_ties(Q, max(tol, 1e-12)), Q, it)
    raise RuntimeError(f"value iteration did not converge in {max_iter} sweeps")


def policy_iteration(
    mdp: MDP, *, policy0: Any = None, max_iter: int = 1_000, tol: float = 1e-9
) -> PlanningResult:
    """Policy iteration: evaluate ``V^pi`` exactly, then improve ``pi`` greedily; repeat.

    ``pi_{k+1}(s) = argmax_a [R(s, a) + gamma sum_s' P[s, a, s'] V^{pi_k}(s')]``, keeping the
    current action when it is within ``tol`` of the best (so the loop cannot cycle
    between tied actions). It stops when the policy no longer changes; then ``V^pi = V*``.

    Parameters
    ----------
    mdp : MDP
    policy0 : array_like of int, shape (S,), optional
        Initial policy (default: action 0 everywhere). With ``gamma = 1`` it must be
        proper (terminate from every state).
    max_iter : int
    tol : float
        Tie tolerance of the improvement step.

    Returns
    -------
    PlanningResult
    """
    policy = np.zeros(mdp.n_states, dtype=np.int64) if policy0 is None else np.asarray(policy0)
    mdp.policy_matrix(policy)  # validate
    rows = np.arange(mdp.n_states)
    for it in range(1, max_iter + 1):
        V = policy_evaluation(mdp, policy)
        Q = mdp.q_values(V)
        best = Q.max(axis=1)
        keep = Q[rows, policy] >= best - tol
        new = np.where(keep, policy, _argmax_ties(Q, tol))
        if np.array_equal(new, policy):
            return PlanningResult(V, _argmax_ties(Q, tol), Q, it)
        policy = new
    raise RuntimeError(f"policy iteration did not converge in {max_iter} improvements")
