"""Mutation testing of one gradkit module (or package folder) with mutmut 3.

    python tools/mutate.py src/gradkit/ops/reduce.py            # run, print, record
    python tools/mutate.py src/gradkit/ml/metrics/              # every .py in a folder
    python tools/mutate.py --report                             # only rewrite docs/testing.md

What it does, in order:

1. Finds the tests to run: the entry for the module in ``tools/mutate_tests.toml`` if there
   is one, else every test file that names the module's package (``ml.metrics``,
   ``gradkit.ml.metrics``, ``from gradkit.ml import metrics``) and one of the public names
   the module defines.
2. Builds a scratch project in ``.mutate/<slug>/``: symlinks to ``src`` and ``tests`` and a
   ``pyproject.toml`` holding only the pytest settings and a ``[tool.mutmut]`` table, so the
   repository's own ``pyproject.toml`` is never touched. mutmut needs the whole package
   copied (``source_paths = ["src/gradkit"]``) or ``gradkit`` resolves to the installed copy
   and no test reaches a mutant; every other ``.py`` file is listed in ``do_not_mutate``.
   ``raise`` statements are not mutated (their message text), unless ``--mutate-messages``.
3. Runs ``mutmut run --max-children 1`` there (fresh each time: mutmut never refreshes files
   it has copied, so a reused ``mutants/`` would test stale sources or stale tests). A mutant
   whose tests use more than 8 × (their clean run time + 1 s) of CPU is stopped and counted
   as caught (timed out): a mutated loop that never ends.
4. Prints killed / survived / timed out / no tests, each survivor with its source line and
   change, and the mutants listed as equivalent in ``tools/mutate_equivalent.toml``.
5. Records the counts (and the survivors' names) in ``docs/mutation_scores/<slug>.json``
   and rewrites the score table in
   ``docs/testing.md`` (per package; score = caught / (total - equivalent), where caught
   counts killed, timed-out and crashing mutants).

``--survivors`` re-runs only the survivors of the module's last recorded run (after adding
tests for them), keeping the earlier verdicts of the rest; it refuses when the module's
source changed since that run, since mutmut's mutant names would no longer match.

Equivalent mutants: ``tools/mutate_equivalent.toml`` has one table per module path; a key is
either a mutmut id (``gradkit.ops.reduce.x_sum__mutmut_3``) or the stable description the
harness prints for each survivor (``function: old line -> new line``); the value is a
one-line reason.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PKG_DIR = ROOT / "src" / "gradkit"
TESTS_MAP = ROOT / "tools" / "mutate_tests.toml"
EQUIVALENT = ROOT / "tools" / "mutate_equivalent.toml"
SCORES = ROOT / "docs" / "mutation_scores"  # one <slug>.json per module run
TESTING_MD = ROOT / "docs" / "testing.md"
SCRATCH = ROOT / ".mutate"
TABLE_START = "<!-- mutation-table:start (written by tools/mutate.py) -->"
TABLE_END = "<!-- mutation-table:end -->"

TIMEOUT_MULTIPLIER = 4.0

CAUGHT = {"killed", "timeout", "segfault", "caught by type check"}


def rel(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def target_files(module: str) -> list[Path]:
    path = (ROOT / module).resolve()
    if not path.exists():
        sys.exit(f"mutate: {module} does not exist")
    if PKG_DIR not in path.parents and path != PKG_DIR:
        sys.exit(f"mutate: {module} is not inside src/gradkit")
    if path.is_dir():
        return sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
    if path.suffix != ".py":
        sys.exit(f"mutate: {module} is not a .py file or a folder")
    return [path]


def dotted(path: Path) -> str:
    parts = list(path.relative_to(PKG_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def public_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for tgt in node.targets:
                if isinstance(tgt, ast.Name) and tgt.id == "__all__":
                    if isinstance(node.value, ast.List | ast.Tuple):
                        names.update(
                            e.value for e in node.value.elts if isinstance(e, ast.Constant)
                        )
    return names


def find_tests(module: str, files: list[Path]) -> list[str]:
    """Test files for ``module``: the explicit map first, else a grep of the tests."""
    key = module.rstrip("/")
    if TESTS_MAP.exists():
        table = tomllib.loads(TESTS_MAP.read_text("utf-8"))
        for k, v in table.items():
            if k.rstrip("/") == key:
                return list(v)
    found: set[str] = set()
    for f in files:
        mod = dotted(f)
        parts = mod.split(".")
        # the module itself and every package above it below ``gradkit``
        pkgs = [".".join(parts[:i]) for i in range(len(parts), 1, -1)]
        if parts[-1].startswith("_"):
            pkgs = pkgs[1:] or pkgs  # private module: reached through its package
        pats = []
        for p in pkgs:
            sub = p.split(".", 1)[1]
            parent, _, last = p.rpartition(".")
            pats.append(re.escape(p) + r"\b")
            pats.append(r"\b(gk|gradkit)\." + re.escape(sub) + r"\b")
            pats.append(r"from\s+" + re.escape(parent) + r"\s+import\s+[^\n]*\b" + last + r"\b")
        pats.append(re.escape(mod) + r"\b")
        pkg_re = re.compile("|".join(pats))
        names = public_names(f)
        name_re = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
        for t in sorted((ROOT / "tests").rglob("test_*.py")):
            text = t.read_text("utf-8", errors="replace")
            if re.search(re.escape(mod) + r"\b", text) or (
                names and pkg_re.search(text) and name_re.search(text)
            ):
                found.add(rel(t))
    return sorted(found)


def slug(module: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", module.strip("/").removeprefix("src/gradkit/"))


# Statements mutmut leaves alone unless --mutate-messages: the text and arguments of an
# exception (the condition that raises it is still mutated); the wording of error
# messages is checked by tests/reliability, not by the numerical tests run here.
MESSAGE_PATTERNS = [r"^\s*raise\b"]


def write_scratch(module: str, files: list[Path], tests: list[str], messages: bool) -> Path:
    work = SCRATCH / slug(module)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / "src").symlink_to(ROOT / "src", target_is_directory=True)
    (work / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    keep = {rel(f) for f in files}
    others = sorted(
        rel(p) for p in PKG_DIR.rglob("*.py") if "__pycache__" not in p.parts and rel(p) not in keep
    )
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    pytest_opts = pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {})
    lines = ["[tool.pytest.ini_options]"]
    for k, v in pytest_opts.items():
        if k == "testpaths":
            continue
        lines.append(f"{k} = {json.dumps(v)}")
    lines += [
        "",
        "[tool.mutmut]",
        'source_paths = ["src/gradkit"]',
        f"do_not_mutate = {json.dumps(others)}",
        f"do_not_mutate_patterns = {json.dumps([] if messages else MESSAGE_PATTERNS)}",
        'also_copy = ["tests"]',
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]',
        "use_git_change_detection = false",
        # mutmut's CPU-time limit per mutant is 2 * multiplier * (test seconds + 1); its
        # default multiplier 15 lets a mutated loop that never ends burn minutes of CPU
        f"timeout_multiplier = {TIMEOUT_MULTIPLIER}",
        "",
    ]
    (work / "pyproject.toml").write_text("\n".join(lines), "utf-8")
    return work


def mutant_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    # mutmut puts mutants/src first on sys.path itself; a PYTHONPATH entry (even one
    # pointing at mutants/src) stops it from recording which tests reach which function.
    env.pop("PYTHONPATH", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("GRADKIT_DATA", str(ROOT.parent / "shared" / "data"))
    return env


COLLECT = r"""
import json, sys
from mutmut.configuration import config
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files
out = []
for path in walk_mutatable_files():
    m = SourceFileMutationData(path=path)
    m.load()
    for name, code in m.exit_code_by_key.items():
        status = status_by_exit_code[code]
        diff = "" if status == "killed" else get_diff_for_mutant(name, path=path)
        out.append({"path": str(path), "name": name, "status": status, "diff": diff})
json.dump(out, sys.stdout)
"""


def function_of(name: str) -> str:
    """``gradkit.ops.reduce.x_sum__mutmut_3`` -> ``sum``; methods -> ``Class.method``."""
    last = name.rpartition(".")[2]
    last = re.sub(r"__mutmut_\d+$", "", last)
    if last.startswith("xǁ"):
        return ".".join(p for p in last[2:].split("ǁ") if p)
    return last.removeprefix("x_")


def describe(mutant: dict) -> tuple[str, list[str], list[str]]:
    olds, news = [], []
    for line in mutant["diff"].splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            olds.append(line[1:].strip())
        elif line.startswith("+"):
            news.append(line[1:].strip())
    key = f"{function_of(mutant['name'])}: {' / '.join(olds)} -> {' / '.join(news)}"
    return key, olds, news


def line_number(source_lines: list[str], func: str, old: list[str]) -> int | None:
    """The line of ``old[0]`` inside ``func`` in the original source."""
    if not old:
        return None
    tree = ast.parse("\n".join(source_lines))
    want = func.split(".")
    lo, hi = 1, len(source_lines)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == want[-1]:
            lo, hi = node.lineno, node.end_lineno or hi
            break
    for i in range(lo - 1, hi):
        if source_lines[i].strip() == old[0]:
            return i + 1
    return None


def load_equivalent(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text("utf-8"))


def previous_survivors(module: str, files: list[Path]) -> tuple[list[str], dict]:
    """The survivors of the last recorded run of ``module``, if its source is unchanged."""
    prior = load_scores().get(module.rstrip("/"))
    if prior is None or "survivor_names" not in prior:
        sys.exit(f"mutate: no recorded run of {module} to take survivors from; run it whole")
    if prior.get("source") != source_digest(files):
        sys.exit(
            f"mutate: {module} changed since its last run ({prior['date']}): mutmut's mutant "
            "names may no longer match, so run it whole"
        )
    return prior["survivor_names"], prior


def run(
    module: str,
    tests: list[str] | None,
    equivalent: Path,
    max_children: int,
    messages: bool,
    survivors_only: bool = False,
) -> int:
    files = target_files(module)
    prior = None
    names: list[str] = []
    if survivors_only:
        names, prior = previous_survivors(module, files)
        if not names:
            print(f"mutate: the last run of {module} left no survivors")
            return 0
    tests = tests or find_tests(module, files)
    if not tests:
        sys.exit(f"mutate: no test imports {module}; add it to {rel(TESTS_MAP)}")
    print(f"mutate: {len(files)} file(s) of {module}, {len(tests)} test file(s):")
    for t in tests:
        print(f"    {t}")
    work = write_scratch(module, files, tests, messages)
    env = mutant_env(work)
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *names]
    if names:
        print(f"mutate: re-running the {len(names)} survivor(s) of the {prior['date']} run")
    started = datetime.datetime.now()
    proc = subprocess.Popen(
        cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for chunk in proc.stdout:
        # drop mutmut's spinner frames and the list of files it leaves alone
        for line in chunk.replace("\r", "\n").split("\n"):
            s = line.strip()
            if not s or s[0] in "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" or s.startswith(("src/gradkit/", "also copying")):
                continue
            print(line, flush=True)
    proc.wait()
    minutes = (datetime.datetime.now() - started).total_seconds() / 60
    if proc.returncode not in (0,):
        print(f"mutate: mutmut run exited with {proc.returncode}", file=sys.stderr)
    if prior is not None:
        minutes += prior["minutes"]
    return summarize(module, files, tests, work, env, equivalent, minutes, set(names) or None)


def summarize(module, files, tests, work, env, equivalent, minutes, rerun) -> int:
    """Read mutmut's results in ``work``, print them against the equivalent list, record
    the counts and rewrite the report. ``rerun``: the names re-run by ``--survivors``; every
    other mutant kept the verdict "caught" from the earlier run."""
    got = subprocess.run(
        [sys.executable, "-c", COLLECT], cwd=work, env=env, capture_output=True, text=True
    )
    if got.returncode != 0:
        sys.exit(f"mutate: could not read mutmut results:\n{got.stderr}")
    mutants = json.loads(got.stdout)
    equiv = load_equivalent(equivalent)
    if rerun is not None:  # the rest keep the earlier verdict: equivalent, else caught
        for m in mutants:
            if m["name"] not in rerun and m["status"] == "not checked":
                table = equiv.get(m["path"], {}) | equiv.get(m["path"].removeprefix("src/"), {})
                listed = m["name"] in table or describe(m)[0] in table
                m["status"] = "survived" if listed else "killed"
    if not mutants:
        sys.exit("mutate: mutmut made no mutants (see its output above)")

    if all(m["status"] == "not checked" for m in mutants):
        sys.exit("mutate: mutmut checked no mutant (did the clean test run fail? see above)")
    counts = {"killed": 0, "timeout": 0, "survived": 0, "no tests": 0, "equivalent": 0}
    other: dict[str, int] = {}
    survivors, equivalents = [], []
    by_file: dict[str, list[str]] = {}
    for m in sorted(mutants, key=lambda m: (m["path"], m["name"])):
        status = m["status"]
        path = m["path"]
        table = equiv.get(path, {}) | equiv.get(path.removeprefix("src/"), {})
        if status not in CAUGHT:
            key, old, new = describe(m)
            reason = table.get(m["name"]) or table.get(key)
            if path not in by_file:
                by_file[path] = (ROOT / path).read_text("utf-8").splitlines()
            lineno = line_number(by_file[path], function_of(m["name"]), old)
            entry = (m, key, lineno, old, new, reason)
            if reason:
                counts["equivalent"] += 1
                equivalents.append(entry)
                continue
            if status in ("survived", "no tests"):
                counts[status] += 1
            else:
                other[status] = other.get(status, 0) + 1
            survivors.append(entry)
        elif status == "killed":
            counts["killed"] += 1
        else:
            counts["timeout"] += 1 if status == "timeout" else 0
            if status != "timeout":
                counts["killed"] += 1

    def show(entries, label):
        if not entries:
            return
        print(f"\n{label}:")
        for m, key, lineno, old, new, reason in entries:
            where = f"{m['path']}:{lineno}" if lineno else m["path"]
            print(f"  {where}  [{m['status']}]  {m['name']}")
            for o in old:
                print(f"      - {o}")
            for n in new:
                print(f"      + {n}")
            if reason:
                print(f"      equivalent: {reason}")
            else:
                print(f"      key: {json.dumps(key, ensure_ascii=False)}")

    show(equivalents, "Equivalent (tools/mutate_equivalent.toml)")
    show(survivors, "Survivors (not caught by any selected test)")
    total = len(mutants)
    caught = counts["killed"] + counts["timeout"]
    denom = total - counts["equivalent"]
    score = caught / denom if denom else 1.0
    print(
        f"\n{module}: {total} mutants, killed {counts['killed']}, timed out {counts['timeout']}, "
        f"survived {counts['survived']}, no tests {counts['no tests']}, "
        f"equivalent {counts['equivalent']}"
        + "".join(f", {k} {v}" for k, v in other.items())
        + f"; score {caught}/{denom} = {100 * score:.1f}% ({minutes:.1f} min)"
    )
    names = [entry[0]["name"] for entry in survivors]
    record(module, files, tests, counts, other, total, minutes, names, rerun is not None)
    write_report()
    return 0


def recount(equivalent: Path) -> None:
    """Re-apply the equivalent list to the results kept in .mutate/ (no mutmut run). The
    results of a ``--survivors`` run hold only the re-run mutants, so those modules keep
    their recorded counts."""
    for module, s in sorted(load_scores().items()):
        work = SCRATCH / slug(module)
        if s.get("partial_rerun"):
            print(f"mutate: {module}'s kept results are a survivors-only run; counts stay")
            continue
        if not (work / "mutants").is_dir():
            print(f"mutate: no kept results for {module}; its recorded counts stay")
            continue
        files = [ROOT / f for f in s["files"]]
        summarize(module, files, s["tests"], work, mutant_env(work), equivalent, s["minutes"], None)


def load_scores() -> dict[str, dict]:
    """Every recorded module run, keyed by module path."""
    scores = {}
    for f in sorted(SCORES.glob("*.json")) if SCORES.is_dir() else []:
        s = json.loads(f.read_text("utf-8"))
        scores[s["module"]] = s
    return scores


def source_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(rel(f).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def record(module, files, tests, counts, other, total, minutes, survivor_names, partial) -> None:
    entry = {
        "module": module.rstrip("/"),
        "files": [rel(f) for f in files],
        "tests": tests,
        "total": total,
        "killed": counts["killed"],
        "timeout": counts["timeout"],
        "survived": counts["survived"],
        "no_tests": counts["no tests"],
        "other": sum(other.values()),
        "equivalent": counts["equivalent"],
        "minutes": round(minutes, 1),
        "date": datetime.date.today().isoformat(),
        "source": source_digest(files),
        "survivor_names": sorted(survivor_names),
        "partial_rerun": partial,
    }
    SCORES.mkdir(parents=True, exist_ok=True)
    out = SCORES / f"{slug(module)}.json"
    out.write_text(json.dumps(entry, indent=1, sort_keys=True) + "\n", "utf-8")


def package_of(module: str) -> str:
    p = Path(module.rstrip("/")).relative_to("src/gradkit")
    if (ROOT / module).is_dir():
        return p.as_posix() + "/"
    return (p.parent.as_posix() + "/") if p.parent.as_posix() != "." else p.as_posix()


def write_report() -> None:
    scores = load_scores()
    rows: dict[str, dict] = {}
    for module, s in sorted(scores.items()):
        pkg = package_of(module)
        r = rows.setdefault(
            pkg, {"modules": [], "total": 0, "caught": 0, "survived": 0, "equivalent": 0}
        )
        r["modules"].append(Path(module).name or module)
        r["total"] += s["total"]
        r["caught"] += s["killed"] + s["timeout"]
        r["survived"] += s["survived"] + s["no_tests"] + s["other"]
        r["equivalent"] += s["equivalent"]
    table = [TABLE_START, *package_table(rows, "modules run", "mutants")]
    table += [
        "",
        "Per module (each row: `make mutate MODULE=<module>`, the tests it ran in "
        "`docs/mutation_scores/`):",
        "",
        "| module | date | mutants | caught | survived | equivalent | score |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for module, s in sorted(scores.items()):
        caught = s["killed"] + s["timeout"]
        denom = s["total"] - s["equivalent"]
        score = f"{100 * caught / denom:.1f}%" if denom else "-"
        survived = s["survived"] + s["no_tests"] + s["other"]
        table.append(
            f"| `{module}` | {s['date']} | {s['total']} | {caught} | {survived} | "
            f"{s['equivalent']} | {score} |"
        )
    table.append(TABLE_END)
    splice_table(table)
    print(f"mutate: wrote the score table in {rel(TESTING_MD)}")


def package_table(rows: dict[str, dict], modules_label: str, count_label: str) -> list[str]:
    """Markdown rows, one per package: ``rows[pkg]`` holds modules, total, caught,
    survived, equivalent; score = caught / (total − equivalent)."""
    lines = [
        f"| package | {modules_label} | {count_label} | caught | survived | equivalent | score |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for pkg, r in rows.items():
        denom = r["total"] - r["equivalent"]
        score = f"{100 * r['caught'] / denom:.1f}%" if denom else "-"
        lines.append(
            f"| `{pkg}` | {', '.join(r['modules'])} | {r['total']} | {r['caught']} | "
            f"{r['survived']} | {r['equivalent']} | {score} |"
        )
    return lines


def splice_table(table: list[str]) -> None:
    """Put ``table`` (its first and last lines are its markers) into docs/testing.md,
    replacing the text between the same markers, or at the end."""
    start, end = table[0], table[-1]
    text = TESTING_MD.read_text("utf-8") if TESTING_MD.exists() else ""
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + "\n".join(table) + tail
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + "\n".join(table) + "\n"
    TESTING_MD.write_text(text, "utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", nargs="?", help="src/gradkit/... file or folder to mutate")
    ap.add_argument("--tests", nargs="+", help="test files to run (default: found)")
    ap.add_argument("--equivalent", type=Path, default=EQUIVALENT, help="equivalent list")
    ap.add_argument("--max-children", type=int, default=1, help="parallel mutmut workers")
    ap.add_argument("--report", action="store_true", help="only rewrite docs/testing.md")
    ap.add_argument(
        "--recount",
        action="store_true",
        help="with --report: re-read the kept mutmut results against the equivalent list",
    )
    ap.add_argument("--list-tests", action="store_true", help="print the tests and stop")
    ap.add_argument(
        "--survivors",
        action="store_true",
        help="re-run only the survivors of the module's last recorded run",
    )
    ap.add_argument(
        "--mutate-messages", action="store_true", help="mutate raise statements' messages too"
    )
    args = ap.parse_args(argv)
    if args.report:
        if args.recount:
            recount(args.equivalent)
        write_report()
        return 0
    if not args.module:
        ap.error("give a MODULE (src/gradkit/...) or --report")
    module = rel(ROOT / args.module) + ("/" if (ROOT / args.module).is_dir() else "")
    if args.list_tests:
        print("\n".join(args.tests or find_tests(module, target_files(module))))
        return 0
    return run(
        module,
        args.tests,
        args.equivalent,
        args.max_children,
        args.mutate_messages,
        args.survivors,
    )


if __name__ == "__main__":
    sys.exit(main())
