"""gradkit.plot tests draw on the Agg backend and assert on the data drawn, never pixels."""

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture
def ax():
    """A fresh Axes on a pyplot-free Figure."""
    from matplotlib.figure import Figure

    return Figure().add_subplot()
