"""Shared by the tour tests of the ML, U, EVAL, RL and TS groups: run an experiment once
per module, skip when its dataset is absent, and draw its figure under Agg."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gradkit.tour import load_all

DATA = {
    "mnist": ("mnist", "t10k-images-idx3-ubyte.gz"),
    "sms-spam": ("sms-spam", "SMSSpamCollection"),
}


def _missing(datasets) -> str | None:
    root = Path(os.environ.get("GRADKIT_DATA", ""))
    missing = [d for d in datasets if not (root / DATA[d][0] / DATA[d][1]).is_file()]
    return f"dataset {', '.join(missing)} is not in GRADKIT_DATA ({root})" if missing else None


def needs(*datasets: str):
    """Mark: skip unless every named dataset is in $GRADKIT_DATA."""
    reason = _missing(datasets)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def require(*datasets: str) -> None:
    """Skip the running test unless every named dataset is in $GRADKIT_DATA."""
    reason = _missing(datasets)
    if reason:
        pytest.skip(reason)


class Findings:
    """Runs each experiment (quick mode) at most once and keeps its Finding."""

    def __init__(self) -> None:
        self.registry = load_all()
        self.cache: dict = {}

    def __getitem__(self, concept: str):
        if concept not in self.cache:
            self.cache[concept] = self.registry[concept](quick=True)
        return self.cache[concept]


def assert_all_supported(finding) -> None:
    failed = [f"{c.claim}: {c.measured}" for c in finding.checks if not c.supported]
    assert not failed, "contradicted: " + "; ".join(failed)


def draw(finding) -> None:
    """Draw the figure on an Agg Figure; skip when it needs gradkit.plot and that is absent."""
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure()
    try:
        finding.draw(fig)
    except ModuleNotFoundError as exc:
        if exc.name == "gradkit.plot":
            pytest.skip("the figure uses gradkit.plot, not on this branch")
        raise
    assert fig.axes, "draw() added no axes"
