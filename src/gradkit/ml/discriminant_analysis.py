"""Gaussian discriminant analysis, a generative classifier fitted by MLE (ML-GDA, ML-BAYES)."""

from __future__ import annotations

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
    require_two_classes,
)


class GaussianDiscriminantAnalysis(ClassifierMixin, BaseEstimator):
    """GDA: y ~ Categorical(φ), x | y = j ~ N(μ_j, Σ) with one shared Σ (ML-GDA, O-MLE).

    Maximum-likelihood estimates (closed form, weights s_i = 1 by default):

        φ_j = Σ_i s_i 1{y_i = j} / Σ_i s_i
        μ_j = Σ_i s_i 1{y_i = j} x_i / Σ_i s_i 1{y_i = j}
        Σ   = Σ_i s_i (x_i − μ_{y_i})(x_i − μ_{y_i})ᵀ / Σ_i s_i

    Prediction by Bayes' rule, P(y=j|x) ∝ φ_j N(x; μ_j, Σ); the shared Σ makes the
    log-odds linear in x: log P(y=j|x) = xᵀΣ⁻¹μ_j − ½μ_jᵀΣ⁻¹μ_j + log φ_j + const.
    A singular Σ (e.g. duplicated features) is inverted with the pseudo-inverse.

    Attributes
    ----------
    classes_ : ndarray (K,)
    priors_ : ndarray (K,)
        φ.
    means_ : ndarray (K, n_features)
        μ_j.
    covariance_ : ndarray (n_features, n_features)
        Σ.
    """

    def __init__(self):
        pass

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y)
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        s = check_sample_weight(sample_weight, X)
        onehot = one_hot(y_enc, len(self.classes_), s)
        counts = onehot.sum(axis=0)
        if (counts <= 0).any():
            empty = self.classes_[counts <= 0]
            raise ValueError(
                f"Every class needs positive total sample weight to estimate its mean; "
                f"class(es) {empty.tolist()} have none."
            )
        self.priors_ = counts / counts.sum()
        self.means_ = (onehot.T @ X) / counts[:, None]
        centred = X - self.means_[y_enc]
        self.covariance_ = (centred.T * s) @ centred / s.sum()
        precision = np.linalg.pinv(self.covariance_, hermitian=True)
        self.coef_ = self.means_ @ precision
        self.intercept_ = -0.5 * np.einsum("kd,kd->k", self.coef_, self.means_) + np.log(
            self.priors_
        )
        return self

    def _joint_log_likelihood(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        return X @ self.coef_.T + self.intercept_

    def decision_function(self, X) -> np.ndarray:
        """log φ_j N(x; μ_j, Σ) up to a constant; binary: the log-odds of ``classes_[1]``."""
        jll = self._joint_log_likelihood(X)
        return jll[:, 1] - jll[:, 0] if jll.shape[1] == 2 else jll

    def predict(self, X) -> np.ndarray:
        scores = self._joint_log_likelihood(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]

    def predict_log_proba(self, X) -> np.ndarray:
        jll = self._joint_log_likelihood(X)
        from scipy.special import logsumexp

        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X) -> np.ndarray:
        """P(y=j|x) by Bayes' rule."""
        return np.exp(self.predict_log_proba(X))
