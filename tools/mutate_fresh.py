"""A second mutation round with mutants mutmut does not make (issue 24's cross-check).

    python tools/mutate_fresh.py src/gradkit/ops/reduce.py --sample 25 --seed 1
    python tools/mutate_fresh.py src/gradkit/ml/metrics/ --sample 40   # a whole package

mutmut (``tools/mutate.py``) swaps operators for their neighbours (``<`` → ``<=``, ``+`` →
``-``), shifts numbers by one, turns arguments into ``None`` and values into ``None``. A
suite tuned until those die could still miss other faults, so this round draws its
mutants from operators mutmut lacks:

- ``flip``: a comparison turned around (``<`` → ``>``, ``<=`` → ``>=``, ``==`` → ``<``);
- ``numpy``: a reduction or element-wise NumPy routine swapped for its sibling
  (``max``↔``min``, ``sum``↔``mean``, ``argmax``↔``argmin``, ``any``↔``all``,
  ``maximum``↔``minimum``, ``exp``↔``expm1``, ``log``↔``log1p``, ``cumsum``↔``cumprod``),
  as a function (``np.sum(x)``) or a method (``x.sum()``);
- ``swap``: the first two positional arguments of a call exchanged;
- ``delete``: an assignment or expression statement replaced by ``pass``;
- ``negate``: an ``if``/``while`` condition negated;
- ``slice``: ``[:-1]`` ↔ ``[1:]``, ``[::-1]`` → ``[::1]``;
- ``transpose``: ``.T`` dropped;
- ``keyword``: a keyword argument dropped (its default takes over).

It draws ``--sample`` mutants at random (``--seed``) from a module or from all the files
of a package (so each file in proportion to the mutants it offers), leaving ``raise``
statements and docstrings alone as ``tools/mutate.py`` does, applies each to a scratch
copy of ``src/`` and runs its file's tests from ``tools/mutate_tests.toml`` (the same
selection as the main harness) with ``pytest -x``; a failing or timed-out run catches the
mutant. Survivors are printed with their line and change; one that cannot change any
result goes in ``tools/mutate_equivalent.toml`` under the printed key (``fresh: ...``),
like mutmut's. The counts are written to ``docs/mutation_fresh/<slug>.json`` and a table
to ``docs/testing.md``.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutate  # noqa: E402  (tools/mutate.py: test selection, equivalents, paths)

ROOT = mutate.ROOT
RESULTS = ROOT / "docs" / "mutation_fresh"
TABLE_START = "<!-- fresh-table:start (written by tools/mutate_fresh.py) -->"
TABLE_END = "<!-- fresh-table:end -->"

NUMPY_SIBLINGS = {
    "max": "min",
    "min": "max",
    "amax": "amin",
    "amin": "amax",
    "sum": "mean",
    "mean": "sum",
    "argmax": "argmin",
    "argmin": "argmax",
    "any": "all",
    "all": "any",
    "maximum": "minimum",
    "minimum": "maximum",
    "exp": "expm1",
    "expm1": "exp",
    "log": "log1p",
    "log1p": "log",
    "cumsum": "cumprod",
    "cumprod": "cumsum",
    "nanmax": "nanmin",
    "nanmin": "nanmax",
}
FLIPS = {
    ast.Lt: ast.Gt,
    ast.Gt: ast.Lt,
    ast.LtE: ast.GtE,
    ast.GtE: ast.LtE,
    ast.Eq: ast.Lt,
    ast.NotEq: ast.Lt,
}


class Mutant:
    def __init__(self, kind: str, node: ast.AST, new_text: str, func: str, old_text: str):
        self.kind = kind
        self.lineno, self.col = node.lineno, node.col_offset
        self.end_lineno, self.end_col = node.end_lineno, node.end_col_offset
        self.new_text = new_text
        self.old_text = old_text
        self.func = func

    @property
    def key(self) -> str:
        return f"fresh: {self.func}: {self.old_text} -> {self.new_text}"

    def apply(self, source: str) -> str:
        lines = source.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line.encode("utf-8")))
        raw = source.encode("utf-8")
        start = offsets[self.lineno - 1] + self.col
        end = offsets[self.end_lineno - 1] + self.end_col
        return (raw[:start] + self.new_text.encode("utf-8") + raw[end:]).decode("utf-8")


def _skipped_lines(tree: ast.AST) -> set[int]:
    """Lines of raise statements and docstrings (left alone)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise):
            skip.update(range(node.lineno, node.end_lineno + 1))
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.update(range(body[0].lineno, body[0].end_lineno + 1))
    return skip


def _enclosing_functions(tree: ast.AST) -> dict[int, str]:
    names: dict[int, str] = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}.{child.name}" if prefix else child.name
                for ln in range(child.lineno, child.end_lineno + 1):
                    names[ln] = name
                visit(child, name)
            else:
                visit(child, prefix)

    visit(tree, "")
    return names


def _segment(source: str, node: ast.AST) -> str:
    return ast.get_source_segment(source, node) or ast.unparse(node)


def mutants_of(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    skip = _skipped_lines(tree)
    funcs = _enclosing_functions(tree)
    out: list[Mutant] = []

    def add(kind, node, new_node_or_text):
        if node.lineno in skip:
            return
        new = (
            new_node_or_text if isinstance(new_node_or_text, str) else ast.unparse(new_node_or_text)
        )
        old = _segment(source, node)
        if " ".join(new.split()) == " ".join(old.split()):
            return
        func = funcs.get(node.lineno, "<module>")
        out.append(Mutant(kind, node, new, func, " ".join(old.split())))

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in FLIPS:
            new = ast.Compare(node.left, [FLIPS[type(node.ops[0])]()], node.comparators)
            add("flip", node, new)
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr in NUMPY_SIBLINGS:
                new_f = ast.Attribute(f.value, NUMPY_SIBLINGS[f.attr], f.ctx)
                add("numpy", node, ast.Call(new_f, node.args, node.keywords))
            positional = [a for a in node.args if not isinstance(a, ast.Starred)]
            if len(positional) >= 2 and len(positional) == len(node.args):
                a, b = node.args[0], node.args[1]
                if ast.dump(a) != ast.dump(b):
                    args = [b, a, *node.args[2:]]
                    add("swap", node, ast.Call(node.func, args, node.keywords))
            for i, kw in enumerate(node.keywords):
                if kw.arg is not None:
                    rest = node.keywords[:i] + node.keywords[i + 1 :]
                    add("keyword", node, ast.Call(node.func, node.args, rest))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        ):
            if isinstance(node, ast.AnnAssign) and node.value is None:
                continue
            add("delete", node, "pass")
        elif isinstance(node, ast.If | ast.While):
            test = node.test
            new_test = ast.UnaryOp(ast.Not(), test)
            add("negate", test, new_test)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            s = node.slice
            lo, hi, st = (
                ast.unparse(x) if x is not None else None for x in (s.lower, s.upper, s.step)
            )
            new_slice = None
            if lo is None and hi == "-1" and st is None:
                new_slice = ast.Slice(ast.Constant(1), None, None)
            elif lo == "1" and hi is None and st is None:
                new_slice = ast.Slice(None, ast.UnaryOp(ast.USub(), ast.Constant(1)), None)
            elif lo is None and hi is None and st == "-1":
                new_slice = ast.Slice(None, None, ast.Constant(1))
            if new_slice is not None:
                add("slice", node, ast.Subscript(node.value, new_slice, node.ctx))
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            add("transpose", node, _segment(source, node.value))
    return out


def run_tests(tests: list[str], env: dict, timeout: float) -> str:
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    if proc.returncode == 0:
        return "survived"
    if proc.returncode in (1, 2, 3):  # failures, interruption, internal error (import)
        return "killed"
    return "killed" if proc.returncode != 5 else "no tests"


def run(module: str, sample: int, seed: int, files: list[Path] | None = None) -> dict:
    """Draw ``sample`` mutants from the files of ``module`` (weighted by how many each
    offers) and run each against its own file's tests."""
    files = files or mutate.target_files(module)
    if module.endswith("/"):  # compare like with like: the files the first round scored
        scored = {s["module"] for s in mutate.load_scores().values()}
        left_out = [mutate.rel(f) for f in files if mutate.rel(f) not in scored]
        files = [f for f in files if mutate.rel(f) in scored]
        if left_out:
            print(f"mutate_fresh: not scored by tools/mutate.py, left out: {', '.join(left_out)}")
    scratch = ROOT / ".mutate" / f"_fresh_{mutate.slug(module)}"
    tests_of = {}
    for f in files:
        tests_of[f] = mutate.find_tests(mutate.rel(f), [f])
        if not tests_of[f]:
            print(f"mutate_fresh: no tests for {mutate.rel(f)}; it is left out")
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(ROOT / "src", scratch / "src", ignore=shutil.ignore_patterns("__pycache__"))
    env = mutate.mutant_env(scratch)
    env["PYTHONPATH"] = str(scratch / "src")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    started = time.time()
    candidates = []
    for f in files:
        if tests_of[f]:
            candidates += [(f, m) for m in mutants_of(f.read_text("utf-8"))]
    rng = random.Random(seed)
    picked = rng.sample(candidates, min(sample, len(candidates)))
    baseline = {}
    for f in sorted({f for f, _ in picked}):
        t0 = time.time()
        status = run_tests(tests_of[f], env, timeout=3600)
        baseline[f] = time.time() - t0
        if status != "survived":
            sys.exit(f"mutate_fresh: {tests_of[f]} fail without any mutant ({status})")
    tests = sorted({t for f in baseline for t in tests_of[f]})
    print(
        f"mutate_fresh: {module}: {len(candidates)} candidate mutants, {len(picked)} drawn "
        f"(seed {seed}); {len(tests)} test file(s), clean runs {sum(baseline.values()):.0f} s"
    )
    equiv = mutate.load_equivalent(mutate.EQUIVALENT)
    counts = {"killed": 0, "timeout": 0, "survived": 0, "equivalent": 0}
    survivors = []
    for n, (f, m) in enumerate(picked, 1):
        path = mutate.rel(f)
        reason = (equiv.get(path, {}) | equiv.get(path.removeprefix("src/"), {})).get(m.key)
        target = scratch / "src" / f.relative_to(ROOT / "src")
        original = f.read_text("utf-8")
        target.write_text(m.apply(original), "utf-8")
        try:
            status = run_tests(tests_of[f], env, timeout=max(60.0, 3 * baseline[f]))
        finally:
            target.write_text(original, "utf-8")
        if status == "survived" and reason:
            status = "equivalent"
        counts[status if status in counts else "killed"] += 1
        mark = {"killed": "x", "timeout": "t", "survived": "S", "equivalent": "="}.get(status, "x")
        print(f"  [{n:3d}/{len(picked)}] {mark} {m.kind:9s} {path}:{m.lineno}", flush=True)
        if status == "survived":
            survivors.append((path, m))
    for path, m in survivors:
        print(f"\n  {path}:{m.lineno}  [{m.kind}]\n      - {m.old_text}\n      + {m.new_text}")
        print(f"      key: {json.dumps(m.key, ensure_ascii=False)}")
    caught = counts["killed"] + counts["timeout"]
    denom = len(picked) - counts["equivalent"]
    score = caught / denom if denom else 1.0
    print(
        f"\n{module}: {len(picked)} fresh mutants, caught {caught}, survived "
        f"{counts['survived']}, equivalent {counts['equivalent']}; score {caught}/{denom} = "
        f"{100 * score:.1f}% ({(time.time() - started) / 60:.1f} min)"
    )
    result = {
        "module": module.rstrip("/"),
        "date": datetime.date.today().isoformat(),
        "seed": seed,
        "candidates": len(candidates),
        "drawn": len(picked),
        "caught": caught,
        "survived": counts["survived"],
        "equivalent": counts["equivalent"],
        "survivors": [f"{p}:{m.lineno} {m.key}" for p, m in survivors],
        "tests": tests,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{mutate.slug(module)}.json"
    out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", "utf-8")
    write_report()
    return result


def write_report() -> None:
    rows: dict[str, dict] = {}
    equiv = mutate.load_equivalent(mutate.EQUIVALENT)
    for f in sorted(RESULTS.glob("*.json")) if RESULTS.is_dir() else []:
        r = json.loads(f.read_text("utf-8"))
        # survivors recorded as equivalent since the run count as equivalent
        for s in r["survivors"]:
            where, _, key = s.partition(" ")
            path = where.rpartition(":")[0]
            if key in equiv.get(path, {}):
                r["survived"] -= 1
                r["equivalent"] += 1
        pkg = mutate.package_of(r["module"])
        row = rows.setdefault(
            pkg, {"modules": [], "total": 0, "caught": 0, "survived": 0, "equivalent": 0}
        )
        row["modules"].append(Path(r["module"]).name)
        row["total"] += r["drawn"]
        for k in ("caught", "survived", "equivalent"):
            row[k] += r[k]
    table = [TABLE_START, *mutate.package_table(rows, "modules", "fresh mutants"), TABLE_END]
    mutate.splice_table(table)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", nargs="?", help="src/gradkit/... file or folder")
    ap.add_argument("--sample", type=int, default=30, help="mutants drawn per module")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report", action="store_true", help="only rewrite the table")
    ap.add_argument("--list", action="store_true", help="print the candidates and stop")
    args = ap.parse_args(argv)
    if args.report:
        write_report()
        return 0
    if not args.module:
        ap.error("give a MODULE or --report")
    module = mutate.rel(ROOT / args.module) + ("/" if (ROOT / args.module).is_dir() else "")
    if args.list:
        for f in mutate.target_files(module):
            for m in mutants_of(f.read_text("utf-8")):
                print(f"{mutate.rel(f)}:{m.lineno} [{m.kind}] {m.old_text} -> {m.new_text}")
        return 0
    os.environ.setdefault("GRADKIT_DATA", str(ROOT.parent / "shared" / "data"))
    run(module, args.sample, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
