"""MLP training step against PyTorch CPU: 784-256-256-10, ReLU, batch 128, float32,
cross-entropy, SGD with momentum (forward + loss + backward + update).

Run: python benchmarks/bench_nn.py [--rounds 15]   (ratio = gradkit time / torch time; target ≤ 1.0)
"""

from __future__ import annotations

import argparse

import _common  # noqa: F401  (pins BLAS threads before numpy/torch load)
import numpy as np
import torch

import gradkit as gk


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15, help="alternating blocks per library")
    args = ap.parse_args()
    print("versions:", _common.versions())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)

    gk.manual_seed(0)
    net = gk.nn.Sequential(
        gk.nn.Linear(784, 256), gk.nn.ReLU(), gk.nn.Linear(256, 256), gk.nn.ReLU(),
        gk.nn.Linear(256, 10),
    )  # fmt: skip
    opt = gk.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    gx, gy = gk.tensor(x), gk.tensor(y)

    tnet = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10),
    )  # fmt: skip
    with torch.no_grad():
        for p, q in zip(tnet.parameters(), net.parameters()):
            p.copy_(torch.from_numpy(q.detach().numpy()))
    topt = torch.optim.SGD(tnet.parameters(), lr=0.01, momentum=0.9)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def gk_step():
        loss = gk.nn.functional.cross_entropy(net(gx), gy)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def th_step():
        loss = torch.nn.functional.cross_entropy(tnet(tx), ty)
        topt.zero_grad()
        loss.backward()
        topt.step()

    rows = [
        _common.compare(
            "MLP 784-256-256-10 train step, batch 128", gk_step, th_step, blocks=args.rounds
        )
    ]
    _common.print_table(rows)


if __name__ == "__main__":
    main()
