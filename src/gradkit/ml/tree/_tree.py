"""A fitted CART tree as flat node arrays, and prediction with many trees at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Tree:
    """A fitted binary tree in flat arrays, nodes numbered breadth-first (0 is the root;
    ``-1`` marks no child).

    Shape: ``value`` (n_nodes, n_outputs) holds class fractions (classification) or the
    mean target (regression); a sample x goes left at node t when
    x[feature[t]] ≤ threshold[t].
    """

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    impurity: np.ndarray
    n_node_samples: np.ndarray
    weighted_n_node_samples: np.ndarray
    max_depth: int

    @property
    def node_count(self) -> int:
        return len(self.feature)

    @property
    def n_leaves(self) -> int:
        return int((self.children_left < 0).sum())

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Index of the leaf each row of X falls into, one tree level per step."""
        node = np.zeros(len(X), dtype=np.intp)
        active = np.flatnonzero(self.children_left[node] >= 0)
        while active.size:
            cur = node[active]
            go_left = X[active, self.feature[cur]] <= self.threshold[cur]
            node[active] = np.where(go_left, self.children_left[cur], self.children_right[cur])
            active = active[self.children_left[node[active]] >= 0]
        return node

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.value[self.apply(X)]

    def feature_importances(self, n_features: int) -> np.ndarray:
        """Total weighted impurity decrease per feature, normalised to sum to 1."""
        inner = np.flatnonzero(self.children_left >= 0)
        left, right = self.children_left[inner], self.children_right[inner]
        w, imp = self.weighted_n_node_samples, self.impurity
        gain = w[inner] * imp[inner] - w[left] * imp[left] - w[right] * imp[right]
        out = np.bincount(self.feature[inner], weights=gain, minlength=n_features)
        total = out.sum()
        return out / total if total > 0 else out


def stack_trees(trees: list[Tree]) -> tuple:
    """The node arrays of several trees stacked into one (for :func:`predict_many`)."""
    sizes = [t.node_count for t in trees]
    roots = np.cumsum([0] + sizes[:-1])
    offset = np.repeat(roots, sizes)
    left = np.concatenate([t.children_left for t in trees])
    right = np.concatenate([t.children_right for t in trees])
    inner = left >= 0
    left = np.where(inner, left + offset, np.arange(len(left)))  # leaves point at themselves
    right = np.where(inner, right + offset, left)
    feature = np.where(inner, np.concatenate([t.feature for t in trees]), 0)
    threshold = np.concatenate([t.threshold for t in trees])
    value = np.concatenate([t.value for t in trees])
    return roots, left, right, feature, threshold, value, max(t.max_depth for t in trees)


def predict_many(stack: tuple, X: np.ndarray) -> np.ndarray:
    """Leaf values of every stacked tree for every row, (n, n_trees, n_outputs).

    All (row, tree) paths descend together, one level per step, instead of one tree
    at a time.
    """
    roots, left, right, feature, threshold, value, depth = stack
    node = np.broadcast_to(roots, (len(X), len(roots))).copy()
    rows = np.arange(len(X))[:, None]
    for _ in range(depth):
        go_left = X[rows, feature[node]] <= threshold[node]
        node = np.where(go_left, left[node], right[node])
    return value[node]
