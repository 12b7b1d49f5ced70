"""TS-ARIMA: the batched SARIMAX system takes its dtype from every parameter block, so a
complex step in any one of them (AR, MA or sigma2 alone, the others real) carries
through: the imaginary part of each system matrix over the step equals its central
finite difference in float64 (issue 24)."""

import numpy as np
import pytest

from gradkit.tsa._statespace import arima_statespace_batch

AR = np.array([[0.5, -0.2]])
MA = np.array([[0.3]])
SIGMA2 = np.array([1.3])
H = 1e-20


def _system(ar, ma, sigma2):
    ss = arima_statespace_batch(ar, ma, sigma2, 1, 1e6, 1, 2)
    return [ss.transition, ss.state_cov, ss.initial_cov]


@pytest.mark.parametrize("block", ["ar", "ma", "sigma2"])
def test_ts_arima_statespace_complex_step_in_one_block(block):
    """TS-ARIMA: a complex step in one block alone gives complex matrices whose real
    part is the real system and whose imaginary part / h is the derivative (central
    differences, step 1e-6)."""
    base = {"ar": AR, "ma": MA, "sigma2": SIGMA2}

    def at(scale):
        # only the stepped block is complex: the others stay float64 arrays
        blocks = {**base, block: base[block] + scale}
        return _system(blocks["ar"], blocks["ma"], blocks["sigma2"])

    stepped = at(1j * H)
    real, up, down = at(0.0), at(1e-6), at(-1e-6)
    for z, r, u, d in zip(stepped, real, up, down):
        assert np.iscomplexobj(z)
        np.testing.assert_allclose(z.real, r, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(z.imag / H, (u - d) / 2e-6, rtol=1e-5, atol=1e-6)
    # the step reaches the matrices: some derivative is not zero
    assert any(np.abs(z.imag).max() > 0 for z in stepped)
