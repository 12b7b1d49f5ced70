"""Rosenblatt's perceptron learning rule (NN-PERCEPTRON)."""

from __future__ import annotations

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    check_n_features,
    check_random_state,
    check_X_y,
    encode_labels,
    require_two_classes,
)
from ._base import LinearClassifierMixin


class Perceptron(LinearClassifierMixin, ClassifierMixin, BaseEstimator):
    """Single-layer perceptron trained with the perceptron rule (NN-PERCEPTRON).

    Output h(x) = sign(wᵀx + b). Start from w = 0, b = 0 (the threshold is −b); visit the
    samples in a shuffled order and on every mistake (y_i (wᵀx_i + b) ≤ 0, y_i ∈ {−1, +1})
    update w ← w + η y_i x_i, b ← b + η y_i; repeat epochs until an epoch makes no
    mistake (the data are separated: guaranteed in finitely many steps when the data
    are linearly separable, by Novikoff's theorem), ``max_iter`` epochs have run, or
    the mistake count has not improved for ``n_iter_no_change`` epochs. K > 2 classes use
    one perceptron per class (one-vs-rest, class k against the rest), as scikit-learn:
    each sees the samples in the same shuffled order every epoch and stops on its own.

    Since w starts at 0, every w is η times the one found with η = 1 and the mistakes do
    not depend on η: the rule runs with η = 1 and the weights are scaled by η at the end.

    Parameters
    ----------
    eta0 : float
        Learning rate η.
    fit_intercept : bool
    max_iter : int
        Maximum number of epochs.
    n_iter_no_change : int or None
        Early stop after this many epochs without fewer mistakes (None: never).
    shuffle : bool
    random_state : int, Generator or None

    Attributes
    ----------
    n_iter_ : int
        Epochs run (the most over the one-vs-rest perceptrons).
    converged_ : bool
        True when the last epoch of every perceptron made no mistake (the training data
        are separated).
    """

    def __init__(
        self,
        *,
        eta0: float = 1.0,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        n_iter_no_change: int | None = 5,
        shuffle: bool = True,
        random_state=None,
    ):
        self.eta0 = eta0
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state

    def fit(self, X, y):
        X, y = check_X_y(X, y)
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        rng = check_random_state(self.random_state)
        positives = np.array([1]) if len(self.classes_) == 2 else np.arange(len(self.classes_))
        targets = np.where(y_enc == positives[:, None], 1.0, -1.0)  # (n_out, n)
        Xa = np.hstack([X, np.ones((len(X), 1))]) if self.fit_intercept else X
        W = np.zeros((len(positives), Xa.shape[1]))
        stops = [_EarlyStop(self.n_iter_no_change) for _ in positives]
        active = list(range(len(positives)))
        for epoch in range(1, self.max_iter + 1):
            if self.shuffle:
                order = rng.permutation(len(X))
                Xs, Ts = Xa[order], targets[:, order]
            else:
                Xs, Ts = Xa, targets
            for k in list(active):
                stops[k].n_iter = epoch
                if stops[k].done(_epoch(W[k], Xs, Ts[k])):
                    active.remove(k)
            if not active:
                break
        W *= self.eta0
        self.n_iter_ = max(stop.n_iter for stop in stops)
        self.converged_ = all(stop.converged for stop in stops)
        self.coef_ = W[:, :-1].copy() if self.fit_intercept else W
        self.intercept_ = W[:, -1].copy() if self.fit_intercept else np.zeros(len(W))
        return self


class _EarlyStop:
    """Stop after an epoch without mistakes, or after ``patience`` epochs in a row whose
    mistake count is not below the best so far (``patience=None``: only the former)."""

    def __init__(self, patience: int | None):
        self.patience, self.best, self.stale = patience, np.inf, 0
        self.n_iter, self.converged = 0, False

    def done(self, mistakes: int) -> bool:
        if mistakes == 0:
            self.converged = True
            return True
        if mistakes < self.best:
            self.best, self.stale = mistakes, 0
        else:
            self.stale += 1
        return self.patience is not None and self.stale >= self.patience


def _epoch(w: np.ndarray, Xs: np.ndarray, t: np.ndarray) -> int:
    """One pass of the perceptron rule (η = 1) over the rows of Xs in order: on a mistake
    t_i wᵀx_i ≤ 0, w ← w + t_i x_i (w updated in place); returns the number of mistakes.

    The margins t_i wᵀx_i of the samples ahead are computed in one matrix-vector product
    with the current w; only up to the first mistake are they still valid, so w is
    updated there and the scan resumes after it. The result is the sequential rule
    exactly, with one product per mistake instead of one per sample. The block of samples
    scanned at once follows the spacing of recent mistakes, so dense mistakes do not pay
    for long blocks.
    """
    n, mistakes, start, size = len(Xs), 0, 0, 64
    while start < n:
        stop = start + size
        margins = np.dot(Xs[start:stop], w)
        margins *= t[start:stop]
        k = int((margins <= 0.0).argmax())
        if margins.item(k) > 0.0:
            start, size = stop, min(2 * size, 512)
            continue
        i = start + k
        if t.item(i) > 0.0:
            w += Xs[i]
        else:
            w -= Xs[i]
        mistakes += 1
        start, size = i + 1, max(32, 2 * (k + 1))
    return mistakes
