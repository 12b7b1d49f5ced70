"""Pictures of unsupervised results: dendrogram, 2-D embedding, silhouette, SOM U-matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradkit.plot._core import as_array, check_fitted, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _linkage_of(model_or_linkage: Any) -> np.ndarray:
    """The SciPy linkage matrix (n − 1, 4) of a fitted agglomerative model or a matrix.

    A gradkit model carries ``linkage_matrix_``; a scikit-learn-style one is rebuilt from
    ``children_`` and ``distances_``, with the leaf counts of each merge.
    """
    if hasattr(model_or_linkage, "fit"):
        model = model_or_linkage
        check_fitted(model, "children_")
        Z = getattr(model, "linkage_matrix_", None)
        if Z is not None:
            return np.asarray(Z, dtype=np.float64)
        distances = getattr(model, "distances_", None)
        if distances is None:
            raise ValueError(
                f"dendrogram: {type(model).__name__} has no distances_; fit it with "
                "compute_distances=True or a distance_threshold"
            )
        children = np.asarray(model.children_, dtype=np.int64)
        n = children.shape[0] + 1
        counts = np.zeros(n - 1)
        for i, (a, b) in enumerate(children):
            counts[i] = (1 if a < n else counts[a - n]) + (1 if b < n else counts[b - n])
        return np.column_stack([children, distances, counts]).astype(np.float64)
    Z = as_array("dendrogram", "model_or_linkage", model_or_linkage, ndim=2)
    if Z.shape[1] != 4 or Z.shape[0] < 1:
        raise ValueError(
            f"dendrogram: a linkage matrix has shape (n_samples - 1, 4), got {Z.shape}"
        )
    if not np.isfinite(Z).all() or (Z[:, 2] < 0).any():
        raise ValueError("dendrogram: the linkage matrix's distances (column 2) must be >= 0")
    from scipy.cluster.hierarchy import is_valid_linkage

    try:
        is_valid_linkage(Z, throw=True, name="linkage matrix")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"dendrogram: {exc}") from None
    return Z


def dendrogram(
    model_or_linkage,
    ax: Axes | None = None,
    *,
    labels=None,
    truncate_mode: str | None = None,
    p: int = 30,
    color_threshold: float | None = None,
) -> Axes:
    """The merge tree of agglomerative clustering: each merge is a ∏-shaped link whose
    height is the merge distance.

    ``model_or_linkage``: a fitted ``gradkit.ml.cluster.AgglomerativeClustering`` (or any
    model with ``children_`` and ``distances_``) or a SciPy linkage matrix (n − 1, 4).
    The layout (leaf order, link coordinates, colours below ``color_threshold``, by
    default 0.7 × the largest merge) is ``scipy.cluster.hierarchy.dendrogram``'s, drawn
    here as one line per link; ``truncate_mode``/``p`` as there.

    Examples
    --------
    >>> from gradkit import plot
    >>> from gradkit.ml.cluster import AgglomerativeClustering
    >>> X = [[0.0], [0.5], [10.0], [10.5]]
    >>> ax = plot.dendrogram(AgglomerativeClustering(linkage="average").fit(X))
    >>> len(ax.lines), float(max(max(line.get_ydata()) for line in ax.lines))
    (3, 10.0)
    """
    from scipy.cluster.hierarchy import dendrogram as _layout

    Z = _linkage_of(model_or_linkage)
    n = Z.shape[0] + 1
    if labels is not None and len(labels) != n:
        raise ValueError(f"dendrogram: {len(labels)} labels for {n} leaves")
    layout = _layout(
        Z,
        no_plot=True,
        labels=None if labels is None else list(labels),
        truncate_mode=truncate_mode,
        p=p,
        color_threshold=color_threshold,
    )
    ax = get_ax(ax)
    for xs, ys, colour in zip(layout["icoord"], layout["dcoord"], layout["color_list"]):
        ax.plot(xs, ys, color=colour, linewidth=1.2)
    ticks = 5.0 + 10.0 * np.arange(len(layout["ivl"]))
    ax.set_xticks(ticks, [str(v) for v in layout["ivl"]], rotation=90 if len(ticks) > 20 else 0)
    ax.set_xlim(0, 10 * len(ticks))
    ax.set_ylabel("merge distance")
    return ax


def embedding(
    X2, labels=None, ax: Axes | None = None, *, names=None, s: float = 12.0, alpha: float = 0.8
) -> Axes:
    """A 2-D scatter of a projection (PCA, t-SNE, an autoencoder's code...), one colour
    per label, one scatter collection per label in sorted order.

    Shape: X2 (n, 2); labels (n,).

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.embedding([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], labels=[1, 0, 1])
    >>> ax.collections[1].get_offsets().tolist()
    [[0.0, 1.0], [2.0, 2.0]]
    """
    X2 = as_array("embedding", "X2", X2, ndim=2)
    if X2.shape[1] != 2:
        raise ValueError(
            f"embedding: X2 must have 2 columns, got shape {X2.shape}; project first, e.g. "
            "PCA(n_components=2).fit_transform(X)"
        )
    ax = get_ax(ax)
    if labels is None:
        ax.scatter(X2[:, 0], X2[:, 1], s=s, alpha=alpha)
    else:
        labels = np.asarray(labels)
        if labels.shape != (X2.shape[0],):
            raise ValueError(
                f"embedding: labels must have shape ({X2.shape[0]},), got {labels.shape}"
            )
        classes = np.unique(labels)
        if names is not None and len(names) != len(classes):
            raise ValueError(f"embedding: {len(names)} names for {len(classes)} labels")
        for k, c in enumerate(classes):
            mask = labels == c
            name = str(c) if names is None else str(names[k])
            ax.scatter(X2[mask, 0], X2[mask, 1], s=s, alpha=alpha, label=name, color=f"C{k % 10}")
        ax.legend(markerscale=2, fontsize="small")
    ax.set_xlabel("component 1")
    ax.set_ylabel("component 2")
    return ax


def silhouette(X, labels, ax: Axes | None = None, *, metric: str = "euclidean") -> Axes:
    """Silhouette plot: per cluster, its samples' silhouettes s_i = (b_i − a_i) /
    max(a_i, b_i) sorted as horizontal bars (one bar container per cluster), and the mean
    silhouette as a dashed vertical line. Values from ``gradkit.ml.metrics``.

    Examples
    --------
    >>> from gradkit import plot
    >>> X = [[0.0], [0.1], [5.0], [5.2]]
    >>> ax = plot.silhouette(X, [0, 0, 1, 1])
    >>> len(ax.patches)
    4
    """
    from gradkit.ml.metrics import silhouette_samples

    values = silhouette_samples(X, labels, metric=metric)
    labels = np.asarray(labels)
    ax = get_ax(ax)
    low = 0
    for k, c in enumerate(np.unique(labels)):
        s = np.sort(values[labels == c])
        rows = low + np.arange(len(s))
        ax.barh(rows, s, height=1.0, color=f"C{k % 10}", edgecolor="none", label=str(c))
        ax.text(-0.02, low + len(s) / 2, str(c), ha="right", va="center")
        low += len(s) + max(2, len(values) // 50)
    mean = float(values.mean())
    ax.axvline(mean, color="k", linestyle="--", label=f"mean = {mean:.3f}")
    ax.set_xlabel("silhouette coefficient")
    ax.set_ylabel("cluster")
    ax.set_yticks([])
    ax.set_xlim(min(-0.1, values.min() - 0.05), 1.0)
    return ax


def som_umatrix(
    som, ax: Axes | None = None, *, scaling: str = "sum", X=None, y=None, cmap: str = "bone_r"
) -> Axes:
    """The U-matrix of a fitted ``SelfOrganizingMap``: each unit's (sum or mean)
    distance to its grid neighbours' weights, normalised to max 1 — light valleys are
    clusters, dark ridges borders. With ``X`` (and ``y``), each sample is marked at its
    best-matching unit (coloured by ``y``).

    Examples
    --------
    >>> import numpy as np
    >>> from gradkit import plot
    >>> from gradkit.models.som import SelfOrganizingMap
    >>> som = SelfOrganizingMap(3, 4, n_iter=50, random_state=0).fit(np.eye(4))
    >>> plot.som_umatrix(som).images[0].get_array().shape
    (3, 4)
    """
    if not hasattr(som, "u_matrix"):
        raise TypeError(
            f"som_umatrix: expected a fitted SelfOrganizingMap, got {type(som).__name__}"
        )
    check_fitted(som, "weights_")
    um = som.u_matrix(scaling=scaling)
    ax = get_ax(ax)
    image = ax.imshow(um, cmap=cmap, origin="upper", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="neighbour distance")
    if X is not None:
        rows, cols = np.asarray(som.predict(X)).T  # best-matching unit's (row, col)
        rng = np.random.default_rng(0)  # jitter so samples on one unit stay visible
        jitter = rng.uniform(-0.25, 0.25, size=(2, len(rows)))
        if y is None:
            ax.scatter(cols + jitter[1], rows + jitter[0], s=10, color="C1")
        else:
            y = np.asarray(y)
            if y.shape != rows.shape:
                raise ValueError(f"som_umatrix: y must have shape {rows.shape}, got {y.shape}")
            for k, c in enumerate(np.unique(y)):
                m = y == c
                ax.scatter(
                    cols[m] + jitter[1, m],
                    rows[m] + jitter[0, m],
                    s=10,
                    color=f"C{k % 10}",
                    label=str(c),
                )
            ax.legend(fontsize="small", markerscale=2)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    return ax
