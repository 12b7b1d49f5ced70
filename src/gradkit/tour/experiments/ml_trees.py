"""Evidence tour, group ML (part 3): decision trees and their ensembles.

ML-TREE, ML-FOREST, ML-BAGGING, ML-ADABOOST and ML-GBM.
"""

from __future__ import annotations

import numpy as np

from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_ml_trees.py"


def _mnist_subset(n_train: int, n_test: int):
    """The first ``n_train`` MNIST test-split digits for training and ``n_test`` others from
    its second half for testing (float64 rows of 784 pixels in [0, 1])."""
    from gradkit.data import load_mnist

    X, y = load_mnist("test", flatten=True)
    X = X.astype(np.float64)
    return X[:n_train], y[:n_train], X[5000 : 5000 + n_test], y[5000 : 5000 + n_test]


@experiment(
    "ML-TREE",
    group="ML",
    title="Decision trees: depth, fit and over-fit",
    claim="A decision tree splits the input space into boxes with a constant prediction; grown "
    "deep it fits its training set exactly and over-fits, so a limited depth generalises better.",
    formula="split minimising the weighted Gini impurity 1 − Σ_k p_k² (classification) or "
    "the squared error (regression)",
    code=("gradkit.ml.tree", "DecisionTreeClassifier"),
    test=TEST,
)
def ml_tree(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_moons
    from gradkit.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor

    X, y = make_moons(n_samples=300 if quick else 2000, noise=0.4, random_state=0)
    X_test, y_test = make_moons(n_samples=3000, noise=0.4, random_state=1)
    depths = [1, 2, 3, 4, 5, 6, 8, 10, None]
    train_acc, test_acc = [], []
    for depth in depths:
        tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y)
        train_acc.append(float(np.mean(tree.predict(X) == y)))
        test_acc.append(float(np.mean(tree.predict(X_test) == y_test)))
    best = int(np.argmax(test_acc))
    # regression: a depth-d tree is a step function with at most 2^d steps
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 6, 200))[:, None]
    t = np.sin(x[:, 0]) + rng.normal(scale=0.2, size=200)
    steps, mse = {}, {}
    for depth in (1, 2, 3, 5):
        reg = DecisionTreeRegressor(max_depth=depth).fit(x, t)
        fitted = reg.predict(x)
        steps[depth] = len(np.unique(fitted))
        mse[depth] = float(np.mean((fitted - t) ** 2))
    checks = [
        Check(
            "an unlimited tree fits its training set exactly and over-fits; a limited depth "
            "generalises better",
            f"unlimited depth: train {train_acc[-1]:.3f}, test {test_acc[-1]:.3f}; depth "
            f"{depths[best]}: train {train_acc[best]:.3f}, test {test_acc[best]:.3f}",
            train_acc[-1] == 1.0 and test_acc[best] > test_acc[-1] + 0.02,
        ),
        Check(
            "a regression tree of depth d is piecewise constant with at most 2^d values, and "
            "its training error falls with depth",
            "distinct values "
            + ", ".join(f"depth {d}: {k}" for d, k in steps.items())
            + "; MSE "
            + ", ".join(f"{v:.3f}" for v in mse.values()),
            all(k <= 2**d for d, k in steps.items())
            and bool(np.all(np.diff(list(mse.values())) < 0)),
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        labels = [str(d) for d in depths[:-1]] + ["∞"]
        ax.plot(labels, train_acc, marker="o", label="train")
        ax.plot(labels, test_acc, marker="o", label="test")
        ax.set_xlabel("max_depth")
        ax.set_ylabel("accuracy")
        ax.legend()
        ax = fig.add_subplot(1, 2, 2)
        ax.scatter(x[:, 0], t, s=6, color="0.6")
        for depth in (1, 3, 5):
            ax.step(
                x[:, 0],
                DecisionTreeRegressor(max_depth=depth).fit(x, t).predict(x),
                where="mid",
                label=f"depth {depth}",
            )
        ax.set_title("Regression tree")
        ax.legend()

    return Finding(
        checks,
        {
            "depths": [d if d is not None else -1 for d in depths],
            "train_accuracy": train_acc,
            "test_accuracy": test_acc,
            "best_depth": depths[best] if depths[best] is not None else -1,
            "regression_steps": {str(k): v for k, v in steps.items()},
            "regression_mse": {str(k): v for k, v in mse.items()},
        },
        draw,
    )


@experiment(
    "ML-FOREST",
    group="ML",
    title="Random forest vs one tree on MNIST",
    claim="Averaging many trees grown on bootstrap samples with random feature subsets "
    "beats a single tree.",
    formula="ŷ = vote over trees T_b, each fitted to a bootstrap sample, √d features per split",
    code=("gradkit.ml.ensemble", "RandomForestClassifier"),
    test=TEST,
)
def ml_forest(quick: bool) -> Finding:
    from gradkit.ml.ensemble import RandomForestClassifier
    from gradkit.ml.tree import DecisionTreeClassifier

    n_train, n_trees = (1000, 30) if quick else (5000, 100)
    X, y, X_test, y_test = _mnist_subset(n_train, 2000)
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    forest = RandomForestClassifier(n_estimators=n_trees, random_state=0).fit(X, y)
    tree_acc = float(np.mean(tree.predict(X_test) == y_test))
    forest_acc = float(np.mean(forest.predict(X_test) == y_test))
    members = [float(np.mean(t.predict(X_test) == y_test)) for t in forest.estimators_]
    checks = [
        Check(
            f"a forest of {n_trees} trees beats one tree (MNIST, {n_train} training digits)",
            f"test accuracy: one tree {tree_acc:.3f}, forest {forest_acc:.3f}; the forest's "
            f"own trees alone {np.mean(members):.3f} on average",
            forest_acc > tree_acc + 0.1 and forest_acc > max(members) + 0.05,
        )
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.hist(members, bins=15, color="0.6", label="single trees of the forest")
        ax.axvline(tree_acc, color="C0", label="one full tree")
        ax.axvline(forest_acc, color="C3", label="forest")
        ax.set_xlabel("test accuracy")
        ax.legend()
        ax = fig.add_subplot(1, 2, 2)
        ax.imshow(forest.feature_importances_.reshape(28, 28), cmap="viridis")
        ax.set_title("pixel importances")
        ax.set_axis_off()

    return Finding(
        checks,
        {
            "tree_accuracy": tree_acc,
            "forest_accuracy": forest_acc,
            "mean_member_accuracy": float(np.mean(members)),
        },
        draw,
    )


@experiment(
    "ML-BAGGING",
    group="ML",
    title="Bagging reduces variance",
    claim="Bagging (averaging models fitted to bootstrap samples) reduces the variance of an "
    "unstable learner such as a deep tree.",
    formula="f̂_bag(x) = 1/B Σ_b f̂_b(x), each f̂_b fitted to a bootstrap sample",
    code=("gradkit.ml.ensemble", "BaggingClassifier"),
    test=TEST,
)
def ml_bagging(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_moons
    from gradkit.ml.ensemble import BaggingClassifier
    from gradkit.ml.tree import DecisionTreeClassifier

    reps, n_bags = (10, 25) if quick else (40, 50)
    X_test, y_test = make_moons(n_samples=1000, noise=0.3, random_state=999)
    p_tree, p_bag, e_tree, e_bag = [], [], [], []
    for r in range(reps):
        X, y = make_moons(n_samples=200, noise=0.3, random_state=r)
        tree = DecisionTreeClassifier(random_state=r).fit(X, y)
        bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=n_bags, random_state=r)
        bag.fit(X, y)
        p_tree.append(tree.predict_proba(X_test)[:, 1])
        p_bag.append(bag.predict_proba(X_test)[:, 1])
        e_tree.append(np.mean(tree.predict(X_test) != y_test))
        e_bag.append(np.mean(bag.predict(X_test) != y_test))
    var_tree = float(np.var(p_tree, axis=0).mean())
    var_bag = float(np.var(p_bag, axis=0).mean())
    err_tree, err_bag = float(np.mean(e_tree)), float(np.mean(e_bag))
    checks = [
        Check(
            f"bagging {n_bags} trees lowers the variance of P̂(y=1|x) across training sets",
            f"variance over {reps} training sets: one tree {var_tree:.4f}, bagged {var_bag:.4f}",
            var_bag < 0.5 * var_tree,
        ),
        Check(
            "lower variance gives lower test error",
            f"mean test error: one tree {err_tree:.3f}, bagged {err_bag:.3f}",
            err_bag < err_tree - 0.01,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        order = np.argsort(X_test[:, 0])[:: max(1, len(X_test) // 200)]
        for k, (probs, name) in enumerate(((p_tree, "one tree"), (p_bag, "bagged"))):
            spread = np.std(probs, axis=0)[order]
            ax.plot(X_test[order, 0], spread, ".", color=f"C{k}", label=name)
        ax.set_xlabel("x₀ of test point")
        ax.set_ylabel("std of P̂(y=1|x) across training sets")
        ax.legend()

    return Finding(
        checks,
        {
            "variance_tree": var_tree,
            "variance_bagged": var_bag,
            "error_tree": err_tree,
            "error_bagged": err_bag,
        },
        draw,
    )


@experiment(
    "ML-ADABOOST",
    group="ML",
    title="AdaBoost reweights the errors of each round",
    claim="AdaBoost increases the weight of the samples the last weak learner got wrong, so "
    "the next learner concentrates on them; the ensemble's training error falls.",
    formula="err_m = Σ w_i 1{h_m(x_i) ≠ y_i},  α_m = log((1 − err_m)/err_m),  "
    "w_i ← w_i exp(α_m 1{h_m(x_i) ≠ y_i})",
    code=("gradkit.ml.ensemble", "AdaBoostClassifier"),
    test=TEST,
    note="The seed text says boosting 'forces the model to produce the wrong output'. It does "
    "the opposite: it up-weights the examples the current ensemble gets wrong so that the next "
    "weak learner is pushed to get them right.",
)
def ml_adaboost(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_moons
    from gradkit.ml.ensemble import AdaBoostClassifier

    rounds = 60 if quick else 300
    X, y = make_moons(n_samples=300 if quick else 2000, noise=0.25, random_state=0)
    X_test, y_test = make_moons(n_samples=2000, noise=0.25, random_state=1)
    ada = AdaBoostClassifier(n_estimators=rounds, random_state=0).fit(X, y)
    alphas, errs = ada.estimator_weights_, ada.estimator_errors_
    # replay the reweighting from the fitted stumps and their weights
    w = np.full(len(y), 1.0 / len(y))
    replay_gap, previous_err, up = 0.0, [], []
    votes, votes_test, train_err, test_err = 0.0, 0.0, [], []
    for m, (stump, alpha) in enumerate(zip(ada.estimators_, alphas)):
        wrong = stump.predict(X) != y
        replay_gap = max(replay_gap, abs(float(w @ wrong) - errs[m]))
        w_new = w * np.exp(alpha * wrong)
        w_new /= w_new.sum()
        previous_err.append(float(w_new @ wrong))  # the last learner's error, reweighted
        up.append(
            float(np.mean(w_new[wrong] / w[wrong])) / float(np.mean(w_new[~wrong] / w[~wrong]))
        )
        w = w_new
        votes = votes + alpha * np.where(stump.predict(X) == 1, 1.0, -1.0)
        votes_test = votes_test + alpha * np.where(stump.predict(X_test) == 1, 1.0, -1.0)
        train_err.append(float(np.mean((votes > 0) != (y == 1))))
        test_err.append(float(np.mean((votes_test > 0) != (y_test == 1))))
    final_gap = float(np.mean(ada.predict(X) != y)) - train_err[-1]
    checks = [
        Check(
            "each round multiplies the weight of the misclassified samples by e^α_m > 1 "
            "(relative to the correct ones)",
            "weight ratio wrong/right after rounds 1–3: "
            + ", ".join(f"{u:.2f}" for u in up[:3])
            + f" (e^α = {', '.join(f'{np.exp(a):.2f}' for a in alphas[:3])}); replay "
            f"matches estimator_errors_ to {replay_gap:.1e}",
            bool(np.allclose(up, np.exp(alphas), rtol=1e-9)) and min(up) > 1 and replay_gap < 1e-12,
        ),
        Check(
            "after reweighting, the last weak learner is no better than chance (error ½), so "
            "the next one must fix its mistakes",
            f"reweighted error of the previous learner: {min(previous_err):.6f} – "
            f"{max(previous_err):.6f}",
            bool(np.allclose(previous_err, 0.5, atol=1e-12)),
        ),
        Check(
            "the ensemble's training error falls as rounds are added",
            f"training error after 1, 10, {rounds} rounds: {train_err[0]:.3f}, "
            f"{train_err[9]:.3f}, {train_err[-1]:.3f}; test {test_err[0]:.3f} → "
            f"{test_err[-1]:.3f}",
            train_err[-1] < 0.5 * train_err[0] and abs(final_gap) < 1e-12,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(range(1, len(train_err) + 1), train_err, label="train")
        ax.plot(range(1, len(test_err) + 1), test_err, label="test")
        ax.plot(range(1, len(errs) + 1), errs, ".", ms=3, label="weak learner's weighted error")
        ax.set_xlabel("round")
        ax.legend()
        ax = fig.add_subplot(1, 2, 2)
        ax.scatter(X[:, 0], X[:, 1], c=y, s=4000 * w, cmap="coolwarm", alpha=0.6)
        ax.set_title(f"sample weights after {len(errs)} rounds")

    return Finding(
        checks,
        {
            "train_error": [train_err[0], train_err[9], train_err[-1]],
            "test_error": [test_err[0], test_err[-1]],
            "reweighted_previous_error": max(previous_err),
            "upweight_ratio_round1": up[0],
        },
        draw,
    )


@experiment(
    "ML-GBM",
    group="ML",
    title="Gradient boosting fits residuals",
    claim="Each gradient-boosting stage fits a small tree to the residuals (the negative "
    "gradient of the squared loss) of the model so far; the training loss falls stage by stage.",
    formula="r_i = y_i − F_{m−1}(x_i),  h_m ≈ r,  F_m = F_{m−1} + η h_m",
    code=("gradkit.ml.ensemble", "GradientBoostingRegressor"),
    test=TEST,
)
def ml_gbm(quick: bool) -> Finding:
    from gradkit.ml.ensemble import GradientBoostingRegressor
    from gradkit.ml.tree import DecisionTreeRegressor

    rng = np.random.default_rng(0)
    n = 300 if quick else 3000
    x = rng.uniform(0, 6, (n, 1))
    t = np.sin(2 * x[:, 0]) + 0.3 * x[:, 0] + rng.normal(scale=0.2, size=n)
    x_test = rng.uniform(0, 6, (2000, 1))
    t_test = np.sin(2 * x_test[:, 0]) + 0.3 * x_test[:, 0] + rng.normal(scale=0.2, size=2000)
    stages, eta = (100 if quick else 500), 0.1
    gbm = GradientBoostingRegressor(n_estimators=stages, learning_rate=eta, max_depth=2)
    gbm.fit(x, t)
    # replay: stage m's tree equals a tree fitted to y − F_{m−1}
    F = np.full(n, float(np.ravel(gbm.init_)[0]))
    gaps = []
    for m in range(min(stages, 20)):
        own = gbm.estimators_[m, 0].predict(x)
        fresh = DecisionTreeRegressor(max_depth=2).fit(x, t - F).predict(x)
        gaps.append(float(np.max(np.abs(own - fresh))))
        F = F + eta * own
    loss = gbm.train_score_
    single = DecisionTreeRegressor(max_depth=2).fit(x, t)
    mse_single = float(np.mean((single.predict(x_test) - t_test) ** 2))
    mse_gbm = float(np.mean((gbm.predict(x_test) - t_test) ** 2))
    checks = [
        Check(
            "stage m's tree is the tree fitted to the residuals y − F_{m−1}",
            f"largest difference over the first {len(gaps)} stages: {max(gaps):.1e}",
            max(gaps) < 1e-10,
        ),
        Check(
            "the training loss falls at every stage",
            f"loss {loss[0]:.4f} after 1 stage, {loss[-1]:.4f} after {stages}; never rises",
            bool(np.all(np.diff(loss) <= 1e-12)) and loss[-1] < 0.5 * loss[0],
        ),
        Check(
            "the boosted sum of depth-2 trees beats one depth-2 tree",
            f"test MSE: one tree {mse_single:.3f}, boosted {mse_gbm:.3f} (noise variance 0.04)",
            mse_gbm - 0.04 < 0.2 * (mse_single - 0.04),
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        order = np.argsort(x[:, 0])
        ax.scatter(x[:, 0], t, s=5, color="0.6")
        for m in (1, 5, stages):
            part = GradientBoostingRegressor(n_estimators=m, learning_rate=eta, max_depth=2)
            ax.plot(x[order, 0], part.fit(x, t).predict(x[order]), label=f"{m} stages")
        ax.set_title("Gradient boosting, stage by stage")
        ax.legend()

    return Finding(
        checks,
        {
            "residual_fit_gap": max(gaps),
            "loss_first": float(loss[0]),
            "loss_last": float(loss[-1]),
            "mse_single_tree": mse_single,
            "mse_boosted": mse_gbm,
        },
        draw,
    )
