"""MDP construction and dynamic programming (RL-MDP, RL-POLICY, RL-BELLMAN, RL-VI)."""

import numpy as np
import pytest

from gradkit.rl import (
    MDP,
    GridWorld,
    greedy_policy,
    policy_evaluation,
    policy_iteration,
    value_iteration,
)

# Russell & Norvig, AIMA 3rd ed., Fig. 17.3: utilities of the 4x3 world, gamma = 1,
# R(s) = -0.04 (row-major from the top row; walls and terminals are NaN here).
AIMA_U = np.array(
    [
        [0.812, 0.868, 0.918, np.nan],
        [0.762, np.nan, 0.660, np.nan],
        [0.705, 0.655, 0.611, 0.388],
    ]
)


def aima_mdp():
    """The 4x3 world in the textbook R(s) form: terminals keep their reward, then stop."""
    env = GridWorld(slip=0.2)
    cells = env.grid.ravel()
    P = np.zeros((cells.size, 4, cells.size))
    for s, row in env.P.items():
        for a, outcomes in row.items():
            for prob, s2, _, _ in outcomes:
                P[s, a, s2] += prob
    P[np.isin(cells, ["G", "H", "#"])] = 0.0  # terminals collect R(s), then stop
    R = np.where(cells == "G", 1.0, np.where(cells == "H", -1.0, -0.04))
    return MDP(P, R, gamma=1.0)


def test_rl_bellman_value_iteration_matches_aima_utilities():
    """RL-BELLMAN / RL-VI: V* = R(s) + max_a gamma sum P V* reproduces AIMA Fig. 17.3."""
    res = value_iteration(aima_mdp())
    U = res.V.reshape(3, 4)
    mask = ~np.isnan(AIMA_U)
    np.testing.assert_allclose(U[mask], AIMA_U[mask], atol=5e-4)
    # the fixed point satisfies the optimal Bellman equation
    mdp = aima_mdp()
    np.testing.assert_allclose(mdp.q_values(res.V).max(axis=1), res.V, atol=1e-9)
    # AIMA Fig. 17.2 (R = -0.04): up, left, left, left along the bottom row; up beside -1
    assert res.policy[[8, 9, 10, 11, 6]].tolist() == [3, 0, 0, 0, 3]


def test_rl_mdp_gridworld_env_matches_textbook_form():
    """RL-MDP: GridWorld pays R on entering a cell, so V_env(s) = U(s) - R(s) (gamma 1)."""
    env_mdp = MDP.from_gymnasium(GridWorld(), gamma=1.0)
    V = value_iteration(env_mdp).V.reshape(3, 4)
    mask = ~np.isnan(AIMA_U)
    np.testing.assert_allclose(V[mask] - 0.04, AIMA_U[mask], atol=5e-4)


def test_rl_policy_evaluation_methods_agree_and_match_monte_carlo():
    """RL-POLICY: exact, iterative and Monte-Carlo (GridWorld rollouts) values agree."""
    from gradkit.rl import run_episodes

    env = GridWorld()
    mdp = MDP.from_gymnasium(env, gamma=1.0)
    pi = value_iteration(mdp).policy
    v_exact = policy_evaluation(mdp, pi)
    v_iter = policy_evaluation(mdp, pi, tol=1e-13)
    np.testing.assert_allclose(v_iter, v_exact, atol=1e-10)
    # stochastic-policy form of the same deterministic policy
    np.testing.assert_allclose(policy_evaluation(mdp, np.eye(4)[pi]), v_exact, atol=1e-12)
    returns = run_episodes(env, pi, 4000, seed=0)
    se = returns.std() / np.sqrt(returns.size)
    assert abs(returns.mean() - v_exact[env.start_state]) < 4 * se


def test_rl_vi_pi_agree_on_frozenlake():
    """RL-VI: value and policy iteration on FrozenLake-v1 (gamma 0.99) agree to 1e-8."""
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1")
    mdp = MDP.from_gymnasium(env, gamma=0.99)
    vi = value_iteration(mdp)
    pi = policy_iteration(mdp)
    np.testing.assert_array_equal(vi.policy, pi.policy)
    assert np.max(np.abs(vi.V - pi.V)) < 1e-8
    np.testing.assert_array_equal(greedy_policy(mdp, pi.V), pi.policy)
    # the known optimal FrozenLake 4x4 actions on the non-terminal cells
    # (left, up, up, up / left, -, left, - / up, down, left, - / -, right, down, -)
    expected = {0: 0, 1: 3, 2: 3, 3: 3, 4: 0, 6: 0, 8: 3, 9: 1, 10: 0, 13: 2, 14: 1}
    assert {s: int(vi.policy[s]) for s in expected} == expected


def test_rl_policy_frozenlake_success_rate_exact_vs_gymnasium():
    """RL-POLICY: the optimal policy's success rate, exact (100-step horizon) vs 10,000
    Gymnasium episodes; it must exceed 70%."""
    gym = pytest.importorskip("gymnasium")
    from gradkit.rl import run_episodes

    env = gym.make("FrozenLake-v1")
    mdp = MDP.from_gymnasium(env, gamma=0.99)
    policy = value_iteration(mdp).policy
    undiscounted = MDP(mdp.P, mdp.R, gamma=1.0)
    p_exact = policy_evaluation(undiscounted, policy, horizon=env.spec.max_episode_steps)[0]
    wins = run_episodes(env, policy, 10_000, seed=0)
    rate = wins.mean()
    print(f"FrozenLake optimal policy: exact {p_exact:.4f}, 10,000 episodes {rate:.4f}")
    assert rate >= 0.70
    assert abs(rate - p_exact) < 4 * np.sqrt(p_exact * (1 - p_exact) / wins.size)


def test_rl_mdp_from_gymnasium_matches_table():
    """RL-MDP: P and R built from Gymnasium's table; terminated transitions drop out."""
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1")
    mdp = MDP.from_gymnasium(env, gamma=0.9)
    assert mdp.P.shape == (16, 4, 16) and mdp.R.shape == (16, 4)
    # from 14 moving right: 1/3 reach the goal (+1, terminated), 1/3 each to 10 and 14
    np.testing.assert_allclose(mdp.R[14, 2], 1 / 3)
    np.testing.assert_allclose(mdp.P[14, 2, [10, 14, 15]], [1 / 3, 1 / 3, 0.0])
    assert mdp.P[5].sum() == 0  # a hole is absorbing
    # sampling transitions of the real env reproduces P (cliff: deterministic)
    cliff = MDP.from_gymnasium(gym.make("CliffWalking-v1"), gamma=1.0)
    assert cliff.R[36, 0] == -1 and cliff.R[36, 1] == -100  # up; right falls off
    np.testing.assert_allclose(cliff.P.sum(axis=2)[:35], 1.0)
    assert cliff.P[35, 2].sum() == 0 and cliff.R[35, 2] == -1  # down from 35: the goal


def test_rl_mdp_validation_errors():
    P = np.zeros((2, 1, 2))
    P[0, 0, 1] = 1.0
    with pytest.raises(ValueError, match="shape"):
        MDP(np.zeros((2, 2)), [0, 0], 0.9)
    with pytest.raises(ValueError, match="sums to"):
        MDP(np.full((2, 1, 2), 0.8), [0, 0], 0.9)
    with pytest.raises(ValueError, match="gamma"):
        MDP(P, [0, 0], 1.5)
    with pytest.raises(ValueError, match="NaN"):
        MDP(P, [np.nan, 0], 0.5)
    with pytest.raises(ValueError, match="R must have shape"):
        MDP(P, np.zeros(3), 0.5)
    with pytest.raises(ValueError, match="policy"):
        policy_evaluation(MDP(P, [1, 0], 0.5), [0, 3])
    loop = np.zeros((1, 1, 1))
    loop[0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="improper"):
        policy_evaluation(MDP(loop, [1.0], 1.0), [0])
    with pytest.raises(TypeError, match="transition table"):
        MDP.from_gymnasium(object())
    with pytest.raises(ValueError, match="layout characters"):
        GridWorld(["S.X"])
