"""Pictures of a classifier: confusion matrix, ROC and precision-recall curves, decision
regions, feature importances. The numbers come from ``gradkit.ml.metrics``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gradkit.plot._core import as_array, check_fitted, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def confusion_matrix(
    y_true,
    y_pred,
    labels=None,
    normalize: str | None = None,
    ax: Axes | None = None,
    *,
    display_labels=None,
    cmap: str = "Blues",
    values_format: str | None = None,
    colorbar: bool = True,
) -> Axes:
    """The confusion matrix C[i, j] (true class i predicted as j) as an image with each
    count written in its cell, as scikit-learn's ``ConfusionMatrixDisplay``.

    ``labels`` and ``normalize`` ('true', 'pred', 'all' or None) are those of
    ``gradkit.ml.metrics.confusion_matrix``. Rows are true labels, columns predictions.

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2])
    >>> ax.images[0].get_array().tolist()
    [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    """
    from gradkit.ml.metrics import confusion_matrix as _cm

    cm = _cm(y_true, y_pred, labels=labels, normalize=normalize)
    if display_labels is None:
        display_labels = (
            np.union1d(np.asarray(y_true), np.asarray(y_pred)) if labels is None else labels
        )
    display_labels = [str(v) for v in display_labels]
    if len(display_labels) != cm.shape[0]:
        raise ValueError(
            f"confusion_matrix: {len(display_labels)} display_labels for a "
            f"{cm.shape[0]}x{cm.shape[1]} matrix"
        )
    ax = get_ax(ax)
    image = ax.imshow(cm, interpolation="nearest", cmap=cmap)
    if values_format is None:
        values_format = "d" if cm.dtype.kind in "iu" else ".2g"
    threshold = (cm.max() + cm.min()) / 2.0
    for i, j in np.ndindex(*cm.shape):
        colour = "white" if cm[i, j] > threshold else "black"
        ax.text(j, i, format(cm[i, j], values_format), ha="center", va="center", color=colour)
    ticks = np.arange(cm.shape[0])
    ax.set_xticks(ticks, display_labels)
    ax.set_yticks(ticks, display_labels)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    if colorbar:
        ax.figure.colorbar(image, ax=ax)
    return ax


def _score_columns(owner: str, y_true, y_score, pos_label):
    """[(name, y_true mask or labels, scores, pos_label)] — one binary curve per class.

    1-D scores: one curve. (n, 2) scores of a binary problem (``predict_proba``): column 1
    against the larger label. (n, k) with k classes: one-vs-rest curve per class.
    """
    y_true = np.asarray(y_true)
    score = as_array(owner, "y_score", y_score, ndim=(1, 2))
    if score.shape[0] != y_true.shape[0]:
        raise ValueError(
            f"{owner}: y_true has {y_true.shape[0]} samples but y_score {score.shape[0]} "
            f"(shape {score.shape})"
        )
    if score.ndim == 1 or score.shape[1] == 1:
        return [(None, y_true, score.ravel(), pos_label)]
    classes = np.unique(y_true)
    if score.shape[1] == 2 and len(classes) <= 2:
        positive = classes[-1] if pos_label is None else pos_label
        return [(None, y_true == positive, score[:, 1], True)]
    if score.shape[1] != len(classes):
        raise ValueError(
            f"{owner}: y_score has {score.shape[1]} columns but y_true {len(classes)} classes "
            f"{classes.tolist()}; pass one score column per class (in sorted class order)"
        )
    return [(str(c), y_true == c, score[:, k], True) for k, c in enumerate(classes)]


def roc_curve(
    y_true, y_score, ax: Axes | None = None, *, pos_label=None, name: str | None = None
) -> Axes:
    """ROC curve (FPR on x, TPR on y) with its AUC in the legend and the chance diagonal.

    ``y_score``: (n,) scores of the positive class, (n, 2) ``predict_proba`` output, or
    (n, k) scores for k classes (one one-vs-rest curve per class). The curve is
    ``gradkit.ml.metrics.roc_curve``'s.

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> ax.lines[0].get_xdata().tolist(), ax.lines[0].get_ydata().tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    from gradkit.ml.metrics import auc
    from gradkit.ml.metrics import roc_curve as _roc

    curves = _score_columns("roc_curve", y_true, y_score, pos_label)
    ax = get_ax(ax)
    for label, truth, score, pos in curves:
        fpr, tpr, _ = _roc(truth, score, pos_label=pos)
        prefix = label or name
        area = f"AUC = {auc(fpr, tpr):.3f}"
        ax.plot(fpr, tpr, label=f"{prefix} ({area})" if prefix else area)
    ax.plot([0, 1], [0, 1], "k:", label="chance (AUC = 0.5)")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.legend(loc="lower right")
    return ax


def precision_recall_curve(
    y_true, y_score, ax: Axes | None = None, *, pos_label=None, name: str | None = None
) -> Axes:
    """Precision against recall as a step curve, average precision in the legend, and
    the no-skill line at the positive fraction. ``y_score`` as for :func:`roc_curve`;
    the curve is ``gradkit.ml.metrics.precision_recall_curve``'s.

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> ax.lines[0].get_xdata().tolist()
    [1.0, 1.0, 0.5, 0.5, 0.0]
    """
    from gradkit.ml.metrics import precision_recall_curve as _pr

    curves = _score_columns("precision_recall_curve", y_true, y_score, pos_label)
    ax = get_ax(ax)
    for label, truth, score, pos in curves:
        precision, recall, _ = _pr(truth, score, pos_label=pos)
        ap = -np.sum(np.diff(recall) * precision[:-1])  # average_precision_score's sum
        prefix = label or name
        text = f"AP = {ap:.3f}"
        ax.plot(
            recall,
            precision,
            drawstyle="steps-post",
            label=f"{prefix} ({text})" if prefix else text,
        )
    if len(curves) == 1:
        _, truth, _, pos = curves[0]
        from gradkit.ml.metrics._ranking import _positive_mask

        prevalence = float(_positive_mask(np.asarray(truth), pos, "precision-recall").mean())
        ax.plot([0, 1], [prevalence, prevalence], "k:", label=f"chance (AP = {prevalence:.3f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.legend(loc="lower left")
    return ax


_RESPONSES = ("predict", "decision_function", "predict_proba")


def _predicted_labels(estimator, response: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Labels from ``predict``: as they are (n,), or from a network's scores, as a Keras
    model's ``predict`` returns them: (n, k) → the class of the largest score (column j
    is the j-th of the sorted labels of y), (n, 1) probabilities → class 1 above 0.5."""
    if response.ndim == 2 and response.shape[1] == 1:
        column = response[:, 0]
        if np.isin(column, classes).all():
            return column
        if len(classes) != 2:
            raise ValueError(
                f"decision_boundary: {type(estimator).__name__}.predict returned one score "
                f"column but y has {len(classes)} classes"
            )
        return classes[(column > 0.5).astype(np.int64)]
    if response.ndim == 2:
        if response.shape[1] != len(classes):
            raise ValueError(
                f"decision_boundary: {type(estimator).__name__}.predict returned "
                f"{response.shape[1]} score columns but y has {len(classes)} classes"
            )
        return classes[response.argmax(axis=1)]
    if response.ndim != 1:
        raise ValueError(
            f"decision_boundary: predict returned shape {response.shape}; expected labels "
            "(n,) or scores (n, n_classes)"
        )
    return response


def decision_boundary(
    estimator,
    X,
    y,
    ax: Axes | None = None,
    *,
    response_method: str = "predict",
    grid_resolution: int = 200,
    eps: float = 0.5,
    alpha: float = 0.35,
    cmap: str | None = None,
) -> Axes:
    """Regions a fitted 2-feature classifier assigns to each class, with the data on top.

    The estimator is evaluated on a ``grid_resolution`` × ``grid_resolution`` grid
    spanning X's range ± ``eps``. ``response_method='predict'`` colours by predicted
    class (image values: index of the class in the sorted union of y and predictions;
    a network's (n, k) scores from ``predict`` count as the argmax class, column j being
    the j-th sorted label of y, and (n, 1) probabilities as class 1 above 0.5);
    ``'decision_function'`` or ``'predict_proba'`` (binary: positive-class column)
    shades the continuous score, with the 0 / 0.5 level as a contour. Class k is drawn in
    colour ``Ck`` (``cmap``, if given, is sampled instead; continuous shading defaults
    to 'coolwarm').

    Shape: X (n, 2), y (n,).

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> from gradkit.ml.linear_model import LogisticRegression
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.0]]); y = [0, 0, 1, 1]
    >>> ax = plot.decision_boundary(LogisticRegression().fit(X, y), X, y, grid_resolution=20)
    >>> ax.images[0].get_array().shape
    (20, 20)
    """
    from gradkit.validation import check_int, check_option

    check_option("decision_boundary", "response_method", response_method, _RESPONSES)
    grid_resolution = check_int("decision_boundary", "grid_resolution", grid_resolution, low=2)
    if hasattr(estimator, "get_params"):
        check_fitted(estimator)
    if not hasattr(estimator, response_method):
        raise AttributeError(
            f"decision_boundary: {type(estimator).__name__} has no {response_method}(); "
            f"pick another response_method of {_RESPONSES}"
        )
    X = as_array("decision_boundary", "X", X, ndim=2)
    y = np.asarray(y)
    if X.shape[1] != 2:
        raise ValueError(
            f"decision_boundary: X must have 2 features to draw in the plane, got shape "
            f"{X.shape}; fit the estimator on a 2-D projection (e.g. PCA(n_components=2))"
        )
    if y.shape != (X.shape[0],):
        raise ValueError(f"decision_boundary: y must have shape ({X.shape[0]},), got {y.shape}")
    lo, hi = X.min(axis=0) - eps, X.max(axis=0) + eps
    xs = np.linspace(lo[0], hi[0], grid_resolution)
    ys = np.linspace(lo[1], hi[1], grid_resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    response = np.asarray(getattr(estimator, response_method)(grid))
    classes = np.unique(y)
    if response_method == "predict":
        response = _predicted_labels(estimator, response, classes)
    ax = get_ax(ax)
    extent = (lo[0], hi[0], lo[1], hi[1])
    import matplotlib
    from matplotlib.colors import ListedColormap

    if response_method == "predict":
        classes = np.union1d(classes, response)
    k = len(classes)
    if cmap is None and response_method == "predict":
        colours = [matplotlib.colors.to_rgba(f"C{i % 10}") for i in range(k)]
    else:
        sample = matplotlib.colormaps[cmap or "coolwarm"]
        colours = [sample(i / max(k - 1, 1)) for i in range(k)]
    if response_method == "predict":
        values = np.searchsorted(classes, response).reshape(xx.shape)
        ax.imshow(
            values,
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
            cmap=ListedColormap(colours),
            alpha=alpha,
            vmin=-0.5,
            vmax=k - 0.5,
        )
    else:
        if response.ndim == 2:
            if response.shape[1] > 2:
                raise ValueError(
                    f"decision_boundary: {response_method} returned {response.shape[1]} "
                    "columns; continuous shading needs a binary problem, use "
                    "response_method='predict' for multiclass"
                )
            response = response[:, -1]
        values = response.reshape(xx.shape)
        ax.imshow(
            values,
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap=cmap or "coolwarm",
            alpha=alpha,
        )
        level = 0.5 if response_method == "predict_proba" else 0.0
        if values.min() < level < values.max():
            ax.contour(xx, yy, values, levels=[level], colors="k", linewidths=1)
    for i, c in enumerate(classes):
        mask = y == c
        if mask.any():
            ax.scatter(X[mask, 0], X[mask, 1], color=colours[i], edgecolors="k", s=20, label=str(c))
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.legend(title="class", loc="best")
    return ax


def feature_importances(
    importances, names=None, ax: Axes | None = None, *, top: int | None = None, sort: bool = True
) -> Axes:
    """Horizontal bars of feature importances, largest at the top.

    ``importances``: an array (n_features,) or a fitted estimator with
    ``feature_importances_`` (trees, forests, boosting); for an ensemble with
    ``estimators_`` the spread over its members is drawn as error bars. ``names`` default
    to the estimator's ``feature_names_in_`` or ``x0, x1, ...``.

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.feature_importances([0.1, 0.6, 0.3], names=["a", "b", "c"])
    >>> [float(p.get_width()) for p in ax.patches]
    [0.6, 0.3, 0.1]
    """
    errors = None
    if hasattr(importances, "fit") and not isinstance(importances, np.ndarray):
        estimator = importances
        check_fitted(estimator)
        if not hasattr(estimator, "feature_importances_"):
            raise AttributeError(
                f"feature_importances: {type(estimator).__name__} has no "
                "feature_importances_; pass the importances as an array"
            )
        importances = estimator.feature_importances_
        members = getattr(estimator, "estimators_", None)
        if members is not None:
            members = np.ravel(np.asarray(members, dtype=object))
            if all(hasattr(m, "feature_importances_") for m in members):
                errors = np.std([m.feature_importances_ for m in members], axis=0)
        if names is None and hasattr(estimator, "feature_names_in_"):
            names = list(estimator.feature_names_in_)
    values = as_array("feature_importances", "importances", importances, ndim=1)
    names = [f"x{i}" for i in range(len(values))] if names is None else [str(n) for n in names]
    if len(names) != len(values):
        raise ValueError(f"feature_importances: {len(names)} names for {len(values)} importances")
    order = np.argsort(-values, kind="stable") if sort else np.arange(len(values))
    if top is not None:
        order = order[:top]
    ax = get_ax(ax)
    positions = np.arange(len(order))[::-1]
    ax.barh(
        positions,
        values[order],
        xerr=None if errors is None else errors[order],
        tick_label=[names[i] for i in order],
        color="C0",
    )
    ax.set_xlabel("importance")
    return ax
