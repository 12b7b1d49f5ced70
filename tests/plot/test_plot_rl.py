"""value_function: FrozenLake 4×4's values from value iteration (RL-VI) as an image, and
policy arrows that point where Gymnasium moves the agent for that action."""

import numpy as np
import pytest

from gradkit import plot

gym = pytest.importorskip("gymnasium")


def test_arrows_point_where_gymnasium_moves_the_agent():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    P = env.unwrapped.P
    n_cols = 4
    for a in range(4):
        ax = plot.value_function(np.zeros(16), (4, 4), policy=np.full(16, a))
        q = ax.collections[0]
        s = 6  # a frozen cell at (1, 2): every action moves the agent
        (_, s_next, _, _), *_ = P[s][a]
        dr, dc = np.subtract(divmod(s_next, n_cols), divmod(s, n_cols))
        # on screen row 0 is on top (imshow origin='upper'), so a row step down is V = -1
        assert (q.U[s], q.V[s]) == (dc, -dr)
        assert ax.get_ylim()[0] > ax.get_ylim()[1]
    env.close()


def test_frozenlake_value_iteration_values_and_policy():
    from gradkit.rl import MDP, value_iteration

    env = gym.make("FrozenLake-v1")
    result = value_iteration(MDP.from_gymnasium(env, gamma=0.99))
    terminal = [5, 7, 11, 12, 15]  # holes and goal of the 4x4 map
    ax = plot.value_function(result, (4, 4), terminal=terminal)
    np.testing.assert_array_equal(ax.images[0].get_array(), result.V.reshape(4, 4))
    q = ax.collections[0]
    keep = [s for s in range(16) if s not in terminal]
    assert len(q.U) == len(keep) == 11
    arrows = plot.rl.ARROWS[result.policy[keep]]
    np.testing.assert_array_equal(np.column_stack([q.U, q.V]), arrows)
    np.testing.assert_array_equal(
        q.XY, np.column_stack([np.mod(keep, 4), np.floor_divide(keep, 4)])
    )
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in result.V]
    env.close()


def test_policy_from_probabilities_and_errors():
    probs = np.eye(4)[[3, 2, 1, 0]]
    ax = plot.value_function(np.arange(4.0).reshape(2, 2), (2, 2), policy=probs, annotate=False)
    q = ax.collections[0]
    np.testing.assert_array_equal(q.U, [0, 1, 0, -1])
    np.testing.assert_array_equal(q.V, [1, 0, -1, 0])
    assert len(ax.texts) == 0
    with pytest.raises(
        ValueError, match=r"values has shape \(5,\) \(5 states\) but shape \(2, 2\)"
    ):
        plot.value_function(np.zeros(5), (2, 2))
    with pytest.raises(ValueError, match="shape must be"):
        plot.value_function(np.zeros(4), 4)
    with pytest.raises(ValueError, match="policy must have 4 actions"):
        plot.value_function(np.zeros(4), (2, 2), policy=[0, 1])
    with pytest.raises(ValueError, match=r"actions must be 0 \(left\)"):
        plot.value_function(np.zeros(4), (2, 2), policy=[0, 1, 4, 2])
    with pytest.raises(ValueError, match=r"terminal states must be in \[0, 4\)"):
        plot.value_function(np.zeros(4), (2, 2), policy=[0, 1, 2, 3], terminal=[4])
