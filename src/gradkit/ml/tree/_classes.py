"""Decision tree classifier and regressor (ML-TREE)."""

from __future__ import annotations

import numbers

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_array,
    check_is_fitted,
    check_legacy_random_state,
    check_n_features,
    check_option,
    check_sample_weight,
    check_X_y,
    encode_labels,
)
from ..utils.class_weight import compute_sample_weight
from ._builder import CRITERIA_CLF, CRITERIA_REG, TreeBuilder
from ._exact import ExactBuilder, rand_r_seed


def resolve_max_features(max_features, n_features: int) -> int:
    """None → all, "sqrt" → ⌊√d⌋, "log2" → ⌊log₂ d⌋, int → itself, float → ⌊f·d⌋ (≥ 1).

    An int above d is kept, as scikit-learn keeps it in ``max_features_``: the draws
    then visit every feature, as with d."""
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, numbers.Integral) and not isinstance(max_features, bool):
        if max_features < 1:
            raise ValueError(f"max_features must be >= 1, got {max_features}.")
        return int(max_features)
    if isinstance(max_features, numbers.Real) and 0.0 < max_features <= 1.0:
        return max(1, int(max_features * n_features))
    raise ValueError(
        "max_features must be None, 'sqrt', 'log2', an int >= 1 or a float in (0, 1], "
        f"got {max_features!r}."
    )


def _count_param(name: str, value, n_samples: int, minimum: int) -> int:
    """An int count ≥ ``minimum`` or a float fraction of the samples."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < minimum:
            raise ValueError(
                f"{name} must be an int >= {minimum} or a float in (0, 1], got {value}."
            )
        return int(value)
    if isinstance(value, numbers.Real) and 0.0 < value <= 1.0:
        return max(minimum, int(np.ceil(value * n_samples)))
    raise ValueError(f"{name} must be an int >= {minimum} or a float in (0, 1], got {value!r}.")


_TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "random_state",
)  # the constructor's parameters (reading the signature per tree is slow)


class BaseDecisionTree(BaseEstimator):
    """Shared hyperparameters, fitting and traversal of the two CART estimators."""

    _criteria: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        criterion: str,
        max_depth: int | None = None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf: float = 0.0,
        max_features=None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        random_state=None,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.random_state = random_state

    def _builder(self, n_samples: int, n_features: int, rng=None) -> TreeBuilder:
        """A builder with the validated hyperparameters."""
        check_option("criterion", self.criterion, self._criteria)
        if self.max_depth is not None and (
            not isinstance(self.max_depth, numbers.Integral) or self.max_depth < 1
        ):
            raise ValueError(f"max_depth must be None or an int >= 1, got {self.max_depth!r}.")
        return TreeBuilder(
            self.criterion,
            self.max_depth,
            _count_param("min_samples_split", self.min_samples_split, n_samples, 2),
            _count_param("min_samples_leaf", self.min_samples_leaf, n_samples, 1),
            resolve_max_features(self.max_features, n_features),
            self.min_impurity_decrease,
            rng if rng is not None else self.random_state,
        )

    def _exact_builder(self, n_samples: int, n_features: int, weight) -> ExactBuilder:
        """scikit-learn's builder (depth first, or best first with ``max_leaf_nodes``)
        with the validated hyperparameters; ``weight`` the sample weights."""
        check_option("criterion", self.criterion, self._criteria)
        if self.max_depth is not None and (
            not isinstance(self.max_depth, numbers.Integral) or self.max_depth < 1
        ):
            raise ValueError(f"max_depth must be None or an int >= 1, got {self.max_depth!r}.")
        if self.max_leaf_nodes is not None and (
            not isinstance(self.max_leaf_nodes, numbers.Integral) or self.max_leaf_nodes < 2
        ):
            raise ValueError(
                f"max_leaf_nodes must be None or an int >= 2, got {self.max_leaf_nodes!r}."
            )
        fraction = self.min_weight_fraction_leaf
        if not isinstance(fraction, numbers.Real) or not 0.0 <= fraction <= 0.5:
            raise ValueError(f"min_weight_fraction_leaf must be in [0, 0.5], got {fraction!r}.")
        if self.min_impurity_decrease < 0:
            raise ValueError(
                f"min_impurity_decrease must be >= 0, got {self.min_impurity_decrease!r}."
            )
        return ExactBuilder(
            self.criterion,
            self.max_depth,
            _count_param("min_samples_split", self.min_samples_split, n_samples, 2),
            _count_param("min_samples_leaf", self.min_samples_leaf, n_samples, 1),
            fraction * float(np.sum(weight)),
            resolve_max_features(self.max_features, n_features),
            self.max_leaf_nodes,
            self.min_impurity_decrease,
        )

    def _grow(self, X, targets, weight, order=None, XT=None) -> None:
        """Fit on validated arrays as scikit-learn: ``targets`` (n,) class codes or
        regression targets; ``XT`` = :func:`float32_columns` (X) and ``order`` the
        argsort of each of its rows, when already known."""
        n, d = X.shape
        builder = self._exact_builder(n, d, weight)
        seed = rand_r_seed(check_legacy_random_state(self.random_state))
        if XT is None:
            XT = float32_columns(X)
        n_classes = getattr(self, "n_classes_", None)
        self.tree_ = builder.build(XT, targets, weight, n_classes, seed, order)
        self.max_features_ = builder.max_features

    def _validate_X_predict(self, X) -> np.ndarray:
        check_is_fitted(self, "tree_")
        X = check_array(X, accept_sparse="densify")
        check_n_features(self, X, reset=False)
        return X

    def apply(self, X) -> np.ndarray:
        """Leaf index of every sample."""
        X = self._validate_X_predict(X)  # checks the fit first
        return self.tree_.apply(X)

    def get_depth(self) -> int:
        check_is_fitted(self, "tree_")
        return self.tree_.max_depth

    def get_n_leaves(self) -> int:
        check_is_fitted(self, "tree_")
        return self.tree_.n_leaves

    @property
    def feature_importances_(self) -> np.ndarray:
        """Normalised total impurity decrease contributed by each feature."""
        check_is_fitted(self, "tree_")
        return self.tree_.feature_importances(self.n_features_in_)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True  # accepted and densified (check_array "densify")
        return tags


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """CART classification tree (ML-TREE).

    Grows greedily: at each node it picks the (feature, threshold) that minimises the
    weighted impurity of the children, W_L·I(L) + W_R·I(R), with gini I = 1 − Σ_k p_k²
    or entropy I = −Σ_k p_k log₂ p_k, over every feature (or a random subset of
    ``max_features``) and every midpoint between consecutive distinct values.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}
    max_depth : int or None
    min_samples_split : int or float
    min_samples_leaf : int or float
    max_features : int, float, "sqrt", "log2" or None
    min_impurity_decrease : float
    min_weight_fraction_leaf : float
        Least fraction of the total sample weight in a leaf.
    max_leaf_nodes : int or None
        Grow best first (largest impurity decrease first) up to this many leaves.
    random_state : int, RandomState, Generator or None
        Seeds the feature draws as scikit-learn's (``RandomState(random_state)
        .randint(0, 2³¹ − 1)`` seeds its ``rand_r`` generator), so an int gives
        scikit-learn's tree.
    class_weight : dict, "balanced" or None
        Multiplies each sample's weight by its class's.
    """

    _criteria = CRITERIA_CLF

    def __init__(
        self,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf: float = 0.0,
        max_features=None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        random_state=None,
        class_weight=None,
    ):
        super().__init__(
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            random_state=random_state,
        )
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        self.n_classes_ = len(self.classes_)
        weight = check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            weight = weight * compute_sample_weight(self.class_weight, y)
        self._grow(X, y_enc, weight)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Weighted class fractions of the leaf, shape (n_samples, n_classes)."""
        X = self._validate_X_predict(X)  # checks the fit first
        return self.tree_.predict(X)

    def predict_log_proba(self, X) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        scores = self.predict_proba(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """CART regression tree (ML-TREE): splits minimise Σ_children Σ_i w_i (y_i − ȳ_child)².

    Leaves predict the weighted mean of their targets. Parameters as
    :class:`DecisionTreeClassifier`, with ``criterion="squared_error"``.
    """

    _criteria = CRITERIA_REG

    def __init__(
        self,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf: float = 0.0,
        max_features=None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        random_state=None,
    ):
        super().__init__(
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            random_state=random_state,
        )

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, y_numeric=True, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self._grow(X, y.astype(np.float64), check_sample_weight(sample_weight, X))
        return self

    def predict(self, X) -> np.ndarray:
        X = self._validate_X_predict(X)  # checks the fit first
        return self.tree_.predict(X)[:, 0]


def float32_columns(X: np.ndarray) -> np.ndarray:
    """X's values rounded to float32 (as scikit-learn's trees see them), as float32
    columns, shape (d, n): scikit-learn adds its 1e-7 threshold to them in float32."""
    return np.ascontiguousarray(np.asarray(X, dtype=np.float32).T)


def presort(X: np.ndarray) -> np.ndarray:
    """The argsort of every column of X, shape (d, n); equal values in any order.

    Columns of small integers (digits, counts, flags) are ranked by a stable radix sort
    on int16, the others by NumPy's (vectorised) quicksort.
    """
    XT = np.ascontiguousarray(X.T)
    order = np.empty(XT.shape, dtype=np.intp)
    small = ((XT == np.rint(XT)) & (np.abs(XT) < 2**15)).all(axis=1)
    if small.any():
        order[small] = np.argsort(XT[small].astype(np.int16), axis=1, kind="stable")
    if not small.all():
        order[~small] = np.argsort(XT[~small], axis=1)
    return order


def grow_trees(
    template, X, targets, weight, *, order=None, rng=None, rngs=None, fitted=None
) -> list:
    """Grow one tree per row of ``targets`` / ``weight`` (T, n) at once, with the
    hyperparameters of ``template`` (a decision tree; a classifier's ``n_classes_`` is
    set and ``targets`` are class codes).

    ``order`` (d, n) = :func:`presort` (X), shared when given; ``rng`` draws the
    feature subsets (default: the template's ``random_state``), or ``rngs``, one
    Generator per tree, each tree's own (then a tree does not depend on which trees
    grow beside it, nor on ``n_jobs``). The trees are stored in
    ``fitted`` (T estimators), new instances of the template's class when None, which is
    returned.
    """
    n, d = X.shape
    builder = template._builder(n, d, rng)
    if order is None:
        order = presort(X)
    # split between X's float32 values, as scikit-learn (its thresholds are midpoints of
    # float32 values, and a sample lying on a float64 midpoint would change sides)
    X = np.asarray(X, dtype=np.float32).astype(np.float64)
    n_classes = getattr(template, "n_classes_", None)
    trees = []
    for batch in builder.batches(weight > 0, d):
        own = None if rngs is None else rngs[batch]
        trees += builder.build(X, order, targets[batch], weight[batch], n_classes, own)
    if fitted is None:
        params = {name: getattr(template, name) for name in _TREE_PARAMS}
        fitted = [type(template)(**params) for _ in trees]
    for est, tree in zip(fitted, trees, strict=True):
        est.tree_ = tree
        est.n_features_in_ = d
        est.max_features_ = builder.max_features
        if n_classes is not None:
            est.classes_, est.n_classes_ = template.classes_, n_classes
    return fitted
