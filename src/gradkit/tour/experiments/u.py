"""Evidence tour, group U: classical unsupervised learning.

U-KMEANS, U-EM-GMM, U-FA, U-HIER, U-SIL and U-PCA.
"""

from __future__ import annotations

import numpy as np

from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_u.py"


def _mnist_digits(n: int):
    """The first ``n`` MNIST test-split digits as float64 rows of 784 pixels in [0, 1]."""
    from gradkit.data import load_mnist

    X, y = load_mnist("test", flatten=True)
    return X[:n].astype(np.float64), y[:n]


def _blobs(n: int, seed: int = 0):
    from gradkit.ml.datasets import make_blobs

    centers = [[-4, -4], [-4, 4], [4, -4], [4, 4]]
    return make_blobs(n_samples=n, centers=centers, cluster_std=1.0, random_state=seed)


@experiment(
    "U-KMEANS",
    group="U",
    title="k-means: distortion by k and by iteration",
    claim="Each k-means step (assign, then update) cannot increase the distortion J; J falls "
    "with k and bends at the true number of clusters (the elbow).",
    formula="J(c, μ) = Σ_i ‖x_i − μ_{c_i}‖²;  c_i = argmin_k ‖x_i − μ_k‖²,  "
    "μ_k = mean of cluster k",
    code=("gradkit.ml.cluster", "KMeans"),
    test=TEST,
)
def u_kmeans(quick: bool) -> Finding:
    from gradkit.ml.cluster import KMeans

    X, _ = _blobs(400 if quick else 4000)
    ks = list(range(1, 9))
    J = [float(KMeans(n_clusters=k, n_init=5, random_state=0).fit(X).inertia_) for k in ks]
    # per iteration on MNIST digits: stop Lloyd's algorithm after i iterations from one start
    digits, _ = _mnist_digits(1000 if quick else 5000)
    rng = np.random.default_rng(0)
    start = digits[rng.choice(len(digits), 10, replace=False)]
    iters = list(range(1, 13 if quick else 31))
    J_iter = [
        float(KMeans(n_clusters=10, init=start, max_iter=i, tol=0.0).fit(digits).inertia_)
        for i in iters
    ]
    drops = [J[i - 1] / J[i] for i in range(1, len(J))]
    checks = [
        Check(
            "distortion never rises from one k-means iteration to the next (MNIST, k = 10)",
            f"J after 1, 2, {iters[-1]} iterations: {J_iter[0]:.0f}, {J_iter[1]:.0f}, "
            f"{J_iter[-1]:.0f}; change per iteration at most {max(np.diff(J_iter)):+.1f}",
            bool(np.all(np.diff(J_iter) <= 1e-9 * J_iter[0])) and J_iter[-1] < J_iter[0],
        ),
        Check(
            "J falls with k and bends at the true k = 4 (the elbow)",
            "J(k−1)/J(k) for k = 2..8: " + ", ".join(f"{d:.2f}" for d in drops),
            bool(np.all(np.diff(J) < 0)) and drops[2] > 3 and max(drops[3:]) < 1.5,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(ks, J, marker="o")
        ax.set_xlabel("k")
        ax.set_ylabel("distortion J")
        ax.set_title("Elbow at k = 4")
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(iters, J_iter, marker="o")
        ax.set_xlabel("iteration")
        ax.set_title("MNIST, k = 10")

    return Finding(checks, {"distortion_by_k": J, "distortion_by_iteration": J_iter}, draw)


@experiment(
    "U-EM-GMM",
    group="U",
    title="EM for a Gaussian mixture",
    claim="Each EM step (E-step: responsibilities, M-step: weighted MLE) never decreases the "
    "log-likelihood; EM recovers the mixture's components.",
    formula="w_ij = P(z_i=j | x_i);  φ_j = mean_i w_ij,  μ_j = Σ w_ij x_i / Σ w_ij,  "
    "Σ_j = Σ w_ij (x_i − μ_j)(x_i − μ_j)ᵀ / Σ w_ij",
    code=("gradkit.ml.mixture", "GaussianMixture"),
    test=TEST,
)
def u_em_gmm(quick: bool) -> Finding:
    from gradkit.ml.mixture import GaussianMixture

    rng = np.random.default_rng(0)
    means = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])
    covs = [np.array([[1.0, 0.6], [0.6, 1.0]]), np.eye(2) * 0.5, np.array([[2.0, 0], [0, 0.3]])]
    sizes = np.array([0.5, 0.3, 0.2]) * (600 if quick else 6000)
    X = np.vstack([rng.multivariate_normal(m, c, int(s)) for m, c, s in zip(means, covs, sizes)])
    gmm = GaussianMixture(3, init_params="random", tol=1e-8, max_iter=500, random_state=1)
    gmm.fit(X)
    L = np.asarray(gmm.lower_bounds_)
    found = gmm.means_[np.argsort(gmm.means_[:, 0] + 10 * gmm.means_[:, 1])]
    truth = means[np.argsort(means[:, 0] + 10 * means[:, 1])]
    mean_err = float(np.max(np.abs(found - truth)))
    checks = [
        Check(
            "the log-likelihood rises (never falls) at every EM step",
            f"average log-likelihood {L[0]:.4f} → {L[-1]:.4f} over {len(L)} steps; "
            f"largest decrease {max(0.0, -np.diff(L).min()):.1e}",
            bool(np.all(np.diff(L) >= -1e-12)) and len(L) >= 5 and L[-1] > L[0],
        ),
        Check(
            "EM from random responsibilities finds the three components",
            f"largest error of the fitted means: {mean_err:.3f}; weights "
            f"{np.sort(gmm.weights_)[::-1].round(3).tolist()} (true 0.5, 0.3, 0.2)",
            mean_err < 0.3,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(range(1, len(L) + 1), L, marker=".")
        ax.set_xlabel("EM step")
        ax.set_ylabel("mean log-likelihood")
        ax = fig.add_subplot(1, 2, 2)
        ax.scatter(X[:, 0], X[:, 1], c=gmm.predict(X), s=5, cmap="tab10", vmin=0, vmax=9)
        ax.scatter(gmm.means_[:, 0], gmm.means_[:, 1], c="k", marker="x", s=80)
        ax.set_title("components found by EM")

    return Finding(checks, {"log_likelihood": L.round(6).tolist(), "mean_error": mean_err}, draw)


@experiment(
    "U-FA",
    group="U",
    title="Factor analysis by EM",
    claim="Factor analysis models x = μ + Λz + ε with z ~ N(0, I) and diagonal noise Ψ; EM "
    "raises the likelihood each step and recovers ΛΛᵀ + Ψ and each feature's own noise.",
    formula="z ~ N(0, I),  x | z ~ N(μ + Λz, Ψ),  Cov x = ΛΛᵀ + Ψ",
    code=("gradkit.ml.decomposition", "FactorAnalysis"),
    test=TEST,
)
def u_fa(quick: bool) -> Finding:
    from gradkit.ml.decomposition import FactorAnalysis

    rng = np.random.default_rng(0)
    n, d, k = (2000 if quick else 20000), 6, 2
    Lam = rng.normal(size=(d, k))
    psi = np.linspace(0.1, 1.0, d)
    Z = rng.normal(size=(n, k))
    X = 3.0 + Z @ Lam.T + rng.normal(size=(n, d)) * np.sqrt(psi)
    fa = FactorAnalysis(n_components=k).fit(X)
    ll = np.asarray(fa.loglike_)
    psi_err = float(np.max(np.abs(fa.noise_variance_ - psi) / psi))
    cov_hat = fa.components_.T @ fa.components_ + np.diag(fa.noise_variance_)
    cov_err = float(np.max(np.abs(cov_hat - (Lam @ Lam.T + np.diag(psi)))))
    checks = [
        Check(
            "EM never lowers the log-likelihood",
            f"log-likelihood {ll[0]:.1f} → {ll[-1]:.1f} in {len(ll)} iterations; largest "
            f"decrease {max(0.0, -np.diff(ll).min()):.1e}",
            bool(np.all(np.diff(ll) >= -1e-9 * abs(ll[0]))) and ll[-1] > ll[0],
        ),
        Check(
            "the fit recovers Cov x = ΛΛᵀ + Ψ and the per-feature noise Ψ",
            f"largest covariance error {cov_err:.3f}; noise variances "
            f"{fa.noise_variance_.round(2).tolist()} vs true {psi.round(2).tolist()}",
            cov_err < (0.2 if quick else 0.08) and psi_err < (0.25 if quick else 0.1),
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(range(1, len(ll) + 1), ll)
        ax.set_xscale("log")
        ax.set_xlabel("EM iteration")
        ax.set_ylabel("log-likelihood")
        ax = fig.add_subplot(1, 2, 2)
        idx = np.arange(d)
        ax.bar(idx - 0.2, psi, width=0.4, label="true Ψ")
        ax.bar(idx + 0.2, fa.noise_variance_, width=0.4, label="fitted Ψ")
        ax.set_xlabel("feature")
        ax.legend()

    return Finding(
        checks,
        {"n_iter": int(fa.n_iter_), "noise_relative_error": psi_err, "covariance_error": cov_err},
        draw,
    )


@experiment(
    "U-HIER",
    group="U",
    title="Agglomerative clustering and its linkages",
    claim="Agglomerative clustering merges the closest clusters bottom-up; the linkage "
    "decides what 'closest' means: single linkage follows chains, Ward finds compact blobs.",
    formula="single min d(a, b); complete max; average mean; Ward Δ(within-cluster SS)",
    code=("gradkit.ml.cluster", "AgglomerativeClustering"),
    test=TEST,
)
def u_hier(quick: bool) -> Finding:
    from gradkit.ml.cluster import AgglomerativeClustering
    from gradkit.ml.datasets import make_moons
    from gradkit.ml.metrics import adjusted_rand_score

    n = 200 if quick else 1000
    blobs, y_blobs = _blobs(n, seed=3)
    moons, y_moons = make_moons(n_samples=n, noise=0.05, random_state=0)
    linkages = ("ward", "complete", "average", "single")
    ari_blobs, ari_moons, monotone = {}, {}, {}
    models = {}
    for link in linkages:
        m = AgglomerativeClustering(n_clusters=4, linkage=link).fit(blobs)
        ari_blobs[link] = float(adjusted_rand_score(y_blobs, m.labels_))
        h = m.linkage_matrix_[:, 2]
        monotone[link] = bool(np.all(np.diff(h) >= 0))
        models[link] = m
        m2 = AgglomerativeClustering(n_clusters=2, linkage=link).fit(moons)
        ari_moons[link] = float(adjusted_rand_score(y_moons, m2.labels_))
    checks = [
        Check(
            "on compact blobs every linkage recovers the clusters",
            "adjusted Rand index: " + ", ".join(f"{k} {v:.2f}" for k, v in ari_blobs.items()),
            min(ari_blobs.values()) > 0.9,
        ),
        Check(
            "on two interleaved moons single linkage follows the chains; Ward cuts across them",
            "adjusted Rand index: " + ", ".join(f"{k} {v:.2f}" for k, v in ari_moons.items()),
            ari_moons["single"] > 0.99 and ari_moons["ward"] < 0.7,
        ),
        Check(
            "merge heights never decrease up the dendrogram (no inversions)",
            ", ".join(f"{k}: {'monotone' if v else 'inverted'}" for k, v in monotone.items()),
            all(monotone.values()),
        ),
    ]

    def draw(fig):
        from gradkit.plot import dendrogram

        ax = fig.add_subplot(1, 2, 1)
        dendrogram(models["ward"], ax=ax)
        ax.set_title("Ward linkage, 4 blobs")
        ax = fig.add_subplot(1, 2, 2)
        labels = AgglomerativeClustering(n_clusters=2, linkage="single").fit(moons).labels_
        ax.scatter(moons[:, 0], moons[:, 1], c=labels, s=8, cmap="coolwarm")
        ax.set_title(f"single linkage on moons (ARI {ari_moons['single']:.2f})")

    return Finding(
        checks, {"ari_blobs": ari_blobs, "ari_moons": ari_moons, "monotone": monotone}, draw
    )


@experiment(
    "U-SIL",
    group="U",
    title="Silhouette coefficient",
    claim="s = (b − a)/max(a, b) scores how much closer a point is to its own cluster than to "
    "the next; the mean silhouette is highest at the true number of clusters.",
    formula="a = mean distance to own cluster, b = smallest mean distance to another cluster",
    code=("gradkit.ml.metrics", "silhouette_samples"),
    test=TEST,
)
def u_sil(quick: bool) -> Finding:
    from gradkit.ml.cluster import KMeans
    from gradkit.ml.metrics import silhouette_samples, silhouette_score

    X, _ = _blobs(300 if quick else 2000, seed=1)
    labels = KMeans(n_clusters=4, n_init=5, random_state=0).fit(X).labels_
    s = silhouette_samples(X, labels)
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2))
    by_hand = np.empty(len(X))
    for i in range(len(X)):
        own = labels == labels[i]
        a = D[i, own].sum() / (own.sum() - 1)
        b = min(D[i, labels == c].mean() for c in np.unique(labels) if c != labels[i])
        by_hand[i] = (b - a) / max(a, b)
    gap = float(np.max(np.abs(by_hand - s)))
    ks = list(range(2, 9))
    scores = [
        float(silhouette_score(X, KMeans(n_clusters=k, n_init=5, random_state=0).fit_predict(X)))
        for k in ks
    ]
    best = ks[int(np.argmax(scores))]
    checks = [
        Check(
            "silhouette_samples equals (b − a)/max(a, b) computed from the distances",
            f"largest difference {gap:.1e} over {len(X)} points",
            gap < 1e-12,
        ),
        Check(
            "the mean silhouette peaks at the true number of clusters (4)",
            "k = 2..8: " + ", ".join(f"{v:.3f}" for v in scores) + f"; best k = {best}",
            best == 4 and scores[2] > max(scores[:2] + scores[3:]) + 0.05,
        ),
    ]

    def draw(fig):
        from gradkit.plot import silhouette

        silhouette(X, labels, ax=fig.add_subplot(1, 2, 1))
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(ks, scores, marker="o")
        ax.set_xlabel("k")
        ax.set_ylabel("mean silhouette")

    return Finding(checks, {"formula_gap": gap, "scores": scores, "best_k": best}, draw)


@experiment(
    "U-PCA",
    group="U",
    title="PCA on MNIST: explained variance",
    claim="PCA's directions are the eigenvectors of the covariance matrix, their eigenvalues "
    "the variance explained; a few components keep most of the variance of MNIST digits.",
    formula="C v = λ v,  C = XᶜᵀXᶜ/(n − 1);  explained ratio λ_j / Σ λ",
    code=("gradkit.ml.decomposition", "PCA"),
    test=TEST,
)
def u_pca(quick: bool) -> Finding:
    from gradkit.ml.decomposition import PCA

    X, y = _mnist_digits(1000 if quick else 10000)
    pca = PCA().fit(X)
    ratio = pca.explained_variance_ratio_
    cum = np.cumsum(ratio)
    k90 = int(np.searchsorted(cum, 0.90) + 1)
    C = np.cov(X, rowvar=False)
    V, lam = pca.components_[:20], pca.explained_variance_[:20]
    eig_gap = float(np.max(np.abs(C @ V.T - V.T * lam)))
    k = 50
    small = PCA(n_components=k).fit(X)
    recon = small.inverse_transform(small.transform(X))
    mse = float(np.mean(((X - recon) ** 2).sum(axis=1)))
    dropped = float(pca.explained_variance_[k:].sum() * (len(X) - 1) / len(X))
    checks = [
        Check(
            "the components are eigenvectors of the covariance, with the explained variances "
            "as eigenvalues",
            f"max |C v − λ v| over the first 20 = {eig_gap:.1e}",
            eig_gap < 1e-10,
        ),
        Check(
            "a few components hold most of the variance",
            f"{k90} of 784 components explain 90% of the variance; the first 2 explain "
            f"{cum[1]:.1%}",
            k90 < 150,
        ),
        Check(
            f"projecting on k = {k} components loses exactly the dropped eigenvalues",
            f"mean squared reconstruction error {mse:.4f}; sum of dropped eigenvalues "
            f"{dropped:.4f}",
            abs(mse - dropped) < 1e-8 * dropped,
        ),
    ]

    def draw(fig):
        from gradkit.plot import embedding

        ax = fig.add_subplot(1, 2, 1)
        ax.plot(np.arange(1, len(cum) + 1), cum)
        ax.axhline(0.9, color="k", ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("components")
        ax.set_ylabel("cumulative explained variance")
        embedding(pca.transform(X)[:, :2], labels=y, ax=fig.add_subplot(1, 2, 2))

    return Finding(
        checks,
        {
            "components_for_90": k90,
            "eigen_gap": eig_gap,
            "first_two": float(cum[1]),
            "reconstruction_mse": mse,
            "dropped_eigenvalues": dropped,
        },
        draw,
    )
