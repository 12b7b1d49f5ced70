"""ML-TREE (issue 24): the level-wise builder behind Bagging, AdaBoost and gradient
boosting (``grow_trees``) grows scikit-learn's trees: the same splits, node counts,
weights, impurities and values (node numbering aside: it numbers breadth first), one
tree or many side by side, with every layout (all features, or a few drawn ones)."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor, grow_trees, presort

sk_tree = pytest.importorskip("sklearn.tree")


def structure(t, node=0, with_feature=True):
    """Nested node facts, independent of the node numbering. The level-wise builder
    takes midpoints of X's float64 values where scikit-learn takes them of float32 ones:
    thresholds agree to float32 precision (see :func:`same`)."""
    n, w = int(t.n_node_samples[node]), float(t.weighted_n_node_samples[node])
    imp = float(t.impurity[node])
    value = tuple(np.ravel(t.value[node]) * w)  # weights (sums) per class
    if t.children_left[node] < 0:
        return (n, w, imp, value)
    return (
        int(t.feature[node]) if with_feature else None,
        float(t.threshold[node]),
        n,
        w,
        imp,
        value,
        structure(t, t.children_left[node], with_feature),
        structure(t, t.children_right[node], with_feature),
    )


def _flat(s):
    return [v for x in s for v in _flat(x)] if isinstance(s, tuple) else [s]


def same(ours, theirs, with_feature=True):
    """The same nested node facts, numbers equal to 1e-6 (relative) or 1e-9."""
    a = _flat(structure(ours, with_feature=with_feature))
    b = _flat(structure(theirs, with_feature=with_feature))
    assert len(a) == len(b)
    np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float),
                               rtol=1e-6, atol=1e-9)  # fmt: skip


def _distinct(n=60, seed=0):
    """Four continuous features (no ties), three classes, integer regression target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + 0.8 * X[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(int)
    y[X[:, 2] > 0.9] = 2
    yr = np.round(4 * X[:, 0] - 3 * (X[:, 1] > 0) + 2 * X[:, 3] + rng.normal(size=n))
    return X, y, yr


def _copies(n=50, seed=1, d=8, classes=2):
    """One coarse column copied into half the features, the others constant: every draw
    that holds a copy finds the same split, so the tree is scikit-learn's whichever
    features are drawn (a draw of constants only must go on to the rest)."""
    rng = np.random.default_rng(seed)
    c = np.round(rng.normal(size=n), 1)
    X = np.full((n, d), 0.25)
    X[:, 1::2] = c[:, None]
    y = (c + 0.6 * rng.normal(size=n) > 0).astype(int)
    if classes > 2:
        y[rng.random(n) < 0.2] = 2
    yr = np.round(3 * c + rng.normal(size=n))
    return X, y, yr


def _bootstrap(T, n, seed=3, real=False):
    """Bootstrap counts (T, n); ``real``: times uniform factors, so that no two
    candidate splits tie (scikit-learn breaks ties by its own feature order)."""
    rng = np.random.default_rng(seed)
    W = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(T)]) * 1.0
    return W * rng.uniform(0.5, 1.5, W.shape) if real else W


_OPTIONS = [
    {},
    {"criterion": "entropy"},
    {"max_depth": 2},
    {"min_samples_split": 9},
    {"min_samples_leaf": 4},
    {"min_samples_leaf": 0.1, "min_samples_split": 0.3},
    {"min_impurity_decrease": 0.02},
    {"max_depth": 1},  # stumps (AdaBoost's default)
]


@pytest.mark.parametrize("options", _OPTIONS, ids=str)
def test_ml_tree_levelwise_classifiers_are_sklearns(options):
    """ML-TREE: three trees grown together (bootstrap weights) and one grown alone are
    each scikit-learn's tree for its weights. (Two splits that tie in exact arithmetic
    are ranked by the rounding of another expression than scikit-learn's, so the data
    hold no such tie: seed 0 has one.)"""
    X, y, _ = _copies(n=60, seed=1, classes=3)
    W = _bootstrap(3, len(y))
    template = DecisionTreeClassifier(random_state=0, **options).fit(X[:3], [0, 1, 2])
    trees = grow_trees(template, X, np.tile(y, (3, 1)), W)
    alone = grow_trees(template, X, y[None], W[1:2], order=presort(X))
    assert len(trees) == 3 and len(alone) == 1
    for tree, w in zip(trees + alone, list(W) + [W[1]], strict=True):
        ref = sk_tree.DecisionTreeClassifier(random_state=0, **options).fit(X, y, sample_weight=w)
        same(tree.tree_, ref.tree_, with_feature=False)
        assert tree.get_depth() == ref.get_depth()
        assert tree.get_n_leaves() == ref.get_n_leaves()
        np.testing.assert_allclose(tree.predict_proba(X), ref.predict_proba(X), rtol=1e-12)
        np.testing.assert_array_equal(tree.classes_, [0, 1, 2])


@pytest.mark.parametrize("options", _OPTIONS[2:], ids=str)
def test_ml_tree_levelwise_regressors_are_sklearns(options):
    """ML-TREE: squared-error trees (integer targets, exact sums) side by side."""
    X, _, yr = _copies(n=60, seed=2)
    W = _bootstrap(2, len(yr), seed=4)
    template = DecisionTreeRegressor(random_state=0, **options)
    trees = grow_trees(template, X, np.tile(yr, (2, 1)), W)
    for tree, w in zip(trees, W, strict=True):
        ref = sk_tree.DecisionTreeRegressor(random_state=0, **options).fit(X, yr, sample_weight=w)
        same(tree.tree_, ref.tree_, with_feature=False)
        np.testing.assert_allclose(tree.predict(X), ref.predict(X), rtol=1e-12)


@pytest.mark.parametrize("max_features", [1, 2, 3, 6])
@pytest.mark.parametrize("regression", [False, True])
def test_ml_tree_levelwise_drawn_features_find_sklearns_splits(max_features, regression):
    """ML-TREE: with a few features drawn per node (sorted drawn pairs when at most one
    in four is drawn, else the presorted layout), a node whose draws hold only constant
    features tries the rest, so the splits are scikit-learn's."""
    X, y, yr = _copies()
    target = yr if regression else y
    W = _bootstrap(4, len(y), seed=5)
    cls = DecisionTreeRegressor if regression else DecisionTreeClassifier
    template = cls(max_features=max_features, random_state=7, min_samples_leaf=2)
    if not regression:
        template.fit(X[:2], [0, 1])
    trees = grow_trees(template, X, np.tile(target, (4, 1)), W)
    sk_cls = sk_tree.DecisionTreeRegressor if regression else sk_tree.DecisionTreeClassifier
    for tree, w in zip(trees, W, strict=True):
        ref = sk_cls(max_features=max_features, random_state=7, min_samples_leaf=2)
        ref.fit(X, target, sample_weight=w)
        same(tree.tree_, ref.tree_, with_feature=False)
        inner = tree.tree_.feature[tree.tree_.children_left >= 0]
        assert np.all(inner % 2 == 1)  # only the copies split
        assert tree.max_features_ == ref.max_features_


def test_ml_tree_levelwise_own_generators_make_trees_independent():
    """ML-TREE: with one Generator per tree (``rngs``), a tree's draws are its own: the
    same tree whether grown alone or beside others, and the shared generator differs."""
    rng = np.random.default_rng(8)
    X = rng.normal(size=(80, 10))
    y = (X[:, :5].sum(axis=1) > 0).astype(int)
    W = _bootstrap(3, len(y), seed=9)
    template = DecisionTreeClassifier(max_features=2).fit(X[:2], [0, 1])

    def gens():
        return [np.random.default_rng(s) for s in (11, 12, 13)]

    together = grow_trees(template, X, np.tile(y, (3, 1)), W, rngs=np.array(gens()))
    for t in range(3):
        alone = grow_trees(template, X, y[None], W[t : t + 1], rngs=np.array(gens()[t : t + 1]))
        assert structure(alone[0].tree_) == structure(together[t].tree_)
    trees = [grow_trees(template, X, y[None], W[:1], rngs=np.array(gens()[t : t + 1]))[0]
             for t in range(3)]  # fmt: skip
    assert len({str(structure(t.tree_)) for t in trees}) > 1  # the generators matter
    shared = grow_trees(template, X, y[None], W[:1], rng=np.random.default_rng(11))[0]
    assert structure(shared.tree_) == structure(trees[0].tree_)


def test_ml_tree_presort_orders_every_column():
    """ML-TREE: ``presort`` is an argsort of every column, small integers (radix) and
    reals alike (numpy's sort as oracle)."""
    rng = np.random.default_rng(10)
    edge = rng.integers(-32767, 32767, 40)
    edge[[3, 17]] = [32768, -32768]  # just outside int16's symmetric range: not radix
    X = np.column_stack([rng.integers(-3, 4, 40), rng.normal(size=40), np.full(40, 2.0),
                         rng.integers(0, 40000, 40), rng.integers(0, 2, 40) + 0.5,
                         edge, rng.integers(-32767, 32768, 40)])  # fmt: skip
    order = presort(X)
    assert order.shape == (7, 40)
    for j in range(7):
        np.testing.assert_array_equal(X[order[j], j], np.sort(X[:, j]))
    small = X[:, 0]
    np.testing.assert_array_equal(order[0], np.argsort(small, kind="stable"))


def test_ml_tree_levelwise_trees_carry_the_template():
    """ML-TREE: the grown trees are estimators of the template's class with its
    hyperparameters, fitted attributes as a fit would set them (scikit-learn's values),
    and refuse data of another width; the given ``fitted`` estimators are filled."""
    X, y, _ = _copies(n=40, seed=6)
    template = DecisionTreeClassifier(criterion="entropy", max_depth=3, min_samples_split=4,
                                      min_samples_leaf=2, min_weight_fraction_leaf=0.01,
                                      max_features=0.5, max_leaf_nodes=9,
                                      min_impurity_decrease=0.001, random_state=5)  # fmt: skip
    template.fit(X[:2], [0, 1])
    W = _bootstrap(2, len(y), seed=7)
    trees = grow_trees(template, X, np.tile(y, (2, 1)), W)
    ref = sk_tree.DecisionTreeClassifier(**template.get_params()).fit(X, y)
    params = {k: v for k, v in template.get_params().items() if k != "class_weight"}
    for tree in trees:
        assert type(tree) is DecisionTreeClassifier
        assert {k: tree.get_params()[k] for k in params} == params
        assert tree.n_features_in_ == ref.n_features_in_ == 8
        assert tree.max_features_ == ref.max_features_
        np.testing.assert_array_equal(tree.classes_, ref.classes_)
        assert tree.n_classes_ == ref.n_classes_
        with pytest.raises(ValueError):
            tree.predict(X[:, :5])
    given = [DecisionTreeClassifier(), DecisionTreeClassifier()]
    out = grow_trees(template, X, np.tile(y, (2, 1)), W, fitted=given)
    assert out is given and all(hasattr(t, "tree_") for t in given)
    reg = grow_trees(DecisionTreeRegressor(max_depth=2), X, y[None] * 1.0, W[:1])[0]
    assert not hasattr(reg, "classes_") and reg.predict(X).shape == (40,)


@pytest.mark.parametrize("options", [{"max_depth": 0}, {"max_depth": 1.5},
                                     {"criterion": "gini"}, {"min_samples_leaf": 0}])  # fmt: skip
def test_ml_tree_levelwise_refuses_bad_options(options):
    """ML-TREE: the level-wise builder validates the template as a fit does."""
    X, y, yr = _copies(n=20, seed=8)
    with pytest.raises(ValueError):
        sk_tree.DecisionTreeRegressor(**options).fit(X, yr)
    with pytest.raises(ValueError):
        grow_trees(DecisionTreeRegressor(**options), X, yr[None], np.ones((1, 20)))


def test_ml_tree_levelwise_many_trees_grow_in_several_batches():
    """ML-TREE: 130 trees are more than one batch of the level-wise builder; every one
    is returned, in order, each scikit-learn's tree for its weights."""
    X, y, _ = _copies(n=60, seed=1, classes=3)
    W = _bootstrap(130, len(y), seed=11)
    template = DecisionTreeClassifier(random_state=0, max_depth=3).fit(X[:3], [0, 1, 2])
    trees = grow_trees(template, X, np.tile(y, (130, 1)), W)
    assert len(trees) == 130
    for t in (0, 64, 129):
        ref = sk_tree.DecisionTreeClassifier(random_state=0, max_depth=3)
        same(trees[t].tree_, ref.fit(X, y, sample_weight=W[t]).tree_, with_feature=False)


def test_ml_tree_levelwise_random_state_makes_draws_reproducible():
    """ML-TREE: the template's int random_state seeds the feature draws, as in
    scikit-learn: the same seed grows the same trees, another seed other trees."""
    rng = np.random.default_rng(12)
    X = rng.normal(size=(80, 10))
    y = (X[:, :6].sum(axis=1) > 0).astype(int)
    W = _bootstrap(3, len(y), seed=13)

    def grow(seed):
        template = DecisionTreeClassifier(max_features=2, random_state=seed).fit(X[:2], [0, 1])
        return [str(structure(t.tree_)) for t in grow_trees(template, X, np.tile(y, (3, 1)), W)]

    assert grow(5) == grow(5)
    assert grow(5) != grow(6)
