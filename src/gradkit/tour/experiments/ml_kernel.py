"""Evidence tour, group ML (part 2): margins, kernels and nearest neighbours.

ML-SVM, ML-KERNEL and ML-KNN.
"""

from __future__ import annotations

import numpy as np

from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_ml_kernel.py"


def _linear_svm(svc):
    """(w, b) of a fitted binary linear SVC: w = Σ_i α_i y_i x_i, f(x) = wᵀx + b."""
    w = (svc.dual_coef_ @ svc.support_vectors_).ravel()
    return w, float(svc.intercept_[0])


@experiment(
    "ML-SVM",
    group="ML",
    title="Support vector machine: margin and support vectors",
    claim="On separable data the SVM finds the maximum-margin boundary, fixed by a few "
    "support vectors with y_i f(x_i) = 1; a soft margin trades width for slack as C changes.",
    formula="min ½‖w‖² + C Σ ξ_i  s.t.  y_i(wᵀx_i + b) ≥ 1 − ξ_i;  margin = 2/‖w‖",
    code=("gradkit.ml.svm", "SVC"),
    test=TEST,
)
def ml_svm(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_blobs
    from gradkit.ml.svm import SVC

    n = 40 if quick else 200
    X, y = make_blobs(n_samples=n, centers=[[-2, -2], [2, 2]], cluster_std=0.8, random_state=0)
    t = np.where(y == 1, 1.0, -1.0)
    hard = SVC(kernel="linear", C=1e6).fit(X, y)
    w, b = _linear_svm(hard)
    yf = t * (X @ w + b)
    sv = hard.support_
    margin = 2.0 / np.linalg.norm(w)
    closest = 2.0 * np.min(np.abs(X @ w + b)) / np.linalg.norm(w)
    only_sv = SVC(kernel="linear", C=1e6).fit(X[sv], y[sv])
    w_sv, b_sv = _linear_svm(only_sv)
    refit_gap = float(np.max(np.abs(np.r_[w_sv - w, b_sv - b])))
    # soft margin on overlapping classes
    Xs, ys = make_blobs(
        n_samples=4 * n, centers=[[-1, -1], [1, 1]], cluster_std=1.0, random_state=1
    )
    ts = np.where(ys == 1, 1.0, -1.0)
    soft = {}
    for C in (0.01, 1.0, 100.0):
        svc = SVC(kernel="linear", C=C).fit(Xs, ys)
        ws, bs = _linear_svm(svc)
        slack = np.maximum(0.0, 1.0 - ts * (Xs @ ws + bs))  # hinge loss of each sample
        soft[C] = (2.0 / np.linalg.norm(ws), len(svc.support_), float(slack.sum()))
    widths = [soft[C][0] for C in soft]
    n_sv = [soft[C][1] for C in soft]
    checks = [
        Check(
            "every training point satisfies y_i f(x_i) ≥ 1; the support vectors sit on it",
            f"min y·f = {yf.min():.4f}; support vectors {len(sv)} of {n}, their y·f in "
            f"[{yf[sv].min():.4f}, {yf[sv].max():.4f}]",
            bool(yf.min() > 1 - 1e-3 and np.all(np.abs(yf[sv] - 1) < 1e-3) and len(sv) <= 5),
        ),
        Check(
            "the margin 2/‖w‖ is the gap to the closest points, and only the support vectors "
            "determine it",
            f"2/‖w‖ = {margin:.4f}, twice the closest distance {closest:.4f}; refit on the "
            f"support vectors alone moves (w, b) by {refit_gap:.1e}",
            abs(margin - closest) < 1e-3 * margin and refit_gap < 1e-3,
        ),
        Check(
            "a smaller C widens the soft margin and takes more support vectors (more slack)",
            "C = 0.01, 1, 100: margin "
            + ", ".join(f"{m:.2f}" for m in widths)
            + "; support vectors "
            + ", ".join(str(k) for k in n_sv),
            widths[0] > widths[1] > widths[2] and n_sv[0] > n_sv[1] >= n_sv[2],
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=20)
        ax.scatter(X[sv, 0], X[sv, 1], s=120, facecolors="none", edgecolors="k", label="SV")
        xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 50)
        for level, style in ((0, "-"), (1, "--"), (-1, "--")):
            ax.plot(xs, (level - b - w[0] * xs) / w[1], "k" + style)
        ax.set_ylim(X[:, 1].min() - 1, X[:, 1].max() + 1)
        ax.set_title(f"Hard margin 2/‖w‖ = {margin:.2f}")
        ax.legend()

    return Finding(
        checks,
        {
            "n_support": int(len(sv)),
            "min_functional_margin": float(yf.min()),
            "margin": float(margin),
            "refit_on_support_vectors_gap": refit_gap,
            "soft_margin_widths": widths,
            "soft_n_support": n_sv,
            "soft_total_slack": [soft[C][2] for C in soft],
        },
        draw,
    )


@experiment(
    "ML-KERNEL",
    group="ML",
    title="Kernels: linear, polynomial and RBF boundaries",
    claim="A kernel K(x, z) = φ(x)ᵀφ(z) gives the SVM a non-linear boundary without "
    "computing φ; on a non-linear dataset the RBF and polynomial kernels beat the linear one.",
    formula="poly (γxᵀz + r)^d;  Gaussian exp(−‖x − z‖²/(2σ²)) = exp(−γ‖x − z‖²)",
    code=("gradkit.ml.svm", "kernel_matrix"),
    test=TEST,
)
def ml_kernel(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_moons
    from gradkit.ml.svm import SVC, kernel_matrix

    n = 300 if quick else 2000
    X, y = make_moons(n_samples=n, noise=0.2, random_state=0)
    X_test, y_test = make_moons(n_samples=2000, noise=0.2, random_state=1)
    models = {
        "linear": SVC(kernel="linear", C=1.0),
        "poly": SVC(kernel="poly", degree=3, coef0=1.0, C=1.0),
        "rbf": SVC(kernel="rbf", gamma=1.0, C=1.0),
    }
    acc = {k: float(np.mean(m.fit(X, y).predict(X_test) == y_test)) for k, m in models.items()}
    # the kernel trick: degree-2 polynomial kernel = inner product of explicit features
    A, B = X[:50], X_test[:60]

    def phi(Z):
        x1, x2 = Z[:, 0], Z[:, 1]
        r2 = np.sqrt(2.0)
        return np.c_[np.ones(len(Z)), r2 * x1, r2 * x2, x1**2, x2**2, r2 * x1 * x2]

    poly_gap = float(np.max(np.abs(kernel_matrix(A, B, "poly", 1.0, 2, 1.0) - phi(A) @ phi(B).T)))
    sigma = 0.7
    sq = ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=2)
    rbf_gap = float(
        np.max(
            np.abs(
                kernel_matrix(A, B, "rbf", 1.0 / (2 * sigma**2), 3, 0.0)
                - np.exp(-sq / (2 * sigma**2))
            )
        )
    )
    checks = [
        Check(
            "the degree-2 polynomial kernel equals φ(x)ᵀφ(z) with 6 explicit features; the "
            "RBF kernel with γ = 1/(2σ²) is the Gaussian exp(−‖x − z‖²/(2σ²))",
            f"largest differences {poly_gap:.1e} (poly), {rbf_gap:.1e} (RBF)",
            poly_gap < 1e-12 and rbf_gap < 1e-12,
        ),
        Check(
            "on two interleaved moons the RBF and polynomial kernels beat the linear one",
            "test accuracy " + ", ".join(f"{k} {v:.3f}" for k, v in acc.items()),
            acc["rbf"] > acc["linear"] + 0.05 and acc["poly"] > acc["linear"] + 0.03,
        ),
    ]

    def draw(fig):
        from gradkit.plot import decision_boundary

        for i, (name, model) in enumerate(models.items()):
            ax = fig.add_subplot(1, 3, i + 1)
            decision_boundary(model, X, y, ax=ax)
            ax.set_title(f"{name}: {acc[name]:.2f}")

    return Finding(
        checks, {"accuracy": acc, "poly_kernel_gap": poly_gap, "rbf_kernel_gap": rbf_gap}, draw
    )


@experiment(
    "ML-KNN",
    group="ML",
    title="k-nearest neighbours: bias and variance against k",
    claim="Small k gives low bias and high variance, large k high bias and low variance; the "
    "test error is lowest in between.",
    formula="ŷ(x) = mean (or vote) of the k nearest training targets",
    code=("gradkit.ml.neighbors", "KNeighborsRegressor"),
    test=TEST,
)
def ml_knn(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_moons
    from gradkit.ml.neighbors import KNeighborsClassifier, KNeighborsRegressor

    # bias² and variance of kNN regression over many training sets: y = sin(2πx) + noise
    rng = np.random.default_rng(0)
    ks = [1, 3, 5, 9, 15, 25, 40]
    n, reps = 100, (40 if quick else 200)
    grid = np.linspace(0.05, 0.95, 91)[:, None]
    truth = np.sin(2 * np.pi * grid[:, 0])
    preds = np.zeros((len(ks), reps, len(grid)))
    for r in range(reps):
        x = rng.random((n, 1))
        t = np.sin(2 * np.pi * x[:, 0]) + rng.normal(scale=0.3, size=n)
        for i, k in enumerate(ks):
            preds[i, r] = KNeighborsRegressor(n_neighbors=k).fit(x, t).predict(grid)
    variance = preds.var(axis=1, ddof=1).mean(axis=1)
    # (mean prediction − truth)² overstates bias² by the mean's own variance, variance/reps
    bias2 = np.maximum(((preds.mean(axis=1) - truth) ** 2).mean(axis=1) - variance / reps, 0.0)
    # classification error against k on noisy moons
    X, y = make_moons(n_samples=200, noise=0.35, random_state=0)  # k up to half of n
    X_test, y_test = make_moons(n_samples=2000, noise=0.35, random_state=1)
    kc = [1, 3, 7, 15, 31, 61, 99]
    train_err, test_err = [], []
    for k in kc:
        clf = KNeighborsClassifier(n_neighbors=k).fit(X, y)
        train_err.append(float(np.mean(clf.predict(X) != y)))
        test_err.append(float(np.mean(clf.predict(X_test) != y_test)))
    best = int(np.argmin(test_err))
    checks = [
        Check(
            f"variance falls and bias² grows with k (kNN regression, {reps} training sets of {n})",
            f"k = 1: variance {variance[0]:.4f}, bias² {bias2[0]:.4f}; k = {ks[-1]}: "
            f"variance {variance[-1]:.4f}, bias² {bias2[-1]:.4f}",
            bool(variance[0] > 4 * variance[-1] and bias2[-1] > 5 * bias2[0]),
        ),
        Check(
            "k = 1 fits the training set exactly but not the test set; the best k is in between",
            f"k = 1: train error {train_err[0]:.3f}, test {test_err[0]:.3f}; best k = "
            f"{kc[best]} test {test_err[best]:.3f}; k = {kc[-1]} test {test_err[-1]:.3f}",
            train_err[0] == 0.0
            and 0 < best < len(kc) - 1
            and test_err[0] > test_err[best] + 0.02
            and test_err[-1] > test_err[best] + 0.01,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(ks, bias2, marker="o", label="bias²")
        ax.plot(ks, variance, marker="o", label="variance")
        ax.set_xlabel("k")
        ax.set_title("kNN regression")
        ax.legend()
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(kc, train_err, marker="o", label="train")
        ax.plot(kc, test_err, marker="o", label="test")
        ax.set_xscale("log")
        ax.set_xlabel("k")
        ax.set_ylabel("error")
        ax.set_title("kNN classification")
        ax.legend()

    return Finding(
        checks,
        {
            "ks": ks,
            "bias2": bias2.round(5).tolist(),
            "variance": variance.round(5).tolist(),
            "k_classification": kc,
            "train_error": train_err,
            "test_error": test_err,
            "best_k": kc[best],
        },
        draw,
    )
