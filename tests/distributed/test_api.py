"""gradkit.distributed without an MPI job: clear errors (no process group, mpi4py
missing, mpiexec missing, arguments PyTorch has but MPI cannot honour), the launcher's
command lines, and a one-process job (MPI singleton) in a subprocess (concept T-DEVICE)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gradkit
import gradkit.distributed as dist
from gradkit import nn
from gradkit.distributed import launch as launcher

SRC = str(Path(gradkit.__file__).resolve().parents[1])


@pytest.fixture
def no_group():
    if dist.is_initialized():
        pytest.skip("a process group is initialized in this process")


def test_t_device_calls_before_init_process_group_say_so(no_group):
    message = "Default process group has not been initialized.*init_process_group"
    for call in (dist.get_rank, dist.get_world_size, dist.barrier):
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(ValueError, match=message):
        dist.all_reduce(gradkit.ones(2))
    with pytest.raises(ValueError, match=message):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    assert not dist.is_initialized()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "nccl"}, "backend 'nccl' is not available.*backend='mpi'"),
        ({"init_method": "tcp://10.0.0.1:23456"}, "init_method=.*not supported.*mpiexec"),
        ({"store": object()}, "store=.*not supported over MPI"),
        ({"device_id": 0}, "device_id=0 is not supported"),
    ],
)
def test_t_device_init_refuses_what_mpi_cannot_honour(no_group, kwargs, message):
    with pytest.raises(ValueError, match=message):
        dist.init_process_group(**kwargs)
    assert not dist.is_initialized()


def test_t_device_missing_mpi4py_names_the_extra(no_group, monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    with pytest.raises(ImportError, match=r"pip install 'gradkit\[mpi\]'"):
        dist.init_process_group()
    assert not dist.is_initialized()


def test_t_device_missing_mpiexec_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"mpiexec is needed.*gradkit\[mpi\]"):
        launcher.find_mpiexec(str(tmp_path / "python"))


def _fake_mpiexec(tmp_path: Path, banner: str) -> str:
    exe = tmp_path / "mpiexec"
    exe.write_text(f"#!/bin/sh\necho '{banner}'\n")
    exe.chmod(0o755)
    return str(exe)


def test_t_device_launch_command_lines(tmp_path):
    exe = _fake_mpiexec(tmp_path, "HYDRA build details:")
    boot = ["-m", "gradkit.distributed.bootstrap"]
    cmd = launcher.launch_command(3, "train.py", ["--lr", "0.1"], python="py", mpiexec=exe)
    assert cmd == [exe, "-n", "3", "py", *boot, "train.py", "--lr", "0.1"]
    cmd = launcher.launch_command(2, "pkg.mod", [], module=True, hosts="a,b", hostfile="hf",
                                  python="py", mpiexec=exe)  # fmt: skip
    assert cmd == [exe, "-n", "2", "-hosts", "a,b", "-f", "hf", "py", *boot, "-m", "pkg.mod"]
    (tmp_path / "openmpi").mkdir()
    ompi = _fake_mpiexec(tmp_path / "openmpi", "mpiexec (OpenRTE) 4.1.5")
    cmd = launcher.launch_command(2, "s.py", hosts="a,b", hostfile="hf", python="py", mpiexec=ompi)
    assert cmd[:7] == [ompi, "-n", "2", "--host", "a,b", "--hostfile", "hf"]
    with pytest.raises(ValueError, match="nproc` must be an int >= 1, got 0"):
        launcher.launch_command(0, "s.py", mpiexec=exe)


def test_t_device_cli_launch_errors(tmp_path, capsys):
    from gradkit.cli import main

    assert main(["launch", "-n", "2", str(tmp_path / "missing.py")]) == 2
    assert "no script" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["launch", "script.py"])  # -n is required
    with pytest.raises(SystemExit):
        main(["train", "--nproc", "0"])


SINGLETON = """
import numpy as np, gradkit as gk, gradkit.distributed as dist
from gradkit import nn
dist.init_process_group(backend="gloo", world_size=1, rank=0)
assert (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (0, 1, "mpi")
try:
    dist.init_process_group()
except ValueError as e:
    assert "twice" in str(e)
else:
    raise AssertionError("a second init must fail")
t = gk.tensor([1.0, 2.0]); dist.all_reduce(t, dist.ReduceOp.AVG); assert t.tolist() == [1.0, 2.0]
gk.manual_seed(0)
net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
sync = nn.SyncBatchNorm.convert_sync_batchnorm(net)
assert type(sync[1]).__name__ == "SyncBatchNorm" and sync[1].weight is net[1].weight
model = nn.parallel.DistributedDataParallel(sync)
x = gk.tensor(np.random.default_rng(0).standard_normal((8, 3)))
model(x).square().sum().backward()
ref = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
ref.load_state_dict({k: v.clone() for k, v in net.state_dict().items()})
ref(x).square().sum().backward()
assert all(np.array_equal(a.grad.numpy(), b.grad.numpy())
           for a, b in zip(model.parameters(), ref.parameters()))
assert list(model.state_dict())[0] == "module.0.weight"
dist.destroy_process_group(); assert not dist.is_initialized()
print("SINGLETON OK")
"""


def test_t_device_one_process_job():
    """Outside mpiexec, MPI starts as a one-rank job: the API works and DDP/SyncBatchNorm
    reduce to the plain module."""
    pytest.importorskip("mpi4py")
    path = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    job = subprocess.run([sys.executable, "-c", SINGLETON], env=env, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert job.returncode == 0, job.stderr
    assert "SINGLETON OK" in job.stdout
