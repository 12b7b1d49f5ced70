"""Reinforcement learning: tabular MDPs, dynamic programming and Q-learning.

Imports NumPy only; Gymnasium environments plug in through their ``reset()/step()`` API
and their ``P`` transition table, without Gymnasium being imported here.
"""

from gradkit.rl.agents import SARSA, QLearning, TrainingHistory, run_episodes
from gradkit.rl.gridworld import GridWorld
from gradkit.rl.mdp import MDP
from gradkit.rl.planning import (
    PlanningResult,
    greedy_policy,
    policy_evaluation,
    policy_iteration,
    value_iteration,
)
from gradkit.rl.schedules import Constant, ExponentialDecay, LinearDecay
from gradkit.rl.spaces import Discrete

__all__ = [
    "MDP",
    "SARSA",
    "Constant",
    "Discrete",
    "ExponentialDecay",
    "GridWorld",
    "LinearDecay",
    "PlanningResult",
    "QLearning",
    "TrainingHistory",
    "greedy_policy",
    "policy_evaluation",
    "policy_iteration",
    "run_episodes",
    "value_iteration",
]
