"""n_jobs through joblib: GridSearchCV over a random forest with 1 and 2 workers, and
forest fit / k-NN predict with n_jobs 1 and 2 (issue #21; T-DEVICE, NN-SEARCH).

Run: ``python benchmarks/bench_parallel.py [--repeat N]``. Each worker process runs one
BLAS thread (gradkit pins it); the parent runs ``BENCH_THREADS`` (default 1). Rounds
alternate n_jobs=1 and n_jobs=2 and the table reports the median time of each and the
median of the paired speed-ups. The worker pool is started (and kept, as joblib keeps
it) before timing, so the times exclude the one-off start-up of the processes.
"""

from __future__ import annotations

import os

os.environ.setdefault("BENCH_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import _common  # noqa: E402,F401  (pins BLAS threads before NumPy loads)
import numpy as np  # noqa: E402

from gradkit.ml.ensemble import RandomForestClassifier  # noqa: E402
from gradkit.ml.model_selection import GridSearchCV  # noqa: E402
from gradkit.ml.neighbors import KNeighborsClassifier  # noqa: E402
from gradkit.ml.utils._parallel import run_parallel  # noqa: E402


def _data(n: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X[:, :3].sum(axis=1) + 0.5 * rng.standard_normal(n) > 0).astype(int)
    return X, y


def workloads():
    X, y = _data(3000, 20)
    grid = {"max_depth": [4, 8, None], "min_samples_leaf": [1, 5]}

    def search(n_jobs):
        forest = RandomForestClassifier(30, random_state=0)
        return GridSearchCV(forest, grid, cv=3, n_jobs=n_jobs).fit(X, y).best_score_

    Xf, yf = _data(10_000, 20, seed=1)

    def forest_fit(n_jobs):
        forest = RandomForestClassifier(60, random_state=0, n_jobs=n_jobs).fit(Xf, yf)
        return forest.predict_proba(Xf[:500])

    Xk, yk = _data(50_000, 20, seed=2)
    Q = np.random.default_rng(3).standard_normal((4000, 20))
    knn = KNeighborsClassifier(5).fit(Xk, yk)

    def knn_predict(n_jobs):
        return knn.set_params(n_jobs=n_jobs).predict(Q)

    return [
        ("GridSearchCV(RandomForest(30)) 6 candidates x 3 folds, 3000 x 20", search),
        ("RandomForestClassifier(60).fit, 10k x 20", forest_fit),
        ("KNeighborsClassifier(5).predict, 4k queries vs 50k x 20", knn_predict),
    ]


def _time(f, n_jobs) -> float:
    t0 = time.perf_counter()
    f(n_jobs)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(_common.versions())
    print(f"cores: {os.cpu_count()}; workers pinned to 1 BLAS thread each")
    run_parallel(abs, [(i,) for i in range(4)], n_jobs=2)  # start the worker pool
    print(f"{'workload':<66} {'n_jobs=1':>9} {'n_jobs=2':>9} {'speed-up':>9}")
    for name, f in workloads():
        one, two, ups = [], [], []
        same = [f(1), f(2)]
        for r in range(args.repeat):
            if r % 2:
                b, a = _time(f, 2), _time(f, 1)
            else:
                a, b = _time(f, 1), _time(f, 2)
            one.append(a)
            two.append(b)
            ups.append(a / b)
        check = same[0] == same[1] if np.isscalar(same[0]) else "-"
        if check == "-" and isinstance(same[0], np.ndarray):
            check = bool(np.array_equal(same[0], same[1]))
        print(
            f"{name:<66} {statistics.median(one):>8.3f}s {statistics.median(two):>8.3f}s "
            f"{statistics.median(ups):>8.2f}x  same answer: {check}",
            flush=True,
        )


if __name__ == "__main__":
    main()
