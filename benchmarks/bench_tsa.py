"""ARIMA fit time: gradkit vs statsmodels, same run, as ratios.

Usage: python benchmarks/bench_tsa.py [--repeats N]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

import gradkit  # noqa: E402
from gradkit.tsa import ARIMA  # noqa: E402

ORDERS = [(1, 0, 0), (2, 0, 1), (1, 1, 1), (0, 1, 1)]


def median_time(fn, repeats):
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import statsmodels
    import statsmodels.api as sm
    from statsmodels.tsa.arima.model import ARIMA as SMARIMA

    print(
        f"python {platform.python_version()}  numpy {np.__version__}  scipy {scipy.__version__}"
        f"  statsmodels {statsmodels.__version__}  gradkit {gradkit.__version__}"
    )
    pinned = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    print("threads: " + "  ".join(f"{v}={os.environ.get(v)}" for v in pinned))
    series = {
        "sunspots": sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(),
        "nile": sm.datasets.nile.load_pandas().data["volume"].to_numpy(),
    }
    print(f"{'series':<9} {'order':<10} {'gradkit ms':>10} {'statsmodels ms':>15} "
          f"{'ratio':>7} {'dllf':>10}")  # fmt: skip
    ratios = []
    for name, y in series.items():
        for order in ORDERS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_sm = median_time(lambda y=y, o=order: SMARIMA(y, order=o).fit(), args.repeats)
                llf_sm = SMARIMA(y, order=order).fit().llf
            t_gk = median_time(lambda y=y, o=order: ARIMA(y, order=o).fit(), args.repeats)
            llf_gk = ARIMA(y, order=order).fit().llf
            ratios.append(t_gk / t_sm)
            print(f"{name:<9} {str(order):<10} {t_gk * 1e3:>10.1f} {t_sm * 1e3:>15.1f} "
                  f"{t_gk / t_sm:>7.2f} {llf_gk - llf_sm:>10.2e}")  # fmt: skip
    print(f"geometric-mean ratio (gradkit / statsmodels): {np.exp(np.mean(np.log(ratios))):.2f}")


if __name__ == "__main__":
    main()
