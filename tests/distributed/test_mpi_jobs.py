"""Real MPI jobs (concept T-DEVICE: training beyond one process): each test starts
``mpiexec -n W`` on a program in ``programs/`` with one BLAS thread per rank and a
timeout, and checks its exit status and output. Skipped when mpi4py or mpiexec is
missing (optional extra ``[mpi]``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpi4py")

import gradkit  # noqa: E402
from gradkit.distributed.launch import find_mpiexec  # noqa: E402

PROGRAMS = Path(__file__).parent / "programs"
SRC = str(Path(gradkit.__file__).resolve().parents[1])

try:
    MPIEXEC = find_mpiexec()
except FileNotFoundError:
    pytest.skip("mpiexec not found (install the [mpi] extra)", allow_module_level=True)


def run_job(args: list[str], nproc: int | None = 2, timeout: float = 120, launcher=None):
    """Run ``args`` on ``nproc`` ranks (``mpiexec -n``), or ``launcher + args``; returns
    the CompletedProcess (stdout and stderr as text)."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH")) if p)
    cmd = launcher or [MPIEXEC, "-n", str(nproc), sys.executable]
    return subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=timeout)


def results(stdout: str, tag: str) -> list[list[str]]:
    return [line.split()[1:] for line in stdout.splitlines() if line.startswith(tag + " ")]


@pytest.mark.parametrize("nproc", [2, 3])
def test_t_device_ddp_equals_one_process_on_combined_batches(nproc):
    """An MLP and a small CNN with SyncBatchNorm, SGD with momentum and Adam, 40 float64
    steps: W ranks on W shards end with the weights (and running statistics) of one
    process on the combined batches, within 1e-10 (-n 3 oversubscribes 2 cores)."""
    job = run_job([str(PROGRAMS / "ddp_equivalence.py")], nproc)
    assert job.returncode == 0, job.stdout + job.stderr
    found = results(job.stdout, "RESULT")
    assert [r[:2] for r in found] == [
        ["mlp", "sgd"], ["mlp", "adam"], ["cnn", "sgd"], ["cnn", "adam"]
    ]  # fmt: skip
    assert all(float(r[2]) <= 1e-10 for r in found), found


@pytest.mark.parametrize("nproc", [2, 3])
def test_t_device_collectives_and_distributed_sampler(nproc):
    """all_reduce (every op), broadcast, all_gather against their definitions; the
    DistributedSampler shards cover every index exactly once per epoch and change order
    after set_epoch."""
    job = run_job([str(PROGRAMS / "collectives.py")], nproc)
    assert job.returncode == 0, job.stdout + job.stderr
    assert f"OK {nproc}" in job.stdout


@pytest.mark.parametrize("nproc", [2, 3])
def test_t_device_fit_distributed_equals_fit(nproc, tmp_path):
    """fit(distributed=True) equals fit(): history, early-stopping epoch and restored
    weights; rank 0 alone writes the checkpoint and the CSV log."""
    job = run_job([str(PROGRAMS / "fit_distributed.py"), str(tmp_path)], nproc)
    assert job.returncode == 0, job.stdout + job.stderr
    [(world, _, weights, logs)] = results(job.stdout, "FIT")
    assert int(world) == nproc and float(weights) <= 1e-10 and float(logs) <= 1e-10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.safetensors", "log.csv"]


def test_t_device_failure_on_one_rank_ends_the_job():
    """Rank 1 raises mid-training while rank 0 waits in the gradient allreduce: the job
    ends non-zero within 30 s, showing rank 1's error."""
    job = run_job([str(PROGRAMS / "fail_rank1.py")], 2, timeout=30)
    assert job.returncode != 0
    assert "RuntimeError: injected failure on rank 1 at step 5" in job.stderr
    assert "rank 1 of 2 failed" in job.stderr
    assert "finished" not in job.stdout


def test_t_device_gradkit_launch_runs_and_fails_like_mpiexec(tmp_path):
    """`gradkit launch -n 2` runs a script on 2 ranks with its arguments, and a rank that
    raises before init_process_group (or exits non-zero) still ends the job."""
    launcher = [sys.executable, "-m", "gradkit.cli", "launch", "-n", "2"]
    job = run_job([str(PROGRAMS / "collectives.py")], launcher=launcher)
    assert job.returncode == 0, job.stdout + job.stderr
    assert "OK 2" in job.stdout
    script = tmp_path / "early.py"
    script.write_text(
        "import sys, time\n"
        "from mpi4py import MPI\n"
        "if MPI.COMM_WORLD.Get_rank() == 1:\n"
        "    raise KeyError(sys.argv[1])\n"
        "MPI.COMM_WORLD.Barrier()\n"
    )
    job = run_job([str(script), "the-argument"], launcher=launcher, timeout=30)
    assert job.returncode != 0
    assert "KeyError: 'the-argument'" in job.stderr and "rank 1 of 2 failed" in job.stderr
    script.write_text(
        "import sys\n"
        "from mpi4py import MPI\n"
        "if MPI.COMM_WORLD.Get_rank() == 0:\n"
        "    sys.exit(3)\n"
        "MPI.COMM_WORLD.Barrier()\n"
    )
    job = run_job([str(script)], launcher=launcher, timeout=30)
    assert job.returncode == 3, job.stderr
