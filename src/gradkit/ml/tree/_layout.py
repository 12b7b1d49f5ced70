"""Where a level keeps its samples: the sorted entries of every (node, feature) pair.

Both layouts hand the split search the same thing — for each (node, feature) pair, the
node's copies sorted by the feature, with their values, pair after pair in flat arrays —
and keep the nodes of a level in contiguous segments of a row of copies:

* :class:`Presorted` keeps one row per feature, each node's segment sorted along its
  row's feature, and partitions every row stably at each split, so nothing is ever
  re-sorted. Best when every feature (or most) is searched at every node.
* :class:`Ranked` keeps only the row of each node's copies and sorts the entries of the
  pairs drawn at a level by the rank of their value (from one presort). Best when few
  features are drawn per node (random forests): partitioning every feature's row would
  mostly be wasted.
"""

from __future__ import annotations

import numpy as np

from ._splitter import runs_at

LEFT, RIGHT, OUT = 0, 1, 2  # the side of a copy when its node splits


def partition(rows: list[np.ndarray], side: np.ndarray) -> list[np.ndarray]:
    """Each row of the (r, N) arrays stably reordered as its left copies, then its right
    ones, dropping the rest; ``side`` (n_copies,) says where each copy goes, the first
    array holding the copies.

    Every row holds the same copies, so the left ones fill the same leading columns of
    every row, and each child's segment stays in its row's order.
    """
    copies = rows[0]
    key = side.take(copies.ravel())
    left = (key == LEFT).nonzero()[0].reshape(len(copies), -1)
    right = (key == RIGHT).nonzero()[0].reshape(len(copies), -1)
    pos = np.concatenate([left, right], axis=1)
    return [row.take(pos) for row in rows]


def _drawn(seg_lo, seg_len, feats):
    """Pairs node-major for the features ``feats`` (m, f) drawn per node: their node,
    feature, length and the positions of their entries in a segment row."""
    m, f = feats.shape
    pair_node = np.arange(m).repeat(f)
    plen = seg_len.take(pair_node)
    return pair_node, feats.ravel(), plen, runs_at(seg_lo.take(pair_node), plen)


def _argsort(key: np.ndarray, bound: int) -> np.ndarray:
    """``key.argsort()`` for keys in [0, bound), by sorting the keys packed with their
    positions (a plain sort is about twice as fast as an argsort)."""
    shift = len(key).bit_length()
    if bound >= 1 << (63 - shift):
        return key.argsort()
    key <<= shift
    key |= np.arange(len(key))
    key.sort()
    key &= (1 << shift) - 1
    return key


class Presorted:
    """Copies (d, N) and their values (d, N), row f sorted along feature f per node."""

    def __init__(self, copies: np.ndarray, xs: np.ndarray):
        self.copies, self.xs = copies, xs

    @classmethod
    def roots(cls, X, order, active):
        """Each tree's copies with positive weight (``active`` (T, n)), tree after tree."""
        n_trees, n = active.shape
        xs = np.take_along_axis(X.T, order, axis=1)
        copies = order
        if n_trees > 1:
            copies = (order[:, None, :] + (np.arange(n_trees) * n)[:, None]).reshape(len(X.T), -1)
            xs = np.broadcast_to(xs[:, None, :], (len(xs), n_trees, n)).reshape(len(xs), -1)
        if not active.all():
            keep = active.ravel().take(copies).ravel().nonzero()[0]
            copies = copies.take(keep).reshape(len(order), -1)
            xs = xs.take(keep).reshape(len(order), -1)
        return cls(copies, xs)

    @property
    def members(self) -> np.ndarray:
        """The copies of the nodes, segment after segment (N,)."""
        return self.copies[0]

    def all_pairs(self, seg_lo, seg_len):
        """Every (feature, node) pair, feature-major (ties go to the first feature)."""
        n_features, n_cols = self.copies.shape
        m = len(seg_lo)
        pair = np.arange(n_features * m)
        pair_node, pair_feat = pair % m, pair // m
        pstart = (np.arange(0, n_features * n_cols, n_cols)[:, None] + seg_lo).ravel()
        plen = seg_len.take(pair_node)
        return self.xs.ravel(), self.copies.ravel(), pstart, plen, pair_node, pair_feat

    def drawn_pairs(self, seg_lo, seg_len, feats):
        """The pairs of the features ``feats`` (m, f) drawn per node, node-major."""
        pair_node, pair_feat, plen, at = _drawn(seg_lo, seg_len, feats)
        at += (pair_feat * self.copies.shape[1]).repeat(plen)
        pstart = plen.cumsum() - plen
        return self.xs.take(at), self.copies.take(at), pstart, plen, pair_node, pair_feat

    def split(self, side: np.ndarray) -> Presorted:
        return Presorted(*partition([self.copies, self.xs], side))


class Ranked:
    """The copies of each node (1, N); ``rank`` (d·n,) places every sample in its
    feature's order and ``XT`` (d·n,) holds the values, feature after feature;
    ``sample`` (n_copies,) is the sample of each copy."""

    def __init__(self, copies, rank, XT, sample, n: int):
        self.copies, self.rank, self.XT, self.sample, self.n = copies, rank, XT, sample, n

    @classmethod
    def roots(cls, X, order, active):
        """Each tree's copies with positive weight (``active`` (T, n)), tree after tree."""
        n_trees, n = active.shape
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(n)[None], axis=1)
        copies = active.ravel().nonzero()[0][None]
        sample = np.tile(np.arange(n), n_trees)
        return cls(copies, rank.ravel(), np.ascontiguousarray(X.T).ravel(), sample, n)

    @property
    def members(self) -> np.ndarray:
        """The copies of the nodes, segment after segment (N,)."""
        return self.copies[0]

    def drawn_pairs(self, seg_lo, seg_len, feats):
        """The pairs of the features ``feats`` (m, f) drawn per node, node-major, each
        sorted by one ``argsort`` of (pair, rank)."""
        pair_node, pair_feat, plen, at = _drawn(seg_lo, seg_len, feats)
        copies = self.members.take(at)
        n = self.n
        flat = (pair_feat * n).repeat(plen)  # the (feature, sample) of every entry
        flat += self.sample.take(copies)
        key = self.rank.take(flat).astype(np.int64)
        key += np.arange(0, len(plen) * n, n).repeat(plen)
        order = _argsort(key, len(plen) * n)
        xs, copies = self.XT.take(flat.take(order)), copies.take(order)
        return xs, copies, plen.cumsum() - plen, plen, pair_node, pair_feat

    def split(self, side: np.ndarray) -> Ranked:
        copies = partition([self.copies], side)[0]
        return Ranked(copies, self.rank, self.XT, self.sample, self.n)
