"""AdaBoost with the multi-class SAMME rule (ML-ADABOOST)."""

from __future__ import annotations

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_random_state,
    check_sample_weight,
    check_X_y,
    clone,
    encode_labels,
    require_two_classes,
)
from ..tree import DecisionTreeClassifier, grow_trees, presort


class AdaBoostClassifier(ClassifierMixin, BaseEstimator):
    """Adaptive boosting, SAMME (Zhu et al. 2009) (ML-ADABOOST).

    With K classes and weights w (sum 1), each round m fits a weak learner h_m on w, then

        err_m = Σ_i w_i 1{h_m(x_i) ≠ y_i}
        α_m   = η (log((1 − err_m)/err_m) + log(K − 1))
        w_i  ← w_i exp(α_m 1{h_m(x_i) ≠ y_i}), renormalised,

    so misclassified samples weigh more in the next round. Prediction:
    argmax_k Σ_m α_m 1{h_m(x) = k}. A perfect learner ends the boosting; one no better
    than chance (err ≥ 1 − 1/K) ends it too.

    Parameters
    ----------
    estimator : classifier accepting sample_weight, or None (a depth-1 stump)
    n_estimators : int
    learning_rate : float
        η.
    random_state : int, Generator or None
        Seeds the weak learners.
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators: int = 50,
        learning_rate: float = 1.0,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}.")
        K = len(self.classes_)
        w = check_sample_weight(sample_weight, X)
        w = w / w.sum()
        base = self.estimator
        if base is None:
            base = DecisionTreeClassifier(max_depth=1)
        rng = check_random_state(self.random_state)
        order = None  # a tree learner shares one presorting of X across the rounds
        if type(base) is DecisionTreeClassifier:
            order = presort(X)
        self.estimators_, weights, errors = [], [], []
        for _ in range(self.n_estimators):
            est = clone(base)
            if "random_state" in est.get_params():
                est.set_params(random_state=int(rng.integers(2**31 - 1)))
            if order is None:
                est.fit(X, y_enc, sample_weight=w)
            else:
                est.classes_, est.n_classes_ = np.arange(K), K
                grow_trees(est, X, y_enc[None], w[None], order=order, fitted=[est])
            wrong = est.predict(X) != y_enc
            err = float(w @ wrong)
            if err <= 0:  # a perfect learner: it alone decides
                self.estimators_.append(est)
                weights.append(1.0)
                errors.append(0.0)
                break
            if err >= 1.0 - 1.0 / K:
                if not self.estimators_:
                    raise ValueError(
                        "The first weak learner of AdaBoostClassifier is no better than "
                        "chance; the ensemble cannot be fit. Use a stronger estimator."
                    )
                break
            alpha = self.learning_rate * (np.log((1.0 - err) / err) + np.log(K - 1.0))
            self.estimators_.append(est)
            weights.append(alpha)
            errors.append(err)
            w = w * np.exp(alpha * wrong * (w > 0))
            total = w.sum()
            if not np.isfinite(total) or total <= 0:
                break
            w /= total
        self.estimator_weights_ = np.array(weights)
        self.estimator_errors_ = np.array(errors)
        return self

    def decision_function(self, X) -> np.ndarray:
        """Σ_m α_m c_m(x) / Σ_m α_m, with c = 1 for the voted class and −1/(K − 1) else;
        for two classes the difference between the two columns' halves, shape (n,)."""
        check_is_fitted(self, "estimators_")
        X = check_array(X, accept_sparse="densify")
        check_n_features(self, X, reset=False)
        K = len(self.classes_)
        scores = np.zeros((len(X), K))
        for est, alpha in zip(self.estimators_, self.estimator_weights_, strict=True):
            coded = np.full((len(X), K), -1.0 / (K - 1))
            coded[np.arange(len(X)), est.predict(X)] = 1.0
            scores += alpha * coded
        scores /= self.estimator_weights_.sum()
        if K == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict(self, X) -> np.ndarray:
        d = self.decision_function(X)
        idx = (d > 0).astype(int) if d.ndim == 1 else d.argmax(axis=1)
        return self.classes_[idx]

    def predict_proba(self, X) -> np.ndarray:
        """softmax(decision / (K − 1)), as scikit-learn's SAMME."""
        d = self.decision_function(X)
        K = len(self.classes_)
        if d.ndim == 1:
            d = np.column_stack([-d, d]) / 2.0
        z = d / (K - 1)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True  # accepted and densified (check_array "densify")
        return tags
