"""Tour experiments RL-MDP, RL-POLICY, RL-BELLMAN, RL-VI, RL-Q (quick mode) on Gymnasium's
FrozenLake-v1; the experiments fall back to gradkit's GridWorld replica without Gymnasium,
but these tests pin the Gymnasium numbers."""

import pytest
from tourml_support import Findings, assert_all_supported, draw

pytest.importorskip("gymnasium")

IDS = ["RL-MDP", "RL-POLICY", "RL-BELLMAN", "RL-VI", "RL-Q"]


@pytest.fixture(scope="module")
def findings():
    return Findings()


def test_rl_mdp_matches_environment(findings):
    f = findings["RL-MDP"]
    assert_all_supported(f)
    assert f.numbers["env"] == "FrozenLake-v1"
    assert f.numbers["frequency_gap"] < 0.1


def test_rl_policy_value_predicts_returns(findings):
    f = findings["RL-POLICY"]
    assert_all_supported(f)
    assert f.numbers["solve_gap"] < 1e-9
    assert abs(f.numbers["mc_success"] - f.numbers["predicted_success"]) < 4 * f.numbers["mc_se"]


def test_rl_bellman_residual_zero(findings):
    f = findings["RL-BELLMAN"]
    assert_all_supported(f)
    assert f.numbers["residual"] < 1e-9 and f.numbers["largest_excess"] < 1e-9


def test_rl_vi_frozenlake_policy_and_success(findings):
    f = findings["RL-VI"]
    assert_all_supported(f)
    assert f.numbers["predicted_success"] == pytest.approx(0.740, abs=0.005)
    assert f.numbers["success_rate"] > 0.7
    assert f.numbers["v_gap"] < 1e-8


def test_rl_q_learning_near_optimal(findings):
    f = findings["RL-Q"]
    assert_all_supported(f)
    assert f.numbers["learned_success"] > 0.9 * f.numbers["optimal_success"]
    assert f.numbers["measured_success"] > 0.6 > 10 * f.numbers["random_success"]


@pytest.mark.parametrize("concept", IDS)
def test_rl_figures_draw(findings, concept):
    draw(findings[concept])


def test_rl_gridworld_replica_is_frozenlake():
    """Without Gymnasium the RL experiments use gradkit's GridWorld replica: same MDP."""
    import numpy as np

    from gradkit.rl import MDP, GridWorld
    from gradkit.tour.experiments.rl import LAKE, frozen_lake

    gym_env, _ = frozen_lake()
    replica = GridWorld(
        tuple(r.replace("F", ".") for r in LAKE),
        slip=2 / 3,
        step_reward=0.0,
        goal_reward=1.0,
        hole_reward=0.0,
    )
    a, b = MDP.from_gymnasium(gym_env), MDP.from_gymnasium(replica)
    np.testing.assert_allclose(a.P, b.P, atol=1e-15)
    np.testing.assert_allclose(a.R, b.R, atol=1e-15)
