"""The tour's report: a static, self-contained HTML site (no network needed to view it).

``write_report(results, out)`` writes

    out/index.html         every concept by group: status, measured value, time
    out/<GROUP>.html       per group: each experiment's title, claim, formula, checks,
                           note, figure, code location, test path and time
    out/<ID>.png           each experiment's figure (``Finding.draw`` on a matplotlib
                           Figure with the Agg canvas)
    out/summary.md         the summary as a Markdown table (ID, claim, measured, supported?)

All text is HTML-escaped; the CSS is inline. A figure whose ``draw`` raises shows the
error on the page instead of stopping the report.
"""

from __future__ import annotations

import html
import platform
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from gradkit.tour.registry import GROUPS, Experiment
from gradkit.tour.runner import CONTRADICTED, ERROR, SUPPORTED, Result, format_value

GROUP_NAMES = {
    "T": "Tensors, graphs, differentiation",
    "NN": "Neurons, networks, training mechanics",
    "L": "Losses and costs",
    "O": "Optimization",
    "CNN": "Convolutional networks",
    "RNN": "Sequences",
    "ATT": "Attention and transformers",
    "GEN": "Unsupervised and generative deep models",
    "ML": "Classical supervised learning",
    "U": "Classical unsupervised learning",
    "EVAL": "Model selection and metrics",
    "RL": "Reinforcement learning",
    "TS": "Time series",
    "NLP": "Text",
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1em 2em; color: #1b1b1b; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; }
nav { margin: 0.5em 0 1.5em; }
nav a { margin-right: 0.8em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
td:first-child, td:nth-child(3) { white-space: nowrap; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace;
            font-size: 0.92em; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
.yes { color: #116611; font-weight: 600; }
.CONTRADICTED { color: #b35c00; font-weight: 700; }
.error { color: #b00020; font-weight: 700; }
.notrun { color: #888; }
section.experiment { border-top: 2px solid #ccc; padding-top: 0.5em; margin-top: 2em; }
.formula { background: #f6f6f6; padding: 0.3em 0.6em; display: inline-block; }
.note { border-left: 4px solid #b35c00; padding: 0.2em 0.8em; background: #fff8ef; }
.meta { color: #555; font-size: 0.92em; }
img.figure { max-width: 100%; height: auto; border: 1px solid #eee; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        # no favicon request: a missing /favicon.ico would be a console error
        "<link rel='icon' href='data:,'>\n"
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def _status(status: str) -> str:
    return f"<span class='{_e(status)}'>{_e(status)}</span>"


def _nav(groups: Sequence[str]) -> str:
    links = ["<a href='index.html'>index</a>"]
    links += [f"<a href='{_e(g)}.html'>{_e(g)}</a>" for g in groups]
    return "<nav>" + " ".join(links) + "</nav>"


def render_figure(result: Result, out: Path) -> tuple[str | None, str]:
    """Draw ``result``'s figure to ``out/<ID>.png``; return (file name or None, error)."""
    finding = result.finding
    if finding is None or finding.draw is None:
        return None, ""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None, "matplotlib is not installed (pip install 'gradkit[plot]')"
    name = f"{result.experiment.id}.png"
    try:
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        FigureCanvasAgg(fig)
        finding.draw(fig)
        fig.savefig(out / name, format="png", dpi=90)
    except Exception:  # noqa: BLE001 - a broken figure must not stop the report
        return None, traceback.format_exc()
    return name, ""


def _number_html(value) -> str:
    if isinstance(value, str) and "\n" in value:
        return f"<pre>{_e(value)}</pre>"
    return _e(format_value(value))


def _experiment_section(result: Result, out: Path) -> str:
    exp = result.experiment
    parts = [
        f"<section class='experiment' id='{_e(exp.id)}'>",
        f"<h2>{_e(exp.id)}: {_e(exp.title)} — {_status(result.status)}</h2>",
        f"<p><strong>Claim.</strong> {_e(exp.claim)}</p>",
    ]
    if exp.formula:
        parts.append(
            f"<p><strong>Formula.</strong> <code class='formula'>{_e(exp.formula)}</code></p>"
        )
    if exp.note:
        parts.append(f"<p class='note'><strong>Note on the seed text.</strong> {_e(exp.note)}</p>")
    if result.finding is None:
        parts.append("<p class='error'>The experiment raised:</p>")
        parts.append(f"<pre>{_e(result.error)}</pre>")
    else:
        rows = "".join(
            f"<tr><td>{_e(c.claim)}</td><td>{_e(c.measured)}</td>"
            f"<td>{_status(SUPPORTED if c.supported else CONTRADICTED)}</td></tr>"
            for c in result.finding.checks
        )
        parts.append(
            f"<table><tr><th>claim</th><th>measured</th><th>supported?</th></tr>{rows}</table>"
        )
        if result.finding.numbers:
            numbers = "".join(
                f"<tr><td><code>{_e(k)}</code></td><td>{_number_html(v)}</td></tr>"
                for k, v in result.finding.numbers.items()
            )
            parts.append(
                "<details><summary>numbers</summary><table>"
                f"<tr><th>name</th><th>value</th></tr>{numbers}</table></details>"
            )
        figure, error = render_figure(result, out)
        if figure:
            parts.append(
                f"<p><img class='figure' src='{_e(figure)}' alt='figure for {_e(exp.id)}'></p>"
            )
        elif error:
            parts.append("<p class='error'>The figure could not be drawn:</p>")
            parts.append(f"<pre>{_e(error)}</pre>")
    module, symbol = exp.code
    parts.append(
        f"<p class='meta'>Code: <code>{_e(module)}.{_e(symbol)}</code> · Test: "
        f"<code>{_e(exp.test)}</code> · Time: {result.seconds:.2f} s "
        f"({'quick' if result.quick else 'full'} mode)</p>"
    )
    parts.append("</section>")
    return "\n".join(parts)


def write_report(
    results: Sequence[Result],
    out: str | Path,
    experiments: dict[str, Experiment] | None = None,
) -> Path:
    """Write the site for ``results`` into ``out``; return the path of ``index.html``.

    ``experiments``: every registered experiment, so the index also lists the concepts
    that were not run this time (marked "not run").
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    by_id = {r.experiment.id: r for r in results}
    everything = dict(experiments or {})
    everything.update({r.experiment.id: r.experiment for r in results})
    ran_groups = [g for g in GROUPS if any(r.experiment.group == g for r in results)]
    nav = _nav(ran_groups)

    for group in ran_groups:
        rows = [r for r in results if r.experiment.group == group]
        sections = "\n".join(_experiment_section(r, out) for r in rows)
        title = f"{group} — {GROUP_NAMES.get(group, group)}"
        (out / f"{group}.html").write_text(
            _page(f"gradkit tour: {title}", f"{nav}\n<h1>{_e(title)}</h1>\n{sections}"),
            encoding="utf-8",
        )

    counts = {s: sum(r.status == s for r in results) for s in (SUPPORTED, CONTRADICTED, ERROR)}
    total = sum(r.seconds for r in results)
    modes = {"quick" if r.quick else "full" for r in results}
    import numpy as np

    import gradkit

    body = [
        nav,
        "<h1>gradkit: the evidence tour</h1>",
        "<p>Each concept of the canon, answered by an experiment that ran on data: the "
        "claim, what was measured, and whether the measurement supports the claim.</p>",
        f"<p>{len(results)} experiments ({_e('/'.join(sorted(modes)) or '-')} mode) in "
        f"{total:.1f} s: {_status(SUPPORTED)} {counts[SUPPORTED]}, "
        f"{_status(CONTRADICTED)} {counts[CONTRADICTED]}, {_status(ERROR)} "
        f"{counts[ERROR]}.</p>",
        f"<p class='meta'>gradkit {_e(getattr(gradkit, '__version__', '?'))}, NumPy "
        f"{_e(np.__version__)}, Python {_e(platform.python_version())} on "
        f"{_e(platform.machine())}; written {_e(time.strftime('%Y-%m-%d %H:%M'))}.</p>",
    ]
    for group in GROUPS:
        members = [e for e in everything.values() if e.group == group]
        if not members:
            continue
        body.append(f"<h2>{_e(group)} — {_e(GROUP_NAMES.get(group, group))}</h2>")
        body.append(
            "<table><tr><th>ID</th><th>title</th><th>status</th><th>measured</th><th>time</th></tr>"
        )
        for exp in members:
            r = by_id.get(exp.id)
            if r is None:
                body.append(
                    f"<tr><td>{_e(exp.id)}</td><td>{_e(exp.title)}</td>"
                    "<td class='notrun'>not run</td><td></td><td></td></tr>"
                )
                continue
            body.append(
                f"<tr><td><a href='{_e(group)}.html#{_e(exp.id)}'>{_e(exp.id)}</a></td>"
                f"<td>{_e(exp.title)}</td><td>{_status(r.status)}</td>"
                f"<td>{_e(r.measured)}</td><td>{r.seconds:.1f}&nbsp;s</td></tr>"
            )
        body.append("</table>")
    index = out / "index.html"
    index.write_text(_page("gradkit: the evidence tour", "\n".join(body)), encoding="utf-8")
    (out / "summary.md").write_text(summary_markdown(results), encoding="utf-8")
    return index


def summary_markdown(results: Sequence[Result], measured_width: int = 160) -> str:
    """The summary as a Markdown table: ID, title, measured (clipped), supported?"""

    def cell(text: str) -> str:
        text = " ".join(str(text).split()).replace("|", "\\|")
        return text if len(text) <= measured_width else text[: measured_width - 1] + "…"

    lines = ["| ID | concept | measured | supported? |", "|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r.experiment.id} | {cell(r.experiment.title)} | {cell(r.measured)} | {r.status} |"
        )
    return "\n".join(lines) + "\n"
