"""Growing a CART tree level by level, with a split search vectorised over the level.

For every candidate feature the node's samples are kept sorted (``order``, one row per
feature, partitioned stably when a node splits, so nothing is re-sorted); cumulative
sums of the weighted targets along that order give the statistics of every left/right
partition at once, for every node of a depth together, and one grouped maximum picks
each node's best (feature, threshold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CRITERIA_CLF = ("gini", "entropy", "log_loss")
CRITERIA_REG = ("squared_error",)
_FEATURE_EPS = 1e-7  # values closer than this are not split apart (as scikit-learn)


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


def _impurity(stats: np.ndarray, weight: np.ndarray, criterion: str) -> np.ndarray:
    """Impurity of each node from its weighted target sums, (m, K) and (m,) → (m,).

    gini 1 − Σ p_k², entropy −Σ p_k log₂ p_k (classification, stats = class weights);
    squared error Σwy²/W − (Σwy/W)² (regression, stats = [Σwy, Σwy²]).
    """
    if criterion == "squared_error":
        mean = stats[:, 0] / weight
        return np.maximum(stats[:, 1] / weight - mean * mean, 0.0)
    p = stats / weight[:, None]
    if criterion == "gini":
        return 1.0 - (p * p).sum(axis=1)
    return -(_xlogx(p) / np.log(2.0)).sum(axis=1)


def _split_scores(left, total, w_left, w_node, crit):
    """Score every split (larger is better) from its left statistics.

    Minimising W_L·I_L + W_R·I_R is maximising, for gini, Σ_k L_k²/W_L + Σ_k R_k²/W_R;
    for entropy, Σ_k L_k log L_k − W_L log W_L + (same for R); for squared error,
    S_L²/W_L + S_R²/W_R with S the weighted target sum.

    Shape: left, total (c, K) left and node sums (K = 2, [Σwy, Σwy²], for regression),
    w_left, w_node (c,) → (c,).
    """
    w_right = w_node - w_left
    with np.errstate(divide="ignore", invalid="ignore"):
        if crit == "squared_error":
            s_left = left[:, 0]
            s_right = total[:, 0] - s_left
            return s_left**2 / w_left + s_right**2 / w_right
        right = total - left
        if crit == "gini":
            return (left * left).sum(-1) / w_left + (right * right).sum(-1) / w_right
        return _xlogx(left).sum(-1) - _xlogx(w_left) + _xlogx(right).sum(-1) - _xlogx(w_right)


def _xlogx(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)


def _segment_sums(v: np.ndarray, first: np.ndarray, last: np.ndarray, n_runs, is_cand):
    """Inclusive sums of ``v`` from each candidate's pair start, and the pair totals.

    v (R, ...) per run; pair p holds runs ``first[p] … last[p]`` (``n_runs[p]`` of them),
    and the candidates are the runs where ``is_cand`` (R,) holds.
    """
    cz = np.concatenate([np.zeros((1,) + v.shape[1:], dtype=v.dtype), np.cumsum(v, axis=0)])
    base = cz[first]
    total = np.repeat(cz[last + 1] - base, n_runs, axis=0)[is_cand]
    return (cz[1:] - np.repeat(base, n_runs, axis=0))[is_cand], total


def _runs_at(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ranges ``starts[i] … starts[i] + lengths[i] − 1``."""
    shift = starts - np.cumsum(lengths) + lengths
    return np.repeat(shift, lengths) + np.arange(lengths.sum())


def _assemble(levels: list[dict]) -> Tree:
    """Flat arrays from the per-depth records; children come in (left, right) pairs."""

    def cat(key):
        return np.concatenate([level[key] for level in levels])

    parent = cat("parent")
    left = np.full(len(parent), -1, dtype=np.intp)
    right = np.full(len(parent), -1, dtype=np.intp)
    child = np.flatnonzero(parent >= 0)
    left[parent[child[0::2]]] = child[0::2]
    right[parent[child[1::2]]] = child[1::2]
    return Tree(
        children_left=left,
        children_right=right,
        feature=cat("feature").astype(np.intp),
        threshold=cat("threshold").astype(np.float64),
        value=np.concatenate([level["value"] for level in levels], axis=0),
        impurity=cat("impurity"),
        n_node_samples=cat("n").astype(np.intp),
        weighted_n_node_samples=cat("w"),
        max_depth=levels[-1]["depth"],
    )


class TreeBuilder:
    """Breadth-first CART growth with the stopping rules of scikit-learn's ``DecisionTree*``.

    All nodes of one depth are split together: their samples lie in contiguous segments of
    ``order`` (one row per feature, each segment sorted along its row's feature), so one
    pass of ``bincount``/``cumsum`` over every (node, feature) segment scores every
    candidate split of the level, and a stable partition of the rows gives the children's
    segments, still sorted — nothing is ever re-sorted.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss", "squared_error"}
    max_depth : int or None
    min_samples_split, min_samples_leaf : int
        Counted in (distinct) samples, as scikit-learn.
    max_features : int
        Features drawn per node; the rest are tried when none of those has a valid split.
    min_impurity_decrease : float
        A split must reduce W·impurity by at least this fraction of the total weight.
    rng : numpy Generator
    """

    def __init__(
        self,
        criterion,
        max_depth,
        min_samples_split,
        min_samples_leaf,
        max_features,
        min_impurity_decrease,
        rng,
    ):
        self.criterion = "entropy" if criterion == "log_loss" else criterion
        self.max_depth = np.inf if max_depth is None else max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.rng = rng

    def build(
        self, X: np.ndarray, targets: np.ndarray, weight: np.ndarray, order: np.ndarray
    ) -> Tree:
        """Grow a tree.

        ``targets`` is (n, K) one-hot classes or (n, 1) regression targets; ``weight`` is
        (n,); ``order`` is (n_features, n_active): the samples with positive weight,
        sorted along each feature.
        """
        regression = self.criterion == "squared_error"
        if regression:  # statistics [Σwy, Σwy²]
            y = targets[:, 0]
            self._stats = np.stack([weight * y, weight * y * y], axis=1)
            self._codes = None
        else:  # statistics: the class weights
            self._codes, self._n_classes = targets.argmax(axis=1), targets.shape[1]
        self._X, self._w = X, weight
        self._XT = np.ascontiguousarray(X.T)
        self._total_weight = weight[order[0]].sum()
        levels = []
        sizes = np.array([order.shape[1]])
        parents = np.array([-1])
        n_done, depth = 0, 0
        while sizes.size:
            lo = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            seg = np.repeat(np.arange(len(sizes)), sizes)
            stats, w_node = self._sum_stats(seg, order[0], len(sizes))
            impurity = _impurity(stats, w_node, self.criterion)
            value = (stats[:, :1] if regression else stats) / w_node[:, None]
            level = dict(
                parent=parents,
                value=value,
                impurity=impurity,
                n=sizes,
                w=w_node,
                feature=np.full(len(sizes), -2),
                threshold=np.full(len(sizes), -2.0),
                depth=depth,
            )
            levels.append(level)
            split = np.flatnonzero(
                (depth < self.max_depth)
                & (sizes >= self.min_samples_split)
                & (sizes >= 2 * self.min_samples_leaf)
                & (impurity > 1e-12)
            )
            feature, threshold = self._best_splits(order, lo, sizes, split, w_node, impurity)
            ok = feature >= 0
            split, feature, threshold = split[ok], feature[ok], threshold[ok]
            level["feature"][split], level["threshold"][split] = feature, threshold
            ids = n_done + np.arange(len(sizes))
            n_done += len(sizes)
            if not split.size:
                break
            order, sizes = self._partition(order, lo, seg, split, feature, threshold)
            parents = np.repeat(ids[split], 2)
            depth += 1
        return _assemble(levels)

    def _sum_stats(self, seg: np.ndarray, ids: np.ndarray, m: int):
        """Per-node statistics (m, K) and weights (m,) by weighted ``bincount``."""
        w = self._w[ids]
        w_node = np.bincount(seg, w, m)
        if self._codes is None:
            stats = np.stack([np.bincount(seg, self._stats[ids, c], m) for c in (0, 1)], axis=1)
        else:
            k = self._n_classes
            stats = np.bincount(seg * k + self._codes[ids], w, m * k).reshape(m, k)
        return stats, w_node

    def _best_splits(self, order, lo, sizes, nodes, w_node, impurity):
        """(feature, threshold) of the best split of each node in ``nodes`` (−1: none)."""
        feature = np.full(len(nodes), -1)
        threshold = np.zeros(len(nodes))
        n_features = order.shape[0]
        if not nodes.size:
            return feature, threshold
        if self.max_features >= n_features:
            chunks = [np.broadcast_to(np.arange(n_features), (len(nodes), n_features))]
        else:
            perm = np.argsort(self.rng.random((len(nodes), n_features)), axis=1)
            chunks = [perm[:, : self.max_features], perm[:, self.max_features :]]
        todo = np.arange(len(nodes))
        for feats in chunks:
            f, t = self._search(order, lo, sizes, nodes[todo], feats[todo], w_node, impurity)
            feature[todo], threshold[todo] = f, t
            todo = todo[f < 0]
            if not todo.size:
                break
        return feature, threshold

    def _search(self, order, lo, sizes, nodes, feats, w_node, impurity):
        """Best split of each node over its candidate features ``feats`` (m, f).

        Every (node, feature) pair contributes the node's samples sorted by the feature.
        Samples with (nearly) equal values cannot be separated, so they are grouped into
        runs; one weighted ``bincount`` gives the statistics of every run, and cumulative
        sums within each pair the left child of every admissible threshold. Ties go to
        the first feature drawn, then to the lowest threshold.
        """
        m, f = feats.shape
        if f == order.shape[0] and self.max_features >= f:
            ids, xs, pstart, plen, pair_node, pair_feat = self._pairs_all(order, lo, sizes, nodes)
        else:
            ids, xs, pstart, plen, pair_node, pair_feat = self._pairs_drawn(
                order, lo, sizes, nodes, feats
            )
        new_run = np.empty(len(xs), dtype=bool)
        new_run[0] = True
        np.greater(xs[1:], xs[:-1] + _FEATURE_EPS, out=new_run[1:])
        new_run[pstart] = True
        run = np.cumsum(new_run) - 1
        n_runs = int(run[-1]) + 1
        w = self._w[ids]
        counts = np.bincount(run, minlength=n_runs)
        w_runs = np.bincount(run, w, n_runs)
        if self._codes is None:
            s_runs = np.stack([np.bincount(run, self._stats[ids, c], n_runs) for c in (0, 1)], 1)
        else:
            k = self._n_classes
            s_runs = np.bincount(run * k + self._codes[ids], w, n_runs * k).reshape(n_runs, k)
        first = run[pstart]  # first run of each pair
        last = np.append(first[1:], n_runs) - 1
        runs_in = last - first + 1
        run_pair = np.repeat(np.arange(len(first)), runs_in)
        is_cand = np.arange(n_runs) != last[run_pair]  # not a pair's last run
        pc = run_pair[is_cand]
        k = s_runs.shape[1]
        both = np.column_stack([s_runs, w_runs, counts])
        left, total = _segment_sums(both, first, last, runs_in, is_cand)
        w_left, w_tot = left[:, k], total[:, k]
        n_left = left[:, k + 1].astype(np.intp)
        left, total = left[:, :k], total[:, :k]
        n_node = plen[pc]
        leaf = self.min_samples_leaf
        valid = (n_left >= leaf) & (n_node - n_left >= leaf) & (w_left > 0) & (w_left < w_tot)
        scores = np.full(len(pc), -np.inf)
        scores[valid] = _split_scores(
            left[valid], total[valid], w_left[valid], w_tot[valid], self.criterion
        )
        scores[~np.isfinite(scores)] = -np.inf
        node_of = pair_node[pc]
        best = np.full(m, -np.inf)
        np.maximum.at(best, node_of, scores)
        hit = np.flatnonzero((scores == best[node_of]) & np.isfinite(scores))
        first_hit = np.full(m, len(pc))
        np.minimum.at(first_hit, node_of[hit], hit)  # first feature drawn, lowest threshold
        won = np.flatnonzero(first_hit < len(pc))
        chosen = first_hit[won]
        feature = np.full(m, -1)
        threshold = np.zeros(m)
        if not chosen.size:
            return feature, threshold
        if self.min_impurity_decrease > 0:
            wl, wt = w_left[chosen], w_tot[chosen]
            gain = w_node[nodes[won]] * impurity[nodes[won]]
            gain -= wl * _impurity(left[chosen], wl, self.criterion)
            gain -= (wt - wl) * _impurity(total[chosen] - left[chosen], wt - wl, self.criterion)
            keep = gain >= self.min_impurity_decrease * self._total_weight
            chosen, won = chosen[keep], won[keep]
        p = pstart[pc[chosen]] + n_left[chosen]  # first entry going right
        lo_x, hi_x = xs[p - 1], xs[p]
        thr = lo_x / 2.0 + hi_x / 2.0
        bad = (thr >= hi_x) | ~np.isfinite(thr)
        thr[bad] = lo_x[bad]
        feature[won] = pair_feat[pc[chosen]]
        threshold[won] = thr
        return feature, threshold

    def _pairs_all(self, order, lo, sizes, nodes):
        """Entries of every (feature, node) pair, feature-major, when all features compete.

        Returns the sample ids and feature values of the entries (flat), the start and
        length of each pair, and each pair's node (index into ``nodes``) and feature.
        """
        n_feat = order.shape[0]
        if len(nodes) == len(sizes):
            sub = order
            seg_lo, seg_len = lo, sizes
        else:
            seg_len = sizes[nodes]
            cols = np.repeat(lo[nodes] - np.cumsum(seg_len) + seg_len, seg_len)
            cols += np.arange(len(cols))
            sub = order[:, cols]
            seg_lo = np.cumsum(seg_len) - seg_len
        n_cols = sub.shape[1]
        feat = np.arange(n_feat)
        xs = self._XT[feat[:, None], sub]
        m = len(nodes)
        pstart = (feat[:, None] * n_cols + seg_lo).ravel()
        plen = np.repeat(seg_len[None], n_feat, axis=0).ravel()
        pair_node = np.repeat(np.arange(m)[None], n_feat, axis=0).ravel()
        pair_feat = np.repeat(feat, m)
        return sub.ravel(), xs.ravel(), pstart, plen, pair_node, pair_feat

    def _pairs_drawn(self, order, lo, sizes, nodes, feats):
        """As :meth:`_pairs_all`, node-major, for the features ``feats`` (m, f) drawn."""
        m, f = feats.shape
        pair_node = np.repeat(nodes, f)
        pair_feat = feats.ravel()
        plen = sizes[pair_node]
        pstart = np.concatenate([[0], np.cumsum(plen)[:-1]])
        ent_feat = np.repeat(pair_feat, plen)
        ids = order[ent_feat, _runs_at(lo[pair_node], plen)]
        xs = self._XT[ent_feat, ids]
        return ids, xs, pstart, plen, np.repeat(np.arange(m), f), pair_feat

    def _partition(self, order, lo, seg, nodes, feature, threshold):
        """Children's segments: each split node's samples, stably partitioned left | right.

        Returns the new ``order`` (only samples of split nodes) and the child sizes,
        [left, right] per split node.
        """
        node_feat = np.full(len(lo), -1)
        node_thr = np.zeros(len(lo))
        node_feat[nodes], node_thr[nodes] = feature, threshold
        ids0 = order[0]
        keep = node_feat[seg] >= 0
        goes_left = np.zeros(len(self._X), dtype=bool)
        kept_ids = ids0[keep]
        goes_left[kept_ids] = self._X[kept_ids, node_feat[seg[keep]]] <= node_thr[seg[keep]]
        n_left = np.bincount(seg, goes_left[ids0], len(lo)).astype(np.intp)[nodes]
        n_right = np.bincount(seg, minlength=len(lo))[nodes] - n_left
        child_sizes = np.stack([n_left, n_right], axis=1).ravel()
        child_lo = np.concatenate([[0], np.cumsum(child_sizes)[:-1]]).reshape(-1, 2)
        # every row holds the same samples, so each row has the same number of left
        # (right) entries, and they land in the same columns of the new order
        side = np.zeros(len(self._X), dtype=np.int8)  # 0 dropped, 1 left, 2 right
        side[kept_ids] = 2 - goes_left[kept_ids]
        side_of = side[order]
        n_feat = order.shape[0]
        lefts = order[side_of == 1].reshape(n_feat, -1)
        rights = order[side_of == 2].reshape(n_feat, -1)
        new = np.empty((n_feat, lefts.shape[1] + rights.shape[1]), dtype=order.dtype)
        new[:, _runs_at(child_lo[:, 0], n_left)] = lefts
        new[:, _runs_at(child_lo[:, 1], n_right)] = rights
        return new, child_sizes
