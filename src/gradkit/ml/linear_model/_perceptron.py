"""Rosenblatt's perceptron learning rule (NN-PERCEPTRON), as scikit-learn's Perceptron."""

from __future__ import annotations

from ._stochastic_gradient import SGDClassifier


class Perceptron(SGDClassifier):
    """Single-layer perceptron trained with the perceptron rule (NN-PERCEPTRON).

    Output h(x) = sign(wᵀx + b). Start from w = 0, b = 0 (the threshold is −b); visit the
    samples in a shuffled order and on every mistake (y_i (wᵀx_i + b) ≤ 0, y_i ∈ {−1, +1})
    update w ← w + η y_i x_i, b ← b + η y_i. On linearly separable data the mistakes
    stop after finitely many updates (Novikoff's theorem). K > 2 classes: one
    perceptron per class (one-vs-rest).

    This is scikit-learn's Perceptron: :class:`SGDClassifier` with the perceptron
    criterion ℓ = max(0, −y p), a constant learning rate η = ``eta0`` and, by default, no
    penalty; it stops once ``n_iter_no_change`` epochs in a row fail to lower the mean
    criterion by ``tol`` (so a separated training set ends ``n_iter_no_change`` epochs
    after its last mistake), or after ``max_iter`` epochs (``tol=None``: always
    ``max_iter``). Same ``random_state`` (default 0, as scikit-learn), same fit.

    Parameters
    ----------
    penalty, alpha, l1_ratio, fit_intercept, max_iter, tol, shuffle, verbose, eta0,
    n_jobs, random_state, early_stopping, validation_fraction, n_iter_no_change,
    class_weight, warm_start : as :class:`SGDClassifier`.

    Attributes
    ----------
    classes_, coef_ (1 or K, d), intercept_ (1 or K,), n_iter_ (epochs, the most over
    the one-vs-rest perceptrons), t_.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> Perceptron().fit(X, [0, 0, 0, 1]).predict(X)  # AND is linearly separable
    array([0, 0, 0, 1])
    """

    loss = "perceptron"
    learning_rate = "constant"
    epsilon = 0.1
    power_t = 0.5
    average = False

    def __init__(
        self,
        *,
        penalty: str | None = None,
        alpha: float = 0.0001,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        verbose: int = 0,
        eta0: float = 1.0,
        n_jobs=None,
        random_state=0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        class_weight=None,
        warm_start: bool = False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
