"""How ``gradkit launch`` starts each rank: ``python -m gradkit.distributed.bootstrap
script.py [args]`` (or ``-m module [args]``) runs the target as ``__main__`` under MPI,
and turns a failure on any rank into the end of the whole job.

An uncaught exception (before or after ``init_process_group``) prints its traceback with
the rank and calls ``MPI_Abort``; ``sys.exit(code)`` with a non-zero code on one rank does
the same with that code. Without this, the other ranks would wait forever inside their
next collective.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback

from gradkit._process_group import mpi
from gradkit.distributed.collectives import abort_job

_USAGE = "usage: python -m gradkit.distributed.bootstrap (script.py | -m module) [args ...]"


def main(argv: list[str]) -> int:
    if not argv or argv[0] == "-m" and len(argv) < 2:
        print(_USAGE, file=sys.stderr)
        return 2
    module = argv[0] == "-m"
    target, rest = (argv[1], argv[2:]) if module else (argv[0], argv[1:])
    comm = mpi().COMM_WORLD
    sys.argv = [target, *rest]
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
            runpy.run_path(target, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is None or code == 0:
            return 0
        if comm.Get_size() > 1:
            message = "" if isinstance(code, int) else f"{code}\n"
            abort_job(comm, f"{message}sys.exit({code!r})\n", code if isinstance(code, int) else 1)
        raise
    except BaseException:
        if comm.Get_size() > 1:
            abort_job(comm, traceback.format_exc())
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
