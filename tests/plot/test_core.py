"""gradkit.plot's contract: matplotlib is imported lazily, its absence gives an ImportError
naming the extra, every function draws on the ax it is given (or a new pyplot-free
Figure) and returns it."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradkit import plot

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
        timeout=120,
    )


def test_import_gradkit_and_gradkit_plot_do_not_import_matplotlib():
    out = _run(
        "import sys, gradkit, gradkit.plot, gradkit.train\nprint('matplotlib' in sys.modules)"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_raises_importerror_naming_the_extra():
    out = _run(
        "import sys\n"
        "sys.modules['matplotlib'] = None  # as if not installed\n"
        "from gradkit import plot\n"
        "try:\n"
        "    plot.history({'loss': [1.0, 0.5]})\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    assert out.returncode == 0, out.stderr
    assert 'pip install "gradkit[plot]"' in out.stdout


def test_figures_use_no_pyplot_and_save():
    out = _run(
        "import sys, io\n"
        "from gradkit import plot\n"
        "ax = plot.roc_curve([0, 1, 0, 1], [0.1, 0.9, 0.3, 0.4])\n"
        "buf = io.BytesIO(); ax.figure.savefig(buf, format='png')\n"
        "print('matplotlib.pyplot' in sys.modules, buf.getvalue()[:4] == b'\\x89PNG')"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False True"


CALLS = {
    "history": lambda ax: plot.history({"loss": [1.0, 0.5]}, ax=ax),
    "confusion_matrix": lambda ax: plot.confusion_matrix([0, 1], [0, 1], ax=ax),
    "roc_curve": lambda ax: plot.roc_curve([0, 1], [0.2, 0.8], ax=ax),
    "precision_recall_curve": lambda ax: plot.precision_recall_curve([0, 1], [0.2, 0.8], ax=ax),
    "dendrogram": lambda ax: plot.dendrogram([[0, 1, 1.0, 2], [2, 3, 2.0, 3]], ax=ax),
    "embedding": lambda ax: plot.embedding(np.zeros((3, 2)), ax=ax),
    "silhouette": lambda ax: plot.silhouette([[0.0], [0.1], [3.0], [3.1]], [0, 0, 1, 1], ax=ax),
    "learning_curve": lambda ax: plot.learning_curve([1, 2], [1.0, 0.9], [0.5, 0.6], ax=ax),
    "image_grid": lambda ax: plot.image_grid(np.zeros((2, 4, 4)), ax=ax),
    "filters": lambda ax: plot.filters(np.zeros((2, 1, 3, 3)), ax=ax),
    "activations": lambda ax: plot.activations(["relu"], ax=ax),
    "gradient_norms": lambda ax: plot.gradient_norms({"a": 1.0}, ax=ax),
    "forecast": lambda ax: plot.forecast([1.0, 2.0], [3.0], ax=ax),
    "acf": lambda ax: plot.acf(np.sin(np.arange(50.0)), nlags=5, ax=ax),
    "pacf": lambda ax: plot.pacf(np.sin(np.arange(50.0)), nlags=5, ax=ax),
    "value_function": lambda ax: plot.value_function(np.zeros(4), (2, 2), ax=ax),
    "feature_importances": lambda ax: plot.feature_importances([0.5, 0.5], ax=ax),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_draws_on_the_given_ax_and_returns_it(name, ax):
    assert CALLS[name](ax) is ax


@pytest.mark.parametrize("name", sorted(CALLS))
def test_without_ax_draws_on_a_new_figure(name):
    from matplotlib.axes import Axes

    out = CALLS[name](None)
    assert isinstance(out, Axes) and out.figure is not None


def test_every_public_function_is_exported():
    assert set(plot.__all__) == set(CALLS) | {"decision_boundary", "som_umatrix"}


def test_not_an_axes_is_refused():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot.history({"loss": [1.0]}, ax="left")


# The positional signatures other code (the tour) calls; options after them are keyword-only.
SIGNATURES = {
    "history": ["history_or_dict", "ax"],
    "confusion_matrix": ["y_true", "y_pred", "labels", "normalize", "ax"],
    "roc_curve": ["y_true", "y_score", "ax"],
    "precision_recall_curve": ["y_true", "y_score", "ax"],
    "decision_boundary": ["estimator", "X", "y", "ax"],
    "dendrogram": ["model_or_linkage", "ax"],
    "embedding": ["X2", "labels", "ax"],
    "silhouette": ["X", "labels", "ax"],
    "learning_curve": ["train_sizes", "train_scores", "test_scores", "ax"],
    "image_grid": ["images", "labels", "ncols", "ax"],
    "filters": ["weights", "ax"],
    "activations": ["names", "ax"],
    "gradient_norms": ["norms_by_layer", "ax"],
    "forecast": ["history", "mean", "conf_int", "actual", "ax"],
    "acf": ["x", "nlags", "ax"],
    "pacf": ["x", "nlags", "ax"],
    "value_function": ["values", "shape", "policy", "ax"],
    "som_umatrix": ["som", "ax"],
    "feature_importances": ["importances", "names", "ax"],
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_positional_signature_is_the_agreed_one(name):
    import inspect

    params = inspect.signature(getattr(plot, name)).parameters.values()
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == SIGNATURES[name]
    assert inspect.signature(getattr(plot, name)).parameters["ax"].default is None
    defaults = {"ncols": 8, "nlags": 20, "labels": None, "normalize": None, "names": None}
    for p in params:  # silhouette's labels are required; elsewhere labels default to None
        if p.name in defaults and p.default is not p.empty and p.kind is p.POSITIONAL_OR_KEYWORD:
            assert p.default == defaults[p.name]
