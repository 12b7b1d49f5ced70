"""Autograd engine against PyTorch CPU: per-op overhead and a 512×512 matmul.

Run: python benchmarks/bench_core.py   (ratio = gradkit time / torch time; lower is better)
"""

from __future__ import annotations

import _common  # noqa: F401  (pins BLAS threads before numpy/torch load)
import numpy as np
import torch

import gradkit as gk


def tiny_ops(lib, x, w):
    """64 tiny element-wise ops with grad on 16-element tensors, then backward."""
    y = x
    for _ in range(16):
        y = (y * w + 1.0).tanh() - 0.5
    y.sum().backward()


def main() -> None:
    print("versions:", _common.versions())
    rng = np.random.default_rng(0)
    rows = []

    xs = rng.standard_normal(16).astype(np.float32)
    gx, gw = gk.tensor(xs, requires_grad=True), gk.tensor(xs, requires_grad=True)
    tx, tw = torch.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)

    def gk_tiny():
        gx.grad = gw.grad = None
        tiny_ops(gk, gx, gw)

    def th_tiny():
        tx.grad = tw.grad = None
        tiny_ops(torch, tx, tw)

    row = _common.compare("per-op overhead: 64 tiny ops + backward", gk_tiny, th_tiny)
    row["per_op_us"] = (row["gradkit_ms"] * 1e3 / 65, row["reference_ms"] * 1e3 / 65)
    rows.append(row)

    a = rng.standard_normal((512, 512)).astype(np.float32)
    b = rng.standard_normal((512, 512)).astype(np.float32)
    ga, gb = gk.tensor(a, requires_grad=True), gk.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)

    def gk_mm():
        ga.grad = gb.grad = None
        (ga @ gb).sum().backward()

    def th_mm():
        ta.grad = tb.grad = None
        (ta @ tb).sum().backward()

    rows.append(_common.compare("matmul 512x512 forward+backward (float32)", gk_mm, th_mm))
    _common.print_table(rows)
    us = rows[0]["per_op_us"]
    print(f"per-op cost with grad: gradkit {us[0]:.2f} us, torch {us[1]:.2f} us")


if __name__ == "__main__":
    main()
