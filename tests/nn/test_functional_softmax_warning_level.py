"""NN-ACT (issue 24): the implicit-dim warning of softmax/log_softmax/softmin names the
caller's line, as PyTorch's does: called directly it is raised ``stacklevel`` = 4 frames up
(``_softmax_dim`` ← ``_normalized`` ← ``softmax`` ← caller), through a module 6 (…
← ``forward`` ← ``__call__`` ← caller). The frame count is checked on the level handed to
``warnings.warn``, so it holds under a mutation run too, whose trampolines add frames;
outside one the warning's file is this file, as with PyTorch."""

import os
import warnings

import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.nn.functional import activation

torch = pytest.importorskip("torch")
TF = torch.nn.functional

NAMES = ["softmax", "log_softmax", "softmin"]
MODULES = {"softmax": "Softmax", "log_softmax": "LogSoftmax", "softmin": "Softmin"}


def _levels(monkeypatch, call):
    seen = []

    def warn(message, category=None, stacklevel=1, **kw):
        seen.append((category, stacklevel))

    monkeypatch.setattr(activation.warnings, "warn", warn)
    call()
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_nn_act_implicit_dim_warning_level_names_the_caller(name, monkeypatch):
    x = gk.ones(2, 3)
    fn = getattr(F, name)
    assert _levels(monkeypatch, lambda: fn(x)) == [(UserWarning, 4)]
    assert _levels(monkeypatch, lambda: fn(x, None, 5)) == [(UserWarning, 6)]
    module = getattr(gk.nn, MODULES[name])()
    assert _levels(monkeypatch, lambda: module(x)) == [(UserWarning, 6)]


@pytest.mark.skipif("MUTANT_UNDER_TEST" in os.environ, reason="mutmut adds stack frames")
@pytest.mark.parametrize("name", NAMES)
def test_nn_act_implicit_dim_warning_points_at_the_same_line_as_torch(name):
    located = []
    for fn, x in ((getattr(F, name), gk.ones(2, 3)), (getattr(TF, name), torch.ones(2, 3))):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn(x)
        located.append([(w.filename, w.lineno, w.category) for w in caught])
    assert located[0] == located[1] and located[0][0][0] == __file__
