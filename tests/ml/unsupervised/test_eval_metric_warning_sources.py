"""EVAL-METRICS (issue 24): an undefined precision or recall (a zero denominator
with zero_division="warn") scores 0 and warns as scikit-learn does, and the
UndefinedMetricWarning names the line that called the metric, not a line inside gradkit."""

import warnings

import numpy as np
import pytest

from gradkit.ml import metrics as gm
from gradkit.ml.exceptions import UndefinedMetricWarning

skm = pytest.importorskip("sklearn.metrics")


def _at_caller(warning) -> bool:
    """The warning names the line that called the metric (under the mutation harness,
    mutmut's trampoline stands between the two and is reported instead)."""
    return warning.filename == __file__ or warning.filename.endswith("trampoline.py")


@pytest.mark.parametrize("name", ["precision_score", "recall_score"])
def test_u_eval_zero_division_warning_points_at_the_caller(name):
    y_true, y_pred = [0, 0, 1, 1], [0, 0, 0, 0]  # no predicted positives
    if name == "recall_score":
        y_true, y_pred = y_pred, y_true  # no true positives
    with pytest.warns(UndefinedMetricWarning) as record:
        ours = getattr(gm, name)(y_true, y_pred, zero_division="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours == getattr(skm, name)(y_true, y_pred, zero_division="warn")
    assert record and all(_at_caller(w) for w in record)
    assert np.isfinite(ours)
