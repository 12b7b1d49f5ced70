"""EVAL-METRICS (issue 24): adjusted_mutual_info_score when MI − E[MI] or the normaliser
minus E[MI] is a rounding residue in (−eps, 0): scikit-learn clamps each to −eps, so a
labeling whose MI equals its expected MI (one side all singletons) scores exactly as
scikit-learn's — about −1e-15, or 1.0 for the 'min' normaliser."""

import numpy as np
import pytest

from gradkit.ml import metrics as gm

skm = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "min", "max"])
def test_u_eval_ami_clamps_rounding_residues_to_minus_eps(method):
    """EVAL-METRICS: with labels_pred all singletons, MI = H(true) = E[MI] (every
    permutation gives the same MI), so both differences are rounding residues; their
    clamping to −eps decides the score."""
    for true in ([0, 1, 0], [0, 0, 1]):
        ours = gm.adjusted_mutual_info_score(true, [0, 1, 2], average_method=method)
        ref = skm.adjusted_mutual_info_score(true, [0, 1, 2], average_method=method)
        np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=0)
