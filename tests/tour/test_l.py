"""Tour group L (L-LSE … L-COST): each loss equals its closed form on data."""

from __future__ import annotations

import math

import pytest

from gradkit.tour import load_all

IDS = ["L-LSE", "L-LOGISTIC", "L-HINGE", "L-XENT", "L-CCE", "L-COST"]


@pytest.fixture(scope="module")
def findings():
    experiments = load_all()
    return {id_: experiments[id_](quick=True) for id_ in IDS}


@pytest.mark.parametrize("concept", IDS)
def test_claims_supported(findings, concept):
    for check in findings[concept].checks:
        assert check.supported, f"{concept}: {check.claim}: {check.measured}"


def test_l_closed_forms(findings):
    for concept in ("L-LSE", "L-LOGISTIC", "L-HINGE", "L-XENT", "L-CCE"):
        assert findings[concept].numbers["max_error"] < 1e-9, concept
    assert findings["L-LSE"].numbers["gap_to_lstsq"] < 1e-6


def test_l_stable_where_the_composed_form_overflows(findings):
    assert findings["L-LOGISTIC"].numbers["large_margin_losses"] == [1000.0, 0.0]
    assert findings["L-XENT"].numbers["fused_at_120"] == pytest.approx([120.0, 120.0])
    assert all(math.isinf(v) for v in findings["L-XENT"].numbers["naive_at_120"])
    assert findings["L-CCE"].numbers["fused_large"] == 1000.0


def test_l_cost_reductions(findings):
    n = findings["L-COST"].numbers
    assert n["sum"] == pytest.approx(n["mean"] * n["n"], rel=1e-12)
    assert n["grad_ratio"] == pytest.approx([n["n"]] * 2, rel=1e-12)


def test_l_draws_on_a_figure(findings):
    from matplotlib.figure import Figure

    for concept, finding in findings.items():
        fig = Figure()
        finding.draw(fig)
        assert fig.axes, concept
