"""Many classification trees grown depth first in lock step (a forest's trees).

Each tree follows scikit-learn's depth-first order and its own ``rand_r`` draws (see
``_exact``); a *round* takes the next node to search from every tree, draws their
features one tree after another, and scores all the (node, feature) pairs of the round
in one pass, so the per-node cost of NumPy calls is shared by the trees. The samples of
all the trees lie in one (d, M) array of *copies* (tree t's copy of sample i is
t·N + i): every node owns a range of its columns, each row sorted by its feature, and
the ranges of the round's split nodes are partitioned stably in place.

Class weights are summed by one cumulative sum over all the entries of the round,
which is exact when the weights are integers (bootstrap counts); other weights and
regression use :meth:`ExactBuilder.build`, tree by tree.
"""

from __future__ import annotations

import math

import numpy as np

from ._exact import _EPSILON, _FEATURE_THRESHOLD, ExactBuilder, _Features, _Nodes
from ._splitter import runs_at

__all__ = ["build_lockstep", "lockstep_applies"]


def lockstep_applies(builder: ExactBuilder, weights: np.ndarray, n_classes) -> bool:
    """Whether :func:`build_lockstep` grows these trees exactly: classification,
    depth first, integer weights."""
    return (
        n_classes is not None
        and builder.max_leaf_nodes is None
        and bool(np.all(weights == np.rint(weights)))
    )


class _Rec:
    """A node to pop: its column range [a, a + n), depth, parent, side, impurity, known
    constant features, class sums, weight and whether it may be searched."""

    __slots__ = ("a", "n", "depth", "parent", "is_left", "impurity", "n_const", "stats",
                 "weight", "search")  # fmt: skip

    def __init__(self, a, n, depth, parent, is_left, impurity, n_const, stats, weight, search):
        self.a, self.n, self.depth, self.parent, self.is_left = a, n, depth, parent, is_left
        self.impurity, self.n_const, self.stats = impurity, n_const, stats
        self.weight, self.search = weight, search


def build_lockstep(builder: ExactBuilder, XT, targets, weights, n_classes, seeds, order):
    """One tree per row of ``weights`` (T, N) and entry of ``seeds``, as
    :meth:`ExactBuilder.build` grows each (``XT`` (d, N), ``order`` its rows' argsort,
    ``targets`` (N,) class codes)."""
    d, N = XT.shape
    T = len(seeds)
    XTf = XT.ravel()
    code = np.asarray(targets, dtype=np.intp)
    cols = np.zeros((n_classes + 1, T * N))  # class weights and weight of every copy
    wflat = weights.ravel().astype(np.float64)
    cols[np.tile(code, T), np.arange(T * N)] = wflat
    cols[-1] = wflat
    blocks, recs = [], []
    a = 0
    builder.regression = False
    builder.total_weight = 0.0
    totals = weights.sum(axis=1).tolist()
    draws = [_Features(s, d, builder.max_features) for s in seeds]
    trees = [_Nodes() for _ in range(T)]
    for t in range(T):
        keep = weights[t] != 0
        S_t = order[keep[order]].reshape(d, -1) + t * N
        m = S_t.shape[1]
        stats = np.cumsum(cols[:-1, S_t[0]], axis=1)[:, -1]
        w = float(np.cumsum(wflat.take(S_t[0]))[-1])
        builder.total_weight = totals[t]
        imp = builder._impurity(stats, w)
        search = not builder._is_leaf(m, 0, w, imp)
        recs.append([_Rec(a, m, 0, -1, False, imp, 0, stats, w, search)])
        blocks.append(S_t)
        a += m
    S = np.concatenate(blocks, axis=1)
    M = S.shape[1]
    offsets = np.arange(d)
    state = _State(builder, S, XTf, N, M, offsets, cols, totals)
    stacks = recs
    while True:
        round_nodes = []  # (tree, record) of the nodes searched this round
        for t in range(T):
            stack = stacks[t]
            while stack:
                rec = stack.pop()
                if rec.search:
                    round_nodes.append((t, rec))
                    break
                trees[t].add(rec, None)
        if not round_nodes:
            break
        results = state.search(round_nodes, draws)
        parts = []
        for (t, rec), split in zip(round_nodes, results, strict=True):
            node_id = trees[t].add(rec, split)
            if split is None:
                continue
            left, right = _children(builder, rec, split, node_id)
            stacks[t].append(right)
            stacks[t].append(left)
            if left.search or right.search:
                parts.append((rec, split))
        if parts:
            state.partition(parts)
    return [nodes.tree(False) for nodes in trees]


def _children(builder, rec, split, node_id):
    f, thr, p, ls, rs, wl, wr, il, ir, _ = split
    depth = rec.depth + 1
    n_r = rec.n - p
    return (
        _Rec(rec.a, p, depth, node_id, True, il, rec.n_const, ls, wl,
             not builder._is_leaf(p, depth, wl, il)),
        _Rec(rec.a + p, n_r, depth, node_id, False, ir, rec.n_const, rs, wr,
             not builder._is_leaf(n_r, depth, wr, ir)),
    )  # fmt: skip


class _State:
    """The copies' layout and the batched search / partition of a round."""

    def __init__(self, builder, S, XTf, N, M, offsets, cols, totals):
        self.b, self.S, self.XTf, self.N, self.M = builder, S, XTf, N, M
        self.offsets, self.cols, self.totals = offsets, cols, totals
        self.mark = np.zeros(cols.shape[1], dtype=bool)

    def _x(self, feat, copies):
        """X[copy's sample, feat] for arrays of features and copies."""
        return self.XTf.take(feat * self.N + copies % self.N)

    def search(self, round_nodes, draws) -> list:
        """Each node's split (or None), as ``ExactBuilder._split`` finds it."""
        b, S, M = self.b, self.S, self.M
        a = np.array([rec.a for _, rec in round_nodes])
        n = np.array([rec.n for _, rec in round_nodes])
        first = S.take(a, axis=1)  # (d, m)
        last = S.take(a + n - 1, axis=1)
        rows = self.offsets[:, None]
        constant = (self._x(rows, last) <= self._x(rows, first) + _FEATURE_THRESHOLD).T.tolist()
        pair_node, pair_feat = [], []
        for j, (t, rec) in enumerate(round_nodes):
            chosen, rec.n_const = draws[t].draw(constant[j], rec.n_const)
            pair_node += [j] * len(chosen)
            pair_feat += chosen
        results = [None] * len(round_nodes)
        if not pair_node:
            return results
        pair_node = np.array(pair_node)
        pair_feat = np.array(pair_feat)
        plen = n.take(pair_node)
        pstart = plen.cumsum() - plen  # entry offsets of the pairs
        ent_col = runs_at(a.take(pair_node), plen)
        ent_row = pair_feat.repeat(plen)
        copies = S.ravel().take(ent_row * M + ent_col)
        V = self._x(ent_row, copies)
        E = len(copies)
        cut = np.zeros(E, dtype=bool)  # a split fits before this entry
        np.greater(V[1:], V[:-1] + _FEATURE_THRESHOLD, out=cut[1:])
        cut[pstart] = False
        cand = cut.nonzero()[0]
        cp = np.searchsorted(pstart, cand, side="right") - 1  # pair of each candidate
        p = cand - pstart.take(cp)  # left count
        ln = plen.take(cp)
        msl = b.min_samples_leaf
        ok = (p >= msl) & (ln - p >= msl) if msl > 1 else None
        # prefix sums (class weights, then weight) over the entries: column q holds the
        # sums before entry q; a candidate's left side is its prefix minus its pair's
        prefix = np.zeros((len(self.cols), E + 1))
        np.cumsum(self.cols.take(copies, axis=1), axis=1, out=prefix[:, 1:])
        at_start = pstart.take(cp)
        wl = prefix[-1].take(cand) - prefix[-1].take(at_start)
        W = np.array([rec.weight for _, rec in round_nodes])
        wr = W.take(pair_node.take(cp)) - wl
        if b.min_weight_leaf > 0:
            okw = (wl >= b.min_weight_leaf) & (wr >= b.min_weight_leaf)
            ok = okw if ok is None else ok & okw
        if ok is not None:
            keep = ok.nonzero()[0]
            cand, cp, wl, wr = cand[keep], cp[keep], wl[keep], wr[keep]
            p, at_start = p[keep], at_start[keep]
        if not len(cand):
            return results
        sums = prefix[:-1].take(cand, axis=1)
        sums -= prefix[:-1].take(at_start, axis=1)
        cnode = pair_node.take(cp)
        stats = np.array([rec.stats for _, rec in round_nodes]).T  # (K, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            proxy = b._proxy(sums, stats.take(cnode, axis=1) - sums, wl, wr)
        bounds = np.flatnonzero(np.r_[True, cnode[1:] != cnode[:-1]])
        best = np.maximum.reduceat(proxy, bounds)
        span = np.diff(np.r_[bounds, len(cand)])
        hit = (proxy == best.repeat(span)).nonzero()[0]
        won_nodes, at = np.unique(cnode.take(hit), return_index=True)
        pick = hit.take(at)
        q = cand.take(pick)
        lo_v, hi_v = V.take(q - 1).tolist(), V.take(q).tolist()
        feats = pair_feat.take(cp.take(pick)).tolist()
        ps = p.take(pick).tolist()
        wls = wl.take(pick).tolist()
        lsums = sums[:, pick].T
        for r, j in enumerate(won_nodes.tolist()):
            t, rec = round_nodes[j]
            lo_x, hi_x = lo_v[r], hi_v[r]
            threshold = lo_x / 2.0 + hi_x / 2.0
            if threshold == hi_x or math.isinf(threshold):
                threshold = lo_x
            left_stats = lsums[r].copy()
            right_stats = rec.stats - left_stats
            w_left = wls[r]
            w_right = rec.weight - w_left
            imp_l = b._impurity(left_stats, w_left)
            imp_r = b._impurity(right_stats, w_right)
            Wn = rec.weight
            improvement = (Wn / self.totals[t]) * (
                rec.impurity - (w_right / Wn * imp_r) - (w_left / Wn * imp_l)
            )
            if improvement + _EPSILON < b.min_impurity_decrease:
                continue
            results[j] = (feats[r], threshold, ps[r], left_stats, right_stats, w_left,
                          w_right, imp_l, imp_r, improvement)  # fmt: skip
        return results

    def partition(self, parts) -> None:
        """Split the column ranges of the split nodes: in every row, the copies going
        left (those left of the threshold in the split feature's row) first, both
        sides in their order."""
        S, M, mark = self.S, self.M, self.mark
        a = np.array([rec.a for rec, _ in parts])
        n = np.array([rec.n for rec, _ in parts])
        p = np.array([split[2] for _, split in parts])
        f = np.array([split[0] for _, split in parts])
        flat = S.ravel()
        left = flat.take(runs_at(f * M + a, p))
        mark[left] = True
        block = S.take(runs_at(a, n), axis=1)  # (d, Σn)
        m = mark.take(block)
        mark[left] = False
        d = len(S)  # row by row, each segment holds p lefts: they go to its first p columns
        S[:, runs_at(a, p)] = block[m].reshape(d, -1)
        S[:, runs_at(a + p, n - p)] = block[~m].reshape(d, -1)
