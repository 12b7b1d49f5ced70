"""gradkit as the work grows: each workload swept over sizes, time and peak memory
against the reference (PyTorch for deep learning, scikit-learn for classical estimators)
in one run.

    python benchmarks/bench_scale.py [--quick] [--only NAME[,NAME]] [--rounds 5]
                                     [--block-seconds 1.0] [--no-memory]

Time: the two libraries alternate in ``--rounds`` blocks per size (a block is one
untimed warm-up call, then calls until about ``--block-seconds`` have passed, at least
3); the ratio is the median over rounds of (gradkit block median / reference block
median), as in ``_common.compare``. Peak memory: every (workload, size, library) runs
again in a fresh subprocess that builds its model and data, resets the kernel's
resident-set high-water mark (``/proc/self/clear_refs``), runs the measured steps and
reports ``VmHWM`` minus the resident size before them, so both libraries are measured
the same way, allocator caches included. BLAS threads are pinned by ``_common``
(``BENCH_THREADS``, default 2) and reported. ``--quick`` runs every row at toy sizes
(a smoke test of the script, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import _common  # (pins BLAS threads before numpy/torch load)
import numpy as np

VOCAB = 65


# ---------------------------------------------------------------- deep-learning workloads
def _transformer(lib: str, T: int, quick: bool):
    """One training step (forward, cross-entropy, backward, Adam) of a 2-layer pre-norm
    causal transformer LM: d 128, 4 heads, feed-forward 512, batch 32."""
    B, D, H, FF, NL = (2, 16, 2, 32, 1) if quick else (32, 128, 4, 512, 2)
    rng = np.random.default_rng(0)
    data = rng.integers(0, VOCAB, (B, T + 1))
    x, y = data[:, :-1], data[:, 1:]
    if lib == "gradkit":
        import gradkit as gk
        from gradkit.models.seq import TransformerLM

        gk.manual_seed(0)
        model = TransformerLM(VOCAB, D, H, NL, FF, max_len=T)
        opt = gk.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            logits, _ = model(x)
            loss = gk.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()

        return step
    import torch

    torch.manual_seed(0)

    class LM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(VOCAB, D)
            self.pos = torch.nn.Parameter(torch.randn(T, D) * 0.02)
            layer = torch.nn.TransformerEncoderLayer(
                D, H, FF, 0.0, activation="gelu", batch_first=True, norm_first=True
            )
            self.encoder = torch.nn.TransformerEncoder(layer, NL, enable_nested_tensor=False)
            self.norm = torch.nn.LayerNorm(D)
            self.head = torch.nn.Linear(D, VOCAB)
            self.register_buffer("mask", torch.nn.Transformer.generate_square_subsequent_mask(T))

        def forward(self, ids):
            h = self.encoder(self.embed(ids) + self.pos, mask=self.mask, is_causal=True)
            return self.head(self.norm(h))

    model = LM()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(tx).reshape(-1, VOCAB), ty.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def _sdpa(lib: str, T: int, quick: bool):
    """Causal scaled_dot_product_attention forward + backward, (32, 4, T, 32) float32."""
    shape = (2, 2, T, 8) if quick else (32, 4, T, 32)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape).astype(np.float32) for _ in range(4)]
    if lib == "gradkit":
        import gradkit as gk

        q, k, v = (gk.tensor(a, requires_grad=True) for a in arrays[:3])
        fn = gk.nn.functional.scaled_dot_product_attention
    else:
        import torch

        q, k, v = (torch.tensor(a, requires_grad=True) for a in arrays[:3])
        fn = torch.nn.functional.scaled_dot_product_attention
    g = arrays[3] if lib == "gradkit" else __import__("torch").from_numpy(arrays[3])

    def step():
        fn(q, k, v, is_causal=True).backward(g)

    return step


def _mlp(lib: str, batch: int, quick: bool):
    """One SGD step (lr 0.01, momentum 0.9) of a 784-256-256-10 ReLU MLP, float32."""
    sizes = (784, 256, 256, 10)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, 10, batch)
    mod = __import__("gradkit" if lib == "gradkit" else "torch")
    mod.manual_seed(0)
    nn = mod.nn
    net = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]),
                        nn.ReLU(), nn.Linear(sizes[2], sizes[3]))  # fmt: skip
    opt = mod.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    if lib == "gradkit":
        x, y = mod.tensor(x), mod.tensor(y)
    else:
        x, y = mod.from_numpy(x), mod.from_numpy(y)

    def step():
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


# ---------------------------------------------------------------- classical workloads
def _classification(n: int, d: int, seed: int = 0):
    from sklearn.datasets import make_classification

    return make_classification(n_samples=n, n_features=d, n_informative=min(d, 10),
                               n_classes=3, random_state=seed)  # fmt: skip


def _blobs(n: int, d: int):
    from sklearn.datasets import make_blobs

    return make_blobs(n_samples=n, n_features=d, centers=8, random_state=0)[0]


def _estimator(lib: str, path: str, **params):
    """``path`` like "neighbors.KNeighborsClassifier" under gradkit.ml or sklearn."""
    import importlib

    module, name = path.rsplit(".", 1)
    root = "gradkit.ml" if lib == "gradkit" else "sklearn"
    return getattr(importlib.import_module(f"{root}.{module}"), name)(**params)


def _knn_predict(lib, n_train, quick):
    """KNeighborsClassifier(5).predict: 10k queries against n_train × 20."""
    X, y = _classification(n_train + n_train // 5, 20)
    Xq = X[n_train:]
    model = _estimator(lib, "neighbors.KNeighborsClassifier", n_neighbors=5)
    model.fit(X[:n_train], y[:n_train])
    return lambda: model.predict(Xq)


def _forest_predict(lib, n, quick):
    """RandomForestClassifier(50).predict on n × 20, fitted on n × 20."""
    X, y = _classification(2 * n, 20)
    trees = 5 if quick else 50
    model = _estimator(lib, "ensemble.RandomForestClassifier", n_estimators=trees, random_state=0)
    model.fit(X[:n], y[:n])
    return lambda: model.predict(X[n:])


def _tree_predict(lib, n, quick):
    """DecisionTreeClassifier.predict on n × 20, fitted on n × 20."""
    X, y = _classification(2 * n, 20)
    model = _estimator(lib, "tree.DecisionTreeClassifier", random_state=0).fit(X[:n], y[:n])
    return lambda: model.predict(X[n:])


def _pca_transform(lib, n, quick):
    """PCA(10).transform of the n × 50 fit data."""
    X = _classification(n, 50)[0]
    model = _estimator(lib, "decomposition.PCA", n_components=10).fit(X)
    return lambda: model.transform(X)


def _kmeans_predict(lib, n, quick):
    """KMeans(8).predict of the n × 50 fit data (one initialisation)."""
    X = _blobs(n, 50)
    model = _estimator(lib, "cluster.KMeans", n_clusters=8, n_init=1, random_state=0).fit(X)
    return lambda: model.predict(X)


FITS = {  # name: (estimator path, parameters, feature count)
    "LogisticRegression": ("linear_model.LogisticRegression", {"max_iter": 200}, 20),
    "DecisionTreeClassifier": ("tree.DecisionTreeClassifier", {"random_state": 0}, 20),
    "RandomForestClassifier(10)": (
        "ensemble.RandomForestClassifier", {"n_estimators": 10, "random_state": 0}, 20),
    "GradientBoostingClassifier(20)": (
        "ensemble.GradientBoostingClassifier", {"n_estimators": 20, "random_state": 0}, 20),
    "SVC": ("svm.SVC", {}, 20),
    "KMeans(8)": ("cluster.KMeans", {"n_clusters": 8, "n_init": 1, "random_state": 0}, 50),
    "PCA(10)": ("decomposition.PCA", {"n_components": 10}, 50),
}  # fmt: skip


def _fit(name):
    path, params, d = FITS[name]

    def build(lib, n, quick):
        if path.startswith(("cluster", "decomposition")):
            X, y = _blobs(n, d), None
        else:
            X, y = _classification(n, d)
        return lambda: _estimator(lib, path, **params).fit(X, y)

    build.__doc__ = f"{name}.fit on n × {d}."
    return build


# name: (builder, reference, sizes, quick sizes, size label, memory steps)
WORKLOADS = {
    "transformer": (_transformer, "torch", [32, 128, 256, 512], [8, 16], "seq", 5),
    "sdpa": (_sdpa, "torch", [128, 512], [16, 40], "seq", 5),
    "mlp": (_mlp, "torch", [1, 2, 16, 128, 1024, 4096], [1, 4], "batch", 20),
    "knn": (_knn_predict, "sklearn", [50_000], [500], "train", 1),
    "forest": (_forest_predict, "sklearn", [10_000], [200], "n", 1),
    "tree": (_tree_predict, "sklearn", [10_000], [200], "n", 1),
    "pca": (_pca_transform, "sklearn", [200_000], [500], "n", 1),
    "kmeans": (_kmeans_predict, "sklearn", [200_000], [500], "n", 1),
    "fit-logistic": (_fit("LogisticRegression"), "sklearn", [200_000], [300], "n", 1),
    "fit-tree": (_fit("DecisionTreeClassifier"), "sklearn", [100_000], [300], "n", 1),
    "fit-forest": (_fit("RandomForestClassifier(10)"), "sklearn", [50_000], [300], "n", 1),
    "fit-boosting": (_fit("GradientBoostingClassifier(20)"), "sklearn", [50_000], [300], "n", 1),
    "fit-svc": (_fit("SVC"), "sklearn", [10_000], [300], "n", 1),
    "fit-kmeans": (_fit("KMeans(8)"), "sklearn", [200_000], [300], "n", 1),
    "fit-pca": (_fit("PCA(10)"), "sklearn", [200_000], [300], "n", 1),
}


def _block(step, seconds: float, minimum: int = 3) -> float:
    """Median seconds per call over one block: a warm-up call, then calls until about
    ``seconds`` have passed (at least ``minimum``)."""
    step()
    times, start = [], time.perf_counter()
    while len(times) < minimum or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _status_kib() -> dict:
    with open("/proc/self/status") as f:
        return {line.split(":")[0]: int(line.split()[1]) for line in f if line.startswith("Vm")}


def measure_memory(name: str, size: int, lib: str, quick: bool) -> float:
    """Peak resident-set growth (MiB) over the workload's measured steps, in this
    process: build, reset the high-water mark, run, read it."""
    build, _, _, _, _, steps = WORKLOADS[name]
    step = build(lib, size, quick)
    base = _status_kib()["VmRSS"]
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS
    for _ in range(steps):
        step()
    return (_status_kib()["VmHWM"] - base) / 1024


def _memory_in_subprocess(name, size, lib, quick) -> float | None:
    cmd = [sys.executable, __file__, "--memory-of", f"{name}:{size}:{lib}"]
    if quick:
        cmd.append("--quick")
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.dirname(__file__))
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_mib"]


def run_row(name: str, size: int, args) -> dict:
    build, ref, *_ = WORKLOADS[name]
    ours, theirs = build("gradkit", size, args.quick), build(ref, size, args.quick)
    ours_t, theirs_t = [], []
    for _ in range(args.rounds):
        ours_t.append(_block(ours, args.block_seconds))
        theirs_t.append(_block(theirs, args.block_seconds))
    row = {
        "workload": name, "size": size, "reference": ref,
        "gradkit_ms": 1e3 * statistics.median(ours_t),
        "reference_ms": 1e3 * statistics.median(theirs_t),
        "ratio": statistics.median(o / t for o, t in zip(ours_t, theirs_t)),
    }  # fmt: skip
    if args.memory:
        row["gradkit_mib"] = _memory_in_subprocess(name, size, "gradkit", args.quick)
        row["reference_mib"] = _memory_in_subprocess(name, size, ref, args.quick)
    return row


def _fmt_mem(row) -> str:
    a, b = row.get("gradkit_mib"), row.get("reference_mib")
    if a is None or b is None:
        return f"{'—':>9} {'—':>9} {'—':>6}"
    ratio = a / b if b > 0.5 else float("nan")
    return f"{a:>9.1f} {b:>9.1f} {ratio:>6.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="toy sizes: a smoke test")
    ap.add_argument("--only", default="", help="comma-separated workloads: " + ",".join(WORKLOADS))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--block-seconds", type=float, default=1.0)
    ap.add_argument("--no-memory", dest="memory", action="store_false")
    ap.add_argument("--memory-of", help=argparse.SUPPRESS)  # name:size:lib (subprocess)
    args = ap.parse_args()
    if args.memory_of:
        name, size, lib = args.memory_of.split(":")
        print(json.dumps({"peak_mib": measure_memory(name, int(size), lib, args.quick)}))
        return
    names = [n for n in args.only.split(",") if n] or list(WORKLOADS)
    unknown = sorted(set(names) - set(WORKLOADS))
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; choose from {', '.join(WORKLOADS)}")
    if args.quick:
        args.rounds, args.block_seconds = min(args.rounds, 2), 0.0
    print("versions:", _common.versions())
    print(f"time: median of {args.rounds} paired alternating blocks (~{args.block_seconds} s "
          "each); memory: peak RSS growth over the measured steps, a fresh subprocess per "
          "library")  # fmt: skip
    print(f"{'workload':<16}{'size':>8} {'ref':>8} {'gradkit ms':>11} {'ref ms':>10} "
          f"{'time':>6} {'gk MiB':>9} {'ref MiB':>9} {'mem':>6}")  # fmt: skip
    for name in names:
        sizes = WORKLOADS[name][3] if args.quick else WORKLOADS[name][2]
        for size in sizes:
            r = run_row(name, size, args)
            print(f"{name:<16}{size:>8} {r['reference']:>8} {r['gradkit_ms']:>11.2f} "
                  f"{r['reference_ms']:>10.2f} {r['ratio']:>6.2f} {_fmt_mem(r)}",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
