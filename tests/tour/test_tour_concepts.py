"""Every concept ID of the canon (CONCEPTS.md beside the data folder) has exactly one
experiment in the tour, and every experiment belongs to a concept of the canon.

Until every group's experiments are in, this test fails and names the missing IDs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from gradkit.tour import load_all

ROW = re.compile(r"^\| ([A-Z]+-[A-Z0-9-]+) \|", re.MULTILINE)


def canon_ids() -> list[str]:
    path = Path(os.environ.get("GRADKIT_DATA", "")) / ".." / "CONCEPTS.md"
    if not path.is_file():
        pytest.skip(f"CONCEPTS.md not found at {path} (it sits beside GRADKIT_DATA)")
    return ROW.findall(path.read_text(encoding="utf-8"))


def test_every_concept_has_exactly_one_experiment():
    ids = canon_ids()
    assert len(ids) == len(set(ids)) == 114, "CONCEPTS.md lists 114 distinct concept IDs"
    experiments = load_all()  # registering a second experiment for an ID raises
    missing = [i for i in ids if i not in experiments]
    extra = sorted(set(experiments) - set(ids))
    assert not extra, f"experiments for IDs that are not in the canon: {extra}"
    assert not missing, f"{len(missing)} concept IDs have no experiment: {', '.join(missing)}"
