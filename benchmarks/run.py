"""Run every benchmark script in this folder (bench_*.py), each in its own process so the
libraries' thread pools never share one. Run: python benchmarks/run.py [name ...]"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    wanted = set(sys.argv[1:])
    status = 0
    for script in sorted(here.glob("bench_*.py")):
        if wanted and script.stem.removeprefix("bench_") not in wanted:
            continue
        print(f"\n=== {script.name} ===", flush=True)
        status |= subprocess.call([sys.executable, str(script)], cwd=here)
    return status


if __name__ == "__main__":
    sys.exit(main())
