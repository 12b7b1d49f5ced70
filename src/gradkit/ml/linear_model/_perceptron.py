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
    one perceptron per class (one-vs-rest), updated together.

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
        Epochs run.
    converged_ : bool
        True when the last epoch made no mistake (the training data are separated).
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
        n_out = 1 if len(self.classes_) == 2 else len(self.classes_)
        targets = np.where(
            (y_enc[:, None] == (np.array([1]) if n_out == 1 else np.arange(n_out))), 1.0, -1.0
        )
        Xa = np.hstack([X, np.ones((len(X), 1))]) if self.fit_intercept else X
        W = np.zeros((n_out, Xa.shape[1]))
        best, stale = np.inf, 0
        self.converged_ = False
        self.n_iter_ = self.max_iter
        for epoch in range(1, self.max_iter + 1):
            order = rng.permutation(len(X)) if self.shuffle else np.arange(len(X))
            mistakes = _epoch(W, Xa[order], targets[order], self.eta0)
            if mistakes == 0:
                self.converged_ = True
                self.n_iter_ = epoch
                break
            if mistakes < best:
                best, stale = mistakes, 0
            else:
                stale += 1
            if self.n_iter_no_change is not None and stale >= self.n_iter_no_change:
                self.n_iter_ = epoch
                break
        self.coef_ = W[:, :-1].copy() if self.fit_intercept else W
        self.intercept_ = W[:, -1].copy() if self.fit_intercept else np.zeros(n_out)
        return self


def _epoch(W: np.ndarray, Xs: np.ndarray, T: np.ndarray, eta: float) -> int:
    """One pass of the perceptron rule over the rows of Xs in order; returns the mistakes.

    The margins t_i (W x_i) of the samples ahead are computed in one matmul with the
    current W; only up to the first mistake are they still valid, so W is updated there
    and the scan resumes after it. The result is the sequential rule exactly, with one
    matmul per mistake instead of one per sample. The block of samples scanned at once
    follows the spacing of recent mistakes, so dense mistakes do not pay for long blocks.
    """
    n, mistakes, start, size = len(Xs), 0, 0, 16
    while start < n:
        stop = min(n, start + size)
        margins = Xs[start:stop] @ W.T
        margins *= T[start:stop]
        wrong = np.minimum.reduce(margins, axis=1) <= 0.0
        k = int(wrong.argmax())
        if not wrong[k]:
            start = stop
            size = min(2 * size, 256)
            continue
        i = start + k
        # (η t_ik on the rows that erred, 0 elsewhere) ⊗ x_i: the rows that erred move
        step = T[i] * (margins[k] <= 0.0)
        step *= eta
        W += step[:, None] * Xs[i]
        mistakes += 1
        start = i + 1
        size = max(8, 2 * (k + 1))
    return mistakes
