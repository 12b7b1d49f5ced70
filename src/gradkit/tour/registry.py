"""The evidence tour's registry: one measured experiment per concept ID.

An experiment is a function ``(quick: bool) -> Finding`` registered with
:func:`experiment`. It computes on data, measures, and states for each of the canon's
claims whether the measurement supports it. Drawing is separate and lazy
(``Finding.draw``), so tests and ``gradkit explain`` can measure without matplotlib.

    @experiment("NN-INIT", group="NN", title="Weight initialisation",
                claim="Zero-initialised hidden units stay identical after training.",
                formula="W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (Glorot)",
                code=("gradkit.nn.init", "xavier_uniform_"),
                test="tests/nn/test_init.py")
    def nn_init(quick: bool) -> Finding:
        ...
        return Finding(
            checks=[Check("zero init keeps hidden units identical",
                          f"{n_distinct} distinct hidden unit(s) of 16", n_distinct == 1)],
            numbers={"distinct_units_zero_init": n_distinct},
            draw=lambda fig: ...)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

GROUPS = ("T", "NN", "L", "O", "CNN", "RNN", "ATT", "GEN", "ML", "U", "EVAL", "RL", "TS", "NLP")


@dataclass(frozen=True)
class Check:
    """One claim tested by one measurement.

    ``supported`` is True when the measurement supports the claim, False when it
    contradicts it (the tour then reports the claim as contradicted, with the numbers).
    """

    claim: str
    measured: str
    supported: bool


@dataclass
class Finding:
    """What an experiment measured.

    checks:  the claims and whether each measurement supports it.
    numbers: the raw measurements by name (tests assert on these).
    draw:    ``draw(fig)`` draws the experiment's figure on a matplotlib Figure, or None.
    """

    checks: list[Check]
    numbers: dict[str, Any] = field(default_factory=dict)
    draw: Callable[[Any], None] | None = None

    @property
    def supported(self) -> bool:
        return all(check.supported for check in self.checks)


@dataclass(frozen=True)
class Experiment:
    """A registered experiment and what the report says about its concept."""

    id: str
    group: str
    title: str
    claim: str
    formula: str
    code: tuple[str, str]
    test: str
    run: Callable[[bool], Finding]
    note: str = ""  # e.g. why a statement in the seed text is wrong

    def __call__(self, quick: bool = True) -> Finding:
        return self.run(quick)


EXPERIMENTS: dict[str, Experiment] = {}


def experiment(
    id: str,
    *,
    group: str,
    title: str,
    claim: str,
    formula: str = "",
    code: tuple[str, str],
    test: str,
    note: str = "",
) -> Callable[[Callable[[bool], Finding]], Callable[[bool], Finding]]:
    """Register ``fn(quick) -> Finding`` as the tour's experiment for concept ``id``."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}; expected one of {', '.join(GROUPS)}")
    if not id.startswith(group + "-"):
        raise ValueError(f"concept ID {id!r} does not belong to group {group!r}")

    def register(fn: Callable[[bool], Finding]) -> Callable[[bool], Finding]:
        if id in EXPERIMENTS:
            raise ValueError(f"two experiments registered for {id}")
        EXPERIMENTS[id] = Experiment(id, group, title, claim, formula, code, test, fn, note)
        return fn

    return register
