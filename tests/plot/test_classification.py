"""Classifier pictures hold scikit-learn's numbers: confusion matrix (EVAL-METRICS), ROC
and precision-recall curves, decision regions equal to predict() on the grid, and
feature importances (tree / forest)."""

import numpy as np
import pytest

import gradkit
from gradkit import plot
from gradkit.ml.exceptions import NotFittedError

skm = pytest.importorskip("sklearn.metrics")


def test_confusion_matrix_image_and_cell_texts_equal_sklearn(ax):
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 80), rng.integers(0, 4, 80)
    plot.confusion_matrix(y_true, y_pred, ax=ax)
    ref = skm.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), ref)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in ref.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]

    ax2 = plot.confusion_matrix(y_true, y_pred, labels=[3, 1], normalize="true")
    ref = skm.confusion_matrix(y_true, y_pred, labels=[3, 1], normalize="true")
    np.testing.assert_allclose(ax2.images[0].get_array(), ref, rtol=0, atol=1e-15)
    assert [t.get_text() for t in ax2.get_yticklabels()] == ["3", "1"]

    with pytest.raises(ValueError, match="normalize"):
        plot.confusion_matrix(y_true, y_pred, normalize="rows")
    with pytest.raises(ValueError, match="3 display_labels for a 4x4 matrix"):
        plot.confusion_matrix(y_true, y_pred, display_labels=["a", "b", "c"])


def _binary(seed=0, n=200):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.round(y + rng.normal(0, 1.0, n), 1)  # informative, with ties
    return y, score


def test_roc_curve_line_is_sklearns_roc_with_auc_label(ax):
    y, score = _binary()
    plot.roc_curve(y, score, ax=ax, name="model")
    fpr, tpr, _ = skm.roc_curve(y, score)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), fpr, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tpr, rtol=0, atol=1e-15)
    assert ax.lines[0].get_label() == f"model (AUC = {skm.roc_auc_score(y, score):.3f})"
    assert list(ax.lines[1].get_xdata()) == [0, 1]  # chance diagonal


def test_precision_recall_curve_line_is_sklearns_with_ap_label(ax):
    y, score = _binary(1)
    plot.precision_recall_curve(y, score, ax=ax)
    precision, recall, _ = skm.precision_recall_curve(y, score)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), recall, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), precision, rtol=0, atol=1e-15)
    assert ax.lines[0].get_drawstyle() == "steps-post"
    assert ax.lines[0].get_label() == f"AP = {skm.average_precision_score(y, score):.3f}"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [y.mean(), y.mean()])  # no skill


def test_curves_from_predict_proba_and_one_vs_rest():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 150)
    proba = rng.dirichlet(np.ones(3), 150) + np.eye(3)[y] * 0.3
    ax = plot.roc_curve(y, proba)
    assert len(ax.lines) == 4  # 3 classes + chance
    for k in range(3):
        fpr, tpr, _ = skm.roc_curve(y == k, proba[:, k])
        np.testing.assert_allclose(ax.lines[k].get_xdata(), fpr)
        np.testing.assert_allclose(ax.lines[k].get_ydata(), tpr)
        assert ax.lines[k].get_label().startswith(f"{k} (AUC = ")
    ax = plot.precision_recall_curve(y, proba)
    p, r, _ = skm.precision_recall_curve(y == 2, proba[:, 2])
    np.testing.assert_allclose(ax.lines[2].get_xdata(), r)
    # (n, 2) predict_proba of a binary problem: column 1 scores the larger label
    yb = np.array(["no", "yes", "yes", "no", "yes"])
    pb = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3], [0.1, 0.9]])
    ax = plot.roc_curve(yb, pb)
    fpr, tpr, _ = skm.roc_curve(yb, pb[:, 1], pos_label="yes")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tpr)
    with pytest.raises(ValueError, match="y_score has 4 columns but y_true 3 classes"):
        plot.roc_curve(y, np.hstack([proba, proba[:, :1]]))
    with pytest.raises(ValueError, match="y_true has 150 samples but y_score 149"):
        plot.precision_recall_curve(y, proba[:-1])


def _blobs():
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 4.0]])
    y = np.repeat([0, 1, 2], 20)
    return centres[y] + rng.normal(0, 0.7, (60, 2)), y


def test_decision_boundary_image_equals_predict_on_the_grid(ax):
    from gradkit.ml.neighbors import KNeighborsClassifier

    X, y = _blobs()
    model = KNeighborsClassifier(5).fit(X, y)
    plot.decision_boundary(model, X, y, ax=ax, grid_resolution=30, eps=0.5)
    image = ax.images[0]
    x0, x1, y0, y1 = image.get_extent()
    assert (x0, x1, y0, y1) == pytest.approx(
        (X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, X[:, 1].min() - 0.5, X[:, 1].max() + 0.5)
    )
    xx, yy = np.meshgrid(np.linspace(x0, x1, 30), np.linspace(y0, y1, 30))
    expected = model.predict(np.column_stack([xx.ravel(), yy.ravel()])).reshape(30, 30)
    np.testing.assert_array_equal(image.get_array(), expected)  # labels 0..2 = class index
    assert image.origin == "lower"
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    np.testing.assert_array_equal(offsets, X[np.argsort(y, kind="stable")])


def test_decision_boundary_continuous_response_and_errors():
    from gradkit.ml.linear_model import LogisticRegression

    X, y = _blobs()
    yb = (y == 1).astype(int)
    model = LogisticRegression().fit(X, yb)
    ax = plot.decision_boundary(model, X, yb, response_method="predict_proba", grid_resolution=20)
    x0, x1, y0, y1 = ax.images[0].get_extent()
    xx, yy = np.meshgrid(np.linspace(x0, x1, 20), np.linspace(y0, y1, 20))
    p = model.predict_proba(np.column_stack([xx.ravel(), yy.ravel()]))[:, 1]
    np.testing.assert_allclose(ax.images[0].get_array(), p.reshape(20, 20))
    assert len(ax.collections) >= 1  # the p = 0.5 contour and the points
    with pytest.raises(NotFittedError):
        plot.decision_boundary(LogisticRegression(), X, y)
    with pytest.raises(ValueError, match=r"2 features.*got shape \(60, 3\)"):
        plot.decision_boundary(model, np.hstack([X, X[:, :1]]), yb)
    with pytest.raises(ValueError, match=r"y must have shape \(60,\)"):
        plot.decision_boundary(model, X, yb[:-1])
    with pytest.raises(ValueError, match="response_method"):
        plot.decision_boundary(model, X, yb, response_method="proba")
    multi = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="returned 3 columns"):
        plot.decision_boundary(multi, X, y, response_method="predict_proba")


def test_feature_importances_of_a_forest_with_member_spread():
    from sklearn.datasets import load_iris

    from gradkit.ml.ensemble import RandomForestClassifier

    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    ax = plot.feature_importances(forest, names=["sl", "sw", "pl", "pw"])
    order = np.argsort(-forest.feature_importances_, kind="stable")
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, forest.feature_importances_[order], rtol=0, atol=0)
    ys = [p.get_y() + p.get_height() / 2 for p in ax.patches]
    assert ys == sorted(ys, reverse=True)  # largest on top
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda t: -t[0])
    assert [label.get_text() for _, label in ticks] == [["sl", "sw", "pl", "pw"][i] for i in order]
    spread = np.std([t.feature_importances_ for t in forest.estimators_], axis=0)[order]
    (bars,) = [c for c in ax.containers if hasattr(c, "errorbar")]
    segments = bars.errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([s[1, 0] - s[0, 0] for s in segments], 2 * spread, atol=1e-12)


def test_feature_importances_array_top_and_errors():
    from gradkit.ml.tree import DecisionTreeClassifier

    ax = plot.feature_importances(np.array([0.1, 0.5, 0.4]), top=2)
    assert [p.get_width() for p in ax.patches] == [0.5, 0.4]
    ax = plot.feature_importances([0.1, 0.5, 0.4], sort=False)
    assert [p.get_width() for p in ax.patches] == [0.1, 0.5, 0.4]
    with pytest.raises(NotFittedError):
        plot.feature_importances(DecisionTreeClassifier())
    with pytest.raises(ValueError, match="2 names for 3 importances"):
        plot.feature_importances([0.1, 0.5, 0.4], names=["a", "b"])
    with pytest.raises(ValueError, match=r"`importances` must be 1-D, got shape \(2, 2\)"):
        plot.feature_importances(np.eye(2))


def test_decision_boundary_of_a_keras_network_uses_the_argmax_class():
    from gradkit import keras

    X, y = _blobs()
    gradkit.manual_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X.astype("float32"), y, epochs=2, verbose=0)
    ax = plot.decision_boundary(model, X, y, grid_resolution=12)
    x0, x1, y0, y1 = ax.images[0].get_extent()
    xx, yy = np.meshgrid(np.linspace(x0, x1, 12), np.linspace(y0, y1, 12))
    scores = model.predict(np.column_stack([xx.ravel(), yy.ravel()]), verbose=0)
    np.testing.assert_array_equal(ax.images[0].get_array(), scores.argmax(axis=1).reshape(12, 12))
    with pytest.raises(ValueError, match="3 score columns but y has 2 classes"):
        plot.decision_boundary(model, X, (y == 1).astype(int))


def test_decision_boundary_of_a_sigmoid_network_thresholds_at_one_half():
    class Sigmoid:  # predict() returns P(class 1) as a (n, 1) column, as a Keras net's
        def predict(self, X):
            return 1.0 / (1.0 + np.exp(-(X[:, :1] - 2.0)))

    X, y = _blobs()
    labels = np.where(y == 1, "b", "a")
    ax = plot.decision_boundary(Sigmoid(), X, labels, grid_resolution=10)
    x0, x1, _, _ = ax.images[0].get_extent()
    xs = np.linspace(x0, x1, 10)
    np.testing.assert_array_equal(ax.images[0].get_array()[0], (xs > 2.0).astype(int))
