"""Evidence tour, group RL: FrozenLake solved by dynamic programming and by Q-learning.

RL-MDP, RL-POLICY, RL-BELLMAN, RL-VI and RL-Q. The environment is Gymnasium's
``FrozenLake-v1`` (4x4, slippery, 100-step limit) when Gymnasium is installed, else a
:class:`gradkit.rl.GridWorld` with the same map and dynamics (the move goes the intended
way or to either side with probability 1/3 each; reward 1 at the goal, 0 elsewhere).
"""

from __future__ import annotations

import numpy as np

from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_rl.py"
LAKE = ("SFFF", "FHFH", "FFFH", "HFFG")
ACTIONS = "←↓→↑"


def frozen_lake():
    """(env, name): Gymnasium's FrozenLake-v1, or gradkit's GridWorld replica of it."""
    try:
        import gymnasium
    except ImportError:
        from gradkit.rl import GridWorld

        layout = tuple(row.replace("F", ".") for row in LAKE)
        env = GridWorld(layout, slip=2 / 3, step_reward=0.0, goal_reward=1.0, hole_reward=0.0)
        return env, "GridWorld replica of FrozenLake"
    return gymnasium.make("FrozenLake-v1", map_name="4x4", is_slippery=True), "FrozenLake-v1"


def _mdp(env, gamma: float):
    from gradkit.rl import MDP

    return MDP.from_gymnasium(env, gamma=gamma)


def _success_within_limit(mdp, policy) -> float:
    """P(reach the goal from the start within 100 steps) under ``policy``: the value of the
    start state with γ = 1 over a 100-step horizon (FrozenLake's time limit)."""
    from gradkit.rl import MDP, policy_evaluation

    undiscounted = MDP(mdp.P, mdp.R, 1.0)
    return float(policy_evaluation(undiscounted, policy, horizon=100)[0])


@experiment(
    "RL-MDP",
    group="RL",
    title="FrozenLake as a Markov decision process",
    claim="An environment is an MDP (S, A, {P_sa}, γ, R): its transition probabilities and "
    "rewards fully describe what a step does.",
    formula="P_sa(s') = P(s_{t+1} = s' | s_t = s, a_t = a),  R(s, a) = E[r | s, a]",
    code=("gradkit.rl", "MDP"),
    test=TEST,
)
def rl_mdp(quick: bool) -> Finding:
    env, name = frozen_lake()
    mdp = _mdp(env, 0.99)
    # sample transitions with random actions and compare their frequencies with P
    steps = 20_000 if quick else 200_000
    rng = np.random.default_rng(0)
    counts = np.zeros((mdp.n_states, mdp.n_actions, mdp.n_states + 1))  # last: episode ended
    s, _ = env.reset(seed=0)
    for _ in range(steps):
        a = int(rng.integers(mdp.n_actions))
        s2, _, terminated, truncated, _ = env.step(a)
        counts[int(s), a, mdp.n_states if terminated else int(s2)] += 1
        s = s2
        if terminated or truncated:
            s, _ = env.reset()
    visits = counts.sum(axis=2)
    model = np.concatenate([mdp.P, 1 - mdp.P.sum(axis=2, keepdims=True)], axis=2)
    seen = visits >= 200
    freq = counts[seen] / visits[seen][:, None]
    gap = float(np.max(np.abs(freq - model[seen])))
    intended = float(np.max(mdp.P[0, 1]))  # from the start, action 'down'
    terminal = [i for i, c in enumerate("".join(LAKE)) if c in "HG"]
    rewarding = np.flatnonzero(mdp.R.max(axis=1) > 0).tolist()
    checks = [
        Check(
            f"{name} is the MDP (S, A, P, γ, R) with 16 states and 4 actions; a move goes the "
            "intended way with probability 1/3",
            f"S = {mdp.n_states}, A = {mdp.n_actions}, γ = {mdp.gamma}; P(intended) = "
            f"{intended:.4f}; holes and goal end the episode (their rows of P are zero: "
            f"{bool(np.all(mdp.P[terminal] == 0))})",
            mdp.n_states == 16
            and mdp.n_actions == 4
            and abs(intended - 1 / 3) < 1e-12
            and bool(np.all(mdp.P[terminal] == 0)),
        ),
        Check(
            "stepping the environment reproduces P: sampled transition frequencies match it",
            f"{steps} random steps, {int(seen.sum())} (s, a) pairs seen ≥ 200 times: largest "
            f"|frequency − P| = {gap:.3f}",
            gap < 0.1,
        ),
        Check(
            "the only reward is 1 for stepping onto the goal",
            f"states with a rewarding action: {rewarding} (14, left of the goal; 11 above "
            f"it is a hole); R(14, →) = {mdp.R[14, 2]:.4f} = P(reach the goal)",
            rewarding == [14] and abs(mdp.R[14, 2] - 1 / 3) < 1e-12,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.imshow(mdp.P[14, 2].reshape(4, 4), cmap="Blues", vmin=0, vmax=1)
        for i, c in enumerate("".join(LAKE)):
            ax.text(i % 4, i // 4, c, ha="center", va="center")
        ax.set_title("P(s' | s = 14, a = →): the goal with 1/3")
        ax.set_axis_off()

    return Finding(
        checks,
        {"env": name, "frequency_gap": gap, "p_intended": intended, "steps": steps},
        draw,
    )


@experiment(
    "RL-POLICY",
    group="RL",
    title="Policy evaluation",
    claim="A policy's value V^π(s) is its expected (discounted) return from s; it solves the "
    "linear Bellman equation V = R_π + γ P_π V and matches returns averaged over episodes.",
    formula="V^π(s) = E[r_0 + γ r_1 + γ² r_2 + … | s_0 = s, π]",
    code=("gradkit.rl", "policy_evaluation"),
    test=TEST,
)
def rl_policy(quick: bool) -> Finding:
    from gradkit.rl import policy_evaluation

    env, name = frozen_lake()
    mdp = _mdp(env, 0.99)
    uniform = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
    exact = policy_evaluation(mdp, uniform)
    iterative = policy_evaluation(mdp, uniform, tol=1e-12)
    solve_gap = float(np.max(np.abs(exact - iterative)))
    # Monte Carlo: run the random policy in the environment (100-step limit, γ = 1)
    predicted = _success_within_limit(mdp, uniform)
    episodes = 4000 if quick else 40_000
    rng = np.random.default_rng(0)
    wins = 0
    for i in range(episodes):
        env.reset(seed=i)
        while True:
            _, r, terminated, truncated, _ = env.step(int(rng.integers(mdp.n_actions)))
            if terminated or truncated:
                wins += r > 0
                break
    rate = wins / episodes
    se = np.sqrt(predicted * (1 - predicted) / episodes)
    checks = [
        Check(
            "the exact solve (I − γP_π)⁻¹R_π and iterative evaluation agree",
            f"largest difference {solve_gap:.1e}; V^π(start) = {exact[0]:.4f} for the random "
            "policy (γ = 0.99)",
            solve_gap < 1e-9,
        ),
        Check(
            "the value predicts the average return of real episodes",
            f"random policy: predicted success within 100 steps {predicted:.4f}; {episodes} "
            f"episodes in {name}: {rate:.4f} (±{se:.4f})",
            abs(rate - predicted) < 4 * se,
        ),
    ]

    def draw(fig):
        from gradkit.plot import value_function

        value_function(exact, (4, 4), ax=fig.add_subplot(1, 1, 1))

    return Finding(
        checks,
        {
            "solve_gap": solve_gap,
            "predicted_success": predicted,
            "mc_success": rate,
            "mc_se": float(se),
            "v_start": float(exact[0]),
        },
        draw,
    )


@experiment(
    "RL-BELLMAN",
    group="RL",
    title="The optimal Bellman equation",
    claim="V* is the fixed point of the optimal Bellman equation, the greedy policy in V* is "
    "optimal, and no policy's value exceeds V* in any state.",
    formula="V*(s) = max_a [R(s, a) + γ Σ_s' P_sa(s') V*(s')],  π*(s) = argmax_a …",
    code=("gradkit.rl", "greedy_policy"),
    test=TEST,
)
def rl_bellman(quick: bool) -> Finding:
    from gradkit.rl import greedy_policy, policy_evaluation, value_iteration

    env, _ = frozen_lake()
    mdp = _mdp(env, 0.99)
    V = value_iteration(mdp, tol=1e-12).V
    residual = float(np.max(np.abs(mdp.q_values(V).max(axis=1) - V)))
    pi = greedy_policy(mdp, V)
    own_gap = float(np.max(np.abs(policy_evaluation(mdp, pi) - V)))
    rng = np.random.default_rng(0)
    n_random = 200 if quick else 5000
    worst = -np.inf
    best_random = 0.0
    for _ in range(n_random):
        other = policy_evaluation(mdp, rng.integers(0, mdp.n_actions, mdp.n_states))
        worst = max(worst, float(np.max(other - V)))
        best_random = max(best_random, float(other[0]))
    checks = [
        Check(
            "V* satisfies the optimal Bellman equation",
            f"Bellman residual max |T V* − V*| = {residual:.1e}",
            residual < 1e-9,
        ),
        Check(
            "the greedy policy in V* achieves V*",
            f"max |V^π* − V*| = {own_gap:.1e}",
            own_gap < 1e-8,
        ),
        Check(
            "no policy beats V* anywhere",
            f"{n_random} random deterministic policies: largest V^π(s) − V*(s) = {worst:.1e}; "
            f"best start value {best_random:.3f} vs V*(start) = {V[0]:.3f}",
            worst < 1e-9,
        ),
    ]

    def draw(fig):
        from gradkit.plot import value_function

        value_function(V, (4, 4), policy=pi, ax=fig.add_subplot(1, 1, 1))

    return Finding(
        checks,
        {
            "residual": residual,
            "greedy_gap": own_gap,
            "largest_excess": worst,
            "v_star_start": float(V[0]),
        },
        draw,
    )


@experiment(
    "RL-VI",
    group="RL",
    title="Value iteration on FrozenLake",
    claim="Value iteration from V₀ = 0 converges to V* (each sweep shrinks the error by γ); "
    "its policy equals policy iteration's and succeeds in the real environment as predicted.",
    formula="V_{i+1}(s) = max_a [R(s, a) + γ Σ_s' P_sa(s') V_i(s')]",
    code=("gradkit.rl", "value_iteration"),
    test=TEST,
)
def rl_vi(quick: bool) -> Finding:
    from gradkit.rl import policy_iteration, run_episodes, value_iteration

    env, name = frozen_lake()
    mdp = _mdp(env, 0.99)
    vi = value_iteration(mdp, tol=1e-10)
    pi = policy_iteration(mdp)
    policy_same = bool(np.array_equal(vi.policy, pi.policy))
    v_gap = float(np.max(np.abs(vi.V - pi.V)))
    # the contraction: ‖V_i − V*‖ ≤ γ^i ‖V_0 − V*‖, sweep by sweep
    V, errors = np.zeros(mdp.n_states), []
    for _ in range(60):
        errors.append(float(np.max(np.abs(V - vi.V))))
        V = mdp.q_values(V).max(axis=1)
    bound_ok = all(e <= mdp.gamma**i * errors[0] + 1e-12 for i, e in enumerate(errors))
    predicted = _success_within_limit(mdp, vi.policy)
    episodes = 1000 if quick else 20_000
    rate = float(run_episodes(env, vi.policy, episodes, seed=0).mean())
    se = np.sqrt(predicted * (1 - predicted) / episodes)
    arrows = ["".join(ACTIONS[a] for a in row) for row in vi.policy.reshape(4, 4)]
    checks = [
        Check(
            "each sweep shrinks the distance to V* by at least γ",
            "‖V_i − V*‖ for i = 0, 10, 30, 59: "
            + ", ".join(f"{errors[i]:.3g}" for i in (0, 10, 30, 59))
            + f"; within γ^i‖V_0 − V*‖ at every sweep: {bound_ok}; converged in {vi.n_iter} "
            "sweeps",
            bound_ok and errors[-1] < errors[0],
        ),
        Check(
            "policy iteration reaches the same policy and values",
            f"same policy: {policy_same} ({pi.n_iter} improvement steps); max |V_VI − V_PI| = "
            f"{v_gap:.1e}; policy by row: {' / '.join(arrows)}",
            policy_same and v_gap < 1e-8,
        ),
        Check(
            "the optimal policy succeeds in the environment as often as predicted",
            f"predicted success within 100 steps {predicted:.3f}; {episodes} episodes in "
            f"{name}: {rate:.3f} (±{se:.3f})",
            abs(rate - predicted) < 4 * se and rate > 0.6,
        ),
    ]

    def draw(fig):
        from gradkit.plot import value_function

        value_function(vi.V, (4, 4), policy=vi.policy, ax=fig.add_subplot(1, 2, 1))
        ax = fig.add_subplot(1, 2, 2)
        ax.semilogy(errors, label="‖V_i − V*‖")
        ax.semilogy([mdp.gamma**i * errors[0] for i in range(len(errors))], "--", label="γ^i bound")
        ax.set_xlabel("sweep")
        ax.legend()

    return Finding(
        checks,
        {
            "sweeps": vi.n_iter,
            "policy_iteration_steps": pi.n_iter,
            "policy": arrows,
            "predicted_success": predicted,
            "success_rate": rate,
            "v_gap": v_gap,
        },
        draw,
    )


@experiment(
    "RL-Q",
    group="RL",
    title="Q-learning on FrozenLake",
    claim="Q-learning learns a near-optimal policy from experience alone, without the "
    "transition model.",
    formula="Q(s, a) ← Q(s, a) + α [r + γ max_a' Q(s', a') − Q(s, a)]",
    code=("gradkit.rl", "QLearning"),
    note="Convergence needs a decaying step size: with a constant α = 0.1 the greedy policy "
    "after 20,000 episodes succeeds 60% of the time, after 3,000 episodes 73%.",
    test=TEST,
)
def rl_q(quick: bool) -> Finding:
    from gradkit.rl import LinearDecay, QLearning, run_episodes, value_iteration

    env, name = frozen_lake()
    episodes = 3000 if quick else 20_000
    # a decaying step size: with a constant α the Q values keep jittering and the final
    # greedy policy can be worse than one seen earlier (α = 0.1 for 20,000 episodes: 0.60)
    agent = QLearning(
        env,
        gamma=0.99,
        lr=LinearDecay(0.1, 0.01, episodes),
        epsilon=LinearDecay(1.0, 0.05, episodes // 2),
        seed=0,
    )
    history = agent.learn(episodes)
    mdp = _mdp(env, 0.99)  # only to score the learned policy against the optimum
    optimal = _success_within_limit(mdp, value_iteration(mdp).policy)
    learned = _success_within_limit(mdp, agent.policy)
    test_episodes = 1000 if quick else 10_000
    rate = float(run_episodes(env, agent.policy, test_episodes, seed=10**6).mean())
    uniform = np.full((mdp.n_states, mdp.n_actions), 0.25)
    random_rate = _success_within_limit(mdp, uniform)
    early = float(np.mean(history.returns[:500]))
    checks = [
        Check(
            f"after {episodes} episodes the greedy policy nearly matches the optimal one",
            f"success within 100 steps: learned policy {learned:.3f} (measured {rate:.3f} over "
            f"{test_episodes} episodes), optimal {optimal:.3f}, random {random_rate:.3f}",
            learned > 0.9 * optimal and rate > 0.6,
        ),
        Check(
            "the reward curve rises as exploration decays",
            f"mean return in the first 500 training episodes {early:.3f}, in the last 500 "
            f"{np.mean(history.returns[-500:]):.3f}",
            float(np.mean(history.returns[-500:])) > early + 0.2,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(history.moving_average(100), label="training return (100-episode mean)")
        ax.axhline(optimal, color="k", ls=":", label="optimal policy")
        ax.set_xlabel("episode")
        ax.legend()

    return Finding(
        checks,
        {
            "env": name,
            "learned_success": learned,
            "optimal_success": optimal,
            "measured_success": rate,
            "random_success": random_rate,
        },
        draw,
    )
