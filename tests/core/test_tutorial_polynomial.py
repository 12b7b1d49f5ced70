"""PyTorch's polynomial tutorials run on gradkit with only the import line changed.

T-AUTODIFF, T-NOGRAD: ``beginner_source/examples_autograd/polynomial_autograd.py`` and
``beginner_source/examples_nn/polynomial_nn.py`` from pytorch/tutorials fit
``y = a + b x + c x^2 + d x^3`` to ``sin(x)`` with autograd and a manual SGD step under
``no_grad``. Each tutorial is reproduced below as a function of the module it imports
(``torch`` or ``gradkit``, as ``import gradkit as torch`` would bind it). Its lines are the
tutorial's, except: the 2000 steps become ``STEPS``; the random initial weights are
overwritten once, before the loop, by fixed ones (``copy_`` under ``no_grad``) so both
libraries start from the same point; each step's ``loss.item()`` is appended to a list
for the step-by-step comparison; the accelerator lines (device selection) are left to
their own test, since setting a default device is process-wide state in PyTorch.

polynomial_autograd.py is taken at the revision that resets the grads with
``a.grad = None``; the newest revision writes ``a.grad, b.grad, c.grad, d.grad = 0., 0.,
0., 0.``, which PyTorch 2.13 itself refuses with TypeError (see the last test).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

STEPS = 300
_rng = np.random.default_rng(7)
ABCD0 = _rng.standard_normal(4)  # a, b, c, d of polynomial_autograd.py
WEIGHT0 = _rng.uniform(-0.5, 0.5, (1, 3))  # Linear(3, 1).weight of polynomial_nn.py
BIAS0 = _rng.uniform(-0.5, 0.5, (1,))  # Linear(3, 1).bias


def polynomial_autograd(torch, steps=STEPS):
    """beginner_source/examples_autograd/polynomial_autograd.py."""
    dtype = torch.float

    # Create Tensors to hold input and outputs.
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)

    # Create random Tensors for weights.
    a = torch.randn((), dtype=dtype, requires_grad=True)
    b = torch.randn((), dtype=dtype, requires_grad=True)
    c = torch.randn((), dtype=dtype, requires_grad=True)
    d = torch.randn((), dtype=dtype, requires_grad=True)
    with torch.no_grad():  # not in the tutorial: the same start in both libraries
        for weight, value in zip((a, b, c, d), ABCD0):
            weight.copy_(torch.tensor(value))

    losses = []
    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y using operations on Tensors.
        y_pred = a + b * x + c * x**2 + d * x**3

        # Compute and print loss using operations on Tensors.
        # Now loss is a Tensor of shape (1,)
        # loss.item() gets the scalar value held in the loss.
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        losses.append(loss.item())  # not in the tutorial: recorded for the comparison

        # Use autograd to compute the backward pass. This call will compute the
        # gradient of loss with respect to all Tensors with requires_grad=True.
        # After this call a.grad, b.grad. c.grad and d.grad will be Tensors holding
        # the gradient of the loss with respect to a, b, c, d respectively.
        loss.backward()

        # Manually update weights using gradient descent. Wrap in torch.no_grad()
        # because weights have requires_grad=True, but we don't need to track this
        # in autograd.
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad

            # Manually zero the gradients after updating weights
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None

    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
    still_float32 = all(w.dtype == dtype for w in (a, b, c, d))
    return np.array(losses), np.array([a.item(), b.item(), c.item(), d.item()]), still_float32


def polynomial_nn(torch, steps=STEPS):
    """beginner_source/examples_nn/polynomial_nn.py."""
    # Create Tensors to hold input and outputs.
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)

    # Prepare the tensor (x, x^2, x^3).
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)

    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():  # not in the tutorial: the same start in both libraries
        model[0].weight.copy_(torch.tensor(WEIGHT0))
        model[0].bias.copy_(torch.tensor(BIAS0))

    loss_fn = torch.nn.MSELoss(reduction="sum")

    losses = []
    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y by passing x to the model. Module objects
        # override the __call__ operator so you can call them like functions. When
        # doing so you pass a Tensor of input data to the Module and it produces
        # a Tensor of output data.
        y_pred = model(xx)

        # Compute and print loss. We pass Tensors containing the predicted and true
        # values of y, and the loss function returns a Tensor containing the
        # loss.
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())
        losses.append(loss.item())  # not in the tutorial: recorded for the comparison

        # Zero the gradients before running the backward pass.
        model.zero_grad()

        # Backward pass: compute gradient of the loss with respect to all the learnable
        # parameters of the model. Internally, the parameters of each Module are stored
        # in Tensors with requires_grad=True, so this call will compute gradients for
        # all learnable parameters in the model.
        loss.backward()

        # Update the weights using gradient descent. Each parameter is a Tensor, so
        # we can access its gradients like we did before.
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad

    # You can access the first layer of `model` like accessing the first item of a list
    linear_layer = model[0]

    # For linear layer, its parameters are stored as `weight` and `bias`.
    print(
        f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
        f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
    )
    result = [
        linear_layer.bias.item(),
        linear_layer.weight[:, 0].item(),
        linear_layer.weight[:, 1].item(),
        linear_layer.weight[:, 2].item(),
    ]
    return np.array(losses), np.array(result), xx.dtype == torch.float32, tuple(y_pred.shape)


def test_t_autodiff_polynomial_autograd_tutorial_matches_torch():
    """T-AUTODIFF: polynomial_autograd.py gives PyTorch's losses step by step (float32)."""
    torch_losses, torch_abcd, torch_float32 = polynomial_autograd(torch)
    assert torch_losses[-1] < 0.2 * torch_losses[0]  # it is training: the test can fail
    assert torch_float32
    gk_losses, gk_abcd, gk_float32 = polynomial_autograd(gk)
    np.testing.assert_allclose(gk_losses, torch_losses, rtol=1e-4)
    np.testing.assert_allclose(gk_abcd, torch_abcd, rtol=1e-4)
    assert gk_float32, "the weights left float32 during training"


def test_t_nograd_polynomial_nn_tutorial_matches_torch():
    """T-NOGRAD: polynomial_nn.py (Sequential, Flatten(0, 1), MSELoss) matches PyTorch."""
    torch_losses, torch_result, torch_dtype, torch_shape = polynomial_nn(torch)
    assert torch_losses[-1] < 0.2 * torch_losses[0]
    assert torch_dtype and torch_shape == (2000,)
    gk_losses, gk_result, gk_dtype, gk_shape = polynomial_nn(gk)
    np.testing.assert_allclose(gk_losses, torch_losses, rtol=1e-4)
    np.testing.assert_allclose(gk_result, torch_result, rtol=1e-4)
    assert gk_shape == (2000,)
    assert gk_dtype, "xx = x.unsqueeze(-1).pow(p) is not float32"


def test_polynomial_autograd_device_preamble():
    """The tutorial's accelerator lines run and pick the CPU."""

    def preamble(torch):
        device = (
            torch.accelerator.current_accelerator().type
            if torch.accelerator.is_available()
            else "cpu"
        )
        print(f"Using {device} device")
        torch.set_default_device(device)
        return device, str(torch.linspace(0.0, 1.0, 3).device)

    try:
        assert preamble(torch) == ("cpu", "cpu")
    finally:
        torch.set_default_device(None)
    assert preamble(gk) == ("cpu", "cpu")


def test_newest_polynomial_autograd_grad_reset_is_refused_like_torch():
    """``a.grad = 0.`` (the newest tutorial revision) is a TypeError in both libraries."""
    for lib in (torch, gk):
        a = lib.tensor(1.5, requires_grad=True)
        (a * a).backward()
        with lib.no_grad(), pytest.raises(TypeError):
            a.grad = 0.0
        assert a.grad is not None and a.grad.item() == 3.0
