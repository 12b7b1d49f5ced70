"""The evidence tour's ATT experiments (ATT-DOT, ATT-MHA, ATT-TRANSFORMER) in quick
mode: every claim the measurement supports is asserted, with its key numbers."""

import pytest

import gradkit.tour.experiments.att  # noqa: F401  (registers the experiments)
from gradkit.tour.registry import EXPERIMENTS

IDS = ["ATT-DOT", "ATT-MHA", "ATT-TRANSFORMER"]


@pytest.fixture(scope="module")
def found():
    return {id_: EXPERIMENTS[id_](quick=True) for id_ in IDS}


@pytest.mark.parametrize("id_", IDS)
def test_every_claim_supported(found, id_):
    for check in found[id_].checks:
        assert check.supported, f"{id_}: {check.claim}: {check.measured}"


@pytest.mark.parametrize("id_", IDS)
def test_figure_draws(found, id_):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure()
    found[id_].draw(fig)
    assert fig.axes


def test_att_dot_causal_mask_and_scaling(found):
    n = found["ATT-DOT"].numbers
    assert n["formula_error"] < 1e-5
    assert n["max_future_weight"] == 0.0 and n["past_change"] == 0.0
    assert n["max_padded_weight"] == 0.0
    assert min(n["entropy_scaled"]) > 2.0 and n["entropy_unscaled"][-1] < 1.0


def test_att_mha_heads(found):
    n = found["ATT-MHA"].numbers
    assert n["head_error"] < 1e-5 and n["weight_error"] < 1e-5
    assert set(n["params_by_heads"].values()) == {4 * 16 * 16 + 4 * 16}


def test_att_transformer_sequential_steps(found):
    n = found["ATT-TRANSFORMER"].numbers
    assert n["parts_error"] < 1e-5
    assert n["permutation_error_no_positions"] < 1e-5
    assert n["permutation_error_with_positions"] > 1e-2
    lengths = n["depth_lengths"]
    assert n["depth_lstm"][1] - n["depth_lstm"][0] == lengths[1] - lengths[0]
    assert n["depth_transformer"][0] == n["depth_transformer"][1]
