"""One comparison of a fitted gradkit tree with scikit-learn's, shared by the tree
parity tests (ML-TREE)."""

import numpy as np


def assert_same_tree(ours, theirs, exact_values=True):
    """Node arrays equal (structure, features, thresholds, sample counts); values,
    impurities and weighted counts equal too, or within rounding when
    ``exact_values=False`` (float weights sum in another order); the same depth."""
    g, s = ours.tree_, theirs.tree_
    assert g.node_count == s.node_count
    np.testing.assert_array_equal(g.children_left, s.children_left)
    np.testing.assert_array_equal(g.children_right, s.children_right)
    np.testing.assert_array_equal(g.feature, s.feature)
    np.testing.assert_array_equal(g.threshold, s.threshold)
    np.testing.assert_array_equal(g.n_node_samples, s.n_node_samples)
    value = s.value.reshape(s.node_count, -1)
    if exact_values:
        np.testing.assert_array_equal(g.value, value)
        np.testing.assert_array_equal(g.impurity, s.impurity)
        np.testing.assert_array_equal(g.weighted_n_node_samples, s.weighted_n_node_samples)
    else:
        np.testing.assert_allclose(g.value, value, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g.impurity, s.impurity, rtol=1e-9, atol=1e-9)
    assert ours.get_depth() == theirs.get_depth()
