"""Kohonen's self-organizing map (concept GEN-SOM).

A grid of R × C units, each with a weight vector w_u in input space. For each training
sample x (one at a time, t = 0 … T − 1):

    u* = argmin_u ‖x − w_u‖                                  (best-matching unit)
    h_u(t) = exp(−‖r_u − r_{u*}‖² / (2 σ(t)²))               (Gaussian neighbourhood)
    w_u ← w_u + η(t) h_u(t) (x − w_u)

with r_u the unit's grid position and η(t), σ(t) decaying. The schedules are those of
the ``minisom`` package so results can be compared with it:

    "asymptotic":  p(t) = p₀ / (1 + 2t/T)          (to a third of p₀)
    "linear":      η(t) = η₀ (1 − t/T),  σ(t) = σ₀ + t (1 − σ₀)/T
    "inverse":     η(t) = η₀ C / (C + t), C = T/100;  σ(t) = σ₀ / (1 + t (σ₀ − 1)/T)
"""

from __future__ import annotations

import numpy as np

from gradkit.ml.base import (
    BaseEstimator,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_option,
    check_random_state,
)

_DECAYS = ("asymptotic", "linear", "inverse")
_INITS = ("random", "sample", "pca")


def _lr_schedule(kind: str, p0: float, t: int, total: int) -> float:
    if kind == "asymptotic":
        return p0 / (1 + t / (total / 2))
    if kind == "linear":
        return p0 * (1 - t / total)
    c = total / 100.0
    return p0 * c / (c + t)


def _sigma_schedule(kind: str, s0: float, t: int, total: int) -> float:
    if kind == "asymptotic":
        return s0 / (1 + t / (total / 2))
    if kind == "linear":
        return s0 + t * (1 - s0) / total
    return s0 / (1 + t * (s0 - 1) / total)


class SelfOrganizingMap(TransformerMixin, BaseEstimator):
    """Self-organizing map with a Gaussian neighbourhood on a rectangular grid (GEN-SOM).

    Parameters
    ----------
    n_rows, n_cols : int
        Map size.
    sigma : float
        Initial neighbourhood radius σ₀ (in grid units).
    learning_rate : float
        Initial learning rate η₀.
    n_iter : int
        Number of single-sample updates T.
    decay, sigma_decay : {"asymptotic", "linear", "inverse"}
        Schedules of η and σ (see the module docstring).
    init : {"random", "sample", "pca"}
        Weights uniform on the unit sphere's surface (minisom's default), randomly
        drawn training rows, or the grid spread over the plane mean ± PC1 ± PC2
        (unit-length principal axes, as minisom's ``pca_weights_init``).
    random_order : bool
        Draw the samples in a random order (a shuffled cycle); otherwise cycle through
        the rows in order.
    random_state : None, int or Generator

    Attributes
    ----------
    weights_ : ndarray, shape (n_rows, n_cols, D)
    quantization_errors_ : list of float
        Quantization error on the training data after every ``len(X)`` updates.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> som = SelfOrganizingMap(2, 2, sigma=0.5, n_iter=200, random_state=0).fit(X)
    >>> som.predict(X).shape
    (4, 2)
    """

    def __init__(
        self,
        n_rows: int = 10,
        n_cols: int = 10,
        sigma: float = 1.0,
        learning_rate: float = 0.5,
        n_iter: int = 1000,
        decay: str = "asymptotic",
        sigma_decay: str = "asymptotic",
        init: str = "random",
        random_order: bool = True,
        random_state=None,
    ) -> None:
        self.n_rows = n_rows
        self.n_cols = n_cols
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.decay = decay
        self.sigma_decay = sigma_decay
        self.init = init
        self.random_order = random_order
        self.random_state = random_state

    # ------------------------------------------------------------------ training
    def _init_weights(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        shape = (self.n_rows, self.n_cols, X.shape[1])
        if self.init == "random":
            w = rng.random(shape) * 2 - 1
            return w / np.linalg.norm(w, axis=-1, keepdims=True)
        if self.init == "sample":
            return X[rng.integers(0, len(X), self.n_rows * self.n_cols)].reshape(shape)
        if X.shape[1] < 2:
            raise ValueError("init='pca' needs at least 2 features.")
        vals, vecs = np.linalg.eigh(np.cov(X, rowvar=False))
        order = np.argsort(vals)[::-1]
        pc1, pc2 = vecs[:, order[0]], vecs[:, order[1]]
        c1 = np.linspace(-1, 1, self.n_rows)[:, None, None]
        c2 = np.linspace(-1, 1, self.n_cols)[None, :, None]
        return X.mean(axis=0) + c1 * pc1 + c2 * pc2

    def fit(self, X, y=None) -> SelfOrganizingMap:
        """Run ``n_iter`` single-sample updates on the rows of X; returns self."""
        check_option("decay", self.decay, _DECAYS)
        check_option("sigma_decay", self.sigma_decay, _DECAYS)
        check_option("init", self.init, _INITS)
        if self.n_rows < 1 or self.n_cols < 1 or self.n_iter < 1 or self.sigma <= 0:
            raise ValueError(
                "n_rows, n_cols and n_iter must be >= 1 and sigma > 0, got "
                f"{self.n_rows}, {self.n_cols}, {self.n_iter}, {self.sigma}"
            )
        X = check_array(X)
        rng = check_random_state(self.random_state)
        self.weights_ = self._init_weights(X, rng)
        self.n_features_in_ = X.shape[1]
        n = len(X)
        order = np.arange(self.n_iter) % n
        if self.random_order:
            rng.shuffle(order)
        rows = np.arange(self.n_rows)[:, None]
        cols = np.arange(self.n_cols)[None, :]
        flat = self.weights_.reshape(-1, X.shape[1])  # a view
        self.quantization_errors_ = []
        for t, i in enumerate(order):
            x = X[i]
            bmu = int(np.argmin(np.linalg.norm(flat - x, axis=1)))
            r, c = divmod(bmu, self.n_cols)
            eta = _lr_schedule(self.decay, self.learning_rate, t, self.n_iter)
            sig = _sigma_schedule(self.sigma_decay, self.sigma, t, self.n_iter)
            d = 2 * sig * sig
            h = np.exp(-((rows - r) ** 2) / d) * np.exp(-((cols - c) ** 2) / d)
            self.weights_ += (eta * h)[:, :, None] * (x - self.weights_)
            if (t + 1) % n == 0:
                self.quantization_errors_.append(self.quantization_error(X))
        return self

    # ------------------------------------------------------------------ use
    def _distances(self, X: np.ndarray) -> np.ndarray:
        """‖x_i − w_u‖ for every row and unit, shape (N, R·C)."""
        W = self.weights_.reshape(-1, self.weights_.shape[-1])
        sq = (X * X).sum(axis=1)[:, None] - 2 * X @ W.T + (W * W).sum(axis=1)[None, :]
        return np.sqrt(np.maximum(sq, 0))

    def _check(self, X) -> np.ndarray:
        check_is_fitted(self, "weights_")
        X = check_array(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features but the map was fitted with {self.n_features_in_}."
            )
        return X

    def predict(self, X) -> np.ndarray:
        """Grid position (row, col) of each sample's best-matching unit, shape (N, 2)."""
        bmu = self._distances(self._check(X)).argmin(axis=1)
        return np.stack(np.divmod(bmu, self.n_cols), axis=1)

    def transform(self, X) -> np.ndarray:
        """Distance of each sample to every unit, shape (N, R·C)."""
        return self._distances(self._check(X))

    def quantize(self, X) -> np.ndarray:
        """Each sample replaced by its best-matching unit's weight vector, shape (N, D)."""
        bmu = self._distances(self._check(X)).argmin(axis=1)
        return self.weights_.reshape(-1, self.weights_.shape[-1])[bmu]

    def quantization_error(self, X) -> float:
        """Mean distance between each sample and its best-matching unit: mean_i ‖x_i − w_{u*}‖."""
        X = self._check(X)
        return float(np.linalg.norm(X - self.quantize(X), axis=1).mean())

    def topographic_error(self, X) -> float:
        """Fraction of samples whose best and second-best units are not grid neighbours
        (8-neighbourhood: grid distance > √2)."""
        X = self._check(X)
        if self.n_rows * self.n_cols == 1:
            raise ValueError("The topographic error is not defined for a 1-by-1 map.")
        best2 = np.argsort(self._distances(X), axis=1)[:, :2]
        r, c = np.divmod(best2, self.n_cols)
        dist = np.hypot(r[:, 0] - r[:, 1], c[:, 0] - c[:, 1])
        return float((dist > 1.42).mean())

    def u_matrix(self, scaling: str = "sum") -> np.ndarray:
        """Unified distance matrix: for each unit, the sum (or mean) of the distances
        from its weight vector to those of its up-to-8 grid neighbours, divided by the
        largest entry (minisom's ``distance_map``). Shape (n_rows, n_cols)."""
        check_is_fitted(self, "weights_")
        check_option("scaling", scaling, ("sum", "mean"))
        W = self.weights_
        R, C = self.n_rows, self.n_cols
        total = np.zeros((R, C))
        count = np.zeros((R, C))
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                if di == dj == 0:
                    continue
                a = W[max(0, -di) : R - max(0, di), max(0, -dj) : C - max(0, dj)]
                b = W[max(0, di) : R + min(0, di), max(0, dj) : C + min(0, dj)]
                d = np.linalg.norm(a - b, axis=-1)
                total[max(0, -di) : R - max(0, di), max(0, -dj) : C - max(0, dj)] += d
                count[max(0, -di) : R - max(0, di), max(0, -dj) : C - max(0, dj)] += 1
        um = total if scaling == "sum" else total / count
        return um / um.max()

    def activation_response(self, X) -> np.ndarray:
        """How many samples each unit wins, shape (n_rows, n_cols)."""
        bmu = self._distances(self._check(X)).argmin(axis=1)
        return np.bincount(bmu, minlength=self.n_rows * self.n_cols).reshape(
            self.n_rows, self.n_cols
        )
