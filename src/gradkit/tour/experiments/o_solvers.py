"""Tour group O, solvers: least mean squares, Newton's method, maximum likelihood and the
SVM's Lagrange multipliers."""

from __future__ import annotations

import math
import time

import numpy as np

import gradkit as gk
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_o.py"


@experiment(
    "O-LMS",
    group="O",
    title="Least mean squares (Widrow–Hoff)",
    claim="The LMS rule updates the weights after each example by the error times the "
    "input; sweeping the data repeatedly with a small step it converges to the "
    "least-squares solution (a larger step is faster but settles further from it).",
    formula="θ_j ← θ_j + α (y_i − h_θ(x_i)) x_ij",
    code=("gradkit.ml.linear_model", "LinearRegression"),
    test=TEST,
)
def o_lms(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_regression
    from gradkit.ml.linear_model import LinearRegression

    n = 300 if quick else 3000
    X, y = make_regression(n, 8, noise=5.0, random_state=0)
    exact = LinearRegression().fit(X, y)
    mse_exact = float(np.mean((exact.predict(X) - y) ** 2))
    epochs = (1, 2, 5, 10, 20, 40) if quick else (1, 2, 5, 10, 20, 50, 100)
    biggest = np.max(np.sum(X**2, axis=1))
    ratio, gap = {}, {}
    for a in (0.3, 0.03):
        ratio[a], gap[a] = [], []
        for k in epochs:
            lms = LinearRegression(solver="lms", max_iter=k, lr=a / biggest,
                                   random_state=0).fit(X, y)  # fmt: skip
            ratio[a].append(float(np.mean((lms.predict(X) - y) ** 2)) / mse_exact)
            gap[a].append(float(np.max(np.abs(lms.coef_ - exact.coef_))
                                / np.max(np.abs(exact.coef_))))  # fmt: skip
    # one Widrow–Hoff update by hand against the solver's first step
    one = LinearRegression(solver="lms", max_iter=1, lr=0.01, fit_intercept=False,
                           random_state=0).fit(X[:1], y[:1])  # fmt: skip
    hand_err = float(np.max(np.abs(one.coef_ - 0.01 * (y[0] - 0.0) * X[0])))
    small, large = ratio[0.03], ratio[0.3]
    return Finding(
        checks=[
            Check(
                "one LMS update is θ + α (y − θᵀx) x",
                f"first update from θ = 0 vs by hand: max difference {hand_err:.1e}",
                hand_err < 1e-12,
            ),
            Check(
                "with a small step, repeated sweeps converge to the least-squares solution",
                "α = 0.03/max‖x‖²: training MSE / least-squares MSE after "
                + ", ".join(f"{k}: {r:.4f}" for k, r in zip(epochs, small))
                + f" epochs; coefficient gap {gap[0.03][-1]:.1e}",
                small[-1] < 1.005 and gap[0.03][-1] < 5e-3 and small[0] > small[-1],
            ),
            Check(
                "a larger step is faster at first but settles further from the solution",
                f"α = 0.3/max‖x‖²: MSE ratio {large[0]:.3f} after 1 epoch (small step "
                f"{small[0]:.1f}), {large[-1]:.4f} after {epochs[-1]} (small step "
                f"{small[-1]:.4f})",
                large[0] < small[0] and large[-1] > small[-1],
            ),
        ],
        numbers={
            "epochs": list(epochs),
            "mse_ratio_small_step": small,
            "mse_ratio_large_step": large,
            "coef_gap_small_step": gap[0.03],
        },  # fmt: skip
        draw=lambda fig: _draw_lms(fig, epochs, ratio),
    )


def _draw_lms(fig, epochs, ratio) -> None:
    ax = fig.add_subplot()
    for a, values in ratio.items():
        ax.plot(epochs, np.array(values) - 1, "o-", label=f"α = {a}/max‖x‖²")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epochs")
    ax.set_ylabel("MSE / least-squares MSE − 1")
    ax.set_title("LMS (Widrow–Hoff) approaching the normal-equation fit")
    ax.legend(fontsize=8)


@experiment(
    "O-NEWTON",
    group="O",
    title="Newton's method",
    claim="Newton–Raphson steps θ ← θ − H⁻¹∇ℓ converge quadratically (the number of correct "
    "digits doubles each step) and fit logistic regression in a handful of iterations "
    "where gradient descent needs hundreds, to the same optimum.",
    formula="θ ← θ − ℓ'(θ)/ℓ''(θ);  θ ← θ − H⁻¹∇ℓ(θ)",
    code=("gradkit.optim.newton", "newton"),
    test=TEST,
)
def o_newton(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_classification
    from gradkit.ml.linear_model import LogisticRegression

    errors = []
    theta = gk.tensor([3.0], dtype=gk.float64)
    for _ in range(6):  # ℓ(θ) = e^θ − 2θ, minimum at ln 2; pure Newton steps
        theta, _ = gk.optim.newton(lambda t: (t.exp() - 2 * t).sum(), theta, max_iter=1,
                                   tol=0.0, line_search=False)  # fmt: skip
        errors.append(abs(float(theta) - math.log(2)))
    useful = [e for e in errors if e > 1e-14]
    rates = [math.log(b) / math.log(a) for a, b in zip(useful, useful[1:]) if a < 0.1]
    n = 500 if quick else 5000
    # no redundant features: X has full rank, so the maximum-likelihood θ is unique
    X, y = make_classification(n, 10, n_informative=6, n_redundant=0, random_state=0)
    fits = {}
    for solver in ("newton", "gd"):
        start = time.perf_counter()
        clf = LogisticRegression(penalty=None, solver=solver, tol=1e-8, max_iter=20000).fit(X, y)
        fits[solver] = (int(clf.n_iter_[0]), time.perf_counter() - start, clf.coef_.ravel())
    gap = float(np.max(np.abs(fits["newton"][2] - fits["gd"][2])))
    return Finding(
        checks=[
            Check(
                "convergence is quadratic: |e_{k+1}| ≈ C |e_k|²",
                "|θ_k − ln 2| for ℓ = e^θ − 2θ: "
                + ", ".join(f"{e:.1e}" for e in errors)
                + f"; log e_(k+1) / log e_k = {', '.join(f'{r:.2f}' for r in rates)}",
                len(rates) >= 1 and all(r > 1.8 for r in rates),
            ),
            Check(
                "Newton fits logistic regression in far fewer iterations than GD",
                f"{n} examples, 10 features, same tol: Newton {fits['newton'][0]} iterations "
                f"({fits['newton'][1]:.3f} s), GD {fits['gd'][0]} ({fits['gd'][1]:.3f} s); "
                f"coefficients agree to {gap:.1e}",
                fits["newton"][0] * 20 < fits["gd"][0] and gap < 1e-3,
            ),
        ],
        numbers={
            "errors": errors,
            "iterations_newton": fits["newton"][0],
            "iterations_gd": fits["gd"][0],
            "coef_gap": gap,
        },  # fmt: skip
        draw=lambda fig: _draw_newton(fig, errors),
    )


def _draw_newton(fig, errors) -> None:
    ax = fig.add_subplot()
    ax.semilogy(range(1, len(errors) + 1), [max(e, 1e-17) for e in errors], "o-")
    ax.set_xlabel("Newton step k")
    ax.set_ylabel("|θ_k − θ*|")
    ax.set_title("ℓ(θ) = e^θ − 2θ: digits double each step")


@experiment(
    "O-MLE",
    group="O",
    title="Maximum likelihood",
    claim="Estimators fit by maximising the (log-)likelihood: GDA's closed-form means and "
    "covariance and logistic regression's Newton fit are maxima (every perturbation "
    "lowers the log-likelihood); the log is needed because the likelihood itself "
    "underflows.",
    formula="θ̂ = argmax_θ Σ_i log p(x_i, y_i; θ)",
    code=("gradkit.ml.discriminant_analysis", "GaussianDiscriminantAnalysis"),
    test=TEST,
)
def o_mle(quick: bool) -> Finding:
    from scipy.stats import multivariate_normal

    from gradkit.ml.datasets import make_classification
    from gradkit.ml.discriminant_analysis import GaussianDiscriminantAnalysis
    from gradkit.ml.linear_model import LogisticRegression

    n = 1000 if quick else 10000
    X, y = make_classification(n, 4, n_informative=3, n_redundant=0, random_state=1)
    gda = GaussianDiscriminantAnalysis().fit(X, y)

    def gda_loglik(means, cov):
        return float(sum(
            np.sum(np.log(gda.priors_[k]) + multivariate_normal.logpdf(X[y == k], means[k], cov))
            for k in (0, 1)
        ))  # fmt: skip

    rng = np.random.default_rng(0)
    best = gda_loglik(gda.means_, gda.covariance_)
    worse_gda = 0
    trials = 30
    for _ in range(trials):
        d_means = 0.05 * rng.standard_normal(gda.means_.shape)
        d = 0.05 * rng.standard_normal(gda.covariance_.shape)
        worse_gda += gda_loglik(gda.means_ + d_means, gda.covariance_ + d @ d.T) < best
    clf = LogisticRegression(penalty=None, solver="newton", tol=1e-12).fit(X, y)

    def logreg_loglik(w, b):
        z = X @ w + b
        return float(np.sum(y * z - np.logaddexp(0, z)))

    w, b = clf.coef_.ravel(), float(clf.intercept_[0])
    best_lr = logreg_loglik(w, b)
    worse_lr = sum(
        logreg_loglik(w + 0.01 * rng.standard_normal(w.shape), b) < best_lr for _ in range(trials)
    )
    p = 1 / (1 + np.exp(-(X @ w + b)))
    score = X.T @ (y - p)  # ∇ log-likelihood at the fit
    per_example = np.concatenate([
        np.log(gda.priors_[k]) + multivariate_normal.logpdf(X[y == k], gda.means_[k],
                                                            gda.covariance_)
        for k in (0, 1)
    ])  # fmt: skip
    with np.errstate(under="ignore"):
        product = float(np.prod(np.exp(per_example)))
    return Finding(
        checks=[
            Check(
                "GDA's closed-form estimates maximise the joint log-likelihood",
                f"{n} examples: log-likelihood {best:.2f} at the estimates; lower after "
                f"{worse_gda}/{trials} random perturbations of means and covariance",
                worse_gda == trials,
            ),
            Check(
                "logistic regression's fit maximises the conditional log-likelihood",
                f"log-likelihood {best_lr:.3f}; gradient at the fit max |∇| = "
                f"{np.max(np.abs(score)):.1e}; lower after {worse_lr}/{trials} perturbations",
                worse_lr == trials and np.max(np.abs(score)) < 1e-6,
            ),
            Check(
                "the likelihood itself underflows; the log-likelihood does not",
                f"GDA: product of the {n} densities p(x_i, y_i) = {product:g} in float64; "
                f"sum of their logs = {per_example.sum():.2f}",
                product == 0.0 and math.isfinite(per_example.sum()),
            ),
        ],
        numbers={
            "gda_loglik": best,
            "logreg_loglik": best_lr,
            "score_max": float(np.max(np.abs(score))),
            "likelihood_product": product,
        },  # fmt: skip
        draw=lambda fig: _draw_mle(fig, logreg_loglik, w, b),
    )


def _draw_mle(fig, loglik, w, b) -> None:
    ax = fig.add_subplot()
    t = np.linspace(-1, 1, 81)
    direction = w / np.linalg.norm(w)
    ax.plot(t, [loglik(w + s * direction, b) for s in t])
    ax.axvline(0, color="k", ls=":")
    ax.set_xlabel("distance from the fitted θ along θ/‖θ‖")
    ax.set_ylabel("log-likelihood")
    ax.set_title("logistic regression: the fit is the maximum")


@experiment(
    "O-LAGRANGE",
    group="O",
    title="Lagrange multipliers: the SVM dual solved by SMO",
    claim="The soft-margin SVM is solved through its Lagrangian dual: SMO's multipliers "
    "satisfy the KKT conditions (0 ≤ α ≤ C, Σ α_i y_i = 0, margins by multiplier) and the "
    "dual objective equals the primal one at the optimum.",
    formula="L(w, b, α) = ½‖w‖² + C Σ ξ_i − Σ α_i [y_i(wᵀx_i + b) − 1 + ξ_i] − Σ r_i ξ_i;  "
    "dual max Σ α_i − ½ Σ α_i α_j y_i y_j x_iᵀx_j",
    code=("gradkit.ml.svm", "smo"),
    test=TEST,
)
def o_lagrange(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_blobs
    from gradkit.ml.svm import SVC

    n, C = (200 if quick else 1000), 1.0
    X, labels = make_blobs(n, centers=[[-1.5, -1.0], [1.5, 1.0]], cluster_std=1.2,
                           random_state=2)  # fmt: skip
    y = np.where(labels == 1, 1.0, -1.0)
    svm = SVC(C=C, kernel="linear", tol=1e-6).fit(X, labels)
    alpha = np.zeros(n)
    alpha[svm.support_] = np.abs(svm.dual_coef_[0])
    sign = 1.0 if svm.classes_[1] == 1 else -1.0
    w = sign * (svm.dual_coef_[0] @ svm.support_vectors_) * 1.0
    f = svm.decision_function(X)
    margin = y * f
    tol = 1e-3
    box = bool(np.all((alpha >= -1e-12) & (alpha <= C + 1e-12)))
    balance = abs(float(alpha @ y))
    free = (alpha > 1e-8) & (alpha < C - 1e-8)
    at_c = alpha >= C - 1e-8
    zero = alpha <= 1e-8
    kkt = (
        bool(np.all(margin[zero] >= 1 - tol))
        and bool(np.all(np.abs(margin[free] - 1) <= tol))
        and bool(np.all(margin[at_c] <= 1 + tol))
    )
    Q = (y[:, None] * X) @ (y[:, None] * X).T
    dual = float(alpha.sum() - 0.5 * alpha @ Q @ alpha)
    primal = float(0.5 * w @ w + C * np.maximum(0, 1 - margin).sum())
    rel_gap = abs(primal - dual) / abs(primal)
    w_err = float(np.max(np.abs(np.abs(w) - np.abs((alpha * y) @ X))))
    return Finding(
        checks=[
            Check(
                "the multipliers are feasible: 0 ≤ α_i ≤ C and Σ α_i y_i = 0",
                f"{int((alpha > 1e-8).sum())} support vectors of {n}; all in [0, C]: {box}; "
                f"|Σ α_i y_i| = {balance:.1e}",
                box and balance < 1e-8,
            ),
            Check(
                "complementary slackness: α = 0 ⇒ y f ≥ 1, 0 < α < C ⇒ y f = 1, α = C ⇒ y f ≤ 1",
                f"{int(zero.sum())} at 0, {int(free.sum())} free, {int(at_c.sum())} at C; all "
                f"within {tol:g}: {kkt}",
                kkt,
            ),
            Check(
                "strong duality: the dual objective equals the primal one",
                f"primal ½‖w‖² + C Σ ξ = {primal:.4f}, dual Σ α − ½ αᵀQα = {dual:.4f} "
                f"(relative gap {rel_gap:.1e}); w = Σ α_i y_i x_i to {w_err:.1e}",
                rel_gap < 1e-3 and w_err < 1e-9,
            ),
        ],
        numbers={
            "n_support": int((alpha > 1e-8).sum()),
            "primal": primal,
            "dual": dual,
            "relative_gap": rel_gap,
            "balance": balance,
        },  # fmt: skip
        draw=lambda fig: _draw_svm(fig, X, y, svm, alpha, C),
    )


def _draw_svm(fig, X, y, svm, alpha, C) -> None:
    ax = fig.add_subplot()
    g1, g2 = np.meshgrid(np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 200),
                         np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 200))  # fmt: skip
    f = svm.decision_function(np.c_[g1.ravel(), g2.ravel()]).reshape(g1.shape)
    ax.contour(g1, g2, f, levels=[-1, 0, 1], colors="k", linestyles=[":", "-", ":"])
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12)
    sv = alpha > 1e-8
    ax.scatter(X[sv, 0], X[sv, 1], s=60, facecolors="none", edgecolors="k",
               label="support vectors (α > 0)")  # fmt: skip
    ax.legend(fontsize=8)
    ax.set_title("linear SVM by SMO: margins y f = ±1")
