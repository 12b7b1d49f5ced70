"""Convolutional networks: gradkit vs PyTorch CPU in the same run, and the FFT/direct
convolution crossover (concepts CNN-CONV, T-FFT).

    python benchmarks/bench_cnn.py [--quick] [--threads N]

Both libraries get 2 threads by default (OMP/MKL/OPENBLAS set before NumPy and torch
load, ``torch.set_num_threads``); ``--threads 1`` is steadier on a busy machine. Each
case runs in alternating blocks of 25 steps per library, the first 5 of every block
dropped as warm-up, and reports the median step time and the ratio gradkit / PyTorch.
Blocks rather than single steps, because two thread pools switching after every step
fight for the cores.
"""

from __future__ import annotations

import os
import sys

THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = THREADS

import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gradkit as gk  # noqa: E402
from gradkit.models import LeNet5, vgg_block  # noqa: E402
from gradkit.nn import functional as F  # noqa: E402
from gradkit.ops.conv import conv2d  # noqa: E402

torch.set_num_threads(int(THREADS))
BLOCK, WARMUP = 25, 5


def median_ms(fn, blocks: int) -> float:
    times = []
    for _ in range(blocks):
        for i in range(BLOCK):
            t = time.perf_counter()
            fn()
            if i >= WARMUP:
                times.append(time.perf_counter() - t)
    return float(np.median(times)) * 1e3


def compare(name: str, gk_step, torch_step, rounds: int) -> tuple[float, float]:
    """Alternate blocks of the two libraries ``rounds`` times; print the medians and, as
    the ratio, the median of neighbouring blocks' ratios (see ``_common.compare``)."""
    g_times, t_times = [], []
    for _ in range(rounds):
        g_times.append(median_ms(gk_step, 1))
        t_times.append(median_ms(torch_step, 1))
    g, t = float(np.median(g_times)), float(np.median(t_times))
    ratio = float(np.median([a / b for a, b in zip(g_times, t_times)]))
    print(f"{name:<44} {g:9.2f} {t:9.2f} {ratio:7.2f}x", flush=True)
    return g, t


# ---------------------------------------------------------------- cases
def lenet_step(batch: int = 64):
    """One SGD-momentum training step of LeNet-5 on MNIST-sized inputs, both libraries."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    gk.manual_seed(0)
    model = LeNet5()
    opt = gk.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    xg, yg = gk.tensor(x), gk.tensor(y)

    def gk_step():
        loss = F.cross_entropy(model(xg), yg)
        opt.zero_grad()
        loss.backward()
        opt.step()

    tnn = torch.nn
    twin = tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
        tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10),
    )  # fmt: skip
    topt = torch.optim.SGD(twin.parameters(), lr=0.01, momentum=0.9)
    xt, yt = torch.tensor(x), torch.tensor(y)

    def torch_step():
        loss = torch.nn.functional.cross_entropy(twin(xt), yt)
        topt.zero_grad()
        loss.backward()
        topt.step()

    return gk_step, torch_step


def vgg_block_step(batch: int = 32):
    """Forward + backward of a VGG block (3×3 conv 3→64, ReLU, 3×3 conv 64→64, ReLU,
    2×2 max pool) on 3×32×32 images with a random upstream gradient."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    up = rng.standard_normal((batch, 64, 16, 16)).astype(np.float32)
    block = vgg_block(3, 64, num_convs=2)
    xg = gk.tensor(x, requires_grad=True)

    def gk_step():
        block.zero_grad()
        xg.grad = None
        block(xg).backward(up)

    tnn = torch.nn
    twin = tnn.Sequential(
        tnn.Conv2d(3, 64, 3, padding=1), tnn.ReLU(), tnn.Conv2d(64, 64, 3, padding=1), tnn.ReLU(),
        tnn.MaxPool2d(2),
    )  # fmt: skip
    xt, upt = torch.tensor(x, requires_grad=True), torch.tensor(up)

    def torch_step():
        twin.zero_grad()
        xt.grad = None
        twin(xt).backward(upt)

    return gk_step, torch_step


def conv_case(n, c, hw, o, k, stride=1, padding=0, backward=True):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, hw, hw)).astype(np.float32)
    w = (rng.standard_normal((o, c, k, k)) * 0.1).astype(np.float32)
    b = np.zeros(o, np.float32)
    xg, wg, bg = (gk.tensor(a, requires_grad=backward) for a in (x, w, b))
    xt, wt, bt = (torch.tensor(a, requires_grad=backward) for a in (x, w, b))
    out_shape = tuple(conv2d(xg, wg, bg, stride, padding).shape)
    up = rng.standard_normal(out_shape).astype(np.float32)
    upt = torch.tensor(up)

    def gk_step():
        out = conv2d(xg, wg, bg, stride, padding, algorithm="direct")
        if backward:
            out.backward(up)

    def torch_step():
        out = torch.nn.functional.conv2d(xt, wt, bt, stride, padding)
        if backward:
            out.backward(upt)

    return gk_step, torch_step


def fft_crossover(rounds: int) -> int | None:
    """Time gradkit's direct and FFT paths (forward + backward, "same" padding) on
    8×16×32×32 → 16 channels for growing kernels; return the first size where FFT wins."""
    rng = np.random.default_rng(0)
    x = gk.tensor(rng.standard_normal((8, 16, 32, 32)).astype(np.float32), requires_grad=True)
    up = rng.standard_normal((8, 16, 32, 32)).astype(np.float32)
    print(f"\n{'kernel':<8} {'direct ms':>10} {'fft ms':>10} {'fft/direct':>11}")
    crossover = None
    for k in (3, 5, 7, 9, 11, 13, 15):
        w = gk.tensor(rng.standard_normal((16, 16, k, k)).astype(np.float32), requires_grad=True)

        def run(algorithm, w=w):
            conv2d(x, w, padding="same", algorithm=algorithm).backward(up)

        d = float(np.median([median_ms(lambda: run("direct"), 1) for _ in range(rounds)]))
        f = float(np.median([median_ms(lambda: run("fft"), 1) for _ in range(rounds)]))
        print(f"{k:<8} {d:10.2f} {f:10.2f} {f / d:11.2f}", flush=True)
        if crossover is None and f < d:
            crossover = k
    return crossover


def main(argv: list[str]) -> None:
    rounds = 2 if "--quick" in argv else 5
    print(
        f"gradkit {gk.__version__}, numpy {np.__version__}, torch {torch.__version__}, "
        f"python {platform.python_version()}, threads: torch {torch.get_num_threads()}, "
        f"OMP/MKL/OPENBLAS {os.environ['OMP_NUM_THREADS']}, {os.cpu_count()} CPUs"
    )
    print(f"medians over {rounds} alternating blocks of {BLOCK - WARMUP} timed steps\n")
    print(f"{'case':<44} {'gradkit ms':>9} {'torch ms':>9} {'ratio':>8}")
    compare("LeNet-5 train step, batch 64", *lenet_step(), rounds)
    compare("VGG block 3→64→64 + pool, 3×32×32, batch 32", *vgg_block_step(), rounds)
    cases = [
        ("conv 64×1×28×28 → 6, 5×5 pad 2", (64, 1, 28, 6, 5, 1, 2)),
        ("conv 64×6×14×14 → 16, 5×5", (64, 6, 14, 16, 5, 1, 0)),
        ("conv 32×32×32×32 → 32, 3×3 pad 1", (32, 32, 32, 32, 3, 1, 1)),
        ("conv 32×64×16×16 → 128, 3×3 stride 2", (32, 64, 16, 128, 3, 2, 1)),
    ]
    for label, args in cases:
        compare(f"{label} fwd", *conv_case(*args, backward=False), rounds)
        compare(f"{label} fwd+bwd", *conv_case(*args), rounds)
    crossover = fft_crossover(rounds)
    print(f"\nFFT/direct crossover kernel size: {crossover}")


if __name__ == "__main__":
    main(sys.argv[1:])
