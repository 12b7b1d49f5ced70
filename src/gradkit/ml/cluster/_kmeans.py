"""k-means clustering (U-KMEANS): k-means++ or random init, Lloyd iterations, n_init restarts."""

from __future__ import annotations

import numbers

import numpy as np

from .._pairwise import squared_euclidean
from ..base import (
    BaseEstimator,
    ClusterMixin,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_legacy_random_state,
    check_n_features,
    check_option,
    check_sample_weight,
)


def kmeans_plusplus(
    X: np.ndarray,
    n_clusters: int,
    *,
    sample_weight=None,
    random_state=None,
    n_local_trials: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii, 2007).

    The first center is a sample drawn with probability ∝ w_i; each next one is the best
    (lowest potential Σ w_i min_c ‖x_i − c‖²) of ``n_local_trials`` = 2 + ⌊ln k⌋
    candidates drawn with probability ∝ w_i D(x_i)², D = distance to the nearest center.

    Returns
    -------
    centers : (n_clusters, n_features), indices : (n_clusters,) rows of X chosen.
    """
    rng = check_legacy_random_state(random_state)
    n = X.shape[0]
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.int64)
    indices[0] = rng.choice(n, p=w / w.sum())
    xx = np.einsum("ij,ij->i", X, X)  # ‖x_i‖², computed once for every candidate

    def sq_dist(rows):
        d = (-2.0 * X[rows]) @ X.T
        d += xx[rows, None]
        d += xx
        return np.maximum(d, 0.0, out=d)

    closest = sq_dist(indices[:1])[0]
    potential = float(closest @ w)
    for c in range(1, n_clusters):
        # candidates drawn with probability ∝ w_i D(x_i)², scikit-learn's draws
        targets = rng.uniform(size=n_local_trials) * potential
        cand = np.minimum(np.searchsorted(np.cumsum(w * closest), targets), n - 1)
        d = np.minimum(closest, sq_dist(cand))
        pots = d @ w
        best = int(np.argmin(pots))
        indices[c], closest, potential = cand[best], d[best], float(pots[best])
    return X[indices].copy(), indices


def _nearest(XT: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest center: argmin_k ‖μ_k‖² − 2 x·μ_k (‖x‖² is the same for all k).

    Takes Xᵀ (d, n), C-contiguous: the (k, n) score GEMM is the faster orientation.
    """
    scores = (-2.0 * centers) @ XT
    scores += np.einsum("ij,ij->i", centers, centers)[:, None]
    return scores.argmin(axis=0)


_ROWS = 4096  # samples per block of :func:`_nearest_rows`


def _nearest_rows(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """:func:`_nearest` for X (n, d) as given, in row blocks: no transposed copy of X
    and a (block, k) score block that stays in cache; ties to the lower center index."""
    c2T = -2.0 * centers.T
    cc = np.einsum("ij,ij->i", centers, centers)
    labels = np.empty(len(X), dtype=np.intp)
    for lo in range(0, len(X), _ROWS):
        scores = X[lo : lo + _ROWS] @ c2T
        scores += cc
        labels[lo : lo + _ROWS] = scores.argmin(axis=1)
    return labels


def _sq_residuals(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """‖x_i − μ_{c_i}‖² from the differences themselves (no cancellation)."""
    diff = X - centers[labels]
    return np.einsum("ij,ij->i", diff, diff)


def _weighted_sums(X, w, labels, k):
    """Σ_{i: c_i = j} w_i x_i for every cluster j, one GEMM with the weighted one-hot (k, n)."""
    return ((labels == np.arange(k)[:, None]) * w) @ X


def _centers(X, w, labels, sums, centers_old):
    """μ_k = Σ_{i∈k} w_i x_i / Σ_{i∈k} w_i; an empty cluster takes the farthest point."""
    k = centers_old.shape[0]
    weight = np.bincount(labels, weights=w, minlength=k)
    empty = np.nonzero(weight == 0)[0]
    if empty.size:
        sums = sums.copy()
        dist = _sq_residuals(X, centers_old, labels)
        far = np.argsort(-dist, kind="stable")[: empty.size]
        for c, i in zip(empty, far, strict=True):
            old = labels[i]
            weight[old] -= w[i]
            sums[old] -= w[i] * X[i]
            sums[c] = w[i] * X[i]
            weight[c] = w[i]
    return sums / weight[:, None]


def _lloyd(X, w, centers, max_iter, tol):
    """Lloyd's algorithm from ``centers``; stops when Σ‖Δμ‖² ≤ tol or labels stop changing.

    The cluster sums are updated only for the samples that changed cluster (all of them
    in the first iteration, few near convergence): sums += S(moved, new) − S(moved, old).
    """
    k = centers.shape[0]
    XT = np.ascontiguousarray(X.T)
    labels = sums = None
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        new_labels = _nearest(XT, centers)
        if labels is None:
            sums = _weighted_sums(X, w, new_labels, k)
        else:
            moved = np.flatnonzero(new_labels != labels)
            if moved.size == 0:
                break  # labels stable: the update would give the same centers
            Xm, wm = X[moved], w[moved]
            sums += _weighted_sums(Xm, wm, new_labels[moved], k)
            sums -= _weighted_sums(Xm, wm, labels[moved], k)
        new_centers = _centers(X, w, new_labels, sums, centers)
        shift = ((new_centers - centers) ** 2).sum()
        centers, labels = new_centers, new_labels
        if shift <= tol:
            break
    labels = _nearest(XT, centers)
    return centers, labels, float(_sq_residuals(X, centers, labels) @ w), n_iter


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when labellings a and b differ only by a renaming of the clusters."""
    pairs = np.unique(np.stack([a, b]), axis=1)
    return len(np.unique(pairs[0])) == pairs.shape[1] == len(np.unique(pairs[1]))


class KMeans(ClusterMixin, TransformerMixin, BaseEstimator):
    """k-means: minimize the distortion J(c, μ) = Σ_i w_i ‖x_i − μ_{c_i}‖²   (U-KMEANS).

    Lloyd's algorithm alternates the assignment c_i = argmin_k ‖x_i − μ_k‖² and the
    update μ_k = mean of the samples assigned to k; each step cannot increase J, so it
    converges to a local minimum. ``n_init`` restarts keep the lowest J.

    Parameters
    ----------
    n_clusters : int
    init : 'k-means++', 'random' or array (n_clusters, n_features)
    n_init : 'auto' or int
        'auto' is 1 run for k-means++ / an array and 10 for 'random' (scikit-learn's).
    max_iter : int
    tol : float
        Converged when the total squared center shift ≤ tol · mean feature variance.
    random_state : int, RandomState, Generator or None
        Seeds and restarts are drawn as scikit-learn draws them, so an int gives
        scikit-learn's initial centers.

    Attributes
    ----------
    cluster_centers_ : (n_clusters, n_features)
    labels_ : (n_samples,)
    inertia_ : float
        The distortion J of the returned centers.
    n_iter_ : int

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> float(km.inertia_)
    1.0
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check_params(self, X) -> int:
        if not isinstance(self.n_clusters, numbers.Integral) or self.n_clusters < 1:
            raise ValueError(f"n_clusters must be a positive integer, got {self.n_clusters!r}.")
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        if isinstance(self.init, str):
            check_option("init", self.init, ("k-means++", "random"))
        else:
            init = np.asarray(self.init)
            if init.shape != (self.n_clusters, X.shape[1]):
                raise ValueError(
                    f"The shape of the initial centers {init.shape} does not match "
                    f"(n_clusters, n_features) = {(self.n_clusters, X.shape[1])}."
                )
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}.")
        if (
            isinstance(self.tol, bool)
            or not isinstance(self.tol, numbers.Real)
            or not self.tol >= 0
        ):
            raise ValueError(f"tol must be a non-negative number, got {self.tol!r}.")
        if self.n_init == "auto":
            return 10 if isinstance(self.init, str) and self.init == "random" else 1
        if not isinstance(self.n_init, numbers.Integral) or self.n_init < 1:
            raise ValueError(f"n_init must be 'auto' or a positive integer, got {self.n_init!r}.")
        return 1 if not isinstance(self.init, str) else int(self.n_init)

    def _init_centers(self, X, w, rng):
        if not isinstance(self.init, str):
            return np.array(self.init, dtype=np.float64)
        if self.init == "k-means++":
            return kmeans_plusplus(X, self.n_clusters, sample_weight=w, random_state=rng)[0]
        idx = rng.choice(X.shape[0], size=self.n_clusters, replace=False, p=w / w.sum())
        return X[idx].copy()

    def fit(self, X, y=None, sample_weight=None) -> KMeans:
        X = check_array(X)
        check_n_features(self, X, reset=True)
        n_init = self._check_params(X)
        w = check_sample_weight(sample_weight, X)
        rng = check_legacy_random_state(self.random_state)
        tol = self.tol * float(np.mean(np.var(X, axis=0)))
        mean = X.mean(axis=0)
        Xc = X - mean  # centering improves the accuracy of ‖x‖² − 2x·μ + ‖μ‖²
        best = None
        for _ in range(n_init):
            centers = self._init_centers(Xc, w, rng) - (0 if isinstance(self.init, str) else mean)
            result = _lloyd(Xc, w, centers, self.max_iter, tol)
            # a lower J with the same partition (relabelled) is rounding: keep the first
            if best is None or (result[2] < best[2] and not _same_partition(result[1], best[1])):
                best = result
        centers, labels, inertia, n_iter = best
        self.cluster_centers_ = centers + mean
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        return self

    def _check_X(self, X) -> np.ndarray:
        check_is_fitted(self, "cluster_centers_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        return X

    def predict(self, X) -> np.ndarray:
        """Index of the nearest center for each sample. Shape: (n, d) → (n,)."""
        return _nearest_rows(self._check_X(X), self.cluster_centers_)

    def fit_predict(self, X, y=None, sample_weight=None) -> np.ndarray:
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X) -> np.ndarray:
        """Euclidean distance to every center. Shape: (n, d) → (n, n_clusters)."""
        return np.sqrt(squared_euclidean(self._check_X(X), self.cluster_centers_))

    def fit_transform(self, X, y=None, sample_weight=None) -> np.ndarray:
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X, y=None, sample_weight=None) -> float:
        """Opposite of the distortion of X on the fitted centers, −J."""
        X = self._check_X(X)
        w = check_sample_weight(sample_weight, X)
        labels = _nearest(np.ascontiguousarray(X.T), self.cluster_centers_)
        return -float(_sq_residuals(X, self.cluster_centers_, labels) @ w)
