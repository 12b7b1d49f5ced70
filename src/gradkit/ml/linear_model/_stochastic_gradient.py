"""Linear models trained by stochastic gradient descent (O-SGD): ``SGDClassifier`` and
``SGDRegressor`` with scikit-learn's parameters, schedules, stopping rule and draws.

The loop itself is :func:`gradkit.ml.linear_model._sgd_fast.plain_sgd`. Randomness
follows scikit-learn: one ``RandomState`` (from ``random_state``) gives the dataset
seed, the validation split and the shuffling seed in scikit-learn's order, and the
epoch order is scikit-learn's xorshift Fisher–Yates, so the same ``random_state`` gives
the same sample order. Two departures, both scikit-learn defects: with
``early_stopping`` the validation score uses the current weights themselves (scikit-learn
1.9 scores the unscaled weight storage) and, for ``loss="log_loss"``, both classes
(scikit-learn compares {0, 1} targets with {−1, 1} predictions).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_classification_targets,
    check_legacy_random_state,
    check_n_features,
    check_option,
    check_sample_weight,
    check_X_y,
    column_or_1d,
)
from ..exceptions import ConvergenceWarning, UndefinedMetricWarning
from ..utils.class_weight import compute_class_weight
from ..utils.metaestimators import available_if
from . import _sgd_fast as fast
from ._base import LinearClassifierMixin, LinearPredictorMixin

_MAX_INT = np.iinfo(np.int32).max
_SPARSE_INTERCEPT_DECAY = 0.01  # scikit-learn damps the intercept's steps on sparse X

_CLASSIFIER_LOSSES = (
    "hinge",
    "log_loss",
    "modified_huber",
    "squared_hinge",
    "perceptron",
    "squared_error",
    "huber",
    "epsilon_insensitive",
    "squared_epsilon_insensitive",
)
_REGRESSOR_LOSSES = ("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive")


def _loss_function(name: str, epsilon: float):
    return {
        "hinge": lambda: fast.Hinge(1.0),
        "perceptron": lambda: fast.Hinge(0.0),
        "squared_hinge": lambda: fast.SquaredHinge(1.0),
        "log_loss": fast.HalfBinomial,
        "modified_huber": fast.ModifiedHuber,
        "squared_error": fast.HalfSquaredError,
        "huber": lambda: fast.Huber(epsilon),
        "epsilon_insensitive": lambda: fast.EpsilonInsensitive(epsilon),
        "squared_epsilon_insensitive": lambda: fast.SquaredEpsilonInsensitive(epsilon),
    }[name]()


class _BaseSGD(BaseEstimator):
    """Parameters, checks and the per-problem driver shared by the two estimators."""

    _losses: tuple = ()
    _accepts_sparse = True

    def _check_params(self, for_partial_fit: bool = False) -> None:
        check_option("loss", self.loss, self._losses)
        check_option("penalty", self.penalty, ("l2", "l1", "elasticnet", None))
        check_option("learning_rate", self.learning_rate, tuple(fast.SCHEDULES))
        for name in ("alpha", "epsilon", "power_t"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and value >= 0):
                raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
        if not (isinstance(self.eta0, numbers.Real) and self.eta0 > 0):
            raise ValueError(f"eta0 must be > 0, got {self.eta0!r}.")
        if self.l1_ratio is not None and not 0.0 <= self.l1_ratio <= 1.0:
            raise ValueError(f"l1_ratio must be in [0, 1], got {self.l1_ratio!r}.")
        if not (isinstance(self.max_iter, numbers.Integral) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be an int >= 1, got {self.max_iter!r}.")
        if self.tol is not None and not self.tol >= 0:
            raise ValueError(f"tol must be >= 0 or None, got {self.tol!r}.")
        if not (isinstance(self.n_iter_no_change, numbers.Integral) and self.n_iter_no_change >= 1):
            raise ValueError(
                f"n_iter_no_change must be an int >= 1, got {self.n_iter_no_change!r}."
            )
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(
                f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}."
            )
        if not (
            self.average is True
            or self.average is False
            or (isinstance(self.average, numbers.Integral) and self.average > 0)
        ):
            raise ValueError(f"average must be a bool or an int > 0, got {self.average!r}.")
        if self.early_stopping and for_partial_fit:
            raise ValueError("early_stopping should be False with partial_fit")
        if self.learning_rate == "optimal" and self.alpha == 0:
            raise ValueError(
                "alpha must be > 0 since learning_rate is 'optimal'. alpha is used to "
                "compute the optimal learning rate."
            )
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError("l1_ratio must be set when penalty is 'elasticnet'")

    def _validation_mask(self, y, sample_weight, stratify: bool) -> np.ndarray:
        """True on the held-out validation fraction (early stopping), else all False."""
        mask = np.zeros(len(y), dtype=bool)
        if not self.early_stopping:
            return mask
        from ..model_selection import ShuffleSplit, StratifiedShuffleSplit

        cls = StratifiedShuffleSplit if stratify else ShuffleSplit
        cv = cls(test_size=self.validation_fraction, random_state=self.random_state)
        train, val = next(cv.split(np.zeros((len(y), 1)), y))
        if not np.any(sample_weight[val] > 0):
            raise ValueError(
                "The sample weights for validation set are all zero, consider using a "
                "different random state."
            )
        if len(train) == 0 or len(val) == 0:
            raise ValueError(
                f"Splitting {len(y)} samples into a train set and a validation set with "
                f"validation_fraction={self.validation_fraction!r} led to an empty set; "
                "change validation_fraction, use more samples or disable early_stopping."
            )
        mask[val] = True
        return mask

    def _run(
        self,
        X,
        y,
        sample_weight,
        coef,
        intercept,
        avg,
        seed,
        mask,
        score_cb,
        w_pos,
        w_neg,
        max_iter,
    ):
        """One binary (or regression) problem with shuffling seed ``seed``.
        ``avg`` = (average coef, average intercept) or None."""
        loss = _loss_function(self.loss, self.epsilon)
        tol = -np.inf if self.tol is None else self.tol
        aw, ab = (None, 0.0) if avg is None else avg
        return fast.plain_sgd(
            coef,
            float(intercept),
            aw,
            float(ab),
            loss,
            fast.PENALTIES[self.penalty],
            float(self.alpha),
            0.0 if self.l1_ratio is None else float(self.l1_ratio),
            X,
            y,
            sample_weight,
            mask,
            score_cb,
            int(self.n_iter_no_change),
            int(max_iter),
            tol,
            bool(self.fit_intercept),
            bool(self.shuffle),
            int(seed),
            float(w_pos),
            float(w_neg),
            fast.SCHEDULES[self.learning_rate],
            float(self.eta0),
            float(self.power_t),
            float(self.t_),
            _SPARSE_INTERCEPT_DECAY if hasattr(X, "indptr") else 1.0,
            int(self.average),
        )

    def _check_X_fit(self, X, y, reset: bool):
        X, y = check_X_y(X, y, accept_sparse=True)
        if hasattr(X, "indptr"):
            X = X.tocsr()
            X.sort_indices() if not X.has_sorted_indices else None
        else:
            X = np.ascontiguousarray(X)
        check_n_features(self, X, reset=reset)
        return X, y

    def _warn_max_iter(self) -> None:
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                "Maximum number of iteration reached before convergence. Consider "
                "increasing max_iter to improve the fit.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags


_SGD_DOC = """
    Parameters (scikit-learn's, with its defaults)
    ----------
    loss : str
    penalty : {"l2", "l1", "elasticnet", None}
        R(w) = ½‖w‖² (l2), ‖w‖₁ (l1), or ρ‖w‖₁ + ½(1 − ρ)‖w‖² (elasticnet, ρ = l1_ratio).
    alpha : float
        Penalty strength; also sets the "optimal" schedule.
    l1_ratio : float
    fit_intercept : bool
    max_iter : int
        Epochs at most.
    tol : float or None
        Stop after ``n_iter_no_change`` epochs whose training loss Σℓ is not below the
        best so far minus tol·n (or validation score not above best + tol with
        ``early_stopping``); None: run ``max_iter`` epochs.
    shuffle : bool
    verbose : int
    epsilon : float
        Width of huber / epsilon-insensitive losses.
    random_state : int, RandomState, Generator or None
    learning_rate : {"optimal", "constant", "invscaling", "adaptive"}
    eta0, power_t : float
    early_stopping : bool
        Hold out ``validation_fraction`` of the data (stratified for classifiers) and
        stop on its score.
    validation_fraction : float
    n_iter_no_change : int
    warm_start : bool
    average : bool or int
        Averaged SGD: ``coef_`` is the running mean of the iterates, started after
        ``average`` updates (True: 1).
"""


class SGDClassifier(LinearClassifierMixin, ClassifierMixin, _BaseSGD):
    (
        """Linear classifier trained by SGD on a regularised loss (O-SGD, ML-SVM, ML-LOGREG).

    Minimises (1/n) Σ_i s_i c_{y_i} ℓ(y_i, wᵀx_i + b) + α R(w), one sample per step.
    ``loss``: "hinge" (linear SVM, the default), "log_loss" (logistic regression,
    ``predict_proba``), "modified_huber" (``predict_proba``), "squared_hinge",
    "perceptron", or a regression loss on ±1 targets. K > 2 classes: one-vs-rest, each
    binary problem with its own seed, ``coef_`` (K, d).
    """
        + _SGD_DOC
        + """    class_weight : dict, "balanced" or None
    n_jobs : int or None
        Accepted for scikit-learn compatibility; the problems run one after another.

    Attributes
    ----------
    classes_, coef_ (1 or K, d), intercept_ (1 or K,), n_iter_ (epochs, the most over
    the one-vs-rest problems), t_ (updates + 1).

    Examples
    --------
    >>> X = np.array([[-2.0, -1.0], [-1.0, -1.0], [1.0, 1.0], [2.0, 1.0]])
    >>> SGDClassifier(random_state=0).fit(X, [0, 0, 1, 1]).predict([[1.5, 0.5]])
    array([1])
    """
    )

    _losses = _CLASSIFIER_LOSSES
    _accepts_sparse = True

    def __init__(
        self,
        loss: str = "hinge",
        *,
        penalty: str | None = "l2",
        alpha: float = 0.0001,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        verbose: int = 0,
        epsilon: float = 0.1,
        n_jobs=None,
        random_state=None,
        learning_rate: str = "optimal",
        eta0: float = 0.01,
        power_t: float = 0.5,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        class_weight=None,
        warm_start: bool = False,
        average=False,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.average = average

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit by ``max_iter`` epochs at most (from zero, or ``coef_init`` /
        ``intercept_init``, or the previous fit with ``warm_start``)."""
        self._check_params()
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = self.coef_ if coef_init is None else coef_init
            intercept_init = self.intercept_ if intercept_init is None else intercept_init
        for name in ("classes_", "coef_", "intercept_", "_avg"):
            self.__dict__.pop(name, None)
        self.t_ = 1.0
        y_arr = column_or_1d(y)
        self._partial_fit(
            X, y, np.unique(y_arr), sample_weight, coef_init, intercept_init, self.max_iter
        )
        self._warn_max_iter()
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y); ``classes`` (all of them) is required on the first call."""
        if not hasattr(self, "classes_"):
            self._check_params(for_partial_fit=True)
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight 'balanced' is not supported for partial_fit; compute the "
                    "weights with compute_class_weight('balanced', classes=classes, y=y) "
                    "on a large sample of the targets and pass them as a dict."
                )
        return self._partial_fit(X, y, classes, sample_weight, None, None, 1)

    def _partial_fit(self, X, y, classes, sample_weight, coef_init, intercept_init, max_iter):
        first = not hasattr(self, "classes_")
        X, y = self._check_X_fit(X, y, reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self.classes_ = np.unique(np.asarray(classes))
            if not hasattr(self, "t_"):
                self.t_ = 1.0
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"`classes={np.unique(classes)!r}` is not the same as on last call to "
                f"partial_fit, was: {self.classes_!r}"
            )
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(f"y contains labels {unknown.tolist()} not in classes.")
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got {n_classes} class"
            )
        cw = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        sample_weight = (
            check_sample_weight(sample_weight, X)
            if sample_weight is not None
            else (np.ones(X.shape[0]))
        )
        n_out = 1 if n_classes == 2 else n_classes
        if not hasattr(self, "coef_") or coef_init is not None:
            self._allocate(n_out, X.shape[1], coef_init, intercept_init)
        elif X.shape[1] != self.coef_.shape[-1]:
            raise ValueError(
                f"Number of features {X.shape[1]} does not match previous data "
                f"{self.coef_.shape[-1]}."
            )
        coef, intercept = self._std
        label_encode = self.loss == "log_loss"
        # (row of coef_, positive class, seed, class weights, validation mask)
        if n_classes == 2:
            problems = [(0, 1, self.random_state, cw[1], cw[0], None)]
        else:
            mask = self._validation_mask(y, sample_weight, stratify=True)
            seeds = check_legacy_random_state(self.random_state).randint(_MAX_INT, size=n_classes)
            problems = [(k, k, int(seeds[k]), cw[k], 1.0, mask) for k in range(n_classes)]
        n_iter = 0
        for row, k, seed, w_pos, w_neg, mask in problems:
            y_k = np.where(y == self.classes_[k], 1.0, 0.0 if label_encode else -1.0)
            # scikit-learn's draws: a dataset seed (unused here), the binary problem's
            # validation split, then the shuffling seed
            rng = check_legacy_random_state(seed)
            rng.randint(1, _MAX_INT)
            if mask is None:
                mask = self._validation_mask(y_k, sample_weight, stratify=True)
            shuffle_seed = rng.randint(_MAX_INT)
            score_cb = self._score_callback(X, y_k, sample_weight, mask)
            avg = None if not self.average else (self._avg[0][row], self._avg[1][row])
            w, b, aw, ab, epochs = self._run(
                X,
                y_k,
                sample_weight,
                coef[row],
                intercept[row],
                avg,
                shuffle_seed,
                mask,
                score_cb,
                w_pos,
                w_neg,
                max_iter,
            )
            coef[row], intercept[row] = w, b
            if self.average:
                self._avg[0][row], self._avg[1][row] = aw, ab
            n_iter = max(n_iter, epochs)
        self.t_ += n_iter * X.shape[0]
        self.n_iter_ = n_iter
        self._publish()
        return self

    def _allocate(self, n_out, n_features, coef_init, intercept_init):
        coef = np.zeros((n_out, n_features))
        intercept = np.zeros(n_out)
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=np.float64).reshape(n_out, -1)
            if coef_init.shape != coef.shape:
                raise ValueError("Provided coef_init does not match dataset.")
            coef[:] = coef_init
        if intercept_init is not None:
            intercept_init = np.asarray(intercept_init, dtype=np.float64).reshape(-1)
            if intercept_init.shape != intercept.shape:
                raise ValueError("Provided intercept_init does not match dataset.")
            intercept[:] = intercept_init
        self._std = (coef, intercept)
        if self.average:
            self._avg = (np.zeros_like(coef), np.zeros_like(intercept))
        self.coef_, self.intercept_ = coef, intercept

    def _publish(self) -> None:
        """coef_ / intercept_: the averaged iterate once averaging has started."""
        coef, intercept = self._std
        if self.average and self.average <= self.t_ - 1:
            self.coef_, self.intercept_ = self._avg[0].copy(), self._avg[1].copy()
        else:
            self.coef_, self.intercept_ = coef.copy(), intercept.copy()

    def _score_callback(self, X, y_k, sample_weight, mask):
        """Validation accuracy of the current binary model (early stopping)."""
        if not self.early_stopping:
            return None
        Xv, yv, sv = X[mask], y_k[mask], sample_weight[mask]

        def score(w, b):
            # scikit-learn predicts the binary problem's classes as -1 / +1 whatever the
            # loss, so with log_loss (targets coded 1 / 0) a negative sample never counts
            # as right; the same scores give the same stopping epoch
            pred = np.where(np.asarray(Xv @ w).ravel() + b > 0, 1.0, -1.0)
            return float(np.average(pred == yv, weights=sv))

        return score

    def _check_proba(self) -> bool:
        return self.loss in ("log_loss", "modified_huber")

    @available_if(_check_proba)
    def predict_proba(self, X) -> np.ndarray:
        """log_loss: σ(wᵀx + b) per one-vs-rest problem, normalised over classes;
        modified_huber: (clip(wᵀx + b, −1, 1) + 1)/2, normalised (uniform when all 0).

        Shape: (n, d) → (n, K).
        """
        scores = np.asarray(self.decision_function(X), dtype=np.float64)
        if self.loss == "log_loss":
            from scipy.special import expit

            prob = expit(scores)
            if prob.ndim == 1:
                return np.column_stack([1.0 - prob, prob])
            return prob / prob.sum(axis=1, keepdims=True)
        prob = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
        if prob.ndim == 1:
            return np.column_stack([1.0 - prob, prob])
        total = prob.sum(axis=1)
        zero = total == 0
        prob[zero] = 1.0
        total[zero] = len(self.classes_)
        return prob / total[:, None]

    @available_if(_check_proba)
    def predict_log_proba(self, X) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class SGDRegressor(LinearPredictorMixin, RegressorMixin, _BaseSGD):
    (
        """Linear regressor trained by SGD on a regularised loss (O-SGD).

    Minimises (1/n) Σ_i s_i ℓ(y_i, wᵀx_i + b) + α R(w) with ``loss`` "squared_error"
    (least squares, the default), "huber", "epsilon_insensitive" (linear SVR) or
    "squared_epsilon_insensitive"; default schedule "invscaling" η = 0.01 / t^0.25.
    """
        + _SGD_DOC
        + """
    Attributes
    ----------
    coef_ (d,), intercept_ (1,), n_iter_, t_.

    Examples
    --------
    >>> X = np.linspace(-1, 1, 50)[:, None]
    >>> reg = SGDRegressor(random_state=0, max_iter=2000, tol=None).fit(X, 3 * X[:, 0] + 1)
    >>> np.round(reg.coef_, 1), np.round(reg.intercept_, 1)
    (array([3.]), array([1.]))
    """
    )

    _losses = _REGRESSOR_LOSSES
    _accepts_sparse = True

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        penalty: str | None = "l2",
        alpha: float = 0.0001,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        verbose: int = 0,
        epsilon: float = 0.1,
        random_state=None,
        learning_rate: str = "invscaling",
        eta0: float = 0.01,
        power_t: float = 0.25,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        warm_start: bool = False,
        average=False,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.average = average

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        self._check_params()
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = self.coef_ if coef_init is None else coef_init
            intercept_init = self.intercept_ if intercept_init is None else intercept_init
        for name in ("coef_", "intercept_", "_avg", "n_features_in_"):
            self.__dict__.pop(name, None)
        self.t_ = 1.0
        self._partial_fit(X, y, sample_weight, coef_init, intercept_init, self.max_iter)
        self._warn_max_iter()
        return self

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current coefficients."""
        if not hasattr(self, "coef_"):
            self._check_params(for_partial_fit=True)
        return self._partial_fit(X, y, sample_weight, None, None, 1)

    def _partial_fit(self, X, y, sample_weight, coef_init, intercept_init, max_iter):
        first = not hasattr(self, "coef_")
        X, y = self._check_X_fit(X, y, reset=first)
        y = y.astype(np.float64)
        sample_weight = (
            check_sample_weight(sample_weight, X)
            if sample_weight is not None
            else (np.ones(X.shape[0]))
        )
        if first or coef_init is not None:
            coef = np.zeros(X.shape[1])
            intercept = np.zeros(1)
            if coef_init is not None:
                coef_init = np.asarray(coef_init, dtype=np.float64).ravel()
                if coef_init.shape != coef.shape:
                    raise ValueError("Provided coef_init does not match dataset.")
                coef[:] = coef_init
            if intercept_init is not None:
                intercept[:] = np.asarray(intercept_init, dtype=np.float64).reshape(-1)[:1]
            self._std = (coef, intercept)
            if self.average:
                self._avg = (np.zeros_like(coef), np.zeros(1))
            if not hasattr(self, "t_"):
                self.t_ = 1.0
        elif X.shape[1] != self.coef_.shape[-1]:
            raise ValueError(
                f"Number of features {X.shape[1]} does not match previous data "
                f"{self.coef_.shape[-1]}."
            )
        coef, intercept = self._std
        mask = self._validation_mask(y, sample_weight, stratify=False)
        score_cb = None
        if self.early_stopping:
            Xv, yv, sv = X[mask], y[mask], sample_weight[mask]
            if len(yv) < 2:
                warnings.warn(
                    f"The validation set holds {len(yv)} sample (validation_fraction="
                    f"{self.validation_fraction!r} of {len(y)}): its R^2 score is not "
                    "well-defined, so early stopping never stops (as in scikit-learn).",
                    UndefinedMetricWarning,
                    stacklevel=3,  # _partial_fit ← fit ← caller (partial_fit: no early stop)
                )

            def score_cb(w, b):
                """Weighted validation R², as scikit-learn's ``r2_score``: NaN (never an
                improvement, never a failure to improve) below two samples; for constant
                targets 1.0 if the fit is exact, else 0.0."""
                if len(yv) < 2:
                    return np.nan
                pred = np.asarray(Xv @ w).ravel() + b
                # elementwise products summed, in r2_score's order: the stopping rule
                # compares scores with tol, so their rounding must match too
                ss_res = float(np.sum(sv * (yv - pred) ** 2))
                ss_tot = float(np.sum(sv * (yv - np.average(yv, weights=sv)) ** 2))
                if ss_tot == 0:
                    return 1.0 if ss_res == 0 else 0.0
                return 1.0 - ss_res / ss_tot

        rng = check_legacy_random_state(self.random_state)
        shuffle_seed = rng.randint(0, _MAX_INT)  # then a dataset seed, unused here
        rng.randint(1, _MAX_INT)
        avg = None if not self.average else (self._avg[0], self._avg[1][0])
        w, b, aw, ab, epochs = self._run(
            X,
            y,
            sample_weight,
            coef,
            intercept[0],
            avg,
            shuffle_seed,
            mask,
            score_cb,
            1.0,
            1.0,
            max_iter,
        )
        coef[:] = w
        intercept[0] = b
        if self.average:
            self._avg[1][0] = ab
        self.t_ += epochs * X.shape[0]
        self.n_iter_ = epochs
        if self.average and self.average <= self.t_ - 1:
            self.coef_, self.intercept_ = self._avg[0].copy(), self._avg[1].copy()
        else:
            self.coef_, self.intercept_ = coef.copy(), intercept.copy()
        return self

    def predict(self, X) -> np.ndarray:
        """ŷ = Xw + b. Shape: (n, d) → (n,)."""
        return self._linear(X)
