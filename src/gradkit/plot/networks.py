"""Neural-network pictures: activation functions with their derivatives (through
autograd), and gradient norms per layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from gradkit.plot._core import as_array, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# NN-ACT's functions in the order the canon lists them (each elementwise in gradkit.nn.functional)
DEFAULT_ACTIVATIONS = (
    "binary_step",
    "identity",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "swish",
    "softsign",
    "gelu",
)


# functional names that are not elementwise maps R -> R
_NOT_ELEMENTWISE = {"softmax", "log_softmax", "softmin", "maxout", "glu", "prelu"}


def _activation(name) -> tuple[str, Callable]:
    from gradkit.nn import functional as F

    if callable(name):
        return getattr(name, "__name__", "f"), name
    if name not in F.__all__ or name in _NOT_ELEMENTWISE:
        valid = sorted(set(F.__all__) - _NOT_ELEMENTWISE)
        raise ValueError(
            f"activations: {name!r} is not an elementwise activation of "
            f"gradkit.nn.functional; choose from {valid} or pass a callable"
        )
    if name == "leaky_relu":
        return name, lambda t: F.leaky_relu(t, 0.1)  # ε = 0.1 so the slope is visible
    return name, getattr(F, name)


def activation_curves(names=None, x=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{name: (f(x), f'(x))} on the grid ``x``, the derivative by backpropagation:
    with y = f(x) elementwise, d(sum y)/dx_i = f'(x_i)."""
    from gradkit.creation import tensor

    grid = np.linspace(-4.0, 4.0, 401) if x is None else as_array("activations", "x", x, ndim=1)
    out = {}
    for name in DEFAULT_ACTIVATIONS if names is None else names:
        label, fn = _activation(name)
        t = tensor(grid, requires_grad=True)  # float64 grid: float64 tensor
        y = fn(t)
        if tuple(y.shape) != tuple(t.shape):
            raise ValueError(
                f"activations: {label} maps shape {tuple(t.shape)} to {tuple(y.shape)}; only "
                "elementwise functions can be drawn"
            )
        y.sum().backward()
        grad = np.zeros_like(grid) if t.grad is None else t.grad.numpy().copy()
        out[label] = (y.detach().numpy().copy(), grad)
    return out


def activations(names=None, ax: Axes | None = None, *, x=None, derivative: bool = True) -> Axes:
    """Each activation function (solid) and its derivative (dashed, same colour), the
    derivative computed by gradkit's autograd, not by a hand-written formula.

    ``names``: names in ``gradkit.nn.functional`` (default: NN-ACT's binary_step,
    identity, sigmoid, tanh, relu, leaky_relu (ε = 0.1), swish, softsign, gelu) or
    callables on tensors. ``x``: the grid (default 401 points on [-4, 4]). Lines come in
    pairs ``name``, ``name'``.

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.activations(["sigmoid"], x=[0.0])
    >>> ax.lines[0].get_ydata().tolist(), ax.lines[1].get_ydata().tolist()
    ([0.5], [0.25])
    """
    curves = activation_curves(names, x)
    grid = np.linspace(-4.0, 4.0, 401) if x is None else np.asarray(x, dtype=np.float64)
    ax = get_ax(ax)
    for k, (label, (y, dy)) in enumerate(curves.items()):
        ax.plot(grid, y, color=f"C{k % 10}", label=label)
        if derivative:
            ax.plot(grid, dy, color=f"C{k % 10}", linestyle="--", label=f"{label}'")
    ax.axhline(0.0, color="0.7", linewidth=0.6)
    ax.axvline(0.0, color="0.7", linewidth=0.6)
    ax.set_xlabel("z")
    ax.legend(fontsize="small", ncol=2)
    return ax


def _norms_of_module(module) -> dict[str, float]:
    """{parameter name: ‖grad‖₂} over the parameters with a gradient."""
    norms = {}
    for name, param in module.named_parameters():
        if param.grad is not None:
            norms[name] = float(np.linalg.norm(np.asarray(param.grad.numpy(), dtype=np.float64)))
    if not norms:
        raise ValueError(
            f"gradient_norms: no parameter of {type(module).__name__} has a .grad; call "
            "loss.backward() first"
        )
    return norms


def gradient_norms(norms_by_layer, ax: Axes | None = None, *, log: bool = True) -> Axes:
    """Gradient norm per layer: bars (one per layer, input side on the left) for one
    value each, or one line per layer over training steps for lists.

    ``norms_by_layer``: dict name → float or list of floats (per step), or an
    ``nn.Module`` after ``backward()`` (its parameters' ``‖grad‖₂``). ``log`` puts the y
    axis on a log scale, where vanishing gradients show as a slope.

    Examples
    --------
    >>> from gradkit import plot
    >>> ax = plot.gradient_norms({"layer1": 1e-4, "layer2": 1e-2, "layer3": 1.0})
    >>> [float(p.get_height()) for p in ax.patches]
    [0.0001, 0.01, 1.0]
    """
    if hasattr(norms_by_layer, "named_parameters"):
        norms_by_layer = _norms_of_module(norms_by_layer)
    if not isinstance(norms_by_layer, dict) or not norms_by_layer:
        raise TypeError(
            "gradient_norms: expected a non-empty dict layer name -> norm (or list of norms "
            f"per step) or an nn.Module, got {type(norms_by_layer).__name__}"
        )
    series = {
        str(k): as_array("gradient_norms", str(k), v, ndim=(0, 1))
        for k, v in norms_by_layer.items()
    }
    scalar = [k for k, v in series.items() if v.ndim == 0]
    if scalar and len(scalar) != len(series):
        raise ValueError(
            "gradient_norms: give every layer either one norm or a list per step, not a mix "
            f"(single values for {scalar})"
        )
    ax = get_ax(ax)
    if scalar:
        names = list(series)
        heights = np.array([float(series[k]) for k in names])
        ax.bar(np.arange(len(names)), heights, tick_label=names, color="C0")
        if len(names) > 6:
            ax.tick_params(axis="x", labelrotation=90)
        ax.set_xlabel("layer")
    else:
        for k, (name, values) in enumerate(series.items()):
            ax.plot(np.arange(1, len(values) + 1), values, color=f"C{k % 10}", label=name)
        ax.set_xlabel("step")
        ax.legend(fontsize="small")
    if log:
        ax.set_yscale("log")
    ax.set_ylabel("gradient norm")
    return ax
