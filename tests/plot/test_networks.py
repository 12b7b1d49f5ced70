"""NN-ACT's functions and their autograd derivatives equal PyTorch's; gradient norms per
layer are drawn as given, or as ‖grad‖₂ of a module's parameters (closed form)."""

import numpy as np
import pytest

import gradkit
from gradkit import nn, plot

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TORCH = {
    "identity": lambda t: t,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": TF.relu,
    "leaky_relu": lambda t: TF.leaky_relu(t, 0.1),
    "swish": TF.silu,
    "softsign": TF.softsign,
    "gelu": TF.gelu,
    "elu": TF.elu,
    "softplus": TF.softplus,
}


def _curves(ax):
    """The labelled lines (the axes' zero lines are unlabelled)."""
    return [line for line in ax.lines if not line.get_label().startswith("_")]


def test_nn_act_default_set_and_derivatives_equal_torch_autograd(ax):
    plot.activations(ax=ax)
    lines = _curves(ax)
    labels = [line.get_label() for line in lines[::2]]
    assert labels == list(plot.networks.DEFAULT_ACTIVATIONS)
    x = np.linspace(-4.0, 4.0, 401)  # includes the kink at 0
    assert 0.0 in x
    for fn_line, d_line in zip(lines[0::2], lines[1::2], strict=True):
        name = fn_line.get_label()
        assert d_line.get_label() == name + "'" and d_line.get_linestyle() == "--"
        np.testing.assert_array_equal(fn_line.get_xdata(), x)
        if name == "binary_step":
            np.testing.assert_array_equal(fn_line.get_ydata(), (x >= 0).astype(float))
            np.testing.assert_array_equal(d_line.get_ydata(), np.zeros_like(x))
            continue
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = TORCH[name](t)
        (g,) = torch.autograd.grad(y.sum(), t)
        np.testing.assert_allclose(fn_line.get_ydata(), y.detach().numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(d_line.get_ydata(), g.numpy(), rtol=0, atol=1e-12)


def test_activations_by_name_callable_and_errors():
    ax = plot.activations(["elu", "softplus"], x=[-1.0, 0.5, 2.0], derivative=False)
    assert [line.get_label() for line in _curves(ax)] == ["elu", "softplus"]
    t = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
    np.testing.assert_allclose(_curves(ax)[0].get_ydata(), TF.elu(t).numpy(), atol=1e-12)

    def cube(z):
        return z * z * z

    ax = plot.activations([cube], x=[-2.0, 1.0, 3.0])
    np.testing.assert_allclose(_curves(ax)[1].get_ydata(), [12.0, 3.0, 27.0])  # 3z²
    with pytest.raises(ValueError, match="'softmax' is not an elementwise activation"):
        plot.activations(["softmax"])
    with pytest.raises(ValueError, match="'relux' is not an elementwise"):
        plot.activations(["relux"])
    with pytest.raises(ValueError, match="only elementwise"):
        plot.activations([lambda z: z.sum()])


def test_gradient_norms_bars_lines_and_log_scale():
    norms = {"layer1": 1e-6, "layer2": 1e-3, "layer3": 0.5}
    ax = plot.gradient_norms(norms)
    assert [p.get_height() for p in ax.patches] == [1e-6, 1e-3, 0.5]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(norms)
    assert ax.get_yscale() == "log"
    steps = {"fc1": [1.0, 0.5, 0.25], "fc2": [2.0, 2.0, 2.0]}
    ax = plot.gradient_norms(steps, log=False)
    for line, (name, values) in zip(ax.lines, steps.items()):
        assert line.get_label() == name
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert ax.get_yscale() == "linear"
    with pytest.raises(ValueError, match="not a mix"):
        plot.gradient_norms({"a": 1.0, "b": [1.0, 2.0]})
    with pytest.raises(TypeError, match="non-empty dict"):
        plot.gradient_norms({})
    with pytest.raises(ValueError, match="`a` must be 0-D or 1-D"):
        plot.gradient_norms({"a": np.eye(2)})


def test_gradient_norms_of_a_module_after_backward():
    gradkit.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 4))
    with pytest.raises(ValueError, match="no parameter of Sequential has a .grad"):
        plot.gradient_norms(model)
    x = np.random.default_rng(0).normal(size=(5, 3))
    model[2](model[1](model[0](gradkit.tensor(x, dtype=gradkit.float32)))).sum().backward()
    ax = plot.gradient_norms(model)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0.weight", "0.bias", "2.weight", "2.bias"]
    heights = [p.get_height() for p in ax.patches]
    # last layer y = h W^T + b, loss = sum y: dL/db = N per output, dL/dW[i] = sum_n h_n
    assert heights[3] == pytest.approx(np.sqrt(4) * 5, rel=1e-6)
    h = np.tanh(x @ model[0].weight.detach().numpy().T + model[0].bias.detach().numpy())
    assert heights[2] == pytest.approx(np.sqrt(4) * np.linalg.norm(h.sum(axis=0)), rel=1e-5)
