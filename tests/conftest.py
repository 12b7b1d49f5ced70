import os
from pathlib import Path

import numpy as np
import pytest

# Tests find datasets through GRADKIT_DATA (CI points it at ../shared/data).
os.environ.setdefault(
    "GRADKIT_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def data_dir() -> Path:
    return Path(os.environ["GRADKIT_DATA"])


# tests/parity.py is shared by tests in every sub-folder.
import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
