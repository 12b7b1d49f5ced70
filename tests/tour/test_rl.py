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
