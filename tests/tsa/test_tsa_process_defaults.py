"""TS-ARIMA: ArmaProcess defaults and pass-through options against statsmodels (issue 24):
from_coeffs' default nobs, generate_sample's default size and its distrvs."""

import numpy as np
import pytest

from gradkit.tsa import ArmaProcess

sm_proc = pytest.importorskip("statsmodels.tsa.arima_process")


def test_ts_arma_process_from_coeffs_default_nobs():
    """TS-ARIMA: from_coeffs without nobs has statsmodels' 100."""
    ours = ArmaProcess.from_coeffs([0.5], [0.4])
    ref = sm_proc.ArmaProcess.from_coeffs([0.5], [0.4])
    assert ours.nobs == ref.nobs == 100


def test_ts_arma_process_generate_sample_default_size_and_distrvs():
    """TS-ARIMA: generate_sample() draws statsmodels' default 100 values from the same
    seed; a given distrvs is the one called."""
    ar, ma = [1.0, -0.5], [1.0, 0.4]
    state = np.random.get_state()
    try:
        np.random.seed(5)
        ours = ArmaProcess(ar, ma).generate_sample()
        np.random.seed(5)
        ref = sm_proc.ArmaProcess(ar, ma).generate_sample()
    finally:
        np.random.set_state(state)
    assert ours.shape == ref.shape == (100,)
    np.testing.assert_array_equal(ours, ref)
    ours = ArmaProcess(ar, ma).generate_sample(7, distrvs=lambda size: np.full(size, 2.0))
    ref = sm_proc.ArmaProcess(ar, ma).generate_sample(7, distrvs=lambda size: np.full(size, 2.0))
    np.testing.assert_allclose(ours, ref, rtol=1e-15)
