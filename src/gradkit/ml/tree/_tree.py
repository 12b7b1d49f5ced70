"""A fitted CART tree as flat node arrays, and prediction with many trees at once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass
class Tree:
    """A fitted binary tree in flat arrays, nodes numbered in the order they were grown
    (scikit-learn's: depth first, or best first with ``max_leaf_nodes``; the boosting
    and bagging trees breadth first) (0 is the root;
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
        """Index of the leaf each row of X falls into, all rows one tree level per step."""
        return self._stack[6].take(apply_many(self._stack, X)[:, 0])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.value.take(self.apply(X), axis=0)

    @cached_property
    def _stack(self) -> tuple:
        """This tree alone in :func:`stack_trees`' layout (built on first use; ``value``
        is read from the tree itself, as boosting rewrites it after fitting)."""
        return stack_trees([self])

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
    """The node arrays of several trees stacked into one (for :func:`apply_many`).

    Returns ``(roots, children, feature, threshold, n_inner, value, node_id)``, the nodes
    renumbered inner nodes first (0 … n_inner − 1, level by level over all the trees, so
    that the levels every path visits lie together), then the leaves: ``children``
    (2·n_nodes,) holds node t's left child at 2t and right child at 2t + 1; a leaf is its
    own child on both sides (feature 0), so a path that reached its leaf stays there.
    ``node_id`` maps a stacked number back to the node's index in its own tree.
    """
    sizes = [t.node_count for t in trees]
    start = np.cumsum([0] + sizes[:-1]).astype(np.intp)
    offset = np.repeat(start, sizes)
    left = np.concatenate([t.children_left for t in trees]).astype(np.intp)
    right = np.concatenate([t.children_right for t in trees]).astype(np.intp)
    is_leaf = left < 0
    order = np.concatenate([_breadth_first(start, left, right, offset), np.flatnonzero(is_leaf)])
    new = np.empty_like(order)
    new[order] = np.arange(len(order))  # old stacked number → new
    own = np.arange(len(left))
    children = np.empty(2 * len(left), dtype=np.intp)
    children[0::2] = new[np.where(is_leaf, own, left + offset)][order]
    children[1::2] = new[np.where(is_leaf, own, right + offset)][order]
    feature = np.where(is_leaf, 0, np.concatenate([t.feature for t in trees]))[order]
    threshold = np.concatenate([t.threshold for t in trees]).astype(np.float64)[order]
    value = np.concatenate([t.value for t in trees])[order]
    n_inner = int((~is_leaf).sum())
    return (
        new[start],
        children,
        feature.astype(np.intp),
        threshold,
        n_inner,
        value,
        (own - offset)[order],
    )


def _breadth_first(roots, left, right, offset) -> np.ndarray:
    """The stacked inner nodes, level after level from the roots (``left``/``right``
    local child indices, −1 for a leaf; ``offset`` each node's tree start)."""
    levels = []
    level = roots[left.take(roots) >= 0]
    while level.size:
        levels.append(level)
        kids = np.concatenate([left.take(level), right.take(level)]) + np.tile(
            offset.take(level), 2
        )
        level = np.sort(kids[left.take(kids) >= 0])
    return np.concatenate(levels) if levels else np.empty(0, dtype=np.intp)


_PAIRS = 1 << 16  # (row, tree) paths descending together: their arrays stay in cache


def apply_many(stack: tuple, X: np.ndarray) -> np.ndarray:
    """Leaf of every stacked tree for every row, (n, n_trees), numbered as stacked."""
    leaves = np.empty((len(X), len(stack[0])), dtype=np.intp)
    for lo, hi, block in _leaf_blocks(stack, X):
        leaves[lo:hi] = block
    return leaves


def predict_mean(stack: tuple, X: np.ndarray) -> np.ndarray:
    """Mean over the stacked trees of their leaf values, (n, n_outputs) (a forest's
    prediction), gathered block by block while the leaves are in cache."""
    value = stack[5]
    out = np.empty((len(X), value.shape[1]))
    for lo, hi, block in _leaf_blocks(stack, X):
        vals = value.take(block.T.ravel(), axis=0).reshape(block.shape[1], hi - lo, -1)
        acc = out[lo:hi]
        acc[:] = vals[0]
        for tree_vals in vals[1:]:  # tree after tree, as scikit-learn accumulates
            acc += tree_vals
    out /= len(stack[0])
    return out


def _leaf_blocks(stack: tuple, X: np.ndarray):
    """Blocks ``(lo, hi, leaves (hi − lo, n_trees))`` of rows with their leaves.

    In a block all (row, tree) paths descend together, one level per step:
    x = X[row, feature[node]], node = children[2·node + (x > threshold[node])] (left
    when x ≤ threshold, scikit-learn's rule). Paths that reached a leaf are dropped from
    the step once a quarter of those left have.
    """
    roots, children, feature, threshold, n_inner = stack[:5]
    n, d = X.shape
    n_trees = len(roots)
    flat = np.asarray(X, dtype=np.float32).ravel()  # scikit-learn compares float32 values
    block = max(1, _PAIRS // n_trees)
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        node = np.tile(roots, hi - lo)
        base = np.repeat(np.arange(lo * d, hi * d, d, dtype=np.intp), n_trees)
        _descend(node, base, flat, children, feature, threshold, n_inner)
        yield lo, hi, node.reshape(hi - lo, n_trees)


def _descend(out, base, flat, children, feature, threshold, n_inner: int) -> None:
    """Walk every path from its node in ``out`` to its leaf, in place; ``base`` is each
    path's row offset in the flattened X; nodes ≥ ``n_inner`` are leaves."""
    pos = np.flatnonzero(out < n_inner)
    node, base = out.take(pos), base.take(pos)
    while len(node):
        x = flat.take(base + feature.take(node))
        step = node + node
        step += x > threshold.take(node)
        node = children.take(step)
        done = node >= n_inner
        n_done = np.count_nonzero(done)
        if _COMPACT * n_done >= len(node):
            out[pos] = node  # leaves are final, the others are refreshed later
            keep = np.flatnonzero(~done)
            node, base, pos = node.take(keep), base.take(keep), pos.take(keep)


_COMPACT = 4


def predict_many(stack: tuple, X: np.ndarray) -> np.ndarray:
    """Leaf values of every stacked tree for every row, (n, n_trees, n_outputs)."""
    return stack[5][apply_many(stack, X)]
