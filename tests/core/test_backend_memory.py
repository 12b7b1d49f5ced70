"""gradkit.backend.keep_freed_memory: with it, a training-like loop that allocates and
frees tens of megabytes per step stops page-faulting; without it (the environment switch
off) the same loop faults on every step. Each case runs in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)"
)

LOOP = """
import resource
import numpy as np
import gradkit.backend as backend

def step():
    arrays = [np.ones(2_000_000, dtype=np.float32) for _ in range(5)]  # 5 x 8 MB
    return sum(float(a[-1]) for a in arrays)

for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 10)
"""


def faults_per_step(keep: str) -> int:
    env = {**os.environ, "GRADKIT_KEEP_FREED_MEMORY": keep}
    out = subprocess.run(
        [sys.executable, "-c", LOOP], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def test_freed_memory_is_reused_instead_of_faulted_in_again():
    from gradkit.backend import keep_freed_memory

    if not keep_freed_memory():
        pytest.skip("this C library has no mallopt")
    # glibc's defaults hand part of the 40 MB back each step (about 2,200 faults per
    # step measured); kept, the memory is reused without a fault.
    assert faults_per_step("0") > 1000
    assert faults_per_step("1") < 100
