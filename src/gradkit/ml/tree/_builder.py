"""Growing CART trees level by level, all nodes of a depth (of one or many trees) at once.

The nodes of a level lie in contiguous segments of the rows of a layout (``_layout``),
which gives the split search each node's samples sorted by every candidate feature; one
search scores all of them, and the chosen splits partition the rows for the next level.
Only the nodes that can still be split stay in the rows. Several trees (a forest, or the
per-class trees of a boosting stage) grow side by side: each owns its copies of the
samples (see ``_splitter``).
"""

from __future__ import annotations

import numpy as np

from ..base import check_random_state
from ._layout import LEFT, OUT, RIGHT, Presorted, Ranked
from ._splitter import CRITERIA_CLF, CRITERIA_REG, Splitter, filled, impurity, runs_at
from ._tree import Tree

__all__ = ["CRITERIA_CLF", "CRITERIA_REG", "TreeBuilder"]

_BATCH_ENTRIES = 1 << 15  # (feature, sample) entries of the trees grown together (L2-sized)
_RANKED_BATCH_ENTRIES = 1 << 16  # drawn entries sorted at once (argsort slows beyond)
_RANKED_RATIO = 4  # sort the drawn pairs when at most 1 feature in 4 is drawn


class _Level:
    """The nodes of one depth, with global ids ``first …``: parent, tree, statistics, and
    the splits chosen (node indices, feature, threshold)."""

    def __init__(self, first, depth, parent, tree, stats, weight, count, criterion):
        self.first, self.depth = first, depth
        self.parent, self.tree = parent, tree
        self.stats, self.weight, self.count = stats, weight, count
        self.impurity = impurity(stats, weight, criterion)
        self.splits = None


class TreeBuilder:
    """Breadth-first CART growth with the stopping rules of scikit-learn's ``DecisionTree*``.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss", "squared_error"}
    max_depth : int or None
    min_samples_split, min_samples_leaf : int
        Counted in (distinct) samples, as scikit-learn.
    max_features : int
        Features drawn per node; the rest are tried when none of those has a valid split.
    min_impurity_decrease : float
        A split must reduce W·impurity by at least this fraction of the tree's weight.
    random_state : int, Generator or None
        Draws the feature subsets (the Generator is made at the first draw), unless
        :meth:`build` is given one Generator per tree.
    """

    def __init__(
        self,
        criterion,
        max_depth,
        min_samples_split,
        min_samples_leaf,
        max_features,
        min_impurity_decrease,
        random_state,
    ):
        self.criterion = "entropy" if criterion == "log_loss" else criterion
        self.max_depth = np.inf if max_depth is None else max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.random_state = random_state

    def _ranked(self, n_features: int) -> bool:
        """Whether so few features are drawn per node that sorting the drawn pairs
        (:class:`Ranked`) beats partitioning every feature's row (:class:`Presorted`)."""
        return self.max_features * _RANKED_RATIO <= n_features

    def batches(self, active: np.ndarray, n_features: int) -> list[slice]:
        """Consecutive groups of the trees (rows of ``active`` (T, n), the samples with
        positive weight) small enough to grow together (≥ 1 tree each)."""
        if self._ranked(n_features):
            budget, per_sample = _RANKED_BATCH_ENTRIES, self.max_features
        else:
            budget, per_sample = _BATCH_ENTRIES, n_features
        groups, start, total = [], 0, 0
        for t, size in enumerate((per_sample * active.sum(axis=1)).tolist()):
            if t > start and total + size > budget:
                groups.append(slice(start, t))
                start, total = t, 0
            total += size
        groups.append(slice(start, len(active)))
        return groups

    def build(self, X, order, targets, weight, n_classes=None, rngs=None) -> list[Tree]:
        """Grow one tree per row of ``targets`` / ``weight``.

        ``X`` (n, d); ``order`` (d, n) the argsort of each column of X; ``targets`` (T, n)
        class codes (with ``n_classes``) or regression targets; ``weight`` (T, n) ≥ 0,
        every row with a positive entry. ``rngs``: one Generator per tree drawing its
        feature subsets, so a tree does not depend on the trees grown beside it.
        """
        n_trees, n = weight.shape
        self._rngs = rngs
        self._n_features = X.shape[1]
        self._splitter = Splitter(self.criterion, self.min_samples_leaf, targets, weight, n_classes)
        self._side = np.empty(n_trees * n, dtype=np.int8)
        tree_weight = weight.sum(axis=1)
        active = weight > 0
        seg_len = active.sum(axis=1)
        layout = (Ranked if self._ranked(X.shape[1]) else Presorted).roots(X, order, active)
        tree = np.arange(n_trees).repeat(seg_len)
        stats, w, count = self._splitter.node_stats(tree, layout.members, n_trees)
        level = _Level(
            0, 0, filled(n_trees, -1), np.arange(n_trees), stats, w, count, self.criterion
        )
        levels = [level]
        ok = self._splittable(level)
        seg_node = ok.nonzero()[0]
        if not ok.all():
            self._side.fill(OUT)
            self._side[layout.members[ok.take(tree)]] = LEFT
            layout = layout.split(self._side)
        seg_len = seg_len.take(seg_node)
        while seg_node.size:
            level, seg_node, seg_len, layout = self._grow_level(
                levels[-1], seg_node, seg_len, layout, tree_weight
            )
            if level is None:
                break
            levels.append(level)
        return _assemble(levels, n_trees, n_classes is None)

    def _splittable(self, level: _Level) -> np.ndarray:
        """Nodes the stopping rules allow to split."""
        if level.depth >= self.max_depth:
            return np.zeros(len(level.count), dtype=bool)
        enough = level.count >= max(self.min_samples_split, 2 * self.min_samples_leaf)
        enough &= level.impurity > 1e-12
        return enough

    def _grow_level(self, level, seg_node, seg_len, layout, tree_weight):
        """Split the segments' nodes; the children's level, their segments (node, length)
        and the split layout — or None when no node splits.

        The copies of a split node are marked right, then those the search sends left
        (``self._side``); copies of nodes that stay leaves are dropped.
        """
        seg_lo = seg_len.cumsum()
        seg_lo -= seg_len
        split, feature, threshold, lefts = self._best_splits(
            layout, seg_lo, seg_len, level.tree.take(seg_node)
        )
        if not split.size:
            return None, None, None, None
        side = self._side
        side.fill(OUT)
        members = layout.members
        if len(split) < len(seg_lo):
            members = members.take(runs_at(seg_lo.take(split), seg_len.take(split)))
        side[members] = RIGHT
        side[lefts] = LEFT
        children, child = self._children(level, seg_node.take(split), seg_len.take(split), members)
        if self.min_impurity_decrease > 0:
            keep = self._enough_decrease(level, seg_node.take(split), children, tree_weight)
            if not keep.all():
                moved = keep.take(child // 2)
                side[members[~moved]] = OUT
                split, members = split[keep], members[moved]
                feature, threshold = feature[keep], threshold[keep]
                if not split.size:
                    return None, None, None, None
                children, child = self._children(
                    level, seg_node.take(split), seg_len.take(split), members
                )
        level.splits = seg_node.take(split), feature, threshold
        ok = self._splittable(children)
        if not ok.all():
            side[members[~ok.take(child)]] = OUT
        seg_node = np.concatenate([ok[0::2].nonzero()[0] * 2, ok[1::2].nonzero()[0] * 2 + 1])
        if seg_node.size:
            layout = layout.split(side)
        return children, seg_node, children.count.take(seg_node), layout

    def _children(self, level, nodes, sizes, members):
        """The children of the split ``nodes`` (of ``sizes`` copies, ``members``), in
        (left, right) pairs, by the sides marked; also each member's child."""
        child = np.arange(0, 2 * len(nodes), 2).repeat(sizes)
        child += self._side.take(members)
        stats, w, count = self._splitter.node_stats(child, members, 2 * len(nodes))
        children = _Level(
            level.first + len(level.tree),
            level.depth + 1,
            (level.first + nodes).repeat(2),
            level.tree.take(nodes).repeat(2),
            stats,
            w,
            count,
            self.criterion,
        )
        return children, child

    def _enough_decrease(self, level, nodes, children, tree_weight) -> np.ndarray:
        """Splits with W·I − W_L·I_L − W_R·I_R ≥ min_impurity_decrease · W_tree."""
        wi = children.weight * children.impurity
        gain = level.weight[nodes] * level.impurity[nodes] - wi[0::2] - wi[1::2]
        return gain >= self.min_impurity_decrease * tree_weight[level.tree[nodes]]

    def _best_splits(self, layout, seg_lo, seg_len, seg_tree):
        """The segments with a split (ascending), its feature and threshold, and the
        copies that go left; ``seg_tree`` is the tree of each segment."""
        m = len(seg_lo)
        n_features = self._n_features
        search = self._splitter.search
        if self.max_features >= n_features:
            return search(*layout.all_pairs(seg_lo, seg_len), m)
        drawn = np.argsort(self._uniforms(seg_tree, n_features), axis=1)
        mf = self.max_features
        found = search(*layout.drawn_pairs(seg_lo, seg_len, drawn[:, :mf]), m)
        todo = np.ones(m, dtype=bool)
        todo[found[0]] = False
        todo = todo.nonzero()[0]  # none of the drawn features splits: try the rest
        if not todo.size:
            return found
        pairs = layout.drawn_pairs(seg_lo.take(todo), seg_len.take(todo), drawn[todo, mf:])
        more = search(*pairs, len(todo))
        split, feature, threshold, lefts = (np.concatenate(ab) for ab in zip(found, more))
        split[len(found[0]) :] = todo.take(more[0])
        order = split.argsort()
        return split.take(order), feature.take(order), threshold.take(order), lefts

    def _uniforms(self, seg_tree, n_features: int) -> np.ndarray:
        """Uniform draws (segments, n_features) that rank the features of each segment:
        from the builder's generator, or row by row from each segment's tree's own."""
        if getattr(self, "_rngs", None) is None:
            self.random_state = check_random_state(self.random_state)
            return self.random_state.random((len(seg_tree), n_features))
        u = np.empty((len(seg_tree), n_features))
        by_tree = np.argsort(seg_tree, kind="stable")
        counts = np.bincount(seg_tree, minlength=len(self._rngs))
        start = 0
        for t in np.flatnonzero(counts):
            u[by_tree[start : start + counts[t]]] = self._rngs[t].random((counts[t], n_features))
            start += counts[t]
        return u


def _assemble(levels: list[_Level], n_trees: int, regression: bool) -> list[Tree]:
    """One :class:`Tree` per tree, nodes numbered breadth-first within each tree."""

    def cat(name):
        return np.concatenate([getattr(level, name) for level in levels])

    tree, parent, weight, stats = cat("tree"), cat("parent"), cat("weight"), cat("stats")
    feature, threshold = filled(len(tree), -2), filled(len(tree), -2.0)  # −2: a leaf
    for level in levels:
        if level.splits is not None:
            nodes, f, t = level.splits
            feature[level.first + nodes], threshold[level.first + nodes] = f, t
    value = stats[:, :1] / weight[:, None] if regression else stats / weight[:, None]
    sizes = np.bincount(tree, minlength=n_trees)
    local = np.arange(len(tree))  # index within the node's own tree
    if n_trees > 1:
        by_tree = tree.argsort(kind="stable")  # breadth-first within each tree
        local[by_tree] = local - (sizes.cumsum() - sizes).repeat(sizes)
    left = np.full(len(tree), -1)
    right = np.full(len(tree), -1)
    child = (parent >= 0).nonzero()[0]  # (left, right) sibling pairs
    left[parent[child[0::2]]] = local[child[0::2]]
    right[parent[child[1::2]]] = local[child[1::2]]
    columns = {
        "children_left": left,
        "children_right": right,
        "feature": feature,
        "threshold": threshold,
        "value": value,
        "impurity": cat("impurity"),
        "n_node_samples": cat("count"),
        "weighted_n_node_samples": weight,
    }
    if n_trees == 1:
        return [Tree(**columns, max_depth=levels[-1].depth)]
    depth = np.zeros(n_trees, dtype=int)
    for level in levels:  # the last level holding a node of the tree
        depth[level.tree] = level.depth
    ends = sizes.cumsum()[:-1]
    columns = {k: np.split(v[by_tree], ends) for k, v in columns.items()}
    return [
        Tree(**{k: v[t] for k, v in columns.items()}, max_depth=int(depth[t]))
        for t in range(n_trees)
    ]
