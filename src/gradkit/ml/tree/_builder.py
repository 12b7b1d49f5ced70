"""Growing a CART tree depth-first, with a split search vectorised over thresholds.

For every candidate feature the node's samples are kept sorted (``order``, one row per
feature, partitioned stably when a node splits, so nothing is re-sorted); cumulative
sums of the weighted targets along that order give the statistics of every left/right
partition at once, and one ``argmax`` picks the best (feature, threshold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CRITERIA_CLF = ("gini", "entropy", "log_loss")
CRITERIA_REG = ("squared_error",)
_FEATURE_EPS = 1e-7  # values closer than this are not split apart (as scikit-learn)


@dataclass
class Tree:
    """A fitted binary tree in flat arrays (node 0 is the root; ``-1`` marks no child).

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


def _impurity(stats: np.ndarray, weight: float, criterion: str) -> float:
    """Node impurity from its weighted target sums.

    gini 1 − Σ p_k², entropy −Σ p_k log₂ p_k (classification, stats = class weights);
    squared error Σwy²/W − (Σwy/W)² (regression, stats = [Σwy, Σwy²]).
    """
    if criterion == "squared_error":
        mean = stats[0] / weight
        return max(stats[1] / weight - mean * mean, 0.0)
    p = stats / weight
    if criterion == "gini":
        return float(1.0 - p @ p)
    p = p[p > 0]
    return float(-(p @ np.log2(p)))


def _split_scores(cum: np.ndarray, total: np.ndarray, w_left: np.ndarray, w_node: float, crit):
    """Score every split (larger is better) from cumulative left statistics.

    Minimising W_L·I_L + W_R·I_R is maximising, for gini, Σ_k L_k²/W_L + Σ_k R_k²/W_R;
    for entropy, Σ_k L_k log L_k − W_L log W_L + (same for R); for squared error,
    S_L²/W_L + S_R²/W_R with S the weighted target sum.

    Shape: cum (f, n−1, K) left sums (K = 1: Σwy for regression), total (f, K),
    w_left (f, n−1) → (f, n−1).
    """
    w_right = w_node - w_left
    with np.errstate(divide="ignore", invalid="ignore"):
        if crit == "squared_error":
            s_left = cum[..., 0]
            s_right = total[:, None, 0] - s_left
            return s_left**2 / w_left + s_right**2 / w_right
        right = total[:, None, :] - cum
        if crit == "gini":
            return (cum * cum).sum(-1) / w_left + (right * right).sum(-1) / w_right
        return _xlogx(cum).sum(-1) - _xlogx(w_left) + _xlogx(right).sum(-1) - _xlogx(w_right)


def _xlogx(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)


class TreeBuilder:
    """Depth-first CART growth with the stopping rules of scikit-learn's ``DecisionTree*``.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss", "squared_error"}
    max_depth : int or None
    min_samples_split, min_samples_leaf : int
        Counted in (distinct) samples, as scikit-learn.
    max_features : int
        Features drawn per node; more are drawn while no valid split has been found.
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
        if regression:
            y = targets[:, 0]
            stats = np.stack([weight * y, weight * y * y], axis=1)
            self._codes, self._wy, self._n_stats = None, stats[:, 0].copy(), 1
        else:
            stats = targets * weight[:, None]
            self._codes, self._n_stats = targets.argmax(axis=1), targets.shape[1]
        self._X, self._stats, self._w = X, stats, weight
        self._is_left = np.zeros(len(X), dtype=bool)
        self._total_weight = weight[order[0]].sum()
        nodes: list[list] = []
        depth_reached = 0
        stack = [(order, 0, -1, False)]
        while stack:
            node_order, depth, parent, is_left = stack.pop()
            node_id = len(nodes)
            if parent >= 0:
                nodes[parent][1 if is_left else 2] = node_id
            samples = node_order[0]
            node_stats = stats[samples].sum(axis=0)
            w_node = weight[samples].sum()
            impurity = _impurity(node_stats, w_node, self.criterion)
            if regression:
                value = node_stats[:1] / w_node
            else:
                value = node_stats / w_node
            # [feature, left, right, threshold, value, impurity, n, weighted n]
            nodes.append([-2, -1, -1, -2.0, value, impurity, len(samples), w_node])
            depth_reached = max(depth_reached, depth)
            n = len(samples)
            if (
                depth >= self.max_depth
                or n < self.min_samples_split
                or n < 2 * self.min_samples_leaf
                or impurity <= 1e-12
            ):
                continue
            split = self._best_split(node_order, w_node, impurity)
            if split is None:
                continue
            feature, threshold, left_order, right_order = split
            nodes[node_id][0], nodes[node_id][3] = feature, threshold
            stack.append((right_order, depth + 1, node_id, False))
            stack.append((left_order, depth + 1, node_id, True))
        cols = list(zip(*nodes, strict=True))
        return Tree(
            children_left=np.array(cols[1], dtype=np.intp),
            children_right=np.array(cols[2], dtype=np.intp),
            feature=np.array(cols[0], dtype=np.intp),
            threshold=np.array(cols[3], dtype=np.float64),
            value=np.array(cols[4], dtype=np.float64),
            impurity=np.array(cols[5], dtype=np.float64),
            n_node_samples=np.array(cols[6], dtype=np.intp),
            weighted_n_node_samples=np.array(cols[7], dtype=np.float64),
            max_depth=depth_reached,
        )

    def _best_split(self, order: np.ndarray, w_node: float, impurity: float):
        n_features, n = order.shape
        if self.max_features >= n_features:
            chunks = [np.arange(n_features)]
        else:
            perm = self.rng.permutation(n_features)
            chunks = [perm[: self.max_features], perm[self.max_features :]]
        for feats in chunks:
            found = self._search(order, feats, w_node, impurity)
            if found is not None:
                return found
        return None

    def _search(self, order, feats, w_node, impurity):
        """Best split over ``feats``: statistics per run of equal values, then cumsums.

        Samples with (nearly) equal values cannot be separated, so each feature's sorted
        samples are grouped into runs; one weighted ``bincount`` gives the statistics of
        every run, and their cumulative sums the left child of every admissible threshold.
        """
        n_features, n = order.shape
        f = len(feats)
        ids = order[feats]  # (f, n) sample ids sorted by each feature
        xs = self._X[ids, feats[:, None]]
        run = np.zeros((f, n), dtype=np.intp)
        np.cumsum(xs[:, 1:] > xs[:, :-1] + _FEATURE_EPS, axis=1, out=run[:, 1:])
        n_runs = int(run[:, -1].max()) + 1
        if n_runs < 2:
            return None
        k = self._n_stats
        base = (np.arange(f)[:, None] * n_runs + run).ravel()
        counts = np.bincount(base, minlength=f * n_runs).reshape(f, n_runs)
        w_runs = np.bincount(base, self._w[ids].ravel(), f * n_runs).reshape(f, n_runs)
        if self._codes is None:  # regression: one statistic, Σwy
            s_runs = np.bincount(base, self._wy[ids].ravel(), f * n_runs)
        else:
            key = base * k + self._codes[ids].ravel()
            s_runs = np.bincount(key, self._w[ids].ravel(), f * n_runs * k)
        s_runs = s_runs.reshape(f, n_runs, k)
        n_left = np.cumsum(counts, axis=1)[:, :-1]
        w_left = np.cumsum(w_runs, axis=1)[:, :-1]
        cum = np.cumsum(s_runs, axis=1)
        total = cum[:, -1]
        cum = cum[:, :-1]
        leaf = self.min_samples_leaf
        valid = (n_left >= leaf) & (n - n_left >= leaf) & (w_left > 0) & (w_left < w_node)
        if not valid.any():
            return None
        scores = np.where(valid, _split_scores(cum, total, w_left, w_node, self.criterion), -np.inf)
        best = int(np.argmax(scores))
        if not np.isfinite(scores.flat[best]):
            return None
        fi, g = divmod(best, n_runs - 1)
        left_stats, wl = cum[fi, g], w_left[fi, g]
        if self.min_impurity_decrease > 0:
            stats_l = self._node_stats_from(left_stats, ids[fi, : n_left[fi, g]])
            stats_r = self._node_stats_from(total[fi] - left_stats, ids[fi, n_left[fi, g] :])
            imp_l = _impurity(stats_l, wl, self.criterion)
            imp_r = _impurity(stats_r, w_node - wl, self.criterion)
            gain = w_node * impurity - wl * imp_l - (w_node - wl) * imp_r
            if gain < self.min_impurity_decrease * self._total_weight:
                return None
        p = int(n_left[fi, g])  # samples going left
        lo, hi = xs[fi, p - 1], xs[fi, p]
        threshold = lo / 2.0 + hi / 2.0
        if threshold >= hi or not np.isfinite(threshold):
            threshold = lo
        self._is_left[ids[fi, :p]] = True
        self._is_left[ids[fi, p:]] = False
        mask = self._is_left[order]
        left = order[mask].reshape(n_features, p)
        right = order[~mask].reshape(n_features, n - p)
        return int(feats[fi]), float(threshold), left, right

    def _node_stats_from(self, sums: np.ndarray, samples: np.ndarray) -> np.ndarray:
        """Impurity statistics of a child (regression also needs Σwy²)."""
        if self._codes is not None:
            return sums
        return np.array([sums[0], self._stats[samples, 1].sum()])
