"""scikit-learn's k-d tree, replayed for the queries whose neighbours tie (ML-KNN).

Among points at equal distance, the k nearest are not unique; scikit-learn's
``algorithm="kd_tree"`` (and its ``"auto"`` up to 15 features) keeps whichever its
search meets first, and lists the kept ones in the order its heap sort leaves them. That
order follows from three fixed procedures, reproduced here step for step so that a
program moved from scikit-learn keeps its answer on data with ties (grids, rounded or
duplicated measurements):

1. **Build** (``sklearn/neighbors/_binary_tree.pxi``): ``n_levels = ⌊log2(max(1,
   (n − 1) / leaf_size))⌋ + 1`` levels, node i's children 2i+1 and 2i+2; a node splits on
   the feature of largest spread (the first such), its points reordered by C++
   ``std::nth_element`` around position ⌊m / 2⌋ with the order "(value, index)". The
   points' order inside each leaf is what GCC's ``nth_element`` (introselect: median of
   three, Hoare partition, insertion sort below 4 entries, heap select past the depth
   limit) leaves, so :func:`_nth_element` is that algorithm.
2. **Search**, depth first from the root: a node is skipped when its lower bound (the
   reduced distance from the query to the node's box; Euclidean:
   Σ_j (½((lo_j − q_j) + |lo_j − q_j|) + ½((q_j − hi_j) + |q_j − hi_j|))²) exceeds the
   heap's largest; of two children the one with the smaller bound (the left on equality)
   is searched first; a leaf's points are offered to the heap in order.
3. **Heap** (``sklearn/utils/_heap.pyx``): a max-heap of k reduced distances, filled
   with +inf; a value ≥ the top is refused (the first point met wins a tie), otherwise
   it replaces the top and sifts down. The result is sorted by ``simultaneous_sort``
   (``sklearn/utils/_sorting.pyx``: an introsort, equal values in no stable order).

Reduced distances (squared for the Euclidean metric, :mod:`._distance`) are summed
feature by feature from the first, as scikit-learn does, so equal ones are equal here
too. This is plain Python, so it only runs for the queries that
need it (equal distances among their k + 1 nearest); the others are answered by the fast
search, whose answer is the same when nothing ties.
"""

from __future__ import annotations

import math

import numpy as np

from ._distance import Reduced


def _less(keys, a: int, b: int) -> bool:
    ka, kb = keys[a], keys[b]
    return ka < kb or (ka == kb and a < b)


def _insertion_sort(idx: list, lo: int, hi: int, keys) -> None:
    for i in range(lo + 1, hi):
        v = idx[i]
        if _less(keys, v, idx[lo]):
            idx[lo + 1 : i + 1] = idx[lo:i]
            idx[lo] = v
        else:
            j = i
            while _less(keys, v, idx[j - 1]):
                idx[j] = idx[j - 1]
                j -= 1
            idx[j] = v


def _sift_down(idx: list, first: int, hole: int, length: int, value: int, keys) -> None:
    """GCC's ``__adjust_heap`` (max-heap on [first, first + length)) then ``__push_heap``."""
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if _less(keys, idx[first + child], idx[first + child - 1]):
            child -= 1
        idx[first + hole] = idx[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        idx[first + hole] = idx[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and _less(keys, idx[first + parent], value):
        idx[first + hole] = idx[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    idx[first + hole] = value


def _heap_select(idx: list, first: int, middle: int, last: int, keys) -> None:
    length = middle - first
    if length > 1:  # make_heap
        parent = (length - 2) // 2
        while True:
            _sift_down(idx, first, parent, length, idx[first + parent], keys)
            if parent == 0:
                break
            parent -= 1
    for i in range(middle, last):
        if _less(keys, idx[i], idx[first]):  # pop_heap into position i
            value = idx[i]
            idx[i] = idx[first]
            _sift_down(idx, first, 0, length, value, keys)


def _nth_element(idx: list, first: int, nth: int, last: int, keys) -> None:
    """GCC's ``std::nth_element(idx + first, idx + nth, idx + last)`` with the order
    (keys[i], i): afterwards idx[nth] is the entry a full sort would put there, the ones
    before it are not greater and the ones after not smaller."""
    if first == last or nth == last:
        return
    depth = 2 * (int(last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(idx, first, nth + 1, last, keys)
            idx[first], idx[nth] = idx[nth], idx[first]
            return
        depth -= 1
        # median of idx[first+1], idx[mid], idx[last-1] moved to idx[first]
        a, b, c = first + 1, first + (last - first) // 2, last - 1
        if _less(keys, idx[a], idx[b]):
            if _less(keys, idx[b], idx[c]):
                m = b
            elif _less(keys, idx[a], idx[c]):
                m = c
            else:
                m = a
        elif _less(keys, idx[a], idx[c]):
            m = a
        elif _less(keys, idx[b], idx[c]):
            m = c
        else:
            m = b
        idx[first], idx[m] = idx[m], idx[first]
        # unguarded Hoare partition of [first + 1, last) around idx[first]
        pivot = idx[first]
        lo, hi = first + 1, last
        while True:
            while _less(keys, idx[lo], pivot):
                lo += 1
            hi -= 1
            while _less(keys, pivot, idx[hi]):
                hi -= 1
            if not lo < hi:
                break
            idx[lo], idx[hi] = idx[hi], idx[lo]
            lo += 1
        if lo <= nth:
            first = lo
        else:
            last = lo
    _insertion_sort(idx, first, last, keys)


def _heap_push(values: list, indices: list, val: float, i: int) -> None:
    """scikit-learn's ``heap_push``: a max-heap of fixed size; ``val`` ≥ the top is refused."""
    if val >= values[0]:
        return
    size = len(values)
    cur = 0
    while True:
        left = 2 * cur + 1
        right = left + 1
        if left >= size:
            break
        if right >= size:
            if values[left] > val:
                swap = left
            else:
                break
        elif values[left] >= values[right]:
            if val < values[left]:
                swap = left
            else:
                break
        elif val < values[right]:
            swap = right
        else:
            break
        values[cur] = values[swap]
        indices[cur] = indices[swap]
        cur = swap
    values[cur] = val
    indices[cur] = i


def _swap(values: list, indices: list, i: int, j: int) -> None:
    values[i], values[j] = values[j], values[i]
    indices[i], indices[j] = indices[j], indices[i]


def _sift_down_max(values: list, indices: list, lo: int, start: int, end: int) -> None:
    root = start
    while True:
        child = 2 * root + 1
        top = root
        if child < end and values[lo + top] < values[lo + child]:
            top = child
        if child + 1 < end and values[lo + top] < values[lo + child + 1]:
            top = child + 1
        if top == root:
            return
        _swap(values, indices, lo + root, lo + top)
        root = top


def _heap_push_rows(values, indices, rows, val, ids) -> None:
    """:func:`_heap_push` of ``val[t]`` (point ``ids[t]``) into the heap of row ``rows[t]``
    of ``values``/``indices`` (n_q, k), for all t at once (each row at most once)."""
    take = val < values[rows, 0]
    rows, val, ids = rows[take], val[take], ids[take]
    size = values.shape[1]
    cur = np.zeros(len(rows), dtype=np.intp)
    moving = np.ones(len(rows), dtype=bool)
    while moving.any():
        m = np.flatnonzero(moving)
        r, c, v = rows[m], cur[m], val[m]
        left = 2 * c + 1
        right = left + 1
        lv = values[r, np.minimum(left, size - 1)]
        rv = values[r, np.minimum(right, size - 1)]
        use_left = (right >= size) | (lv >= rv)
        child = np.where(use_left, left, right)
        go = (left < size) & (v < np.where(use_left, lv, rv))
        moving[m[~go]] = False
        r, c, child = r[go], c[go], child[go]
        values[r, c] = values[r, child]
        indices[r, c] = indices[r, child]
        cur[m[go]] = child
    values[rows, cur] = val
    indices[rows, cur] = ids


def _simultaneous_sort(values: list, indices: list, lo: int, n: int) -> None:
    """scikit-learn's ``simultaneous_sort`` of values[lo:lo+n], indices alongside:
    introsort (median of three moved to the end, two-way partition, heapsort past
    depth 2⌊log2 n⌋, insertion sort from 15 entries down); equal values end in no
    stable order, which is why it is replayed rather than replaced by a stable sort."""
    if n == 0:
        return
    depth = 2 * int(math.log2(n))
    while n > 15:
        if depth <= 0:
            start = (n - 2) // 2
            while True:
                _sift_down_max(values, indices, lo, start, n)
                if start == 0:
                    break
                start -= 1
            end = n - 1
            while end > 0:
                _swap(values, indices, lo, lo + end)
                _sift_down_max(values, indices, lo, 0, end)
                end -= 1
            return
        depth -= 1
        mid, last = lo + n // 2, lo + n - 1
        if values[lo] > values[last]:
            _swap(values, indices, lo, last)
        if values[last] > values[mid]:
            _swap(values, indices, last, mid)
            if values[lo] > values[last]:
                _swap(values, indices, lo, last)
        pivot = values[last]
        i, j = 1, n - 2
        while True:
            while i <= j and values[lo + i] < pivot:
                i += 1
            while i <= j and values[lo + j] > pivot:
                j -= 1
            if i >= j:
                break
            _swap(values, indices, lo + i, lo + j)
            i += 1
            j -= 1
        _swap(values, indices, lo + i, last)
        _simultaneous_sort(values, indices, lo, i)
        lo += i + 1
        n -= i + 1
    for i in range(lo + 1, lo + n):  # insertion sort
        v, ix = values[i], indices[i]
        j = i
        while j > lo and values[j - 1] > v:
            values[j], indices[j] = values[j - 1], indices[j - 1]
            j -= 1
        values[j], indices[j] = v, ix


class KDReplay:
    """scikit-learn's ``KDTree(X, leaf_size)`` layout and k-nearest search.

    ``idx_array`` (n,), ``node_start``/``node_end``/``is_leaf`` (n_nodes,) and ``lower``/
    ``upper`` (n_nodes, d) equal ``sklearn.neighbors.KDTree(X, leaf_size).get_arrays()``
    (the layout does not depend on the metric); ``reduced`` is the metric searched with
    (:mod:`._distance`; Euclidean by default).
    """

    def __init__(self, X: np.ndarray, leaf_size: int = 30, reduced: Reduced | None = None):
        self.reduced = Reduced(2.0) if reduced is None else reduced
        X = np.ascontiguousarray(X, dtype=np.float64)
        n, d = X.shape
        self.X = X
        n_levels = int(np.log2(max(1.0, (n - 1) / leaf_size))) + 1
        n_nodes = 2**n_levels - 1
        self.node_start = np.zeros(n_nodes, dtype=np.intp)
        self.node_end = np.zeros(n_nodes, dtype=np.intp)
        self.is_leaf = np.zeros(n_nodes, dtype=bool)
        self.lower = np.zeros((n_nodes, d))
        self.upper = np.zeros((n_nodes, d))
        idx = list(range(n))
        columns = [X[:, j].tolist() for j in range(d)]
        stack = [(0, 0, n)]
        while stack:  # a node's children are built after it, in any order: same layout
            node, start, end = stack.pop()
            pts = X[idx[start:end]]
            self.node_start[node], self.node_end[node] = start, end
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            self.lower[node], self.upper[node] = lo, hi
            if 2 * node + 1 >= n_nodes or end - start < 2:
                self.is_leaf[node] = True
                continue
            spread = hi - lo
            dim = int(np.argmax(spread))  # the first feature of largest spread
            mid = (end - start) // 2
            _nth_element(idx, start, start + mid, end, columns[dim])
            stack.append((2 * node + 2, start + mid, end))
            stack.append((2 * node + 1, start, start + mid))
        self.idx_array = np.asarray(idx, dtype=np.intp)
        self.X_ordered = np.asfortranarray(X[self.idx_array])
        self._leaf_paths()

    def _leaf_paths(self) -> None:
        """``leaves``: the leaf nodes; ``paths[l]``: for every leaf, its ancestor at depth
        l and whether the leaf lies in that ancestor's left subtree (a leaf above the
        deepest level repeats its last step, which orders it the same)."""
        self.leaves = [i for i in range(len(self.is_leaf)) if self.is_leaf[i]]
        chains = []
        for leaf in self.leaves:
            chain, node = [], leaf
            while node > 0:
                parent = (node - 1) // 2
                chain.append((parent, node == 2 * parent + 1))
                node = parent
            chains.append(chain[::-1])
        self.depth = max((len(c) for c in chains), default=0)
        self.paths = []
        for level in range(self.depth):
            steps = [c[min(level, len(c) - 1)] if c else (0, True) for c in chains]
            self.paths.append(
                (np.array([p for p, _ in steps]), np.array([left for _, left in steps]))
            )

    def lower_bounds(self, Q: np.ndarray) -> np.ndarray:
        """(n_q, n_nodes): each node's lower bound on the reduced distance of each query,
        summed from the first feature on as scikit-learn does."""
        return self.reduced.box_bound(self.lower, self.upper, Q)

    def query(self, Q: np.ndarray, k: int, sort: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Distances and indices (n_q, k) of scikit-learn's k nearest for each row of Q, in
        scikit-learn's order (``sort=False``: the same points, in its heap's order).

        All rows advance together: leaf by leaf in each row's own depth-first order, point
        by point inside a leaf, one vectorised heap push per step. A leaf whose bound
        exceeds the row's heap top is skipped, as scikit-learn prunes it (its points
        would all be refused, so where the pruning happens changes nothing)."""
        Q = np.atleast_2d(np.asarray(Q, dtype=np.float64))
        dist = np.empty((len(Q), k))
        idx = np.empty((len(Q), k), dtype=np.intp)
        step = max(1, 2**21 // max(len(self.X), len(self.is_leaf)))
        for lo in range(0, len(Q), step):
            block = slice(lo, lo + step)
            dist[block], idx[block] = self._query_block(Q[block], k, sort)
        return dist, idx

    def _leaf_order(self, bounds: np.ndarray) -> np.ndarray:
        """(n_q, n_leaves): the leaves (as positions in ``self.leaves``) in the order
        each query's depth-first search meets them; of two children the one with the
        smaller bound first, the left one on equality."""
        left_first = bounds[:, 1::2][:, : len(self.is_leaf) // 2] <= bounds[:, 2::2]
        key = np.zeros((len(bounds), len(self.leaves)), dtype=np.int64)
        for depth, (parents, went_left) in enumerate(self.paths):
            later = left_first[:, parents] != went_left  # this side is searched second
            key |= later.astype(np.int64) << (self.depth - 1 - depth)
        return np.argsort(key, axis=1, kind="stable")

    def _query_block(self, Q: np.ndarray, k: int, sort: bool):
        n_q = len(Q)
        bounds = self.lower_bounds(Q)
        # per position of idx_array, summed as sklearn
        sq = self.reduced.block(Q, self.X_ordered, np.empty((n_q, len(self.X))))
        values = np.full((n_q, k), np.inf)
        indices = np.zeros((n_q, k), dtype=np.intp)
        order = self._leaf_order(bounds) if len(self.leaves) > 1 else np.zeros((n_q, 1), int)
        leaf_nodes = np.asarray(self.leaves)
        rows_all = np.arange(n_q)
        for slot in range(order.shape[1]):
            node = leaf_nodes[order[:, slot]]
            live = bounds[rows_all, node] <= values[:, 0]
            rows, node = rows_all[live], node[live]
            start, size = self.node_start[node], self.node_end[node] - self.node_start[node]
            for j in range(int(size.max(initial=0))):
                more = size > j
                r, pos = rows[more], start[more] + j
                _heap_push_rows(values, indices, r, sq[r, pos], self.idx_array[pos])
        if sort:
            if k <= 15:  # scikit-learn's sort is then an insertion sort: stable
                perm = np.argsort(values, axis=1, kind="stable")
                values = np.take_along_axis(values, perm, 1)
                indices = np.take_along_axis(indices, perm, 1)
            else:
                for r in range(n_q):
                    v, i = values[r].tolist(), indices[r].tolist()
                    _simultaneous_sort(v, i, 0, k)
                    values[r], indices[r] = v, i
        return self.reduced.to_dist(values), indices
