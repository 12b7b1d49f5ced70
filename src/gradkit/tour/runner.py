"""Running the evidence tour: select experiments, run each one timed, and summarise.

An experiment that raises becomes a failed row (its traceback kept for the report)
instead of stopping the tour. Each row's status is ``"yes"`` (every check supported),
``"CONTRADICTED"`` (a measurement contradicts a claim) or ``"error"`` (it raised).

    >>> from gradkit.tour.registry import Check, Experiment, Finding
    >>> ok = Experiment("T-DEMO", "T", "Demo", "1 + 1 = 2", "", ("builtins", "sum"),
    ...                 "tests/tour/test_t.py", lambda quick: Finding(
    ...                     [Check("1 + 1 = 2", f"1 + 1 = {1 + 1}", 1 + 1 == 2)]))
    >>> [(r.experiment.id, r.status) for r in run_tour([ok], quick=True, stream=None)]
    [('T-DEMO', 'yes')]
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from gradkit.tour.registry import GROUPS, Experiment, Finding

#: The status column's words.
SUPPORTED, CONTRADICTED, ERROR = "yes", "CONTRADICTED", "error"


@dataclass
class Result:
    """One experiment's run: its finding (None when it raised), the traceback text of
    the exception it raised ("" when none) and the seconds it took."""

    experiment: Experiment
    finding: Finding | None
    error: str
    seconds: float
    quick: bool

    @property
    def status(self) -> str:
        if self.finding is None:
            return ERROR
        return SUPPORTED if self.finding.supported else CONTRADICTED

    @property
    def measured(self) -> str:
        """The checks' measurements in one line (the error's last line when it raised)."""
        if self.finding is None:
            lines = self.error.strip().splitlines()
            return lines[-1] if lines else "raised"
        return "; ".join(check.measured for check in self.finding.checks)


def select(
    experiments: dict[str, Experiment], only: str | Iterable[str] | None
) -> list[Experiment]:
    """The experiments named by ``only`` (concept IDs and group names, comma-separated or
    as a list; case-insensitive), in tour order: by group as in ``GROUPS``, then in the
    order their modules registered them.
    ``None`` or empty selects all. An unknown name raises ``ValueError`` listing the
    valid ones."""
    ordered = sorted(experiments.values(), key=lambda e: GROUPS.index(e.group))  # stable
    if only is None:
        return ordered
    names = only.split(",") if isinstance(only, str) else list(only)
    names = [name.strip() for name in names if name.strip()]
    if not names:
        return ordered
    by_id = {exp.id.upper(): exp for exp in ordered}
    chosen: set[str] = set()
    unknown = []
    for name in names:
        key = name.upper()
        if key in by_id:
            chosen.add(by_id[key].id)
        elif key in GROUPS:
            members = [exp.id for exp in ordered if exp.group == key]
            if not members:
                unknown.append(f"{name} (a group with no experiments yet)")
            chosen.update(members)
        else:
            unknown.append(name)
    if unknown:
        groups = ", ".join(g for g in GROUPS if any(e.group == g for e in ordered))
        raise ValueError(
            f"unknown experiment or group: {', '.join(unknown)}. Valid groups: {groups}. "
            f"Valid IDs: {', '.join(exp.id for exp in ordered)}"
        )
    return [exp for exp in ordered if exp.id in chosen]


def run_experiment(experiment: Experiment, quick: bool) -> Result:
    """Run one experiment, timed; an exception becomes a result with its traceback."""
    start = time.perf_counter()
    try:
        finding = experiment(quick)
        if not isinstance(finding, Finding):
            raise TypeError(
                f"experiment {experiment.id} returned {type(finding).__name__}, not a Finding"
            )
        error = ""
    except Exception:  # noqa: BLE001 - one failed experiment must not stop the tour
        finding, error = None, traceback.format_exc()
    return Result(experiment, finding, error, time.perf_counter() - start, quick)


def run_tour(
    experiments: Sequence[Experiment], quick: bool = True, stream: TextIO | None = sys.stdout
) -> list[Result]:
    """Run ``experiments`` in order with a progress bar on ``stream`` (None: silent).

    On a terminal the Keras-style bar redraws in place; on a pipe each experiment
    prints one line (ID, status, seconds) so a log shows where the time went.
    """
    from gradkit.train.progress import ProgressBar

    bar = ProgressBar(len(experiments), stream=stream) if stream is not None else None
    results = []
    width = max((len(exp.id) for exp in experiments), default=0)
    for step, exp in enumerate(experiments, 1):
        result = run_experiment(exp, quick)
        results.append(result)
        if bar is None:
            continue
        if not bar.interactive:
            stream.write(
                f"[{step:>{len(str(len(experiments)))}}/{len(experiments)}] "
                f"{exp.id:<{width}}  {result.status:<12} {result.seconds:6.2f} s\n"
            )
            stream.flush()
        bar.update(step, {}, final=step == len(experiments))
    return results


def format_value(value) -> str:
    """A measured number for people: floats to 4 significant digits, also in lists."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_table(
    results: Sequence[Result], claim_width: int = 48, measured_width: int = 56
) -> str:
    """A plain-text table: ID, claim, measured, supported? — then the totals."""
    rows = [("ID", "claim", "measured", "supported?", "time")]
    for r in results:
        rows.append(
            (
                r.experiment.id,
                _clip(r.experiment.claim, claim_width),
                _clip(r.measured, measured_width),
                r.status,
                f"{r.seconds:.1f} s",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = {s: sum(r.status == s for r in results) for s in (SUPPORTED, CONTRADICTED, ERROR)}
    total = sum(r.seconds for r in results)
    lines.append(
        f"\n{len(results)} experiments in {total:.1f} s: {counts[SUPPORTED]} supported, "
        f"{counts[CONTRADICTED]} contradicted, {counts[ERROR]} errors"
    )
    return "\n".join(lines)
