"""CART trees grown node by node in scikit-learn's order, drawing its random numbers.

scikit-learn's ``splitter="best"`` draws each node's candidate features with its own
generator (``rand_r``: a 32-bit xorshift seeded by ``RandomState.randint(0, 2³¹ − 1)``)
by a Fisher–Yates walk over a feature array shared by all nodes, which also remembers
the features found constant above a node. The draws depend on the order in which the
nodes are split (depth first, the left subtree before the right; or best first when
``max_leaf_nodes`` is set), so this builder splits the nodes one at a time in that
order, evaluating each node's drawn features at once in NumPy. With the same seed it
grows the same tree as scikit-learn: same nodes, features, thresholds and values (the
proxy of every candidate split is computed with scikit-learn's floating-point
expression, so that equal and nearly equal splits are ranked alike).

When every feature is drawn (``max_features`` = d), each node holds its samples sorted
by every feature, (d, n) sample indices, split stably between the children. Otherwise,
as in scikit-learn, a node's samples are sorted only by the features it draws (by their
rank in a presort of each feature, which gives the same orders), and a feature's
constancy is checked only when the draws visit it, so that a node's work is
proportional to the features it evaluates, not to d.
"""

from __future__ import annotations

import math

import numpy as np

from ._tree import Tree

__all__ = ["RAND_R_MAX", "ExactBuilder", "Presort", "rand_r_seed"]

RAND_R_MAX = 0x7FFFFFFF  # 2³¹ − 1
_EPSILON = float(np.finfo(np.float64).eps)
_FEATURE_THRESHOLD = 1e-7  # values closer than this are not split apart
# (a float32 in scikit-learn, added to float32 values: x + 1e-7 is rounded to float32,
# so XT is kept in float32 and every such test is done in float32 arithmetic)
_LN2 = math.log(2.0)
_INT32_MAX = int(np.iinfo(np.int32).max)


def rand_r_seed(random_state) -> int:
    """The splitter's 32-bit seed, drawn as scikit-learn's ``Splitter.init``:
    ``RandomState.randint(0, RAND_R_MAX)`` (a Generator draws ``integers``)."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, RAND_R_MAX))
    return int(random_state.randint(0, RAND_R_MAX))


class Presort:
    """A data set's per-feature argsort ``order`` (d, N) of ``XT`` (d, N), and what the
    drawn-feature searches derive from it, computed once and shared by the trees of a
    forest: each sample's rank in each order (flattened, d·N), the sorted values
    (flattened) and the samples' rows (N, d) in float32 (X's values)."""

    def __init__(self, XT, order=None):
        self.XT = np.asarray(XT, dtype=np.float32)
        self.order = np.argsort(XT, axis=1) if order is None else order  # ties: any order
        self._derived = None

    def derived(self) -> tuple:
        """(rank, sorted values, rows), computed on first use."""
        if self._derived is None:
            d, N = self.order.shape
            rank = np.empty((d, N), dtype=np.intp)
            rank[np.arange(d)[:, None], self.order] = np.arange(N)
            sorted_x = np.take_along_axis(self.XT, self.order, axis=1).ravel()
            rows = np.ascontiguousarray(self.XT.T, dtype=np.float32)
            self._derived = (rank.ravel(), sorted_x, rows)
        return self._derived


class _Features:
    """The splitter's feature draws: scikit-learn's ``rand_r`` generator and the feature
    array its Fisher–Yates walks permute (shared by all the nodes of a tree)."""

    def __init__(self, seed: int, n_features: int, max_features: int):
        self.state = seed
        self.features = list(range(n_features))
        self.constant = list(range(n_features))
        self.max_features = max_features

    def draw(self, constant, n_known: int) -> tuple[list, int]:
        """The node's features to evaluate, in the order drawn, and the number of
        features known constant for its children.

        ``constant[f]``: whether feature f is constant in the node (a list, or a dict
        holding at least the features the walk visits); the first ``n_known`` entries
        of the feature array are known constant from its ancestors. Draws stop after
        ``max_features`` non-constant features, or when only constant ones are left.
        """
        chosen, n_total, self.state, _ = _walk(
            self.features, self.state, self.max_features, constant, n_known
        )
        features = self.features
        features[:n_known] = self.constant[:n_known]
        self.constant[n_known:n_total] = features[n_known:n_total]
        return chosen, n_total

    def probe(self, known: dict, n_known: int) -> list:
        """The features the next :meth:`draw` would visit whose constancy ``known``
        lacks, taking them as non-constant (a dry run: nothing changes)."""
        return _walk(self.features[:], self.state, self.max_features, known, n_known)[3]


def _walk(features, state, mf, constant, n_known):
    """scikit-learn's Fisher–Yates walk of one node over ``features`` (permuted in
    place), from the ``rand_r`` state ``state``: (chosen, n_total, new state, visited
    features missing from a dict ``constant``, which are taken as non-constant)."""
    n_f = len(features)
    f_i, n_drawn, n_found, n_total, visited = n_f, 0, 0, n_known, 0
    chosen, missing = [], []
    lookup = constant.get if isinstance(constant, dict) else constant.__getitem__
    s = state or 1  # rand_r: xorshift (13, 17, 5) on 32 bits (0 stays 0: taken as 1)
    while f_i > n_total and (visited < mf or visited <= n_found + n_drawn):
        visited += 1
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        f_j = n_drawn + (s & RAND_R_MAX) % (f_i - n_found - n_drawn)
        if f_j < n_known:
            features[n_drawn], features[f_j] = features[f_j], features[n_drawn]
            n_drawn += 1
            continue
        f_j += n_found
        feat = features[f_j]
        is_constant = lookup(feat)
        if is_constant is None:
            missing.append(feat)
        elif is_constant:
            features[f_j], features[n_total] = features[n_total], features[f_j]
            n_found += 1
            n_total += 1
            continue
        f_i -= 1
        features[f_i], features[f_j] = features[f_j], features[f_i]
        chosen.append(feat)
    return chosen, n_total, s, missing


def _entropy(sums, w):
    """−Σ_c (s_c/w) log₂(s_c/w) over axis 0 of ``sums``, class after class, with the C
    library's ``log`` (NumPy's vectorised ``log`` may differ in the last bit)."""
    ent = np.zeros(np.shape(w))
    for s in sums:
        p = s / w
        p[s <= 0.0] = 1.0  # log 1 = 0: the class is skipped
        ent -= p * (_libm_log(p).astype(np.float64) / _LN2)
    return ent


_libm_log = np.frompyfunc(math.log, 1, 1)


class _Node:
    """A node: its samples sorted by every feature (d, n) (None when the stopping rules
    make it a leaf), count, depth, parent, side, impurity, known constant features,
    statistics and weight."""

    __slots__ = ("S", "n", "depth", "parent", "is_left", "impurity", "n_const", "stats", "weight")

    def __init__(self, S, n, depth, is_left, impurity, n_const, stats, weight):
        self.S, self.n, self.depth, self.parent, self.is_left = S, n, depth, -1, is_left
        self.impurity, self.n_const = impurity, n_const
        self.stats, self.weight = stats, weight


class ExactBuilder:
    """scikit-learn's depth-first (or, with ``max_leaf_nodes``, best-first) tree builder
    with its ``BestSplitter``.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss", "squared_error"}
    max_depth : int or None
    min_samples_split, min_samples_leaf : int
        In distinct samples (those with non-zero weight).
    min_weight_leaf : float
        Least weight of a leaf (``min_weight_fraction_leaf`` times the total weight).
    max_features : int
    max_leaf_nodes : int or None
    min_impurity_decrease : float
    """

    def __init__(
        self,
        criterion,
        max_depth,
        min_samples_split,
        min_samples_leaf,
        min_weight_leaf,
        max_features,
        max_leaf_nodes,
        min_impurity_decrease,
    ):
        self.criterion = "entropy" if criterion == "log_loss" else criterion
        self.max_depth = _INT32_MAX if max_depth is None else int(max_depth)
        self.min_samples_leaf = int(min_samples_leaf)
        self.min_samples_split = max(int(min_samples_split), 2 * self.min_samples_leaf)
        self.min_weight_leaf = float(min_weight_leaf)
        self.max_features = int(max_features)
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = float(min_impurity_decrease)

    # ------------------------------------------------------------------ set-up
    def build(self, XT, targets, weight, n_classes, seed: int, order=None) -> Tree:
        """Grow one tree.

        ``XT`` (d, N) X's float32 values, transposed; ``targets`` (N,)
        class codes (with ``n_classes``) or regression targets (``n_classes`` None);
        ``weight`` (N,) ≥ 0; ``seed`` the splitter's ``rand_r`` seed; ``order`` (d, N)
        an argsort of each row of XT, or a :class:`Presort` of XT (computed when None).
        """
        XT = np.asarray(XT, dtype=np.float32)
        d, N = XT.shape
        self.XT = XT.ravel()
        self.regression = n_classes is None
        w = np.asarray(weight, dtype=np.float64)
        self.unit = bool(np.all((w == 0) | (w == 1)))
        if self.regression:
            y = np.asarray(targets, dtype=np.float64)
            self.cols = np.stack([w * y, w * y * y])  # Σwy, Σwy² per sample
        else:
            code = np.asarray(targets, dtype=np.intp)
            self.cols = np.zeros((n_classes, N))
            self.cols[code, np.arange(N)] = w
        self.w = w
        self.total_weight = float(w.sum())
        keep = w != 0
        presort = order if isinstance(order, Presort) else Presort(XT, order)
        order = presort.order
        S = order if keep.all() else order[keep[order]].reshape(d, -1)
        self.mark = np.zeros(N, dtype=bool)
        self.drawn = self.max_features < d  # sort a node's samples by drawn features only
        if self.drawn:
            self.N = N
            self.order = order.ravel()
            self.rank, self.sorted_x, self.X32 = presort.derived()
        self.offsets = np.arange(d) * N  # row starts in the flattened XT
        self.positions = np.arange(1.0, N + 1)  # left counts
        self.draws = _Features(seed, d, self.max_features)
        stats = self._sums(S[0])
        root_weight = float(w[S[0]].sum()) if not self.unit else float(S.shape[1])
        impurity = self._impurity(stats, root_weight)
        n_root = S.shape[1]
        if self.drawn:
            S = S[0]  # the samples, in any order
        if self._is_leaf(n_root, 0, root_weight, impurity):
            S = None
        root = _Node(S, n_root, 0, False, impurity, 0, stats, root_weight)
        self.nodes = _Nodes()
        if self.max_leaf_nodes is None:
            self._depth_first(root)
        else:
            self._best_first(root)
        return self.nodes.tree(self.regression)

    def _sums(self, samples) -> np.ndarray:
        """Per-class weights (or Σwy, Σwy²) of the samples, summed in their order."""
        return np.cumsum(self.cols[:, samples], axis=1)[:, -1]

    # ------------------------------------------------------------------ criteria
    def _impurity(self, stats, weight: float) -> float:
        """Node impurity by scikit-learn's expressions: gini 1 − Σc²/W², entropy
        −Σ (c/W) log₂(c/W), squared error Σwy²/W − (Σwy/W)² (class after class, in
        Python floats: the same IEEE operations as its C)."""
        if self.regression:
            return stats[1] / weight - (stats[0] / weight) ** 2.0
        if self.criterion == "gini":
            sq = 0.0
            for c in stats.tolist():
                sq += c * c
            return 1.0 - sq / (weight * weight)
        ent = 0.0
        for c in stats.tolist():
            if c > 0.0:
                c /= weight
                ent -= c * (math.log(c) / _LN2)
        return ent

    def _proxy(self, sums, right, wl, wr):
        """scikit-learn's proxy of the impurity decrease of every candidate split,
        −W_R·I_R − W_L·I_L (squared error: S_L²/W_L + S_R²/W_R), from the left and
        right sums (K, …) and weights (…)."""
        if self.regression:
            return sums[0] * sums[0] / wl + right[0] * right[0] / wr
        if self.criterion == "gini":  # summed over the classes in order (axis 0)
            imp_l = np.add.reduce(sums * sums, axis=0)
            imp_l /= wl * wl
            imp_r = np.add.reduce(right * right, axis=0)
            imp_r /= wr * wr
            return -wr * (1.0 - imp_r) - wl * (1.0 - imp_l)
        return -wr * _entropy(right, wr) - wl * _entropy(sums, wl)

    # ------------------------------------------------------------------ one node
    def _split(self, node: _Node):
        """Draw the node's features and find its best split: None (a leaf), or
        (feature, threshold, pos, the samples sorted by the feature, left stats, right
        stats, left weight, right weight, impurity left, impurity right, improvement)."""
        if self.drawn:
            chosen, Sk, V = self._drawn_sorted(node)
            if not chosen:
                return None
            F = np.array(chosen)
            n = Sk.shape[1]
        else:
            S, XT = node.S, self.XT
            n = S.shape[1]
            lo = XT.take(self.offsets + S[:, 0])
            hi = XT.take(self.offsets + S[:, -1])
            lo += _FEATURE_THRESHOLD
            chosen, node.n_const = self.draws.draw((hi <= lo).tolist(), node.n_const)
            if not chosen:
                return None
            F = np.array(chosen)
            Sk = S.take(F, axis=0)
            V = XT.take(Sk + self.offsets.take(F)[:, None])
        valid = V[:, 1:] > V[:, :-1] + _FEATURE_THRESHOLD
        msl = self.min_samples_leaf
        if msl > 1:
            valid[:, : msl - 1] = False
            valid[:, n - msl :] = False
        if self.unit:
            wl = np.broadcast_to(self.positions[: n - 1], valid.shape)
        else:
            wl = np.cumsum(self.w.take(Sk), axis=1)[:, :-1]
        W = node.weight
        wr = W - wl
        if self.min_weight_leaf > 0:
            valid &= (wl >= self.min_weight_leaf) & (wr >= self.min_weight_leaf)
        if not valid.any():
            return None
        if self.unit and not self.regression:  # counts: the last class is the rest
            full = np.empty((len(self.cols), len(F), n))
            np.cumsum(self.cols[:-1].take(Sk, axis=1), axis=2, out=full[:-1])
            np.subtract(self.positions[:n], full[:-1].sum(axis=0), out=full[-1])
            sums = full[:, :, :-1]  # left of each p
        else:
            sums = np.cumsum(self.cols.take(Sk, axis=1), axis=2)[:, :, :-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            proxy = self._proxy(sums, node.stats[:, None, None] - sums, wl, wr)
        proxy[~valid] = -np.inf
        best = int(proxy.argmax())
        i, p = divmod(best, n - 1)
        p += 1
        a, b = float(V[i, p - 1]), float(V[i, p])
        threshold = a / 2.0 + b / 2.0
        if threshold == b or math.isinf(threshold):
            threshold = a
        left_stats = sums[:, i, p - 1].copy()
        right_stats = node.stats - left_stats
        w_left = float(wl[i, p - 1])
        w_right = W - w_left
        row = Sk[i]  # the node's samples sorted by the split feature
        left = row[:p]
        if self.regression:  # Σwy² of the left child, summed in its order
            sq_left = float(np.cumsum(self.cols[1].take(left))[-1])
            left_stats[1], right_stats[1] = sq_left, node.stats[1] - sq_left
        imp_l = self._impurity(left_stats, w_left)
        imp_r = self._impurity(right_stats, w_right)
        improvement = (W / self.total_weight) * (
            node.impurity - (w_right / W * imp_r) - (w_left / W * imp_l)
        )
        return (int(F[i]), threshold, p, row, left_stats, right_stats, w_left, w_right,
                imp_l, imp_r, improvement)  # fmt: skip

    _PROBES = 8  # dry runs of the draws before every feature of a node is checked
    _SMALL = 65536  # a node with no more (samples × features) checks all at once

    def _drawn_sorted(self, node: _Node):
        """Draw the node's features, learning which are constant as the draws visit
        them (all at once for a small node; else from dry runs of the draws), and sort
        its samples by each drawn feature (by rank in the feature's presort, so that
        equal values keep one order): (chosen, samples (k, n), values (k, n))."""
        idx = node.S
        draws = self.draws
        d = len(draws.features)
        if len(idx) * (d - node.n_const) <= self._SMALL:
            constant = self._all_constant(idx)
        else:
            constant = {}
            for _ in range(self._PROBES):
                missing = draws.probe(constant, node.n_const)
                if not missing:
                    break
                v = self.XT.take((np.array(missing) * self.N)[:, None] + idx)
                hi, lo = v.max(axis=1), v.min(axis=1)
                constant.update(zip(missing, (hi <= lo + _FEATURE_THRESHOLD).tolist(), strict=True))
            else:
                constant = self._all_constant(idx)
        chosen, node.n_const = draws.draw(constant, node.n_const)
        if not chosen:
            return chosen, None, None
        F = np.array(chosen)
        keys = self.rank.take((F * self.N)[:, None] + idx)
        keys.sort(axis=1)
        keys += (F * self.N)[:, None]  # positions in the flattened presort
        return chosen, self.order.take(keys), self.sorted_x.take(keys)

    def _all_constant(self, idx) -> list:
        """Whether each feature is constant (max ≤ min + 1e-7) among samples ``idx``."""
        rows = self.X32.take(idx, axis=0)
        return (rows.max(axis=0) <= rows.min(axis=0) + _FEATURE_THRESHOLD).tolist()

    def _is_leaf(self, n: int, depth: int, weight: float, impurity: float) -> bool:
        """The stopping rules checked before a node of n samples is searched."""
        return (
            depth >= self.max_depth
            or n < self.min_samples_split
            or weight < 2 * self.min_weight_leaf
            or impurity <= _EPSILON
        )  # (min_samples_split ≥ 2·min_samples_leaf)

    def _search(self, node: _Node):
        """The node's split, or None when it stays a leaf."""
        if node.S is None:
            return None
        split = self._split(node)
        if split is None or split[-1] + _EPSILON < self.min_impurity_decrease:
            return None
        return split

    def _children(self, node: _Node, split) -> tuple[_Node, _Node]:
        """The two children, their samples split stably from the node's (only for a
        child that the stopping rules let be searched; drawn features: the sides of
        the samples sorted by the split feature)."""
        _, _, p, row, ls, rs, wl, wr, il, ir, _ = split
        S = node.S
        n = node.n
        depth, nc = node.depth + 1, node.n_const
        leaf_l = self._is_leaf(p, depth, wl, il)
        leaf_r = self._is_leaf(n - p, depth, wr, ir)
        S_left = S_right = None
        if self.drawn:
            S_left = None if leaf_l else row[:p].copy()
            S_right = None if leaf_r else row[p:].copy()
        elif not (leaf_l and leaf_r):
            d, left = len(S), row[:p]
            mark = self.mark
            mark[left] = True
            m = mark.take(S)
            mark[left] = False
            if not leaf_l:
                S_left = S[m].reshape(d, p)
            if not leaf_r:
                S_right = S[~m].reshape(d, n - p)
        return (
            _Node(S_left, p, depth, True, il, nc, ls, wl),
            _Node(S_right, n - p, depth, False, ir, nc, rs, wr),
        )

    # ------------------------------------------------------------------ builders
    def _depth_first(self, root: _Node) -> None:
        """Pop a node, search it, add it; push its right child, then its left."""
        stack = [root]
        nodes = self.nodes
        while stack:
            node = stack.pop()
            split = self._search(node)
            node_id = nodes.add(node, split)
            if split is not None:
                left, right = self._children(node, split)
                left.parent = right.parent = node_id
                stack.append(right)
                stack.append(left)

    def _best_first(self, root: _Node) -> None:
        """Search nodes as they are created; expand the frontier's best improvement
        first (a binary heap ordered as C++'s ``std::push_heap`` / ``pop_heap``), at
        most ``max_leaf_nodes − 1`` times. Constant features are not passed down."""
        nodes = self.nodes
        heap: list = []
        max_split_nodes = self.max_leaf_nodes - 1

        def add(node):
            node.n_const = 0
            split = self._search(node)
            node_id = nodes.add(node, split)
            _push_heap(heap, (0.0 if split is None else split[-1], node_id, node, split))

        add(root)
        while heap:
            _, node_id, node, split = _pop_heap(heap)
            if split is None or max_split_nodes <= 0:
                nodes.make_leaf(node_id)
                continue
            max_split_nodes -= 1
            left, right = self._children(node, split)
            left.parent = right.parent = node_id
            add(left)
            add(right)


def _push_heap(heap: list, item) -> None:
    """``std::push_heap`` (libstdc++) on a max-heap keyed by ``item[0]``."""
    heap.append(item)
    _sift_up(heap, len(heap) - 1, 0, item)


def _sift_up(heap, hole, top, item) -> None:
    parent = (hole - 1) // 2
    while hole > top and heap[parent][0] < item[0]:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = item


def _pop_heap(heap: list):
    """``std::pop_heap`` then ``pop_back`` (libstdc++'s ``__adjust_heap``)."""
    last = len(heap) - 1
    if last > 0:
        value = heap[last]
        heap[last] = heap[0]
        hole, child = 0, 0
        while child < (last - 1) // 2:
            child = 2 * (child + 1)
            if heap[child][0] < heap[child - 1][0]:
                child -= 1
            heap[hole] = heap[child]
            hole = child
        if last % 2 == 0 and child == (last - 2) // 2:
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        _sift_up(heap, hole, 0, value)
    return heap.pop()


class _Nodes:
    """The tree's node arrays, filled in the order the nodes are created."""

    def __init__(self):
        self.left, self.right, self.feature, self.threshold = [], [], [], []
        self.value, self.impurity, self.count, self.weight = [], [], [], []
        self.max_depth = 0

    def add(self, node: _Node, split) -> int:
        node_id = len(self.feature)
        if node.parent >= 0:
            (self.left if node.is_left else self.right)[node.parent] = node_id
        self.left.append(-1)
        self.right.append(-1)
        self.feature.append(-2 if split is None else split[0])
        self.threshold.append(-2.0 if split is None else split[1])
        self.value.append(node.stats / node.weight)
        self.impurity.append(node.impurity)
        self.count.append(node.n)
        self.weight.append(node.weight)
        self.max_depth = max(self.max_depth, node.depth)
        return node_id

    def make_leaf(self, node_id: int) -> None:
        self.left[node_id] = self.right[node_id] = -1
        self.feature[node_id], self.threshold[node_id] = -2, -2.0

    def tree(self, regression: bool) -> Tree:
        value = np.array(self.value)
        if regression:
            value = value[:, :1]
        return Tree(
            children_left=np.array(self.left, dtype=np.intp),
            children_right=np.array(self.right, dtype=np.intp),
            feature=np.array(self.feature, dtype=np.intp),
            threshold=np.array(self.threshold, dtype=np.float64),
            value=value,
            impurity=np.array(self.impurity, dtype=np.float64),
            n_node_samples=np.array(self.count, dtype=np.intp),
            weighted_n_node_samples=np.array(self.weight, dtype=np.float64),
            max_depth=self.max_depth,
        )
