"""teenygrad's op test suite (``test/test_ops.py``, written by tinygrad's authors, MIT
licence) run against gradkit through :mod:`teenygrad_shim`, with its assertions as
written: each case computes an op with PyTorch and with the shim's ``Tensor`` (gradkit
underneath) and compares values and gradients.

The suite is third-party code, so it is not copied into this repository: it is read
from the data roots (``$GRADKIT_DATA``, then the user cache ``~/.cache/gradkit``) under
``external/teenygrad-<commit>/test_ops.py`` at the pinned commit below, and checked
against its SHA-256. Fetch it once with::

    python tests/external/teenygrad/test_teenygrad_ops.py --fetch

(or set ``GRADKIT_FETCH_SUITES=1`` when running pytest). Without it, this module skips.
Results: a case passes, fails, or skips with a reason starting ``n/a:`` that names the
gradkit op or keyword it needs and gradkit lacks (``pytest -rs`` lists them).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = "tinygrad/teenygrad"
COMMIT = "b911d3c8d3210593aba0903f36360a38cb045973"  # 2023-11-24, "more deps"
SUITE_PATH = "test/test_ops.py"  # last changed in 553ac199e6be ("ops test passes")
SHA256 = "8a1b1dffe658b57dba914148810e37561b71359213e3253d02570e9a40579f11"
URL = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{SUITE_PATH}"
SUBDIR = f"external/teenygrad-{COMMIT[:12]}"


def suite_file(download: bool) -> Path:
    """The pinned suite from a data root (downloading it when ``download``)."""
    from gradkit.data._files import dataset_file, sha256_of

    path = dataset_file(SUBDIR, "test_ops.py", urls=[URL], sha256=SHA256, download=download)
    if sha256_of(path) != SHA256:
        raise RuntimeError(f"{path} is not teenygrad's test_ops.py at {COMMIT} (SHA-256 differs)")
    return path


def load_suite(path: Path):
    """Import the suite with ``teenygrad`` (and its submodules) resolved to the shim."""
    import teenygrad_shim

    names = ["teenygrad", "teenygrad.tensor", "teenygrad.helpers", "teenygrad.ops"]
    saved = {name: sys.modules.get(name) for name in names}
    sys.modules.update(dict.fromkeys(names, teenygrad_shim))
    try:
        spec = importlib.util.spec_from_file_location("teenygrad_test_ops", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    return module


if __name__ == "__main__":
    if sys.argv[1:] != ["--fetch"]:
        sys.exit(f"usage: python {sys.argv[0]} --fetch")
    print(suite_file(download=True))
    sys.exit(0)

pytest.importorskip("torch")  # the suite's oracle
try:
    SUITE = suite_file(download=os.environ.get("GRADKIT_FETCH_SUITES") == "1")
except FileNotFoundError as exc:
    pytest.skip(
        f"teenygrad's test_ops.py is not fetched ({exc}); run "
        "`python tests/external/teenygrad/test_teenygrad_ops.py --fetch`",
        allow_module_level=True,
    )

TestOps = load_suite(SUITE).TestOps
