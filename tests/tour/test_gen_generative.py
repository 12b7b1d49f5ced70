"""Tour experiments GEN-GAN and GEN-VAE (quick mode): every claim supported, with its
key numbers and margins."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.tour.experiments import gen_generative as ex


@pytest.fixture(scope="module")
def gan():
    return ex.gen_gan(True)


@pytest.fixture(scope="module")
def vae():
    from gradkit.data import load_mnist

    try:
        load_mnist("test", download=False)
        load_mnist("train", download=False)
    except FileNotFoundError:
        pytest.skip("MNIST not found: set GRADKIT_DATA to the folder holding mnist/")
    return ex.gen_vae(True)


def _draws(finding):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure()
    finding.draw(fig)
    assert fig.axes


def test_gen_gan_moves_to_the_data(gan):
    """GEN-GAN: energy distance to the data under a fifth of its start, both modes
    covered, std within 15% of the data's, D(x) within 0.05 of ½."""
    assert gan.supported, [c for c in gan.checks if not c.supported]
    n = gan.numbers
    assert n["energy_distance"][-1] < 0.2 * n["energy_distance"][0]
    assert 0.35 < n["right_mode_share"] < 0.65
    assert abs(n["std"] / 2.04 - 1) < 0.15
    assert abs(n["d_real"] - 0.5) < 0.05
    _draws(gan)


def test_gen_vae_elbo_rises_and_bounds(vae):
    """GEN-VAE: the held-out ELBO rises (each epoch in this quick run; the one-sample
    estimate may stall between late epochs of a long run); the importance-weighted estimate is
    above the ELBO; the KL term is well above zero."""
    assert vae.supported, [c for c in vae.checks if not c.supported]
    n = vae.numbers
    assert np.all(np.diff(n["elbo"]) > 0) and n["elbo"][-1] > n["elbo"][1] + 20
    assert n["importance_weighted"] > n["elbo_200"] + 0.5
    assert n["kl"] > 5
    _draws(vae)
