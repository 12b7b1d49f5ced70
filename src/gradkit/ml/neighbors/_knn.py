"""k-nearest-neighbour classification and regression (ML-KNN)."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_option,
    check_X_y,
    encode_labels,
)
from ..utils._parallel import run_parallel, shares
from ._brute import BruteIndex, CosineBruteIndex, MetricBruteIndex
from ._distance import FIXED_P, Reduced
from ._kd_replay import KDReplay

# A k-d tree beats the tiled brute force only in low dimension. Measured (50k Gaussian
# points, 10k queries, k=5, 1 thread): 3 features tree 0.05 s / brute 2.9 s; 8: 2.2 / 3.3;
# 15: 50 / 2.3 (scikit-learn's own k-d tree, which its "auto" picks up to 15: 26 s).
_TREE_MAX_DIM = 8
# scikit-learn's "auto" searches with its k-d tree up to this many features; where it
# would, equal distances are resolved as its tree does (see ._kd_replay).
_SKLEARN_TREE_MAX_DIM = 15


class _BaseKNN(BaseEstimator):
    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: str = "uniform",
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: float = 2,
        metric: str = "minkowski",
        metric_params: dict | None = None,
        n_jobs: int | None = None,
    ):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.metric = metric
        self.metric_params = metric_params
        self.n_jobs = n_jobs

    def _resolve_metric(self) -> float | None:
        """Set ``effective_metric_`` / ``effective_metric_params_`` as scikit-learn does
        and return the Minkowski order p of the metric (None for "cosine")."""
        valid = (*FIXED_P, "minkowski", "cosine")
        if not isinstance(self.metric, str) or self.metric not in valid:
            raise ValueError(
                f"metric={self.metric!r} is not supported; valid metrics: "
                f"{', '.join(sorted(valid))} (callable, 'precomputed' and the ball-tree "
                "metrics are not)."
            )
        params = dict(self.metric_params or {})
        unknown = sorted(set(params) - {"p"})
        if unknown or ("p" in params and self.metric != "minkowski"):
            raise ValueError(
                f"metric_params {unknown or ['p']} are not supported for metric "
                f"{self.metric!r}; only 'p' of 'minkowski' is (weights 'w' are not)."
            )
        self.effective_metric_params_ = params
        self.effective_metric_ = self.metric
        if self.metric == "cosine":
            return None
        if self.metric != "minkowski":
            return FIXED_P[self.metric]
        p = params.pop("p", self.p)
        if not isinstance(p, numbers.Real) or isinstance(p, bool) or math.isnan(p) or p <= 0:
            raise ValueError(f"p must be a number > 0 (math.inf for Chebyshev), got {p!r}.")
        named = {1: "manhattan", 2: "euclidean", math.inf: "chebyshev"}.get(p)
        if named is not None:
            self.effective_metric_ = named
        else:
            self.effective_metric_params_.update(p=p, w=None)
        return float(p)

    def _fit(self, X, y) -> None:
        if not callable(self.weights):
            check_option("weights", self.weights, ("uniform", "distance"))
        check_option("algorithm", self.algorithm, ("auto", "brute", "kd_tree"))
        if not isinstance(self.n_neighbors, numbers.Integral) or self.n_neighbors < 1:
            raise ValueError(f"n_neighbors must be an int >= 1, got {self.n_neighbors!r}.")
        if (
            not isinstance(self.leaf_size, numbers.Integral)
            or isinstance(self.leaf_size, bool)
            or self.leaf_size < 1
        ):
            raise ValueError(f"leaf_size must be an int >= 1, got {self.leaf_size!r}.")
        p = self._resolve_metric()
        if p is None and self.algorithm == "kd_tree":
            raise ValueError(
                "Metric 'cosine' not valid for algorithm 'kd_tree'; use algorithm='brute' "
                "or 'auto'."
            )
        if self.metric == "infinity" and self.algorithm == "brute":  # as scikit-learn
            raise ValueError("Metric 'infinity' not valid for algorithm 'brute'; use 'chebyshev'.")
        self._fit_X = X
        self.n_samples_fit_ = X.shape[0]
        sparse = hasattr(X, "tocsr")
        if sparse and p not in (2.0, None):
            raise ValueError(
                f"metric {self.effective_metric_!r} needs dense input here (scipy.sparse "
                "input supports the Euclidean and cosine metrics); pass X.toarray()."
            )
        if sparse and self.algorithm == "kd_tree":
            warnings.warn(
                "cannot use tree with sparse input: using brute force", UserWarning, stacklevel=3
            )
        small_k = self.n_neighbors < X.shape[0] // 2
        if p is not None and p < 1:  # not a metric: no tree can prune with it
            if self.algorithm == "kd_tree":
                raise ValueError(
                    'algorithm="kd_tree" does not support 0 < p < 1 for the Minkowski '
                    "metric. To resolve this problem either use p >= 1 or "
                    'algorithm="brute".'
                )
            warnings.warn(
                "Mind that for 0 < p < 1, Minkowski metrics are not distance metrics. "
                "Continuing the execution with `algorithm='brute'`.",
                UserWarning,
                stacklevel=3,
            )
        tree_ok = not sparse and p is not None and p >= 1
        use_tree = tree_ok and (
            self.algorithm == "kd_tree"
            or (self.algorithm == "auto" and X.shape[1] <= _TREE_MAX_DIM and small_k)
        )
        # the search scikit-learn would run, whose rule for equal distances is kept
        self._sklearn_tree = tree_ok and (
            self.algorithm == "kd_tree"
            or (self.algorithm == "auto" and X.shape[1] <= _SKLEARN_TREE_MAX_DIM and small_k)
        )
        self._reduced = None if p is None else Reduced(p)
        self._replay = _Replay(X, self.leaf_size, self._reduced) if self._sklearn_tree else None
        self._tree = self._brute = None
        if use_tree:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(X)
        elif p is None:
            self._brute = CosineBruteIndex(X)
        elif p == 2.0:
            self._brute = BruteIndex(X)
        else:
            self._brute = MetricBruteIndex(X, self._reduced)
        self.effective_algorithm_ = "kd_tree" if use_tree else "brute"

    def kneighbors(self, X=None, n_neighbors: int | None = None, return_distance: bool = True):
        """Distances and indices of the k nearest training points, each (n_queries, k),
        nearest first; ``X=None`` asks for the neighbours of the training points
        themselves, each point excluded from its own list (scikit-learn's rule).

        Brute force (:mod:`._brute`): ‖y‖² − 2 x·y by tiled matmuls and a threshold
        filter; low dimension (``algorithm="auto"`` up to 8 features, or
        ``"kd_tree"``): a k-d tree (``scipy.spatial.cKDTree``). Without equal
        distances the answer is scikit-learn's either way. Equal distances get
        scikit-learn's answer too: where scikit-learn would search its k-d tree
        (``"kd_tree"``, or ``"auto"`` up to 15 features and k < n_samples / 2) the
        queries with ties are replayed through a copy of that tree's layout, search and
        sort (:mod:`._kd_replay`, same ``leaf_size``), so the same points are kept in the
        same order, with distances summed feature by feature as it does; elsewhere
        (brute force, as scikit-learn's) the lower index is taken and listed first.
        """
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"n_neighbors must be an int >= 1, got {k!r}.")
        k = int(k)
        X, query_is_train = self._queries(X, k)
        return self._kneighbors(X, k, query_is_train, return_distance, exact_order=True)

    def _queries(self, X, k: int):
        """Checked queries and whether they are the training points (``X=None``)."""
        check_is_fitted(self, "_fit_X")
        query_is_train = X is None
        if query_is_train:
            X = self._fit_X
        else:
            X = check_array(X, accept_sparse=True)
            check_n_features(self, X, reset=False)
        if k + query_is_train > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
                f"n_samples_fit = {self.n_samples_fit_}, n_samples = {X.shape[0]}."
            )
        return X, query_is_train

    def _kneighbors(
        self, X, k: int, query_is_train: bool, return_distance: bool, exact_order, votes=None
    ):
        """kneighbors on checked input; ``exact_order=False`` (predict) replays only the
        queries whose k-th place is tied between points of different ``votes`` (labels
        or targets): the order inside the list, or which of two equal points with the
        same vote is kept, changes no prediction."""
        n_queries = X.shape[0]
        k_all = k + query_is_train
        if self._sklearn_tree:  # ties are settled by the replay: no need to order them
            fast = self._tree_query if self._tree is not None else self._brute.kneighbors
            search = self._replay.wrap(fast, exact_order, votes)
        else:  # gradkit's tree is only used where scikit-learn's would be
            search = self._brute.kneighbors
        chunks = shares(n_queries, self.n_jobs)
        parts = run_parallel(search, [(X[c], k_all) for c in chunks], self.n_jobs)
        dist = np.vstack([p[0] for p in parts])
        idx = np.vstack([p[1] for p in parts])
        if query_is_train:
            dist, idx = _drop_self(dist, idx)
        return (dist, idx) if return_distance else idx

    def _tree_query(self, X, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest by the scipy k-d tree, equal distances in any order."""
        dist, idx = self._tree.query(X, k=k, p=self._reduced.p)
        return dist.reshape(len(X), -1), idx.reshape(len(X), -1)

    def _predict_neighbours(self, X):
        """kneighbors for predict: ``X=None`` predicts the training points, each without
        itself, as scikit-learn does."""
        X, query_is_train = self._queries(X, self.n_neighbors)
        return self._kneighbors(
            X, self.n_neighbors, query_is_train, True, exact_order=False, votes=self._y
        )

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags

    def _neighbour_weights(self, dist: np.ndarray) -> np.ndarray:
        """Uniform: 1; distance: 1/d, and a query at distance 0 from a point takes it alone;
        a callable: ``weights(dist)``, an array of dist's shape."""
        if callable(self.weights):
            w = np.asarray(self.weights(dist), dtype=np.float64)
            if w.shape != dist.shape:
                raise ValueError(
                    f"weights callable returned shape {w.shape}; expected the distances' "
                    f"shape {dist.shape}."
                )
            return w
        if self.weights == "uniform":
            return np.ones_like(dist)
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        exact = np.isinf(w)
        rows = exact.any(axis=1)
        w[rows] = exact[rows].astype(float)
        return w


class KNeighborsClassifier(ClassifierMixin, _BaseKNN):
    """k-NN classifier (ML-KNN): the (weighted) majority class of the k nearest points.

    P(y=c|x) = Σ_{i∈N_k(x)} w_i 1{y_i = c} / Σ_{i∈N_k(x)} w_i. Small k: low bias, high
    variance; large k: the reverse.

    Parameters
    ----------
    n_neighbors : int
    weights : {"uniform", "distance"} or callable
        "distance": w = 1/d (a point at distance 0 takes the vote alone); a callable
        maps the (n_queries, k) distances to weights of that shape.
    algorithm : {"auto", "brute", "kd_tree"}
        "auto": a k-d tree up to 8 features (and k < n_samples / 2), tiled brute force
        above and for scipy.sparse X (accepted, brute force only). scikit-learn's
        "auto" takes its tree up to 15 features; from 9 on the brute force measured
        faster here. The neighbours are the same either way, ties included.
    leaf_size : int
        Leaf size of scikit-learn's k-d tree, whose choice among equal distances is
        reproduced (it decides which tied point is met first); default 30 as there.
    p : float
        Order of the Minkowski metric (> 0; 1 Manhattan, 2 Euclidean, ``math.inf``
        Chebyshev; below 1 not a metric: brute force only, with scikit-learn's warning).
    metric : str
        "minkowski" (with ``p``), "euclidean"/"l2", "manhattan"/"cityblock"/"l1",
        "chebyshev"/"infinity" (summed feature by feature as scikit-learn does, so ties
        resolve as there), or "cosine" (1 − cos, brute force; sparse input allowed).
        Sparse input takes the Euclidean and cosine metrics.
    metric_params : dict or None
        ``{"p": ...}`` for "minkowski" (overrides ``p``).
    n_jobs : int or None
        Workers for the queries (joblib, the ``[parallel]`` extra): None is sequential,
        -1 all cores; the answer is the same for every value.
    """

    def fit(self, X, y):
        X, y = check_X_y(X, y, accept_sparse=True)
        check_n_features(self, X, reset=True)
        self.classes_, self._y = encode_labels(y)
        self._fit(X, y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        dist, idx = self._predict_neighbours(X)
        w = self._neighbour_weights(dist)
        n, k = idx.shape
        n_classes = len(self.classes_)
        flat = (np.arange(n)[:, None] * n_classes + self._y[idx]).ravel()
        proba = np.bincount(flat, w.ravel(), n * n_classes).reshape(n, n_classes)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        scores = self.predict_proba(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]


class KNeighborsRegressor(RegressorMixin, _BaseKNN):
    """k-NN regressor (ML-KNN): the (weighted) mean target of the k nearest points."""

    def fit(self, X, y):
        X, y = check_X_y(X, y, y_numeric=True, accept_sparse=True)
        check_n_features(self, X, reset=True)
        self._y = y.astype(np.float64)
        self._fit(X, y)
        return self

    def predict(self, X) -> np.ndarray:
        dist, idx = self._predict_neighbours(X)
        w = self._neighbour_weights(dist)
        return (w * self._y[idx]).sum(axis=1) / w.sum(axis=1)


class _Replay:
    """Where scikit-learn would search its k-d tree: the fast search's answer, with the
    queries whose neighbours tie answered by :class:`KDReplay` (built on first need)."""

    def __init__(self, X, leaf_size: int, reduced: Reduced):
        self.X = np.asarray(X, dtype=np.float64)
        self.leaf_size = leaf_size
        self.reduced = reduced
        self.tree: KDReplay | None = None

    def wrap(self, search, exact_order: bool, votes=None):
        def replayed(Q, k: int):
            return self.kneighbors(search, Q, k, exact_order, votes)

        return replayed

    def kneighbors(self, search, Q, k: int, exact_order: bool, votes=None):
        """The k nearest of each row of Q as scikit-learn's k-d tree returns them.

        The fast search gives k + 1 candidates (k when there are only k points); their
        reduced distances are recomputed as scikit-learn sums them. Rows where two
        candidates' values are within a rounding tolerance of each other — at the k-th
        place, or anywhere when ``exact_order`` — are replayed; the others are sorted by
        the recomputed values, which then differ, so the order is scikit-learn's. With
        ``votes``, a row tied at the k-th place is replayed only when the points at that
        distance do not all carry the same vote.
        """
        n = len(self.X)
        Q = np.asarray(Q, dtype=np.float64)
        m = min(k + 1, n)
        _, idx = search(Q, m)
        sq = self.reduced.rows(self.X, Q, idx)
        order = np.argsort(sq, axis=1, kind="stable")
        sq = np.take_along_axis(sq, order, 1)
        idx = np.take_along_axis(idx, order, 1)
        # the fast search's own rounding can swap values this close, or hide a point
        norms = self.reduced.scale(Q) + self.reduced.scale(self.X[idx]).max(axis=1)
        tol = 1e-9 * (1.0 + norms)[:, None]
        close = np.diff(sq, axis=1) <= tol
        if m > k:
            tied = close[:, k - 1] | (close[:, : k - 1].any(axis=1) if exact_order else False)
        else:
            tied = close.any(axis=1) if exact_order else np.zeros(len(Q), dtype=bool)
        dist, idx = self.reduced.to_dist(sq[:, :k]), idx[:, :k].copy()
        rows = np.flatnonzero(tied)
        if votes is not None and rows.size:
            rows = rows[self._mixed_votes(search, Q[rows], sq[rows, k - 1], tol[rows, 0], votes)]
        if rows.size:
            if self.tree is None:
                self.tree = KDReplay(self.X, self.leaf_size, self.reduced)
            dist[rows], idx[rows] = self.tree.query(Q[rows], k, sort=exact_order)
        return dist, idx

    def _mixed_votes(self, search, Q, sq_k, tol, votes) -> np.ndarray:
        """Per row of Q: do the fit points at reduced distance sq_k (± tol) differ in
        vote? The fast search is asked for more neighbours until it reaches past them."""
        n = len(self.X)
        mixed = np.zeros(len(Q), dtype=bool)
        rows = np.arange(len(Q))
        m = 8
        while rows.size:
            m = min(2 * m, n)
            _, idx = search(Q[rows], m)
            sq = self.reduced.rows(self.X, Q[rows], idx)
            at_k = np.abs(sq - sq_k[rows, None]) <= tol[rows, None]
            v = votes[idx]
            lo = np.where(at_k, v, np.inf).min(axis=1)
            hi = np.where(at_k, v, -np.inf).max(axis=1)
            mixed[rows] = lo != hi
            reached = (sq.max(axis=1) > sq_k[rows] + tol[rows]) | (m == n)
            rows = rows[~reached & ~mixed[rows]]
        return mixed


def _drop_self(dist: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove each training point from its own neighbour list (k + 1 → k columns): the
    point itself if listed, else the first column (scikit-learn's rule)."""
    n, k1 = idx.shape
    is_self = idx == np.arange(n)[:, None]
    is_self[~is_self.any(axis=1), 0] = True  # duplicates fill the list: drop the first
    keep = ~is_self
    return dist[keep].reshape(n, k1 - 1), idx[keep].reshape(n, k1 - 1)
