"""Clustering metrics against reference labels (U-EVAL): the contingency table, Rand and
adjusted Rand indices, entropy-based homogeneity / completeness / V-measure, (adjusted,
normalised) mutual information and the Fowlkes–Mallows index, as scikit-learn defines
them (same formulas, same edge cases).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..base import check_consistent_length, check_option

_AVERAGES = ("min", "geometric", "arithmetic", "max")


def check_clusterings(labels_true, labels_pred) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D labelings of the same length (a warning for continuous values)."""
    labels_true, labels_pred = np.asarray(labels_true), np.asarray(labels_pred)
    for name, lab in (("labels_true", labels_true), ("labels_pred", labels_pred)):
        if lab.ndim != 1:
            raise ValueError(f"{name} must be 1D: shape is {lab.shape!r}")
    for lab in (labels_true, labels_pred):
        if lab.dtype.kind == "f" and lab.size and not np.all(np.mod(lab, 1) == 0):
            warnings.warn(
                "Clustering metrics expects discrete values but received continuous values.",
                UserWarning,
                stacklevel=3,
            )
            break
    check_consistent_length(labels_true, labels_pred)
    return labels_true, labels_pred


def contingency_matrix(labels_true, labels_pred, *, eps=None, sparse: bool = False, dtype=np.int64):
    """C[i, j] = number of samples in class i (sorted) and cluster j (sorted).

    Shape: (n_classes, n_clusters); CSR with ``sparse``; float plus ``eps`` with ``eps``.

    Examples
    --------
    >>> contingency_matrix([0, 0, 1, 1, 2, 2], [1, 0, 2, 1, 0, 2]).tolist()
    [[1, 1, 0], [0, 1, 1], [1, 0, 1]]
    """
    if eps is not None and sparse:
        raise ValueError("Cannot set 'eps' when sparse=True")
    dense = _contingency(*check_clusterings(labels_true, labels_pred))
    if sparse:
        import scipy.sparse as sp

        return sp.csr_matrix(dense.astype(dtype))
    if eps is not None:
        return dense.astype(np.float64) + eps
    return dense.astype(dtype)


def _contingency(labels_true: np.ndarray, labels_pred: np.ndarray) -> np.ndarray:
    """The int64 contingency table of two checked labelings (no second check, so a
    metric warns about continuous labels once, at its caller)."""
    classes, a = np.unique(labels_true, return_inverse=True)
    clusters, b = np.unique(labels_pred, return_inverse=True)
    a, b = a.ravel(), b.ravel()
    shape = (len(classes), len(clusters))
    flat = np.bincount(a * shape[1] + b, minlength=shape[0] * shape[1])
    return flat.reshape(shape).astype(np.int64)


def pair_confusion_matrix(labels_true, labels_pred) -> np.ndarray:
    """2×2 counts over ordered sample pairs: [[different/different, different/same],
    [same/different, same/same]] (true labelling first)."""
    return _pair_confusion(*check_clusterings(labels_true, labels_pred))


def _pair_confusion(labels_true: np.ndarray, labels_pred: np.ndarray) -> np.ndarray:
    c = _contingency(labels_true, labels_pred)
    n = int(c.sum())
    n_c, n_k = c.sum(axis=1), c.sum(axis=0)
    sum_squares = int((c * c).sum())
    C = np.empty((2, 2), dtype=np.int64)
    C[1, 1] = sum_squares - n
    C[0, 1] = int((c @ n_k).sum()) - sum_squares
    C[1, 0] = int((c.T @ n_c).sum()) - sum_squares
    C[0, 0] = n * n - C[0, 1] - C[1, 0] - sum_squares
    return C


def rand_score(labels_true, labels_pred) -> float:
    """Fraction of sample pairs on which the two labelings agree (same / different)."""
    C = _pair_confusion(*check_clusterings(labels_true, labels_pred))
    agree, total = C.diagonal().sum(), C.sum()
    if agree == total or total == 0:
        return 1.0
    return float(agree / total)


def adjusted_rand_score(labels_true, labels_pred) -> float:
    """Rand index adjusted for chance, ARI = (RI − E[RI]) / (max RI − E[RI]).

    From the pair counts: ARI = 2 (TP·TN − FN·FP) / ((TP + FN)(FN + TN) + (TP + FP)(FP + TN)).
    1.0 for identical partitions (up to relabelling), about 0 for random ones.

    Examples
    --------
    >>> adjusted_rand_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    C = _pair_confusion(*check_clusterings(labels_true, labels_pred))
    tn, fp, fn, tp = (int(v) for v in C.ravel())
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def entropy(labels) -> float:
    """Shannon entropy H = −Σ_k p_k ln p_k of a labeling (nats); 1.0 for no labels."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        return 1.0
    pi = np.unique(labels, return_counts=True)[1].astype(np.float64)
    if pi.size == 1:
        return 0.0
    total = pi.sum()
    return float(-np.sum(pi / total * (np.log(pi) - math.log(total))))


def mutual_info_score(labels_true, labels_pred, *, contingency=None) -> float:
    """I(U; V) = Σ_ij (n_ij / N) ln(N n_ij / (a_i b_j)), from the contingency table.

    Examples
    --------
    >>> round(mutual_info_score([0, 0, 1, 1], [0, 0, 1, 1]), 6)  # ln 2
    0.693147
    """
    if contingency is None:
        c = _contingency(*check_clusterings(labels_true, labels_pred))
    else:
        c = contingency.toarray() if hasattr(contingency, "toarray") else np.asarray(contingency)
    nzx, nzy = np.nonzero(c)
    nz = c[nzx, nzy].astype(np.float64)
    total = float(c.sum())
    pi, pj = c.sum(axis=1), c.sum(axis=0)
    if pi.size == 1 or pj.size == 1:
        return 0.0
    p = nz / total
    outer = pi.take(nzx).astype(np.int64) * pj.take(nzy).astype(np.int64)
    log_outer = -np.log(outer) + math.log(pi.sum()) + math.log(pj.sum())
    mi = p * (np.log(nz) - math.log(total)) + p * log_outer
    mi = np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi)
    return float(np.clip(mi.sum(), 0.0, None))


def expected_mutual_information(contingency, n_samples: int) -> float:
    """E[MI] of two random labelings with the table's row and column sums
    (hypergeometric model of Vinh, Epps & Bailey 2010):

        E = Σ_ij Σ_{n=max(1, a_i+b_j−N)}^{min(a_i, b_j)} (n/N) ln(N n / (a_i b_j))
            · a_i! b_j! (N−a_i)! (N−b_j)! / (N! n! (a_i−n)! (b_j−n)! (N−a_i−b_j+n)!)
    """
    from scipy.special import gammaln

    c = contingency.toarray() if hasattr(contingency, "toarray") else np.asarray(contingency)
    a = c.sum(axis=1).astype(np.int64)
    b = c.sum(axis=0).astype(np.int64)
    if a.size == 1 or b.size == 1:
        return 0.0
    N = int(n_samples)
    log_a, log_b = np.log(a), np.log(b)
    gln_a, gln_b = gammaln(a + 1), gammaln(b + 1)
    gln_Na, gln_Nb = gammaln(N - a + 1), gammaln(N - b + 1)
    gln_N = gammaln(N + 1)
    emi = 0.0
    for i in range(len(a)):
        for j in range(len(b)):
            lo, hi = max(1, a[i] - N + b[j]), min(a[i], b[j]) + 1
            if lo >= hi:
                continue
            nij = np.arange(lo, hi, dtype=np.float64)
            term2 = math.log(N) + np.log(nij) - log_a[i] - log_b[j]
            gln = (
                gln_a[i]
                + gln_b[j]
                + gln_Na[i]
                + gln_Nb[j]
                - (gammaln(nij + 1) + gln_N)
                - gammaln(a[i] - nij + 1)
                - gammaln(b[j] - nij + 1)
                - gammaln(N - a[i] - b[j] + nij + 1)
            )
            emi += float(np.sum(nij / N * term2 * np.exp(gln)))
    return emi


def _generalized_average(u: float, v: float, method: str) -> float:
    check_option("average_method", method, _AVERAGES)
    if method == "min":
        return min(u, v)
    if method == "geometric":
        return float(np.sqrt(u * v))
    if method == "arithmetic":
        return float(np.mean([u, v]))
    return max(u, v)


def adjusted_mutual_info_score(labels_true, labels_pred, *, average_method="arithmetic") -> float:
    """AMI = (MI − E[MI]) / (avg(H(U), H(V)) − E[MI]), mutual information adjusted for
    chance (1 for identical labelings, about 0 for independent ones)."""
    labels_true, labels_pred = check_clusterings(labels_true, labels_pred)
    check_option("average_method", average_method, _AVERAGES)
    n_classes, n_clusters = len(np.unique(labels_true)), len(np.unique(labels_pred))
    if n_classes == n_clusters == 1 or n_classes == n_clusters == 0:
        return 1.0
    if n_classes == 1 or n_clusters == 1:
        return 0.0
    c = _contingency(labels_true, labels_pred)
    mi = mutual_info_score(None, None, contingency=c)
    emi = expected_mutual_information(c, len(labels_true))
    normalizer = _generalized_average(entropy(labels_true), entropy(labels_pred), average_method)
    eps = np.finfo("float64").eps
    denominator = normalizer - emi
    denominator = min(denominator, -eps) if denominator < 0 else max(denominator, eps)
    numerator = mi - emi
    numerator = min(numerator, -eps) if numerator < 0 else max(numerator, eps)
    return float(numerator / denominator)


def normalized_mutual_info_score(labels_true, labels_pred, *, average_method="arithmetic") -> float:
    """NMI = MI / avg(H(U), H(V)) (arithmetic mean: the V-measure)."""
    labels_true, labels_pred = check_clusterings(labels_true, labels_pred)
    check_option("average_method", average_method, _AVERAGES)
    n_classes, n_clusters = len(np.unique(labels_true)), len(np.unique(labels_pred))
    if n_classes == n_clusters == 1 or n_classes == n_clusters == 0:
        return 1.0
    mi = mutual_info_score(None, None, contingency=_contingency(labels_true, labels_pred))
    if mi == 0:
        return 0.0
    return float(
        mi / _generalized_average(entropy(labels_true), entropy(labels_pred), average_method)
    )


def homogeneity_completeness_v_measure(labels_true, labels_pred, *, beta: float = 1.0):
    """(h, c, v): homogeneity h = MI/H(C) (each cluster holds one class), completeness
    c = MI/H(K) (each class in one cluster), v = (1 + β) h c / (β h + c).

    Examples
    --------
    >>> homogeneity_completeness_v_measure([0, 0, 1, 1], [0, 0, 1, 2])
    (0.9999999999999999, 0.6666666666666666, 0.7999999999999999)
    """
    labels_true, labels_pred = check_clusterings(labels_true, labels_pred)
    if len(labels_true) == 0:
        return 1.0, 1.0, 1.0
    h_c, h_k = entropy(labels_true), entropy(labels_pred)
    mi = mutual_info_score(None, None, contingency=_contingency(labels_true, labels_pred))
    homogeneity = mi / h_c if h_c else 1.0
    completeness = mi / h_k if h_k else 1.0
    if homogeneity + completeness == 0.0:
        v = 0.0
    else:
        v = (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    return float(homogeneity), float(completeness), float(v)


def homogeneity_score(labels_true, labels_pred) -> float:
    """1 − H(C|K)/H(C): 1.0 when every cluster contains members of a single class."""
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[0]


def completeness_score(labels_true, labels_pred) -> float:
    """1 − H(K|C)/H(K): 1.0 when all members of a class are in the same cluster."""
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[1]


def v_measure_score(labels_true, labels_pred, *, beta: float = 1.0) -> float:
    """Weighted harmonic mean of homogeneity and completeness."""
    return homogeneity_completeness_v_measure(labels_true, labels_pred, beta=beta)[2]


def fowlkes_mallows_score(labels_true, labels_pred) -> float:
    """FMI = TP / √((TP + FP)(TP + FN)) over sample pairs (geometric mean of pairwise
    precision and recall)."""
    labels_true, labels_pred = check_clusterings(labels_true, labels_pred)
    n = labels_true.shape[0]
    c = _contingency(labels_true, labels_pred)
    tk = int((c * c).sum()) - n
    pk = int(np.sum(c.sum(axis=0) ** 2)) - n
    qk = int(np.sum(c.sum(axis=1) ** 2)) - n
    return float(np.sqrt(tk / pk) * np.sqrt(tk / qk)) if tk != 0.0 else 0.0
