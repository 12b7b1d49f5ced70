"""The tour's machinery: selecting experiments, running them with failures as rows, the
summary table, the report files, and the ``gradkit tour`` / ``gradkit explain`` commands
(on synthetic experiments, so these tests take milliseconds)."""

from __future__ import annotations

import pytest

import gradkit.tour
from gradkit.cli import main
from gradkit.tour.registry import Check, Experiment, Finding
from gradkit.tour.report import write_report
from gradkit.tour.runner import run_tour, select, summary_table


def _exp(id_, fn, group=None, title="A title", claim="A claim"):
    return Experiment(id_, group or id_.split("-")[0], title, claim, "y = x",
                      ("gradkit.tour.runner", "run_tour"), "tests/tour/test_tour_runner.py",
                      fn)  # fmt: skip


def _ok(quick):
    return Finding([Check("two is even", f"2 % 2 = {2 % 2}", 2 % 2 == 0)], {"quick": quick})


def _contradicted(quick):
    return Finding([Check("three is even", "3 % 2 = 1", False)])


def _raises(quick):
    raise ZeroDivisionError("division by zero on purpose")


def _not_a_finding(quick):
    return {"checks": []}


@pytest.fixture
def registry():
    experiments = [
        _exp("T-ONE", _ok, title="Tensor one"),
        _exp("L-TWO", _contradicted, title="Loss two", claim="losses are even"),
        _exp("O-THREE", _raises, title="Optimiser three"),
        _exp("T-FOUR", _not_a_finding, title="Graph four"),
    ]
    return {e.id: e for e in experiments}


def test_select_by_id_and_group_in_tour_order(registry):
    assert [e.id for e in select(registry, None)] == ["T-ONE", "T-FOUR", "L-TWO", "O-THREE"]
    assert [e.id for e in select(registry, "o-three, T")] == ["T-ONE", "T-FOUR", "O-THREE"]
    assert [e.id for e in select(registry, ["L"])] == ["L-TWO"]


def test_select_unknown_names_lists_valid_ones(registry):
    with pytest.raises(ValueError, match=r"unknown experiment or group: T-NOPE, ZZ") as info:
        select(registry, "T-NOPE,L,ZZ")
    assert "Valid groups: T, L, O" in str(info.value)
    assert "T-ONE" in str(info.value) and "O-THREE" in str(info.value)
    with pytest.raises(ValueError, match="CNN .a group with no experiments yet"):
        select(registry, "CNN")


def test_failures_become_rows_and_the_tour_goes_on(registry, capsys):
    import sys

    results = run_tour(select(registry, None), quick=True, stream=sys.stdout)
    status = {r.experiment.id: r.status for r in results}
    assert status == {"T-ONE": "yes", "T-FOUR": "error", "L-TWO": "CONTRADICTED",
                      "O-THREE": "error"}  # fmt: skip
    by_id = {r.experiment.id: r for r in results}
    assert "ZeroDivisionError: division by zero on purpose" in by_id["O-THREE"].error
    assert "returned dict, not a Finding" in by_id["T-FOUR"].error
    assert by_id["T-ONE"].finding.numbers == {"quick": True}
    assert all(r.seconds >= 0 for r in results)
    printed = capsys.readouterr().out
    assert "[1/4] T-ONE" in printed and "4/4 [" in printed
    table = summary_table(results)
    assert table.splitlines()[0].split() == ["ID", "claim", "measured", "supported?", "time"]
    assert "CONTRADICTED" in table and "ZeroDivisionError: division by zero" in table
    assert "4 experiments in" in table and "1 supported, 1 contradicted, 2 errors" in table


def test_report_files(registry, tmp_path):
    results = run_tour(select(registry, "T,L"), quick=False, stream=None)
    index = write_report(results, tmp_path, registry)
    assert index == tmp_path / "index.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "L.html",
        "T.html",
        "index.html",
        "summary.md",
    ]
    table = (tmp_path / "summary.md").read_text(encoding="utf-8").splitlines()
    assert table[0] == "| ID | concept | measured | supported? |"
    assert len(table) == 2 + len(results)
    assert [row.split(" | ")[0].lstrip("| ") for row in table[2:]] == [
        r.experiment.id for r in results
    ]
    text = index.read_text(encoding="utf-8")
    assert "<a href='T.html#T-ONE'>T-ONE</a>" in text and "not run" in text  # O-THREE
    page = (tmp_path / "T.html").read_text(encoding="utf-8")
    assert "2 % 2 = 0" in page and "full mode" in page and "tests/tour/test_tour_runner.py" in page
    assert "gradkit.tour.runner.run_tour" in page and "http" not in page  # no network


@pytest.fixture
def cli_registry(registry, monkeypatch):
    monkeypatch.setattr(gradkit.tour, "load_all", lambda: registry)
    return registry


def test_cli_tour_exit_status_and_report(cli_registry, tmp_path, capsys):
    assert main(["tour", "--only", "T-ONE,L", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "gradkit tour (quick): 2 experiments" in out and "report: open file://" in out
    assert (tmp_path / "r" / "index.html").exists()
    assert main(["tour", "--full", "--only", "O", "--out", str(tmp_path / "r2")]) == 1
    assert "gradkit tour (full)" in capsys.readouterr().out
    assert main(["tour", "--only", "NOPE", "--out", str(tmp_path / "r3")]) == 2
    assert "unknown experiment or group: NOPE" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["tour", "--quick", "--full"])


def test_cli_explain(cli_registry, capsys):
    assert main(["explain", "t-one"]) == 0
    out = capsys.readouterr().out
    assert "T-ONE: Tensor one" in out and "Formula: y = x" in out
    assert "Code: gradkit.tour.runner.run_tour" in out and "Test: tests/tour/" in out
    assert "[yes] two is even: 2 % 2 = 0" in out and "quick = True" in out
    assert "| Run ``experiments`` in order" in out  # the symbol's docstring: gradkit's words
    assert main(["explain", "losses even"]) == 0  # one match by keywords in the claim
    assert "[CONTRADICTED] three is even" in capsys.readouterr().out
    assert main(["explain", "o"]) == 0  # several matches: listed
    listing = capsys.readouterr().out
    assert "concepts match 'o'" in listing and "O-THREE" in listing
    assert main(["explain", "O-THREE"]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err
    assert main(["explain", "nothing like this"]) == 2
    assert "no concept matches" in capsys.readouterr().err
