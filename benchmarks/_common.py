"""Shared benchmark plumbing: pin BLAS threads before NumPy/PyTorch load, time blocks of
steps, print versions. Import this module first in every benchmark script."""

from __future__ import annotations

import os
import platform
import statistics
import time

THREADS = os.environ.get("BENCH_THREADS", "2")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = THREADS


def versions() -> str:
    import numpy as np

    parts = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    try:
        import torch

        torch.set_num_threads(int(THREADS))
        parts.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    except ImportError:
        pass
    for name in ("sklearn", "scipy", "statsmodels"):
        try:
            module = __import__(name)
            parts.append(f"{name} {module.__version__}")
        except ImportError:
            pass
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info()]
        parts.append("BLAS: " + ", ".join(sorted(set(blas))))
    except ImportError:
        parts.append(f"BLAS threads pinned to {THREADS}")
    return "; ".join(parts)


def median_time(step, *, blocks: int = 5, per_block: int = 20, warmup: int = 3) -> float:
    """Median seconds per call of ``step()``: run blocks of calls, drop each block's first
    ``warmup`` calls (so alternating libraries do not measure each other's thread pools)."""
    times = []
    for _ in range(blocks):
        for i in range(per_block + warmup):
            t0 = time.perf_counter()
            step()
            if i >= warmup:
                times.append(time.perf_counter() - t0)
    return statistics.median(times)


def compare(name: str, ours, theirs, *, blocks: int = 5, per_block: int = 20) -> dict:
    """Time ``ours`` and ``theirs`` in alternating blocks; return a result row.

    The ratio is the median over rounds of (our block median / their block median):
    pairing neighbouring blocks cancels slow drifts in the machine's speed (another
    tenant on the host) that a ratio of overall medians would absorb into the result.
    """
    ours_t, theirs_t = [], []
    for _ in range(blocks):
        ours_t.append(median_time(ours, blocks=1, per_block=per_block))
        theirs_t.append(median_time(theirs, blocks=1, per_block=per_block))
    a, b = statistics.median(ours_t), statistics.median(theirs_t)
    ratio = statistics.median(o / t for o, t in zip(ours_t, theirs_t))
    return {"workload": name, "gradkit_ms": a * 1e3, "reference_ms": b * 1e3, "ratio": ratio}


def print_table(rows: list[dict], reference: str = "torch") -> None:
    print(f"{'workload':<44} {'gradkit ms':>11} {reference + ' ms':>11} {'ratio':>7}")
    for r in rows:
        print(
            f"{r['workload']:<44} {r['gradkit_ms']:>11.3f} {r['reference_ms']:>11.3f} "
            f"{r['ratio']:>7.2f}"
        )
