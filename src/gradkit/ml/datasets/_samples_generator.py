"""Synthetic datasets: blobs, moons, circles, classification and regression problems.

Each generator takes scikit-learn's parameters and draws from a
``numpy.random.RandomState`` in scikit-learn's order (see
:func:`gradkit.ml.base.check_legacy_random_state`), so the same ``random_state``
gives scikit-learn's arrays; ``random_state=None`` draws from NumPy's global generator.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from ..base import check_array, check_legacy_random_state
from ..model_selection._search import sample_without_replacement
from ..utils import Bunch, shuffle


def _two_halves(n_samples, name: str) -> tuple[int, int]:
    if isinstance(n_samples, numbers.Integral):
        if n_samples < 0:
            raise ValueError(f"n_samples must be non-negative, got {n_samples}.")
        return n_samples // 2, n_samples - n_samples // 2
    try:
        out, inner = n_samples
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"`n_samples` of {name} can be either an int or a two-element tuple."
        ) from exc
    return int(out), int(inner)


def _two_classes(outer_x, outer_y, inner_x, inner_y, n_out, n_in, shuffle_, noise, rng):
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    if shuffle_:
        X, y = shuffle(X, y, random_state=rng)
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def make_moons(n_samples=100, *, shuffle: bool = True, noise=None, random_state=None):
    """Two interleaving half circles: class 0 on (cos t, sin t), class 1 on
    (1 − cos t, 1 − sin t − ½), t ∈ [0, π], plus Gaussian noise of std ``noise``.

    Returns X (n, 2), y (n,) in {0, 1}.

    Examples
    --------
    >>> X, y = make_moons(6, shuffle=False)
    >>> X.shape, y.tolist()
    ((6, 2), [0, 0, 0, 1, 1, 1])
    """
    n_out, n_in = _two_halves(n_samples, "make_moons")
    rng = check_legacy_random_state(random_state)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    return _two_classes(
        np.cos(t_out),
        np.sin(t_out),
        1 - np.cos(t_in),
        1 - np.sin(t_in) - 0.5,
        n_out,
        n_in,
        shuffle,
        noise,
        rng,
    )


def make_circles(
    n_samples=100, *, shuffle: bool = True, noise=None, random_state=None, factor: float = 0.8
):
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1), points
    evenly spaced in angle, plus Gaussian noise of std ``noise``.

    Returns X (n, 2), y (n,) in {0, 1}.
    """
    if not 0 <= factor < 1:
        raise ValueError(f"'factor' has to be between 0 and 1, got {factor!r}.")
    n_out, n_in = _two_halves(n_samples, "make_circles")
    rng = check_legacy_random_state(random_state)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    return _two_classes(
        np.cos(t_out),
        np.sin(t_out),
        np.cos(t_in) * factor,
        np.sin(t_in) * factor,
        n_out,
        n_in,
        shuffle,
        noise,
        rng,
    )


def make_blobs(
    n_samples=100,
    n_features: int = 2,
    *,
    centers=None,
    cluster_std=1.0,
    center_box=(-10.0, 10.0),
    shuffle: bool = True,
    random_state=None,
    return_centers: bool = False,
):
    """Isotropic Gaussian blobs: x ~ N(c_k, σ_k² I) for sample counts split over the
    centers (the first n mod k centers get one more). ``centers``: an int (drawn
    uniformly in ``center_box``), or an array (k, d); ``n_samples`` may also be a list
    of per-center counts.

    Returns X (n, d), y (n,) with the center index, and the centers with
    ``return_centers``.

    Examples
    --------
    >>> X, y = make_blobs(10, centers=[[0.0, 0.0], [5.0, 5.0]], random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((10, 2), [0, 1])
    """
    rng = check_legacy_random_state(random_state)
    if isinstance(n_samples, numbers.Integral):
        if centers is None:
            centers = 3
        if isinstance(centers, numbers.Integral):
            n_centers = int(centers)
            centers = rng.uniform(center_box[0], center_box[1], size=(n_centers, n_features))
        else:
            centers = check_array(centers, name="centers")
            n_centers, n_features = centers.shape
    else:
        n_centers = len(n_samples)
        if centers is None:
            centers = rng.uniform(center_box[0], center_box[1], size=(n_centers, n_features))
        if not isinstance(centers, Iterable):
            raise ValueError(f"Parameter `centers` must be array-like. Got {centers!r} instead")
        if len(centers) != n_centers:
            raise ValueError(
                "Length of `n_samples` not consistent with number of centers. Got "
                f"n_samples = {n_samples} and centers = {centers}"
            )
        centers = check_array(centers, name="centers")
        n_features = centers.shape[1]
    if hasattr(cluster_std, "__len__") and len(cluster_std) != n_centers:
        raise ValueError(
            "Length of `clusters_std` not consistent with number of centers. Got centers = "
            f"{centers} and cluster_std = {cluster_std}"
        )
    if isinstance(cluster_std, numbers.Real):
        cluster_std = np.full(len(centers), cluster_std)
    if isinstance(n_samples, Iterable):
        counts = list(n_samples)
    else:
        counts = [int(n_samples // n_centers)] * n_centers
        for i in range(n_samples % n_centers):
            counts[i] += 1
    ends = np.cumsum(counts)
    X = np.empty((sum(counts), n_features), dtype=np.float64)
    y = np.empty(sum(counts), dtype=int)
    for i, (n, std) in enumerate(zip(counts, cluster_std, strict=False)):
        start = ends[i - 1] if i > 0 else 0
        X[start : ends[i]] = rng.normal(loc=centers[i], scale=std, size=(n, n_features))
        y[start : ends[i]] = i
    if shuffle:
        X, y = _shuffle_rows(X, y, rng)
    return (X, y, centers) if return_centers else (X, y)


def _shuffle_rows(X, y, rng):
    return shuffle(X, y, random_state=rng)


def _hypercube_vertices(samples: int, dimensions: int, rng) -> np.ndarray:
    """``samples`` distinct vertices of the {0, 1}^dimensions cube (as bits)."""
    if dimensions > 30:
        return np.hstack(
            [
                rng.randint(2, size=(samples, dimensions - 30)),
                _hypercube_vertices(samples, 30, rng),
            ]
        )
    codes = sample_without_replacement(2**dimensions, samples, rng).astype(">u4")
    return np.unpackbits(codes.view(">u1")).reshape((-1, 32))[:, -dimensions:]


def make_classification(
    n_samples: int = 100,
    n_features: int = 20,
    *,
    n_informative: int = 2,
    n_redundant: int = 2,
    n_repeated: int = 0,
    n_classes: int = 2,
    n_clusters_per_class: int = 2,
    weights=None,
    flip_y: float = 0.01,
    class_sep: float = 1.0,
    hypercube: bool = True,
    shift=0.0,
    scale=1.0,
    shuffle: bool = True,
    random_state=None,
    return_X_y: bool = True,
):
    """A random n-class problem (Guyon's Madelon design), as scikit-learn builds it.

    Each class has ``n_clusters_per_class`` Gaussian clusters (unit variance, then a
    random linear map A ∈ U(−1, 1)^{k×k}) centred on distinct vertices of a hypercube of
    side 2·``class_sep`` in the ``n_informative`` dimensions; ``n_redundant`` features
    are random linear combinations of the informative ones, ``n_repeated`` copies of
    them, the rest N(0, 1) noise. A fraction ``flip_y`` of labels is redrawn at random;
    then ``shift``/``scale`` (None: random per feature) and, with ``shuffle``, the rows
    and columns are permuted. ``weights`` sets the class proportions (the last may be
    left out).

    Returns X (n, d), y (n,); a Bunch (X, y, feature_info, parameters) when
    ``return_X_y=False``.

    Examples
    --------
    >>> X, y = make_classification(50, 5, random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((50, 5), [25, 25])
    """
    rng = check_legacy_random_state(random_state)
    if n_informative + n_redundant + n_repeated > n_features:
        raise ValueError(
            "Number of informative, redundant and repeated features must sum to less than "
            "the number of total features"
        )
    if n_informative < np.log2(n_classes * n_clusters_per_class):
        raise ValueError(
            f"n_classes({n_classes}) * n_clusters_per_class({n_clusters_per_class}) must be "
            f"smaller or equal 2**n_informative({n_informative})={2**n_informative}"
        )
    if weights is not None:
        if len(weights) not in (n_classes, n_classes - 1):
            raise ValueError("Weights specified but incompatible with number of classes.")
        if len(weights) == n_classes - 1:
            if isinstance(weights, list):
                weights_ = weights + [1.0 - sum(weights)]
            else:
                weights_ = np.resize(weights, n_classes)
                weights_[-1] = 1.0 - sum(weights_[:-1])
        else:
            weights_ = list(weights)
    else:
        weights_ = [1.0 / n_classes] * n_classes
    n_random = n_features - n_informative - n_redundant - n_repeated
    n_clusters = n_classes * n_clusters_per_class
    per_cluster = [
        int(n_samples * weights_[k % n_classes] / n_clusters_per_class) for k in range(n_clusters)
    ]
    for i in range(n_samples - sum(per_cluster)):
        per_cluster[i % n_clusters] += 1
    X = np.zeros((n_samples, n_features))
    y = np.zeros(n_samples, dtype=int)
    centroids = _hypercube_vertices(n_clusters, n_informative, rng).astype(float)
    centroids *= 2 * class_sep
    centroids -= class_sep
    if not hypercube:
        centroids *= rng.uniform(size=(n_clusters, 1))
        centroids *= rng.uniform(size=(1, n_informative))
    X[:, :n_informative] = rng.standard_normal(size=(n_samples, n_informative))
    stop = 0
    for k, centroid in enumerate(centroids):
        start, stop = stop, stop + per_cluster[k]
        y[start:stop] = k % n_classes
        block = X[start:stop, :n_informative]
        A = 2 * rng.uniform(size=(n_informative, n_informative)) - 1
        block[...] = np.dot(block, A)
        block += centroid
    if n_redundant > 0:
        B = 2 * rng.uniform(size=(n_informative, n_redundant)) - 1
        X[:, n_informative : n_informative + n_redundant] = np.dot(X[:, :n_informative], B)
    n = n_informative + n_redundant
    if n_repeated > 0:
        picks = ((n - 1) * rng.uniform(size=n_repeated) + 0.5).astype(np.intp)
        X[:, n : n + n_repeated] = X[:, picks]
    if n_random > 0:
        X[:, -n_random:] = rng.standard_normal(size=(n_samples, n_random))
    if flip_y >= 0.0:
        flip = rng.uniform(size=n_samples) < flip_y
        y[flip] = rng.randint(n_classes, size=flip.sum())
    if shift is None:
        shift = (2 * rng.uniform(size=n_features) - 1) * class_sep
    X += shift
    if scale is None:
        scale = 1 + 100 * rng.uniform(size=n_features)
    X *= scale
    columns = np.arange(n_features)
    if shuffle:
        X, y = _shuffle_rows(X, y, rng)
        rng.shuffle(columns)
        X[:, :] = X[:, columns]
    if return_X_y:
        return X, y
    info = ["random"] * n_features
    for i, c in enumerate(columns):
        if c < n_informative:
            info[i] = "informative"
        elif c < n_informative + n_redundant:
            info[i] = "redundant"
        elif c < n + n_repeated:
            info[i] = "repeated"
    params = dict(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=n_redundant,
        n_repeated=n_repeated,
        n_classes=n_classes,
        n_clusters_per_class=n_clusters_per_class,
        weights=weights,
        flip_y=flip_y,
        class_sep=class_sep,
        hypercube=hypercube,
        shift=shift,
        scale=scale,
        shuffle=shuffle,
        random_state=random_state,
        return_X_y=return_X_y,
    )
    return Bunch(DESCR=make_classification.__doc__, parameters=params, feature_info=info, X=X, y=y)


def make_low_rank_matrix(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    effective_rank: int = 10,
    tail_strength: float = 0.5,
    random_state=None,
) -> np.ndarray:
    """U diag(s) Vᵀ with random orthonormal U, V and a bell-shaped singular profile
    s_i = (1 − t) exp(−(i/r)²) + t exp(−0.1 i/r) (r = effective rank, t = tail strength).

    Shape: (n_samples, n_features).
    """
    from scipy import linalg

    rng = check_legacy_random_state(random_state)
    n = min(n_samples, n_features)
    u, _ = linalg.qr(rng.standard_normal(size=(n_samples, n)), mode="economic", check_finite=False)
    v, _ = linalg.qr(rng.standard_normal(size=(n_features, n)), mode="economic", check_finite=False)
    i = np.arange(n, dtype=np.float64)
    low_rank = (1 - tail_strength) * np.exp(-1.0 * (i / effective_rank) ** 2)
    tail = tail_strength * np.exp(-0.1 * i / effective_rank)
    return np.dot(np.dot(u, np.identity(n) * (low_rank + tail)), v.T)


def make_regression(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    effective_rank=None,
    tail_strength: float = 0.5,
    noise: float = 0.0,
    shuffle: bool = True,
    coef: bool = False,
    random_state=None,
):
    """A random linear regression problem y = X w + b + ε.

    X ~ N(0, 1) (or a low-rank matrix with ``effective_rank``); w has
    ``n_informative`` non-zero entries drawn from U(0, 100); ε ~ N(0, noise²).

    Returns X (n, d), y (n,) or (n, n_targets), and w with ``coef``.

    Examples
    --------
    >>> X, y, w = make_regression(20, 3, n_informative=2, coef=True, random_state=0)
    >>> bool(np.allclose(X @ w, y)), int((w != 0).sum())
    (True, 2)
    """
    n_informative = min(n_features, n_informative)
    rng = check_legacy_random_state(random_state)
    if effective_rank is None:
        X = rng.standard_normal(size=(n_samples, n_features))
    else:
        X = make_low_rank_matrix(
            n_samples,
            n_features,
            effective_rank=effective_rank,
            tail_strength=tail_strength,
            random_state=rng,
        )
    truth = np.zeros((n_features, n_targets))
    truth[:n_informative, :] = 100 * rng.uniform(size=(n_informative, n_targets))
    y = np.dot(X, truth) + bias
    if noise > 0.0:
        y += rng.normal(scale=noise, size=y.shape)
    if shuffle:
        X, y = _shuffle_rows(X, y, rng)
        columns = np.arange(n_features)
        rng.shuffle(columns)
        X[:, :] = X[:, columns]
        truth = truth[columns]
    y = np.squeeze(y)
    return (X, y, np.squeeze(truth)) if coef else (X, y)
