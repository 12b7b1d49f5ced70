"""Many classification trees grown depth first in lock step (a forest's trees).

Each tree follows scikit-learn's depth-first order and its own ``rand_r`` draws (see
``_exact``); a *round* takes the next node to search from every tree, draws their
features one tree after another, and scores all the (node, feature) pairs of the round
in one pass, so the per-node cost of NumPy calls is shared by the trees. The samples of
all the trees lie in one array of *copies* (tree t's copy of sample i is t·N + i), in
which every node owns a range. As in scikit-learn, a node's samples are sorted only by
the features it draws (by their rank in a presort of each feature, so equal values keep
one order), and a split node's range is left sorted by its split feature, the left
child's copies first: the work of a node is proportional to the features it evaluates,
not to d. Constancy of the features the draws visit is checked in batches: a small node
checks all its features at once; for a larger one a dry run of the draws names the
features still unknown (taken as non-constant), repeated until the draws visit only
known ones (or, after a few, all its features are checked).

Class weights are summed by one cumulative sum over all the entries of the round,
which is exact when the weights are integers (bootstrap counts), so the order among
equal values changes no sum; other weights and regression use
:meth:`ExactBuilder.build`, tree by tree.
"""

from __future__ import annotations

import math

import numpy as np

from ._exact import _EPSILON, _FEATURE_THRESHOLD, ExactBuilder, Presort, _Features, _Nodes
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
    :meth:`ExactBuilder.build` grows each (``XT`` (d, N), ``order`` its rows' argsort
    or a :class:`Presort` of XT, ``targets`` (N,) class codes)."""
    d, N = XT.shape
    T = len(seeds)
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
        copies = np.flatnonzero(weights[t] != 0) + t * N
        m = len(copies)
        stats = np.cumsum(cols[:-1].take(copies, axis=1), axis=1)[:, -1]
        w = float(np.cumsum(wflat.take(copies))[-1])
        builder.total_weight = totals[t]
        imp = builder._impurity(stats, w)
        search = not builder._is_leaf(m, 0, w, imp)
        recs.append([_Rec(a, m, 0, -1, False, imp, 0, stats, w, search)])
        blocks.append(copies)
        a += m
    presort = order if isinstance(order, Presort) else Presort(XT, order)
    state = _State(builder, np.concatenate(blocks), presort, N, cols, totals)
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
        for j, ((t, rec), split) in enumerate(zip(round_nodes, results, strict=True)):
            node_id = trees[t].add(rec, split)
            if split is None:
                continue
            left, right = _children(builder, rec, split, node_id)
            stacks[t].append(right)
            stacks[t].append(left)
            if left.search or right.search:
                parts.append(j)
        if parts:
            state.keep_sorted(round_nodes, parts)
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
    """The copies' layout and the batched search of a round."""

    _PROBES = 8  # dry runs of the draws before every feature of a node is checked
    _SMALL = 65536  # a node with no more (samples × features) checks all at once

    def __init__(self, builder, P, presort, N, cols, totals):
        self.b, self.P, self.N = builder, P, N
        self.rows, self.totals = np.ascontiguousarray(cols.T), totals  # (T·N, K + 1)
        self.XTf = presort.XT.ravel()
        self.order = presort.order.ravel()
        self.rank, self.sorted_x, self.X = presort.derived()
        self.sorted = self.win = None

    def _entries(self, a, n, pair_node, pair_feat, trees):
        """The samples of every (node, feature) pair, pair after pair (in the node's
        range order), the row offsets f·N of their features, the tree offsets t·N of
        their copies, and the pairs' lengths."""
        plen = n.take(pair_node)
        copies = self.P.take(runs_at(a.take(pair_node), plen))
        base = (trees.take(pair_node) * self.N).repeat(plen)
        copies -= base  # now samples
        return copies, (pair_feat * self.N).repeat(plen), base, plen

    def _constant(self, a, n, trees, pair_node, pair_feat) -> list:
        """Whether each feature is constant in its node: max ≤ min + 1e-7."""
        samples, frow, _, plen = self._entries(a, n, pair_node, pair_feat, trees)
        v = self.XTf.take(frow + samples)
        starts = plen.cumsum() - plen
        hi = np.maximum.reduceat(v, starts)
        return (hi <= np.minimum.reduceat(v, starts) + _FEATURE_THRESHOLD).tolist()

    def _all_constant(self, a, n, trees, js) -> list:
        """For each node ``js[i]``, whether each of the d features is constant in it."""
        js = np.array(js)
        plen = n.take(js)
        samples = self.P.take(runs_at(a.take(js), plen))
        samples -= (trees.take(js) * self.N).repeat(plen)
        rows = self.X.take(samples, axis=0)  # (Σn, d)
        starts = plen.cumsum() - plen
        hi = np.maximum.reduceat(rows, starts, axis=0)  # float32, as scikit-learn's test
        lo = np.minimum.reduceat(rows, starts, axis=0)
        return (hi <= lo + _FEATURE_THRESHOLD).tolist()

    def _draw(self, round_nodes, draws, a, n, trees):
        """Every node's drawn features. The constancy of the features the draws visit
        is checked in batches: a small node checks all its features at once; a larger
        one learns those its dry runs of the draws visit, and after ``_PROBES`` dry
        runs all of its features."""
        known = [{} for _ in round_nodes]
        full, todo = [], []
        for j, (t, rec) in enumerate(round_nodes):
            small = rec.n * (len(draws[t].features) - rec.n_const) <= self._SMALL
            (full if small else todo).append(j)
        for _ in range(self._PROBES):
            if not todo:
                break
            need_node, need_feat, again = [], [], []
            for j in todo:
                t, rec = round_nodes[j]
                missing = draws[t].probe(known[j], rec.n_const)
                if missing:
                    again.append(j)
                    need_node += [j] * len(missing)
                    need_feat += missing
            if need_node:
                constant = self._constant(a, n, trees, np.array(need_node), np.array(need_feat))
                for j, f, c in zip(need_node, need_feat, constant, strict=True):
                    known[j][f] = c
            todo = again
        full += todo
        if full:
            for j, constant in zip(full, self._all_constant(a, n, trees, full), strict=True):
                known[j] = constant
        pair_node, pair_feat = [], []
        for j, (t, rec) in enumerate(round_nodes):
            chosen, rec.n_const = draws[t].draw(known[j], rec.n_const)
            pair_node += [j] * len(chosen)
            pair_feat += chosen
        return pair_node, pair_feat

    def search(self, round_nodes, draws) -> list:
        """Each node's split (or None), as ``ExactBuilder._split`` finds it."""
        b, N = self.b, self.N
        a = np.array([rec.a for _, rec in round_nodes])
        n = np.array([rec.n for _, rec in round_nodes])
        trees = np.array([t for t, _ in round_nodes])
        pair_node, pair_feat = self._draw(round_nodes, draws, a, n, trees)
        results = [None] * len(round_nodes)
        if not pair_node:
            return results
        pair_node = np.array(pair_node)
        pair_feat = np.array(pair_feat)
        samples, frow, base, plen = self._entries(a, n, pair_node, pair_feat, trees)
        pstart = plen.cumsum() - plen  # entry offsets of the pairs
        E = len(samples)
        # sort each pair's samples by their rank in the feature's presort
        keys = self.rank.take(frow + samples)
        shift = (np.arange(len(pair_node)) * N).repeat(plen)  # pairs apart
        keys += shift
        if E * 8 >= len(pair_node) * N:  # dense: mark the keys, read them in order
            mark = np.zeros(len(pair_node) * N, dtype=bool)
            mark[keys] = True
            keys = mark.nonzero()[0]
        else:
            keys.sort()
        shift -= frow
        keys -= shift  # positions in the flattened presort
        copies = self.order.take(keys)
        copies += base
        V = self.sorted_x.take(keys)
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
        prefix = np.zeros((self.rows.shape[1], E + 1))
        np.cumsum(self.rows.take(copies, axis=0).T, axis=1, out=prefix[:, 1:])
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
        self.sorted = copies  # the winners' sorted copies, for keep_sorted
        self.win = dict(zip(won_nodes.tolist(), pstart.take(cp.take(pick)).tolist(), strict=True))
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

    def keep_sorted(self, round_nodes, parts) -> None:
        """Leave the range of each split node ``round_nodes[j]`` (j in ``parts``) sorted
        by its split feature: the left child's copies first, then the right's."""
        a = np.array([round_nodes[j][1].a for j in parts])
        n = np.array([round_nodes[j][1].n for j in parts])
        start = np.array([self.win[j] for j in parts])
        self.P[runs_at(a, n)] = self.sorted.take(runs_at(start, n))
