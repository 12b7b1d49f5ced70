"""Tour experiments GEN-AE, GEN-DAE, GEN-CAE, GEN-SPARSE, GEN-CONTRACT, GEN-DENOISE
(quick mode): every claim supported, with its key numbers and margins."""

from __future__ import annotations

import pytest

from gradkit.tour.experiments import gen_autoencoders as ex

IDS = ["GEN-AE", "GEN-DAE", "GEN-CAE", "GEN-SPARSE", "GEN-CONTRACT", "GEN-DENOISE"]
RUNS = {
    "GEN-AE": ex.gen_ae,
    "GEN-DAE": ex.gen_dae,
    "GEN-CAE": ex.gen_cae,
    "GEN-SPARSE": ex.gen_sparse,
    "GEN-CONTRACT": ex.gen_contract,
    "GEN-DENOISE": ex.gen_denoise,
}


@pytest.fixture(scope="module")
def findings():
    from gradkit.data import load_mnist

    try:
        load_mnist("test", download=False)
        load_mnist("train", download=False)
    except FileNotFoundError:
        pytest.skip("MNIST not found: set GRADKIT_DATA to the folder holding mnist/")
    return {}


def run(findings, concept):
    if concept not in findings:
        findings[concept] = RUNS[concept](True)
    return findings[concept]


@pytest.mark.parametrize("concept", IDS)
def test_every_claim_supported_and_draws(findings, concept):
    finding = run(findings, concept)
    assert finding.checks and finding.supported, [c for c in finding.checks if not c.supported]
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure()
    finding.draw(fig)
    assert fig.axes


def test_gen_ae_linear_autoencoder_approaches_pca(findings):
    """GEN-AE: a linear AE's held-out error is within 15% of PCA's (never clearly below)
    and its decoder spans nearly PCA's subspace; both far below the mean image."""
    n = run(findings, "GEN-AE").numbers
    assert 0.99 * n["mse_pca"] <= n["mse_ae"] <= 1.15 * n["mse_pca"]
    assert n["overlap"] > 0.8
    assert n["mse_ae"] < 0.5 * n["mse_mean"]


def test_gen_dae_deep_beats_pca(findings):
    """GEN-DAE: the deep symmetric AE beats PCA and the linear AE with the same code."""
    n = run(findings, "GEN-DAE").numbers
    assert n["mse_deep"] < 0.95 * n["mse_pca"] and n["mse_deep"] < n["mse_linear"]


def test_gen_cae_reconstructs_with_few_weights(findings):
    n = run(findings, "GEN-CAE").numbers
    assert n["mse_conv"] < 0.5 * n["mse_mean"]
    assert n["conv_params"] == 160 and n["dense_params"] > 1000 * n["conv_params"]


def test_gen_sparse_code_sparsity(findings):
    """GEN-SPARSE: mean activation within 25% of ρ = 0.05; ≥ 40% near-zero code entries,
    ≥ 5× the plain autoencoder's share."""
    n = run(findings, "GEN-SPARSE").numbers
    assert abs(n["mean_sparse"] - 0.05) <= 0.0125 and n["mean_plain"] > 0.3
    assert n["near_zero_sparse"] >= 0.4 and n["near_zero_sparse"] >= 5 * n["near_zero_plain"]


def test_gen_contract_lower_jacobian(findings):
    """GEN-CONTRACT: closed form = autograd Jacobian norm; the contractive encoder's
    Jacobian norm is under half the plain one's, and it contracts locally more than
    globally."""
    n = run(findings, "GEN-CONTRACT").numbers
    assert n["closed_form"] == pytest.approx(n["autograd"], rel=1e-3)
    assert n["jacobian_contractive"] < 0.5 * n["jacobian_plain"]
    assert n["local_ratio_contractive"] < 0.7 * n["local_ratio_plain"]


def test_gen_denoise_psnr_gain(findings):
    """GEN-DENOISE: ≥ 3 dB PSNR gain on noisy held-out digits, more than a plain AE's;
    colorization restores the class colour of over half the grey digits (chance 10%).
    Its PSNR is about that of grey × mean colour: the colour is a small part of the
    pixel error, so the colour-right rate is what measures it."""
    n = run(findings, "GEN-DENOISE").numbers
    assert n["gain_db"] >= 3.0
    assert n["psnr_denoised"] > n["psnr_plain_ae"] + 0.5
    assert n["colour_right"] > 0.5
