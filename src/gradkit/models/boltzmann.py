"""General Boltzmann machine with hidden units (concept GEN-BM).

A stochastic Hopfield network: n binary units s ∈ {0, 1}ⁿ, the first D visible and the
rest hidden, with symmetric weights W (Wᵢᵢ = 0) and biases b. Energy and distribution:

    E(s) = −½ sᵀ W s − bᵀ s,        p(s) = e^{−E(s)/T} / Z     (T = 1 when learning)

Unit i is on with probability σ((Σ_j W_ij s_j + b_i) / T) given the others. The
log-likelihood of the visible data has the gradient (Ackley, Hinton & Sejnowski 1985)

    ∂⟨log p(v)⟩_data / ∂W_ij = ⟨s_i s_j⟩_clamped − ⟨s_i s_j⟩_free
    ∂⟨log p(v)⟩_data / ∂b_i  = ⟨s_i⟩_clamped − ⟨s_i⟩_free

where "clamped" averages over p(h | v) with v from the data and "free" over p(s).
``method="exact"`` computes both by enumerating all 2ⁿ states (tiny models);
``method="gibbs"`` estimates them by Gibbs sampling after simulated annealing, lowering
T geometrically from ``t_start`` to 1 so the chains escape local energy minima.
"""

from __future__ import annotations

import itertools

import numpy as np

from gradkit.ml.base import BaseEstimator, check_array, check_is_fitted, check_option
from gradkit.ml.base import check_random_state as _check_rng

_MAX_EXACT_UNITS = 20


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def all_states(n: int) -> np.ndarray:
    """Every binary vector of length n, shape (2ⁿ, n), in binary counting order
    (the first unit is the most significant bit)."""
    return np.array(list(itertools.product((0.0, 1.0), repeat=n)))


def _logsumexp(a: np.ndarray, axis=None) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))
    return out.squeeze() if axis is None else np.squeeze(out, axis=axis)


class BoltzmannMachine(BaseEstimator):
    """Fully connected Boltzmann machine with visible and hidden units (GEN-BM).

    Parameters
    ----------
    n_hidden : int
        Number of hidden units (0 gives a fully visible Boltzmann machine).
    method : {"exact", "gibbs"}
        How the clamped and free statistics are computed: exact enumeration of all
        states (at most 20 units) or Gibbs sampling with simulated annealing.
    learning_rate : float
        Step of full-batch gradient ascent on the mean log-likelihood.
    n_iter : int
        Number of gradient steps.
    n_chains : int
        Free-phase Gibbs chains (``method="gibbs"``).
    n_sweeps : int
        Gibbs sweeps at T = 1 whose states are averaged, per phase.
    anneal_sweeps : int
        Sweeps of simulated annealing before that, T going from ``t_start`` to 1.
    t_start : float
        Starting temperature of the annealing schedule.
    init_std : float
        Standard deviation of the initial weights (large enough to break the symmetry
        between hidden units and leave the saddle where they are unused).
    random_state : None, int or Generator

    Attributes
    ----------
    weights_ : ndarray, shape (n, n)
        Symmetric, zero diagonal; n = D + n_hidden.
    bias_ : ndarray, shape (n,)
    history_ : dict
        ``"kl"``: KL(data ‖ model) over the visible units after each step (computed
        exactly whenever n ≤ 20).

    Examples
    --------
    >>> X = np.array([[1, 1, 0], [0, 1, 1], [1, 1, 0]])
    >>> bm = BoltzmannMachine(n_hidden=1, n_iter=50, random_state=0).fit(X)
    >>> bm.history_["kl"][-1] < bm.history_["kl"][0]
    True
    """

    def __init__(
        self,
        n_hidden: int = 2,
        method: str = "exact",
        learning_rate: float = 0.5,
        n_iter: int = 200,
        n_chains: int = 100,
        n_sweeps: int = 20,
        anneal_sweeps: int = 10,
        t_start: float = 10.0,
        init_std: float = 0.5,
        random_state=None,
    ) -> None:
        self.n_hidden = n_hidden
        self.method = method
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.n_chains = n_chains
        self.n_sweeps = n_sweeps
        self.anneal_sweeps = anneal_sweeps
        self.t_start = t_start
        self.init_std = init_std
        self.random_state = random_state

    # ------------------------------------------------------------------ energy
    def energy(self, S) -> np.ndarray:
        """E(s) = −½ sᵀWs − bᵀs for each row of S (all n units), shape (N,)."""
        check_is_fitted(self, "weights_")
        S = np.asarray(S, dtype=np.float64)
        return -0.5 * np.einsum("ni,ij,nj->n", S, self.weights_, S, optimize=True) - S @ self.bias_

    def visible_log_probs(self) -> np.ndarray:
        """Exact log p(v) for all 2^D visible vectors (in :func:`all_states` order),
        marginalizing the hidden units by enumeration."""
        check_is_fitted(self, "weights_")
        n = len(self.bias_)
        if n > _MAX_EXACT_UNITS:
            raise ValueError(f"Exact enumeration needs at most {_MAX_EXACT_UNITS} units, got {n}.")
        neg_e = -self.energy(all_states(n)).reshape(2**self.n_visible_, 2**self.n_hidden)
        log_pv = _logsumexp(neg_e, axis=1)
        return log_pv - _logsumexp(log_pv)

    def kl_divergence(self, X) -> float:
        """KL(p_data ‖ p_model) = Σ_v p_data(v) log(p_data(v) / p_model(v)) over the
        visible units, with p_data the empirical distribution of the rows of X."""
        p_data = self._empirical(self._check_X(X))
        mask = p_data > 0
        log_pm = self.visible_log_probs()
        return float((p_data[mask] * (np.log(p_data[mask]) - log_pm[mask])).sum())

    def log_likelihood(self, X) -> float:
        """Mean exact log p(v) of the rows of X."""
        idx = self._index(self._check_X(X))
        return float(self.visible_log_probs()[idx].mean())

    def _index(self, V: np.ndarray) -> np.ndarray:
        powers = 2 ** np.arange(V.shape[1] - 1, -1, -1)
        return (V @ powers).astype(np.int64)

    def _empirical(self, V: np.ndarray) -> np.ndarray:
        return np.bincount(self._index(V), minlength=2**self.n_visible_) / len(V)

    # ------------------------------------------------------------------ statistics
    def _exact_stats(self, V: np.ndarray):
        """(⟨ssᵀ⟩_clamped, ⟨s⟩_clamped, ⟨ssᵀ⟩_free, ⟨s⟩_free) by enumeration."""
        D, H = self.n_visible_, self.n_hidden
        states = all_states(D + H)
        neg_e = -self.energy(states)
        p_free = np.exp(neg_e - _logsumexp(neg_e))
        # clamped: p(h | v) for each distinct data vector, weighted by its frequency
        neg_e2 = neg_e.reshape(2**D, 2**H)
        p_h_given_v = np.exp(neg_e2 - _logsumexp(neg_e2, axis=1)[:, None])
        p_clamped = (self._empirical(V)[:, None] * p_h_given_v).reshape(-1)
        corr = lambda p: states.T @ (p[:, None] * states)  # noqa: E731
        return corr(p_clamped), p_clamped @ states, corr(p_free), p_free @ states

    def _gibbs(self, S: np.ndarray, free: np.ndarray, rng, n_sweeps: int, temps):
        """Sequential Gibbs sweeps over the units in ``free`` for all chains at once;
        returns the sum of ⟨ssᵀ⟩ and ⟨s⟩ over the ``n_sweeps`` sweeps at T = 1."""
        W, b = self.weights_, self.bias_
        for T in temps:
            for i in free:
                p = _sigmoid((S @ W[i] + b[i]) / T)
                S[:, i] = rng.random(len(S)) < p
        corr = np.zeros_like(W)
        mean = np.zeros_like(b)
        for _ in range(n_sweeps):
            for i in free:
                S[:, i] = rng.random(len(S)) < _sigmoid(S @ W[i] + b[i])
            corr += S.T @ S / len(S)
            mean += S.mean(axis=0)
        return corr / n_sweeps, mean / n_sweeps

    def _temperatures(self) -> np.ndarray:
        if self.anneal_sweeps <= 0:
            return np.zeros(0)
        return np.geomspace(self.t_start, 1.0, self.anneal_sweeps)

    def _sampled_stats(self, V: np.ndarray, rng):
        D, n = self.n_visible_, self.n_visible_ + self.n_hidden
        temps = self._temperatures()
        S = np.concatenate([V, (rng.random((len(V), self.n_hidden)) < 0.5)], axis=1)
        c_corr, c_mean = self._gibbs(S, np.arange(D, n), rng, self.n_sweeps, temps)
        S = (rng.random((self.n_chains, n)) < 0.5).astype(np.float64)
        f_corr, f_mean = self._gibbs(S, np.arange(n), rng, self.n_sweeps, temps)
        return c_corr, c_mean, f_corr, f_mean

    def gradient(self, X):
        """Exact gradient of the mean log-likelihood: (∂/∂W, ∂/∂b), with the
        diagonal of ∂/∂W zero."""
        c_corr, c_mean, f_corr, f_mean = self._exact_stats(self._check_X(X))
        gW = c_corr - f_corr
        np.fill_diagonal(gW, 0)
        return gW, c_mean - f_mean

    # ------------------------------------------------------------------ fit / sample
    def _check_X(self, X) -> np.ndarray:
        X = check_array(X)
        if not np.isin(X, (0, 1)).all():
            raise ValueError("BoltzmannMachine expects binary data (0/1).")
        if hasattr(self, "n_visible_") and X.shape[1] != self.n_visible_:
            raise ValueError(
                f"X has {X.shape[1]} features but the machine has {self.n_visible_} visible units."
            )
        return X

    def fit(self, X, y=None) -> BoltzmannMachine:
        """Full-batch gradient ascent on the log-likelihood of the binary rows of X."""
        check_option("method", self.method, ("exact", "gibbs"))
        for name in ("n_visible_", "weights_"):
            self.__dict__.pop(name, None)
        X = self._check_X(X)
        rng = _check_rng(self.random_state)
        self.n_visible_ = X.shape[1]
        n = self.n_visible_ + self.n_hidden
        if self.method == "exact" and n > _MAX_EXACT_UNITS:
            raise ValueError(
                f"method='exact' enumerates 2^{n} states; use method='gibbs' for more than "
                f"{_MAX_EXACT_UNITS} units."
            )
        W = self.init_std * rng.standard_normal((n, n))
        self.weights_ = np.triu(W, 1) + np.triu(W, 1).T
        self.bias_ = np.zeros(n)
        exact_kl = n <= _MAX_EXACT_UNITS
        self.history_ = {"kl": [self.kl_divergence(X)] if exact_kl else []}
        for _ in range(self.n_iter):
            if self.method == "exact":
                stats = self._exact_stats(X)
            else:
                stats = self._sampled_stats(X, rng)
            c_corr, c_mean, f_corr, f_mean = stats
            gW = c_corr - f_corr
            np.fill_diagonal(gW, 0)
            self.weights_ += self.learning_rate * gW
            self.bias_ += self.learning_rate * (c_mean - f_mean)
            if exact_kl:
                self.history_["kl"].append(self.kl_divergence(X))
        return self

    def sample(self, n_samples: int, n_sweeps: int = 100, random_state=None) -> np.ndarray:
        """Visible samples after simulated annealing and ``n_sweeps`` Gibbs sweeps at
        T = 1 from random states, shape (n_samples, D)."""
        check_is_fitted(self, "weights_")
        rng = _check_rng(random_state)
        n = len(self.bias_)
        S = (rng.random((n_samples, n)) < 0.5).astype(np.float64)
        self._gibbs(S, np.arange(n), rng, n_sweeps, self._temperatures())
        return S[:, : self.n_visible_]
