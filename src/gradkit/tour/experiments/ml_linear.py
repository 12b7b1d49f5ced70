"""Evidence tour, group ML (part 1): linear and generative classifiers and regression.

ML-DISC-GEN, ML-BAYES, ML-LINREG, ML-LOGREG, ML-SOFTMAX, ML-GDA and ML-NB, measured with
gradkit's scikit-learn-style estimators as a user would call them.
"""

from __future__ import annotations

import warnings

import numpy as np

from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_ml_linear.py"

# The hours-studied example (Wikipedia, "Logistic regression"): 20 students.
HOURS = np.array(
    [0.5, 0.75, 1, 1.25, 1.5, 1.75, 1.75, 2, 2.25, 2.5]
    + [2.75, 3, 3.25, 3.5, 4, 4.25, 4.5, 4.75, 5, 5.5]
)
PASSED = np.array([0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1])


def _sms_counts():
    """SMS spam as binary bag-of-words counts (sparse) and 0/1 spam labels."""
    from gradkit.data import load_sms_spam
    from gradkit.ml.feature_extraction.text import CountVectorizer

    messages, labels = load_sms_spam()
    X = CountVectorizer(binary=True).fit_transform(messages)
    return X, (np.asarray(labels) == "spam").astype(np.int64)


def _contaminated_gaussians(n: int, rng: np.random.Generator):
    """Two unit-variance Gaussian classes 2 apart along x0; 10% of class 1 lies 10 units
    away along x1 (and 10/3 along x0): GDA's shared-Gaussian model is wrong for them."""
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 2))
    X[:, 0] += np.where(y == 1, 1.0, -1.0)
    far = (y == 1) & (rng.random(n) < 0.1)
    X[far, 1] += 10.0
    X[far, 0] += 10.0 / 3.0
    return X, y


def _both_classes(make, n: int, rng: np.random.Generator):
    while True:
        X, y = make(n, rng)
        if np.bincount(y, minlength=2).min() >= 2:
            return X, y


def _curve(make_models, sample, X_test, y_test, sizes, seeds):
    """Test error of each model, averaged over ``seeds`` training draws per size, and the
    paired per-seed differences (model 0 minus model 1) for a standard error."""
    err = np.zeros((len(make_models), len(sizes)))
    diff_se = np.zeros(len(sizes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unpenalised LR on separable samples does not converge
        for j, n in enumerate(sizes):
            per_seed = np.zeros((len(make_models), seeds))
            for s in range(seeds):
                X, y = sample(n, s)
                for i, make in enumerate(make_models):
                    per_seed[i, s] = np.mean(make().fit(X, y).predict(X_test) != y_test)
            err[:, j] = per_seed.mean(axis=1)
            diff_se[j] = np.std(per_seed[0] - per_seed[1], ddof=1) / np.sqrt(seeds)
    return err, diff_se


@experiment(
    "ML-DISC-GEN",
    group="ML",
    title="Generative vs discriminative classifiers",
    claim="A generative classifier (naive Bayes, GDA) beats its discriminative partner "
    "(logistic regression) with little data and loses with much (Ng & Jordan, 2002).",
    formula="generative: argmax_y P(x|y)P(y);  discriminative: argmax_y P(y|x) fitted directly",
    code=("gradkit.ml.naive_bayes", "MultinomialNB"),
    test=TEST,
    note="Both partners are fitted by maximum likelihood (logistic regression unpenalised), "
    "as in Ng & Jordan; an L2-penalised logistic regression is itself strong at small n. The "
    "effect is small here (about half a percentage point of error each way) and depends on "
    "the data.",
)
def ml_disc_gen(quick: bool) -> Finding:
    from gradkit.ml.discriminant_analysis import GaussianDiscriminantAnalysis
    from gradkit.ml.linear_model import LogisticRegression
    from gradkit.ml.naive_bayes import MultinomialNB

    seeds, gda_draws = (10, 160) if quick else (30, 400)
    # (a) naive Bayes vs logistic regression on SMS spam (real data)
    X, y = _sms_counts()
    order = np.random.default_rng(0).permutation(len(y))
    test, pool = order[:1500], order[1500:]
    nb_sizes = [20, 40, 80, 320, 1280, 4000] if quick else [20, 40, 80, 160, 320, 640, 1280, 4000]

    def sms_sample(n, s):
        rng = np.random.default_rng(s)
        while True:  # redraw the rare sample without a spam message
            rows = rng.choice(pool, n, replace=False)
            if 0 < y[rows].sum() < n:
                return X[rows], y[rows]

    nb_err, nb_se = _curve(
        [MultinomialNB, lambda: LogisticRegression(penalty=None, max_iter=200)],
        sms_sample,
        X[test],
        y[test],
        nb_sizes,
        seeds,
    )
    # (b) GDA vs logistic regression on 2-D Gaussians with contaminated class 1
    X_test, y_test = _contaminated_gaussians(20_000, np.random.default_rng(0))
    gda_sizes = [6, 10, 16, 256, 1024] if quick else [6, 10, 16, 24, 40, 64, 256, 1024, 4096]

    def gauss_sample(n, s):
        return _both_classes(_contaminated_gaussians, n, np.random.default_rng(1000 + s))

    gda_err, gda_se = _curve(
        [GaussianDiscriminantAnalysis, lambda: LogisticRegression(penalty=None, max_iter=200)],
        gauss_sample,
        X_test,
        y_test,
        gda_sizes,
        gda_draws,
    )

    def verdict(err, se, small, large):
        """Mean gain of the generative model at the small sizes and its loss at the
        largest size, each required to exceed two paired standard errors."""
        gain = err[1, :small].mean() - err[0, :small].mean()
        gain_se = np.sqrt(np.mean(se[:small] ** 2) / small)
        loss = err[0, -large:].mean() - err[1, -large:].mean()
        loss_se = np.sqrt(np.mean(se[-large:] ** 2) / large)
        return gain, loss, gain > 2 * gain_se, loss > 2 * loss_se

    nb_gain, nb_loss, nb_small_ok, nb_large_ok = verdict(nb_err, nb_se, 3, 1)
    gda_gain, gda_loss, gda_small_ok, gda_large_ok = verdict(gda_err, gda_se, 3, 2)
    checks = [
        Check(
            "naive Bayes beats logistic regression with little data (SMS spam, n ≤ 80)",
            f"test error NB {nb_err[0, :3].mean():.3f} vs LR {nb_err[1, :3].mean():.3f} "
            f"(mean of n = {nb_sizes[:3]}, {seeds} draws each)",
            bool(nb_small_ok),
        ),
        Check(
            "naive Bayes loses to logistic regression with much data (SMS spam)",
            f"test error at n = {nb_sizes[-1]}: NB {nb_err[0, -1]:.4f} vs LR {nb_err[1, -1]:.4f}",
            bool(nb_large_ok),
        ),
        Check(
            "GDA beats logistic regression with little data (contaminated Gaussians, n ≤ 16)",
            f"test error GDA {gda_err[0, :3].mean():.4f} vs LR {gda_err[1, :3].mean():.4f} "
            f"({gda_draws} draws per size)",
            bool(gda_small_ok),
        ),
        Check(
            "GDA loses to logistic regression with much data (its Gaussian model is wrong)",
            f"test error at n = {gda_sizes[-2:]}: GDA {gda_err[0, -2:].mean():.4f} vs "
            f"LR {gda_err[1, -2:].mean():.4f}",
            bool(gda_large_ok),
        ),
    ]

    def draw(fig):
        for k, (title, sizes, err, names) in enumerate(
            [
                ("SMS spam", nb_sizes, nb_err, ("multinomial NB", "logistic regression")),
                ("contaminated Gaussians", gda_sizes, gda_err, ("GDA", "logistic regression")),
            ]
        ):
            ax = fig.add_subplot(1, 2, k + 1)
            for row, name in zip(err, names):
                ax.plot(sizes, row, marker="o", label=name)
            ax.set_xscale("log")
            ax.set_xlabel("training examples")
            ax.set_ylabel("test error")
            ax.set_title(title)
            ax.legend()

    return Finding(
        checks,
        {
            "nb_sizes": nb_sizes,
            "nb_error": nb_err[0].round(5).tolist(),
            "nb_lr_error": nb_err[1].round(5).tolist(),
            "nb_gain_small": float(nb_gain),
            "nb_loss_large": float(nb_loss),
            "gda_sizes": gda_sizes,
            "gda_error": gda_err[0].round(5).tolist(),
            "gda_lr_error": gda_err[1].round(5).tolist(),
            "gda_gain_small": float(gda_gain),
            "gda_loss_large": float(gda_loss),
        },
        draw,
    )


@experiment(
    "ML-BAYES",
    group="ML",
    title="Bayes' rule",
    claim="P(A|B) = P(B|A)P(A)/P(B): a rare condition stays unlikely after a positive test, "
    "and generative classifiers predict by exactly this rule.",
    formula="P(y|x) = P(x|y)P(y) / Σ_k P(x|k)P(k)",
    code=("gradkit.ml.naive_bayes", "GaussianNB"),
    test=TEST,
)
def ml_bayes(quick: bool) -> Finding:
    from gradkit.ml.naive_bayes import GaussianNB

    # the screening example: prevalence 1%, sensitivity 99%, specificity 95%
    prior, sens, spec = 0.01, 0.99, 0.95
    exact = sens * prior / (sens * prior + (1 - spec) * (1 - prior))
    n = 200_000 if quick else 2_000_000
    rng = np.random.default_rng(0)
    sick = rng.random(n) < prior
    positive = np.where(sick, rng.random(n) < sens, rng.random(n) > spec)
    simulated = sick[positive].mean()
    se = np.sqrt(exact * (1 - exact) / positive.sum())
    # GaussianNB's predict_proba against Bayes' rule written out from its fitted parameters
    X = np.vstack([rng.normal(0.0, 1.0, (300, 2)), rng.normal(1.5, 0.7, (100, 2))])
    y = np.repeat([0, 1], [300, 100])
    nb = GaussianNB().fit(X, y)
    grid = rng.uniform(-3, 4, (500, 2))
    var = nb.var_
    likelihood = np.prod(
        np.exp(-((grid[:, None, :] - nb.theta_) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var),
        axis=2,
    )
    joint = likelihood * nb.class_prior_
    by_hand = joint / joint.sum(axis=1, keepdims=True)
    gap = float(np.max(np.abs(by_hand - nb.predict_proba(grid))))
    checks = [
        Check(
            "P(sick | positive) = 0.99·0.01 / (0.99·0.01 + 0.05·0.99) = 0.167 (not 0.99)",
            f"Bayes' rule {exact:.4f}; simulated {simulated:.4f} over {positive.sum()} positives "
            f"of {n} people",
            bool(abs(simulated - exact) < 4 * se),
        ),
        Check(
            "naive Bayes' posterior is Bayes' rule applied to its fitted P(x|y) and P(y)",
            f"largest difference from the rule written out: {gap:.1e}",
            gap < 1e-10,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        names = ["P(sick)", "P(+|sick)", "P(+|healthy)", "P(sick|+) rule", "simulated"]
        ax.bar(names, [prior, sens, 1 - spec, exact, simulated], color="C0")
        ax.set_ylabel("probability")
        ax.set_title("Screening test: Bayes' rule vs simulation")

    return Finding(
        checks,
        {"posterior_exact": exact, "posterior_simulated": float(simulated), "nb_rule_gap": gap},
        draw,
    )


@experiment(
    "ML-LINREG",
    group="ML",
    title="Linear regression: normal equation, gradient descent, LMS",
    claim="The normal equation, batch gradient descent and the LMS (Widrow–Hoff) rule reach "
    "the same least-squares fit.",
    formula="θ = (XᵀX)⁻¹Xᵀy;  θ ← θ − α/n Xᵀ(Xθ − y);  θ ← θ + α (y_i − θᵀx_i) x_i",
    code=("gradkit.ml.linear_model", "LinearRegression"),
    test=TEST,
)
def ml_linreg(quick: bool) -> Finding:
    from gradkit.ml.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    n, d = (300, 5) if quick else (3000, 10)
    X = rng.normal(size=(n, d)) * np.linspace(0.5, 2.0, d)
    true = rng.normal(size=d)
    y = X @ true + 3.0 + rng.normal(scale=0.5, size=n)
    fits = {
        "normal": LinearRegression(solver="normal"),
        "gd": LinearRegression(solver="gd", max_iter=20_000, tol=1e-12),
        "lms": LinearRegression(solver="lms", lr=0.0005, max_iter=300, random_state=0),
    }
    theta, iters = {}, {}
    for name, model in fits.items():
        model.fit(X, y)
        theta[name] = np.r_[model.intercept_, model.coef_]
        iters[name] = int(model.n_iter_)
    gd_gap = float(np.max(np.abs(theta["gd"] - theta["normal"])))
    lms_gap = float(np.max(np.abs(theta["lms"] - theta["normal"])))
    true_gap = float(np.max(np.abs(theta["normal"] - np.r_[3.0, true])))
    checks = [
        Check(
            "gradient descent converges to the normal-equation solution",
            f"max |θ_gd − θ_normal| = {gd_gap:.1e} after {iters['gd']} iterations",
            gd_gap < 1e-6,
        ),
        Check(
            "the LMS rule (one sample at a time, small fixed step) ends near it",
            f"max |θ_lms − θ_normal| = {lms_gap:.1e} after {iters['lms']} epochs (step 0.0005)",
            lms_gap < 0.02,
        ),
        Check(
            "the least-squares fit recovers the generating coefficients",
            f"max |θ_normal − θ_true| = {true_gap:.3f} (noise σ = 0.5, n = {n})",
            true_gap < 0.15,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        idx = np.arange(d + 1)
        for k, name in enumerate(theta):
            ax.bar(idx + 0.25 * (k - 1), theta[name], width=0.25, label=name)
        ax.scatter(idx, np.r_[3.0, true], color="k", marker="x", label="true", zorder=3)
        ax.set_xticks(idx, ["b"] + [f"w{i}" for i in range(1, d + 1)])
        ax.set_title("Coefficients by solver")
        ax.legend()

    return Finding(
        checks,
        {"gd_gap": gd_gap, "lms_gap": lms_gap, "true_gap": true_gap, "iterations": iters},
        draw,
    )


@experiment(
    "ML-LOGREG",
    group="ML",
    title="Logistic regression: the hours-studied example",
    claim="With θ = (−4.0777, 1.5046), P(pass | 2 h of study) = 0.26; there is no closed "
    "form, and Newton's method needs far fewer iterations than gradient descent.",
    formula="φ = 1/(1 + exp(−θᵀx));  Newton: θ ← θ − H⁻¹∇ℓ",
    code=("gradkit.ml.linear_model", "LogisticRegression"),
    test=TEST,
)
def ml_logreg(quick: bool) -> Finding:
    from gradkit.ml.linear_model import LogisticRegression

    X = HOURS[:, None]
    fits = {}
    for solver in ("newton", "gd"):
        clf = LogisticRegression(penalty=None, solver=solver, max_iter=200_000, tol=1e-9)
        fits[solver] = clf.fit(X, PASSED)
    newton, gd = fits["newton"], fits["gd"]
    theta = (float(newton.intercept_[0]), float(newton.coef_[0, 0]))
    theta_gd = (float(gd.intercept_[0]), float(gd.coef_[0, 0]))
    p2 = float(newton.predict_proba([[2.0]])[0, 1])
    p_formula = 1.0 / (1.0 + np.exp(-(-4.0777 + 1.5046 * 2.0)))
    it_newton, it_gd = int(newton.n_iter_[0]), int(gd.n_iter_[0])
    checks = [
        Check(
            "the maximum-likelihood fit is θ = (−4.0777, 1.5046)",
            f"Newton θ = ({theta[0]:.4f}, {theta[1]:.4f}); gradient descent "
            f"({theta_gd[0]:.4f}, {theta_gd[1]:.4f})",
            bool(np.allclose(theta, (-4.0777, 1.5046), atol=1e-4))
            and bool(np.allclose(theta_gd, (-4.0777, 1.5046), atol=1e-4)),
        ),
        Check(
            "P(pass | 2 h) = 1/(1 + exp(−(−4.0777 + 1.5046·2))) = 0.26",
            f"predict_proba([[2]]) = {p2:.4f}; formula {p_formula:.4f}",
            round(p2, 2) == 0.26 and abs(p2 - p_formula) < 1e-4,
        ),
        Check(
            "Newton's method converges in far fewer iterations than gradient descent",
            f"Newton {it_newton} iterations, gradient descent {it_gd}",
            it_newton * 50 < it_gd,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        grid = np.linspace(0, 6, 200)[:, None]
        ax.scatter(HOURS, PASSED, color="k", label="students")
        ax.plot(grid, newton.predict_proba(grid)[:, 1], label="P(pass | hours)")
        ax.axvline(2.0, color="C1", ls="--")
        ax.axhline(p2, color="C1", ls="--", label=f"P(pass | 2 h) = {p2:.2f}")
        ax.set_xlabel("hours studied")
        ax.legend()

    return Finding(
        checks,
        {
            "theta": list(theta),
            "theta_gd": list(theta_gd),
            "p_pass_2h": p2,
            "iterations_newton": it_newton,
            "iterations_gd": it_gd,
        },
        draw,
    )


@experiment(
    "ML-SOFTMAX",
    group="ML",
    title="Softmax regression",
    claim="Softmax regression generalises logistic regression to K classes; fixing θ_K = 0 "
    "loses nothing (same probabilities as the over-parameterised fit).",
    formula="P(y=k|x) = exp(θ_kᵀx) / Σ_j exp(θ_jᵀx),  θ_K = 0",
    code=("gradkit.ml.linear_model", "SoftmaxRegression"),
    test=TEST,
)
def ml_softmax(quick: bool) -> Finding:
    from gradkit.ml.linear_model import LogisticRegression, SoftmaxRegression

    rng = np.random.default_rng(0)
    n = 600 if quick else 6000
    W = np.array([[2.0, -1.0, 0.0], [0.5, 2.0, 0.0]])  # true θ (columns), θ_3 = 0
    b = np.array([0.5, -0.5, 0.0])

    def sample(m):
        X = rng.normal(size=(m, 2))
        logits = X @ W + b
        P = np.exp(logits - logits.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        y = (rng.random(m)[:, None] > np.cumsum(P, axis=1)).sum(axis=1)
        return X, y, P

    X, y, _ = sample(n)
    X_test, y_test, P_test = sample(4000)
    soft = SoftmaxRegression().fit(X, y)
    free = LogisticRegression(penalty=None, solver="newton", tol=1e-10).fit(X, y)
    proba = soft.predict_proba(X_test)
    same = float(np.max(np.abs(proba - free.predict_proba(X_test))))
    logits = soft.decision_function(X_test)
    by_hand = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    formula_gap = float(np.max(np.abs(by_hand - proba)))
    acc = float(np.mean(soft.predict(X_test) == y_test))
    bayes_acc = float(np.mean(P_test.argmax(axis=1) == y_test))
    theta_err = float(np.max(np.abs(np.c_[soft.coef_.T[:, :2], [0, 0]] - W)))
    checks = [
        Check(
            "θ_K is fixed at 0 and the probabilities are the softmax of θ_kᵀx",
            f"last coefficient row {soft.coef_[-1].tolist()}, intercept {soft.intercept_[-1]}; "
            f"softmax by hand differs by {formula_gap:.1e}",
            bool(np.all(soft.coef_[-1] == 0) and soft.intercept_[-1] == 0 and formula_gap < 1e-12),
        ),
        Check(
            "θ_K = 0 gives the same model as K free weight vectors",
            f"largest probability difference to the free multinomial fit: {same:.1e}",
            same < 1e-6,
        ),
        Check(
            "the fit recovers the generating model",
            f"test accuracy {acc:.3f} vs {bayes_acc:.3f} for the true θ; max |θ̂ − θ| = "
            f"{theta_err:.2f}",
            abs(acc - bayes_acc) < 0.02 and theta_err < (0.4 if quick else 0.15),
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        g0, g1 = np.meshgrid(np.linspace(-3, 3, 150), np.linspace(-3, 3, 150))
        region = soft.predict(np.c_[g0.ravel(), g1.ravel()]).reshape(g0.shape)
        ax.contourf(g0, g1, region, levels=[-0.5, 0.5, 1.5, 2.5], alpha=0.3, cmap="tab10")
        ax.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="tab10", vmin=0, vmax=9)
        ax.set_title(f"Softmax regression, 3 classes (accuracy {acc:.2f})")

    return Finding(
        checks,
        {
            "same_as_free_fit": same,
            "accuracy": acc,
            "bayes_accuracy": bayes_acc,
            "theta_error": theta_err,
        },
        draw,
    )


@experiment(
    "ML-GDA",
    group="ML",
    title="Gaussian discriminant analysis",
    claim="GDA's maximum-likelihood estimates are the class frequency, the class means and "
    "the pooled covariance; its posterior P(y=1|x) is a logistic function of x.",
    formula="φ = mean 1{y=1}, μ_j = mean of class j, Σ = 1/n Σ (x − μ_y)(x − μ_y)ᵀ; "
    "P(y=1|x) = σ(θᵀx + θ₀), θ = Σ⁻¹(μ₁ − μ₀)",
    code=("gradkit.ml.discriminant_analysis", "GaussianDiscriminantAnalysis"),
    test=TEST,
)
def ml_gda(quick: bool) -> Finding:
    from gradkit.ml.discriminant_analysis import GaussianDiscriminantAnalysis

    rng = np.random.default_rng(0)
    phi, mu0, mu1 = 0.3, np.array([0.0, 0.0]), np.array([2.0, 1.0])
    cov = np.array([[1.0, 0.5], [0.5, 2.0]])
    errors = {}
    for n in (200, 5000) if quick else (200, 5000, 50000):
        y = (rng.random(n) < phi).astype(np.int64)
        X = rng.multivariate_normal(np.zeros(2), cov, n) + np.where(y[:, None] == 1, mu1, mu0)
        gda = GaussianDiscriminantAnalysis().fit(X, y)
        errors[n] = max(
            abs(gda.priors_[1] - phi),
            float(np.max(np.abs(gda.means_ - np.stack([mu0, mu1])))),
            float(np.max(np.abs(gda.covariance_ - cov))),
        )
    # the logistic form, from the fitted parameters
    P = np.linalg.inv(gda.covariance_)
    m0, m1 = gda.means_
    theta = P @ (m1 - m0)
    theta0 = -0.5 * (m1 @ P @ m1 - m0 @ P @ m0) + np.log(gda.priors_[1] / gda.priors_[0])
    grid = rng.uniform(-4, 6, (500, 2))
    logistic = 1.0 / (1.0 + np.exp(-(grid @ theta + theta0)))
    gap = float(np.max(np.abs(logistic - gda.predict_proba(grid)[:, 1])))
    sizes = sorted(errors)
    checks = [
        Check(
            "the MLE (φ, μ₀, μ₁, Σ) approaches the generating values as n grows",
            "largest parameter error " + ", ".join(f"{errors[m]:.3f} at n = {m}" for m in sizes),
            errors[sizes[-1]] < 0.15 and errors[sizes[-1]] < errors[sizes[0]],
        ),
        Check(
            "P(y=1|x) from GDA equals σ(θᵀx + θ₀) with θ = Σ⁻¹(μ₁ − μ₀)",
            f"largest difference on 500 points: {gap:.1e}",
            gap < 1e-10,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.scatter(X[:500, 0], X[:500, 1], c=y[:500], s=6, cmap="coolwarm")
        xs = np.linspace(-4, 6, 50)
        ax.plot(xs, -(theta0 + theta[0] * xs) / theta[1], "k-", label="P(y=1|x) = 1/2")
        ax.set_ylim(-5, 6)
        ax.set_title("GDA: shared covariance, linear boundary")
        ax.legend()

    return Finding(
        checks,
        {"parameter_error": {str(k): v for k, v in errors.items()}, "logistic_gap": gap},
        draw,
    )


@experiment(
    "ML-NB",
    group="ML",
    title="Naive Bayes spam filter",
    claim="Naive Bayes, P(x|y) = Π_i P(x_i|y), classifies text (spam) well despite its "
    "independence assumption.",
    formula="log P(y|x) = log P(y) + Σ_i x_i log θ_iy − log P(x)",
    code=("gradkit.ml.naive_bayes", "MultinomialNB"),
    test=TEST,
)
def ml_nb(quick: bool) -> Finding:
    from gradkit.data import load_sms_spam
    from gradkit.ml.feature_extraction.text import CountVectorizer
    from gradkit.ml.metrics import accuracy_score, precision_score, recall_score
    from gradkit.ml.model_selection import train_test_split
    from gradkit.ml.naive_bayes import MultinomialNB

    messages, labels = load_sms_spam()
    y = (np.asarray(labels) == "spam").astype(np.int64)
    m_train, m_test, y_train, y_test = train_test_split(
        messages, y, test_size=0.3, random_state=0, stratify=y
    )
    vec = CountVectorizer()
    X_train, X_test = vec.fit_transform(m_train), vec.transform(m_test)
    nb = MultinomialNB().fit(X_train, y_train)
    pred = nb.predict(X_test)
    acc = float(accuracy_score(y_test, pred))
    prec, rec = float(precision_score(y_test, pred)), float(recall_score(y_test, pred))
    majority = float(1 - y_test.mean())
    # the factorisation, by hand: log P(y) + Σ_i x_i log θ_iy, normalised over y
    joint = np.asarray(X_test @ nb.feature_log_prob_.T) + nb.class_log_prior_
    joint -= joint.max(axis=1, keepdims=True)
    by_hand = joint - np.log(np.exp(joint).sum(axis=1, keepdims=True))
    gap = float(np.max(np.abs(by_hand - nb.predict_log_proba(X_test))))
    words = np.asarray(vec.get_feature_names_out())
    spamminess = nb.feature_log_prob_[1] - nb.feature_log_prob_[0]
    common = np.asarray(X_train.sum(axis=0)).ravel() >= 20
    top = words[common][np.argsort(-spamminess[common])[:8]].tolist()
    checks = [
        Check(
            "naive Bayes filters SMS spam far better than always answering 'ham'",
            f"test accuracy {acc:.3f} (majority class {majority:.3f}); spam precision "
            f"{prec:.3f}, recall {rec:.3f}",
            acc > 0.97 and prec > 0.85 and rec > 0.85,
        ),
        Check(
            "the posterior is the product of per-word likelihoods and the prior (Bayes' rule)",
            f"log posterior by hand differs by {gap:.1e}",
            gap < 1e-8,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        order = np.argsort(-spamminess[common])[:15]
        ax.barh(words[common][order][::-1], spamminess[common][order][::-1])
        ax.set_xlabel("log P(word | spam) − log P(word | ham)")
        ax.set_title("Most spam-indicating words")

    return Finding(
        checks,
        {
            "accuracy": acc,
            "precision": prec,
            "recall": rec,
            "majority": majority,
            "gap": gap,
            "top_spam_words": top,
        },
        draw,
    )
