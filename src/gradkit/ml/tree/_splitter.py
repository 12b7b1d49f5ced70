"""The CART split search: every threshold of every (node, feature) pair scored at once.

The entries of a pair are the node's samples sorted by the feature, pair after pair in
flat arrays. Samples with (nearly) equal values cannot be separated, so they form runs,
and a threshold fits before every run but a pair's first. Cumulative statistics along
the entries (for two classes entry by entry, otherwise summed per run first by one
``bincount``) give the left child of every threshold, their difference from the pair's
total the right child, and a grouped maximum each node's best (feature, threshold).

Samples are addressed as *copies*: tree t of a forest grown together owns copy
c = t·n + i of sample i, with its own weight and target, so that trees with different
bootstrap weights (random forests, bagging) or targets (one tree per class in gradient
boosting) share the same arrays.
"""

from __future__ import annotations

import numpy as np

CRITERIA_CLF = ("gini", "entropy", "log_loss")
CRITERIA_REG = ("squared_error",)
_FEATURE_EPS = 1e-7  # values closer than this are not split apart (as scikit-learn)
_MAX_DIRECT_CLASSES = 2  # more classes (or regression): sum per run of equal values first


def xlogx(a: np.ndarray) -> np.ndarray:
    """a·log(a), with 0·log 0 = 0."""
    return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)


def impurity(stats: np.ndarray, weight: np.ndarray, criterion: str) -> np.ndarray:
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
    return -(xlogx(p) / np.log(2.0)).sum(axis=1)


def split_scores(left, total, w_left, w_total, criterion: str) -> np.ndarray:
    """Score of each split (larger is better) from its left and node statistics.

    Minimising W_L·I_L + W_R·I_R is maximising, for gini, Σ_k L_k²/W_L + Σ_k R_k²/W_R;
    for entropy, Σ_k L_k log L_k − W_L log W_L + (same for R); for squared error,
    S_L²/W_L + S_R²/W_R with S the weighted target sum.

    Shape: left, total (Q, c) class weights (classification) or S (regression, Q = 1);
    w_left, w_total (c,) → (c,).
    """
    right = total - left
    w_right = w_total - w_left
    if criterion == "squared_error":
        return left[0] ** 2 / w_left + right[0] ** 2 / w_right
    if criterion == "gini":
        return (left * left).sum(0) / w_left + (right * right).sum(0) / w_right
    return xlogx(left).sum(0) - xlogx(w_left) + xlogx(right).sum(0) - xlogx(w_right)


def filled(m: int, value) -> np.ndarray:
    """``np.full(m, value)`` without its Python overhead (int or float by the value)."""
    out = np.empty(m, dtype=np.float64 if isinstance(value, float) else np.intp)
    out.fill(value)
    return out


def runs_at(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ranges ``starts[i] … starts[i] + lengths[i] − 1``."""
    shift = starts - lengths.cumsum()
    shift += lengths
    out = shift.repeat(lengths)
    out += np.arange(len(out))
    return out


class Splitter:
    """Node statistics and split search over sample copies.

    Parameters
    ----------
    criterion : {"gini", "entropy", "squared_error"}
    min_samples_leaf : int
    targets : (T, n) class codes in 0 … n_classes − 1, or regression targets
    weight : (T, n) sample weights, one row per tree
    n_classes : int or None
        None for regression.
    """

    def __init__(self, criterion, min_samples_leaf, targets, weight, n_classes):
        self.criterion = criterion
        self.min_samples_leaf = min_samples_leaf
        self.n_classes = n_classes
        w = weight.ravel()
        self.w = w
        self.unit = bool(np.all((w == 0) | (w == 1)))  # counts stand in for weights
        if n_classes is None:
            y = targets.ravel().astype(np.float64)
            self.wy, self.wyy = w * y, w * y * y
        else:
            self.code = targets.ravel().astype(np.intp)
            if n_classes <= _MAX_DIRECT_CLASSES:  # summed entry by entry: the class weights
                self.onehot = np.zeros((n_classes, len(w)))
                self.onehot[self.code, np.arange(len(w))] = w
                if self.unit:  # the last class is the rest of the count
                    self.onehot = self.onehot[:-1].astype(np.intp)

    def node_stats(self, node: np.ndarray, copies: np.ndarray, m: int):
        """Statistics (m, K or 2), weight (m,) and sample count (m,) of m nodes, each
        copy in ``copies`` belonging to node ``node`` (by weighted ``bincount``)."""
        count = np.bincount(node, None, m)
        w = None if self.unit else self.w.take(copies)
        weight = count.astype(np.float64) if self.unit else np.bincount(node, w, m)
        if self.n_classes is None:
            stats = np.empty((m, 2))
            stats[:, 0] = np.bincount(node, self.wy.take(copies), m)
            stats[:, 1] = np.bincount(node, self.wyy.take(copies), m)
            return stats, weight, count
        k = self.n_classes
        key = node * k
        key += self.code.take(copies)
        return np.bincount(key, w, m * k).reshape(m, k), weight, count

    def search(self, xs, copies, pstart, plen, pair_node, pair_feat, m):
        """Best split of each of m nodes over the (node, feature) pairs given.

        ``xs``, ``copies`` (E,) hold the feature values and copies of every pair's entries,
        pair p at ``pstart[p] … pstart[p] + plen[p] − 1``, sorted by value; the pair
        belongs to node ``pair_node[p]`` and feature ``pair_feat[p]``. Ties go to the
        earlier pair, then to the lower threshold.

        Returns the nodes with an admissible split (ascending), their feature and
        threshold, and the copies that go left.
        """
        empty = np.empty(0, dtype=np.intp)
        none = empty, empty, np.empty(0), empty
        n = len(xs)
        cut = np.empty(n + 1, dtype=bool)  # a threshold fits just before this entry
        np.greater(xs[1:], xs[:-1] + _FEATURE_EPS, out=cut[1:n])
        cut[pstart] = False
        cut[n] = False
        cand = cut.nonzero()[0]
        if not cand.size:
            return none
        pend = pstart + plen
        first = cand.searchsorted(pstart)  # each pair's first candidate, and one past its last
        count = cand.searchsorted(pend)
        count -= first
        cp = np.arange(len(pstart)).repeat(count)  # the pair of each candidate
        scores = self._scores(copies, cand, cp, first, count, pstart, plen)
        leaf = self.min_samples_leaf
        if leaf > 1:
            nl = cand - pstart.take(cp)
            scores[(nl < leaf) | (plen.take(cp) - nl < leaf)] = -np.inf
        node = pair_node.take(cp)
        best = filled(m, -np.inf)
        np.maximum.at(best, node, scores)
        hit = (scores == best.take(node)).nonzero()[0]
        chosen = filled(m, len(cand))
        np.minimum.at(chosen, node.take(hit), hit)  # the earliest pair and threshold
        won = (best > -np.inf).nonzero()[0]
        if not won.size:
            return none
        chosen = chosen.take(won)
        p = cand.take(chosen)
        pair = cp.take(chosen)
        lo, hi = xs.take(p - 1), xs.take(p)
        thr = lo / 2.0 + hi / 2.0
        thr = np.where(thr < hi, thr, lo)  # hi when no float lies between the two values
        start = pstart.take(pair)
        return won, pair_feat.take(pair), thr, copies.take(runs_at(start, p - start))

    def _scores(self, copies, cand, cp, first, count, pstart, plen):
        """Score of the split before each entry ``cand`` of pair ``cp`` (−inf where the
        statistics do not allow one); pair p spans entries ``pstart[p] …`` (``plen[p]``
        of them) and candidates ``first[p] …`` (``count[p]``).

        The prefix sums run over all entries; a split's left statistics are those at the
        candidate minus those at its pair's start. Two classes are summed entry by entry;
        otherwise every run of equal values (starting at a pair start or a candidate) is
        summed first, which keeps a sample repeated k times and one of weight k bitwise
        alike.
        """
        direct = self.n_classes is not None and self.n_classes <= _MAX_DIRECT_CLASSES
        if direct:
            at_cand, at_start, at_end = cand, pstart, pstart + plen
            prefix = np.zeros((len(self.onehot), len(copies) + 1), dtype=self.onehot.dtype)
            np.cumsum(self.onehot.take(copies, axis=1), axis=1, out=prefix[:, 1:])
        else:  # the runs before a candidate / pair start: those of earlier ones and pairs
            at_cand = cp + np.arange(1, len(cand) + 1)
            at_start = first + np.arange(len(pstart))
            at_end = at_start + count
            at_end += 1
            kept = np.empty(len(cand) + len(pstart) + 1, dtype=np.intp)  # the run starts
            kept[at_cand], kept[at_start], kept[-1] = cand, pstart, len(copies)
            prefix = self._run_prefix(copies, kept)
        base = prefix.take(at_start, axis=1)
        total = prefix.take(at_end, axis=1)
        total -= base
        total = total.take(cp, axis=1)
        left = prefix.take(at_cand, axis=1)
        left -= base.take(cp, axis=1)
        if self.unit:  # the counts, from the positions
            w_left, w_total = cand - pstart.take(cp), plen.take(cp)
            if direct:
                left = np.concatenate([left, (w_left - left.sum(0))[None]])
                total = np.concatenate([total, (w_total - total.sum(0))[None]])
        elif self.n_classes is not None:
            w_left, w_total = left.sum(0), total.sum(0)
        else:
            w_left, w_total, left, total = left[1], total[1], left[:1], total[:1]
        if self.unit:  # both sides hold samples of weight 1
            return split_scores(left, total, w_left, w_total, self.criterion)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = split_scores(left, total, w_left, w_total, self.criterion)
        scores[~np.isfinite(scores)] = -np.inf  # a side of (rounded) zero weight
        return scores

    def _run_prefix(self, copies: np.ndarray, kept: np.ndarray) -> np.ndarray:
        """Prefix sums over the runs that start at ``kept`` (and end at ``kept[-1]``):
        (Q, R + 1), column r the sum over the runs before run r (by ``bincount``).

        Rows: the class weights, or [S] ([S, W] with weights) for regression.
        """
        n_runs = len(kept) - 1
        k = self.n_classes
        sizes = kept[1:] - kept[:-1]
        w = None if self.unit else self.w.take(copies)
        if k is None:
            run = np.arange(n_runs).repeat(sizes)  # the run of every entry
            cols = [self.wy.take(copies)] + ([] if w is None else [w])
            prefix = np.zeros((len(cols), n_runs + 1))
            for j, col in enumerate(cols):
                prefix[j, 1:] = np.bincount(run, col, n_runs)
            return prefix.cumsum(axis=1, out=prefix)
        key = self.code.take(copies)  # (class, run) of every entry
        key *= n_runs
        key += np.arange(n_runs).repeat(sizes)
        prefix = np.zeros((k, n_runs + 1), dtype=np.intp if w is None else np.float64)
        np.cumsum(np.bincount(key, w, k * n_runs).reshape(k, n_runs), axis=1, out=prefix[:, 1:])
        return prefix
