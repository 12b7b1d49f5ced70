"""The evidence tour: one measured experiment per concept ID of the canon.

``gradkit tour`` runs them and writes a report; ``gradkit explain ID`` runs one.
Each group's experiments live in ``gradkit.tour.experiments.<group>``.
"""

from __future__ import annotations

import importlib
import pkgutil

from gradkit.tour.registry import EXPERIMENTS, GROUPS, Check, Experiment, Finding, experiment

__all__ = ["EXPERIMENTS", "GROUPS", "Check", "Experiment", "Finding", "experiment", "load_all"]


def load_all() -> dict[str, Experiment]:
    """Import every experiments module (each registers its IDs) and return the registry."""
    from gradkit.tour import experiments

    for module in pkgutil.iter_modules(experiments.__path__):
        importlib.import_module(f"{experiments.__name__}.{module.name}")
    return EXPERIMENTS
