"""Unsupervised estimators, TF-IDF and metrics: gradkit vs scikit-learn, same run, as ratios.

Run: ``python benchmarks/bench_ml_unsupervised.py``. BLAS threads are pinned (env vars
set before NumPy is imported); each timing is the median of repeated fits, the two
libraries timed in alternating blocks, not alternating single calls.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault(
    "GRADKIT_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
)

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
import sklearn.cluster as skc  # noqa: E402
import sklearn.decomposition as skd  # noqa: E402
import sklearn.feature_extraction.text as skt  # noqa: E402
import sklearn.metrics as skm  # noqa: E402
import sklearn.mixture as skmix  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import gradkit.ml.cluster as gc  # noqa: E402
import gradkit.ml.decomposition as gd  # noqa: E402
import gradkit.ml.feature_extraction.text as gt  # noqa: E402
import gradkit.ml.metrics as gm  # noqa: E402
import gradkit.ml.mixture as gmix  # noqa: E402
from gradkit.data.sms_spam import load_sms_spam  # noqa: E402


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    X = load_digits().data
    texts, _ = load_sms_spam()
    labels = gc.KMeans(10, random_state=0).fit(X).labels_
    # EM from one shared start (the k-means partition above), so that both libraries run
    # the same iterations; with their own k-means starts the iteration counts differ by
    # chance (random_state=0: 49 EM iterations for gradkit, 14 for scikit-learn)
    resp = np.eye(10)[labels]
    nk = resp.sum(0)
    means = resp.T @ X / nk[:, None]
    var = resp.T @ (X * X) / nk[:, None] - means**2 + 1e-6
    same_start = dict(weights_init=nk / nk.sum(), means_init=means, precisions_init=1 / var)
    cases = [
        (
            "KMeans k=10 n_init=5 (digits)",
            lambda: gc.KMeans(10, n_init=5, random_state=0).fit(X),
            lambda: skc.KMeans(10, n_init=5, random_state=0).fit(X),
            5,
        ),
        (
            "GaussianMixture diag k=10 (digits)",
            lambda: gmix.GaussianMixture(10, covariance_type="diag", random_state=0).fit(X),
            lambda: skmix.GaussianMixture(10, covariance_type="diag", random_state=0).fit(X),
            5,
        ),
        (
            "GaussianMixture diag k=10, same start",
            lambda: gmix.GaussianMixture(10, covariance_type="diag", **same_start).fit(X),
            lambda: skmix.GaussianMixture(10, covariance_type="diag", **same_start).fit(X),
            5,
        ),
        (
            "GaussianMixture full k=5 (digits)",
            lambda: gmix.GaussianMixture(5, random_state=0, reg_covar=1e-2).fit(X),
            lambda: skmix.GaussianMixture(5, random_state=0, reg_covar=1e-2).fit(X),
            5,
        ),
        (
            "PCA 10, full SVD (digits)",
            lambda: gd.PCA(10, svd_solver="full").fit(X),
            lambda: skd.PCA(10, svd_solver="full").fit(X),
            10,
        ),
        (
            "PCA 10, covariance_eigh (digits)",
            lambda: gd.PCA(10, svd_solver="covariance_eigh").fit(X),
            lambda: skd.PCA(10, svd_solver="covariance_eigh").fit(X),
            10,
        ),
        (
            "FactorAnalysis 10 (digits)",
            lambda: gd.FactorAnalysis(10).fit(X),
            lambda: skd.FactorAnalysis(10, random_state=0).fit(X),
            5,
        ),
        (
            "Agglomerative ward (digits)",
            lambda: gc.AgglomerativeClustering(10).fit(X),
            lambda: skc.AgglomerativeClustering(10).fit(X),
            5,
        ),
        (
            "Agglomerative average (digits)",
            lambda: gc.AgglomerativeClustering(10, linkage="average").fit(X),
            lambda: skc.AgglomerativeClustering(10, linkage="average").fit(X),
            5,
        ),
        (
            "Agglomerative single (digits)",
            lambda: gc.AgglomerativeClustering(10, linkage="single").fit(X),
            lambda: skc.AgglomerativeClustering(10, linkage="single").fit(X),
            5,
        ),
        (
            "silhouette_score (digits)",
            lambda: gm.silhouette_score(X, labels),
            lambda: skm.silhouette_score(X, labels),
            5,
        ),
        (
            "TfidfVectorizer (SMS spam)",
            lambda: gt.TfidfVectorizer().fit_transform(texts),
            lambda: skt.TfidfVectorizer().fit_transform(texts),
            5,
        ),
    ]
    print(
        f"gradkit vs scikit-learn — python {platform.python_version()}, numpy "
        f"{np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}"
    )
    print(f"{'case':40s} {'gradkit ms':>11s} {'sklearn ms':>11s} {'ratio':>7s}")
    for name, ours, ref, repeats in cases:
        t_ours = median_time(ours, repeats)
        t_ref = median_time(ref, repeats)
        print(f"{name:40s} {t_ours * 1e3:11.1f} {t_ref * 1e3:11.1f} {t_ours / t_ref:7.2f}")


if __name__ == "__main__":
    main()
