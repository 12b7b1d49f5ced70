"""Collaborative filtering with a restricted Boltzmann machine (concept APP:
recommendation; Salakhutdinov, Mnih & Hinton 2007, binary-rating version).

Each user is one visible vector over the items: v_i = 1 (liked), 0 (disliked), or
missing. Missing items have no visible unit for that user, so they take no part in the
energy: the hidden activations use the observed items only, and the CD statistics
⟨v_i h_j⟩ are counted only where v_i is observed. A user's predicted liking of an
unseen item i is p(v_i = 1 | h), h = p(h | v_observed).
"""

from __future__ import annotations

import numpy as np

from gradkit.ml.base import BaseEstimator, check_is_fitted, check_random_state
from gradkit.models.rbm import _bernoulli, _sigmoid


class RBMRecommender(BaseEstimator):
    """Bernoulli RBM over items, trained by CD-k on users' observed ratings only.

    Parameters
    ----------
    n_components : int
        Hidden units (latent tastes).
    learning_rate : float
    batch_size : int
    n_iter : int
        Epochs.
    k : int
        Gibbs steps of contrastive divergence.
    random_state : None, int or Generator

    Attributes
    ----------
    components_ : ndarray, shape (H, n_items)
    intercept_hidden_ : ndarray, shape (H,)
    intercept_visible_ : ndarray, shape (n_items,)

    Examples
    --------
    >>> R = np.array([[1, 1, 0, np.nan], [1, np.nan, 0, 0], [0, 0, 1, 1]])
    >>> rec = RBMRecommender(n_components=2, n_iter=50, random_state=0).fit(R)
    >>> rec.predict_proba(R).shape
    (3, 4)
    """

    def __init__(
        self,
        n_components: int = 10,
        learning_rate: float = 0.1,
        batch_size: int = 10,
        n_iter: int = 100,
        k: int = 1,
        random_state=None,
    ) -> None:
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.random_state = random_state

    @staticmethod
    def _split(R) -> tuple[np.ndarray, np.ndarray]:
        R = np.asarray(R, dtype=np.float64)
        if R.ndim != 2:
            raise ValueError(f"ratings must be a 2-D users × items matrix, got shape {R.shape}")
        observed = ~np.isnan(R)
        values = np.where(observed, R, 0.0)
        if not np.isin(values, (0.0, 1.0)).all():
            raise ValueError("ratings must be 1 (liked), 0 (disliked) or NaN (missing)")
        return values, observed.astype(np.float64)

    def _hidden(self, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return _sigmoid((v * mask) @ self.components_.T + self.intercept_hidden_)

    def _visible(self, h: np.ndarray) -> np.ndarray:
        return _sigmoid(h @ self.components_ + self.intercept_visible_)

    def fit(self, R, y=None) -> RBMRecommender:
        """Train on a users × items matrix with 1, 0 and NaN (missing); returns self."""
        v_all, m_all = self._split(R)
        rng = check_random_state(self.random_state)
        n_users, n_items = v_all.shape
        self.components_ = 0.01 * rng.standard_normal((self.n_components, n_items))
        self.intercept_hidden_ = np.zeros(self.n_components)
        counts = np.maximum(m_all.sum(axis=0), 1)
        p = np.clip(v_all.sum(axis=0) / counts, 0.01, 0.99)
        self.intercept_visible_ = np.log(p / (1 - p))
        for _ in range(self.n_iter):
            order = rng.permutation(n_users)
            for start in range(0, n_users, self.batch_size):
                idx = order[start : start + self.batch_size]
                v0, mask = v_all[idx], m_all[idx]
                h0 = self._hidden(v0, mask)
                h = _bernoulli(h0, rng)
                for _step in range(self.k):
                    vk = _bernoulli(self._visible(h), rng) * mask
                    hk = self._hidden(vk, mask)
                    h = _bernoulli(hk, rng)
                lr = self.learning_rate / len(idx)
                self.components_ += lr * (h0.T @ v0 - hk.T @ vk)
                self.intercept_hidden_ += lr * (h0 - hk).sum(axis=0)
                seen = np.maximum(mask.sum(axis=0), 1)
                self.intercept_visible_ += self.learning_rate * (v0 - vk).sum(axis=0) / seen
        return self

    def predict_proba(self, R) -> np.ndarray:
        """p(v_i = 1 | h(v_observed)) for every user and item, shape (users, items)."""
        check_is_fitted(self)
        v, mask = self._split(R)
        return self._visible(self._hidden(v, mask))

    def recommend(self, R, n: int = 3) -> np.ndarray:
        """Indices of the ``n`` unseen items with the highest predicted liking per user."""
        proba = self.predict_proba(R)
        proba[~np.isnan(np.asarray(R, dtype=np.float64))] = -np.inf
        return np.argsort(-proba, axis=1)[:, :n]


def make_taste_ratings(
    n_users: int = 60,
    n_items: int = 12,
    n_tastes: int = 2,
    noise: float = 0.1,
    missing: float = 0.3,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray]:
    """A small like/dislike matrix with a known structure: items fall into ``n_tastes``
    genres, each user likes exactly one genre, each rating is flipped with probability
    ``noise`` and hidden (NaN) with probability ``missing``.

    Returns
    -------
    R : ndarray, shape (n_users, n_items)
        1, 0 or NaN.
    full : ndarray, shape (n_users, n_items)
        The complete ratings before hiding (the ground truth for held-out entries).
    """
    rng = check_random_state(random_state)
    genre = np.arange(n_items) % n_tastes
    taste = rng.integers(0, n_tastes, n_users)
    full = (genre[None, :] == taste[:, None]).astype(np.float64)
    flips = rng.random(full.shape) < noise
    full = np.where(flips, 1 - full, full)
    R = np.where(rng.random(full.shape) < missing, np.nan, full)
    return R, full
