"""Tour experiments GEN-RBM, GEN-BM, GEN-DBN, GEN-SOM (quick mode): every claim
supported, with its key numbers and margins."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.tour.experiments import gen_energy as ex

RUNS = {"GEN-RBM": ex.gen_rbm, "GEN-BM": ex.gen_bm, "GEN-DBN": ex.gen_dbn, "GEN-SOM": ex.gen_som}
NEEDS_MNIST = {"GEN-RBM", "GEN-DBN", "GEN-SOM"}
PLOT_DRAWS = {"GEN-SOM"}  # draws through gradkit.plot


@pytest.fixture(scope="module")
def findings():
    return {}


def run(findings, concept):
    if concept in NEEDS_MNIST:
        from gradkit.data import load_mnist

        try:
            load_mnist("test", download=False)
            load_mnist("train", download=False)
        except FileNotFoundError:
            pytest.skip("MNIST not found: set GRADKIT_DATA to the folder holding mnist/")
    if concept not in findings:
        findings[concept] = RUNS[concept](True)
    return findings[concept]


@pytest.mark.parametrize("concept", list(RUNS))
def test_every_claim_supported_and_draws(findings, concept):
    finding = run(findings, concept)
    assert finding.checks and finding.supported, [c for c in finding.checks if not c.supported]
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    if concept in PLOT_DRAWS:
        pytest.importorskip("gradkit.plot")
    from matplotlib.figure import Figure

    fig = Figure()
    finding.draw(fig)
    assert fig.axes


def test_gen_rbm_cd_training(findings):
    """GEN-RBM: reconstruction error falls every epoch; PLL rises; data free energy far
    below noise; the recommender beats item popularity by ≥ 0.2."""
    n = run(findings, "GEN-RBM").numbers
    assert np.all(np.diff(n["recon_mse"]) < 0)
    assert n["pseudo_log_likelihood"][-1] > n["pseudo_log_likelihood"][0] + 5
    assert n["free_energy_data"] < n["free_energy_noise"] - 50
    assert n["cf_accuracy"] >= 0.8 and n["cf_accuracy"] > n["cf_popularity"] + 0.2


def test_gen_bm_xor_needs_hidden_units(findings):
    """GEN-BM: without hidden units the best fit of XOR is uniform (KL = log 2); two
    hidden units bring KL under 0.1; annealed Gibbs samples within TV 0.05 of exact."""
    n = run(findings, "GEN-BM").numbers
    assert n["kl_visible_only"] == pytest.approx(np.log(2), abs=0.01)
    assert n["kl_hidden"] < 0.1
    assert n["total_variation"] < 0.05
    assert sum(n["exact_p"]) == pytest.approx(1.0)


def test_gen_dbn_pretraining_helps(findings):
    n = run(findings, "GEN-DBN").numbers
    assert n["readout_rbm1"] > n["readout_pixels"] + 0.02
    assert n["finetuned_pretrained"] > n["finetuned_random"] + 0.05


def test_gen_som_topology(findings):
    """GEN-SOM: QE falls; topographic error < 0.3 and under half a scrambled map's."""
    n = run(findings, "GEN-SOM").numbers
    assert n["quantization_errors"][-1] < n["quantization_errors"][0]
    assert n["topographic_error"] < 0.3
    assert n["topographic_error"] < 0.5 * n["topographic_error_scrambled"]
    assert n["umatrix_max"] == pytest.approx(1.0)
