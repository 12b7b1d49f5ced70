"""Naive Bayes classifiers, P(x|y) = Π_i P(x_i|y), fitted by MLE (ML-NB, ML-BAYES)."""

from __future__ import annotations

import warnings

import numpy as np

from .base import (
    BaseEstimator,
    ClassifierMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_sample_weight,
    check_X_y,
    encode_labels,
    one_hot,
)


def _effective_alpha(estimator) -> float:
    """``alpha``, or 1e-10 when it is smaller and ``force_alpha`` is False (with a
    warning), as scikit-learn."""
    alpha = estimator.alpha
    if not alpha >= 0:
        raise ValueError(f"alpha must be non-negative, got {alpha!r}.")
    if alpha < 1e-10 and not getattr(estimator, "force_alpha", True):
        warnings.warn(
            "alpha too small will result in numeric errors, setting alpha = 1.0e-10. Use "
            "`force_alpha=True` to keep alpha unchanged.",
            UserWarning,
            stacklevel=4,
        )
        return 1e-10
    return float(alpha)


class _BaseNB(ClassifierMixin, BaseEstimator):
    """Shared fit skeleton: weighted per-class statistics, then Bayes' rule to predict."""

    _accepts_sparse = False  # count models take scipy.sparse (e.g. TF-IDF) as is

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse=self._accepts_sparse)
        check_n_features(self, X, reset=True)
        X = self._check_features(X)
        self.classes_, y_enc = encode_labels(y)
        s = check_sample_weight(sample_weight, X)
        resp = one_hot(y_enc, len(self.classes_), s)
        self.class_count_ = resp.sum(axis=0)
        self._fit_likelihood(X, resp)
        self.class_log_prior_ = self._log_prior()
        return self

    def _check_features(self, X):
        return X

    def _log_prior(self) -> np.ndarray:
        priors = getattr(self, "priors", None)
        if priors is None:
            priors = getattr(self, "class_prior", None)
        if priors is not None:
            priors = np.asarray(priors, dtype=np.float64)
            if priors.shape != (len(self.classes_),):
                raise ValueError(
                    f"Number of priors ({priors.size}) must match the number of classes "
                    f"({len(self.classes_)})."
                )
            if (priors < 0).any() or not np.isclose(priors.sum(), 1.0):
                raise ValueError("Priors must be non-negative and sum to 1.")
            return np.log(priors)
        if not getattr(self, "fit_prior", True):
            return np.full(len(self.classes_), -np.log(len(self.classes_)))
        return np.log(self.class_count_ / self.class_count_.sum())

    def _joint_log_likelihood(self, X) -> np.ndarray:
        check_is_fitted(self, "class_count_")
        X = check_array(X, accept_sparse=self._accepts_sparse)
        check_n_features(self, X, reset=False)
        return self._log_likelihood(self._check_features(X)) + self.class_log_prior_

    def predict(self, X) -> np.ndarray:
        """argmax_j log P(y=j) + Σ_i log P(x_i|y=j)."""
        scores = self._joint_log_likelihood(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]

    def predict_log_proba(self, X) -> np.ndarray:
        from scipy.special import logsumexp

        jll = self._joint_log_likelihood(X)
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X) -> np.ndarray:
        """P(y=j|x) = P(x|y=j)P(y=j) / Σ_k P(x|y=k)P(y=k) (Bayes' rule)."""
        return np.exp(self.predict_log_proba(X))


class GaussianNB(_BaseNB):
    """Gaussian naive Bayes: x_i | y=j ~ N(θ_ji, σ²_ji) independently.

    MLE: θ_ji = weighted class mean, σ²_ji = weighted class variance + ε, with
    ε = ``var_smoothing`` · max_i Var(x_i) for numerical stability (as scikit-learn).

    Parameters
    ----------
    priors : array-like (K,) or None
        Fixed class priors (None: the class frequencies).
    var_smoothing : float

    Attributes (scikit-learn's)
    ---------------------------
    theta_, var_ : (K, d) class means and variances; class_prior_ : (K,) P(y = j);
    class_count_ : (K,); epsilon_ : float.
    """

    def __init__(self, *, priors=None, var_smoothing: float = 1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        self.class_prior_ = np.exp(self.class_log_prior_)
        return self

    def _fit_likelihood(self, X, resp):
        counts = self.class_count_[:, None]
        self.theta_ = resp.T @ X / counts
        self.epsilon_ = self.var_smoothing * np.var(X, axis=0).max()
        # σ²_ji = Σ s (x − θ_j)² / Σ s per class (two passes: no cancellation)
        self.var_ = (
            np.stack([resp[:, j] @ (X - self.theta_[j]) ** 2 for j in range(len(self.classes_))])
            / counts
        )
        self.var_ += self.epsilon_

    def _log_likelihood(self, X) -> np.ndarray:
        """Σ_i log N(x_i; θ_ji, σ²_ji) for every class j, shape (n, K)."""
        log_norm = -0.5 * np.log(2.0 * np.pi * self.var_).sum(axis=1)
        inv = 1.0 / self.var_
        quad = (X * X) @ inv.T - 2.0 * X @ (self.theta_ * inv).T + (self.theta_**2 * inv).sum(1)
        return log_norm - 0.5 * quad


class MultinomialNB(_BaseNB):
    """Multinomial naive Bayes for counts (e.g. word counts in spam filtering).

    P(x|y=j) ∝ Π_i θ_ji^{x_i}, θ_ji = (N_ji + α) / (N_j + α n_features) (Laplace / Lidstone
    smoothing with α = ``alpha``), N_ji the weighted count of feature i in class j.

    Parameters
    ----------
    alpha : float
    fit_prior : bool
        False: uniform class prior.
    class_prior : array-like (K,) or None
    """

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        force_alpha: bool = True,
        fit_prior: bool = True,
        class_prior=None,
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    _accepts_sparse = True

    def _check_features(self, X):
        values = X.data if hasattr(X, "nnz") else X
        if (values < 0).any():
            raise ValueError(
                f"Negative values in data passed to {type(self).__name__} (input X); it "
                "models non-negative counts."
            )
        return X

    def _fit_likelihood(self, X, resp):
        alpha = _effective_alpha(self)
        self.feature_count_ = np.asarray(resp.T @ X)
        smoothed = self.feature_count_ + alpha
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))

    def _log_likelihood(self, X) -> np.ndarray:
        return np.asarray(X @ self.feature_log_prob_.T)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        tags.classifier_tags.poor_score = True  # counts model, blobs are not counts
        return tags


class BernoulliNB(_BaseNB):
    """Bernoulli naive Bayes for binary features (word present / absent).

    P(x|y=j) = Π_i p_ji^{x_i} (1 − p_ji)^{1 − x_i}, p_ji = (N_ji + α) / (N_j + 2α).

    Parameters
    ----------
    alpha : float
    binarize : float or None
        Threshold mapping features to {0, 1} (x > threshold); None: already binary.
    fit_prior : bool
    class_prior : array-like (K,) or None
    """

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        force_alpha: bool = True,
        binarize: float | None = 0.0,
        fit_prior: bool = True,
        class_prior=None,
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.binarize = binarize
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    _accepts_sparse = True

    def _check_features(self, X):
        if self.binarize is None:
            return X
        if hasattr(X, "nnz") and self.binarize >= 0:  # stays sparse: zeros map to 0
            X = X.copy()
            X.data = (X.data > self.binarize).astype(np.float64)
            X.eliminate_zeros()
            return X
        if hasattr(X, "nnz"):
            X = X.toarray()
        return (X > self.binarize).astype(np.float64)

    def _fit_likelihood(self, X, resp):
        alpha = _effective_alpha(self)
        self.feature_count_ = np.asarray(resp.T @ X)
        p = (self.feature_count_ + alpha) / (self.class_count_[:, None] + 2 * alpha)
        self.feature_log_prob_ = np.log(p)
        self._log_one_minus = np.log1p(-p)

    def _log_likelihood(self, X) -> np.ndarray:
        weights = (self.feature_log_prob_ - self._log_one_minus).T
        return np.asarray(X @ weights) + self._log_one_minus.sum(1)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        tags.classifier_tags.poor_score = True  # binarised features, as scikit-learn tags it
        return tags


class ComplementNB(MultinomialNB):
    """Complement naive Bayes (Rennie et al. 2003), suited to imbalanced text classes.

    Each class is described by the word counts of all *other* classes:
    θ̃_ji = (N̄_ji + α) / Σ_i (N̄_ji + α) with N̄_ji = Σ_k N_ki − N_ji, and a document
    goes to the class whose complement fits it worst:
    ŷ = argmax_j Σ_i x_i (−ln θ̃_ji) (with ``norm``: weights ln θ̃_ji / Σ_i ln θ̃_ji).
    The class prior enters only when there is a single class, as in scikit-learn.

    Parameters
    ----------
    alpha : float
    force_alpha : bool
    fit_prior : bool
    class_prior : array-like (K,) or None
    norm : bool
        Normalise the weights (the paper's second normalisation).

    Examples
    --------
    >>> X = np.array([[3, 0, 1], [2, 0, 0], [0, 4, 1], [0, 3, 2]])
    >>> ComplementNB().fit(X, ["a", "a", "b", "b"]).predict([[1, 0, 0], [0, 1, 0]]).tolist()
    ['a', 'b']
    """

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        force_alpha: bool = True,
        fit_prior: bool = True,
        class_prior=None,
        norm: bool = False,
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior
        self.norm = norm

    def _fit_likelihood(self, X, resp):
        alpha = _effective_alpha(self)
        self.feature_count_ = np.asarray(resp.T @ X)
        self.feature_all_ = self.feature_count_.sum(axis=0)
        complement = self.feature_all_ + alpha - self.feature_count_
        with np.errstate(divide="ignore"):
            logged = np.log(complement / complement.sum(axis=1, keepdims=True))
        if self.norm:
            self.feature_log_prob_ = logged / logged.sum(axis=1, keepdims=True)
        else:
            self.feature_log_prob_ = -logged

    def _joint_log_likelihood(self, X) -> np.ndarray:
        check_is_fitted(self, "class_count_")
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=False)
        jll = np.asarray(self._check_features(X) @ self.feature_log_prob_.T)
        if len(self.classes_) == 1:
            jll = jll + self.class_log_prior_
        return jll
