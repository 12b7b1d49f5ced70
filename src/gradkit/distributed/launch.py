"""``gradkit launch -n N script.py [args]``: run a script on N MPI ranks through
``mpiexec``, each rank started by :mod:`gradkit.distributed.bootstrap` so that an
exception on any rank ends the whole job.

``mpiexec`` is looked for next to the Python executable (where the ``mpich`` wheel of the
``[mpi]`` extra puts it), then on ``PATH``. Across machines, ``hosts`` (``a,b``) or a
``hostfile`` are passed in the syntax of the MPI found (MPICH: ``-hosts``/``-f``; Open
MPI: ``--host``/``--hostfile``); every machine needs the same Python environment and
the script at the same path. Unless already set, every rank runs its BLAS and OpenMP
code on one thread (``OMP_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``,
``MKL_NUM_THREADS=1``), as ``torchrun`` does: N ranks already use N cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gradkit._process_group import INSTALL
from gradkit.validation import check_int

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_JOB_VARS = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS")


def find_mpiexec(python: str | None = None) -> str:
    """The ``mpiexec`` beside ``python`` (default: this interpreter), else on ``PATH``."""
    here = Path(python or sys.executable).parent
    for name in ("mpiexec", "mpirun"):
        candidate = here / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    for name in ("mpiexec", "mpirun"):
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError(
        f"mpiexec is needed, found neither next to {here} nor on PATH: {INSTALL}"
    )


def in_mpi_job() -> bool:
    """Whether this process was started by an MPI launcher (one of its ranks)."""
    return any(var in os.environ for var in _JOB_VARS)


def _is_open_mpi(mpiexec: str) -> bool:
    try:
        text = subprocess.run(
            [mpiexec, "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Open MPI" in text or "OpenRTE" in text


def launch_command(
    nproc: int,
    target: str,
    args: list[str] | tuple[str, ...] = (),
    *,
    module: bool = False,
    hosts: str | None = None,
    hostfile: str | None = None,
    python: str | None = None,
    mpiexec: str | None = None,
) -> list[str]:
    """The ``mpiexec`` command line that runs ``target`` (a script path, or a module
    name with ``module=True``) with ``args`` on ``nproc`` ranks."""
    nproc = check_int("launch", "nproc", nproc)
    python = python or sys.executable
    mpiexec = mpiexec or find_mpiexec(python)
    cmd = [mpiexec, "-n", str(nproc)]
    if hosts or hostfile:
        open_mpi = _is_open_mpi(mpiexec)
        if hosts:
            cmd += ["--host" if open_mpi else "-hosts", hosts]
        if hostfile:
            cmd += ["--hostfile" if open_mpi else "-f", str(hostfile)]
    cmd += [python, "-m", "gradkit.distributed.bootstrap"]
    cmd += ["-m", target] if module else [target]
    return cmd + list(args)


def launch(
    nproc: int,
    target: str,
    args: list[str] | tuple[str, ...] = (),
    *,
    module: bool = False,
    hosts: str | None = None,
    hostfile: str | None = None,
) -> int:
    """Run ``target`` on ``nproc`` ranks and wait; returns the job's exit status
    (non-zero when any rank failed)."""
    if not module and not Path(target).is_file():
        raise FileNotFoundError(f"no script {target!r}")
    if hostfile and not Path(hostfile).is_file():
        raise FileNotFoundError(f"no hostfile {hostfile!r}")
    cmd = launch_command(nproc, target, args, module=module, hosts=hosts, hostfile=hostfile)
    env = dict(os.environ)
    for var in _THREAD_VARS:
        env.setdefault(var, "1")
    return subprocess.run(cmd, env=env).returncode
